import { isResourcePermission } from '@backstage/plugin-permission-common';
import {
  deploymentCreatePermission,
  devopsAppPermissions,
  productionEnvironmentPermission,
  rolloutAbortPermission,
  rolloutPromotePermission,
  terraformApplyPermission,
} from './permissions';

describe('permissions', () => {
  it('uses the documented names', () => {
    expect(devopsAppPermissions.map(p => p.name)).toEqual([
      'devops-app.deployment.create',
      'devops-app.rollout.promote',
      'devops-app.rollout.abort',
      'devops-app.environment.production',
      'devops-app.terraform.apply',
    ]);
  });

  it('makes deploy, promote, abort and production resource permissions on catalog entities', () => {
    for (const permission of [
      deploymentCreatePermission,
      rolloutPromotePermission,
      rolloutAbortPermission,
      productionEnvironmentPermission,
    ]) {
      expect(isResourcePermission(permission, 'catalog-entity')).toBe(true);
    }
    expect(isResourcePermission(terraformApplyPermission)).toBe(false);
  });
});
