import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  EnvironmentResolver,
  terraformRunServiceRef,
} from '@devops-app/plugin-devops-app-node';
import path from 'node:path';
import { createGitopsCommitAction } from './actions/gitopsCommit';
import { createRegisterFileAction } from './actions/registerFile';
import { createRemoveEnvironmentAction } from './actions/removeEnvironment';
import { createTerraformRunAction } from './actions/terraformRun';
import { createValidateEnvironmentAction } from './actions/validateEnvironment';

/**
 * Registers the devops-app scaffolder actions.
 *
 * @public
 */
export const scaffolderModule = createBackendModule({
  moduleId: 'devops-app',
  pluginId: 'scaffolder',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolderActions: scaffolderActionsExtensionPoint,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        terraformRuns: terraformRunServiceRef,
      },
      async init({ scaffolderActions, catalog, config, terraformRuns }) {
        scaffolderActions.addActions(
          createValidateEnvironmentAction({
            environments: EnvironmentResolver.fromConfig(config, { catalog }),
            catalog,
          }),
        );
        const appBaseUrl = config.getString('app.baseUrl');
        scaffolderActions.addActions(
          createTerraformRunAction({
            mode: 'apply',
            runs: terraformRuns,
            appBaseUrl,
          }),
          createTerraformRunAction({
            mode: 'plan',
            runs: terraformRuns,
            appBaseUrl,
          }),
          createRemoveEnvironmentAction({
            runs: terraformRuns,
            catalog,
            appBaseUrl,
          }),
        );
        const gitops = config.getOptionalConfig('devopsApp.gitops');
        if (gitops) {
          // A local path is relative to the backend's working directory, like catalog file locations.
          const repository = gitops.getString('repository');
          scaffolderActions.addActions(
            createGitopsCommitAction({
              repository: /^[a-z+]+:\/\//.test(repository)
                ? repository
                : path.resolve(repository),
              branch: gitops.getOptionalString('branch') ?? 'main',
            }),
            createRegisterFileAction({
              catalog,
              catalogDir: path.resolve(
                gitops.getOptionalString('localCatalogDir') ??
                  '../../.run/catalog',
              ),
              // Registers the file as committed on the branch (with the Terraform run's outputs).
              gitops: {
                repository: /^[a-z+]+:\/\//.test(repository)
                  ? repository
                  : path.resolve(repository),
                branch: gitops.getOptionalString('branch') ?? 'main',
              },
            }),
          );
        }
      },
    });
  },
});
