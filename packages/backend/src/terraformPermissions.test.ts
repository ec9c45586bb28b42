import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import devopsAppPlugin from '@devops-app/plugin-devops-app-backend';
import {
  createServiceFactory,
  coreServices,
} from '@backstage/backend-plugin-api';
import { AddressInfo } from 'node:net';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { policyPermissions } from './__testUtils__/policyEvaluation';

/**
 * The terraform permission matrix through the real devops-app backend plugin and the real policy
 * (DevopsAppPermissionPolicy, its conditions applied by the catalog's rules and
 * IS_PRODUCTION_ENVIRONMENT to the environment's entity): every principal × action × environment
 * class, asserting the HTTP status and the audit entry (read back through GET /audit). Runs are
 * queued and never executed (`concurrency: 0`): the decision, not terraform, is under test.
 */
jest.setTimeout(120_000);

const group = (name: string, members: string[]): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [], members },
});
const user = (name: string, memberOf: string[]): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf },
});
const environment = (
  name: string,
  owner: string,
  annotations: Record<string, string>,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'environment', owner },
  relations: [{ type: 'ownedBy', targetRef: owner }],
});

const PRINCIPALS = {
  anonymous: undefined,
  owner: 'user:default/ana.ml',
  nonOwner: 'user:default/eve',
  prodDeployer: 'user:default/pat.platform',
  noGroup: 'user:default/nobody',
} as const;
type Principal = keyof typeof PRINCIPALS;
/** Starts the runs the cancel and approve cells act on: in both groups, never a principal. */
const STARTER = 'user:default/starter';

const ENVIRONMENTS = {
  // Both owned by ml-team, whose member the owner is: owning prod is not enough.
  nonProduction: 'pre-prod',
  // Production-class by the model's default for prod (no devops-app.io/production annotation).
  production: 'prod',
} as const;
type EnvironmentClass = keyof typeof ENVIRONMENTS;

const entities: Entity[] = [
  group('ml-team', ['ana.ml', 'starter']),
  group('other-team', ['eve']),
  group('platform-team', ['pat.platform']),
  group('prod-deployers', ['pat.platform', 'starter']),
  user('ana.ml', ['ml-team']),
  user('eve', ['other-team']),
  user('pat.platform', ['platform-team', 'prod-deployers']),
  user('nobody', []),
  user('starter', ['ml-team', 'prod-deployers']),
  environment('pre-prod', 'group:default/ml-team', {
    'devops-app.io/production': 'false',
  }),
  environment('prod', 'group:default/ml-team', {}),
];

type Action = 'plan' | 'apply' | 'destroy' | 'approve' | 'cancel';
type Outcome = 'allowed' | 'denied' | 'unauthenticated';

// principal: [non-production, production]; the same for every action.
const EXPECTED: Record<Principal, [Outcome, Outcome]> = {
  anonymous: ['unauthenticated', 'unauthenticated'],
  owner: ['allowed', 'denied'],
  nonOwner: ['denied', 'denied'],
  prodDeployer: ['denied', 'allowed'],
  noGroup: ['denied', 'denied'],
};
const ACTIONS: Action[] = ['plan', 'apply', 'destroy', 'approve', 'cancel'];

/** Status of an allowed action: a start 201, a cancel 200, an approve 409 (no plan awaits approval yet). */
const ALLOWED_STATUS: Record<Action, number> = {
  plan: 201,
  apply: 201,
  destroy: 201,
  approve: 409,
  cancel: 200,
};

const MATRIX = (Object.keys(EXPECTED) as Principal[]).flatMap(principal =>
  ACTIONS.flatMap(action =>
    (Object.keys(ENVIRONMENTS) as EnvironmentClass[]).map((env, i) => {
      const outcome = EXPECTED[principal][i];
      const status =
        outcome === 'unauthenticated'
          ? 401
          : outcome === 'denied'
          ? 403
          : ALLOWED_STATUS[action];
      // An allowed approve reaches the run service, which refuses: audited as a failure.
      const audit =
        outcome === 'unauthenticated'
          ? 'none'
          : outcome === 'denied'
          ? 'denied'
          : action === 'approve'
          ? 'failure'
          : 'success';
      return { principal, action, env, status, audit };
    }),
  ),
);

describe('terraform permissions: principal × action × environment class, through the backend', () => {
  let root: string;
  let baseUrl: string;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'tf-matrix-'));
    const { server } = await startTestBackend({
      features: [
        devopsAppPlugin,
        catalogServiceMock.factory({ entities }),
        createServiceFactory({
          service: coreServices.permissions,
          deps: {},
          factory: () => policyPermissions(entities),
        }),
        mockServices.rootConfig.factory({
          data: {
            devopsApp: {
              terraform: {
                infraDir: resolvePackagePath('backend', '../../infra'),
                stateDir: path.join(root, 'state'),
                workDir: path.join(root, 'runs'),
                concurrency: 0,
              },
            },
          },
        }),
      ],
    });
    baseUrl = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/api/devops-app`;
  });
  afterAll(() => fs.rm(root, { recursive: true, force: true }));

  const call = async (
    method: 'GET' | 'POST',
    url: string,
    as: string | undefined,
    body?: object,
  ) => {
    const res = await fetch(`${baseUrl}${url}`, {
      method,
      headers: {
        'Content-Type': 'application/json',
        Authorization: as
          ? mockCredentials.user.header(as)
          : mockCredentials.none.header(),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json() };
  };
  const newestAudit = async (environment: string) =>
    (
      await call(
        'GET',
        `/audit?environment=${environment}&limit=1`,
        PRINCIPALS.owner,
      )
    ).body.items[0];

  it.each(MATRIX)(
    '$principal $action $env: $status, audit $audit',
    async ({ principal, action, env, status, audit }) => {
      const name = ENVIRONMENTS[env];
      const as = PRINCIPALS[principal];
      let target: string | undefined;
      let res;
      if (action === 'cancel' || action === 'approve') {
        const started = await call('POST', '/terraform/runs', STARTER, {
          environment: name,
          mode: 'plan',
        });
        expect(started.status).toBe(201);
        target = started.body.id;
        const before = await newestAudit(name);
        res = await call('POST', `/terraform/runs/${target}/${action}`, as);
        if (audit === 'none') expect(await newestAudit(name)).toEqual(before);
      } else {
        const before = await newestAudit(name);
        res = await call('POST', '/terraform/runs', as, {
          environment: name,
          mode: action,
        });
        if (audit === 'none') expect(await newestAudit(name)).toEqual(before);
        if (status === 201) target = res.body.id;
      }
      expect(res.status).toBe(status);
      if (status === 403) {
        // The reason names the permission and the environment.
        expect(res.body.error.message).toContain(
          `devops-app.terraform.${action} on resource:default/${name}`,
        );
      }
      if (audit !== 'none') {
        expect(await newestAudit(name)).toMatchObject({
          actor: as,
          entityRef: `resource:default/${name}`,
          environment: name,
          action,
          result: audit,
          ...(target ? { runId: target } : {}),
        });
      }
    },
  );

  it('a user in no group applies nothing anywhere, not even an environment the catalog does not hold', async () => {
    for (const name of ['pre-prod', 'prod', 'dev']) {
      const res = await call('POST', '/terraform/runs', PRINCIPALS.noGroup, {
        environment: name,
        mode: 'apply',
      });
      expect({ name, status: res.status }).toEqual({ name, status: 403 });
    }
  });
});
