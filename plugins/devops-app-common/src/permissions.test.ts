import { isResourcePermission } from '@backstage/plugin-permission-common';
import {
  deploymentCreatePermission,
  deploymentRollbackPermission,
  permissionsForAction,
  productionApprovePermission,
  productionBreakGlassPermission,
  productionRequestPermission,
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
      'devops-app.production.request',
      'devops-app.production.approve',
      'devops-app.production.break-glass',
      'devops-app.deployment.rollback',
    ]);
  });

  it('makes deploy, promote, abort, production and every terraform action resource permissions on catalog entities', () => {
    for (const permission of [
      deploymentCreatePermission,
      rolloutPromotePermission,
      rolloutAbortPermission,
      productionEnvironmentPermission,
      ...Object.values(TERRAFORM_RUN_PERMISSIONS),
      productionRequestPermission,
      productionApprovePermission,
      productionBreakGlassPermission,
      deploymentRollbackPermission,
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

  it('asks the production approvals only in production, and rollback with deploy or production', () => {
    const names = (action: Parameters<typeof permissionsForAction>[0]) => [
      permissionsForAction(action, false).map(p => p.name),
      permissionsForAction(action, true).map(p => p.name),
    ];
    expect(names('request-production')).toEqual([
      [],
      ['devops-app.production.request'],
    ]);
    expect(names('approve-production')).toEqual([
      [],
      ['devops-app.production.approve'],
    ]);
    expect(names('break-glass')).toEqual([
      [],
      ['devops-app.production.break-glass'],
    ]);
    expect(names('rollback')).toEqual([
      ['devops-app.deployment.rollback', 'devops-app.deployment.create'],
      ['devops-app.deployment.rollback', 'devops-app.environment.production'],
    ]);
    expect(names('deploy')).toEqual([
      ['devops-app.deployment.create'],
      ['devops-app.deployment.create', 'devops-app.environment.production'],
    ]);
  });
});
