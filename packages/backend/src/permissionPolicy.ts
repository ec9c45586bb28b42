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
  PROD_DEPLOYERS_GROUP,
  productionEnvironmentPermission,
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
];

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
