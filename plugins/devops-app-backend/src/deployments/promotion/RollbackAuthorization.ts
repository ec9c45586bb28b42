import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ActionPermission,
  ANNOTATION_PROD_DEPLOYERS,
  EntityLike,
  permissionsForAction,
} from '@devops-app/plugin-devops-app-common';

/**
 * Whether the caller may roll back an environment of the entity: every permission
 * `permissionsForAction('rollback', production)` names (devops-app.deployment.rollback, with
 * devops-app.deployment.create in non-production and devops-app.environment.production in
 * production), each on the entity, as the policy decides them.
 */
export async function authorizeRollback(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
  entityRef: string,
  entity: EntityLike,
  production: boolean,
): Promise<ActionPermission> {
  const wanted = permissionsForAction('rollback', production);
  const decisions = await permissions.authorize(
    wanted.map(permission => ({ permission, resourceRef: entityRef })),
    { credentials },
  );
  if (decisions.every(d => d.result === AuthorizeResult.ALLOW)) {
    return { allowed: true };
  }
  const owner = (entity.spec as { owner?: string } | undefined)?.owner;
  const deployers = entity.metadata.annotations?.[ANNOTATION_PROD_DEPLOYERS];
  return {
    allowed: false,
    reason: production
      ? `Only production deployers (${
          deployers ?? 'group:default/prod-deployers'
        }) may roll back production`
      : `Only members of ${
          owner ?? 'its owner'
        }, the service's owner, may roll back`,
  };
}
