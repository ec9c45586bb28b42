import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  EnvironmentDefaults,
  validateEnvironmentName,
} from '@devops-app/plugin-devops-app-common';

/**
 * What `devopsApp.environments.<name>` presets for an environment: optional defaults under the
 * environment entity's own annotations (see `environmentFromEntity`, which holds the built-in defaults).
 * @public
 */
export interface EnvironmentConfig extends EnvironmentDefaults {
  name: string;
}

/**
 * Reads `devopsApp.environments`, which is optional: a missing block presets nothing. A wrong name or
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
    const preset: EnvironmentConfig = { name };
    const title = env.getOptionalString('title');
    const namespace = env.getOptionalString('namespace');
    const production = env.getOptionalBoolean('production');
    if (title !== undefined) preset.title = title;
    if (namespace !== undefined) preset.namespace = namespace;
    if (production !== undefined) preset.production = production;
    return preset;
  });
}
