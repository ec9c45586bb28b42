import { mockServices } from '@backstage/backend-test-utils';
import { ArgoCdClient, toPortalError } from './ArgoCdClient';
import { ArgoCdService, ARGOCD_NOT_CONFIGURED } from './ArgoCdService';
import {
  analysisRun,
  application,
  pausedRollout,
  startArgoCdStandIn,
} from './__testUtils__/argoCdStandIn';

/**
 * The production Argo CD client against a stand-in server on 127.0.0.1 that answers as Argo CD's
 * REST API documents (see testing/argoCdStandIn.ts). Not tested here: a real Argo CD.
 */
const entity = {
  metadata: {
    name: 'inference-service',
    annotations: {
      'argocd/app-selector': 'devops-app.io/service=inference-service',
    },
  },
};

describe('ArgoCdService (stand-in Argo CD REST API)', () => {
  let standIn: Awaited<ReturnType<typeof startArgoCdStandIn>>;
  let second: Awaited<ReturnType<typeof startArgoCdStandIn>>;
  let service: ArgoCdService;

  beforeEach(async () => {
    standIn = await startArgoCdStandIn('token-a', [
      { application: application('dev', { automated: true }) },
      {
        application: application('prod', {
          automated: false,
          images: [
            'devopsapp.azurecr.io/inference:0.1.0',
            'devopsapp.azurecr.io/inference:0.2.0',
          ],
        }),
        rollout: pausedRollout('prod'),
      },
      {
        application: application('pre-prod', { automated: true }),
        forbidden: true,
      },
    ]);
    second = await startArgoCdStandIn('token-b', [
      { application: application('load-test', { automated: true }) },
    ]);
    service = ArgoCdService.fromConfig(
      mockServices.rootConfig({
        data: {
          devopsApp: {
            argocd: {
              instances: [
                {
                  name: 'main',
                  baseUrl: standIn.baseUrl,
                  token: 'token-a',
                  environments: ['dev', 'pre-prod', 'prod', 'qa'],
                },
                {
                  name: 'perf',
                  baseUrl: `${second.baseUrl}/`,
                  token: 'token-b',
                  environments: ['load-test'],
                },
              ],
            },
          },
        },
      }),
    );
  });
  afterEach(async () => {
    await standIn.close();
    await second.close();
  });

  it('reads an application, its sync and health, and a Rollout paused for promotion', async () => {
    const status = await service.status(entity, 'prod');
    expect(status).toMatchObject({
      state: 'connected',
      instance: 'main',
      application: 'inference-prod',
      syncStatus: 'OutOfSync',
      healthStatus: 'Suspended',
      syncPolicy: 'manual',
      liveTag: '0.1.0, 0.2.0',
      rollout: {
        name: 'inference',
        phase: 'Paused',
        pausedForPromotion: true,
        aborted: false,
        activeRevision: '5f6d4c8b7',
        previewRevision: '7c9d8f6b5',
        activeColour: 'blue',
        previewColour: 'green',
      },
    });
    expect(standIn.requests.map(r => r.path)).toEqual([
      '/api/v1/applications?selector=devops-app.io%2Fservice%3Dinference-service%2Cdevops-app.io%2Fenvironment%3Dprod',
      '/api/v1/applications/inference-prod/resource-tree',
      '/api/v1/applications/inference-prod/resource?namespace=inference-prod&resourceName=inference&version=v1alpha1&kind=Rollout&group=argoproj.io',
    ]);
  });

  it('uses the instance that serves the environment, with its own token', async () => {
    const status = await service.status(entity, 'load-test');
    expect(status).toMatchObject({
      state: 'connected',
      instance: 'perf',
      application: 'inference-load-test',
    });
    expect(second.requests).toHaveLength(2);
  });

  it('says "not connected" with the configuration needed when no instance serves the environment', async () => {
    expect(await new ArgoCdService([]).status(entity, 'dev')).toEqual({
      state: 'not-connected',
      message: ARGOCD_NOT_CONFIGURED,
    });
    expect(ARGOCD_NOT_CONFIGURED).toContain('devopsApp.argocd.instances');
    expect((await service.status(entity, 'staging')).state).toBe(
      'not-connected',
    );
  });

  it("reports Argo CD's 403 for a missing or hidden application, and an empty selector match, as errors the card can show", async () => {
    const noSelector = { metadata: { name: 'inference-service' } };
    // Argo CD answers a missing application (qa) exactly as a forbidden one (pre-prod): 403, code 7.
    for (const env of ['pre-prod', 'qa']) {
      expect(await service.status(noSelector, env)).toMatchObject({
        state: 'error',
        message: expect.stringContaining(
          "refused the portal's token (403) for inference-",
        ),
      });
      await expect(service.sync(noSelector, env)).rejects.toMatchObject({
        name: 'ServiceUnavailableError',
        message: expect.stringContaining('does not exist or'),
      });
    }
    expect(
      standIn.responses.filter(r => r.status === 403).map(r => r.body),
    ).toEqual(
      Array(4).fill({
        error: 'permission denied',
        code: 7,
        message: 'permission denied',
      }),
    );
    const missing = await service.status(entity, 'qa');
    expect(missing).toMatchObject({
      state: 'error',
      message: expect.stringContaining('has no application matching'),
    });
    await expect(service.sync(entity, 'qa')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });

  it('finds applications with the full label-selector grammar, as Argo CD parses it', async () => {
    const withSelector = (selector: string) => ({
      metadata: {
        name: 'inference-service',
        annotations: { 'argocd/app-selector': selector },
      },
    });
    const found = async (selector: string) =>
      (await service.status(withSelector(selector), 'dev')).application;
    expect(
      await found(
        'devops-app.io/service in (inference-service, other),!devops-app.io/retired',
      ),
    ).toBe('inference-dev');
    expect(await found('devops-app.io/service,devops-app.io/environment')).toBe(
      'inference-dev',
    );
    expect(await found('devops-app.io/service==inference-service,')).toBe(
      'inference-dev',
    );
    expect(
      await found('devops-app.io/service notin (inference-service)'),
    ).toBeUndefined();
    expect(await found('devops-app.io/service!=other')).toBe('inference-dev');
    expect(standIn.requests[0].path).toBe(
      `/api/v1/applications?${new URLSearchParams({
        selector:
          'devops-app.io/service in (inference-service, other),!devops-app.io/retired,devops-app.io/environment=dev',
      })}`,
    );
    // A selector labels.Parse refuses is Argo CD's 500 "error parsing the selector", shown as such.
    expect(await service.status(withSelector('a in (b'), 'dev')).toMatchObject({
      state: 'error',
      message: expect.stringContaining('error parsing the selector'),
    });
  });

  it('hands an Argo CD 429 back at once, with the wait it asked for', async () => {
    standIn.rateLimitNext(1, 7);
    await expect(service.status(entity, 'prod')).rejects.toMatchObject({
      name: 'TooManyRequestsError',
      retryAfterSeconds: 7,
      message: 'Argo CD instance main is rate limiting; retry in 7 s',
    });
    expect(standIn.requests).toHaveLength(1);
  });

  it('rejects a wrong token without leaking it', async () => {
    const bad = ArgoCdService.fromConfig(
      mockServices.rootConfig({
        data: {
          devopsApp: {
            argocd: {
              instances: [
                {
                  name: 'main',
                  baseUrl: standIn.baseUrl,
                  token: 'wrong-secret',
                },
              ],
            },
          },
        },
      }),
    );
    const status = await bad.status(entity, 'dev');
    expect(status.state).toBe('error');
    expect(JSON.stringify(status)).not.toContain('wrong-secret');
  });

  it('syncs, and refuses a second sync while one is in progress', async () => {
    await expect(service.sync(entity, 'prod')).resolves.toMatchObject({
      application: 'inference-prod',
    });
    expect(standIn.requests.find(r => r.method === 'POST')).toEqual({
      method: 'POST',
      path: '/api/v1/applications/inference-prod/sync',
      body: { name: 'inference-prod' },
    });
    expect((await service.status(entity, 'prod')).operationPhase).toBe(
      'Running',
    );
    await expect(service.sync(entity, 'prod')).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('already in progress'),
    });
    expect(standIn.requests.filter(r => r.method === 'POST')).toHaveLength(1);
  });

  it('maps Argo CD\'s own "operation in progress" answer (400) to a conflict', async () => {
    // Another client started a sync between the portal's read and its sync request.
    const client = new ArgoCdClient({
      name: 'main',
      baseUrl: standIn.baseUrl,
      token: 'token-a',
    });
    await client.sync('inference-dev');
    const again = await client.sync('inference-dev').catch(e => e);
    expect(again).toMatchObject({
      status: 400,
      message: 'another operation is already in progress',
    });
    expect(toPortalError(again, 'main', 'inference-dev')).toMatchObject({
      name: 'ConflictError',
    });
  });

  it('knows manual from automated sync, `automated.enabled: false` included', async () => {
    expect(await service.isManualSync(entity, 'prod')).toBe(true);
    expect(await service.isManualSync(entity, 'dev')).toBe(false);
    const disabled = await startArgoCdStandIn('token-d', [
      { application: application('dev', { automated: 'disabled' }) },
    ]);
    try {
      const svc = new ArgoCdService([
        {
          client: new ArgoCdClient({
            name: 'main',
            baseUrl: disabled.baseUrl,
            token: 'token-d',
          }),
        },
      ]);
      expect((await svc.status(entity, 'dev')).syncPolicy).toBe('manual');
      expect(await svc.isManualSync(entity, 'dev')).toBe(true);
      // What the stand-in sent is what Argo CD stores and echoes.
      expect(
        (disabled.responses[0].body as any).items[0].spec.syncPolicy.automated,
      ).toEqual({ enabled: false, prune: true, selfHeal: true });
    } finally {
      await disabled.close();
    }
    expect(
      await new ArgoCdService([]).isManualSync(entity, 'dev'),
    ).toBeUndefined();
  });

  it('promotes and aborts the Rollout through the v2 resource-actions route of Argo CD 3.x', async () => {
    await service.rolloutAction(entity, 'prod', 'promote-full');
    await service.rolloutAction(entity, 'prod', 'abort');
    const actions = standIn.requests.filter(r =>
      r.path.includes('/resource/actions'),
    );
    // applicationResourceActionRunRequestV2 as assets/swagger.json documents it; nothing in the query.
    expect(actions).toEqual([
      {
        method: 'POST',
        path: '/api/v1/applications/inference-prod/resource/actions/v2',
        body: {
          name: 'inference-prod',
          namespace: 'inference-prod',
          resourceName: 'inference',
          version: 'v1alpha1',
          group: 'argoproj.io',
          kind: 'Rollout',
          action: 'promote-full',
          appNamespace: 'argocd',
          project: 'devops-app',
        },
      },
      {
        method: 'POST',
        path: '/api/v1/applications/inference-prod/resource/actions/v2',
        body: expect.objectContaining({ action: 'abort' }),
      },
    ]);
    expect((await service.status(entity, 'prod')).rollout?.aborted).toBe(true);
    await expect(
      service.rolloutAction(entity, 'dev', 'abort'),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message: expect.stringContaining('manages no Rollout'),
    });
  });

  describe('resource actions against an Argo CD without the v2 route', () => {
    let old: Awaited<ReturnType<typeof startArgoCdStandIn>>;
    beforeEach(async () => {
      old = await startArgoCdStandIn(
        'token-old',
        [
          {
            application: application('prod', { automated: false }),
            rollout: pausedRollout('prod'),
          },
        ],
        { resourceActionsV2: false },
      );
    });
    afterEach(() => old.close());
    const oldService = () =>
      ArgoCdService.fromConfig(
        mockServices.rootConfig({
          data: {
            devopsApp: {
              argocd: {
                instances: [
                  { name: 'old', baseUrl: old.baseUrl, token: 'token-old' },
                ],
              },
            },
          },
        }),
      );
    const actionCalls = () =>
      old.requests
        .filter(r => r.path.includes('/resource/actions'))
        .map(r => `${r.path.split('?')[0]} ${JSON.stringify(r.body)}`);

    it('falls back to the old form once, and uses only the old form afterwards', async () => {
      const svc = oldService();
      await svc.rolloutAction(entity, 'prod', 'promote-full');
      await svc.rolloutAction(entity, 'prod', 'abort');
      expect(actionCalls()).toEqual([
        expect.stringMatching(
          /^\/api\/v1\/applications\/inference-prod\/resource\/actions\/v2 \{"name":"inference-prod"/,
        ),
        '/api/v1/applications/inference-prod/resource/actions "promote-full"',
        '/api/v1/applications/inference-prod/resource/actions "abort"',
      ]);
      expect(old.requests.find(r => r.body === 'promote-full')?.path).toBe(
        '/api/v1/applications/inference-prod/resource/actions?namespace=inference-prod&resourceName=inference&version=v1alpha1&kind=Rollout&group=argoproj.io',
      );
      const rollout = (await svc.status(entity, 'prod')).rollout;
      expect(rollout?.aborted).toBe(true);
    });

    it("tells the gateway's missing route from the server's answers", async () => {
      const client = new ArgoCdClient({
        name: 'old',
        baseUrl: old.baseUrl,
        token: 'token-old',
      });
      const missing = {
        group: 'argoproj.io',
        version: 'v1alpha1',
        kind: 'Rollout',
        namespace: 'inference-prod',
        name: 'nope',
      };
      // v2: the gateway's plain-text 404; the old route: 400, the resource is not the application's.
      const error = await client
        .runResourceAction('inference-prod', missing, 'abort')
        .catch(e => e);
      expect(error).toMatchObject({ status: 400, grpcCode: 3 });
      expect(old.responses.at(-1)?.body).toEqual({
        error:
          'Rollout argoproj.io nope not found as part of application inference-prod',
        code: 3,
        message:
          'Rollout argoproj.io nope not found as part of application inference-prod',
      });
      expect(toPortalError(error, 'old', 'inference-prod')).toMatchObject({
        name: 'NotFoundError',
        message: expect.stringContaining('does not manage that resource'),
      });
      // The old route answered, so the instance is known to be v1 only.
      expect(client.resourceActionsVersion).toBe('v1');
      await client.runResourceAction(
        'inference-prod',
        { ...missing, name: 'inference' },
        'abort',
      );
      expect(actionCalls()).toHaveLength(3);
    });
  });

  describe("Argo CD's answers to resource actions (server/application/application.go)", () => {
    const rollout = {
      group: 'argoproj.io',
      version: 'v1alpha1',
      kind: 'Rollout',
      namespace: 'inference-prod',
      name: 'inference',
    };
    const client = () =>
      new ArgoCdClient({
        name: 'main',
        baseUrl: standIn.baseUrl,
        token: 'token-a',
      });
    const actionPaths = () =>
      standIn.requests
        .filter(r => r.path.includes('/resource/actions'))
        .map(r => r.path);

    it('does not retry a v2 404 with a project (application not in that project) on the old route', async () => {
      const c = client();
      const error = await c
        .runResourceAction('inference-prod', rollout, 'promote-full', {
          appNamespace: 'argocd',
          project: 'another-project',
        })
        .catch(e => e);
      expect(error).toMatchObject({ status: 404, grpcCode: 5 });
      expect(error.routeMissing).toBe(false);
      expect(actionPaths()).toEqual([
        '/api/v1/applications/inference-prod/resource/actions/v2',
      ]);
      expect(c.resourceActionsVersion).toBeUndefined();
      expect(toPortalError(error, 'main', 'inference-prod')).toMatchObject({
        name: 'NotFoundError',
        message: expect.stringContaining('in the project the portal named'),
      });
    });

    it('maps a missing application (403), a resource it does not manage (400) and an unknown action (500)', async () => {
      const c = client();
      const missingApp = await c
        .runResourceAction('inference-nope', rollout, 'abort')
        .catch(e => e);
      expect(missingApp).toMatchObject({ status: 403, grpcCode: 7 });
      expect(toPortalError(missingApp, 'main', 'inference-nope').message).toBe(
        "Argo CD instance main refused the portal's token (403) for inference-nope: the application does not exist or the token's account has no get/sync/action rights on it (Argo CD does not say which)",
      );
      const notPart = await c
        .runResourceAction(
          'inference-prod',
          { ...rollout, name: 'other' },
          'abort',
        )
        .catch(e => e);
      expect(notPart).toMatchObject({ status: 400, grpcCode: 3 });
      expect(toPortalError(notPart, 'main', 'inference-prod').name).toBe(
        'NotFoundError',
      );
      const unknownAction = await c
        .runResourceAction('inference-prod', rollout, 'explode')
        .catch(e => e);
      expect(unknownAction).toMatchObject({
        status: 500,
        grpcCode: 2,
        message:
          'error getting Lua resource action: built-in script does not exist',
      });
      expect(
        toPortalError(unknownAction, 'main', 'inference-prod'),
      ).toMatchObject({
        name: 'NotFoundError',
        message: expect.stringContaining('has no such action'),
      });
      // Each was the server's answer on v2: none was retried on the old route.
      expect(actionPaths()).toEqual(
        Array(3).fill(expect.stringMatching(/\/resource\/actions\/v2$/)),
      );
    });
  });

  it('does not retry a 403 of the v2 route with the old form', async () => {
    const denied = await startArgoCdStandIn('token-c', [
      {
        application: application('prod', { automated: false }),
        rollout: pausedRollout('prod'),
        actionsForbidden: true,
      },
    ]);
    try {
      const svc = ArgoCdService.fromConfig(
        mockServices.rootConfig({
          data: {
            devopsApp: {
              argocd: {
                instances: [
                  { name: 'main', baseUrl: denied.baseUrl, token: 'token-c' },
                ],
              },
            },
          },
        }),
      );
      for (let i = 0; i < 2; i++) {
        await expect(
          svc.rolloutAction(entity, 'prod', 'promote-full'),
        ).rejects.toMatchObject({
          name: 'ServiceUnavailableError',
          message: expect.stringContaining("refused the portal's token (403)"),
        });
      }
      // Both attempts went to v2 only: the 403 was neither retried nor taken for a missing route.
      expect(
        denied.requests
          .filter(r => r.path.includes('/resource/actions'))
          .map(r => r.path),
      ).toEqual([
        '/api/v1/applications/inference-prod/resource/actions/v2',
        '/api/v1/applications/inference-prod/resource/actions/v2',
      ]);
    } finally {
      await denied.close();
    }
  });
});

describe("ArgoCdService.analysisRun (the Rollout's pre-promotion AnalysisRun)", () => {
  let standIn: Awaited<ReturnType<typeof startArgoCdStandIn>>;
  let service: ArgoCdService;
  // The live manifest, as the test changes it.
  const rollout: any = pausedRollout('prod');
  const runName = 'inference-7c9d8f6b5-8-pre';

  beforeEach(async () => {
    rollout.status.blueGreen.prePromotionAnalysisRunStatus = {
      name: runName,
      status: 'Failed',
    };
    standIn = await startArgoCdStandIn('token-a', [
      {
        application: application('prod', { automated: true }),
        rollout,
        analysisRuns: [
          analysisRun('prod', {
            name: runName,
            podTemplateHash: '7c9d8f6b5',
            phase: 'Failed',
            metrics: [
              { name: 'success-rate', phase: 'Successful', values: ['[0.99]'] },
              {
                name: 'error-ratio',
                phase: 'Failed',
                values: ['[0.02]', '[0.07]'],
              },
            ],
          }),
        ],
      },
      { application: application('dev', { automated: true }) },
    ]);
    service = new ArgoCdService([
      {
        client: new ArgoCdClient({
          name: 'main',
          baseUrl: standIn.baseUrl,
          token: 'token-a',
        }),
      },
    ]);
  });
  afterEach(() => standIn.close());

  it('reads the run the Rollout names through the resource route, with each metric and its newest value', async () => {
    const run = await service.analysisRun(entity, 'prod', '0.2.0');
    expect(run).toEqual({
      name: runName,
      phase: 'Failed',
      message: undefined,
      metrics: [
        {
          name: 'success-rate',
          phase: 'Successful',
          value: '[0.99]',
          message: undefined,
          count: 1,
          failed: 0,
        },
        {
          name: 'error-ratio',
          phase: 'Failed',
          value: '[0.07]',
          message: undefined,
          count: 2,
          failed: 2,
        },
      ],
    });
    expect(standIn.requests.map(r => r.path).slice(1)).toEqual([
      '/api/v1/applications/inference-prod/resource-tree',
      '/api/v1/applications/inference-prod/resource?namespace=inference-prod&resourceName=inference&version=v1alpha1&kind=Rollout&group=argoproj.io',
      `/api/v1/applications/inference-prod/resource?namespace=inference-prod&resourceName=${runName}&version=v1alpha1&kind=AnalysisRun&group=argoproj.io`,
    ]);
  });

  it('has no run for a version the Rollout does not run, nor for an application without a Rollout', async () => {
    await expect(service.analysisRun(entity, 'prod', '0.1.0')).resolves.toBe(
      undefined,
    );
    await expect(service.analysisRun(entity, 'dev', '0.2.0')).resolves.toBe(
      undefined,
    );
    await expect(
      new ArgoCdService([]).analysisRun(entity, 'prod', '0.2.0'),
    ).resolves.toBe(undefined);
  });

  it("falls back to the Rollout's summary when the run is not in the tree", async () => {
    rollout.status.blueGreen.prePromotionAnalysisRunStatus = {
      name: 'inference-7c9d8f6b5-9-pre',
      status: 'Running',
    };
    await expect(service.analysisRun(entity, 'prod', '0.2.0')).resolves.toEqual(
      {
        name: 'inference-7c9d8f6b5-9-pre',
        phase: 'Running',
        message: undefined,
        metrics: [],
      },
    );
  });
});
