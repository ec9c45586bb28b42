import {
  Environment,
  EntityEnvironmentsResponse,
} from '@devops-app/plugin-devops-app-common';
import { ResponseError } from '@backstage/errors';
import { DevopsAppClient, retryAfterSeconds } from './DevopsAppClient';

describe('DevopsAppClient', () => {
  const discoveryApi = {
    getBaseUrl: jest.fn(async (id: string) => `http://backend.test/api/${id}`),
  };

  const dev: Environment = {
    name: 'dev',
    entityRef: 'resource:default/dev',
    title: 'Development',
    owner: 'group:default/ml-team',
    namespace: 'inference-dev',
    production: false,
    protected: true,
    promotionOrder: 1,
    problems: [],
  };

  it("reads an entity's environments from the resolver through the fetch API", async () => {
    const body: EntityEnvironmentsResponse = {
      entityRef: 'component:default/inference-service',
      items: [
        dev,
        {
          ...dev,
          name: 'load-test',
          entityRef: 'resource:default/load-test',
          title: 'load-test',
          namespace: 'inference-load-test',
          promotionOrder: undefined,
          problems: [
            {
              annotation: 'devops-app.io/namespace',
              message: '"Bad_NS" is not a DNS label',
            },
          ],
        },
      ],
    };
    const fetchApi = {
      fetch: jest.fn(
        async (_url: RequestInfo | URL) =>
          new Response(JSON.stringify(body), {
            status: 200,
            headers: { 'Content-Type': 'application/json' },
          }),
      ),
    };
    const client = new DevopsAppClient({ discoveryApi, fetchApi });
    await expect(
      client.getEntityEnvironments('component:default/inference-service'),
    ).resolves.toEqual(JSON.parse(JSON.stringify(body)));
    // The ref is one query parameter, encoded (":" and "/" are not path separators here).
    expect(fetchApi.fetch).toHaveBeenCalledWith(
      'http://backend.test/api/devops-app/environments?entityRef=component%3Adefault%2Finference-service',
    );
  });

  it('turns an error response into an error carrying the status and message', async () => {
    const fetchApi = {
      fetch: jest.fn(
        async () =>
          new Response(
            JSON.stringify({
              error: {
                name: 'AuthenticationError',
                message: 'Missing credentials',
              },
            }),
            {
              status: 401,
              statusText: 'Unauthorized',
              headers: { 'Content-Type': 'application/json' },
            },
          ),
      ),
    };
    const client = new DevopsAppClient({ discoveryApi, fetchApi });
    const error = await client
      .getEntityEnvironments('component:default/inference-service')
      .then(
        () => undefined,
        (e: Error & { statusCode?: number }) => e,
      );
    expect(error?.statusCode).toBe(401);
    expect(error?.message).toContain('401');
    expect(
      String(error?.message) + String((error as { cause?: unknown })?.cause),
    ).toContain('Missing credentials');
  });
});

describe('DevopsAppClient on a 429', () => {
  const discoveryApi = {
    getBaseUrl: async (id: string) => `http://backend.test/api/${id}`,
  };
  const rateLimited = (body: object, headers: Record<string, string>) => ({
    fetch: async () =>
      new Response(JSON.stringify(body), {
        status: 429,
        statusText: 'Too Many Requests',
        headers: { 'Content-Type': 'application/json', ...headers },
      }),
  });
  const failure = (client: DevopsAppClient) =>
    client
      .getMonitors({
        entityRef: 'component:default/inference-service',
        environment: 'dev',
      })
      .then(
        () => undefined,
        (e: Error) => e,
      );
  const body = (extra: object = {}) => ({
    error: {
      name: 'TooManyRequestsError',
      message: 'Datadog rate limit reached',
    },
    response: { statusCode: 429 },
    ...extra,
  });

  it("surfaces the backend's retryAfterSeconds on the error, with its message", async () => {
    const client = new DevopsAppClient({
      discoveryApi,
      fetchApi: rateLimited(body({ retryAfterSeconds: 7 }), {
        'Retry-After': '7',
      }),
    });
    const error = await failure(client);
    expect(retryAfterSeconds(error)).toBe(7);
    expect((error as ResponseError).statusCode).toBe(429);
    expect((error as ResponseError).cause.message).toBe(
      'Datadog rate limit reached',
    );
  });

  it('falls back to the Retry-After header (delay-seconds) when the body has no wait', async () => {
    const client = new DevopsAppClient({
      discoveryApi,
      fetchApi: rateLimited(body(), { 'Retry-After': '12' }),
    });
    expect(retryAfterSeconds(await failure(client))).toBe(12);
  });

  it('carries no wait on other errors, nor on a 429 that names none', async () => {
    const none = new DevopsAppClient({
      discoveryApi,
      fetchApi: rateLimited(body(), {}),
    });
    expect(retryAfterSeconds(await failure(none))).toBeUndefined();
    expect(retryAfterSeconds(new Error('boom'))).toBeUndefined();
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
    await expect(
      client.listTerraformRuns({ environments: [] }),
    ).resolves.toEqual([]);
    expect(fetch).not.toHaveBeenCalled();
  });
});
