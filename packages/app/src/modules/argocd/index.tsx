/*
 * Argo CD history on the entity overview, from @roadiehq/backstage-plugin-argo-cd (issue 8).
 *
 * Roadie's newest release (2.12.5) builds its own new-frontend-system plugin (`/alpha`) against
 * @backstage/frontend-plugin-api 0.12 and plugin-catalog-react 1.21, older than this app's lines
 * (1.x and 4.x), so app-config.yaml excludes the package from plugin discovery and this plugin
 * wires its parts with the app's own blueprints instead:
 * - the ArgoCDApiClient under Roadie's api ref. Roadie reads `<discovery 'proxy'>/argocd/api/...`;
 *   here its discovery answers the devops-app backend for 'proxy', so the card reads
 *   `/api/devops-app/argocd/api/...`, which serves only the GETs the card makes and only for
 *   applications of entities the signed-in user can read (plugins/devops-app-backend/src/deployments/
 *   argoCdReadRouter.ts). There is no raw Argo CD proxy;
 * - Roadie's legacy EntityArgoCDHistoryCard inside an entity card; its copy of plugin-catalog-react
 *   finds the entity through the versioned "entity-context" that both copies share.
 * The card only shows on entities with Roadie's annotations (argocd/app-name, argocd/app-selector or
 * argocd/project-name) and says "not connected" until `argocd.baseUrl` is configured.
 */
import {
  ApiBlueprint,
  configApiRef,
  createFrontendPlugin,
  discoveryApiRef,
  identityApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import {
  ArgoCDApiClient,
  argoCDApiRef,
  isArgocdAvailable,
} from '@roadiehq/backstage-plugin-argo-cd';

/**
 * Roadie's client, configured as Roadie's own plugin configures it, except that its reads go to the
 * devops-app backend's permission-checked Argo CD routes instead of the proxy.
 */
export const argoCdApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: argoCDApiRef,
      deps: {
        discoveryApi: discoveryApiRef,
        identityApi: identityApiRef,
        configApi: configApiRef,
      },
      factory: ({ discoveryApi, identityApi, configApi }) =>
        new ArgoCDApiClient({
          discoveryApi: {
            getBaseUrl: pluginId =>
              discoveryApi.getBaseUrl(
                pluginId === 'proxy' ? 'devops-app' : pluginId,
              ),
          },
          identityApi,
          backendBaseUrl: configApi.getString('backend.baseUrl'),
          useNamespacedApps: Boolean(
            configApi.getOptionalBoolean('argocd.namespacedApps'),
          ),
          searchInstances: Boolean(
            configApi.getOptionalConfigArray('argocd.appLocatorMethods')
              ?.length,
          ),
        }),
    }),
});

/** The deployment history of the entity's Argo CD applications, on the entity overview. */
export const argoCdHistoryCard = EntityCardBlueprint.make({
  name: 'history',
  params: {
    filter: entity => isArgocdAvailable(entity),
    loader: () =>
      import('./ArgoCdHistoryCard').then(m => <m.ArgoCdHistoryCard />),
  },
});

export const argoCdPlugin = createFrontendPlugin({
  pluginId: 'argocd',
  extensions: [argoCdApi, argoCdHistoryCard],
});
