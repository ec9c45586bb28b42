import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  LogsResponse,
  MonitorsResponse,
  TracesResponse,
} from '@devops-app/plugin-devops-app-common';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { devopsAppPlugin } from '../plugin';
import { SERVICE_REF, serviceEntity } from './__testUtils__/serviceEntity';
import { STANDARD_ENVIRONMENTS } from '../__testUtils__/environmentEntities';
import {
  DatadogStandIn,
  startDatadogStandIn,
} from './__testUtils__/datadogStandIn';

/**
 * The Logs & Traces routes run the production client (@datadog/datadog-api-client) against a stand-in
 * for Datadog's API on 127.0.0.1 that answers with the documented shapes, 429s and 403s.
 */

const entity = serviceEntity({
  'devops-app.io/environments': 'dev,prod',
  'datadoghq.com/service-name': 'inference-service',
});
const ref = SERVICE_REF;
const minutesAgo = (m: number) =>
  new Date(Date.now() - m * 60_000).toISOString();

let standIn: DatadogStandIn;

beforeAll(async () => {
  standIn = await startDatadogStandIn({
    logs: [
      {
        id: 'AQAAAYa1',
        timestamp: minutesAgo(5),
        status: 'info',
        message: 'request received',
        service: 'inference-service',
        env: 'dev',
        attributes: {
          request_id: 'req-42',
          dd: { trace_id: '1234567890123456789', span_id: '42' },
        },
      },
      {
        id: 'AQAAAYa2',
        timestamp: minutesAgo(4),
        status: 'error',
        message: 'blob upload failed: storage unavailable',
        service: 'inference-service',
        env: 'dev',
        attributes: {
          request_id: 'req-42',
          dd: { trace_id: '1234567890123456789', span_id: '43' },
        },
      },
      {
        id: 'AQAAAYa3',
        timestamp: minutesAgo(3),
        status: 'info',
        message: 'request completed',
        service: 'inference-service',
        env: 'dev',
        attributes: { request_id: 'req-43' },
      },
      {
        id: 'AQAAAYa4',
        timestamp: minutesAgo(2),
        status: 'info',
        message: 'prod line',
        service: 'inference-service',
        env: 'prod',
        attributes: { request_id: 'req-99' },
      },
    ],
    resources: [
      {
        resource: 'POST /v1/predict',
        env: 'dev',
        hits: 1200,
        errors: 12,
        p95: 250_000_000,
      },
      {
        resource: 'GET /healthz',
        env: 'dev',
        hits: 3000,
        errors: 0,
        p95: 1_000_000,
      },
      {
        resource: 'POST /v1/predict',
        env: 'prod',
        hits: 99,
        errors: 0,
        p95: 1,
      },
    ],
    monitors: [
      {
        id: 101,
        name: 'Error rate high',
        overall_state: 'Alert',
        tags: ['service:inference-service'],
      },
      {
        id: 102,
        name: 'p95 latency (dev)',
        overall_state: 'OK',
        tags: ['service:inference-service', 'env:dev'],
      },
      {
        id: 103,
        name: 'p95 latency (prod)',
        overall_state: 'Warn',
        tags: ['service:inference-service', 'env:prod'],
      },
      {
        id: 104,
        name: 'Other service',
        overall_state: 'No Data',
        tags: ['service:other'],
      },
    ],
  });
});

afterAll(async () => {
  await standIn?.stop();
});

async function startBackend(datadog: object | undefined) {
  const { server } = await startTestBackend({
    features: [
      devopsAppPlugin,
      catalogServiceMock.factory({
        entities: [entity, ...STANDARD_ENVIRONMENTS],
      }),
      mockServices.rootConfig.factory({
        data: datadog ? { devopsApp: { datadog } } : {},
      }),
    ],
  });
  return server;
}

const configured = () => ({
  site: 'datadoghq.eu',
  apiKey: standIn.apiKey,
  appKey: standIn.appKey,
  apiBaseUrl: standIn.baseUrl,
  timeoutMs: 5000,
});

describe('Datadog routes with the production client against the stand-in', () => {
  let server: Awaited<ReturnType<typeof startBackend>>;
  beforeAll(async () => {
    server = await startBackend(configured());
  });
  const get = (path: string, query: Record<string, string>) =>
    request(server)
      .get(`/api/devops-app/observability/${path}`)
      .query({ entityRef: ref, environment: 'dev', ...query })
      .set('Authorization', mockCredentials.user.header());

  it('searches the environment logs, newest first, each with links', async () => {
    const res = await get('logs', { range: '1h' });
    expect(res.status).toBe(200);
    const body = res.body as LogsResponse;
    expect(body.rows.map(r => r.message)).toEqual([
      'request completed',
      'blob upload failed: storage unavailable',
      'request received',
    ]);
    const error = body.rows[1];
    expect(error).toMatchObject({
      level: 'error',
      requestId: 'req-42',
      traceId: '1234567890123456789',
      traceLink: 'https://app.datadoghq.eu/apm/trace/1234567890123456789',
    });
    expect(error.link).toMatch(/^https:\/\/app\.datadoghq\.eu\/logs\?/);
    expect(new URL(error.link).searchParams.get('event')).toBe('AQAAAYa2');
    expect(new URL(body.link).searchParams.get('query')).toBe(
      'service:inference-service env:dev',
    );
    expect(body.rows[0].traceLink).toBeUndefined();
    // The keys went in headers only, never into an answer.
    expect(JSON.stringify(body)).not.toContain(standIn.apiKey);
  });

  it('filters by level and text', async () => {
    const res = await get('logs', { level: 'error', text: 'storage "x"' });
    expect(res.status).toBe(200);
    expect((res.body as LogsResponse).rows.map(r => r.id)).toEqual([
      'AQAAAYa2',
    ]);
    const sent = standIn.requests[standIn.requests.length - 1].body as {
      filter: { query: string };
    };
    expect(sent.filter.query).toBe(
      'service:inference-service env:dev (status:error OR status:critical OR status:emergency OR status:alert) "storage \\"x\\""',
    );
  });

  it('tells the whole story of one request, oldest first', async () => {
    const res = await get('logs', { requestId: 'req-42', level: 'error' });
    expect((res.body as LogsResponse).rows.map(r => r.message)).toEqual([
      'request received',
      'blob upload failed: storage unavailable',
    ]);
  });

  it('summarises spans by resource: hits, errors, p95', async () => {
    const res = await get('traces', { range: '1h' });
    expect(res.status).toBe(200);
    const body = res.body as TracesResponse;
    expect(body.rows.map(r => [r.resource, r.hits, r.errors, r.p95])).toEqual([
      ['GET /healthz', 3000, 0, 0.001],
      ['POST /v1/predict', 1200, 12, 0.25],
    ]);
    expect(new URL(body.rows[1].link).searchParams.get('query')).toBe(
      'service:inference-service env:dev resource_name:"POST /v1/predict"',
    );
  });

  it('lists the monitors of the service for the environment with their states', async () => {
    const res = await get('monitors', {});
    expect(res.status).toBe(200);
    const body = res.body as MonitorsResponse;
    expect(body.rows.map(r => [r.id, r.state])).toEqual([
      [101, 'Alert'],
      [102, 'OK'],
    ]);
    expect(body.rows[0].link).toBe('https://app.datadoghq.eu/monitors/101');
    expect(
      standIn.requests[standIn.requests.length - 1].query.get('monitor_tags'),
    ).toBe('service:inference-service');
  });

  it("answers a Datadog 429 at once: 429 with Retry-After from X-RateLimit-Reset, Backstage's error body and retryAfterSeconds, after ONE upstream call", async () => {
    const before = standIn.requests.length;
    standIn.rateLimitNext(1, 37);
    const res = await get('monitors', {});
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('37');
    expect(res.body).toEqual({
      error: {
        name: 'TooManyRequestsError',
        message:
          'Datadog monitors (datadoghq.eu) is rate limiting; retry in 37 s',
      },
      request: {
        method: 'GET',
        url: expect.stringMatching(
          /^\/api\/devops-app\/observability\/monitors\?/,
        ),
      },
      response: { statusCode: 429 },
      retryAfterSeconds: 37,
    });
    // No retry inside the request: the backend asked Datadog once.
    expect(standIn.requests.length - before).toBe(1);
    // The next request (the browser's retry) is answered normally.
    expect((await get('monitors', {})).status).toBe(200);
  });

  it('answers a 429 on logs and traces the same way', async () => {
    for (const path of ['logs', 'traces']) {
      const before = standIn.requests.length;
      standIn.rateLimitNext(1, 5);
      const res = await get(path, {});
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body.retryAfterSeconds).toBe(5);
      expect(res.body.error.message).toMatch(
        /^Datadog (logs search|spans aggregate) \(datadoghq\.eu\) is rate limiting; retry in 5 s$/,
      );
      // traces makes two aggregate calls in parallel; each is answered once, none retried.
      expect(standIn.requests.length - before).toBe(path === 'logs' ? 1 : 2);
      standIn.rateLimitNext(0, 1);
    }
  });

  it('refuses bad input with 400 and no credentials with 401', async () => {
    let res = await get('logs', { requestId: 'bad id with spaces' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^requestId:/);
    res = await get('logs', { level: 'verbose' });
    expect(res.status).toBe(400);
    res = await get('traces', { environment: 'staging' });
    expect(res.status).toBe(400);
    res = await request(server)
      .get('/api/devops-app/observability/logs')
      .query({ entityRef: ref, environment: 'dev' })
      .set('Authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
  });
});

describe('Datadog failures and configuration', () => {
  const query = { entityRef: ref, environment: 'dev' };

  it('names Datadog and the keys on 403', async () => {
    const server = await startBackend({ ...configured(), appKey: 'wrong' });
    const res = await request(server)
      .get('/api/devops-app/observability/logs')
      .query(query)
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(503);
    expect(res.body.error.message).toMatch(
      /^Datadog logs search \(datadoghq\.eu\): refused the portal's keys \(403\); check DD_API_KEY, DD_APP_KEY.*Forbidden/,
    );
    expect(res.body.error.message).not.toContain('wrong');
  });

  it('names Datadog when it cannot be reached', async () => {
    const server = await startBackend({
      ...configured(),
      apiBaseUrl: 'http://127.0.0.1:1',
    });
    const res = await request(server)
      .get('/api/devops-app/observability/traces')
      .query(query)
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(503);
    expect(res.body.error.message).toMatch(
      /^Datadog spans aggregate \(datadoghq\.eu\): unreachable/,
    );
  });

  it('names Datadog when it does not answer in time', async () => {
    const silent = createServer(() => {});
    await new Promise<void>(r => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as AddressInfo;
    try {
      const server = await startBackend({
        ...configured(),
        apiBaseUrl: `http://127.0.0.1:${port}`,
        timeoutMs: 300,
      });
      const res = await request(server)
        .get('/api/devops-app/observability/monitors')
        .query(query)
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(503);
      expect(res.body.error.message).toBe(
        'Datadog monitors (datadoghq.eu): no answer in time',
      );
    } finally {
      silent.closeAllConnections();
      await new Promise(r => silent.close(r));
    }
  });

  it('answers "not configured" without keys', async () => {
    const server = await startBackend(undefined);
    for (const path of ['logs', 'traces', 'monitors']) {
      const res = await request(server)
        .get(`/api/devops-app/observability/${path}`)
        .query(query)
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        configured: false,
        upstream: 'datadog',
      });
    }
  });
});

describe('Logs paging and custom windows, through the production client', () => {
  // 130 lines of one request, a second apart, newest 1 minute ago: a page of 100, then 30.
  const LINES = 130;
  const base = Date.now();
  const lineAt = (i: number) =>
    new Date(base - 60_000 - i * 1000).toISOString();
  let pagingStandIn: DatadogStandIn;
  let server: Awaited<ReturnType<typeof startBackend>>;

  beforeAll(async () => {
    pagingStandIn = await startDatadogStandIn({
      logs: Array.from({ length: LINES }, (_, i) => ({
        id: `line-${String(i).padStart(3, '0')}`,
        timestamp: lineAt(i),
        status: i % 10 === 0 ? 'error' : 'info',
        message: `line ${i}`,
        service: 'inference-service',
        env: 'dev',
        attributes: { request_id: 'req-many' },
      })),
      resources: [
        {
          resource: 'POST /v1/predict',
          env: 'dev',
          hits: 10,
          errors: 1,
          p95: 5_000_000,
        },
      ],
      monitors: [],
    });
    server = await startBackend({
      ...configured(),
      apiKey: pagingStandIn.apiKey,
      appKey: pagingStandIn.appKey,
      apiBaseUrl: pagingStandIn.baseUrl,
    });
  });
  afterAll(async () => {
    await pagingStandIn?.stop();
  });

  const get = (path: string, query: Record<string, string>) =>
    request(server)
      .get(`/api/devops-app/observability/${path}`)
      .query({ entityRef: ref, environment: 'dev', ...query })
      .set('Authorization', mockCredentials.user.header());
  const lastLogsBody = () =>
    pagingStandIn.requests
      .filter(r => r.path === '/api/v2/logs/events/search')
      .slice(-1)[0].body as {
      filter: { query: string; from: string; to: string };
      sort: string;
      page: { limit: number; cursor?: string };
    };

  it('pages with Datadog cursor: two pages, newest first, no line twice, no cursor on the last', async () => {
    const first = await get('logs', { range: '1h' });
    expect(first.status).toBe(200);
    const page1 = first.body as LogsResponse;
    expect(page1.rows).toHaveLength(100);
    expect(page1.nextCursor).toEqual(expect.any(String));
    expect(lastLogsBody().page).toEqual({ limit: 100 });
    const firstFilter = lastLogsBody().filter;
    expect(page1.from).toBe(firstFilter.from);
    expect(page1.to).toBe(firstFilter.to);

    const second = await get('logs', {
      cursor: page1.nextCursor!,
      from: page1.from!,
      to: page1.to!,
    });
    expect(second.status).toBe(200);
    const page2 = second.body as LogsResponse;
    // The cursor went back as Datadog's page.cursor, with the identical filter and sort.
    expect(lastLogsBody()).toEqual({
      filter: firstFilter,
      sort: '-timestamp',
      page: { limit: 100, cursor: page1.nextCursor },
    });
    expect(page2.rows).toHaveLength(LINES - 100);
    expect(page2.nextCursor).toBeUndefined();
    const ids = [...page1.rows, ...page2.rows].map(r => r.id);
    expect(new Set(ids).size).toBe(LINES);
    expect(ids).toEqual(
      Array.from(
        { length: LINES },
        (_, i) => `line-${String(i).padStart(3, '0')}`,
      ),
    );
  });

  it("pages one request's story oldest first, and the filters stay", async () => {
    const page1 = (await get('logs', { requestId: 'req-many' }))
      .body as LogsResponse;
    expect(page1.rows[0].message).toBe(`line ${LINES - 1}`);
    const res = await get('logs', {
      requestId: 'req-many',
      cursor: page1.nextCursor!,
      from: page1.from!,
      to: page1.to!,
    });
    expect(res.status).toBe(200);
    expect(lastLogsBody().sort).toBe('timestamp');
    expect(lastLogsBody().filter.query).toBe(
      'service:inference-service env:dev @request_id:"req-many"',
    );
    expect(
      (res.body as LogsResponse).rows.map(r => r.message).slice(-1),
    ).toEqual(['line 0']);

    const errors = (await get('logs', { level: 'error' })).body as LogsResponse;
    expect(errors.rows).toHaveLength(LINES / 10);
    expect(errors.nextCursor).toBeUndefined();
  });

  it('answers a 429 on a next page at once, and the same page loads when retried', async () => {
    const page1 = (await get('logs', {})).body as LogsResponse;
    pagingStandIn.rateLimitNext(1, 2);
    const next = {
      cursor: page1.nextCursor!,
      from: page1.from!,
      to: page1.to!,
    };
    const limited = await get('logs', next);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    const res = await get('logs', next);
    expect(res.status).toBe(200);
    expect((res.body as LogsResponse).rows).toHaveLength(LINES - 100);
  });

  it('refuses a bad cursor with 400 naming the field', async () => {
    const page1 = (await get('logs', {})).body as LogsResponse;
    const window = { from: page1.from!, to: page1.to! };
    const cases: Array<[Record<string, string>, RegExp]> = [
      [
        { cursor: 'has spaces in it', ...window },
        /^cursor: must be the nextCursor of a previous page/,
      ],
      [
        { cursor: 'x'.repeat(2049), ...window },
        /^cursor: must be at most 2048 characters/,
      ],
      [
        { cursor: page1.nextCursor! },
        /^cursor: send the from and to of the page the cursor came from/,
      ],
      // Well-formed but not issued by Datadog, or issued for another search: Datadog answers 400.
      [
        { cursor: 'eyJzdGFydEF0IjoiQVFBQUFYS2tMS3pPbm40NGV3In0=', ...window },
        /^cursor: Datadog did not accept it/,
      ],
      [
        {
          cursor: page1.nextCursor!,
          ...window,
          from: new Date(Date.parse(window.from) - 1000).toISOString(),
        },
        /^cursor: Datadog did not accept it .*Invalid cursor/,
      ],
      [
        { cursor: page1.nextCursor!, ...window, level: 'error' },
        /^cursor: Datadog did not accept it/,
      ],
    ];
    for (const [query, message] of cases) {
      const res = await get('logs', query);
      expect({
        query,
        status: res.status,
        message: res.body.error?.message,
      }).toEqual({
        query,
        status: 400,
        message: expect.stringMatching(message),
      });
    }
  });

  it('searches a custom window given as epoch milliseconds or ISO 8601', async () => {
    // Lines 10 to 19 only.
    const from = String(Date.parse(lineAt(19)));
    const to = lineAt(10);
    const res = await get('logs', { from, to });
    expect(res.status).toBe(200);
    const body = res.body as LogsResponse;
    expect(body.rows.map(r => r.message)).toEqual(
      Array.from({ length: 10 }, (_, i) => `line ${10 + i}`),
    );
    expect(lastLogsBody().filter).toMatchObject({ from: lineAt(19), to });
    expect(body).toMatchObject({ from: lineAt(19), to });
    expect(new URL(body.link).searchParams.get('from_ts')).toBe(from);

    const traces = await get('traces', { from, to });
    expect(traces.status).toBe(200);
    const aggregate = pagingStandIn.requests.slice(-1)[0].body as {
      data: { attributes: { filter: { from: string; to: string } } };
    };
    expect(aggregate.data.attributes.filter).toMatchObject({
      from,
      to: String(Date.parse(to)),
    });
    expect(
      new URL((traces.body as TracesResponse).link).searchParams.get('start'),
    ).toBe(from);

    expect((await get('monitors', { from, to })).status).toBe(200);
  });

  it('refuses a bad window with 400 naming the field, on every Datadog route', async () => {
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const cases: Array<[Record<string, string>, RegExp]> = [
      [
        { from: iso(now - 60_000), to: iso(now - 120_000) },
        /^to: must be after from/,
      ],
      [
        { from: iso(now - 60_000), to: iso(now - 60_000) },
        /^to: must be after from/,
      ],
      [
        { from: iso(now - 31 * 86_400_000), to: iso(now) },
        /^from: range at most 30 days \(2592000 s\)/,
      ],
      [
        { from: iso(now - 60_000), to: iso(now + 5 * 60_000) },
        /^to: .* is in the future/,
      ],
      [{ from: 'yesterday', to: iso(now) }, /^from: must be ISO 8601/],
      [
        { from: iso(now - 60_000), to: '2026-11-25 14:00' },
        /^to: must be ISO 8601/,
      ],
      [{ from: iso(now - 60_000) }, /^to: required with from/],
      [{ to: iso(now) }, /^from: required with to/],
      [
        { range: '1h', from: iso(now - 60_000), to: iso(now) },
        /^range: give a preset range or from and to, not both/,
      ],
      [{ range: '2h' }, /^range:/],
    ];
    for (const path of ['logs', 'traces', 'monitors']) {
      for (const [query, message] of cases) {
        const res = await get(path, query);
        expect({
          path,
          query,
          status: res.status,
          message: res.body.error?.message,
        }).toEqual({
          path,
          query,
          status: 400,
          message: expect.stringMatching(message),
        });
      }
    }
  });
});
