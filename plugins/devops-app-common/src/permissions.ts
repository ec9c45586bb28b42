import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Permissions of the devops-app plugin. Deploy, promote and abort are resource permissions on the
 * catalog entity of the service, so a policy can decide per owner and per environment.
 */

/** Change the image tag an environment runs (GitOps commit or pull request). @public */
export const deploymentCreatePermission = createPermission({
  name: 'devops-app.deployment.create',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

/** Promote the preview colour of a blue/green Rollout to active. @public */
export const rolloutPromotePermission = createPermission({
  name: 'devops-app.rollout.promote',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/** Abort a blue/green Rollout and go back to the active colour. @public */
export const rolloutAbortPermission = createPermission({
  name: 'devops-app.rollout.abort',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/** Apply the Terraform stacks of an environment. @public */
export const terraformApplyPermission = createPermission({
  name: 'devops-app.terraform.apply',
  attributes: { action: 'update' },
});

/**
 * Act on a production environment of the entity (deploy, promote, abort, sync). Checked in addition to
 * the action's own permission when the environment is production, so a policy can ask for membership
 * of the entity's `devops-app.io/prod-deployers` group. @public
 */
export const productionEnvironmentPermission = createPermission({
  name: 'devops-app.environment.production',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * All permissions of the plugin, for registration with the permissions registry (the permission
 * backend's metadata lists them, so policy tools can offer them). @public
 */
export const devopsAppPermissions = [
  deploymentCreatePermission,
  rolloutPromotePermission,
  rolloutAbortPermission,
  productionEnvironmentPermission,
  terraformApplyPermission,
];
