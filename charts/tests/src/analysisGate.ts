import type { KubeObject } from './helm';
import { field } from './kube';
import { promtool } from './promtool';

/** A metric of the rendered AnalysisTemplate, as far as the gate checks read it. */
export interface AnalysisMetric {
  name: string;
  successCondition?: string;
  failureCondition?: string;
  initialDelay?: string;
  interval?: string;
  count?: number;
  provider: {
    prometheus?: { query: string };
    job?: { metadata?: { labels?: Record<string, string> }; spec: unknown };
  };
}

export function analysisMetrics(objects: KubeObject[]): AnalysisMetric[] {
  const template = objects.find(o => o.kind === 'AnalysisTemplate');
  return field<AnalysisMetric[]>(template, 'spec.metrics') ?? [];
}

const PREVIEW_HASH = '5d8f7c9b4';
const ACTIVE_HASH = '7b6c5d4e3';

type Labels = Record<string, string>;
interface InputSeries {
  series: string;
  values: string;
}

const selector = (labels: Labels) =>
  `{${Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .join(',')}}`;

/**
 * http_request_duration_seconds as the service exports it, labelled as the ServiceMonitor does:
 * `perMinute` requests a minute (0 keeps the series flat), each answered in under `bucketSeconds`.
 */
export function requestSeries(
  labels: Labels,
  perMinute: number,
  bucketSeconds?: number,
): InputSeries[] {
  const all = {
    method: 'POST',
    route: '/v1/predictions',
    status: '200',
    ...labels,
  };
  const series = [
    {
      series: `http_request_duration_seconds_count${selector(all)}`,
      values: `0+${perMinute}x60`,
    },
  ];
  if (bucketSeconds !== undefined) {
    for (const le of ['0.1', '0.5', '1', '2.5', '+Inf']) {
      const filled = le === '+Inf' || Number(le) >= bucketSeconds;
      series.push({
        series: `http_request_duration_seconds_bucket${selector({
          ...all,
          le,
        })}`,
        values: `0+${filled ? perMinute : 0}x60`,
      });
    }
  }
  return series;
}

/** A scraped pod (`up` is 1) of the revision with this hash. */
const scraped = (labels: Labels, hash: string, pod: string): InputSeries => ({
  series: `up${selector({ ...labels, rollouts_pod_template_hash: hash, pod })}`,
  values: '1x60',
});

type Verdict = 'passes' | 'does not pass';

/** A state of the cluster's series and what the gate must make of each Prometheus metric. */
export interface GateScenario {
  name: string;
  series: InputSeries[];
  verdicts: Record<string, Verdict>;
}

const PROMETHEUS_METRICS = [
  'preview-pods-scraped',
  'error-ratio',
  'latency-p95',
] as const;
const all = (verdict: Verdict) =>
  Object.fromEntries(PROMETHEUS_METRICS.map(metric => [metric, verdict]));

/**
 * The scenarios the pre-promotion gate must judge right, for an environment. The smoke traffic sends
 * 5 requests a second (300 a minute) to the preview; `minRequests` is 50 over the 2-minute window.
 */
export function gateScenarios(environment: string): GateScenario[] {
  const env = { service: 'inference-service', environment };
  const preview = { ...env, rollouts_pod_template_hash: PREVIEW_HASH };
  const active = { ...env, rollouts_pod_template_hash: ACTIVE_HASH };
  const previewScraped = [
    scraped(env, PREVIEW_HASH, 'a'),
    scraped(env, PREVIEW_HASH, 'b'),
  ];
  const healthyActive = requestSeries(active, 600, 0.1);
  return [
    {
      name: 'a healthy preview passes',
      series: [
        ...previewScraped,
        ...healthyActive,
        ...requestSeries(preview, 300, 0.1),
      ],
      verdicts: all('passes'),
    },
    {
      name: 'a preview answering 5xx fails the error ratio',
      series: [
        ...previewScraped,
        ...healthyActive,
        ...requestSeries(preview, 240, 0.1),
        ...requestSeries({ ...preview, status: '500' }, 60, 0.1),
      ],
      verdicts: {
        ...all('passes'),
        'error-ratio': 'does not pass',
      },
    },
    {
      name: 'a slow preview fails the p95 latency',
      series: [
        ...previewScraped,
        ...healthyActive,
        ...requestSeries(preview, 300, 2.5),
      ],
      verdicts: { ...all('passes'), 'latency-p95': 'does not pass' },
    },
    {
      // Only kubelet probes and scrapes reach the preview; the active revision serves live traffic.
      name: 'a preview with zero requests does not pass',
      series: [
        ...previewScraped,
        ...healthyActive,
        ...requestSeries({ ...preview, method: 'GET', route: '/healthz' }, 12),
        ...requestSeries({ ...preview, method: 'GET', route: '/metrics' }, 2),
      ],
      verdicts: all('does not pass'),
    },
    {
      // The counters exist but stand still: the smoke traffic stopped, or never reached the pods.
      name: 'a preview whose traffic stopped does not pass',
      series: [
        ...previewScraped,
        ...healthyActive,
        ...requestSeries(preview, 0, 0.1),
      ],
      verdicts: all('does not pass'),
    },
    {
      // 10 requests a minute: 20 over the window, under the minimum of 50.
      name: 'a preview with too few requests to judge does not pass',
      series: [
        ...previewScraped,
        ...healthyActive,
        ...requestSeries(preview, 10, 0.1),
      ],
      verdicts: all('does not pass'),
    },
    {
      name: "the active pods' errors and latency do not leak into the preview's result",
      series: [
        ...previewScraped,
        ...requestSeries({ ...active, status: '500' }, 600, 2.5),
        ...requestSeries(preview, 300, 0.1),
      ],
      verdicts: all('passes'),
    },
    {
      name: "another environment's preview traffic does not count for this one",
      series: [
        ...previewScraped,
        ...requestSeries(
          {
            ...preview,
            environment: `${environment}-other`,
          },
          300,
          0.1,
        ),
      ],
      verdicts: all('does not pass'),
    },
  ];
}

/**
 * The PromQL that returns exactly one sample when Argo Rollouts would call the measurement successful.
 * The metrics have a successCondition and no failureCondition, so a measurement is Successful when the
 * condition is true and Failed otherwise (utils/evaluate/evaluate.go EvaluateResult). The condition
 * `len(result) == 1 && result[0] <op> <bound>` on the query's vector holds when the query returns one
 * sample and it compares true, which is when `count((<query>) <op> <bound>) == 1` returns a sample; a NaN
 * compares false in both.
 */
function successQuery(metric: AnalysisMetric, previewHash: string): string {
  if (metric.failureCondition !== undefined) {
    throw new Error(
      `${metric.name}: has a failureCondition; the gate check reads successCondition only`,
    );
  }
  const match =
    /^len\(result\) == 1 && result\[0\] (<=|>=) ([0-9]+(?:\.[0-9]+)?)$/.exec(
      metric.successCondition ?? '',
    );
  if (!match) {
    throw new Error(
      `${metric.name}: successCondition "${metric.successCondition}" is not of the form len(result) == 1 && result[0] <op> <number>`,
    );
  }
  const query = metric.provider
    .prometheus!.query.replaceAll('{{args.preview-hash}}', previewHash)
    .trim();
  return `count((${query}) ${match[1]} ${match[2]}) == 1`;
}

/**
 * Evaluates the rendered AnalysisTemplate's Prometheus queries with the real promtool on each scenario
 * and returns every verdict the gate gets wrong (a metric missing from the template included); [] is a
 * pass. One promtool run judges every scenario: each check's expression carries a `check` label naming
 * its scenario and metric, which promtool prints with a failed expression.
 */
export function checkAnalysisGate(
  objects: KubeObject[],
  environment: string,
): string[] {
  const metrics = analysisMetrics(objects);
  const problems: string[] = [];
  const checks = new Map<string, string>();
  const tests = gateScenarios(environment).map((scenario, s) => ({
    interval: '1m',
    input_series: scenario.series,
    promql_expr_test: Object.entries(scenario.verdicts).flatMap(
      ([name, verdict]) => {
        const metric = metrics.find(m => m.name === name);
        if (!metric?.provider.prometheus) {
          problems.push(`AnalysisTemplate: no Prometheus metric ${name}`);
          return [];
        }
        let expr: string;
        try {
          expr = successQuery(metric, PREVIEW_HASH);
        } catch (error) {
          problems.push(`AnalysisTemplate: ${(error as Error).message}`);
          return [];
        }
        const check = `s${s}-${name}`;
        checks.set(
          check,
          `AnalysisTemplate: ${scenario.name}: metric ${name} ${
            verdict === 'passes' ? 'does not pass' : 'passes'
          }`,
        );
        return [
          {
            expr: `label_replace(${expr}, "check", "${check}", "", "")`,
            eval_time: '10m',
            exp_samples:
              verdict === 'passes'
                ? [{ labels: `{check="${check}"}`, value: 1 }]
                : [],
          },
        ];
      },
    ),
  }));
  const result = promtool(['test', 'rules', 'tests.yaml'], {
    'rules.yaml': { groups: [] },
    'tests.yaml': {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests,
    },
  });
  if (result.status !== 0) {
    const failed = [
      ...result.output.matchAll(
        /expr: ".*?\\"check\\", \\"(s\d+-[a-z0-9-]+)\\"/g,
      ),
    ].map(match => match[1]);
    if (failed.length === 0) {
      problems.push(`AnalysisTemplate: promtool: ${result.output.trim()}`);
    }
    for (const check of new Set(failed)) {
      problems.push(checks.get(check) ?? `AnalysisTemplate: check ${check}`);
    }
  }
  return problems;
}

export const gateHashes = { preview: PREVIEW_HASH, active: ACTIVE_HASH };
