/*
 * The Devops-app portal backend (new backend system).
 *
 * Plugins: app (serves the frontend bundle in production), auth (guest locally, Microsoft Entra ID in
 * production, oauth2-proxy only where configured), catalog, scaffolder, proxy, kubernetes, permissions,
 * user settings, events, signals, and our devops-app plugin with its scaffolder module.
 */
import { createBackend } from '@backstage/backend-defaults';
import { rootHttpRouterServiceFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { catalogModuleProductionEnvironmentRule } from './productionEnvironmentRule';
import { staticCachingMiddleware } from './staticCaching/staticCaching';

const backend = createBackend();

// The built frontend's hashed files are cached for good, index.html is revalidated (see staticCaching).
backend.add(
  rootHttpRouterServiceFactory({
    configure: ({ app, applyDefaults }) => {
      app.use(staticCachingMiddleware());
      applyDefaults();
    },
  }),
);

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(import('@backstage/plugin-auth-backend-module-microsoft-provider'));
// Identity from oauth2-proxy's forwarded headers (X-Forwarded-User); offered only where
// auth.providers.oauth2Proxy is configured (README "Sign-in"; the e2e's
// e2e/config/app-config.oauth2-proxy.yaml).
backend.add(
  import('@backstage/plugin-auth-backend-module-oauth2-proxy-provider'),
);

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));

backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./permissionPolicy'));
// The catalog's IS_PRODUCTION_ENVIRONMENT rule, which the policy's terraform decisions use.
// (A static import: the backend's run-time transform gives a dynamic import only its default export.)
backend.add(catalogModuleProductionEnvironmentRule);

backend.add(import('@backstage/plugin-kubernetes-backend'));
backend.add(import('@backstage/plugin-user-settings-backend'));
// Signals push updates to the browser (user settings, deployments, terraform runs).
backend.add(import('@backstage/plugin-signals-backend'));
// The events backend hosts the event bus: every instance's events service (events.useEventBus: auto) posts the
// events it publishes to it and long-polls it for the events published elsewhere, so a signal published on one
// backend instance reaches the browsers connected to any other. The bus is stored in PostgreSQL (production);
// on SQLite (local) it falls back to an in-memory store, which is fine for the single local instance.
backend.add(import('@backstage/plugin-events-backend'));

backend.add(import('@devops-app/plugin-devops-app-backend'));
backend.add(import('@devops-app/plugin-scaffolder-backend-module-devops-app'));

backend.start();
