import { DevopsAppClient } from './DevopsAppClient';

describe('DevopsAppClient', () => {
  const discoveryApi = {
    getBaseUrl: jest.fn(async (id: string) => `http://backend.test/api/${id}`),
  };

  it('reads the configured environments through the fetch API', async () => {
    const fetchApi = {
      fetch: jest.fn(async () =>
        new Response(
          JSON.stringify({
            items: [{ name: 'dev', title: 'Development', namespace: 'inference-dev', production: false }],
          }),
          { status: 200, headers: { 'Content-Type': 'application/json' } },
        ),
      ),
    };
    const client = new DevopsAppClient({ discoveryApi, fetchApi });
    await expect(client.getConfiguredEnvironments()).resolves.toEqual([
      { name: 'dev', title: 'Development', namespace: 'inference-dev', production: false },
    ]);
    expect(fetchApi.fetch).toHaveBeenCalledWith('http://backend.test/api/devops-app/environments');
  });

  it('turns an error response into an error carrying the status and message', async () => {
    const fetchApi = {
      fetch: jest.fn(async () =>
        new Response(
          JSON.stringify({ error: { name: 'AuthenticationError', message: 'Missing credentials' } }),
          { status: 401, statusText: 'Unauthorized', headers: { 'Content-Type': 'application/json' } },
        ),
      ),
    };
    const client = new DevopsAppClient({ discoveryApi, fetchApi });
    const error = await client.getConfiguredEnvironments().then(
      () => undefined,
      (e: Error & { statusCode?: number }) => e,
    );
    expect(error?.statusCode).toBe(401);
    expect(error?.message).toContain('401');
    expect(String(error?.message) + String((error as { cause?: unknown })?.cause)).toContain(
      'Missing credentials',
    );
  });
});

describe('DevopsAppClient terraform runs', () => {
  const discoveryApi = {
    getBaseUrl: jest.fn(async (id: string) => `http://backend.test/api/${id}`),
  };
  const okList = () =>
    jest.fn(
      async (_url: RequestInfo | URL) =>
        new Response(JSON.stringify({ items: [] }), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        }),
    );

  it('asks for the runs of several environments with repeated environment parameters', async () => {
    const fetch = okList();
    const client = new DevopsAppClient({ discoveryApi, fetchApi: { fetch } });
    await client.listTerraformRuns({ environments: ['dev', 'pre-prod'] });
    await client.listTerraformRuns({ environment: 'prod' });
    await client.listTerraformRuns({});
    expect(fetch.mock.calls.map(c => c[0])).toEqual([
      'http://backend.test/api/devops-app/terraform/runs?environment=dev&environment=pre-prod',
      'http://backend.test/api/devops-app/terraform/runs?environment=prod',
      'http://backend.test/api/devops-app/terraform/runs',
    ]);
  });

  it('answers an empty environment list without asking the backend (it would list every run)', async () => {
    const fetch = okList();
    const client = new DevopsAppClient({ discoveryApi, fetchApi: { fetch } });
    await expect(client.listTerraformRuns({ environments: [] })).resolves.toEqual([]);
    expect(fetch).not.toHaveBeenCalled();
  });
});
