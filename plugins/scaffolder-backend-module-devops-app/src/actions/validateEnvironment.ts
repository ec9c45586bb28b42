import { CatalogService } from '@backstage/plugin-catalog-node';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { validateEnvironmentName } from '@devops-app/plugin-devops-app-common';
import { EnvironmentConfig } from '@devops-app/plugin-devops-app-node';
import { examples } from './validateEnvironment.examples';

/**
 * `devops-app:environment:validate`: the first step of the new-environment template. Fails the task
 * with a readable reason, before anything is written, when the name is not a valid environment name or
 * is already taken, either in the portal's configuration or by an environment Resource in the catalog.
 */
export function createValidateEnvironmentAction(options: {
  catalog: CatalogService;
  environments: EnvironmentConfig[];
}) {
  const { catalog, environments } = options;
  return createTemplateAction({
    id: 'devops-app:environment:validate',
    description:
      'Checks that a new environment name is a lower-case DNS label and not already in use.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z => z.string({ description: 'Name of the new environment' }),
        basedOn: z =>
          z
            .string({
              description: 'An existing environment the new one copies',
            })
            .optional(),
      },
      output: {
        name: z => z.string(),
        namespace: z =>
          z.string({ description: 'Kubernetes namespace of the service' }),
      },
    },
    async handler(ctx) {
      const { name, basedOn } = ctx.input;
      const reason = validateEnvironmentName(name);
      if (reason) {
        throw new InputError(`Environment name "${name}" ${reason}`);
      }
      if (environments.some(e => e.name === name)) {
        throw new InputError(
          `Environment "${name}" already exists in the portal configuration (devopsApp.environments.${name})`,
        );
      }
      const credentials = await ctx.getInitiatorCredentials();
      const existing = await catalog.getEntities(
        {
          filter: {
            kind: 'Resource',
            'spec.type': 'environment',
            'metadata.name': name,
          },
          fields: ['metadata.name', 'metadata.namespace'],
        },
        { credentials },
      );
      if (existing.items.length > 0) {
        throw new InputError(
          `Environment "${name}" already exists in the catalog (resource:${
            existing.items[0].metadata.namespace ?? 'default'
          }/${name})`,
        );
      }
      if (basedOn !== undefined) {
        const base = await catalog.getEntities(
          {
            filter: {
              kind: 'Resource',
              'spec.type': 'environment',
              'metadata.name': basedOn,
            },
            fields: ['metadata.name'],
          },
          { credentials },
        );
        if (
          base.items.length === 0 &&
          !environments.some(e => e.name === basedOn)
        ) {
          throw new InputError(`Base environment "${basedOn}" does not exist`);
        }
      }
      ctx.logger.info(`Environment name "${name}" is free`);
      ctx.output('name', name);
      ctx.output('namespace', `inference-${name}`);
    },
  });
}
