import { StepRefusal } from './StepRefusal';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  TerraformRun,
  TerraformRunMode,
  TerraformStackName,
  validateEnvironmentName,
} from '@devops-app/plugin-devops-app-common';
import { TerraformRunService } from '@devops-app/plugin-devops-app-node';
import { applyExamples, planExamples } from './terraformRun.examples';

const POLL_MS = 500;

/**
 * `devops-app:terraform:apply` and `devops-app:terraform:plan`: run the environment's stacks through the
 * devops-app backend's run service (cluster, then monitoring and storage), streaming every log line to
 * the task log as the backend stores it. The action sends the environment's name and, when given, the
 * commit the template's GitOps step pushed; the backend reads the environment's files from the GitOps
 * repository at that commit (or the branch head) and derives where the state lives. Nothing of the
 * workspace is sent. A queued run (another run holds the environment) is waited for. A dry run, and
 * the plan action, plan and apply nothing. Cancelling the task cancels the run. An apply that needs
 * approval (a production-class environment) ends the step when its plans are saved, with status
 * `awaiting-approval` and the run's link: no task waits for the approver.
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
        commit: z =>
          z
            .string({
              description:
                "The GitOps commit holding the environment's files, e.g. ${{ steps.publish.output.commitHash }} (default: the branch head); empty means the default",
            })
            .optional(),
      },
      output: {
        runId: z => z.string({ description: 'ID of the terraform run' }),
        runUrl: z => z.string({ description: "The run's page in the portal" }),
        status: z =>
          z.string({
            description:
              'Final status of the run, or awaiting-approval (the step ends; the plan applies once approved on the run page)',
          }),
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
      const mode: TerraformRunMode = options.mode;
      // A skipped publish step leaves the expression empty: the branch head then.
      const commit = ctx.input.commit?.trim() || undefined;
      if (commit !== undefined && !/^[0-9a-f]{40}$/.test(commit)) {
        throw new StepRefusal(
          `commit: "${commit}" must be a full 40-character commit id`,
        );
      }
      if (ctx.isDryRun) {
        // A run reads the environment's files from the GitOps repository at a pushed commit, and a
        // dry run pushes nothing: no run starts, nothing is planned against files the server cannot see.
        ctx.logger.info(
          `Dry run: would ${mode} the stacks of ${environment} at ${
            commit ?? 'the branch head'
          } once the files are pushed; no terraform run starts`,
        );
        ctx.output('runId', '');
        ctx.output('runUrl', '');
        ctx.output('status', 'dry-run');
        ctx.output('stacks', {});
        return;
      }
      const credentials = await ctx.getInitiatorCredentials();
      const started = await runs.startRun(
        {
          environment,
          mode,
          taskId: ctx.task.id,
          ...(commit ? { commit } : {}),
        },
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
          const ongoing = run.status === 'running' || run.status === 'queued';
          if (!ongoing && lines.length === 0) break;
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
      if (run.status === 'awaiting-approval') {
        // The step ends here, no worker waits: another user approves the plan on the run's page.
        ctx.logger.info(
          `Terraform run ${run.id} is awaiting approval: its plan applies once another user allowed to approve ${environment} approves it at ${runUrl}`,
        );
        return;
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
