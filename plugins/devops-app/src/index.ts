/**
 * Frontend plugin of the Devops-app portal: the DevOps tab of a service's entity page.
 *
 * This entry point serves apps on the legacy frontend system; `./alpha` serves the new one.
 *
 * @packageDocumentation
 */
export {
  devopsAppPlugin,
  EntityDevopsAppContent,
  EntityDevopsAppMetricsCard,
} from './plugin';
export { rootRouteRef } from './routes';
export { isDevopsAppAvailable } from '@devops-app/plugin-devops-app-common';
export * from './api';
