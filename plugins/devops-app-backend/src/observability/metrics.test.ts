import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { MetricsPanelResponse } from '@devops-app/plugin-devops-app-common';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { devopsAppPlugin } from '../plugin';
import { SERVICE_REF, serviceEntity } from './__testUtils__/serviceEntity';
import {
  environmentEntity,
  STANDARD_ENVIRONMENTS,
} from '../__testUtils__/environmentEntities';
import {
  countRangeQueries,
  knownSamples,
  RunningPrometheus,
  SCRAPE_SECONDS,
  startPrometheus,
} from '@devops-app/e2e';

/**
 * The Metrics routes against a real Prometheus (Debian's binary) holding known samples: each panel's
 * values must be the rates the samples were made with, and equal Prometheus's own answer to a query
 * written by hand here.
 */

const entity = serviceEntity({
  'devops-app.io/environments': 'dev,pre-prod,prod',
  'devops-app.io/prometheus-selector': 'service="inference-service"',
});
const ref = SERVICE_REF;

let prometheus: RunningPrometheus;
// Samples end ten minutes ago and cover two hours; queries use a window well inside them.
const now = Math.floor(Date.now() / 1000 / SCRAPE_SECONDS) * SCRAPE_SECONDS;
const samples = knownSamples(now - 2 * 3600, now - 600);
const queryStart = samples.start + 1800;
const queryEnd = samples.end - 900;

beforeAll(async () => {
  prometheus = await startPrometheus(samples.text);
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
});

async function startBackend(prometheusConfig: object | undefined = undefined) {
  const { server } = await startTestBackend({
    features: [
      devopsAppPlugin,
      catalogServiceMock.factory({
        entities: [entity, ...STANDARD_ENVIRONMENTS],
      }),
      mockServices.rootConfig.factory({
        data: {
          devopsApp: {
            prometheus: prometheusConfig ?? {
              baseUrl: prometheus.baseUrl,
              scrapeIntervalSeconds: 15,
            },
          },
        },
      }),
    ],
  });
  return server;
}

async function directQuery(
  query: string,
  start: number,
  end: number,
  step: number,
) {
  const params = new URLSearchParams({
    query,
    start: `${start}`,
    end: `${end}`,
    step: `${step}`,
  });
  const res = await fetch(`${prometheus.baseUrl}/api/v1/query_range?${params}`);
  const body = (await res.json()) as {
    data: {
      result: Array<{
        metric: Record<string, string>;
        values: Array<[number, string]>;
      }>;
    };
  };
  return body.data.result;
}

function values(panel: MetricsPanelResponse, name: string): number[] {
  const series = panel.series.find(s => s.name === name);
  if (!series)
    throw new Error(
      `no series ${name} in ${panel.series.map(s => s.name).join(', ')}`,
    );
  return series.points.map(([, v]) => v as number);
}

describe('metrics routes against a real Prometheus', () => {
  let server: Awaited<ReturnType<typeof startBackend>>;
  beforeAll(async () => {
    server = await startBackend();
  });

  async function panel(name: string, extra: Record<string, string> = {}) {
    const res = await request(server)
      .get('/api/devops-app/observability/metrics')
      .query({
        entityRef: ref,
        environment: 'dev',
        panel: name,
        start: queryStart,
        end: queryEnd,
        ...extra,
      })
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    return res.body as MetricsPanelResponse;
  }

  it('chooses a step for about 250 points, aligned', async () => {
    const body = await panel('request_rate');
    expect(body.step).toBe(Math.ceil((queryEnd - queryStart) / 250));
    expect(body.end % body.step).toBe(0);
    expect(body.series[0].points.length).toBeGreaterThanOrEqual(200);
    expect(body.series[0].points.length).toBeLessThanOrEqual(300);
    expect(body.unit).toBe('requests/s');
  });

  it('request rate and error ratio are the known rates and Prometheus own answer', async () => {
    const rate = await panel('request_rate');
    for (const v of values(rate, 'value')) expect(v).toBeCloseTo(8 / 15, 6);
    const direct = await directQuery(
      `sum(rate(http_request_duration_seconds_count{service="inference-service",environment="dev"}[${Math.max(
        rate.step + 15,
        60,
      )}s]))`,
      rate.start,
      rate.end,
      rate.step,
    );
    expect(values(rate, 'value')).toEqual(
      direct[0].values.map(([, v]) => Number(v)),
    );

    const errors = await panel('error_ratio');
    for (const v of values(errors, 'value')) expect(v).toBeCloseTo(0.25, 6);
    // No 5xx at all is a ratio of 0, not "no data".
    const none = await panel('error_ratio', { environment: 'pre-prod' });
    expect(values(none, 'value').length).toBeGreaterThan(200);
    for (const v of values(none, 'value')) expect(v).toBe(0);
    const noneByColour = await panel('error_ratio', {
      environment: 'pre-prod',
      split: 'colour',
    });
    expect(noneByColour.series.map(s => s.name)).toEqual(['blue', 'green']);
  });

  it('latency and inference duration quantiles', async () => {
    const latency = await panel('latency');
    expect(latency.series.map(s => s.name)).toEqual(['p50', 'p95', 'p99']);
    for (const v of values(latency, 'p50')) expect(v).toBeCloseTo(0.3, 6);
    for (const v of values(latency, 'p95')) expect(v).toBeCloseTo(0.9, 6);
    for (const v of values(latency, 'p99')) expect(v).toBeCloseTo(0.98, 6);
    const direct = await directQuery(
      `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{service="inference-service",environment="dev"}[${Math.max(
        latency.step + 15,
        60,
      )}s])))`,
      latency.start,
      latency.end,
      latency.step,
    );
    expect(values(latency, 'p95')).toEqual(
      direct[0].values.map(([, v]) => Number(v)),
    );

    const inference = await panel('inference_duration');
    for (const v of values(inference, 'p50')) expect(v).toBeCloseTo(0.125, 6);
    for (const v of values(inference, 'p95')) expect(v).toBeCloseTo(0.1925, 6);
  });

  it('predictions by outcome', async () => {
    const body = await panel('predictions_by_outcome');
    expect(body.series.map(s => s.name)).toEqual([
      'error',
      'rejected',
      'success',
    ]);
    for (const v of values(body, 'success')) expect(v).toBeCloseTo(5 / 15, 6);
    for (const v of values(body, 'error')) expect(v).toBeCloseTo(2 / 15, 6);
    for (const v of values(body, 'rejected')) expect(v).toBeCloseTo(1 / 15, 6);
  });

  it('splits by rollout colour from model_info', async () => {
    const rate = await panel('request_rate', { split: 'colour' });
    expect(rate.splitByColour).toBe(true);
    expect(rate.series.map(s => s.name)).toEqual(['blue', 'green']);
    for (const v of values(rate, 'blue')) expect(v).toBeCloseTo(4 / 15, 6);
    const outcomes = await panel('predictions_by_outcome', { split: 'colour' });
    for (const v of values(outcomes, 'success blue'))
      expect(v).toBeCloseTo(3 / 15, 6);
    for (const v of values(outcomes, 'rejected green'))
      expect(v).toBeCloseTo(1 / 15, 6);
    const latency = await panel('latency', { split: 'colour' });
    expect(latency.series.map(s => s.name)).toEqual([
      'p50 blue',
      'p50 green',
      'p95 blue',
      'p95 green',
      'p99 blue',
      'p99 green',
    ]);
    for (const v of values(latency, 'p50 green')) expect(v).toBeCloseTo(0.3, 6);
  });

  it('an environment without samples answers empty series', async () => {
    const body = await panel('request_rate', { environment: 'prod' });
    expect(body.series).toEqual([]);
  });

  it('shares identical queries in flight and caches them', async () => {
    const before = await countRangeQueries(prometheus.baseUrl);
    // A range nobody asked for yet, so the cache is cold.
    const query = {
      entityRef: ref,
      environment: 'dev',
      panel: 'error_ratio',
      start: queryStart - 60,
      end: queryEnd - 60,
    };
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        request(server)
          .get('/api/devops-app/observability/metrics')
          .query(query)
          .set('Authorization', mockCredentials.user.header()),
      ),
    );
    expect(answers.every(a => a.status === 200)).toBe(true);
    await request(server)
      .get('/api/devops-app/observability/metrics')
      .query(query)
      .set('Authorization', mockCredentials.user.header())
      .expect(200);
    // One range query for eleven viewers.
    expect((await countRangeQueries(prometheus.baseUrl)) - before).toBe(1);
  });

  it('answers every viewer of a panel with one encoded body: gzip, one ETag, 304 on revalidation', async () => {
    const get = (headers: Record<string, string> = {}) => {
      const call = request(server)
        .get('/api/devops-app/observability/metrics')
        .query({
          entityRef: ref,
          environment: 'dev',
          panel: 'latency',
          start: queryStart,
          end: queryEnd,
        })
        .set('Authorization', mockCredentials.user.header())
        .set('Accept-Encoding', 'gzip');
      for (const [name, value] of Object.entries(headers))
        call.set(name, value);
      return call;
    };
    const [first, second] = await Promise.all([get(), get()]);
    expect(first.status).toBe(200);
    expect(first.headers['content-encoding']).toBe('gzip');
    expect(first.headers.etag).toMatch(/^W\//);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.body).toEqual(first.body);
    expect(values(first.body, 'p95').length).toBeGreaterThan(0);
    const revalidated = await get({ 'If-None-Match': first.headers.etag });
    expect(revalidated.status).toBe(304);
  });
});

describe("an environment's own Prometheus (devops-app.io/prometheus-url) and the global querier", () => {
  // load-test's samples live only in its own Prometheus: read from the global one, they would be empty.
  let own: RunningPrometheus;
  let server: Awaited<ReturnType<typeof startBackend>>;
  beforeAll(async () => {
    own = await startPrometheus(
      knownSamples(samples.start, samples.end, [
        { name: 'load-test', withErrors: false },
      ]).text,
    );
    const { server: started } = await startTestBackend({
      features: [
        devopsAppPlugin,
        catalogServiceMock.factory({
          entities: [
            // No devops-app.io/environments filter: every environment related to the service.
            serviceEntity({
              'devops-app.io/prometheus-selector':
                'service="inference-service"',
            }),
            ...STANDARD_ENVIRONMENTS,
            environmentEntity('load-test', {
              annotations: { 'devops-app.io/prometheus-url': own.baseUrl },
            }),
            environmentEntity('broken', {
              annotations: {
                'devops-app.io/prometheus-url': 'file:///etc/passwd',
              },
            }),
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            devopsApp: {
              prometheus: {
                baseUrl: prometheus.baseUrl,
                scrapeIntervalSeconds: 15,
              },
            },
          },
        }),
      ],
    });
    server = started;
  }, 60_000);
  afterAll(async () => {
    await own?.stop();
  });

  const get = (environment: string, panel = 'request_rate') =>
    request(server)
      .get('/api/devops-app/observability/metrics')
      .query({
        entityRef: ref,
        environment,
        panel,
        start: queryStart,
        end: queryEnd,
      })
      .set('Authorization', mockCredentials.user.header());

  it("reads an environment that names its Prometheus there: the values are that Prometheus's own answer", async () => {
    const res = await get('load-test');
    expect(res.status).toBe(200);
    const body = res.body as MetricsPanelResponse;
    const direct = await fetch(
      `${own.baseUrl}/api/v1/query_range?${new URLSearchParams({
        query: `sum(rate(http_request_duration_seconds_count{service="inference-service",environment="load-test"}[${Math.max(
          body.step + 15,
          60,
        )}s]))`,
        start: `${body.start}`,
        end: `${body.end}`,
        step: `${body.step}`,
      })}`,
    ).then(
      r =>
        r.json() as Promise<{
          data: { result: Array<{ values: Array<[number, string]> }> };
        }>,
    );
    expect(values(body, 'value').length).toBeGreaterThan(200);
    expect(values(body, 'value')).toEqual(
      direct.data.result[0].values.map(([, v]) => Number(v)),
    );
    // The known traffic without its 5xx: 6 requests every 15 s.
    for (const v of values(body, 'value')) expect(v).toBeCloseTo(6 / 15, 6);
    const errors = (await get('load-test', 'error_ratio'))
      .body as MetricsPanelResponse;
    for (const v of values(errors, 'value')) expect(v).toBe(0);
  });

  it('reads the others through the global querier, selected by the environment label', async () => {
    const dev = (await get('dev', 'error_ratio')).body as MetricsPanelResponse;
    for (const v of values(dev, 'value')) expect(v).toBeCloseTo(0.25, 6);
    // The global querier has no load-test series: the environment's own Prometheus is what answered above.
    const global = await directQuery(
      'sum(rate(http_request_duration_seconds_count{environment="load-test"}[60s]))',
      queryStart,
      queryEnd,
      60,
    );
    expect(global).toEqual([]);
  });

  it('refuses an environment whose prometheus-url is not http(s), naming the annotation, and reads the others', async () => {
    const res = await get('broken');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'environment: environment "broken" (resource:default/broken) cannot be used: devops-app.io/prometheus-url: "file:///etc/passwd" is not an http or https URL without credentials',
    );
    expect((await get('dev')).status).toBe(200);
  });
});

describe('metrics route validation', () => {
  let server: Awaited<ReturnType<typeof startBackend>>;
  beforeAll(async () => {
    server = await startBackend();
  });
  const get = (query: Record<string, string | number>) =>
    request(server)
      .get('/api/devops-app/observability/metrics')
      .query(query)
      .set('Authorization', mockCredentials.user.header());
  const valid = {
    entityRef: ref,
    environment: 'dev',
    panel: 'request_rate',
    range: '1h',
  };

  it('refuses raw PromQL', async () => {
    const res = await get({ ...valid, query: 'up' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/raw PromQL is not accepted/);
  });

  it('refuses an unknown panel, environment, range or field', async () => {
    let res = await get({ ...valid, panel: 'cpu' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^panel:/);
    res = await get({ ...valid, environment: 'staging' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /environment: .*no environment "staging"/,
    );
    res = await get({ ...valid, range: '90d' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^range:/);
    res = await get({
      entityRef: ref,
      environment: 'dev',
      panel: 'request_rate',
      start: 0,
      end: 31 * 86400,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/at most 30 days/);
    res = await get({ ...valid, colour: 'blue' });
    expect(res.status).toBe(400);
  });

  it('answers 404 for an entity the caller cannot read', async () => {
    const res = await get({ ...valid, entityRef: 'component:default/other' });
    expect(res.status).toBe(404);
  });

  it('answers 401 without credentials', async () => {
    const res = await request(server)
      .get('/api/devops-app/observability/metrics')
      .query(valid)
      .set('Authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
  });

  it('names Prometheus when it is down', async () => {
    const down = await startBackend({
      baseUrl: 'http://127.0.0.1:1',
      timeoutMs: 2000,
    });
    const res = await request(down)
      .get('/api/devops-app/observability/metrics')
      .query(valid)
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(503);
    expect(res.body.error.message).toMatch(
      /^Prometheus \(devopsApp\.prometheus\.baseUrl\) is unreachable \((ECONNREFUSED|connection failed)\)$/,
    );
    expect(JSON.stringify(res.body)).not.toContain('127.0.0.1');
  });

  it('names Prometheus when it does not answer in time', async () => {
    // Accepts connections and never answers.
    const silent = createServer(() => {});
    await new Promise<void>(r => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as AddressInfo;
    try {
      const slow = await startBackend({
        baseUrl: `http://127.0.0.1:${port}`,
        timeoutMs: 300,
      });
      const res = await request(slow)
        .get('/api/devops-app/observability/metrics')
        .query(valid)
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(503);
      expect(res.body.error.message).toBe(
        'Prometheus (devopsApp.prometheus.baseUrl) is not answering (no answer within 300 ms)',
      );
    } finally {
      silent.closeAllConnections();
      await new Promise(r => silent.close(r));
    }
  });

  it('says when Prometheus is not configured', async () => {
    const { server: bare } = await startTestBackend({
      features: [
        devopsAppPlugin,
        catalogServiceMock.factory({
          entities: [entity, ...STANDARD_ENVIRONMENTS],
        }),
      ],
    });
    const res = await request(bare)
      .get('/api/devops-app/observability/metrics')
      .query(valid)
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      configured: false,
      upstream: 'prometheus',
    });
  });
});
