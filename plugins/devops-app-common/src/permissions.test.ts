import { isResourcePermission } from '@backstage/plugin-permission-common';
import {
  deploymentCreatePermission,
  devopsAppPermissions,
  environmentCreatePermission,
  productionEnvironmentPermission,
  rolloutAbortPermission,
  rolloutPromotePermission,
  TERRAFORM_RUN_PERMISSIONS,
} from './permissions';

describe('permissions', () => {
  it('uses the documented names', () => {
    expect(devopsAppPermissions.map(p => p.name)).toEqual([
      'devops-app.deployment.create',
      'devops-app.rollout.promote',
      'devops-app.rollout.abort',
      'devops-app.environment.production',
      'devops-app.terraform.plan',
      'devops-app.terraform.apply',
      'devops-app.terraform.destroy',
      'devops-app.terraform.approve',
      'devops-app.terraform.cancel',
      'devops-app.environment.create',
    ]);
  });

  it('makes deploy, promote, abort, production and every terraform action resource permissions on catalog entities', () => {
    for (const permission of [
      deploymentCreatePermission,
      rolloutPromotePermission,
      rolloutAbortPermission,
      productionEnvironmentPermission,
      ...Object.values(TERRAFORM_RUN_PERMISSIONS),
    ]) {
      expect(isResourcePermission(permission, 'catalog-entity')).toBe(true);
    }
    // A new environment has no entity yet to decide on.
    expect(isResourcePermission(environmentCreatePermission)).toBe(false);
  });

  it('names each terraform action after its permission', () => {
    for (const [action, permission] of Object.entries(
      TERRAFORM_RUN_PERMISSIONS,
    )) {
      expect(permission.name).toBe(`devops-app.terraform.${action}`);
    }
  });
});
