import {
  createPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';

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

/**
 * Terraform runs of an environment. Each is a resource permission on the environment's own catalog
 * entity (`resource:<namespace>/<env>`), so the policy decides per owning group and production class
 * (packages/backend/src/permissionPolicy.ts). @public
 */
export const terraformPlanPermission = createPermission({
  name: 'devops-app.terraform.plan',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/** Plan and apply an environment's Terraform stacks. @public */
export const terraformApplyPermission = createPermission({
  name: 'devops-app.terraform.apply',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/** Destroy an environment's Terraform stacks. @public */
export const terraformDestroyPermission = createPermission({
  name: 'devops-app.terraform.destroy',
  attributes: { action: 'delete' },
  resourceType: 'catalog-entity',
});

/** Approve (or reject) the saved plan of another user's run of the environment. @public */
export const terraformApprovePermission = createPermission({
  name: 'devops-app.terraform.approve',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/** Cancel a run of the environment that another user started. @public */
export const terraformCancelPermission = createPermission({
  name: 'devops-app.terraform.cancel',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * Run terraform for an environment that has no catalog entity yet: the New environment template
 * plans and applies before it registers the entity. A basic permission (there is no entity to decide
 * on); destroy, approve and cancel always need the entity. @public
 */
export const environmentCreatePermission = createPermission({
  name: 'devops-app.environment.create',
  attributes: { action: 'create' },
});

/**
 * The group whose members may run terraform in (and approve the plans of) production-class
 * environments (catalog/org.yaml). @public
 */
export const PROD_DEPLOYERS_GROUP = 'group:default/prod-deployers';

/** What a caller may do with an environment's terraform runs. @public */
export type TerraformRunAction =
  | 'plan'
  | 'apply'
  | 'destroy'
  | 'approve'
  | 'cancel';

/** The permission each terraform run action checks on the environment's entity. @public */
export const TERRAFORM_RUN_PERMISSIONS: Record<
  TerraformRunAction,
  ResourcePermission<'catalog-entity'>
> = {
  plan: terraformPlanPermission,
  apply: terraformApplyPermission,
  destroy: terraformDestroyPermission,
  approve: terraformApprovePermission,
  cancel: terraformCancelPermission,
};

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
 * Production approvals (issue 14), each a resource permission on the service's catalog entity. The
 * policy cannot tell production from the entity (an environment is not the resource), so the backend
 * asks each question only where it applies: `PRODUCTION_ACTION_PERMISSIONS` says which permissions an
 * action needs in each environment class (all must allow).
 */

/** Ask for a production promotion or deploy of a version; a prod deployer then approves it. @public */
export const productionRequestPermission = createPermission({
  name: 'devops-app.production.request',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

/**
 * Approve (which executes) or reject another user's production request. That the approver is not the
 * requester the backend checks: the policy does not know the request. @public
 */
export const productionApprovePermission = createPermission({
  name: 'devops-app.production.approve',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/** Deploy to production without a second person's approval, with a written reason (audited). @public */
export const productionBreakGlassPermission = createPermission({
  name: 'devops-app.production.break-glass',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * Roll an environment back to its previous verified version (and abort a paused blue/green Rollout).
 * Decided by the policy for the entity's owners and its prod deployers; the backend also asks deploy
 * in a non-production environment (so there: owners, as a deploy) and
 * `devops-app.environment.production` in production (so there: prod deployers; a rollback restores a
 * version production already ran, so it needs no second person). @public
 */
export const deploymentRollbackPermission = createPermission({
  name: 'devops-app.deployment.rollback',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/** Actions whose permissions depend on the environment class. @public */
export type GuardedDeploymentAction =
  | 'deploy'
  | 'sync'
  | 'promote'
  | 'abort'
  | 'rollback'
  | 'request-production'
  | 'approve-production'
  | 'break-glass';

/**
 * The permissions the backend asks for an action on an environment (all must allow), by class; an
 * action absent from a class does not exist there (a production request in dev is just a deploy).
 * Direct deploys, syncs and Rollout actions in production still need the owner who is also a prod
 * deployer; owners use a request and a prod deployer's approval instead. @public
 */
export const PRODUCTION_ACTION_PERMISSIONS: Record<
  GuardedDeploymentAction,
  {
    nonProduction?: ResourcePermission<'catalog-entity'>[];
    production?: ResourcePermission<'catalog-entity'>[];
  }
> = {
  deploy: {
    nonProduction: [deploymentCreatePermission],
    production: [deploymentCreatePermission, productionEnvironmentPermission],
  },
  sync: {
    nonProduction: [deploymentCreatePermission],
    production: [deploymentCreatePermission, productionEnvironmentPermission],
  },
  promote: {
    nonProduction: [rolloutPromotePermission],
    production: [rolloutPromotePermission, productionEnvironmentPermission],
  },
  abort: {
    nonProduction: [rolloutAbortPermission],
    production: [rolloutAbortPermission, productionEnvironmentPermission],
  },
  rollback: {
    nonProduction: [deploymentRollbackPermission, deploymentCreatePermission],
    production: [deploymentRollbackPermission, productionEnvironmentPermission],
  },
  'request-production': { production: [productionRequestPermission] },
  'approve-production': { production: [productionApprovePermission] },
  'break-glass': { production: [productionBreakGlassPermission] },
};

/** The permissions `action` needs in an environment of that class; empty: not an action there. @public */
export function permissionsForAction(
  action: GuardedDeploymentAction,
  production: boolean,
): ResourcePermission<'catalog-entity'>[] {
  const entry = PRODUCTION_ACTION_PERMISSIONS[action];
  return (production ? entry.production : entry.nonProduction) ?? [];
}

/**
 * All permissions of the plugin, for registration with the permissions registry (the permission
 * backend's metadata lists them, so policy tools can offer them). @public
 */
export const devopsAppPermissions = [
  deploymentCreatePermission,
  rolloutPromotePermission,
  rolloutAbortPermission,
  productionEnvironmentPermission,
  ...Object.values(TERRAFORM_RUN_PERMISSIONS),
  environmentCreatePermission,
  productionRequestPermission,
  productionApprovePermission,
  productionBreakGlassPermission,
  deploymentRollbackPermission,
];
