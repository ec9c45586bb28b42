import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { LogsResponse, MonitorsResponse, TracesResponse } from '@devops-app/plugin-devops-app-common';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { devopsAppPlugin } from '../plugin';
import { SERVICE_REF, serviceEntity } from './testing/serviceEntity';
import { DatadogStandIn, startDatadogStandIn } from './testing/datadogStandIn';

/**
 * The Logs & Traces routes run the production client (@datadog/datadog-api-client) against a stand-in
 * for Datadog's API on 127.0.0.1 that answers with the documented shapes, 429s and 403s.
 */

const entity = serviceEntity({
  'devops-app.io/environments': 'dev,prod',
  'datadoghq.com/service-name': 'inference-service',
});
const ref = SERVICE_REF;
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

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
        attributes: { request_id: 'req-42', dd: { trace_id: '1234567890123456789', span_id: '42' } },
      },
      {
        id: 'AQAAAYa2',
        timestamp: minutesAgo(4),
        status: 'error',
        message: 'blob upload failed: storage unavailable',
        service: 'inference-service',
        env: 'dev',
        attributes: { request_id: 'req-42', dd: { trace_id: '1234567890123456789', span_id: '43' } },
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
      { resource: 'POST /v1/predict', env: 'dev', hits: 1200, errors: 12, p95: 250_000_000 },
      { resource: 'GET /healthz', env: 'dev', hits: 3000, errors: 0, p95: 1_000_000 },
      { resource: 'POST /v1/predict', env: 'prod', hits: 99, errors: 0, p95: 1 },
    ],
    monitors: [
      { id: 101, name: 'Error rate high', overall_state: 'Alert', tags: ['service:inference-service'] },
      { id: 102, name: 'p95 latency (dev)', overall_state: 'OK', tags: ['service:inference-service', 'env:dev'] },
      { id: 103, name: 'p95 latency (prod)', overall_state: 'Warn', tags: ['service:inference-service', 'env:prod'] },
      { id: 104, name: 'Other service', overall_state: 'No Data', tags: ['service:other'] },
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
      catalogServiceMock.factory({ entities: [entity] }),
      mockServices.rootConfig.factory({ data: datadog ? { devopsApp: { datadog } } : {} }),
    ],
  });
  return server;
}

const configured = () => ({
  site: 'datadoghq.eu',
  apiKey: standIn.apiKey,
  appKey: standIn.appKey,
  apiBaseUrl: standIn.baseUrl,
  maxRetries: 2,
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
    expect(new URL(body.link).searchParams.get('query')).toBe('service:inference-service env:dev');
    expect(body.rows[0].traceLink).toBeUndefined();
    // The keys went in headers only, never into an answer.
    expect(JSON.stringify(body)).not.toContain(standIn.apiKey);
  });

  it('filters by level and text', async () => {
    const res = await get('logs', { level: 'error', text: 'storage "x"' });
    expect(res.status).toBe(200);
    expect((res.body as LogsResponse).rows.map(r => r.id)).toEqual(['AQAAAYa2']);
    const sent = standIn.requests[standIn.requests.length - 1].body as { filter: { query: string } };
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
    expect(standIn.requests[standIn.requests.length - 1].query.get('monitor_tags')).toBe(
      'service:inference-service',
    );
  });

  it('retries a 429 as the rate-limit headers say, within the bound', async () => {
    standIn.rateLimitNext(2, 1);
    const res = await get('monitors', {});
    expect(res.status).toBe(200);
    expect((res.body as MonitorsResponse).rows).toHaveLength(2);
  });

  it('names the rate limit when retries run out', async () => {
    standIn.rateLimitNext(3, 1);
    const res = await get('monitors', {});
    expect(res.status).toBe(503);
    expect(res.body.error.message).toMatch(/^Datadog monitors \(datadoghq\.eu\): rate limited \(429\)/);
    standIn.rateLimitNext(0, 1);
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
    const server = await startBackend({ ...configured(), apiBaseUrl: 'http://127.0.0.1:1' });
    const res = await request(server)
      .get('/api/devops-app/observability/traces')
      .query(query)
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(503);
    expect(res.body.error.message).toMatch(/^Datadog spans aggregate \(datadoghq\.eu\): unreachable/);
  });

  it('names Datadog when it does not answer in time', async () => {
    const silent = createServer(() => {});
    await new Promise<void>(r => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as AddressInfo;
    try {
      const server = await startBackend({ ...configured(), apiBaseUrl: `http://127.0.0.1:${port}`, timeoutMs: 300 });
      const res = await request(server)
        .get('/api/devops-app/observability/monitors')
        .query(query)
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(503);
      expect(res.body.error.message).toBe('Datadog monitors (datadoghq.eu): no answer in time');
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
      expect(res.body).toMatchObject({ configured: false, upstream: 'datadog' });
    }
  });
});
