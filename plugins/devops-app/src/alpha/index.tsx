import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { isDevopsAppAvailable } from '@devops-app/plugin-devops-app-common';
import { DevopsAppClient, devopsAppApiRef } from '../api';

/** The client of the devops-app backend. @alpha */
export const devopsAppApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: devopsAppApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new DevopsAppClient(deps),
    }),
});

/** The DevOps tab on entities that list environments. @alpha */
export const devopsEntityContent = EntityContentBlueprint.make({
  name: 'devops',
  params: {
    path: '/devops',
    title: 'DevOps',
    filter: entity => entity.kind === 'Component' && isDevopsAppAvailable(entity),
    loader: () =>
      import('../components/DevopsTab').then(m => <m.DevopsTab />),
  },
});

/** Service health (request rate, error ratio) on the entity overview. @alpha */
export const devopsMetricsEntityCard = EntityCardBlueprint.make({
  name: 'metrics',
  params: {
    filter: entity => entity.kind === 'Component' && isDevopsAppAvailable(entity),
    loader: () => import('../components/MetricsCard').then(m => <m.EntityMetricsCard />),
  },
});

/**
 * The devops-app plugin for the new frontend system.
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'devops-app',
  info: { packageJson: () => import('../../package.json') },
  extensions: [devopsAppApi, devopsEntityContent, devopsMetricsEntityCard],
});
