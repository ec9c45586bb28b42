import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { validateEnvironmentName } from '@devops-app/plugin-devops-app-common';

/**
 * An environment as the portal's configuration describes it (`devopsApp.environments.<name>`).
 * @public
 */
export interface EnvironmentConfig {
  name: string;
  title: string;
  /** Kubernetes namespace of the service in this environment. */
  namespace: string;
  /** Production environments need stricter permissions and a typed confirmation. */
  production: boolean;
}

/**
 * Reads `devopsApp.environments`. A missing block means no environment is configured; a wrong name or
 * value fails at start-up with the config key in the message, rather than at the first request.
 * @public
 */
export function readEnvironmentsConfig(config: Config): EnvironmentConfig[] {
  const block = config.getOptionalConfig('devopsApp.environments');
  if (!block) {
    return [];
  }
  return block.keys().map(name => {
    const reason = validateEnvironmentName(name);
    if (reason) {
      throw new InputError(
        `Invalid environment name at devopsApp.environments.${name}: ${reason}`,
      );
    }
    const env = block.getConfig(name);
    return {
      name,
      title: env.getOptionalString('title') ?? name,
      namespace: env.getOptionalString('namespace') ?? `inference-${name}`,
      production: env.getOptionalBoolean('production') ?? name === 'prod',
    };
  });
}
