import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { devopsAppPermissions } from '@devops-app/plugin-devops-app-common';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import { migrateDatabase } from './database/migrate';
import { ArgoCdService } from './deployments/ArgoCdService';
import { createArgoCdReadRouter } from './deployments/argoCdReadRouter';
import { createRouter } from './router';
import { sharedCredentialsFromConfig } from './request/SharedCredentials';

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
        auditor: coreServices.auditor,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
        signals: signalsServiceRef,
      },
      async init({
        auditor,
        auth,
        catalog,
        config,
        database,
        httpAuth: coreHttpAuth,
        httpRouter,
        lifecycle,
        logger,
        permissions,
        permissionsRegistry,
        scheduler,
        signals,
      }) {
        // A viewer's cards and panels present one token together: its verification is shared briefly.
        const httpAuth = sharedCredentialsFromConfig(config, coreHttpAuth);
        // Lists the plugin's permissions in /.well-known/backstage/permissions/metadata of this plugin,
        // where the permission backend and policy tooling discover them.
        //
        // Deploy, promote, abort and production are resource permissions of type 'catalog-entity', a
        // resource type that belongs to the catalog plugin. `addPermissions` accepts them as they are:
        // the registry (backend-defaults 0.19, permissionsRegistryServiceFactory) only checks the owning
        // plugin in `addResourceType` and `getPermissionRuleset`, which this plugin must not call for
        // 'catalog-entity' (they would throw "belongs to plugin 'catalog'"). Conditional decisions on
        // these permissions carry pluginId 'catalog' (createCatalogConditionalDecision), so the
        // permission backend asks the catalog's apply-conditions endpoint, which owns the rules and
        // loads the entity; this plugin registers no resource type and no rules of its own.
        permissionsRegistry.addPermissions(devopsAppPermissions);

        await migrateDatabase(database);
        // Environments are read from the catalog on each request (an environment the template just
        // registered is usable at once); devopsApp.environments only presets defaults.
        const environments = EnvironmentResolver.fromConfig(config, {
          catalog,
        });
        httpRouter.use(
          await createRouter({
            auth,
            httpAuth,
            environments,
            config,
            catalog,
            logger,
            database,
            permissions,
            lifecycle,
            scheduler,
            signals,
          }),
        );
        // Roadie's Argo CD history card reads here, behind the catalog's read permission.
        httpRouter.use(
          createArgoCdReadRouter({
            argocd: ArgoCdService.fromConfig(config),
            catalog,
            httpAuth,
            auditor,
          }),
        );
      },
    });
  },
});
