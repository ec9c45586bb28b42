import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizePermissionRequest,
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  ActionPermission,
  ANNOTATION_PROD_DEPLOYERS,
  DeploymentAction,
  deploymentCreatePermission,
  EntityLike,
  productionEnvironmentPermission,
  rolloutAbortPermission,
  rolloutPromotePermission,
} from '@devops-app/plugin-devops-app-common';

/** The permission each action of the Environments card checks (sync counts as deploying). */
export const ACTION_PERMISSIONS: Record<
  DeploymentAction,
  ResourcePermission<'catalog-entity'>
> = {
  deploy: deploymentCreatePermission,
  sync: deploymentCreatePermission,
  promote: rolloutPromotePermission,
  abort: rolloutAbortPermission,
};

const ACTIONS: DeploymentAction[] = ['deploy', 'sync', 'promote', 'abort'];

function owner(entity: EntityLike): string {
  const spec = (entity.spec ?? {}) as { owner?: string };
  return spec.owner ?? 'its owner';
}

/** Why the action is denied, in words the card shows next to the disabled button. */
function denialReason(
  entity: EntityLike,
  production: boolean,
  actionDenied: boolean,
): string {
  const deployers = entity.metadata.annotations?.[ANNOTATION_PROD_DEPLOYERS];
  if (actionDenied) {
    return production && deployers
      ? `Only members of ${owner(
          entity,
        )} who are also in ${deployers} may do this in production`
      : `Only members of ${owner(entity)}, the service's owner, may do this`;
  }
  return `Production also needs membership of ${
    deployers ?? 'the production deployers'
  }`;
}

/**
 * The permission requests that decide `actions` on one environment of an entity: each action's
 * permission on the entity (once per distinct permission), and for production environments also
 * `devops-app.environment.production`.
 */
export function actionRequests(
  entityRef: string,
  production: boolean,
  actions: DeploymentAction[] = ACTIONS,
): AuthorizePermissionRequest[] {
  const distinct = [...new Set(actions.map(a => ACTION_PERMISSIONS[a]))];
  return [
    ...distinct.map(permission => ({ permission, resourceRef: entityRef })),
    ...(production
      ? [
          {
            permission: productionEnvironmentPermission,
            resourceRef: entityRef,
          },
        ]
      : []),
  ];
}

/**
 * What the caller may do on one environment, from the answers to `actionRequests` (asked for a
 * production environment, they decide non-production ones too): `allowed` maps a permission's name
 * to whether it was allowed.
 */
export function actionPermissions(
  entity: EntityLike,
  production: boolean,
  allowed: ReadonlyMap<string, boolean>,
  actions: DeploymentAction[] = ACTIONS,
): Record<DeploymentAction, ActionPermission> {
  const productionAllowed = production
    ? allowed.get(productionEnvironmentPermission.name) === true
    : true;
  const result = {} as Record<DeploymentAction, ActionPermission>;
  for (const action of actions) {
    const actionAllowed = allowed.get(ACTION_PERMISSIONS[action].name) === true;
    result[action] =
      actionAllowed && productionAllowed
        ? { allowed: true }
        : {
            allowed: false,
            reason: denialReason(entity, production, !actionAllowed),
          };
  }
  return result;
}

/**
 * Asks the permission framework about every action on one environment of an entity: the action's
 * permission on the entity, and for production environments also `devops-app.environment.production`.
 */
export async function authorizeActions(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
  entityRef: string,
  entity: EntityLike,
  production: boolean,
  actions: DeploymentAction[] = ACTIONS,
): Promise<Record<DeploymentAction, ActionPermission>> {
  const requests = actionRequests(entityRef, production, actions);
  const decisions = await permissions.authorize(requests, { credentials });
  const allowed = new Map(
    requests.map((r, i) => [
      r.permission.name,
      decisions[i].result === AuthorizeResult.ALLOW,
    ]),
  );
  return actionPermissions(entity, production, allowed, actions);
}
