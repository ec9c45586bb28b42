import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  SignalPayload,
  SignalsService,
  signalsServiceRef,
} from '@backstage/plugin-signals-node';
import { Knex } from 'knex';
import request from 'supertest';
import {
  application,
  pausedRollout,
  startArgoCdStandIn,
} from './__testUtils__/argoCdStandIn';
import { createGitRemote, GitRemote } from './__testUtils__/gitRemote';
import {
  environmentEntity,
  STANDARD_ENVIRONMENTS,
} from '../__testUtils__/environmentEntities';
import { startPluginBackend } from '../__testUtils__/pluginBackend';

/**
 * The deployment routes end to end, in the plugin as the backend runs it (Backstage's test backend):
 * real git (a bare remote in a temp dir), a stand-in Argo CD on 127.0.0.1 (__testUtils__/argoCdStandIn.ts),
 * SQLite from TestDatabases for the audit log. The permission service is mockServices.permissions
 * deciding as packages/backend/src/permissionPolicy.ts does (the policy's own matrix test evaluates the
 * real catalog rules): owners may act, production also needs the prod-deployers group.
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
      'argocd/app-selector': 'devops-app.io/service=inference-service',
    },
  },
  spec: {
    type: 'service',
    owner: 'group:default/ml-team',
    lifecycle: 'production',
  },
};

/**
 * The service's environments in the catalog: dev, pre-prod, prod, plus qa (related, but not in the
 * service's devops-app.io/environments filter) and another service's environment.
 */
const catalogEntities = [
  entity,
  ...STANDARD_ENVIRONMENTS,
  environmentEntity('qa'),
  environmentEntity('staging', { services: ['component:default/other'] }),
];

const OWNERS = ['user:default/guest', 'user:default/ana'];
const PROD_DEPLOYERS = ['user:default/ana', 'user:default/pat'];
const USERS = {
  owner: 'user:default/guest',
  nonOwner: 'user:default/eve',
  prodDeployer: 'user:default/pat',
  ownerAndProdDeployer: 'user:default/ana',
};

// Every test runs real git processes; on a loaded 2-core machine they can take seconds (not a speed check).
jest.setTimeout(60_000);

describe('deployments router', () => {
  let remote: GitRemote;
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let db: Knex;
  let standIn: Awaited<ReturnType<typeof startArgoCdStandIn>>;

  beforeAll(async () => {
    remote = await createGitRemote();
  });
  afterAll(async () => {
    await remote.cleanup();
  });
  beforeEach(async () => {
    db = await databases.init('SQLITE_3');
    standIn = await startArgoCdStandIn('argo-token', [
      {
        application: application('dev', { automated: true }),
        rollout: pausedRollout('dev'),
      },
      {
        application: application('pre-prod', { automated: true }),
        rollout: pausedRollout('pre-prod'),
      },
      {
        application: application('prod', { automated: false }),
        rollout: pausedRollout('prod'),
      },
    ]);
  });
  afterEach(async () => {
    await standIn.close();
  });

  /** What the backend published through the signals service (the real one fans out over events). */
  let published: SignalPayload[];
  const signals: SignalsService = {
    async publish(signal) {
      published.push(signal as SignalPayload);
    },
  };
  beforeEach(() => {
    published = [];
  });

  async function app(
    options: {
      argocd?: boolean;
      repository?: string;
      entities?: typeof catalogEntities;
    } = { argocd: true },
  ) {
    const { server } = await startPluginBackend({
      entities: options.entities ?? catalogEntities,
      // As the portal's policy decides for these users (the request's resource is this entity).
      allows: (user, permission) =>
        (permission === 'devops-app.environment.production'
          ? PROD_DEPLOYERS
          : OWNERS
        ).includes(user ?? ''),
      config: {
        devopsApp: {
          gitops: {
            repository: options.repository ?? remote.remote,
            branch: 'main',
          },
          ...(options.argocd
            ? {
                argocd: {
                  instances: [
                    {
                      name: 'main',
                      baseUrl: standIn.baseUrl,
                      token: 'argo-token',
                    },
                  ],
                },
              }
            : {}),
        },
      },
      features: [
        mockServices.database.factory({ knex: db }),
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => signals,
        }),
      ],
    });
    return server;
  }

  const as = (user: string) => mockCredentials.user.header(user);
  const audit = () => db('devops_app_deployment_audit').select();

  it('deploys a tag to dev: one commit that changes exactly image.tag, audited, shown in status', async () => {
    const server = await app();
    const count = await remote.count();
    const before = await remote.show('main', 'charts/inference/values.yaml');
    const res = await request(server)
      .post('/api/devops-app/deployments')
      .set('Authorization', as(USERS.owner))
      .send({ entityRef: ENTITY_REF, environment: 'dev', tag: '0.4.2' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      environment: 'dev',
      valuesFile: 'charts/inference/values.yaml',
      after: '0.4.2',
      changed: true,
    });
    expect(await remote.count()).toBe(count + 1);
    const after = await remote.show('main', 'charts/inference/values.yaml');
    expect(after).toBe(before.replace(/^ {2}tag: ".*"$/m, '  tag: "0.4.2"'));
    // dev syncs by itself: no sync request.
    expect(res.body.syncRequested).toBeUndefined();
    expect(standIn.requests.filter(r => r.method === 'POST')).toHaveLength(0);

    const history = await request(server)
      .get(`/api/devops-app/audit?entityRef=${ENTITY_REF}`)
      .set('Authorization', as(USERS.owner));
    expect(history.body.items[0]).toMatchObject({
      actor: USERS.owner,
      entityRef: ENTITY_REF,
      environment: 'dev',
      action: 'deploy',
      before: res.body.before,
      after: '0.4.2',
      result: 'success',
      commit: res.body.commit,
    });

    const status = await request(server)
      .get(`/api/devops-app/deployments/status?entityRef=${ENTITY_REF}`)
      .set('Authorization', as(USERS.owner));
    expect(status.status).toBe(200);
    const dev = status.body.items.find((i: any) => i.environment === 'dev');
    expect(dev).toMatchObject({
      gitTag: '0.4.2',
      lastDeploy: { actor: USERS.owner, after: '0.4.2' },
      argocd: {
        state: 'connected',
        application: 'inference-dev',
        rollout: { pausedForPromotion: true },
      },
      permissions: { deploy: { allowed: true }, promote: { allowed: true } },
    });
    const prod = status.body.items.find((i: any) => i.environment === 'prod');
    expect(prod.permissions.deploy).toEqual({
      allowed: false,
      reason:
        'Production also needs membership of group:default/prod-deployers',
    });
  });

  it("announces each audit entry on the entity's signal channel, without secrets or details", async () => {
    const server = await app();
    const res = await request(server)
      .post('/api/devops-app/deployments')
      .set('Authorization', as(USERS.ownerAndProdDeployer))
      .send({ entityRef: ENTITY_REF, environment: 'prod', tag: '6.1.0' });
    expect(res.status).toBe(201);
    const [record] = await audit();
    expect(published).toEqual([
      {
        recipients: { type: 'broadcast' },
        channel: 'devops-app:deployments:component:default/inference-service',
        message: {
          entityRef: ENTITY_REF,
          environment: 'prod',
          action: 'deploy',
          result: 'success',
          auditId: record.id,
        },
      },
    ]);
    // A denied request is an audit entry too; its reason stays in the audit log.
    const refused = await request(server)
      .post('/api/devops-app/deployments/promote')
      .set('Authorization', as(USERS.nonOwner))
      .send({ entityRef: ENTITY_REF, environment: 'dev' });
    expect(refused.status).toBe(403);
    expect(published[1]).toMatchObject({
      channel: 'devops-app:deployments:component:default/inference-service',
      message: { environment: 'dev', action: 'promote', result: 'denied' },
    });
    const text = JSON.stringify(published);
    for (const secret of [
      'argo-token',
      remote.remote,
      res.body.commit,
      'Only members',
      USERS.nonOwner,
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('keeps the action when publishing the signal fails', async () => {
    const failing = jest
      .spyOn(signals, 'publish')
      .mockRejectedValue(new Error('events bus down'));
    try {
      const server = await app();
      const res = await request(server)
        .post('/api/devops-app/deployments')
        .set('Authorization', as(USERS.owner))
        .send({ entityRef: ENTITY_REF, environment: 'dev', tag: '6.2.0' });
      expect(res.status).toBe(201);
      expect(failing).toHaveBeenCalledTimes(1);
      expect(await audit()).toEqual([
        expect.objectContaining({ after: '6.2.0', result: 'success' }),
      ]);
    } finally {
      failing.mockRestore();
    }
  });

  it('asks Argo CD to sync after a deploy to a manual-sync environment', async () => {
    const server = await app();
    const res = await request(server)
      .post('/api/devops-app/deployments')
      .set('Authorization', as(USERS.ownerAndProdDeployer))
      .send({ entityRef: ENTITY_REF, environment: 'prod', tag: '7.0.0' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      valuesFile: 'charts/inference/values-prod.yaml',
      syncRequested: true,
    });
    expect(
      standIn.requests.filter(r => r.method === 'POST').map(r => r.path),
    ).toEqual(['/api/v1/applications/inference-prod/sync']);
  });

  describe('bad input answers 400 and commits nothing', () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [
        'a tag with a space',
        { environment: 'dev', tag: '1.0 0' },
        /^tag: "1\.0 0" may only hold/,
      ],
      [
        'a tag with ;',
        { environment: 'dev', tag: '1.0;rm -rf' },
        /^tag: "1\.0;rm -rf" may only hold/,
      ],
      [
        'a tag with a newline',
        { environment: 'dev', tag: '1.0\nimage: evil' },
        /^tag: "1\.0\\nimage: evil" may only hold/,
      ],
      [
        'a 200-character tag',
        { environment: 'dev', tag: 'a'.repeat(200) },
        /^tag: "a{40}…" is longer than 63 characters$/,
      ],
      ['an empty tag', { environment: 'dev', tag: '' }, /^tag: is empty$/],
      [
        'a tag that is not a string',
        { environment: 'dev', tag: 5 },
        /^tag: must be a string, not a number$/,
      ],
      ['a missing environment', { tag: '1.0.0' }, /^environment: required$/],
      [
        "another service's environment",
        { environment: 'staging', tag: '1.0.0' },
        /^environment: component:default\/inference-service has no environment "staging" \(it has dev, pre-prod, prod\)/,
      ],
      [
        'an environment name that is not a DNS label',
        { environment: 'Prod;x', tag: '1.0.0' },
        /^environment: "Prod;x" must be a lower-case DNS label/,
      ],
      [
        'an environment the entity does not list in devops-app.io/environments',
        { environment: 'qa', tag: '1.0.0' },
        /has no environment "qa"/,
      ],
    ];
    it.each(cases)('%s', async (_name, body, message) => {
      const server = await app();
      const count = await remote.count();
      const res = await request(server)
        .post('/api/devops-app/deployments')
        .set('Authorization', as(USERS.owner))
        .send({ entityRef: ENTITY_REF, ...body });
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toMatch(message);
      expect(await remote.count()).toBe(count);
      expect(await audit()).toEqual([]);
    });

    it('an entity that does not exist is 404', async () => {
      const res = await request(await app())
        .post('/api/devops-app/deployments')
        .set('Authorization', as(USERS.owner))
        .send({
          entityRef: 'component:default/nope',
          environment: 'dev',
          tag: '1.0.0',
        });
      expect(res.status).toBe(404);
    });
  });

  describe('permission matrix', () => {
    type Row = [keyof typeof USERS, 'dev' | 'prod', boolean];
    const rows: Row[] = [
      ['owner', 'dev', true],
      ['owner', 'prod', false],
      ['nonOwner', 'dev', false],
      ['nonOwner', 'prod', false],
      ['prodDeployer', 'dev', false],
      ['prodDeployer', 'prod', false],
      ['ownerAndProdDeployer', 'dev', true],
      ['ownerAndProdDeployer', 'prod', true],
    ];
    const actions = [
      ['deploy', '/deployments', 201],
      ['sync', '/deployments/sync', 200],
      ['promote', '/deployments/promote', 200],
      ['abort', '/deployments/abort', 200],
    ] as const;
    const cases = rows.flatMap(([user, env, allowed]) =>
      actions.map(([action, path, okStatus]) => ({
        user,
        env,
        allowed,
        action,
        path,
        okStatus,
      })),
    );

    it.each(cases)(
      '$user $action $env: allowed $allowed',
      async ({ user, env, allowed, action, path, okStatus }) => {
        const server = await app();
        const count = await remote.count();
        const res = await request(server)
          .post(`/api/devops-app${path}`)
          .set('Authorization', as(USERS[user]))
          // Only a deploy takes a tag: the other actions refuse unknown fields.
          .send({
            entityRef: ENTITY_REF,
            environment: env,
            ...(action === 'deploy' ? { tag: `9.${count}.0` } : {}),
          });
        const records = await audit();
        expect({
          status: res.status,
          error: res.body.error?.name,
          commits: (await remote.count()) - count,
          argoCdWrites: standIn.requests.filter(r => r.method === 'POST')
            .length,
          audit: records.map(r => ({
            actor: r.actor,
            action: r.action,
            environment: r.environment,
            result: r.result,
          })),
        }).toEqual({
          status: allowed ? okStatus : 403,
          error: allowed ? undefined : 'NotAllowedError',
          commits: allowed && action === 'deploy' ? 1 : 0,
          // deploy to prod (manual sync) asks for a sync; sync, promote and abort each make one call.
          argoCdWrites:
            allowed && (action !== 'deploy' || env === 'prod') ? 1 : 0,
          audit: [
            {
              actor: USERS[user],
              action,
              environment: env,
              result: allowed ? 'success' : 'denied',
            },
          ],
        });
        expect(allowed ? 'allowed' : res.body.error.message).toMatch(
          /^allowed$|Only members|Production also needs/,
        );
      },
    );

    it('anonymous callers get 401 on every action and on status', async () => {
      const server = await app();
      for (const path of [
        '/deployments',
        '/deployments/sync',
        '/deployments/promote',
        '/deployments/abort',
      ]) {
        const res = await request(server)
          .post(`/api/devops-app${path}`)
          .set('Authorization', mockCredentials.none.header())
          .send({
            entityRef: ENTITY_REF,
            environment: 'dev',
            ...(path === '/deployments' ? { tag: '1.0.0' } : {}),
          });
        expect(res.status).toBe(401);
      }
      const status = await request(server)
        .get(`/api/devops-app/deployments/status?entityRef=${ENTITY_REF}`)
        .set('Authorization', mockCredentials.none.header());
      expect(status.status).toBe(401);
      expect(await audit()).toEqual([]);
    });
  });

  it('reports a push the remote rejects as 409, audits the failure, commits nothing', async () => {
    const rejecting = await createGitRemote();
    try {
      await rejecting.rejectPushes('pushes to main need a pull request');
      const server = await app({ repository: rejecting.remote });
      const head = await rejecting.head();
      const res = await request(server)
        .post('/api/devops-app/deployments')
        .set('Authorization', as(USERS.owner))
        .send({ entityRef: ENTITY_REF, environment: 'dev', tag: '5.5.5' });
      expect(res.status).toBe(409);
      expect(res.body.error.message).toContain(
        'pushes to main need a pull request',
      );
      expect(await rejecting.head()).toBe(head);
      expect(await audit()).toEqual([
        expect.objectContaining({
          action: 'deploy',
          after: '5.5.5',
          result: 'failure',
        }),
      ]);
    } finally {
      await rejecting.cleanup();
    }
  });

  it('says Argo CD is not connected, and what to configure, when no instance is configured', async () => {
    const server = await app({ argocd: false });
    const status = await request(server)
      .get(`/api/devops-app/deployments/status?entityRef=${ENTITY_REF}`)
      .set('Authorization', as(USERS.owner));
    expect(status.status).toBe(200);
    for (const item of status.body.items) {
      expect(item.argocd).toEqual({
        state: 'not-connected',
        message: expect.stringContaining('devopsApp.argocd.instances'),
      });
    }
    expect(status.body.items.map((i: any) => i.environment)).toEqual([
      'dev',
      'pre-prod',
      'prod',
    ]);
    const sync = await request(server)
      .post('/api/devops-app/deployments/sync')
      .set('Authorization', as(USERS.owner))
      .send({ entityRef: ENTITY_REF, environment: 'dev' });
    expect(sync.status).toBe(404);
    expect(sync.body.error.message).toContain('devopsApp.argocd.instances');
    expect(JSON.stringify(status.body)).not.toContain('argo-token');
  });

  it('an environment with a malformed annotation: its row says so, the others work, a deploy to it is 400 naming the annotation', async () => {
    const { ['devops-app.io/environments']: _filter, ...annotations } =
      entity.metadata.annotations;
    const service = {
      ...entity,
      metadata: { ...entity.metadata, annotations },
    };
    const server = await app({
      argocd: true,
      entities: [
        service,
        ...STANDARD_ENVIRONMENTS,
        environmentEntity('broken', {
          annotations: {
            'devops-app.io/namespace': 'Bad_NS',
            'devops-app.io/prometheus-url': 'ftp://prometheus',
          },
        }),
      ],
    });
    const count = await remote.count();
    const res = await request(server)
      .post('/api/devops-app/deployments')
      .set('Authorization', as(USERS.owner))
      .send({ entityRef: ENTITY_REF, environment: 'broken', tag: '1.0.0' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /^environment: environment "broken" \(resource:default\/broken\) cannot be used: devops-app.io\/namespace: "Bad_NS" is not a DNS label.*; devops-app.io\/prometheus-url: "ftp:\/\/prometheus" is not an http or https URL/,
    );
    expect(await remote.count()).toBe(count);
    expect(await audit()).toEqual([]);

    const status = await request(server)
      .get(`/api/devops-app/deployments/status?entityRef=${ENTITY_REF}`)
      .set('Authorization', as(USERS.owner));
    expect(status.status).toBe(200);
    expect(status.body.items.map((i: any) => i.environment)).toEqual([
      'dev',
      'pre-prod',
      'prod',
      'broken',
    ]);
    expect(status.body.items[0].argocd.state).toBe('connected');
    expect(status.body.items[0].gitTag).toBeDefined();
  });

  it('an environment that names an Argo CD instance the portal does not have is refused, naming the annotation', async () => {
    const server = await app({
      argocd: true,
      entities: [
        entity,
        ...STANDARD_ENVIRONMENTS.filter(e => e.metadata.name !== 'dev'),
        environmentEntity('dev', {
          annotations: { 'devops-app.io/argocd-instance': 'elsewhere' },
        }),
      ],
    });
    const res = await request(server)
      .post('/api/devops-app/deployments/sync')
      .set('Authorization', as(USERS.owner))
      .send({ entityRef: ENTITY_REF, environment: 'dev' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(
      'devops-app.io/argocd-instance: "elsewhere" is not an Argo CD instance of the portal (devopsApp.argocd.instances[].name: main)',
    );
  });

  it('an environment that names its instance is read through that instance only', async () => {
    const server = await app({
      argocd: true,
      entities: [
        entity,
        ...STANDARD_ENVIRONMENTS.filter(e => e.metadata.name !== 'pre-prod'),
        environmentEntity('pre-prod', {
          annotations: {
            'devops-app.io/argocd-instance': 'main',
            'devops-app.io/promotion-order': '2',
          },
        }),
      ],
    });
    const status = await request(server)
      .get(`/api/devops-app/deployments/status?entityRef=${ENTITY_REF}`)
      .set('Authorization', as(USERS.owner));
    expect(status.body.items[1]).toMatchObject({
      environment: 'pre-prod',
      argocd: { state: 'connected', instance: 'main' },
    });
  });

  it('previews the values-file diff for the confirmation dialog without committing', async () => {
    const server = await app();
    const count = await remote.count();
    const res = await request(server)
      .post('/api/devops-app/deployments/preview')
      .set('Authorization', as(USERS.nonOwner))
      .send({ entityRef: ENTITY_REF, environment: 'pre-prod', tag: '3.3.3' });
    expect(res.status).toBe(200);
    expect(res.body.diff).toMatch(/^\+ {2}tag: "3\.3\.3"$/m);
    expect(await remote.count()).toBe(count);
  });
});
