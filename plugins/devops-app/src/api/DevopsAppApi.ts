import { createApiRef } from '@backstage/core-plugin-api';

/** An environment as the portal's backend configuration describes it. @public */
export interface ConfiguredEnvironment {
  name: string;
  title: string;
  namespace: string;
  production: boolean;
}

/**
 * Everything the frontend reads from the devops-app backend goes through this API.
 * @public
 */
export interface DevopsAppApi {
  getConfiguredEnvironments(): Promise<ConfiguredEnvironment[]>;
}

/** @public */
export const devopsAppApiRef = createApiRef<DevopsAppApi>({
  id: 'plugin.devops-app.service',
});
