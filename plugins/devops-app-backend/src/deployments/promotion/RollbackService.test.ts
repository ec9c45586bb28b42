import {
  BackstageUserPrincipal,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  knownSamples,
  RunningPrometheus,
  SCRAPE_SECONDS,
  startPrometheus,
} from '@devops-app/e2e';
import { Knex } from 'knex';
import request from 'supertest';
import { devopsAppPlugin } from '../../plugin';
import { STANDARD_ENVIRONMENTS } from '../../__testUtils__/environmentEntities';
import {
  application,
  pausedRollout,
  startArgoCdStandIn,
} from '../__testUtils__/argoCdStandIn';
import { createGitRemote, GitRemote } from '../__testUtils__/gitRemote';

/**
 * Rollback and freeze windows through the plugin's routes as the backend runs them (Backstage's test
 * backend): real git (a bare remote), the Argo CD stand-in (dev's Rollout paused on the new version),
 * SQLite for the audit log, and a real Prometheus with known samples: dev's pods ran 0.1.0 healthy
 * (0 % errors, p95 0.47 s), prod's run 0.3.0 healthy; nothing else has traffic. The
 * permission mock decides as the policy does: owners may deploy and roll back; production also
 * needs the prod deployers (devops-app.environment.production).
 */
const ENTITY_REF = 'component:default/inference-service';
const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'inference-service',
    namespace: 'default',
    annotations: {
      'devops-app.io/environments': 'dev,pre-prod,prod',
      'devops-app.io/prod-deployers': 'group:default/prod-deployers',
      'devops-app.io/prometheus-selector': 'service="inference-service"',
      'argocd/app-selector': 'devops-app.io/service=inference-service',
    },
  },
  spec: {
    type: 'service',
    owner: 'group:default/ml-team',
    lifecycle: 'production',
  },
};

const OWNERS = ['user:default/guest', 'user:default/ana'];
const PROD_DEPLOYERS = ['user:default/ana', 'user:default/pat'];
const OWNER = 'user:default/guest';
const NON_OWNER = 'user:default/eve';
const OWNER_AND_PROD_DEPLOYER = 'user:default/ana';

const authorize: PermissionsService['authorize'] = async (
  requests,
  options,
) => {
  const user = (options.credentials.principal as BackstageUserPrincipal)
    .userEntityRef;
  // Anyone signed in reads the catalog; the deployment permissions are the owners' and deployers'.
  const allowed = (name: string) => {
    if (name.startsWith('catalog.')) return true;
    const members =
      name === 'devops-app.environment.production' ? PROD_DEPLOYERS : OWNERS;
    return members.includes(user);
  };
  return requests.map(r => ({
    result: allowed(r.permission.name)
      ? AuthorizeResult.ALLOW
      : AuthorizeResult.DENY,
  }));
};

// Real git processes and Prometheus queries on a loaded 2-core machine.
jest.setTimeout(120_000);

const FREEZE = {
  name: 'Release week',
  environments: ['pre-prod'],
  start: new Date(Date.now() - 3600_000).toISOString(),
  end: new Date(Date.now() + 3600_000).toISOString(),
  description: 'the release is being cut',
};

describe('rollback and freeze windows (routes)', () => {
  let remote: GitRemote;
  let prometheus: RunningPrometheus;
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let db: Knex;
  let standIn: Awaited<ReturnType<typeof startArgoCdStandIn>>;
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  let devRollout: ReturnType<typeof pausedRollout>;

  beforeAll(async () => {
    const now = Math.floor(Date.now() / 1000 / SCRAPE_SECONDS) * SCRAPE_SECONDS;
    prometheus = await startPrometheus(
      knownSamples(now - 3 * 3600, now - SCRAPE_SECONDS, [
        { name: 'dev', withErrors: false, version: '0.1.0' },
        { name: 'prod', withErrors: false, version: '0.3.0' },
      ]).text,
    );
  }, 180_000);
  afterAll(async () => {
    await prometheus?.stop();
  });

  beforeEach(async () => {
    remote = await createGitRemote();
    db = await databases.init('SQLITE_3');
    devRollout = pausedRollout('dev');
    standIn = await startArgoCdStandIn('argo-token', [
      {
        application: application('dev', { automated: true }),
        rollout: devRollout,
      },
      { application: application('pre-prod', { automated: true }) },
      { application: application('prod', { automated: true }) },
    ]);
    ({ server } = await startTestBackend({
      features: [
        devopsAppPlugin,
        mockServices.rootConfig.factory({
          data: {
            devopsApp: {
              gitops: { repository: remote.remote, branch: 'main' },
              argocd: {
                instances: [
                  {
                    name: 'main',
                    baseUrl: standIn.baseUrl,
                    token: 'argo-token',
                  },
                ],
              },
              prometheus: { baseUrl: prometheus.baseUrl },
              promotion: {
                // The samples end 15 s before the test: read a window that holds many scrapes.
                verification: { minWindowSeconds: 1800 },
                freezes: [FREEZE],
              },
            },
          },
        }),
        mockServices.database.factory({ knex: db }),
        mockServices.permissions.mock({ authorize }).factory,
        catalogServiceMock.factory({
          entities: [entity, ...STANDARD_ENVIRONMENTS],
        }),
      ],
    }));
  });
  afterEach(async () => {
    await standIn.close();
    await remote.cleanup();
  });

  const as = (user: string) => mockCredentials.user.header(user);
  const post = (path: string, user: string, body: object) =>
    request(server)
      .post(`/api/devops-app${path}`)
      .set('Authorization', as(user))
      .send(body);
  const audit = (environment: string) =>
    db('devops_app_deployment_audit')
      .where({ environment })
      .orderBy('id')
      .select();
  const offers = async (user = OWNER) => {
    const res = await request(server)
      .get(`/api/devops-app/deployments/rollback?entityRef=${ENTITY_REF}`)
      .set('Authorization', as(user));
    expect(res.status).toBe(200);
    return Object.fromEntries(
      (res.body.items as { environment: string }[]).map(i => [
        i.environment,
        i,
      ]),
    ) as Record<string, any>;
  };
  const deploy = (environment: string, tag: string, user = OWNER) =>
    post('/deployments', user, { entityRef: ENTITY_REF, environment, tag });
  const rollback = (environment: string, user = OWNER, extra = {}) =>
    post('/deployments/rollback', user, {
      entityRef: ENTITY_REF,
      environment,
      ...extra,
    });

  it('rolls dev back from 0.2.0 to 0.1.0, verified on Prometheus until it was replaced, aborting the paused Rollout; audited as rollback; DORA counts it', async () => {
    expect((await deploy('dev', '0.2.0')).status).toBe(201);
    const offer = (await offers()).dev;
    expect(offer).toMatchObject({
      environment: 'dev',
      current: '0.2.0',
      available: true,
      version: '0.1.0',
      abortsRollout: true,
    });
    expect(offer.verifiedBy).toMatch(
      /^verified in dev until .*: requests \d+ ≥ 50 minimum, error ratio 0 % ≤ 1 %, p95 latency 0\.47 s ≤ 0\.5 s$/,
    );

    const res = await rollback('dev');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      environment: 'dev',
      before: '0.2.0',
      after: '0.1.0',
      changed: true,
      aborted: true,
    });
    expect(await remote.show('main', 'charts/inference/values.yaml')).toMatch(
      /tag: "?0\.1\.0"?/,
    );
    // The abort went to dev's Rollout through Argo CD before the commit.
    expect(devRollout.status).toMatchObject({ abort: true });
    const entries = await audit('dev');
    expect(entries.map(e => [e.action, e.result, e.before, e.after])).toEqual([
      ['deploy', 'success', '0.1.0', '0.2.0'],
      ['rollback', 'success', '0.2.0', '0.1.0'],
    ]);
    expect(entries[1].actor).toBe(OWNER);
    expect(entries[1].commit).toMatch(/^[0-9a-f]{40}$/);
    expect(entries[1].message).toContain('abort sent to Rollout inference');
    expect(entries[1].message).toContain('verified in dev until');

    // Deploy and rollback are two deploys; the rollback marks the deploy of 0.2.0 failed.
    const dora = await request(server)
      .get(
        `/api/devops-app/deployments/dora?entityRef=${ENTITY_REF}&environment=dev&days=30`,
      )
      .set('Authorization', as(OWNER));
    expect(dora.body.deploymentFrequency.deploys).toBe(2);
    expect(dora.body.changeFailureRate).toMatchObject({
      deploys: 2,
      failures: 1,
      rate: 0.5,
    });

    // 0.1.0 runs again: the only version before it is 0.2.0, which is not verified (no traffic).
    expect((await offers()).dev).toMatchObject({
      current: '0.1.0',
      available: false,
      reason: expect.stringMatching(
        /^0\.2\.0 is not verified in dev \(requests 0 < 50 minimum/,
      ),
    });
  });

  it('refuses with 409 and the reason when there is nothing to roll back to, audited as a failed rollback; a strict body', async () => {
    const none = await rollback('dev');
    expect(none.status).toBe(409);
    expect(none.body.error.message).toBe(
      'Nothing to roll back to in dev: no version before 0.1.0 is recorded in dev',
    );
    expect(
      (await audit('dev')).map(e => [e.action, e.result, e.message]),
    ).toEqual([
      [
        'rollback',
        'failure',
        'Nothing to roll back to in dev: no version before 0.1.0 is recorded in dev',
      ],
    ]);
    // The version is never taken from the body.
    const named = await rollback('dev', OWNER, { version: '0.0.1' });
    expect(named.status).toBe(400);
    expect(JSON.stringify(named.body)).toContain('version');
  });

  it('prod: offers the version before a failing one (rule b), and nothing when the versions before are unverified and the current one is healthy', async () => {
    const ana = OWNER_AND_PROD_DEPLOYER;
    // 0.4.0 has no traffic: it fails its verification now, so 0.1.0 (which ran before it) is offered.
    expect((await deploy('prod', '0.4.0', ana)).status).toBe(201);
    expect((await offers(ana)).prod).toMatchObject({
      current: '0.4.0',
      available: true,
      version: '0.1.0',
      verifiedBy:
        'it ran before 0.4.0, and 0.4.0 fails its verification now (requests 0 < 50 minimum; error ratio unknown: no requests; p95 latency unknown: no requests)',
    });
    // 0.3.0 is healthy: neither 0.4.0 nor 0.1.0 ever served enough requests, so nothing is verified.
    expect((await deploy('prod', '0.3.0', ana)).status).toBe(201);
    const offer = (await offers(ana)).prod;
    expect(offer).toMatchObject({ current: '0.3.0', available: false });
    expect(offer.reason).toBe(
      [
        '0.4.0 is not verified in prod (requests 0 < 50 minimum; error ratio unknown: no requests; p95 latency unknown: no requests)',
        '0.1.0 is not verified in prod (requests 0 < 50 minimum; error ratio unknown: no requests; p95 latency unknown: no requests)',
      ].join('; '),
    );
    const res = await rollback('prod', ana);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      `Nothing to roll back to in prod: ${offer.reason}`,
    );
  });

  it('authorizes as devops-app.deployment.rollback: a non-owner is denied (403, audited) and nothing changes', async () => {
    expect((await deploy('dev', '0.2.0')).status).toBe(201);
    // The offers say beforehand what the route decides: per caller and environment, with the reason.
    const permissions = async (user: string) =>
      Object.fromEntries(
        Object.entries(await offers(user)).map(([env, o]) => [
          env,
          o.permission,
        ]),
      );
    expect(await permissions(OWNER)).toEqual({
      dev: { allowed: true },
      'pre-prod': { allowed: true },
      prod: {
        allowed: false,
        reason:
          'Only production deployers (group:default/prod-deployers) may roll back production',
      },
    });
    expect((await permissions(OWNER_AND_PROD_DEPLOYER)).prod).toEqual({
      allowed: true,
    });
    const owners =
      "Only members of group:default/ml-team, the service's owner, may roll back";
    expect(await permissions(NON_OWNER)).toEqual({
      dev: { allowed: false, reason: owners },
      'pre-prod': { allowed: false, reason: owners },
      prod: {
        allowed: false,
        reason:
          'Only production deployers (group:default/prod-deployers) may roll back production',
      },
    });
    const res = await rollback('dev', NON_OWNER);
    expect(res.status).toBe(403);
    const last = (await audit('dev')).at(-1);
    expect(last).toMatchObject({
      action: 'rollback',
      result: 'denied',
      actor: NON_OWNER,
    });
    expect(await remote.show('main', 'charts/inference/values.yaml')).toMatch(
      /tag: "?0\.2\.0"?/,
    );
    expect(devRollout.status).not.toHaveProperty('abort');
  });

  it('a freeze window refuses deploys and rollbacks into its environment (409 naming it and its end), audited as denied; other environments are not frozen', async () => {
    const refused = await deploy('pre-prod', '0.2.0');
    expect(refused.status).toBe(409);
    const message = `Refused: pre-prod is frozen by freeze window "Release week" until ${new Date(
      FREEZE.end,
    ).toISOString()}: the release is being cut`;
    expect(refused.body.error.message).toBe(message);
    expect(
      await remote.show('main', 'charts/inference/values-pre-prod.yaml'),
    ).toMatch(/tag: "?0\.1\.0"?/);
    const rolledBack = await rollback('pre-prod');
    expect(rolledBack.status).toBe(409);
    expect(rolledBack.body.error.message).toBe(message);
    expect(
      (await audit('pre-prod')).map(e => [e.action, e.result, e.message]),
    ).toEqual([
      ['deploy', 'denied', message],
      ['rollback', 'denied', message],
    ]);
    // A caller who may not deploy there is told that first (403), not about the freeze.
    expect((await deploy('pre-prod', '0.2.0', NON_OWNER)).status).toBe(403);

    // The status, the offers and the pipeline say so.
    const status = await request(server)
      .get(`/api/devops-app/deployments/status?entityRef=${ENTITY_REF}`)
      .set('Authorization', as(OWNER));
    const rows = Object.fromEntries(
      status.body.items.map((i: any) => [i.environment, i]),
    );
    expect(rows['pre-prod'].freeze).toEqual({
      name: 'Release week',
      until: new Date(FREEZE.end).toISOString(),
      description: 'the release is being cut',
    });
    expect(rows.dev.freeze).toBeUndefined();
    expect((await offers())['pre-prod'].freeze?.name).toBe('Release week');
    const pipeline = await request(server)
      .get(`/api/devops-app/deployments/pipeline?entityRef=${ENTITY_REF}`)
      .set('Authorization', as(OWNER));
    expect(
      pipeline.body.stages.map((st: any) => [st.environment, st.freeze?.name]),
    ).toEqual([
      ['dev', undefined],
      ['pre-prod', 'Release week'],
      ['prod', undefined],
    ]);
    expect((await deploy('dev', '0.2.0')).status).toBe(201);
  });
});
