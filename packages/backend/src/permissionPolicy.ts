/*
 * The portal's permission policy (issue 8), replacing the allow-all policy.
 *
 * - Anyone signed in may read (catalog, scaffolder, the DevOps tab); requests without a signed-in
 *   user are denied (service-to-service calls never reach a policy).
 * - devops-app deploy, sync (checked as deploy), promote and abort are resource permissions on the
 *   service's catalog entity: allowed to members of the entity's owning group (conditional decision,
 *   the catalog evaluates IS_ENTITY_OWNER on the entity).
 * - In a production environment the devops-app plugin also checks `devops-app.environment.production`:
 *   allowed when the entity names no prod-deployers group (devops-app.io/prod-deployers), or when the
 *   user is a member of the group it names.
 * - devops-app terraform plan, apply, destroy, approve and cancel (issue 13) are resource permissions
 *   on the environment's own catalog entity (resource:<namespace>/<env>), decided only for users in a
 *   group (a user in no group runs nothing anywhere): a non-production environment to members of its
 *   owning group (IS_ENTITY_OWNER with the user's group refs), a production-class one
 *   (IS_PRODUCTION_ENVIRONMENT, the environment model's production class) to members of
 *   group:default/prod-deployers. Approve is decided the same way; that the approver is not the
 *   requester, and that a plan was approved, the run service checks.
 * - Production approvals (issue 14), resource permissions on the service's entity that the backend
 *   asks only in production (PRODUCTION_ACTION_PERMISSIONS): devops-app.production.request to the
 *   entity's owners; devops-app.production.approve (approve or reject) and
 *   devops-app.production.break-glass to its prod deployers: members of the group the entity names in
 *   devops-app.io/prod-deployers, or of group:default/prod-deployers when it names none (four-eyes
 *   needs a defined set of approvers, unlike devops-app.environment.production, which allows everyone
 *   when no group is named). That the approver is not the requester the request service checks.
 * - devops-app.deployment.rollback to the entity's owners and its prod deployers; the backend also
 *   asks deploy in non-production (owners) and devops-app.environment.production in production
 *   (prod deployers).
 * - devops-app.environment.create (terraform for an environment the catalog does not hold yet, as the
 *   New environment template runs it before registering the entity): users in a group.
 */
import {
  BackstageUserInfo,
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  isPermission,
  PermissionCondition,
  PermissionCriteria,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  ANNOTATION_PROD_DEPLOYERS,
  deploymentCreatePermission,
  environmentCreatePermission,
  deploymentRollbackPermission,
  PROD_DEPLOYERS_GROUP,
  productionApprovePermission,
  productionBreakGlassPermission,
  productionEnvironmentPermission,
  productionRequestPermission,
  rolloutAbortPermission,
  rolloutPromotePermission,
  TERRAFORM_RUN_PERMISSIONS,
} from '@devops-app/plugin-devops-app-common';
import {
  catalogModuleProductionEnvironmentRule,
  isProductionEnvironment,
} from './productionEnvironmentRule';

const OWNER_ACTIONS = [
  deploymentCreatePermission,
  rolloutPromotePermission,
  rolloutAbortPermission,
  productionRequestPermission,
];

const PROD_DEPLOYER_ACTIONS = [
  productionApprovePermission,
  productionBreakGlassPermission,
];

type EntityCriteria = PermissionCriteria<PermissionCondition<'catalog-entity'>>;

/**
 * The entity's prod deployers among `groups`: the entity names one of them in
 * devops-app.io/prod-deployers, or names none and the user is in group:default/prod-deployers.
 * Undefined: the user is in no group that could match.
 */
function prodDeployerCriteria(groups: string[]): EntityCriteria | undefined {
  const named = groups.map(group =>
    catalogConditions.hasAnnotation({
      annotation: ANNOTATION_PROD_DEPLOYERS,
      value: group,
    }),
  );
  const inDefault = groups.some(
    g => g.toLocaleLowerCase('en-US') === PROD_DEPLOYERS_GROUP,
  );
  const criteria: EntityCriteria[] = [
    ...named,
    ...(inDefault
      ? [
          {
            not: catalogConditions.hasAnnotation({
              annotation: ANNOTATION_PROD_DEPLOYERS,
            }),
          },
        ]
      : []),
  ];
  const [first, ...rest] = criteria;
  return first ? { anyOf: [first, ...rest] } : undefined;
}

const TERRAFORM_ACTIONS = Object.values(TERRAFORM_RUN_PERMISSIONS);

export class DevopsAppPermissionPolicy implements PermissionPolicy {
  constructor(
    private readonly getUserInfo: (
      user: PolicyQueryUser,
    ) => Promise<BackstageUserInfo>,
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user) {
      return { result: AuthorizeResult.DENY };
    }
    const permission = request.permission;
    const owned = OWNER_ACTIONS.find(p => isPermission(permission, p));
    if (owned) {
      const { ownershipEntityRefs } = await this.getUserInfo(user);
      return createCatalogConditionalDecision(
        owned,
        catalogConditions.isEntityOwner({ claims: ownershipEntityRefs }),
      );
    }
    const prodDeployerAction = PROD_DEPLOYER_ACTIONS.find(p =>
      isPermission(permission, p),
    );
    if (prodDeployerAction) {
      const { ownershipEntityRefs } = await this.getUserInfo(user);
      const criteria = prodDeployerCriteria(groupsOf(ownershipEntityRefs));
      return criteria
        ? createCatalogConditionalDecision(prodDeployerAction, criteria)
        : { result: AuthorizeResult.DENY };
    }
    if (isPermission(permission, deploymentRollbackPermission)) {
      const { ownershipEntityRefs } = await this.getUserInfo(user);
      const owner = catalogConditions.isEntityOwner({
        claims: ownershipEntityRefs,
      });
      const deployer = prodDeployerCriteria(groupsOf(ownershipEntityRefs));
      return createCatalogConditionalDecision(
        permission,
        deployer ? { anyOf: [owner, deployer] } : owner,
      );
    }
    const terraform = TERRAFORM_ACTIONS.find(p => isPermission(permission, p));
    if (terraform || isPermission(permission, environmentCreatePermission)) {
      const { ownershipEntityRefs } = await this.getUserInfo(user);
      const groups = ownershipEntityRefs.filter(ref =>
        ref.startsWith('group:'),
      );
      if (groups.length === 0 || !terraform) {
        return {
          result:
            groups.length > 0 ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
        };
      }
      const ownedNonProduction: PermissionCriteria<
        PermissionCondition<'catalog-entity'>
      > = {
        allOf: [
          { not: isProductionEnvironment() },
          catalogConditions.isEntityOwner({ claims: groups }),
        ],
      };
      return createCatalogConditionalDecision(
        terraform,
        groups.some(g => g.toLocaleLowerCase('en-US') === PROD_DEPLOYERS_GROUP)
          ? { anyOf: [isProductionEnvironment(), ownedNonProduction] }
          : ownedNonProduction,
      );
    }
    if (isPermission(permission, productionEnvironmentPermission)) {
      const { ownershipEntityRefs } = await this.getUserInfo(user);
      const groups = ownershipEntityRefs.filter(ref =>
        ref.startsWith('group:'),
      );
      return createCatalogConditionalDecision(permission, {
        anyOf: [
          {
            not: catalogConditions.hasAnnotation({
              annotation: ANNOTATION_PROD_DEPLOYERS,
            }),
          },
          ...groups.map(group =>
            catalogConditions.hasAnnotation({
              annotation: ANNOTATION_PROD_DEPLOYERS,
              value: group,
            }),
          ),
        ],
      });
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

function groupsOf(ownershipEntityRefs: string[]): string[] {
  return ownershipEntityRefs.filter(ref => ref.startsWith('group:'));
}

/** Installs {@link DevopsAppPermissionPolicy} in the permission backend. */
export const devopsAppPermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'devops-app-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, userInfo: coreServices.userInfo },
      async init({ policy, userInfo }) {
        policy.setPolicy(
          new DevopsAppPermissionPolicy(user =>
            userInfo.getUserInfo(user.credentials),
          ),
        );
      },
    });
  },
});

export default devopsAppPermissionPolicyModule;

/** The catalog's rule the policy's terraform decisions use. */
export { catalogModuleProductionEnvironmentRule };
