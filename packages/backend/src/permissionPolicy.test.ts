import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  AuthorizeResult,
  Permission,
} from '@backstage/plugin-permission-common';
import {
  deploymentCreatePermission,
  environmentCreatePermission,
  GuardedDeploymentAction,
  permissionsForAction,
  productionEnvironmentPermission,
  rolloutAbortPermission,
  rolloutPromotePermission,
  TERRAFORM_RUN_PERMISSIONS,
  terraformApplyPermission,
} from '@devops-app/plugin-devops-app-common';
import { DevopsAppPermissionPolicy } from './permissionPolicy';
import {
  allowed,
  catalogRules,
  policyUserOf,
} from './__testUtils__/policyEvaluation';

/**
 * The permission matrix, evaluated as the permission framework does: the policy's decision, and for
 * a conditional decision the catalog's own rules (IS_ENTITY_OWNER, HAS_ANNOTATION) and the portal's
 * IS_PRODUCTION_ENVIRONMENT applied to the entity (__testUtils__/policyEvaluation). The devops-app
 * backend asks for the action's permission and, in production, also for
 * devops-app.environment.production; both must allow.
 */
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
  const policyUser = claims ? policyUserOf(claims[0], claims) : undefined;
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
    // Terraform is no longer open to everyone signed in (issue 13): eve is in no group.
    expect(
      (await policy.handle({ permission: terraformApplyPermission }, eve))
        .result,
    ).toBe(AuthorizeResult.DENY);
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

describe('DevopsAppPermissionPolicy: production approvals (issue 14)', () => {
  /**
   * Each action as the backend asks it (permissionsForAction: every permission must allow), on a
   * non-production and a production environment of a service that names group:default/prod-deployers
   * (catalog/inference-service.yaml). Undefined: the action does not exist in that class (a
   * production request in dev is a deploy). That a requester may not approve their own request is
   * the request service's rule (the policy does not know the request): see
   * plugins/devops-app-backend/src/deployments/promotion/AuthorizedProductionService.test.ts.
   */
  async function decideAction(
    user: string,
    action: GuardedDeploymentAction,
    production: boolean,
    entity: Entity,
  ): Promise<boolean | undefined> {
    const needed = permissionsForAction(action, production);
    if (needed.length === 0) return undefined;
    const claims = users[user];
    const policy = new DevopsAppPermissionPolicy(async () => ({
      userEntityRef: claims![0],
      ownershipEntityRefs: claims!,
    }));
    const policyUser = claims ? policyUserOf(claims[0], claims) : undefined;
    for (const permission of needed) {
      if (!allowed(await policy.handle({ permission }, policyUser), entity)) {
        return false;
      }
    }
    return true;
  }

  type Cell = [boolean | undefined, boolean | undefined];
  // [non-production, production] per action; promote is the promotion of a version (a deploy of the
  // stage), approve also covers reject.
  const matrix: Record<string, Record<string, Cell>> = {
    owner: {
      deploy: [true, false],
      'request-production': [undefined, true],
      'approve-production': [undefined, false],
      rollback: [true, false],
      'break-glass': [undefined, false],
    },
    nonOwner: {
      deploy: [false, false],
      'request-production': [undefined, false],
      'approve-production': [undefined, false],
      rollback: [false, false],
      'break-glass': [undefined, false],
    },
    prodDeployer: {
      deploy: [false, false],
      'request-production': [undefined, false],
      'approve-production': [undefined, true],
      rollback: [false, true],
      'break-glass': [undefined, true],
    },
    ownerAndProdDeployer: {
      deploy: [true, true],
      'request-production': [undefined, true],
      'approve-production': [undefined, true],
      rollback: [true, true],
      'break-glass': [undefined, true],
    },
    anonymous: {
      deploy: [false, false],
      'request-production': [undefined, false],
      'approve-production': [undefined, false],
      rollback: [false, false],
      'break-glass': [undefined, false],
    },
  };
  const cases = Object.entries(matrix).flatMap(([user, row]) =>
    Object.entries(row).map(([action, [nonProduction, production]]) => ({
      user,
      action: action as GuardedDeploymentAction,
      nonProduction,
      production,
    })),
  );

  it.each(cases)(
    '$user $action: non-production $nonProduction, production $production',
    async ({ user, action, nonProduction, production }) => {
      const entity = service('group:default/prod-deployers');
      expect({
        nonProduction: await decideAction(user, action, false, entity),
        production: await decideAction(user, action, true, entity),
      }).toEqual({ nonProduction, production });
    },
  );

  it('asks the owner for the Rollout promote of a version in non-production as for a deploy', async () => {
    const entity = service('group:default/prod-deployers');
    expect(await decideAction('owner', 'promote', false, entity)).toBe(true);
    expect(await decideAction('prodDeployer', 'promote', false, entity)).toBe(
      false,
    );
  });

  it('lets only the named group approve or break glass, and group:default/prod-deployers when none is named', async () => {
    const other = service('group:default/release-managers');
    expect(
      await decideAction('prodDeployer', 'approve-production', true, other),
    ).toBe(false);
    expect(await decideAction('prodDeployer', 'break-glass', true, other)).toBe(
      false,
    );
    const unnamed = service();
    expect(
      await decideAction('prodDeployer', 'approve-production', true, unnamed),
    ).toBe(true);
    // Without a named group an owner outside prod-deployers still cannot approve.
    expect(
      await decideAction('owner', 'approve-production', true, unnamed),
    ).toBe(false);
    expect(await decideAction('nonOwner', 'break-glass', true, unnamed)).toBe(
      false,
    );
  });

  it('denies the prod-deployer actions outright to a user in no group', async () => {
    const policy = new DevopsAppPermissionPolicy(async () => ({
      userEntityRef: 'user:default/nobody',
      ownershipEntityRefs: ['user:default/nobody'],
    }));
    const nobody = policyUserOf('user:default/nobody', ['user:default/nobody']);
    for (const permission of permissionsForAction('break-glass', true)) {
      expect((await policy.handle({ permission }, nobody)).result).toBe(
        AuthorizeResult.DENY,
      );
    }
  });
});

/** An environment Resource as the catalog holds it after processing (spec.owner is its ownedBy). */
function environment(
  name: string,
  owner: string,
  annotations: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'environment', owner },
    relations: [{ type: 'ownedBy', targetRef: owner }],
  };
}

describe('DevopsAppPermissionPolicy: terraform runs on an environment', () => {
  const ML = 'group:default/ml-team';
  const PLATFORM = 'group:default/platform-team';
  const principals: Record<string, string[] | undefined> = {
    anonymous: undefined,
    owner: ['user:default/guest', ML],
    nonOwner: ['user:default/eve', 'group:default/other-team'],
    prodDeployer: [
      'user:default/pat',
      PLATFORM,
      'group:default/prod-deployers',
    ],
    noGroup: ['user:default/nobody'],
  };
  const environments = {
    // Owned by the owner's group; production: false as catalog/environments.yaml says.
    nonProduction: environment('pre-prod', ML, {
      'devops-app.io/production': 'false',
    }),
    // Production by the model's default for `prod` (no annotation), owned by the owner's group too:
    // owning it is not enough.
    production: environment('prod', ML),
  };
  // [principal, non-production allowed, production allowed], for every terraform action.
  const table: [string, boolean, boolean][] = [
    ['anonymous', false, false],
    ['owner', true, false],
    ['nonOwner', false, false],
    ['prodDeployer', false, true],
    ['noGroup', false, false],
  ];
  const cases = table.flatMap(([principal, nonProduction, production]) =>
    Object.keys(TERRAFORM_RUN_PERMISSIONS).map(action => ({
      principal,
      action: action as keyof typeof TERRAFORM_RUN_PERMISSIONS,
      nonProduction,
      production,
    })),
  );

  it.each(cases)(
    '$principal $action: non-production $nonProduction, production $production',
    async ({ principal, action, nonProduction, production }) => {
      const claims = principals[principal];
      const policy = new DevopsAppPermissionPolicy(async () => ({
        userEntityRef: claims![0],
        ownershipEntityRefs: claims!,
      }));
      const decision = await policy.handle(
        { permission: TERRAFORM_RUN_PERMISSIONS[action] },
        claims ? policyUserOf(claims[0], claims) : undefined,
      );
      expect({
        nonProduction: allowed(decision, environments.nonProduction),
        production: allowed(decision, environments.production),
      }).toEqual({ nonProduction, production });
    },
  );

  it('follows the model: devops-app.io/production true, a configured default, and prod set to false', async () => {
    const claims = principals.prodDeployer!;
    const policy = new DevopsAppPermissionPolicy(async () => ({
      userEntityRef: claims[0],
      ownershipEntityRefs: claims,
    }));
    const decision = await policy.handle(
      { permission: TERRAFORM_RUN_PERMISSIONS.apply },
      policyUserOf(claims[0], claims),
    );
    const rules = catalogRules(new Map([['staging', { production: true }]]));
    const annotated = environment('qa', ML, {
      'devops-app.io/production': 'true',
    });
    expect(allowed(decision, annotated, rules)).toBe(true);
    // devopsApp.environments.staging.production: true
    expect(allowed(decision, environment('staging', ML), rules)).toBe(true);
    // The annotation wins over the default for prod: not production, and the prod deployer is not
    // in its owning group.
    const prodNotProduction = environment('prod', ML, {
      'devops-app.io/production': 'false',
    });
    expect(allowed(decision, prodNotProduction, rules)).toBe(false);
  });

  it('matches the prod-deployers group regardless of case', async () => {
    const claims = ['user:default/pat', 'group:default/Prod-Deployers'];
    const policy = new DevopsAppPermissionPolicy(async () => ({
      userEntityRef: claims[0],
      ownershipEntityRefs: claims,
    }));
    const decision = await policy.handle(
      { permission: TERRAFORM_RUN_PERMISSIONS.destroy },
      policyUserOf(claims[0], claims),
    );
    expect(allowed(decision, environment('prod', PLATFORM))).toBe(true);
  });

  it('lets users in a group create an environment (terraform before its entity exists), nobody else', async () => {
    for (const [principal, expected] of [
      ['owner', AuthorizeResult.ALLOW],
      ['nonOwner', AuthorizeResult.ALLOW],
      ['noGroup', AuthorizeResult.DENY],
      ['anonymous', AuthorizeResult.DENY],
    ] as const) {
      const claims = principals[principal];
      const policy = new DevopsAppPermissionPolicy(async () => ({
        userEntityRef: claims![0],
        ownershipEntityRefs: claims!,
      }));
      const decision = await policy.handle(
        { permission: environmentCreatePermission },
        claims ? policyUserOf(claims[0], claims) : undefined,
      );
      expect({ principal, result: decision.result }).toEqual({
        principal,
        result: expected,
      });
    }
  });
});
