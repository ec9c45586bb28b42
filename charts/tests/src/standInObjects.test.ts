// The backend plugin's Argo CD stand-in (the e2e walks and the plugin's tests answer with its objects).
// eslint-disable-next-line @backstage/no-relative-monorepo-imports, no-restricted-imports
import { analysisRun } from '../../../plugins/devops-app-backend/src/deployments/__testUtils__/argoCdStandIn';
import type { KubeObject } from './helm';
import { validateObject } from './validateObject';

/*
 * The AnalysisRuns the Argo CD stand-in answers with are objects Argo Rollouts could have written: each
 * phase the stand-in offers, checked against the Argo Rollouts model's schema and its fields (no
 * official AnalysisRun CRD is in shared/schemas; the model is generated from Argo Rollouts' CRD).
 */
describe("the Argo CD stand-in's AnalysisRuns", () => {
  const phases = [
    'Successful',
    'Failed',
    'Error',
    'Inconclusive',
    'Running',
  ] as const;

  it.each(phases)('a %s pre-promotion run validates strictly', phase => {
    const run = analysisRun('dev', {
      name: 'inference-7c9d8f6b5-2-pre',
      podTemplateHash: '7c9d8f6b5',
      phase,
      message: phase === 'Error' ? 'metric "error-ratio" errored' : undefined,
      metrics: [
        {
          name: 'error-ratio',
          phase,
          values: ['[0.02]', '[0.07]'],
          message: phase === 'Error' ? 'no data' : undefined,
        },
        { name: 'p95-latency', phase: 'Successful', values: ['[0.31]'] },
      ],
    }) as unknown as KubeObject;
    expect(validateObject(run)).toEqual([]);
  });

  it('would catch a field Argo Rollouts does not write', () => {
    const run = analysisRun('dev', {
      name: 'inference-7c9d8f6b5-2-pre',
      podTemplateHash: '7c9d8f6b5',
      phase: 'Failed',
      metrics: [{ name: 'error-ratio', phase: 'Failed', values: ['[0.07]'] }],
    }) as any;
    run.status.metricResults[0].measurements[0].result = 'Failed';
    run.status.verdict = 'Failed';
    expect(validateObject(run as KubeObject)).toEqual([
      'AnalysisRun/inference-7c9d8f6b5-2-pre: unknown field "status.metricResults[0].measurements[0].result"',
      'AnalysisRun/inference-7c9d8f6b5-2-pre: unknown field "status.verdict"',
    ]);
  });
});
