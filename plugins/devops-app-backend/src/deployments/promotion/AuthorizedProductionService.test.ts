import {
  BackstageUserPrincipal,
  PermissionsService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { SignalPayload } from '@backstage/plugin-signals-node';
import {
  DeploymentResult,
  StagePromotion,
} from '@devops-app/plugin-devops-app-common';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import knexFactory, { Knex } from 'knex';
import { STANDARD_ENVIRONMENTS } from '../../__testUtils__/environmentEntities';
import { AuditStore } from '../AuditStore';
import { DeploymentService } from '../DeploymentService';
import { AuthorizedProductionService } from './AuthorizedProductionService';
import { PromotionService } from './PromotionService';
import { ProductionRequestStore } from './ProductionRequestStore';

/**
 * The production request service on a migrated SQLite database and the catalog's environments: who
 * may request, approve, reject and break glass (the permissions decided as
 * packages/backend/src/permissionPolicy.ts decides them for these users: its own matrix evaluates the
 * real catalog rules), the four-eyes rule (the requester never approves, even as a prod deployer),
 * what an approval executes, expiry, and the audit entries and signals of each. The promotion rule
 * and the deploy are stand-ins here (PromotionService and DeploymentService have their own tests):
 * the rule answers `rule`, the deploy records what it was asked.
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
    },
  },
  spec: { type: 'service', owner: 'group:default/ml-team', lifecycle: 'x' },
};

const USERS = {
  owner: 'user:default/ana.ml',
  nonOwner: 'user:default/eve',
  prodDeployer: 'user:default/pat.platform',
  ownerAndProdDeployer: 'user:default/both',
} as const;
type Principal = keyof typeof USERS | 'anonymous';
const OWNERS: string[] = [USERS.owner, USERS.ownerAndProdDeployer];
const PROD_DEPLOYERS: string[] = [
  USERS.prodDeployer,
  USERS.ownerAndProdDeployer,
];

/** As the policy decides for these users on this entity (which names group:default/prod-deployers). */
const permissions: PermissionsService = {
  async authorize(requests, options) {
    const user = (options.credentials.principal as BackstageUserPrincipal)
      .userEntityRef;
    return requests.map(r => {
      const name = r.permission.name;
      const members =
        name === 'devops-app.production.request' ? OWNERS : PROD_DEPLOYERS;
      return {
        result: members.includes(user)
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      };
    });
  },
  authorizeConditional: async () => {
    throw new Error('not used');
  },
};

const credentialsOf = (principal: keyof typeof USERS) =>
  mockCredentials.user(USERS[principal]);

describe('AuthorizedProductionService', () => {
  let db: Knex;
  let audit: AuditStore;
  let published: SignalPayload[];
  let rule: StagePromotion;
  let deploys: { tag: string; digest?: string; actor: string }[];
  let nowMs: number;
  let service: AuthorizedProductionService;
  let registryDigest: string;

  beforeEach(async () => {
    db = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    await db.migrate.latest({
      directory: resolvePackagePath(
        '@devops-app/plugin-devops-app-backend',
        'migrations',
      ),
      tableName: 'devops_app_knex_migrations',
      loadExtensions: ['.js'],
    });
    nowMs = Date.parse('2026-12-02T10:00:00Z');
    const now = () => new Date(nowMs);
    audit = new AuditStore(db, now);
    published = [];
    deploys = [];
    registryDigest = 'sha256:aaa';
    rule = {
      version: '0.2.0',
      from: 'pre-prod',
      allowed: true,
      soakSeconds: 60,
    };
    const promotions = {
      evaluate: async () => ({
        promotion: rule,
        source: {
          verification: {
            verified: true,
            windowSeconds: 300,
            checks: [
              {
                name: 'requests',
                passed: true,
                value: 120,
                message: 'requests 120 ≥ 50 minimum',
              },
            ],
          },
        },
      }),
      check: async () => rule,
    } as unknown as PromotionService;
    const deployments = {
      async deploy(o: {
        tag: string;
        digest?: string;
        actor: { userEntityRef: string };
      }): Promise<DeploymentResult> {
        if (o.digest && o.digest !== registryDigest) {
          throw new ConflictError(`${o.tag} is now ${registryDigest}`);
        }
        deploys.push({
          tag: o.tag,
          digest: o.digest,
          actor: o.actor.userEntityRef,
        });
        return {
          environment: 'prod',
          valuesFile: 'values-prod.yaml',
          before: '0.1.0',
          after: o.tag,
          changed: true,
          diff: '',
          commit: `commit-${deploys.length}`,
          image: {
            reference: `registry/inference:${o.tag}`,
            digest: registryDigest,
          },
        };
      },
    } as unknown as DeploymentService;
    service = new AuthorizedProductionService({
      service: deployments,
      promotions,
      store: new ProductionRequestStore(db, { maxAgeSeconds: 3600, now }),
      environments: new EnvironmentResolver(
        catalogServiceMock({ entities: [entity, ...STANDARD_ENVIRONMENTS] }),
      ),
      permissions,
      audit,
      logger: mockServices.logger.mock(),
      signals: {
        async publish(signal) {
          published.push(signal as SignalPayload);
        },
      },
      digestOf: async () => registryDigest,
      now,
    });
  });
  afterEach(async () => {
    await db.destroy();
  });

  const requestAs = (principal: keyof typeof USERS, environment = 'prod') =>
    service.request({
      credentials: credentialsOf(principal),
      entityRef: ENTITY_REF,
      environment,
      version: '0.2.0',
      comment: 'ready for users',
    });

  const entries = () =>
    audit.list<string>({ entityRef: ENTITY_REF, limit: 100 });

  describe('matrix: principal x action on production', () => {
    // [principal, request, approve, reject, break glass]: allowed or not.
    const table: [
      Exclude<Principal, 'anonymous'>,
      boolean,
      boolean,
      boolean,
      boolean,
    ][] = [
      ['owner', true, false, false, false],
      ['nonOwner', false, false, false, false],
      ['prodDeployer', false, true, true, true],
      ['ownerAndProdDeployer', true, true, true, true],
    ];

    it.each(table)(
      '%s: request %s, approve %s, reject %s, break glass %s',
      async (principal, request, approve, reject, breakGlass) => {
        const credentials = credentialsOf(principal);
        const outcome = (p: Promise<unknown>) =>
          p.then(
            () => 'allowed',
            (e: Error) => (e.name === 'NotAllowedError' ? 'denied' : e.message),
          );
        expect(await outcome(requestAs(principal))).toBe(
          request ? 'allowed' : 'denied',
        );
        // Someone else's pending requests to decide (a different requester than the principal).
        const other = principal === 'owner' ? 'ownerAndProdDeployer' : 'owner';
        await db('devops_app_production_requests').del();
        const first = await requestAs(other);
        expect(
          await outcome(
            service.approve({ credentials, id: first.id, comment: 'ok' }),
          ),
        ).toBe(approve ? 'allowed' : 'denied');
        await db('devops_app_production_requests').del();
        const second = await requestAs(other);
        expect(
          await outcome(
            service.reject({ credentials, id: second.id, comment: 'not now' }),
          ),
        ).toBe(reject ? 'allowed' : 'denied');
        expect(
          await outcome(
            service.breakGlass({
              credentials,
              entityRef: ENTITY_REF,
              environment: 'prod',
              version: '0.2.0',
              reason: 'the 0.1.0 image leaks memory: outage since 09:40',
            }),
          ),
        ).toBe(breakGlass ? 'allowed' : 'denied');
        // Every denial is audited with the caller as actor.
        const denied = (await entries()).filter(
          e => e.result === 'denied' && e.actor === USERS[principal],
        );
        expect(denied.map(e => e.action).sort()).toEqual(
          [
            !request && 'request-production',
            !approve && 'approve-production',
            !reject && 'reject-production',
            !breakGlass && 'break-glass',
          ]
            .filter(Boolean)
            .sort(),
        );
      },
    );

    it('refuses a production request or break glass for a non-production environment (400)', async () => {
      await expect(requestAs('owner', 'pre-prod')).rejects.toThrow(
        /pre-prod is not production/,
      );
      await expect(
        service.breakGlass({
          credentials: credentialsOf('prodDeployer'),
          entityRef: ENTITY_REF,
          environment: 'dev',
          version: '0.2.0',
          reason: 'a reason that is long enough',
        }),
      ).rejects.toMatchObject({ name: 'InputError' });
    });
  });

  it('never lets the requester approve, even a prod deployer; another prod deployer approves and it deploys what was requested', async () => {
    const created = await requestAs('ownerAndProdDeployer');
    expect(created).toMatchObject({
      status: 'pending',
      version: '0.2.0',
      digest: 'sha256:aaa',
      fromEnvironment: 'pre-prod',
      requestedBy: USERS.ownerAndProdDeployer,
      evidence: {
        promotion: { allowed: true, from: 'pre-prod' },
        verification: { verified: true },
      },
      expiresAt: '2026-12-02T11:00:00.000Z',
    });
    const own = await service.list({
      credentials: credentialsOf('ownerAndProdDeployer'),
      entityRef: ENTITY_REF,
    });
    expect(own.items[0].decide).toEqual({
      allowed: false,
      reason: expect.stringMatching(/you requested this promotion/),
    });
    await expect(
      service.approve({
        credentials: credentialsOf('ownerAndProdDeployer'),
        id: created.id,
      }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringMatching(/four-eyes/),
    });
    expect(deploys).toEqual([]);

    const theirs = await service.list({
      credentials: credentialsOf('prodDeployer'),
      entityRef: ENTITY_REF,
    });
    expect(theirs.items[0].decide).toEqual({ allowed: true });
    expect(theirs.breakGlass).toEqual({ prod: { allowed: true } });
    expect(theirs.request.prod.allowed).toBe(false);

    const approved = await service.approve({
      credentials: credentialsOf('prodDeployer'),
      id: created.id,
      comment: 'checks look right',
    });
    expect(approved).toMatchObject({
      status: 'executed',
      decidedBy: USERS.prodDeployer,
      decisionComment: 'checks look right',
      commit: 'commit-1',
    });
    expect(deploys).toEqual([
      { tag: '0.2.0', digest: 'sha256:aaa', actor: USERS.prodDeployer },
    ]);
    // Decided once: a second approval is a conflict, and nothing is deployed again.
    await expect(
      service.approve({
        credentials: credentialsOf('prodDeployer'),
        id: created.id,
      }),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    expect(deploys).toHaveLength(1);

    const log = (await entries()).map(e => ({
      actor: e.actor,
      action: e.action,
      result: e.result,
      commit: e.commit,
    }));
    expect(log.reverse()).toEqual([
      {
        actor: USERS.ownerAndProdDeployer,
        action: 'request-production',
        result: 'success',
        commit: undefined,
      },
      {
        actor: USERS.ownerAndProdDeployer,
        action: 'approve-production',
        result: 'denied',
        commit: undefined,
      },
      {
        actor: USERS.prodDeployer,
        action: 'approve-production',
        result: 'success',
        commit: undefined,
      },
      {
        actor: USERS.prodDeployer,
        action: 'promote-version',
        result: 'success',
        commit: 'commit-1',
      },
    ]);
    // Each entry was announced on the entity's channel (open Pipeline views reload).
    expect(
      published.map(p => [p.channel, (p.message as { action: string }).action]),
    ).toEqual([
      [`devops-app:deployments:${ENTITY_REF}`, 'request-production'],
      [`devops-app:deployments:${ENTITY_REF}`, 'approve-production'],
      [`devops-app:deployments:${ENTITY_REF}`, 'approve-production'],
      [`devops-app:deployments:${ENTITY_REF}`, 'promote-version'],
    ]);
  });

  it('re-checks the promotion rule and the digest at approval: a refusal fails the request, audited, nothing deployed', async () => {
    const first = await requestAs('owner');
    rule = {
      ...rule,
      allowed: false,
      reason: '0.2.0 in pre-prod failed verification: error ratio 25 % > 1 %',
    };
    await expect(
      service.approve({
        credentials: credentialsOf('prodDeployer'),
        id: first.id,
      }),
    ).rejects.toThrow(/refused at approval: .*error ratio 25 % > 1 %/);
    const failed = (
      await service.list({
        credentials: credentialsOf('owner'),
        entityRef: ENTITY_REF,
      })
    ).items[0];
    expect(failed).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/error ratio 25 %/),
    });
    expect(deploys).toEqual([]);
    const [latest] = await entries();
    expect(latest).toMatchObject({
      action: 'promote-version',
      result: 'failure',
      message: expect.stringMatching(/approved request #\d+: .*error ratio/),
    });

    // The tag was pushed again with other content since the request: refused.
    rule = { ...rule, allowed: true, reason: undefined };
    const second = await requestAs('owner');
    registryDigest = 'sha256:bbb';
    await expect(
      service.approve({
        credentials: credentialsOf('prodDeployer'),
        id: second.id,
      }),
    ).rejects.toThrow(/sha256:bbb/);
    expect(deploys).toEqual([]);
  });

  it('refuses a request the promotion rule refuses (409, audited as a failure) and a second pending one', async () => {
    rule = {
      ...rule,
      allowed: false,
      reason: '0.2.0 has run in pre-prod for 40 s of 1 min soak',
    };
    await expect(requestAs('owner')).rejects.toThrow(/40 s of 1 min soak/);
    expect((await entries())[0]).toMatchObject({
      action: 'request-production',
      result: 'failure',
    });
    rule = { ...rule, allowed: true };
    const open = await requestAs('owner');
    await expect(requestAs('ownerAndProdDeployer')).rejects.toThrow(
      new RegExp(`request #${open.id} .* is still pending`),
    );
  });

  it('rejects with the comment, and expires an undecided request after its age (audited once)', async () => {
    const rejected = await requestAs('owner');
    // A requester who is no prod deployer is told the four-eyes rule, the reason that holds anyway.
    const ownView = await service.list({
      credentials: credentialsOf('owner'),
      entityRef: ENTITY_REF,
    });
    expect(ownView.items[0].decide.reason).toMatch(
      /you requested this promotion/,
    );
    expect(
      await service.reject({
        credentials: credentialsOf('prodDeployer'),
        id: rejected.id,
        comment: 'wait for the load test',
      }),
    ).toMatchObject({
      status: 'rejected',
      decidedBy: USERS.prodDeployer,
      decisionComment: 'wait for the load test',
    });
    const stale = await requestAs('owner');
    nowMs += 3600 * 1000 + 1;
    const [newest] = (
      await service.list({
        credentials: credentialsOf('prodDeployer'),
        entityRef: ENTITY_REF,
      })
    ).items;
    expect(newest).toMatchObject({ id: stale.id, status: 'expired' });
    await service.list({
      credentials: credentialsOf('owner'),
      entityRef: ENTITY_REF,
    });
    const expiries = (await entries()).filter(
      e => e.action === 'expire-production',
    );
    expect(expiries).toHaveLength(1);
    expect(expiries[0].message).toMatch(
      new RegExp(`request #${stale.id} of ${USERS.owner} expired`),
    );
    await expect(
      service.approve({
        credentials: credentialsOf('prodDeployer'),
        id: stale.id,
      }),
    ).rejects.toThrow(/is expired, not pending/);
    expect(deploys).toEqual([]);
  });

  it('breaks glass for a prod deployer: deployed without a second person, audited with the reason', async () => {
    const result = await service.breakGlass({
      credentials: credentialsOf('prodDeployer'),
      entityRef: ENTITY_REF,
      environment: 'prod',
      version: '0.2.0',
      reason: 'the 0.1.0 image leaks memory: outage since 09:40',
    });
    expect(result.commit).toBe('commit-1');
    expect(deploys).toEqual([
      { tag: '0.2.0', digest: undefined, actor: USERS.prodDeployer },
    ]);
    expect((await entries())[0]).toMatchObject({
      actor: USERS.prodDeployer,
      action: 'break-glass',
      result: 'success',
      before: '0.1.0',
      after: '0.2.0',
      commit: 'commit-1',
      message: expect.stringMatching(
        /^reason: the 0.1.0 image leaks memory: outage since 09:40; image /,
      ),
    });
  });
});
