import { DevopsAppClient } from './DevopsAppClient';

describe('DevopsAppClient observability methods', () => {
  const discoveryApi = {
    getBaseUrl: async (id: string) => `http://backend.test/api/${id}`,
  };
  const ok = () =>
    new Response(JSON.stringify({ configured: true, series: [], rows: [] }), {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
    });

  it('names a panel, never PromQL, and asks for the colour split', async () => {
    const fetchApi = {
      fetch: jest.fn(async (_input: RequestInfo | URL, _init?: RequestInit) =>
        ok(),
      ),
    };
    const client = new DevopsAppClient({ discoveryApi, fetchApi });
    await client.getMetricsPanel({
      entityRef: 'component:default/inference-service',
      environment: 'dev',
      panel: 'latency',
      range: '6h',
      splitByColour: true,
    });
    const url = new URL(String(fetchApi.fetch.mock.calls[0][0]));
    expect(url.pathname).toBe('/api/devops-app/observability/metrics');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      entityRef: 'component:default/inference-service',
      environment: 'dev',
      panel: 'latency',
      range: '6h',
      split: 'colour',
    });
  });

  it('sends only the log filters that are set', async () => {
    const fetchApi = {
      fetch: jest.fn(async (_input: RequestInfo | URL, _init?: RequestInit) =>
        ok(),
      ),
    };
    const client = new DevopsAppClient({ discoveryApi, fetchApi });
    await client.searchLogs({
      entityRef: 'component:default/inference-service',
      environment: 'dev',
      range: '1h',
      text: '',
      requestId: 'req-42',
    });
    await client.getTraceSummary({
      entityRef: 'component:default/x',
      environment: 'prod',
      range: '24h',
    });
    await client.getMonitors({
      entityRef: 'component:default/x',
      environment: 'prod',
      range: '24h',
    });
    const urls = fetchApi.fetch.mock.calls.map(c => new URL(String(c[0])));
    expect(urls.map(u => u.pathname)).toEqual([
      '/api/devops-app/observability/logs',
      '/api/devops-app/observability/traces',
      '/api/devops-app/observability/monitors',
    ]);
    expect(Object.fromEntries(urls[0].searchParams)).toEqual({
      entityRef: 'component:default/inference-service',
      environment: 'dev',
      range: '1h',
      requestId: 'req-42',
    });
  });
});
