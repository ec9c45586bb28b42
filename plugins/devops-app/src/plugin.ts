import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { DevopsAppClient, devopsAppApiRef } from './api';
import { rootRouteRef } from './routes';

/**
 * The devops-app plugin for apps on the legacy frontend system. Apps on the new frontend system use
 * the default export of `@devops-app/plugin-devops-app/alpha` instead.
 * @public
 */
export const devopsAppPlugin = createPlugin({
  id: 'devops-app',
  apis: [
    createApiFactory({
      api: devopsAppApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new DevopsAppClient(deps),
    }),
  ],
  routes: { root: rootRouteRef },
});

/**
 * The DevOps tab, for `<EntityLayout.Route path="/devops" title="DevOps" if={isDevopsAppAvailable}>`.
 * @public
 */
export const EntityDevopsAppContent = devopsAppPlugin.provide(
  createRoutableExtension({
    name: 'EntityDevopsAppContent',
    component: () => import('./components/DevopsTab').then(m => m.DevopsTab),
    mountPoint: rootRouteRef,
  }),
);

/**
 * Service health card (request rate and error ratio from Prometheus) for the entity overview.
 * @public
 */
export const EntityDevopsAppMetricsCard = devopsAppPlugin.provide(
  createComponentExtension({
    name: 'EntityDevopsAppMetricsCard',
    component: {
      lazy: () =>
        import('./components/MetricsCard').then(m => m.EntityMetricsCard),
    },
  }),
);
