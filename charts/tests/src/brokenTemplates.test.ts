import { checkAnalysisGate } from './analysisGate';
import { copyChart } from './chartCopy';
import { sandboxIdentityValues } from './environments';
import { helmLint, renderObjects } from './helm';
import { checkInferenceRelease } from './inferenceChecks';
import { inferenceChartDir } from './paths';
import { promtool } from './promtool';
import { validateObject } from './validateObject';

// The chart tests must fail when a template breaks: each case breaks a copy of the chart the way an
// edit could, and the same checks the other suites run must report it.
describe('a broken inference chart is caught', () => {
  const problemsOf = (edit: (chart: ReturnType<typeof copyChart>) => void) => {
    const chart = copyChart(inferenceChartDir);
    try {
      edit(chart);
      const valueFiles = [sandboxIdentityValues];
      const lint = helmLint(chart.dir, { valueFiles });
      if (lint.status !== 0) {
        return [`helm lint: ${lint.stdout}`];
      }
      const objects = renderObjects(chart.dir, 'inference', { valueFiles });
      const groups = objects.find(o => o.kind === 'PrometheusRule')?.spec as
        | { groups: unknown[] }
        | undefined;
      const rules = promtool(['check', 'rules', 'rules.yaml'], {
        'rules.yaml': { groups: groups?.groups ?? [] },
      });
      return [
        ...objects.flatMap(validateObject),
        ...checkInferenceRelease(objects, { environment: 'dev' }),
        ...checkAnalysisGate(objects, 'dev'),
        ...(rules.status === 0 ? [] : [`promtool: ${rules.output}`]),
      ];
    } finally {
      chart.remove();
    }
  };

  it('an untouched copy has no problem', () => {
    expect(problemsOf(() => {})).toEqual([]);
  });

  it.each([
    [
      'a misspelled field',
      'templates/rollout.yaml',
      (t: string) => t.replace('readinessProbe:', 'readinesProbe:'),
      /unknown field "spec\.template\.spec\.containers\[0\]\.readinesProbe"/,
    ],
    [
      'pods the Services do not select',
      'templates/rollout.yaml',
      (t: string) =>
        t.replace(
          /(template:\n {4}metadata:\n {6}labels:\n[\s\S]*?app\.kubernetes\.io\/component: )server/,
          '$1web',
        ),
      /selector does not match the Rollout's pods/,
    ],
    [
      'analysis not fed the preview hash',
      'templates/rollout.yaml',
      (t: string) =>
        t.replace(
          'podTemplateHashValue: Preview',
          'podTemplateHashValue: Stable',
        ),
      /analysis is not given the preview pods' hash/,
    ],
    [
      'a wrong readiness path',
      'values.yaml',
      (t: string) => t.replace('path: /readyz', 'path: /ready'),
      /readiness probe is not GET \/readyz/,
    ],
    [
      'a writable root filesystem',
      'templates/_helpers.tpl',
      (t: string) =>
        t.replace(
          'readOnlyRootFilesystem: true',
          'readOnlyRootFilesystem: false',
        ),
      /root filesystem is writable/,
    ],
    [
      'broken PromQL',
      'templates/_promql.tpl',
      (t: string) => t.replace('sum by (le) (rate(', 'sum by (le) (rat('),
      /promtool: [\s\S]*rat/,
    ],
    [
      'broken YAML',
      'templates/configmap.yaml',
      (t: string) => t.replace('data:', 'data:\n  - broken: [\n'),
      /helm lint/,
    ],
    [
      'a Datadog tag not from the label',
      'templates/_helpers.tpl',
      (t: string) =>
        t.replace(
          "fieldPath: metadata.labels['tags.datadoghq.com/env']",
          'fieldPath: metadata.name',
        ),
      /DD_ENV is not read from the tags\.datadoghq\.com\/env label/,
    ],
    [
      'a removed minimum-request clause',
      'templates/analysistemplate.yaml',
      (t: string) =>
        t.replace(
          /(- name: error-ratio[\s\S]*?)\n {12}and on\(\) \(\{\{ \$enoughTraffic \}\}\)/,
          '$1',
        ),
      /a preview with too few requests to judge does not pass: metric error-ratio passes/,
    ],
    [
      'no data read as 0 again',
      'templates/analysistemplate.yaml',
      (t: string) =>
        t.replace(
          /(- name: latency-p95[\s\S]*?)\n {12}and on\(\) \(\{\{ \$enoughTraffic \}\}\)/,
          '$1\n            or on() vector(0)',
        ),
      /a preview with zero requests does not pass: metric latency-p95 passes/,
    ],
    [
      'a success condition that errors on no data',
      'templates/analysistemplate.yaml',
      (t: string) => t.replace('len(result) == 1 && result[0]', 'result[0]'),
      /successCondition "result\[0\] <= 0\.05" is not of the form/,
    ],
    [
      'smoke traffic sent to the active Service',
      'templates/_smoketraffic.tpl',
      (t: string) =>
        t.replace(
          '(include "inference.previewServiceName" .)',
          '(include "inference.fullname" .)',
        ),
      /sends to http:\/\/inference:8000, not the preview Service http:\/\/inference-preview:8000/,
    ],
    [
      'smoke traffic that stops before the last measurement',
      'templates/_smoketraffic.tpl',
      (t: string) =>
        t.replace(
          '{{- $seconds := add $lastMeasurement',
          '{{- $seconds := sub $lastMeasurement',
        ),
      /sends for 120 s, the last Prometheus measurement is at 150 s/,
    ],
    [
      'smoke-traffic pods the NetworkPolicy keeps from the serving pods',
      'templates/networkpolicy.yaml',
      (t: string) =>
        t.replace(
          'port: {{ .Values.containerPort }}',
          'port: {{ add .Values.containerPort 1 }}',
        ),
      /the smoke-traffic pods may not reach the serving pods' http port/,
    ],
    [
      'no CiliumNetworkPolicy for the Datadog agent under Cilium',
      'templates/ciliumnetworkpolicy.yaml',
      (t: string) =>
        t.replace('(eq .Values.networkPolicy.cni "cilium")', 'false'),
      /the Rollout's pods may not reach the node's Datadog agent/,
    ],
    [
      'the Datadog agent allowed by a node ipBlock under Cilium',
      'templates/networkpolicy.yaml',
      (t: string) =>
        t.replace('{{- if ne $np.cni "cilium" }}', '{{- if true }}'),
      /allows the Datadog agent by ipBlock, which Cilium never matches/,
    ],
    [
      'a CiliumNetworkPolicy opened to the world',
      'templates/ciliumnetworkpolicy.yaml',
      (t: string) => t.replace('- host', '- world'),
      /allows more than the node \(world\)/,
    ],
    [
      'a misspelled CiliumNetworkPolicy field',
      'templates/ciliumnetworkpolicy.yaml',
      (t: string) => t.replace('toEntities:', 'toEntity:'),
      /CiliumNetworkPolicy\/inference: unknown field "spec\.egress\[0\]\.toEntity"/,
    ],
  ])('%s', (_, file, change, message) => {
    const problems = problemsOf(chart => chart.edit(file, change));
    expect(problems.join('\n')).toMatch(message);
  });
});
