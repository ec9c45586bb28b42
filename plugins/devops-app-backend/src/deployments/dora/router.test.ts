import { DoraMetricsResponse } from '@devops-app/plugin-devops-app-common';
import { STANDARD_ENVIRONMENTS } from '../../__testUtils__/environmentEntities';
import {
  PluginBackend,
  startPluginBackend,
} from '../../__testUtils__/pluginBackend';
import {
  SERVICE_REF,
  serviceEntity,
} from '../../observability/__testUtils__/serviceEntity';
import {
  application,
  pausedRollout,
  startArgoCdStandIn,
} from '../__testUtils__/argoCdStandIn';
import { createGitRemote, GitRemote } from '../__testUtils__/gitRemote';

/**
 * GET /deployments/dora in the whole plugin (startTestBackend): deploys and an abort made through the
 * API (real git remote, the Argo CD stand-in), read back as metrics; bad queries are 400s naming the
 * field; a caller the catalog does not show the service to gets 404 (read permission = catalog read).
 */
jest.setTimeout(120_000);

const ANA = 'user:default/ana';
const EVE = 'user:default/eve';

describe('GET /deployments/dora', () => {
  let remote: GitRemote;
  let argo: Awaited<ReturnType<typeof startArgoCdStandIn>>;
  let backend: PluginBackend;

  beforeAll(async () => {
    remote = await createGitRemote();
    argo = await startArgoCdStandIn('argo-token', [
      { application: application('dev', { automated: true }) },
      {
        application: application('prod', { automated: true }),
        rollout: pausedRollout('prod'),
      },
    ]);
    backend = await startPluginBackend({
      entities: [
        serviceEntity({
          'devops-app.io/environments': 'dev,pre-prod,prod',
          'argocd/app-selector': 'devops-app.io/service=inference-service',
        }),
        ...STANDARD_ENVIRONMENTS,
      ],
      // The catalog shows eve nothing (as catalog.entity.read would deny her).
      hides: user => user === EVE,
      allows: user => user === ANA,
      config: {
        devopsApp: {
          gitops: { repository: remote.remote, branch: 'main' },
          argocd: {
            instances: [
              { name: 'main', baseUrl: argo.baseUrl, token: 'argo-token' },
            ],
          },
        },
      },
    });
  });
  afterAll(async () => {
    await argo.close();
    await remote.cleanup();
  });

  const dora = (query: string, user = ANA) =>
    backend.get(`/deployments/dora?${query}`, user);
  const ref = encodeURIComponent(SERVICE_REF);

  it('counts the deploys, the aborted one as a failure, and the lead time from its first commit', async () => {
    const deploy = (environment: string, tag: string) =>
      backend.post('/deployments', ANA, {
        entityRef: SERVICE_REF,
        environment,
        tag,
      });
    for (const [environment, tag] of [
      ['dev', '7.0.0'],
      ['prod', '7.0.0'],
      ['dev', '7.1.0'],
      ['prod', '7.1.0'],
    ]) {
      expect((await deploy(environment, tag)).status).toBe(201);
    }
    const abort = await backend.post('/deployments/abort', ANA, {
      entityRef: SERVICE_REF,
      environment: 'prod',
    });
    expect(abort.status).toBe(200);
    // The next deploy restores prod.
    expect((await deploy('prod', '7.2.0')).status).toBe(201);

    const res = await dora(`entityRef=${ref}&environment=prod&days=30`);
    expect(res.status).toBe(200);
    const body = res.body as DoraMetricsResponse;
    expect(body).toMatchObject({
      entityRef: SERVICE_REF,
      environment: 'prod',
      production: true,
      days: 30,
      deploymentFrequency: { deploys: 3 },
      changeFailureRate: { deploys: 3, failures: 1, rate: 0.3333 },
      timeToRestore: { unrestored: 0 },
    });
    expect(body.timeToRestore.items).toEqual([
      expect.objectContaining({
        version: '7.1.0',
        failedBy: 'abort',
        restoredVersion: '7.2.0',
      }),
    ]);
    expect(body.leadTime.items.map(l => l.version)).toEqual([
      '7.0.0',
      '7.1.0',
      '7.2.0',
    ]);
    // 7.2.0 went to prod first: its lead time is 0; the others' first commits were dev's.
    expect(body.leadTime.items[2].seconds).toBe(0);
    expect(Date.parse(body.leadTime.items[0].committedAt)).toBeLessThan(
      Date.parse(body.leadTime.items[0].deployedAt),
    );
    expect(body.deploymentFrequency.days.at(-1)?.deploys).toBe(3);
    expect(body.definitions.changeFailureRate).toMatch(/rollback or an abort/);

    const dev = await dora(`entityRef=${ref}&environment=dev&days=90`);
    expect(dev.body).toMatchObject({
      production: false,
      days: 90,
      deploymentFrequency: { deploys: 2 },
      changeFailureRate: { failures: 0 },
    });
  });

  it('refuses bad queries with a 400 naming the field', async () => {
    const cases: Array<[string, RegExp]> = [
      [`entityRef=${ref}&environment=prod&days=7`, /days.*30 or 90/],
      [`entityRef=${ref}&environment=prod`, /days/],
      [`environment=prod&days=30`, /entityRef/],
      [`entityRef=${ref}&environment=Prod!&days=30`, /environment/],
      [`entityRef=${ref}&environment=prod&days=30&limit=5`, /limit/],
      [`entityRef=${ref}&environment=qa&days=30`, /qa/],
    ];
    for (const [query, message] of cases) {
      const res = await dora(query);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.error.message).toMatch(message);
      expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it('answers 404 to a caller who may not read the service', async () => {
    const res = await dora(`entityRef=${ref}&environment=prod&days=30`, EVE);
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toMatch(/deploymentFrequency/);
  });
});
