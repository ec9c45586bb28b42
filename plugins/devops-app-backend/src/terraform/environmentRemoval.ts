import {
  AuthService,
  LoggerService,
  PermissionsService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { TERRAFORM_FINAL_STATUSES } from '@devops-app/plugin-devops-app-common';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import express from 'express';
import path from 'node:path';
import { AuditStore } from '../deployments/AuditStore';
import { GitOpsRepository } from '../deployments/GitOpsRepository';
import { AuthorizedTerraformRunService } from './AuthorizedTerraformRunService';
import { EnvironmentTeardown } from './EnvironmentTeardown';
import { expireEnvironments, scheduleExpiry } from './ExpiryTask';
import { createTeardownRouter } from './teardownRouter';
import { TerraformRunManager } from './TerraformRunManager';

/** Default of `devopsApp.terraform.expiry.checkIntervalSeconds`. */
const DEFAULT_EXPIRY_INTERVAL_SECONDS = 300;

/**
 * Teardown and expiry of environments, wired for the backend plugin: the {@link EnvironmentTeardown}
 * behind "Remove environment" and Extend (their routes), and the expiry task on the scheduler
 * (global scope, every `devopsApp.terraform.expiry.checkIntervalSeconds`, 300 s by default).
 */
export async function createEnvironmentRemoval(options: {
  config: RootConfigService;
  logger: LoggerService;
  auth: AuthService;
  httpAuth: Parameters<typeof createTeardownRouter>[0]['httpAuth'];
  permissions: PermissionsService;
  environments: EnvironmentResolver;
  catalog: CatalogService;
  runs: TerraformRunManager;
  audit: AuditStore;
  gitops?: GitOpsRepository;
  scheduler?: SchedulerService;
}): Promise<express.Router> {
  const { config, runs } = options;
  const localCatalogDir = options.gitops
    ? path.resolve(
        config.getOptionalString('devopsApp.gitops.localCatalogDir') ??
          '../../.run/catalog',
      )
    : undefined;
  const teardown = new EnvironmentTeardown({
    ...options,
    localCatalogDir,
  });
  const authorized = new AuthorizedTerraformRunService({
    ...options,
    teardown,
  });
  if (options.scheduler) {
    const seconds =
      config.getOptionalNumber(
        'devopsApp.terraform.expiry.checkIntervalSeconds',
      ) ?? DEFAULT_EXPIRY_INTERVAL_SECONDS;
    await scheduleExpiry(options.scheduler, seconds * 1000, () =>
      expireEnvironments({
        ...options,
        expire: environment => authorized.expireEnvironment(environment),
        destroying: async environment =>
          (
            await runs.listRuns({ environments: [environment] })
          ).some(
            run =>
              run.mode === 'destroy' &&
              !TERRAFORM_FINAL_STATUSES.includes(run.status),
          ),
      }),
    );
  }
  return createTeardownRouter({ httpAuth: options.httpAuth, runs: authorized });
}
