import { StepRefusal } from './StepRefusal';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  TERRAFORM_STACKS,
  TerraformRun,
  TerraformRunMode,
  TerraformStackName,
  validateEnvironmentName,
} from '@devops-app/plugin-devops-app-common';
import { TerraformRunService } from '@devops-app/plugin-devops-app-node';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { applyExamples, planExamples } from './terraformRun.examples';

const POLL_MS = 500;

/**
 * `devops-app:terraform:apply` and `devops-app:terraform:plan`: run the environment's stacks through the
 * devops-app backend's run service (cluster, then monitoring and storage), streaming every log line to
 * the task log as the backend stores it. The environment's tfvars (and backend.hcl) come from the
 * workspace the template wrote; an environment without files there is read from the infra checkout.
 * A dry run, and the plan action, plan and apply nothing. Cancelling the task cancels the run.
 */
export function createTerraformRunAction(options: {
  mode: TerraformRunMode;
  runs: TerraformRunService;
  /** The portal's base URL, for the link to the run's page. */
  appBaseUrl: string;
  pollIntervalMs?: number;
}) {
  const { runs, appBaseUrl } = options;
  const pollIntervalMs = options.pollIntervalMs ?? POLL_MS;
  return createTemplateAction({
    id: `devops-app:terraform:${options.mode}`,
    description:
      options.mode === 'apply'
        ? "Plans and applies an environment's Terraform stacks (cluster, then monitoring and storage)."
        : "Plans an environment's Terraform stacks without applying anything.",
    examples: options.mode === 'apply' ? applyExamples : planExamples,
    supportsDryRun: true,
    schema: {
      input: {
        environment: z =>
          z.string({ description: 'Name of the environment whose stacks run' }),
        filesPath: z =>
          z
            .string({
              description:
                'Workspace directory holding infra/environments/<environment>/ (default: the workspace root)',
            })
            .optional(),
      },
      output: {
        runId: z => z.string({ description: 'ID of the terraform run' }),
        runUrl: z => z.string({ description: "The run's page in the portal" }),
        status: z => z.string({ description: 'Final status of the run' }),
        clusterName: z =>
          z
            .string({ description: 'AKS cluster name (cluster stack)' })
            .optional(),
        storageContainerUrl: z =>
          z
            .string({
              description:
                'URL of the treated-images container (storage stack)',
            })
            .optional(),
        stacks: z =>
          z.record(
            z.string(),
            z.object({
              status: z.string(),
              plan: z
                .object({
                  add: z.number(),
                  change: z.number(),
                  destroy: z.number(),
                })
                .optional(),
              outputs: z.record(z.string(), z.unknown()).optional(),
            }),
            {
              description:
                'Per stack: status, plan summary and outputs (sensitive ones redacted)',
            },
          ),
      },
    },
    async handler(ctx) {
      const { environment } = ctx.input;
      const reason = validateEnvironmentName(environment);
      if (reason) {
        throw new StepRefusal(`environment: "${environment}" ${reason}`);
      }
      const mode: TerraformRunMode = ctx.isDryRun ? 'plan' : options.mode;
      const files = await readEnvironmentFiles(
        resolveInside(ctx.workspacePath, ctx.input.filesPath ?? '.'),
        environment,
      );
      const credentials = await ctx.getInitiatorCredentials();
      const started = await runs.startRun(
        { environment, mode, taskId: ctx.task.id, ...(files ? { files } : {}) },
        { credentials },
      );
      const runUrl = `${appBaseUrl.replace(
        /\/$/,
        '',
      )}/devops-app/terraform-runs/${started.id}`;
      ctx.logger.info(
        `Terraform run ${started.id} (${mode}) of ${environment}: ${runUrl}`,
      );

      const onAbort = () => {
        runs.cancelRun(started.id, { credentials }).catch(error => {
          ctx.logger.warn(
            `Could not cancel terraform run ${started.id}: ${error}`,
          );
        });
      };
      ctx.signal?.addEventListener('abort', onAbort, { once: true });
      let run: TerraformRun = started;
      let after = -1;
      try {
        for (;;) {
          const lines = await runs.readLog(started.id, { credentials, after });
          for (const line of lines) {
            ctx.logger.info(`[${line.stack}] ${line.line}`);
            after = line.seq;
          }
          if (run.status !== 'running' && lines.length === 0) break;
          if (lines.length === 0) {
            await new Promise(resolve => setTimeout(resolve, pollIntervalMs));
            run = await runs.getRun(started.id, { credentials });
          }
        }
      } finally {
        ctx.signal?.removeEventListener('abort', onAbort);
      }

      const stacks = Object.fromEntries(
        run.stacks.map(s => [
          s.stack,
          {
            status: s.status,
            ...(s.plan ? { plan: s.plan } : {}),
            ...(s.outputs ? { outputs: s.outputs } : {}),
          },
        ]),
      );
      ctx.output('runId', run.id);
      ctx.output('runUrl', runUrl);
      ctx.output('status', run.status);
      ctx.output('stacks', stacks);
      const output = (stack: TerraformStackName, name: string) =>
        run.stacks.find(s => s.stack === stack)?.outputs?.[name];
      const clusterName = output('cluster', 'cluster_name');
      if (typeof clusterName === 'string')
        ctx.output('clusterName', clusterName);
      const blobEndpoint = output('storage', 'blob_endpoint');
      const container = output('storage', 'container_name');
      if (typeof blobEndpoint === 'string' && typeof container === 'string') {
        ctx.output(
          'storageContainerUrl',
          `${blobEndpoint.replace(/\/$/, '')}/${container}`,
        );
      }
      for (const s of run.stacks) {
        const plan = s.plan
          ? `, plan: ${s.plan.add} to add, ${s.plan.change} to change, ${s.plan.destroy} to destroy`
          : '';
        ctx.logger.info(`${s.stack}: ${s.status}${plan}`);
      }
      if (run.status !== 'succeeded') {
        throw new Error(
          `Terraform run ${run.id} ${run.status}: ${
            run.error ?? 'no reason given'
          }`,
        );
      }
    },
  });
}

function resolveInside(root: string, relative: string): string {
  const resolved = path.resolve(root, relative);
  if (resolved !== root && !resolved.startsWith(`${root}${path.sep}`)) {
    throw new StepRefusal(`filesPath: "${relative}" is outside the workspace`);
  }
  return resolved;
}

async function readEnvironmentFiles(root: string, environment: string) {
  const dir = path.join(root, 'infra', 'environments', environment);
  const read = (name: string) =>
    fs.readFile(path.join(dir, name), 'utf8').catch(() => undefined);
  const tfvars = {} as Record<TerraformStackName, string>;
  for (const stack of TERRAFORM_STACKS) {
    const content = await read(`${stack}.tfvars`);
    if (content === undefined) return undefined;
    tfvars[stack] = content;
  }
  const backendHcl = await read('backend.hcl');
  return { tfvars, ...(backendHcl !== undefined ? { backendHcl } : {}) };
}
