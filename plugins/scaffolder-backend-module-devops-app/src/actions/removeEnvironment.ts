import { StepRefusal } from './StepRefusal';
import {
  makeValidator,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  printable,
  TERRAFORM_FINAL_STATUSES,
  TerraformRun,
  validateEnvironmentName,
} from '@devops-app/plugin-devops-app-common';
import { TerraformRunService } from '@devops-app/plugin-devops-app-node';
import { removeEnvironmentExamples } from './removeEnvironment.examples';

const POLL_MS = 1000;
/** How long the entity may take to leave the catalog after its destroy succeeded. */
const CATALOG_WAIT_MS = 180_000;

const catalogRules = makeValidator();

/** The environment a picker value names (`ttl-test`, `resource:default/ttl-test`), or a refusal. */
function pickedEnvironment(value: string): { name: string; ref: string } {
  let ref;
  try {
    ref = parseEntityRef(value, { defaultKind: 'resource' });
  } catch {
    ref = undefined;
  }
  if (
    !ref ||
    ref.kind.toLocaleLowerCase('en-US') !== 'resource' ||
    ref.namespace !== 'default' ||
    !catalogRules.isValidEntityName(ref.name)
  ) {
    throw new StepRefusal(
      `environment: ${printable(
        value,
      )} is not an environment of the catalog (resource:default/<name>)`,
    );
  }
  const reason = validateEnvironmentName(ref.name);
  if (reason) {
    throw new StepRefusal(`environment: ${printable(ref.name)} ${reason}`);
  }
  return { name: ref.name, ref: stringifyEntityRef(ref) };
}

/** A refusal of the backend (400, 403, 404, 409) in its own words; anything else as it came. */
function asRefusal(e: unknown, environment: string): Error {
  if (e instanceof ResponseError) {
    const status = e.response.status;
    const reason = e.body?.error?.message ?? e.message;
    if (status >= 400 && status < 500) {
      return new StepRefusal(`Cannot remove ${environment}: ${reason}`);
    }
  }
  return e as Error;
}

/**
 * `devops-app:environment:remove`: "Remove environment" from a template, through the same path as
 * the environment page's button: the devops-app backend's teardown route, called with the user's
 * credentials (authorized and audited there: destroy permission on the environment's entity,
 * protected environments refused with the reason). The backend runs `terraform destroy` in reverse
 * graph order (monitoring and storage, then the cluster), then commits the removal of the
 * environment's files and takes it out of the catalog. The step streams the destroy run's log, fails
 * when the run does not succeed, and then waits for the entity to leave the catalog. A refusal is a
 * failed step with the backend's reason. A dry run checks the input and removes nothing.
 */
export function createRemoveEnvironmentAction(options: {
  runs: TerraformRunService;
  catalog: Pick<CatalogService, 'getEntityByRef'>;
  /** The portal's base URL, for the link to the run's page. */
  appBaseUrl: string;
  pollIntervalMs?: number;
  catalogWaitMs?: number;
}) {
  const { runs, catalog, appBaseUrl } = options;
  const pollIntervalMs = options.pollIntervalMs ?? POLL_MS;
  const catalogWaitMs = options.catalogWaitMs ?? CATALOG_WAIT_MS;
  return createTemplateAction({
    id: 'devops-app:environment:remove',
    description:
      "Removes an environment: destroys its Terraform stacks (monitoring and storage, then the cluster), removes its files from the GitOps repository and takes it out of the catalog, as the environment page's Remove button does.",
    examples: removeEnvironmentExamples,
    supportsDryRun: true,
    schema: {
      input: {
        environment: z =>
          z.string({
            description:
              'The environment: its entity ref (resource:default/<name>, as the EntityPicker gives it) or its name',
          }),
        confirm: z =>
          z.string({
            description:
              "The environment's name typed again, as the confirmation",
          }),
      },
      output: {
        runId: z => z.string({ description: 'ID of the destroy run' }),
        runUrl: z =>
          z.string({ description: "The destroy run's page in the portal" }),
        status: z =>
          z.string({
            description:
              'Final status of the destroy run (dry-run in a dry run)',
          }),
      },
    },
    async handler(ctx) {
      const { name, ref } = pickedEnvironment(ctx.input.environment);
      if (ctx.input.confirm !== name) {
        throw new StepRefusal(
          `confirm: must be the environment's name, "${name}", typed again`,
        );
      }
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would remove ${name} (destroy its stacks, remove its files, take ${ref} out of the catalog); nothing is removed`,
        );
        ctx.output('runId', '');
        ctx.output('runUrl', '');
        ctx.output('status', 'dry-run');
        return;
      }
      const credentials = await ctx.getInitiatorCredentials();
      let started: TerraformRun;
      try {
        started = await runs.removeEnvironment(name, ctx.input.confirm, {
          credentials,
        });
      } catch (e) {
        throw asRefusal(e, name);
      }
      const runUrl = `${appBaseUrl.replace(
        /\/$/,
        '',
      )}/devops-app/terraform-runs/${started.id}`;
      ctx.output('runId', started.id);
      ctx.output('runUrl', runUrl);
      ctx.logger.info(`Destroy run ${started.id} of ${name}: ${runUrl}`);

      const onAbort = () => {
        runs.cancelRun(started.id, { credentials }).catch(error => {
          ctx.logger.warn(
            `Could not cancel destroy run ${started.id}: ${error}`,
          );
        });
      };
      ctx.signal?.addEventListener('abort', onAbort, { once: true });
      let run = started;
      let after = -1;
      try {
        for (;;) {
          const lines = await runs.readLog(started.id, { credentials, after });
          for (const line of lines) {
            ctx.logger.info(`[${line.stack}] ${line.line}`);
            after = line.seq;
          }
          const ended = TERRAFORM_FINAL_STATUSES.includes(run.status);
          if (ended && lines.length === 0) break;
          if (lines.length === 0) {
            await new Promise(resolve => setTimeout(resolve, pollIntervalMs));
            run = await runs.getRun(started.id, { credentials });
          }
        }
      } finally {
        ctx.signal?.removeEventListener('abort', onAbort);
      }
      ctx.output('status', run.status);
      for (const s of run.stacks) {
        ctx.logger.info(`${s.stack}: ${s.status}`);
      }
      if (run.status !== 'succeeded') {
        throw new Error(
          `Destroy run ${run.id} ${run.status}: ${
            run.error ?? 'no reason given'
          }; ${name}'s files and catalog entity stay`,
        );
      }

      // The backend commits the removal and unregisters the entity once the run succeeded.
      const deadline = Date.now() + catalogWaitMs;
      while (await catalog.getEntityByRef(ref, { credentials })) {
        if (Date.now() > deadline) {
          throw new Error(
            `The stacks of ${name} are destroyed, but ${ref} is still in the catalog after ${
              catalogWaitMs / 1000
            } s; the removal's outcome is in the audit log (action remove)`,
          );
        }
        await new Promise(resolve => setTimeout(resolve, pollIntervalMs));
      }
      ctx.logger.info(
        `Removed ${name}: its files are removed from the GitOps repository and ${ref} left the catalog; its runs stay readable`,
      );
    },
  });
}
