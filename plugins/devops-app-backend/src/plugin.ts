import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { readEnvironmentsConfig } from '@devops-app/plugin-devops-app-node';
import { migrateDatabase } from './database/migrate';
import { createRouter } from './router';

/**
 * The devops-app backend plugin. Only wires dependencies; routes live in `router.ts`.
 *
 * @public
 */
export const devopsAppPlugin = createBackendPlugin({
  pluginId: 'devops-app',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
      },
      async init({ catalog, config, database, httpAuth, httpRouter, lifecycle, logger, permissions }) {
        await migrateDatabase(database);
        const environments = readEnvironmentsConfig(config);
        logger.info(
          `devops-app environments: ${environments.map(e => e.name).join(', ') || 'none configured'}`,
        );
        httpRouter.use(await createRouter({ httpAuth, environments, config, catalog, logger, database, permissions, lifecycle }));
      },
    });
  },
});
