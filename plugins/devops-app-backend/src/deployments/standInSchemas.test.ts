import Ajv from 'ajv';
import argoSwagger from './__fixtures__/argocd-swagger.trimmed.json';
import datadogV1 from '../observability/__fixtures__/datadog-v1-openapi.trimmed.json';
import { ArgoCdClient } from './ArgoCdClient';
import { ArgoCdService } from './ArgoCdService';
import {
  analysisRun,
  application,
  pausedRollout,
  startArgoCdStandIn,
} from './__testUtils__/argoCdStandIn';
import { startDatadogStandIn } from '../observability/__testUtils__/datadogStandIn';
import { DatadogService } from '../observability/datadog/DatadogService';

/**
 * The stand-ins' answers checked against the services' own API descriptions (trimmed copies, sources
 * in __fixtures__/README.md): every body the Argo CD stand-in sent while the production client drove
 * it against assets/swagger.json's response schema of its route (runtimeError for errors), and the
 * Datadog stand-in's monitors against Datadog's v1 OpenAPI (`Monitor[]`, `APIErrorResponse`).
 */
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(argoSwagger, 'argocd');
ajv.addSchema(datadogV1, 'datadog-v1');

function expectValid(schemaRef: string, body: unknown) {
  const validate = ajv.getSchema(schemaRef);
  if (!validate) throw new Error(`no schema ${schemaRef}`);
  const ok = validate(body);
  expect({ schemaRef, errors: ok ? [] : validate.errors }).toEqual({
    schemaRef,
    errors: [],
  });
}

const rolloutRef = {
  group: 'argoproj.io',
  version: 'v1alpha1',
  kind: 'Rollout',
  namespace: 'inference-dev',
  name: 'inference',
};

describe("the stand-ins answer with the services' documented schemas", () => {
  it('Argo CD: every answer of the stand-in matches assets/swagger.json', async () => {
    const standIn = await startArgoCdStandIn('t', [
      {
        application: application('dev', { automated: 'disabled' }),
        rollout: {
          ...pausedRollout('dev'),
          status: {
            ...pausedRollout('dev').status,
            blueGreen: {
              ...pausedRollout('dev').status.blueGreen,
              prePromotionAnalysisRunStatus: {
                name: 'inference-7c9d8f6b5-2-pre',
                status: 'Successful',
              },
            },
          },
        },
        analysisRuns: [
          analysisRun('dev', {
            name: 'inference-7c9d8f6b5-2-pre',
            podTemplateHash: '7c9d8f6b5',
            phase: 'Successful',
            metrics: [
              { name: 'error-ratio', phase: 'Successful', values: ['[0]'] },
            ],
          }),
        ],
        revisions: {
          abc: { author: 'a', date: '2026-11-25T10:00:00Z', message: 'm' },
        },
      },
      { application: application('prod', { automated: true }) },
    ]);
    try {
      const client = new ArgoCdClient({
        name: 'main',
        baseUrl: standIn.baseUrl,
        token: 't',
      });
      const service = new ArgoCdService([{ client }]);
      const entity = {
        metadata: {
          name: 'inference-service',
          annotations: {
            'argocd/app-selector':
              'devops-app.io/service in (inference-service)',
          },
        },
      };
      await service.status(entity, 'dev');
      // The resource tree with the AnalysisRun under the Rollout, and the AnalysisRun's manifest.
      expect((await service.analysisRun(entity, 'dev', '0.2.0'))?.phase).toBe(
        'Successful',
      );
      await client.getApplication('inference-dev');
      await client.revisionMetadata('inference-dev', 'abc');
      await service.rolloutAction(entity, 'dev', 'promote-full');
      await service.sync(entity, 'dev');
      const failures: (() => Promise<unknown>)[] = [
        () => client.sync('inference-dev'),
        () => client.getApplication('missing'),
        () =>
          client.runResourceAction(
            'inference-dev',
            { ...rolloutRef, name: 'other' },
            'abort',
          ),
        () => client.runResourceAction('inference-dev', rolloutRef, 'explode'),
        () =>
          client.runResourceAction('inference-dev', rolloutRef, 'abort', {
            project: 'elsewhere',
          }),
        () => client.listApplications('a in (b'),
      ];
      for (const f of failures) await f().catch(() => undefined);
      const routes = new Set(standIn.responses.map(r => r.route));
      expect([...routes].sort()).toEqual([
        'applicationApplicationResourceResponse',
        'applicationApplicationResponse',
        'runtimeError',
        'v1alpha1Application',
        'v1alpha1ApplicationList',
        'v1alpha1ApplicationTree',
        'v1alpha1RevisionMetadata',
      ]);
      for (const r of standIn.responses) {
        expectValid(`argocd#/definitions/${r.route}`, r.body);
      }
      expect(
        standIn.responses
          .filter(r => r.route === 'runtimeError')
          .map(r => r.status),
      ).toEqual([400, 403, 400, 500, 404, 500]);
    } finally {
      await standIn.close();
    }
  });

  it('Argo CD: the schema catches a wrong answer (the check is not vacuous)', () => {
    const validate = ajv.getSchema('argocd#/definitions/v1alpha1Application')!;
    expect(
      validate({ spec: { syncPolicy: { automated: { enabled: 'false' } } } }),
    ).toBe(false);
  });

  it("Datadog: monitors and errors match Datadog's v1 OpenAPI", async () => {
    const standIn = await startDatadogStandIn({
      logs: [],
      resources: [],
      monitors: [
        {
          id: 1,
          name: 'Error rate',
          overall_state: 'Alert',
          tags: ['service:inference-service'],
        },
      ],
    });
    try {
      const ok = new DatadogService({
        site: 'datadoghq.eu',
        apiKey: standIn.apiKey,
        appKey: standIn.appKey,
        apiBaseUrl: standIn.baseUrl,
        appUrl: 'https://app.datadoghq.eu',
        timeoutMs: 5000,
      });
      await ok.monitors({ service: 'inference-service', environment: 'dev' });
      await new DatadogService({
        ...(ok as any).config,
        appKey: 'wrong',
      })
        .monitors({ service: 'inference-service', environment: 'dev' })
        .catch(() => undefined);
      const monitors = standIn.responses.filter(
        r => r.path === '/api/v1/monitor',
      );
      expect(monitors.map(r => r.status)).toEqual([200, 403]);
      expectValid(
        'datadog-v1#/paths/~1api~1v1~1monitor/get/responses/200/content/application~1json/schema',
        monitors[0].body,
      );
      expectValid(
        'datadog-v1#/components/schemas/APIErrorResponse',
        monitors[1].body,
      );
    } finally {
      await standIn.stop();
    }
  });
});
