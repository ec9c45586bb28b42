import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
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

/** The DevOps tab on components with a `devops-app.io/` annotation. @alpha */
export const devopsEntityContent = EntityContentBlueprint.make({
  name: 'devops',
  params: {
    path: '/devops',
    title: 'DevOps',
    filter: entity =>
      entity.kind === 'Component' && isDevopsAppAvailable(entity),
    loader: () => import('../components/DevopsTab').then(m => <m.DevopsTab />),
  },
});

/** Service health (request rate, error ratio) on the entity overview. @alpha */
export const devopsMetricsEntityCard = EntityCardBlueprint.make({
  name: 'metrics',
  params: {
    filter: entity =>
      entity.kind === 'Component' && isDevopsAppAvailable(entity),
    loader: () =>
      import('../components/MetricsCard').then(m => <m.EntityMetricsCard />),
  },
});

/** The Infrastructure tab of an environment Resource: its terraform runs. @alpha */
export const environmentInfrastructureContent = EntityContentBlueprint.make({
  name: 'infrastructure',
  params: {
    path: '/infrastructure',
    title: 'Infrastructure',
    filter: entity =>
      entity.kind === 'Resource' && entity.spec?.type === 'environment',
    loader: () =>
      import('../components/TerraformRunsSection').then(m => (
        <m.EnvironmentInfrastructureContent />
      )),
  },
});

/** An environment's expiry, Extend and "Remove environment", on its overview. @alpha */
export const environmentLifecycleEntityCard = EntityCardBlueprint.make({
  name: 'environment-lifecycle',
  params: {
    filter: entity =>
      entity.kind === 'Resource' && entity.spec?.type === 'environment',
    loader: () =>
      import('../components/EnvironmentLifecycleCard').then(m => (
        <m.EnvironmentLifecycleCard />
      )),
  },
});

/** /devops-app/terraform-runs/:runId, the run page the new-environment template links to. @alpha */
export const terraformRunPage = PageBlueprint.make({
  name: 'terraform-runs',
  params: {
    path: '/devops-app/terraform-runs',
    loader: () =>
      import('../components/TerraformRunPage').then(m => (
        <m.TerraformRunPage />
      )),
  },
});

/**
 * The devops-app plugin for the new frontend system.
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'devops-app',
  info: { packageJson: () => import('../../package.json') },
  extensions: [
    devopsAppApi,
    devopsEntityContent,
    devopsMetricsEntityCard,
    environmentInfrastructureContent,
    environmentLifecycleEntityCard,
    terraformRunPage,
  ],
});
