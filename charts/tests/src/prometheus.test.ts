import { inferenceEnvironments, sandboxIdentityValues } from './environments';
import { KubeObject, renderObjects } from './helm';
import { field } from './kube';
import { inferenceChartDir } from './paths';
import { promtool } from './promtool';

interface Rule {
  alert: string;
  expr: string;
  annotations?: Record<string, string>;
}

const render = (valueFiles: string[]) =>
  renderObjects(inferenceChartDir, 'inference', { valueFiles });
const ruleGroups = (objects: KubeObject[]) =>
  field<{ name: string; rules: Rule[] }[]>(
    objects.find(o => o.kind === 'PrometheusRule'),
    'spec.groups',
  )!;

/** Series of http_request_duration_seconds as the service exports them, labelled as the ServiceMonitor does. */
function requests(
  labels: Record<string, string>,
  perMinute: number,
  bucketSeconds?: number,
) {
  const selector = (extra: Record<string, string>) =>
    `{${Object.entries({
      method: 'POST',
      route: '/v1/predictions',
      status: '200',
      ...labels,
      ...extra,
    })
      .map(([key, value]) => `${key}="${value}"`)
      .join(',')}}`;
  const series = [
    {
      series: `http_request_duration_seconds_count${selector({})}`,
      values: `0+${perMinute}x60`,
    },
  ];
  if (bucketSeconds !== undefined) {
    for (const le of ['0.1', '0.5', '1', '2.5', '+Inf']) {
      const filled = le === '+Inf' || Number(le) >= bucketSeconds;
      series.push({
        series: `http_request_duration_seconds_bucket${selector({ le })}`,
        values: `0+${filled ? perMinute : 0}x60`,
      });
    }
  }
  return series;
}

describe.each(inferenceEnvironments())(
  'PrometheusRule of $name',
  ({ name, valueFiles }) => {
    const groups = ruleGroups(render(valueFiles));

    it('passes promtool check rules', () => {
      const result = promtool(['check', 'rules', 'rules.yaml'], {
        'rules.yaml': { groups },
      });
      expect(result.output).toMatch(/SUCCESS: 3 rules found/);
      expect(result.status).toBe(0);
    });

    it('fires each alert on its condition, for this environment only, and stays quiet otherwise', () => {
      // Annotations hold $value templates checked above; the unit tests compare labels.
      const rules = {
        groups: groups.map(g => ({
          ...g,
          rules: g.rules.map(({ annotations, ...rule }) => rule),
        })),
      };
      const mine = { service: 'inference-service', environment: name };
      const other = {
        service: 'inference-service',
        environment: `${name}-other`,
      };
      const labels = (alert: string, severity: string) => ({
        alertname: alert,
        severity,
        ...mine,
      });
      const tests = [
        {
          // 1 request in 7 fails with 500, answers are fast.
          name: 'errors',
          interval: '1m',
          input_series: [
            ...requests(mine, 600, 0.1),
            ...requests({ ...mine, status: '500' }, 100, 0.1),
          ],
          alert_rule_test: [
            {
              eval_time: '20m',
              alertname: 'InferenceServiceHighErrorRatio',
              exp_alerts: [
                {
                  exp_labels: labels(
                    'InferenceServiceHighErrorRatio',
                    'critical',
                  ),
                },
              ],
            },
            {
              eval_time: '20m',
              alertname: 'InferenceServiceHighLatencyP95',
              exp_alerts: [],
            },
            {
              eval_time: '20m',
              alertname: 'InferenceServiceNoTraffic',
              exp_alerts: [],
            },
          ],
        },
        {
          // Every answer takes between 1 and 2.5 seconds.
          name: 'slow',
          interval: '1m',
          input_series: requests(mine, 600, 2.5),
          alert_rule_test: [
            {
              eval_time: '25m',
              alertname: 'InferenceServiceHighLatencyP95',
              exp_alerts: [
                {
                  exp_labels: labels(
                    'InferenceServiceHighLatencyP95',
                    'warning',
                  ),
                },
              ],
            },
            {
              eval_time: '25m',
              alertname: 'InferenceServiceHighErrorRatio',
              exp_alerts: [],
            },
          ],
        },
        {
          // Only kubelet probes reach the pods; another environment has traffic and errors.
          name: 'no traffic',
          interval: '1m',
          input_series: [
            ...requests({ ...mine, method: 'GET', route: '/healthz' }, 12),
            ...requests({ ...other, status: '500' }, 600, 2.5),
          ],
          alert_rule_test: [
            {
              eval_time: '30m',
              alertname: 'InferenceServiceNoTraffic',
              exp_alerts: [
                { exp_labels: labels('InferenceServiceNoTraffic', 'warning') },
              ],
            },
            {
              eval_time: '30m',
              alertname: 'InferenceServiceHighErrorRatio',
              exp_alerts: [],
            },
            {
              eval_time: '30m',
              alertname: 'InferenceServiceHighLatencyP95',
              exp_alerts: [],
            },
          ],
        },
        {
          name: 'healthy',
          interval: '1m',
          input_series: requests(mine, 600, 0.1),
          alert_rule_test: [
            'InferenceServiceHighErrorRatio',
            'InferenceServiceHighLatencyP95',
            'InferenceServiceNoTraffic',
          ].map(alertname => ({ eval_time: '30m', alertname, exp_alerts: [] })),
        },
      ];
      const result = promtool(['test', 'rules', 'tests.yaml'], {
        'rules.yaml': rules,
        'tests.yaml': {
          rule_files: ['rules.yaml'],
          evaluation_interval: '1m',
          tests,
        },
      });
      expect(result.output).toMatch(/SUCCESS/);
      expect(result.status).toBe(0);
    });
  },
);

describe('pre-promotion analysis queries', () => {
  const objects = render([sandboxIdentityValues]);
  const template = objects.find(o => o.kind === 'AnalysisTemplate')!;
  const metrics = field<
    {
      name: string;
      successCondition: string;
      provider: { prometheus: { query: string } };
    }[]
  >(template, 'spec.metrics')!;
  const previewHash = '5d8f7c9b4';
  const activeHash = '7b6c5d4e3';
  const query = (metric: string) =>
    metrics
      .find(m => m.name === metric)!
      .provider.prometheus.query.replaceAll(
        '{{args.preview-hash}}',
        previewHash,
      )
      .trim();

  /** Applies an Argo Rollouts successCondition of the form `result[0] <op> <number>` to a value. */
  const passes = (metric: string, value: number) => {
    const condition = metrics.find(m => m.name === metric)!.successCondition;
    const match = /^result\[0\] (<=|>=) ([0-9.]+)$/.exec(condition);
    if (!match) {
      throw new Error(`unexpected successCondition ${condition}`);
    }
    return match[1] === '<='
      ? value <= Number(match[2])
      : value >= Number(match[2]);
  };

  const dev = { service: 'inference-service', environment: 'dev' };
  const scenarios = [
    {
      name: 'the preview fails while the active revision is healthy',
      input_series: [
        ...requests(
          { ...dev, rollouts_pod_template_hash: activeHash },
          600,
          0.1,
        ),
        ...requests(
          { ...dev, rollouts_pod_template_hash: previewHash },
          60,
          2.5,
        ),
        ...requests(
          { ...dev, rollouts_pod_template_hash: previewHash, status: '500' },
          60,
          2.5,
        ),
        {
          series: `up{${Object.entries({
            ...dev,
            rollouts_pod_template_hash: previewHash,
            pod: 'a',
          })
            .map(([k, v]) => `${k}="${v}"`)
            .join(',')}}`,
          values: '1x60',
        },
      ],
      expected: {
        'preview-pods-scraped': 1,
        'error-ratio': 0.5,
        'latency-p95': 2.425,
      },
      verdict: {
        'preview-pods-scraped': true,
        'error-ratio': false,
        'latency-p95': false,
      },
    },
    {
      name: 'the active revision fails while the preview is healthy',
      input_series: [
        ...requests(
          { ...dev, rollouts_pod_template_hash: activeHash, status: '500' },
          600,
          2.5,
        ),
        ...requests(
          { ...dev, rollouts_pod_template_hash: previewHash },
          60,
          0.1,
        ),
      ],
      expected: {
        'preview-pods-scraped': 0,
        'error-ratio': 0,
        'latency-p95': 0.095,
      },
      verdict: {
        'preview-pods-scraped': false,
        'error-ratio': true,
        'latency-p95': true,
      },
    },
  ];

  it.each(scenarios)(
    'judge only the preview pods: $name',
    ({ input_series, expected, verdict }) => {
      const result = promtool(['test', 'rules', 'tests.yaml'], {
        'rules.yaml': { groups: [] },
        'tests.yaml': {
          rule_files: ['rules.yaml'],
          evaluation_interval: '1m',
          tests: [
            {
              interval: '1m',
              input_series,
              promql_expr_test: Object.entries(expected).map(
                ([metric, value]) => ({
                  expr: query(metric),
                  eval_time: '10m',
                  exp_samples: [{ labels: '{}', value }],
                }),
              ),
            },
          ],
        },
      });
      expect(result.output).toMatch(/SUCCESS/);
      expect(result.status).toBe(0);
      for (const [metric, value] of Object.entries(expected)) {
        expect({ metric, passes: passes(metric, value) }).toEqual({
          metric,
          passes: verdict[metric as keyof typeof verdict],
        });
      }
    },
  );
});
