import { StepRefusal } from './StepRefusal';
import {
  makeValidator,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  defaultNamespace,
  ENTRA_OBJECT_ID_PATTERN,
  EXPIRY_DURATIONS,
  ExpiryDuration,
  extendedExpiry,
  printable,
  validateEnvironmentName,
  validateImageTag,
  validatePinnedRevision,
} from '@devops-app/plugin-devops-app-common';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import { examples } from './validateEnvironment.examples';

/** A refusal naming the template parameter, as the backend's routes name a field: `name: "x" ...`. */
function refuse(field: string, message: string): never {
  throw new StepRefusal(`${field}: ${message}`);
}

/** `printable(value) reason`, or the reason alone for an empty value. */
function quoted(value: string, reason: string): string {
  return value.length > 0 ? `${printable(value)} ${reason}` : reason;
}

/** The catalog's default rules for namespaces and names: refs outside them name no entity. */
const catalogRules = makeValidator();

/** The entity ref a picker value names (`pre-prod`, `resource:default/pre-prod`), or a refusal. */
function pickedRef(
  field: string,
  value: string,
  kind: 'resource' | 'group',
  what: string,
) {
  let ref;
  try {
    ref = parseEntityRef(value, { defaultKind: kind });
  } catch {
    return refuse(
      field,
      quoted(value, `is not ${what} (${kind}:<namespace>/<name>)`),
    );
  }
  if (
    ref.kind.toLocaleLowerCase('en-US') !== kind ||
    !catalogRules.isValidNamespace(ref.namespace) ||
    !catalogRules.isValidEntityName(ref.name)
  ) {
    return refuse(
      field,
      quoted(value, `is not ${what} (${kind}:<namespace>/<name>)`),
    );
  }
  return ref;
}

/**
 * `devops-app:environment:validate`: the first step of the new-environment template. Checks every
 * free-form parameter again with the backend's own grammar (common's `validate*` functions, which the
 * template's JSON-schema patterns mirror) and against the catalog, and fails the task before anything
 * is written with a message that starts with the parameter's name (`name: "x" …`, `basedOn: …`): a
 * task created through the API without the form gets the same refusal as the form. Reads the catalog
 * with the initiator's credentials through the backend's environment resolver, and outputs what the
 * template writes from the base (its production class) and the owner as a full entity ref.
 */
export function createValidateEnvironmentAction(options: {
  environments: EnvironmentResolver;
  catalog: CatalogService;
}) {
  const { environments, catalog } = options;
  return createTemplateAction({
    id: 'devops-app:environment:validate',
    description:
      'Checks that a new environment name is a lower-case DNS label and not already in use, that the base environment and the owner group exist, and the pinned revision and image tag; each refusal names the parameter.',
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
        adminGroupObjectId: z =>
          z
            .string({
              description:
                "Object ID of the Entra ID group administering a production-class environment's cluster",
            })
            .optional(),
        owner: z =>
          z
            .string({
              description:
                'The group that owns the environment: its name or its entity ref',
            })
            .optional(),
        imageTag: z =>
          z
            .string({
              description: 'The image tag the environment starts with',
            })
            .optional(),
        expiry: z =>
          z
            .string({
              description:
                'How long the environment lives: 4h, 1d, 3d, 7d or never (the default)',
            })
            .optional(),
      },
      output: {
        name: z => z.string(),
        namespace: z =>
          z.string({ description: 'Kubernetes namespace of the service' }),
        basedOn: z =>
          z.string({ description: 'Name of the base environment' }).optional(),
        owner: z =>
          z
            .string({ description: 'The owner group as an entity ref' })
            .optional(),
        production: z =>
          z.boolean({
            description: 'Whether the base environment is production-class',
          }),
        expiresAt: z =>
          z.string({
            description:
              'When the environment expires (ISO time, devops-app.io/expires-at), empty for never',
          }),
      },
    },
    async handler(ctx) {
      const { name } = ctx.input;
      const nameProblem = validateEnvironmentName(name);
      if (nameProblem) refuse('name', quoted(name, nameProblem));
      const expiry = ctx.input.expiry ?? 'never';
      if (expiry !== 'never' && !(expiry in EXPIRY_DURATIONS)) {
        refuse(
          'expiry',
          quoted(
            expiry,
            `is not one of ${Object.keys(EXPIRY_DURATIONS).join(', ')}, never`,
          ),
        );
      }
      const expiresAt =
        expiry === 'never'
          ? ''
          : extendedExpiry(undefined, expiry as ExpiryDuration, new Date());
      const imageTag = ctx.input.imageTag;
      if (imageTag !== undefined) {
        const tagProblem = validateImageTag(imageTag);
        if (tagProblem) refuse('imageTag', quoted(imageTag, tagProblem));
      }
      const pinned = ctx.input.pinnedRevision?.trim();
      if (pinned) {
        const pinProblem = validatePinnedRevision(pinned);
        if (pinProblem) refuse('pinnedRevision', quoted(pinned, pinProblem));
      }
      const adminGroup = ctx.input.adminGroupObjectId?.trim();
      if (adminGroup && !ENTRA_OBJECT_ID_PATTERN.test(adminGroup)) {
        refuse(
          'adminGroupObjectId',
          quoted(
            adminGroup,
            'is not an Entra ID object ID (a lower-case GUID)',
          ),
        );
      }
      const baseRef =
        ctx.input.basedOn === undefined
          ? undefined
          : pickedRef(
              'basedOn',
              ctx.input.basedOn,
              'resource',
              'an environment',
            );
      const ownerRef =
        ctx.input.owner === undefined
          ? undefined
          : pickedRef('owner', ctx.input.owner, 'group', 'a group');

      const credentials = await ctx.getInitiatorCredentials();
      const all = await environments.all({ credentials });
      const taken = all.find(e => e.name === name);
      if (taken) {
        refuse(
          'name',
          `environment "${name}" already exists in the catalog (${taken.entityRef})`,
        );
      }
      const base = baseRef
        ? all.find(e => e.entityRef === stringifyEntityRef(baseRef))
        : undefined;
      if (baseRef && !base) {
        refuse(
          'basedOn',
          `${printable(
            ctx.input.basedOn!,
          )} is not an environment in the catalog (it has ${
            all.map(e => e.name).join(', ') || 'none'
          })`,
        );
      }
      if (base?.production && !pinned) {
        refuse(
          'pinnedRevision',
          `required for a production-class environment (based on ${base.name}): the commit SHA or release tag vX.Y.Z its Argo CD deploys`,
        );
      }
      if (base?.production && !adminGroup) {
        refuse(
          'adminGroupObjectId',
          `required for a production-class environment (based on ${base.name}): the Entra ID group whose members administer its cluster`,
        );
      }
      const owner = ownerRef ? stringifyEntityRef(ownerRef) : undefined;
      if (owner && !(await catalog.getEntityByRef(owner, { credentials }))) {
        refuse('owner', `${printable(owner)} is not a group in the catalog`);
      }

      ctx.logger.info(
        `Environment name "${name}" is free${
          base ? `; based on ${base.entityRef}` : ''
        }${owner ? `; owned by ${owner}` : ''}`,
      );
      ctx.output('name', name);
      ctx.output('namespace', defaultNamespace(name));
      if (base) ctx.output('basedOn', base.name);
      if (owner) ctx.output('owner', owner);
      ctx.output('production', base?.production ?? false);
      ctx.output('expiresAt', expiresAt);
    },
  });
}
