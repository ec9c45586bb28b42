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
  productionEnvironmentPermission,
  rolloutAbortPermission,
  rolloutPromotePermission,
} from '@devops-app/plugin-devops-app-common';

const OWNER_ACTIONS = [
  deploymentCreatePermission,
  rolloutPromotePermission,
  rolloutAbortPermission,
];

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
