import {
  knownSamples,
  RunningPrometheus,
  SCRAPE_SECONDS,
  startPrometheus,
} from '@devops-app/e2e';
import { PrometheusClient } from '../../observability/prometheus/PrometheusClient';
import { AnalysisRunResult } from '../ArgoCdService';
import { VerificationService, versionQueries } from './VerificationService';

/**
 * The PromQL of a version against a real Prometheus (Debian's binary) holding known samples made with
 * promtool: dev's pods export model_info{version="0.2.0"} and serve 3 requests per pod and scrape, all
 * 200 (one under 0.1 s, two between 0.1 and 0.5 s); pre-prod's export 0.3.0 and add one 500 (between
 * 0.5 and 1 s). Two pods, one scrape every 15 s.
 */

const now = Math.floor(Date.now() / 1000 / SCRAPE_SECONDS) * SCRAPE_SECONDS;
const samples = knownSamples(now - 3 * 3600, now - 600, [
  { name: 'dev', withErrors: false, version: '0.2.0' },
  { name: 'pre-prod', withErrors: true, version: '0.3.0' },
]);
// Well inside the samples, so a 600 s window is wholly covered.
const at = samples.end - 1800;
const entity = {
  metadata: {
    name: 'inference-service',
    annotations: {
      'devops-app.io/prometheus-selector': 'service="inference-service"',
    },
  },
};
const thresholds = {
  maxErrorRatio: 0.01,
  maxP95Seconds: 0.5,
  minRequests: 50,
  minWindowSeconds: 600,
};

let prometheus: RunningPrometheus;
let client: PrometheusClient;

beforeAll(async () => {
  prometheus = await startPrometheus(samples.text);
  client = new PrometheusClient({
    baseUrl: prometheus.baseUrl,
    timeoutMs: 20_000,
  });
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
});

function service(options: Partial<typeof thresholds> = {}) {
  return new VerificationService({
    thresholds: { ...thresholds, ...options },
    client,
    now: () => at * 1000,
  });
}

const queriesOf = (environment: string, version: string) =>
  versionQueries({
    matchers: ['service="inference-service"'],
    environment,
    version,
    windowSeconds: 600,
  });

describe('versionQueries on Prometheus with known samples', () => {
  it('counts the requests, 5xx and p95 of the pods that export the version', async () => {
    const dev = await service().measure({
      client,
      queries: queriesOf('dev', '0.2.0'),
      atSeconds: at,
    });
    // 2 pods × 3 requests per 15 s over 600 s.
    expect(dev.requests).toBeCloseTo(240, 0);
    // No 5xx series at all: no value, which the rule reads as 0 errors.
    expect(dev.errors).toBeUndefined();
    // Rank 0.95 × 3 in the (0.1, 0.5] bucket holding 2 of 3: 0.1 + 0.4 × 1.85 / 2.
    expect(dev.p95Seconds).toBeCloseTo(0.47, 3);

    const preProd = await service().measure({
      client,
      queries: queriesOf('pre-prod', '0.3.0'),
      atSeconds: at,
    });
    expect(preProd.requests).toBeCloseTo(320, 0);
    expect(preProd.errors).toBeCloseTo(80, 0);
    // Rank 0.95 × 4 in the (0.5, 1] bucket holding 1 of 4: 0.5 + 0.5 × 0.8.
    expect(preProd.p95Seconds).toBeCloseTo(0.9, 3);
  });

  it('finds nothing of a version no pod of the environment exports', async () => {
    const other = await service().measure({
      client,
      queries: queriesOf('dev', '0.3.0'),
      atSeconds: at,
    });
    expect(other).toEqual({
      requests: undefined,
      errors: undefined,
      p95Seconds: undefined,
    });
  });
});

describe('VerificationService.verify', () => {
  const env = (name: string) => ({ name });

  it('verifies healthy samples and says each check with its numbers', async () => {
    const result = await service().verify({
      entity,
      environment: env('dev'),
      version: '0.2.0',
      soakSeconds: 5,
    });
    expect(result.windowSeconds).toBe(600);
    expect(result.verified).toBe(true);
    expect(result.checks.map(c => c.message)).toEqual([
      'requests 240 ≥ 50 minimum',
      'error ratio 0 % ≤ 1 %',
      'p95 latency 0.47 s ≤ 0.5 s',
    ]);
  });

  it('fails the error ratio and p95 of unhealthy samples, naming the numbers', async () => {
    const result = await service().verify({
      entity,
      environment: env('pre-prod'),
      version: '0.3.0',
      soakSeconds: 5,
    });
    expect(result.verified).toBe(false);
    expect(result.checks.filter(c => !c.passed).map(c => c.message)).toEqual([
      'error ratio 25 % > 1 %',
      'p95 latency 0.9 s > 0.5 s',
    ]);
  });

  it('fails a version without traffic on the minimum number of requests', async () => {
    const result = await service().verify({
      entity,
      environment: env('dev'),
      version: '0.4.0',
      soakSeconds: 5,
    });
    expect(result.verified).toBe(false);
    expect(result.checks[0].message).toBe('requests 0 < 50 minimum');
  });

  it('reads over the soak time when it is longer than the minimum window', async () => {
    const result = await service().verify({
      entity,
      environment: env('dev'),
      version: '0.2.0',
      soakSeconds: 1200,
    });
    expect(result.windowSeconds).toBe(1200);
    expect(result.checks[0].message).toBe('requests 480 ≥ 50 minimum');
  });

  it('says why it could not verify when Prometheus does not answer', async () => {
    const result = await new VerificationService({
      thresholds,
      client: new PrometheusClient({
        baseUrl: 'http://127.0.0.1:1',
        timeoutMs: 5_000,
      }),
    }).verify({
      entity,
      environment: env('dev'),
      version: '0.2.0',
      soakSeconds: 5,
    });
    expect(result).toMatchObject({ verified: false, checks: [] });
    expect(result.error).toMatch(/Prometheus .* is unreachable/);
  });
});

describe('VerificationService.verify with the Rollout pre-promotion AnalysisRun', () => {
  const env = { name: 'dev', argocdInstance: 'main' };
  const withRun = (analysisRun: () => Promise<AnalysisRunResult | undefined>) =>
    new VerificationService({
      thresholds,
      client,
      now: () => at * 1000,
      analysis: { analysisRun },
    });

  it('passes with a Successful run and healthy samples, the run named first', async () => {
    const result = await withRun(async () => ({
      name: 'inference-7c9d8f6b5-8-pre',
      phase: 'Successful',
      metrics: [{ name: 'error-ratio', phase: 'Successful', value: '[0]' }],
    })).verify({ entity, environment: env, version: '0.2.0', soakSeconds: 5 });
    expect(result.verified).toBe(true);
    expect(result.checks.map(c => c.message)).toEqual([
      'pre-promotion AnalysisRun inference-7c9d8f6b5-8-pre Successful',
      'requests 240 ≥ 50 minimum',
      'error ratio 0 % ≤ 1 %',
      'p95 latency 0.47 s ≤ 0.5 s',
    ]);
  });

  it('fails a Failed run even when Prometheus is healthy, naming the failed metric and its value', async () => {
    const result = await withRun(async () => ({
      name: 'inference-7c9d8f6b5-8-pre',
      phase: 'Failed',
      metrics: [
        { name: 'success-rate', phase: 'Successful', value: '[0.99]' },
        { name: 'error-ratio', phase: 'Failed', value: '[0.07]' },
      ],
    })).verify({ entity, environment: env, version: '0.2.0', soakSeconds: 5 });
    expect(result.verified).toBe(false);
    expect(result.checks.filter(c => !c.passed)).toEqual([
      {
        name: 'analysis-run',
        passed: false,
        message:
          'pre-promotion AnalysisRun inference-7c9d8f6b5-8-pre Failed: metric error-ratio Failed (value [0.07])',
      },
    ]);
  });

  it('is not verified while the run is still Running, nor when Argo CD does not answer', async () => {
    const running = await withRun(async () => ({
      name: 'r',
      phase: 'Running',
      metrics: [{ name: 'error-ratio', phase: 'Running' }],
    })).verify({ entity, environment: env, version: '0.2.0', soakSeconds: 5 });
    expect(running.verified).toBe(false);
    expect(running.checks[0].message).toBe(
      'pre-promotion AnalysisRun r Running',
    );
    const down = await withRun(async () => {
      throw new Error('Argo CD instance main is unreachable');
    }).verify({ entity, environment: env, version: '0.2.0', soakSeconds: 5 });
    expect(down.verified).toBe(false);
    expect(down.checks[0].message).toBe(
      'pre-promotion AnalysisRun unknown: Argo CD instance main is unreachable',
    );
  });

  it('is Prometheus only where Argo CD shows no run, and for a window in the past', async () => {
    const none = await withRun(async () => undefined).verify({
      entity,
      environment: env,
      version: '0.2.0',
      soakSeconds: 5,
    });
    expect(none.verified).toBe(true);
    expect(none.checks.map(c => c.name)).toEqual([
      'requests',
      'error-ratio',
      'p95-latency',
    ]);
    const reader = jest.fn(async () => undefined);
    const past = await withRun(reader).verify({
      entity,
      environment: env,
      version: '0.2.0',
      soakSeconds: 5,
      endMs: (at - 600) * 1000,
    });
    expect(reader).not.toHaveBeenCalled();
    expect(past.checks[0].message).toBe('requests 240 ≥ 50 minimum');
  });
});
