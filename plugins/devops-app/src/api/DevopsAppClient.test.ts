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
