import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { permissionRules } from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  Permission,
  PermissionCriteria,
  PermissionCondition,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  deploymentCreatePermission,
  productionEnvironmentPermission,
  rolloutAbortPermission,
  rolloutPromotePermission,
  terraformApplyPermission,
} from '@devops-app/plugin-devops-app-common';
import { DevopsAppPermissionPolicy } from './permissionPolicy';

/**
 * The permission matrix, evaluated as the permission framework does: the policy's decision, and for
 * a conditional decision the catalog's own rules (IS_ENTITY_OWNER, HAS_ANNOTATION) applied to the
 * entity. The devops-app backend asks for the action's permission and, in production, also for
 * devops-app.environment.production; both must allow.
 */
const rules = Object.values(permissionRules);

function evaluate(
  criteria: PermissionCriteria<PermissionCondition>,
  entity: Entity,
): boolean {
  if ('allOf' in criteria)
    return criteria.allOf.every(c => evaluate(c, entity));
  if ('anyOf' in criteria) return criteria.anyOf.some(c => evaluate(c, entity));
  if ('not' in criteria) return !evaluate(criteria.not, entity);
  const rule = rules.find(r => r.name === criteria.rule);
  if (!rule) throw new Error(`unknown rule ${criteria.rule}`);
  return rule.apply(entity, criteria.params as any);
}

function allowed(decision: PolicyDecision, entity: Entity): boolean {
  if (decision.result === AuthorizeResult.CONDITIONAL) {
    expect(decision.resourceType).toBe('catalog-entity');
    expect(decision.pluginId).toBe('catalog');
    return evaluate(decision.conditions, entity);
  }
  return decision.result === AuthorizeResult.ALLOW;
}

function service(prodDeployers?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'inference-service',
      annotations: {
        'devops-app.io/environments': 'dev,pre-prod,prod',
        ...(prodDeployers
          ? { 'devops-app.io/prod-deployers': prodDeployers }
          : {}),
      },
    },
    spec: { owner: 'group:default/ml-team' },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/ml-team' }],
  };
}

const users: Record<string, string[] | undefined> = {
  owner: ['user:default/guest', 'group:default/ml-team'],
  nonOwner: ['user:default/eve', 'group:default/other-team'],
  prodDeployer: [
    'user:default/pat',
    'group:default/platform-team',
    'group:default/prod-deployers',
  ],
  ownerAndProdDeployer: [
    'user:default/ana',
    'group:default/ml-team',
    'group:default/prod-deployers',
  ],
  anonymous: undefined,
};

async function decide(
  user: string,
  permission: Permission,
  production: boolean,
  entity: Entity,
) {
  const claims = users[user];
  const policy = new DevopsAppPermissionPolicy(async () => ({
    userEntityRef: claims![0],
    ownershipEntityRefs: claims!,
  }));
  const policyUser = claims
    ? {
        credentials: mockCredentials.user(claims[0]),
        info: { userEntityRef: claims[0], ownershipEntityRefs: claims },
      }
    : undefined;
  const action = allowed(
    await policy.handle({ permission }, policyUser),
    entity,
  );
  if (!production) return action;
  const prod = allowed(
    await policy.handle(
      { permission: productionEnvironmentPermission },
      policyUser,
    ),
    entity,
  );
  return action && prod;
}

const actions = {
  deploy: deploymentCreatePermission,
  promote: rolloutPromotePermission,
  abort: rolloutAbortPermission,
};

describe('DevopsAppPermissionPolicy', () => {
  // [user, non-prod allowed, prod allowed (entity names prod-deployers), prod allowed (names none)]
  const matrix: [string, boolean, boolean, boolean][] = [
    ['owner', true, false, true],
    ['nonOwner', false, false, false],
    ['prodDeployer', false, false, false],
    ['ownerAndProdDeployer', true, true, true],
    ['anonymous', false, false, false],
  ];

  for (const [user, nonProd, prodNamed, prodUnnamed] of matrix) {
    for (const [name, permission] of Object.entries(actions)) {
      it(`${user} ${name}: non-prod ${nonProd}, prod ${prodNamed}, prod without a named group ${prodUnnamed}`, async () => {
        const entity = service('group:default/prod-deployers');
        expect(await decide(user, permission, false, entity)).toBe(nonProd);
        expect(await decide(user, permission, true, entity)).toBe(prodNamed);
        expect(await decide(user, permission, true, service())).toBe(
          prodUnnamed,
        );
      });
    }
  }

  it('lets everyone signed in read, and nobody anonymous', async () => {
    const policy = new DevopsAppPermissionPolicy(async () => ({
      userEntityRef: 'user:default/eve',
      ownershipEntityRefs: [],
    }));
    const read = {
      name: 'catalog.entity.read',
      type: 'basic',
      attributes: { action: 'read' },
    } as Permission;
    const eve = {
      credentials: mockCredentials.user('user:default/eve'),
      info: { userEntityRef: 'user:default/eve', ownershipEntityRefs: [] },
    };
    expect((await policy.handle({ permission: read }, eve)).result).toBe(
      AuthorizeResult.ALLOW,
    );
    expect((await policy.handle({ permission: read })).result).toBe(
      AuthorizeResult.DENY,
    );
    expect(
      (await policy.handle({ permission: terraformApplyPermission }, eve))
        .result,
    ).toBe(AuthorizeResult.ALLOW);
  });

  it('matches the prod-deployers group regardless of case, and not a different group', async () => {
    const mixedCase = service('group:default/Prod-Deployers');
    expect(
      await decide(
        'ownerAndProdDeployer',
        deploymentCreatePermission,
        true,
        mixedCase,
      ),
    ).toBe(true);
    const other = service('group:default/release-managers');
    expect(
      await decide(
        'ownerAndProdDeployer',
        deploymentCreatePermission,
        true,
        other,
      ),
    ).toBe(false);
  });
});
