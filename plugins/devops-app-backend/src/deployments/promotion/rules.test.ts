import { formatDuration } from '@devops-app/plugin-devops-app-common';
import {
  metricChecks,
  orderStages,
  promotionDecision,
  SourceStage,
} from './rules';

const thresholds = {
  maxErrorRatio: 0.01,
  maxP95Seconds: 0.5,
  minRequests: 50,
  minWindowSeconds: 300,
};
const nowMs = Date.parse('2026-12-02T03:00:00Z');
const verified = {
  verified: true,
  windowSeconds: 300,
  checks: metricChecks(
    { requests: 240, errors: 1, p95Seconds: 0.3 },
    thresholds,
  ),
};
const dev = (over: Partial<SourceStage> = {}): SourceStage => ({
  environment: 'dev',
  gitVersion: '0.2.0',
  since: new Date(nowMs - 40_000).toISOString(),
  verification: verified,
  ...over,
});
const decide = (
  source: SourceStage,
  soakSeconds = 120,
  targetVersion = '0.1.0',
) =>
  promotionDecision({
    source,
    target: { environment: 'pre-prod', gitVersion: targetVersion },
    soakSeconds,
    nowMs,
  });

describe('orderStages', () => {
  it('orders by promotion order and leaves out environments outside the line', () => {
    const stages = orderStages([
      { name: 'prod', promotionOrder: 3 },
      { name: 'sandbox', promotionOrder: undefined },
      { name: 'dev', promotionOrder: 1 },
      { name: 'pre-prod', promotionOrder: 2 },
      { name: 'a-dev', promotionOrder: 1 },
    ]);
    expect(stages.map(s => s.name)).toEqual([
      'a-dev',
      'dev',
      'pre-prod',
      'prod',
    ]);
  });
});

describe('metricChecks', () => {
  it('passes a healthy measurement with the numbers', () => {
    expect(verified.checks.map(c => [c.passed, c.message])).toEqual([
      [true, 'requests 240 ≥ 50 minimum'],
      [true, 'error ratio 0.42 % ≤ 1 %'],
      [true, 'p95 latency 0.3 s ≤ 0.5 s'],
    ]);
  });

  it('fails too few requests, a high error ratio and a slow p95 each by name', () => {
    const checks = metricChecks(
      { requests: 12, errors: 3, p95Seconds: 0.75 },
      thresholds,
    );
    expect(checks.filter(c => !c.passed).map(c => c.message)).toEqual([
      'requests 12 < 50 minimum',
      'error ratio 25 % > 1 %',
      'p95 latency 0.75 s > 0.5 s',
    ]);
  });

  it('treats no traffic as not healthy, never as a ratio of 0', () => {
    const checks = metricChecks({}, thresholds);
    expect(checks.every(c => !c.passed)).toBe(true);
    expect(checks.map(c => c.message)).toEqual([
      'requests 0 < 50 minimum',
      'error ratio unknown: no requests',
      'p95 latency unknown: no requests',
    ]);
  });
});

describe('promotionDecision', () => {
  it('refuses before the soak time, saying how long the version has run', () => {
    expect(decide(dev())).toMatchObject({
      version: '0.2.0',
      from: 'dev',
      allowed: false,
      ranSeconds: 40,
      reason: '0.2.0 has run in dev for 40 s of 2 min soak',
    });
  });

  it('allows a verified version once it has run for the soak time', () => {
    expect(decide(dev(), 40)).toMatchObject({ allowed: true, ranSeconds: 40 });
    expect(decide(dev(), 41)?.allowed).toBe(false);
  });

  it('refuses a version that failed verification, naming the check and its number', () => {
    const failing = {
      verified: false,
      windowSeconds: 300,
      checks: metricChecks(
        { requests: 12, errors: 0, p95Seconds: 0.2 },
        thresholds,
      ),
    };
    expect(decide(dev({ verification: failing }), 10)?.reason).toBe(
      '0.2.0 in dev failed verification: requests 12 < 50 minimum',
    );
  });

  it('names a failed check before the soak time, which only waiting would satisfy', () => {
    const failing = {
      verified: false,
      windowSeconds: 300,
      checks: metricChecks({}, thresholds),
    };
    expect(decide(dev({ verification: failing }), 120)?.reason).toMatch(
      /^0\.2\.0 in dev failed verification: requests 0 < 50 minimum;/,
    );
  });

  it('refuses when the version could not be verified at all', () => {
    const reason = decide(
      dev({
        verification: {
          verified: false,
          checks: [],
          windowSeconds: 300,
          error: 'Prometheus is down',
        },
      }),
      10,
    )?.reason;
    expect(reason).toBe('0.2.0 in dev is not verified: Prometheus is down');
  });

  it('refuses a version the previous stage does not run, in git or live', () => {
    expect(
      promotionDecision({
        source: dev(),
        target: { environment: 'pre-prod' },
        version: '0.3.0',
        soakSeconds: 0,
        nowMs,
      })?.reason,
    ).toBe('0.3.0 is not what dev runs (0.2.0)');
    expect(decide(dev({ liveVersion: '0.1.0' }), 0)?.reason).toBe(
      'dev still runs 0.1.0 in the cluster (Argo CD)',
    );
    expect(decide(dev({ since: undefined }), 0)?.reason).toMatch(
      /no deploy of 0.2.0 to dev is recorded/,
    );
  });

  it('offers nothing the target already runs, and nothing when the source runs no version', () => {
    expect(decide(dev(), 0, '0.2.0')?.reason).toBe(
      'pre-prod already runs 0.2.0',
    );
    expect(decide(dev({ gitVersion: undefined }))).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it('says seconds, minutes and hours', () => {
    expect([5, 60, 150, 3600, 3900].map(formatDuration)).toEqual([
      '5 s',
      '1 min',
      '2 min 30 s',
      '1 h',
      '1 h 5 min',
    ]);
  });
});
