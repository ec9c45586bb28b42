import { LoggerService } from '@backstage/backend-plugin-api';
import {
  TerraformLogLine,
  TerraformRun,
  TerraformRunStatus,
  TerraformStackName,
} from '@devops-app/plugin-devops-app-common';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TerraformRunConfig } from './config';
import { EnvironmentInputs } from './EnvironmentInputs';
import { EnvironmentOutputsPublisher } from './outputs';
import { isSecretVariable, Redactor } from './Redactor';
import { RunLog } from './RunLog';
import { StackGraph } from './StackGraph';
import { StackExecutor, StackUpdate } from './StackExecutor';
import { TerraformRunSignals } from './TerraformRunSignals';
import { ClaimedRun, TerraformRunStore } from './TerraformRunStore';
import { PlanApproval } from './PlanApproval';

/** Why a run this instance executes was stopped: asked by a user, or the backend is stopping. */
export type StopReason = 'cancelled' | 'shutdown' | 'lost';

/**
 * Executes one claimed run on this instance: writes the environment's files at the run's commit into
 * `<workDir>/<runId>`, runs the stacks in the order of the mode's {@link StackGraph} through a
 * {@link StackExecutor} each, commits an applied run's outputs, ends the run in the store, and removes
 * the run's directory whatever happened.
 */
export class RunExecutor {
  constructor(
    private readonly options: {
      config: TerraformRunConfig;
      store: TerraformRunStore;
      logger: LoggerService;
      signals: TerraformRunSignals;
      inputs: EnvironmentInputs;
      instanceId: string;
      env: NodeJS.ProcessEnv;
      dependencies?: Record<TerraformStackName, TerraformStackName[]>;
      outputs?: Pick<EnvironmentOutputsPublisher, 'publish'>;
      listeners: (runId: string) => Iterable<(line: TerraformLogLine) => void>;
      /** Plan approval of runs that need it (their apply stops after planning). */
      approval?: PlanApproval;
    },
  ) {}

  async execute(
    run: ClaimedRun,
    control: { signal: AbortSignal; reason: () => StopReason | undefined },
  ): Promise<TerraformRun> {
    const { store, logger, config, signals, instanceId } = this.options;
    const runDir = path.join(config.workDir, run.id);
    const redactor = new Redactor();
    const log = new RunLog({
      runId: run.id,
      environment: run.environment,
      store,
      signals,
      logger,
      listeners: () => this.options.listeners(run.id),
      // An approved run's apply phase continues the log of its plan phase.
      firstSeq: run.approved ? (await store.lastLogSeq(run.id)) + 1 : 0,
    });
    const update = async (stack: TerraformStackName, change: StackUpdate) => {
      await store.updateStack(run.id, stack, change);
      if (change.status) {
        // Not awaited: a slow event bus must not hold the stacks back (publish failures are logged).
        void signals.runChanged({
          runId: run.id,
          environment: run.environment,
          status: 'running',
          stack,
          stackStatus: change.status,
        });
      }
    };

    let status: TerraformRunStatus = 'succeeded';
    let error: string | undefined;
    const approval = this.options.approval;
    // An apply that needs approval plans first and waits; once approved, it applies the saved plans.
    const planPhase =
      run.mode === 'apply' && run.requiresApproval && !run.approved;
    let awaiting = false;
    try {
      const stale = run.approved ? await approval?.staleness(run) : undefined;
      if (stale) throw new Error(stale);
      const savedPlans = run.approved
        ? new Map((await store.readPlans(run.id)).map(p => [p.stack, p]))
        : undefined;
      const env = await this.terraformEnv(runDir, redactor);
      const inputs = await this.options.inputs.materialize(
        run,
        path.join(runDir, 'environment'),
      );
      log.line(
        'cluster',
        'system',
        run.source === 'gitops'
          ? `infra/environments/${run.environment} at ${run.commit} of the GitOps repository`
          : `infra/environments/${run.environment} of the backend's checkout${
              run.commit ? ` (HEAD ${run.commit})` : ''
            }`,
      );
      const stacks = new StackExecutor({
        config,
        store,
        runId: run.id,
        mode: run.mode,
        runDir,
        inputs,
        env,
        redactor,
        log,
        signal: control.signal,
        update,
        ...(planPhase ? { approval: { phase: 'plan' as const } } : {}),
        ...(savedPlans
          ? { approval: { phase: 'apply' as const, plans: savedPlans } }
          : {}),
      });
      const graph = StackGraph.forMode(run.mode, this.options.dependencies);
      const outcomes = await graph.run({
        cancelled: () => control.signal.aborted,
        run: stack => stacks.run(stack),
        skip: async (stack, why) => {
          if (why.reason === 'cancelled') {
            await update(stack, { status: 'cancelled' });
            return 'failed';
          }
          const names = why.dependencies.join(', ');
          if (why.reason === 'dependency-failed') {
            await update(stack, {
              status: 'skipped',
              error: `A stack it depends on failed (${names})`,
            });
            return 'failed';
          }
          log.line(
            stack,
            'system',
            `not planned: needs ${names} applied first`,
          );
          await update(stack, {
            status: 'skipped',
            error: `Not planned: needs ${names} applied first`,
          });
          return 'changes';
        },
      });
      const stopped = control.reason();
      if (stopped === 'shutdown' || stopped === 'lost') {
        status = 'interrupted';
        error =
          stopped === 'shutdown'
            ? 'The backend stopped while the run was going on'
            : 'The run was taken over by recovery (no heartbeat)';
      } else if (stopped === 'cancelled') {
        status = 'cancelled';
        error = 'Cancelled';
      } else if (Object.values(outcomes).includes('failed')) {
        status = 'failed';
        const current = await store.getRun(run.id);
        error = current.stacks
          .filter(s => s.status === 'failed')
          .map(s => `${s.stack}: ${s.error}`)
          .join('; ');
      } else if (planPhase && approval) {
        const digest = await approval.filesDigest(run);
        // The saved plans live in the store; the directory goes before the run is seen waiting, so
        // nothing of a waiting run stays on this instance's disk.
        await fs.rm(runDir, { recursive: true, force: true });
        awaiting = await store.awaitApproval(run.id, instanceId, digest);
        log.line('cluster', 'system', 'plans saved: awaiting approval');
      } else if (run.mode === 'apply' && this.options.outputs) {
        // The outputs go to the GitOps repository before the run ends, so a step waiting for the end
        // (register-file) reads them; publish never throws (outputs/EnvironmentOutputsPublisher.ts).
        await this.options.outputs.publish(await store.getRun(run.id), line =>
          log.line('cluster', 'system', redactor.redact(line)),
        );
      }
    } catch (e) {
      status = 'failed';
      error = redactor.redact(e instanceof Error ? e.message : String(e));
      log.line('cluster', 'system', `failed: ${error}`);
      logger.error(`Terraform run ${run.id} failed: ${error}`);
    } finally {
      await log.close();
      const ended =
        awaiting ||
        (await store.finishRun(run.id, instanceId, status, error).catch(e => {
          logger.error(`Could not end terraform run ${run.id}: ${e}`);
          return false;
        }));
      const finished = await store.getRun(run.id).catch(() => undefined);
      if (ended || finished) {
        await signals.runChanged({
          runId: run.id,
          environment: run.environment,
          status: finished?.status ?? status,
        });
      }
      await fs.rm(runDir, { recursive: true, force: true }).catch(() => {});
    }
    return store.getRun(run.id);
  }

  private terraformEnv(runDir: string, redactor: Redactor) {
    return terraformEnvironment({
      config: this.options.config,
      source: this.options.env,
      runDir,
      redactor,
    });
  }
}

/**
 * The environment terraform sees (runs and drift checks): only what it needs, never the backend's
 * whole environment, with secrets (Datadog keys, Azure credentials) registered with the redactor before
 * any command runs. Writes an empty CLI config into `runDir`.
 */
export async function terraformEnvironment(options: {
  config: TerraformRunConfig;
  source: NodeJS.ProcessEnv;
  runDir: string;
  redactor: Redactor;
}): Promise<NodeJS.ProcessEnv> {
  const { config, source, runDir, redactor } = options;
  await fs.mkdir(runDir, { recursive: true });
  const cliConfig = path.join(runDir, 'terraformrc');
  await fs.writeFile(cliConfig, '');
  const env: NodeJS.ProcessEnv = {
    PATH: source.PATH,
    HOME: source.HOME,
    TMPDIR: source.TMPDIR,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    TF_CLI_CONFIG_FILE: source.TF_CLI_CONFIG_FILE ?? cliConfig,
  };
  for (const [name, value] of Object.entries(source)) {
    if (name.startsWith('ARM_') && config.target === 'azure') env[name] = value;
  }
  const sandbox = config.target === 'sandbox';
  const datadogApiKey =
    source.DD_API_KEY ?? (sandbox ? 'sandbox-api-key' : undefined);
  const datadogAppKey =
    source.DD_APP_KEY ?? (sandbox ? 'sandbox-app-key' : undefined);
  if (datadogApiKey) env.TF_VAR_datadog_api_key = datadogApiKey;
  if (datadogAppKey) env.TF_VAR_datadog_app_key = datadogAppKey;
  if (source.GRAFANA_ADMIN_PASSWORD)
    env.TF_VAR_grafana_admin_password = source.GRAFANA_ADMIN_PASSWORD;
  if (sandbox) {
    // The sandbox's own inputs (where its outputs point: sandbox_prometheus_url, sandbox_kube_api_url,
    // ...) from the backend's environment, so a test points them at its stand-ins without a file edit.
    for (const [name, value] of Object.entries(source)) {
      if (name.startsWith('TF_VAR_sandbox_')) env[name] = value;
    }
    env.TF_VAR_sandbox_state_dir = config.stateDir;
    if (config.sandboxDelaySeconds !== undefined) {
      env.TF_VAR_sandbox_delay_seconds = String(config.sandboxDelaySeconds);
    }
  }
  for (const [name, value] of Object.entries({ ...source, ...env })) {
    if (isSecretVariable(name) || name.startsWith('TF_VAR_datadog'))
      redactor.add(value);
  }
  return env;
}
