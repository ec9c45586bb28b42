import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  defaultNamespace,
  validateEnvironmentName,
} from '@devops-app/plugin-devops-app-common';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import { examples } from './validateEnvironment.examples';

/** What charts/argocd-apps accepts as a production environment's targetRevision. */
const PINNED_REVISION =
  /^([0-9a-f]{40}|v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?)$/;

/** The environment name a "Based on" value names: a plain name or the entity ref EntityPicker gives. */
function baseName(value: string): string {
  if (!value.includes(':') && !value.includes('/')) return value;
  try {
    const ref = parseEntityRef(value, { defaultKind: 'resource' });
    if (ref.kind.toLocaleLowerCase('en-US') === 'resource') return ref.name;
  } catch {
    // reported below
  }
  throw new InputError(
    `basedOn: "${value.slice(
      0,
      100,
    )}" is not an environment (resource:<namespace>/<name>)`,
  );
}

/**
 * `devops-app:environment:validate`: the first step of the new-environment template. Fails the task
 * with a readable reason, before anything is written, when the name is not a valid environment name or
 * is already an environment in the catalog, or when the base environment is not one. Reads the
 * environments through the same resolver as the backend plugin, with the initiator's credentials, and
 * outputs what the template writes from the base (its production class).
 */
export function createValidateEnvironmentAction(options: {
  environments: EnvironmentResolver;
}) {
  const { environments } = options;
  return createTemplateAction({
    id: 'devops-app:environment:validate',
    description:
      'Checks that a new environment name is a lower-case DNS label and not already in use, and that the base environment exists.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        name: z => z.string({ description: 'Name of the new environment' }),
        basedOn: z =>
          z
            .string({
              description:
                'An existing environment the new one copies: its name or its entity ref',
            })
            .optional(),
        pinnedRevision: z =>
          z
            .string({
              description:
                'Commit SHA or release tag a production-class environment deploys',
            })
            .optional(),
      },
      output: {
        name: z => z.string(),
        namespace: z =>
          z.string({ description: 'Kubernetes namespace of the service' }),
        basedOn: z =>
          z.string({ description: 'Name of the base environment' }).optional(),
        production: z =>
          z.boolean({
            description: 'Whether the base environment is production-class',
          }),
      },
    },
    async handler(ctx) {
      const { name } = ctx.input;
      const reason = validateEnvironmentName(name);
      if (reason) {
        throw new InputError(`Environment name "${name}" ${reason}`);
      }
      const basedOn =
        ctx.input.basedOn === undefined
          ? undefined
          : baseName(ctx.input.basedOn);
      const credentials = await ctx.getInitiatorCredentials();
      const all = await environments.all({ credentials });
      const taken = all.find(e => e.name === name);
      if (taken) {
        throw new InputError(
          `Environment "${name}" already exists in the catalog (${taken.entityRef})`,
        );
      }
      const base = basedOn ? all.find(e => e.name === basedOn) : undefined;
      if (basedOn !== undefined && !base) {
        throw new InputError(
          `Base environment "${basedOn}" does not exist in the catalog (it has ${
            all.map(e => e.name).join(', ') || 'none'
          })`,
        );
      }
      const pinned = ctx.input.pinnedRevision?.trim();
      if (base?.production && !pinned) {
        throw new InputError(
          `pinnedRevision: required for a production-class environment (based on ${base.name}): the commit SHA or release tag vX.Y.Z its Argo CD deploys`,
        );
      }
      if (pinned && !PINNED_REVISION.test(pinned)) {
        throw new InputError(
          `pinnedRevision: "${pinned.slice(
            0,
            64,
          )}" is not a 40-hex commit SHA or a release tag vX.Y.Z`,
        );
      }
      ctx.logger.info(
        `Environment name "${name}" is free${
          base ? `; based on ${base.entityRef}` : ''
        }`,
      );
      ctx.output('name', name);
      ctx.output('namespace', defaultNamespace(name));
      if (base) ctx.output('basedOn', base.name);
      ctx.output('production', base?.production ?? false);
    },
  });
}
