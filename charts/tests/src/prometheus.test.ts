import { inferenceEnvironments, sandboxIdentityValues } from './environments';
import {
  analysisMetrics,
  checkAnalysisGate,
  gateHashes,
  requestSeries as requests,
} from './analysisGate';
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

describe.each(inferenceEnvironments())(
  'pre-promotion analysis of $name',
  ({ name, valueFiles }) => {
    const objects = render(valueFiles);
    const metrics = analysisMetrics(objects);

    it('judges the preview pods right with the real promtool: healthy passes, 5xx, slow, zero or too few requests do not, the active pods do not leak in', () => {
      expect(checkAnalysisGate(objects, name)).toEqual([]);
    });

    it('makes every Prometheus metric require the minimum request count, and no metric read 0 for no data', () => {
      const prometheus = metrics.filter(m => m.provider.prometheus);
      expect(prometheus.map(m => m.name)).toEqual([
        'preview-pods-scraped',
        'error-ratio',
        'latency-p95',
      ]);
      for (const metric of prometheus) {
        const query = metric.provider.prometheus!.query;
        expect({ metric: metric.name, query }).toEqual({
          metric: metric.name,
          query: expect.stringMatching(
            /\nand on\(\) \(sum\(increase\(http_request_duration_seconds_count\{[^}]*rollouts_pod_template_hash="\{\{args\.preview-hash\}\}"[^}]*\}\[2m\]\)\) >= 50\)\n$/,
          ),
        });
        expect(query).not.toMatch(/or on\(\) vector\(0\)\s*$/);
      }
    });
  },
);

describe('the gate check itself', () => {
  const objects = render([sandboxIdentityValues]);

  it('reports a gate that passes with no traffic', () => {
    // The template as it was before issue 15: no request minimum, 0 for no data.
    const lenient = structuredClone(objects);
    for (const metric of analysisMetrics(lenient)) {
      if (metric.provider.prometheus) {
        metric.provider.prometheus.query = metric.provider.prometheus.query
          .replace(/\nand on\(\) \(sum\(increase[^\n]*\n$/, '\n')
          .concat(' or on() vector(0)');
      }
    }
    const problems = checkAnalysisGate(lenient, 'dev');
    expect(problems).toEqual(
      expect.arrayContaining([
        'AnalysisTemplate: a preview with zero requests does not pass: metric error-ratio passes',
        'AnalysisTemplate: a preview with zero requests does not pass: metric latency-p95 passes',
        'AnalysisTemplate: a preview with too few requests to judge does not pass: metric error-ratio passes',
        'AnalysisTemplate: a preview whose traffic stopped does not pass: metric preview-pods-scraped passes',
      ]),
    );
  });

  it('reports a gate that judges the active pods', () => {
    const active = structuredClone(objects);
    for (const metric of analysisMetrics(active)) {
      if (metric.provider.prometheus) {
        metric.provider.prometheus.query =
          metric.provider.prometheus.query.replaceAll(
            'rollouts_pod_template_hash="{{args.preview-hash}}"',
            `rollouts_pod_template_hash="${gateHashes.active}"`,
          );
      }
    }
    expect(checkAnalysisGate(active, 'dev')).toEqual(
      expect.arrayContaining([
        "AnalysisTemplate: the active pods' errors and latency do not leak into the preview's result: metric error-ratio does not pass",
      ]),
    );
  });
});
