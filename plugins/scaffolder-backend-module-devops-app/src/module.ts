import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { readEnvironmentsConfig } from '@devops-app/plugin-devops-app-node';
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
      },
      async init({ scaffolderActions, catalog, config }) {
        scaffolderActions.addActions(
          createValidateEnvironmentAction({
            catalog,
            environments: readEnvironmentsConfig(config),
          }),
        );
      },
    });
  },
});
