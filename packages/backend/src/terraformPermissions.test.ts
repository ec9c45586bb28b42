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

/** Status of an allowed action: a start 201, a cancel 200, an approve 409 (the run is a queued plan, not awaiting approval). */
const ALLOWED_STATUS: Record<Action, number> = {
  plan: 201,
  apply: 201,
  destroy: 201,
  approve: 409,
  cancel: 200,
};

const STATUS: Record<Outcome, (action: Action) => number> = {
  unauthenticated: () => 401,
  denied: () => 403,
  allowed: action => ALLOWED_STATUS[action],
};
/** The audit entry's result: none for a caller never authenticated; an allowed approve reaches the run service, which refuses (failure). */
const AUDIT: Record<Outcome, (action: Action) => string> = {
  unauthenticated: () => 'none',
  denied: () => 'denied',
  allowed: action => (action === 'approve' ? 'failure' : 'success'),
};

const MATRIX = (Object.keys(EXPECTED) as Principal[]).flatMap(principal =>
  ACTIONS.flatMap(action =>
    (Object.keys(ENVIRONMENTS) as EnvironmentClass[]).map((env, i) => {
      const outcome = EXPECTED[principal][i];
      return {
        principal,
        action,
        env,
        status: STATUS[outcome](action),
        audit: AUDIT[outcome](action),
      };
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
  const newestAudit = async (name: string) =>
    (await call('GET', `/audit?environment=${name}&limit=1`, PRINCIPALS.owner))
      .body.items[0];

  /** What one cell does: start a run in `action` mode, or act on a run the starter queued. */
  async function act(action: Action, name: string, as: string | undefined) {
    if (action !== 'cancel' && action !== 'approve') {
      const res = await call('POST', '/terraform/runs', as, {
        environment: name,
        mode: action,
      });
      return { res, runId: res.status === 201 ? res.body.id : undefined };
    }
    const started = await call('POST', '/terraform/runs', STARTER, {
      environment: name,
      mode: 'plan',
    });
    expect(started.status).toBe(201);
    const res = await call(
      'POST',
      `/terraform/runs/${started.body.id}/${action}`,
      as,
      action === 'approve' ? { comment: 'matrix cell' } : undefined,
    );
    return { res, runId: started.body.id as string };
  }

  it.each(MATRIX)(
    '$principal $action $env: $status, audit $audit',
    async ({ principal, action, env, status, audit }) => {
      const name = ENVIRONMENTS[env];
      const as = PRINCIPALS[principal];
      const { res, runId } = await act(action, name, as);
      const entry = await newestAudit(name);
      const wrote = entry?.actor === as && entry?.action === action;
      expect({
        status: res.status,
        // A denial names the permission and the environment.
        denialNamesPermission:
          res.status !== 403 ||
          String(res.body.error?.message).includes(
            `devops-app.terraform.${action} on resource:default/${name}`,
          ),
        audit: wrote
          ? {
              result: entry.result,
              entityRef: entry.entityRef,
              environment: entry.environment,
              runId: entry.runId,
            }
          : 'none',
      }).toEqual({
        status,
        denialNamesPermission: true,
        audit:
          audit === 'none'
            ? 'none'
            : {
                result: audit,
                entityRef: `resource:default/${name}`,
                environment: name,
                // A denied start has no run; every other entry names its run.
                runId:
                  audit === 'denied' && !['cancel', 'approve'].includes(action)
                    ? undefined
                    : runId,
              },
      });
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
