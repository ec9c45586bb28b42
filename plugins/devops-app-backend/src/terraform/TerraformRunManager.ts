import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  REDACTED,
  TERRAFORM_STACK_DEPENDENCIES,
  TERRAFORM_STACKS,
  TerraformLogLine,
  TerraformRun,
  TerraformRunMode,
  TerraformStackName,
  TerraformStackStatus,
  validateEnvironmentName,
} from '@devops-app/plugin-devops-app-common';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TerraformRunConfig } from './config';
import { GitOpsRepository } from '../deployments/GitOpsRepository';
import { EnvironmentOutputsPublisher } from './outputs';
import { isSecretVariable, Redactor } from './Redactor';
import { TerraformRunStore } from './TerraformRunStore';
import { TerraformRunSignals } from './TerraformRunSignals';
import {
  parsePlanSummary,
  runTerraformCommand,
  TerraformCommandResult,
} from './terraformProcess';

/** What a caller asks for: the environment, plan or apply, and the environment's files. */
export interface StartRunRequest {
  environment: string;
  mode: TerraformRunMode;
  createdBy: string;
  taskId?: string;
  /**
   * The environment's `<stack>.tfvars` (and `backend.hcl` for Azure) when they are not yet in the
   * infra checkout, as for an environment a template has just written. Without them the run reads
   * `infra/environments/<env>/`.
   */
  files?: { tfvars: Record<TerraformStackName, string>; backendHcl?: string };
}

const MAX_FILE_BYTES = 64 * 1024;
const HEARTBEAT_MS = 2000;
const LOG_FLUSH_MS = 200;

class RunFailure extends Error {}

type StackOutcome = 'ready' | 'changes' | 'failed';

/**
 * Runs the stacks of an environment as a dependency graph (cluster, then monitoring and storage in
 * parallel): `init`, `plan`, then `apply` unless plan-only, each stack in its own TF_DATA_DIR under the
 * run's working directory. One run per environment, through the lock in the database; every line of
 * terraform output is redacted, stored, and handed to listeners as it comes.
 */
export class TerraformRunManager {
  private readonly instanceId: string = randomUUID();
  private readonly active = new Map<
    string,
    { controller: AbortController; done: Promise<unknown> }
  >();
  private readonly listeners = new Map<
    string,
    Set<(line: TerraformLogLine) => void>
  >();
  private stopping = false;
  private readonly signals: TerraformRunSignals;
  private readonly dependencies: Record<
    TerraformStackName,
    TerraformStackName[]
  >;
  private readonly outputs?: Pick<EnvironmentOutputsPublisher, 'publish'>;

  constructor(
    private readonly options: {
      config: TerraformRunConfig;
      store: TerraformRunStore;
      logger: LoggerService;
      /** The process environment secrets are read from; the backend's own by default. */
      env?: NodeJS.ProcessEnv;
      /** Instance id of this backend; a restart with the same id interrupts its leftover runs. */
      instanceId?: string;
      /** Which stacks wait for which; the apply graph by default (the benchmark runs them in a line). */
      dependencies?: Record<TerraformStackName, TerraformStackName[]>;
      /** Announces state changes and stored log lines to open pages (see `TerraformRunSignals`). */
      signals?: SignalsService;
      /** At most one log signal per run in this time; 500 ms by default. */
      logSignalIntervalMs?: number;
      /** Commits an applied run's outputs; by default to `config.gitops`, none without it. */
      outputs?: Pick<EnvironmentOutputsPublisher, 'publish'>;
    },
  ) {
    if (options.instanceId) this.instanceId = options.instanceId;
    this.dependencies = options.dependencies ?? TERRAFORM_STACK_DEPENDENCIES;
    const { gitops } = options.config;
    this.outputs =
      options.outputs ??
      (gitops &&
        new EnvironmentOutputsPublisher({
          gitops: new GitOpsRepository({ ...gitops, logger: options.logger }),
          logger: options.logger,
        }));
    this.signals = new TerraformRunSignals({
      signals: options.signals,
      logger: options.logger,
      logIntervalMs: options.logSignalIntervalMs,
    });
  }

  /** Marks runs left running by a stopped backend as interrupted and releases their locks. */
  async recover(): Promise<string[]> {
    const ids = await this.options.store.interruptAbandonedRuns(
      this.instanceId,
      this.options.config.staleRunMs,
    );
    for (const id of ids) {
      this.options.logger.warn(
        `Terraform run ${id} was interrupted by a backend stop`,
      );
      const run = await this.options.store.getRun(id).catch(() => undefined);
      if (run) {
        await this.signals.runChanged({
          runId: id,
          environment: run.environment,
          status: run.status,
        });
      }
    }
    return ids;
  }

  /** Starts a run and returns it at once; the stacks go on in the background. */
  async startRun(
    request: StartRunRequest,
  ): Promise<{ run: TerraformRun; done: Promise<TerraformRun> }> {
    const reason = validateEnvironmentName(request.environment);
    if (reason) {
      throw new InputError(`environment: "${request.environment}" ${reason}`);
    }
    if (request.mode !== 'plan' && request.mode !== 'apply') {
      throw new InputError(`mode: must be "plan" or "apply"`);
    }
    await this.checkFiles(request);
    const id = randomUUID();
    await this.options.store.createRun({
      id,
      environment: request.environment,
      mode: request.mode,
      createdBy: request.createdBy,
      taskId: request.taskId,
      instanceId: this.instanceId,
      stacks: [...TERRAFORM_STACKS],
    });
    const controller = new AbortController();
    const done = this.execute(id, request, controller).finally(() =>
      this.active.delete(id),
    );
    done.catch(() => {});
    this.active.set(id, { controller, done });
    void this.signals.runChanged({
      runId: id,
      environment: request.environment,
      status: 'running',
    });
    return { run: await this.options.store.getRun(id), done };
  }

  /** Stops this instance's runs because the backend is stopping; they end as interrupted. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    const running = [...this.active.values()];
    running.forEach(r => r.controller.abort());
    await Promise.allSettled(running.map(r => r.done));
  }

  async cancelRun(id: string): Promise<TerraformRun> {
    const local = this.active.get(id);
    if (local) {
      local.controller.abort();
    } else {
      await this.options.store.requestCancel(id);
    }
    return this.options.store.getRun(id);
  }

  getRun(id: string) {
    return this.options.store.getRun(id);
  }

  listRuns(filter: {
    environment?: string;
    environments?: string[];
    limit?: number;
  }) {
    return this.options.store.listRuns(filter);
  }

  readLog(id: string, options: { after?: number; stack?: TerraformStackName }) {
    return this.options.store.readLog(id, options);
  }

  /** Lines of a run this instance is executing, as they come; returns the unsubscribe function. */
  subscribe(
    id: string,
    listener: (line: TerraformLogLine) => void,
  ): () => void {
    const set = this.listeners.get(id) ?? new Set();
    set.add(listener);
    this.listeners.set(id, set);
    return () => set.delete(listener);
  }

  /** Stores a stack's change and, when its status changes, announces it. */
  private async updateStack(
    id: string,
    environment: string,
    stack: TerraformStackName,
    update: Parameters<TerraformRunStore['updateStack']>[2] & {
      status?: TerraformStackStatus;
    },
  ) {
    await this.options.store.updateStack(id, stack, update);
    if (update.status) {
      // Not awaited: a slow event bus must not hold the stacks back (publish failures are logged).
      void this.signals.runChanged({
        runId: id,
        environment,
        status: 'running',
        stack,
        stackStatus: update.status,
      });
    }
  }

  private async checkFiles(request: StartRunRequest) {
    const { config } = this.options;
    if (request.files) {
      for (const stack of TERRAFORM_STACKS) {
        const content = request.files.tfvars?.[stack];
        if (typeof content !== 'string') {
          throw new InputError(`files.tfvars.${stack}: missing`);
        }
        if (Buffer.byteLength(content) > MAX_FILE_BYTES) {
          throw new InputError(
            `files.tfvars.${stack}: larger than ${MAX_FILE_BYTES} bytes`,
          );
        }
      }
      if (
        config.target === 'azure' &&
        typeof request.files.backendHcl !== 'string'
      ) {
        throw new InputError('files.backendHcl: missing');
      }
      return;
    }
    const dir = path.join(config.infraDir, 'environments', request.environment);
    try {
      await fs.access(path.join(dir, 'cluster.tfvars'));
    } catch {
      throw new InputError(
        `environment: "${request.environment}" has no files in infra/environments and the request brings none`,
      );
    }
  }

  private async execute(
    id: string,
    request: StartRunRequest,
    controller: AbortController,
  ): Promise<TerraformRun> {
    const { store, logger, config } = this.options;
    const runDir = path.join(config.workDir, id);
    const redactor = new Redactor();
    let seq = 0;
    let buffer: Omit<TerraformLogLine, 'at'>[] = [];
    let writes = Promise.resolve();
    const flush = () => {
      const lines = buffer;
      buffer = [];
      writes = writes
        .then(async () => {
          await store.appendLog(id, lines);
          if (lines.length > 0) {
            this.signals.logStored(
              id,
              request.environment,
              lines[lines.length - 1].seq,
            );
          }
        })
        .catch(error => {
          logger.error(
            `Could not store log lines of terraform run ${id}: ${error}`,
          );
        });
      return writes;
    };
    const flushTimer = setInterval(flush, LOG_FLUSH_MS);
    const log = (
      stack: TerraformStackName,
      stream: TerraformLogLine['stream'],
      line: string,
    ) => {
      const entry = { seq: seq++, stack, stream, line };
      buffer.push(entry);
      const at = new Date().toISOString();
      for (const listener of this.listeners.get(id) ?? [])
        listener({ ...entry, at });
    };
    const heartbeat = setInterval(() => {
      store
        .heartbeat(id)
        .then(({ cancelRequested }) => cancelRequested && controller.abort())
        .catch(() => {});
    }, HEARTBEAT_MS);

    let status: 'succeeded' | 'failed' | 'cancelled' | 'interrupted' =
      'succeeded';
    let error: string | undefined;
    try {
      const env = await this.terraformEnv(
        runDir,
        request.environment,
        redactor,
      );
      const files = await this.writeFiles(runDir, request);
      // Each stack's outcome: `ready` lets its dependents run; `changes` is a plan-only stack whose
      // plan changes something, so its dependents cannot be planned against its state yet.
      const results = new Map<TerraformStackName, Promise<StackOutcome>>();
      const runStack = (stack: TerraformStackName): Promise<StackOutcome> => {
        let result = results.get(stack);
        if (!result) {
          result = Promise.all(this.dependencies[stack].map(runStack)).then(
            async deps => {
              if (controller.signal.aborted) {
                await this.updateStack(id, request.environment, stack, {
                  status: 'cancelled',
                });
                return 'failed';
              }
              if (deps.includes('failed')) {
                await this.updateStack(id, request.environment, stack, {
                  status: 'skipped',
                  error: 'A stack it depends on failed',
                });
                return 'failed';
              }
              if (deps.includes('changes')) {
                const waitsFor = this.dependencies[stack].join(', ');
                log(
                  stack,
                  'system',
                  `not planned: needs ${waitsFor} applied first`,
                );
                await this.updateStack(id, request.environment, stack, {
                  status: 'skipped',
                  error: `Not planned: needs ${waitsFor} applied first`,
                });
                return 'changes';
              }
              return this.runStack({
                id,
                stack,
                request,
                runDir,
                files,
                env,
                redactor,
                log,
                controller,
              });
            },
          );
          results.set(stack, result);
        }
        return result;
      };
      const outcomes = await Promise.all(TERRAFORM_STACKS.map(runStack));
      if (controller.signal.aborted && this.stopping) {
        status = 'interrupted';
        error = 'The backend stopped while the run was going on';
      } else if (controller.signal.aborted) {
        status = 'cancelled';
        error = 'Cancelled';
      } else if (outcomes.includes('failed')) {
        status = 'failed';
        const run = await store.getRun(id);
        error = run.stacks
          .filter(s => s.status === 'failed')
          .map(s => `${s.stack}: ${s.error}`)
          .join('; ');
      } else if (request.mode === 'apply' && this.outputs) {
        // The outputs go to the GitOps repository before the run ends, so a step waiting for the end
        // (register-file) reads them; publish never throws (outputs/EnvironmentOutputsPublisher.ts).
        await this.outputs.publish(await store.getRun(id), line =>
          log('cluster', 'system', redactor.redact(line)),
        );
      }
    } catch (e) {
      status = 'failed';
      error = redactor.redact(e instanceof Error ? e.message : String(e));
      logger.error(`Terraform run ${id} failed: ${error}`);
    } finally {
      clearInterval(flushTimer);
      clearInterval(heartbeat);
      await flush();
      await store.finishRun(id, status, error);
      this.listeners.delete(id);
      // The last lines are announced before the end, so a page reading on the end signal has them all.
      await this.signals.finishLog(id);
      const finished = await store.getRun(id).catch(() => undefined);
      await this.signals.runChanged({
        runId: id,
        environment: request.environment,
        status: finished?.status ?? status,
      });
      await fs
        .rm(path.join(runDir), { recursive: true, force: true })
        .catch(() => {});
    }
    return store.getRun(id);
  }

  private async runStack(args: {
    id: string;
    stack: TerraformStackName;
    request: StartRunRequest;
    runDir: string;
    files: {
      varFile: (stack: TerraformStackName) => string;
      backendHcl?: string;
    };
    env: NodeJS.ProcessEnv;
    redactor: Redactor;
    log: (
      stack: TerraformStackName,
      stream: TerraformLogLine['stream'],
      line: string,
    ) => void;
    controller: AbortController;
  }): Promise<StackOutcome> {
    const { id, stack, request, runDir, files, redactor, log, controller } =
      args;
    const { config } = this.options;
    const stackDir = path.join(runDir, stack);
    await fs.mkdir(stackDir, { recursive: true });
    const env = {
      ...args.env,
      TF_DATA_DIR: path.join(stackDir, 'terraform-data'),
    };
    const chdir = `-chdir=${path.join(config.stacksDir, stack)}`;
    const planFile = path.join(stackDir, 'run.tfplan');
    const deadline = Date.now() + config.stackTimeoutMs;
    await this.updateStack(id, request.environment, stack, {
      status: 'running',
      startedAt: new Date().toISOString(),
    });

    let plan: ReturnType<typeof parsePlanSummary>;
    const command = async (
      label: string,
      cmdArgs: string[],
      captureStdout = false,
    ) => {
      log(stack, 'system', `$ terraform ${label}`);
      const result = await runTerraformCommand({
        binary: config.binary,
        args: [chdir, ...cmdArgs],
        env,
        timeoutMs: Math.max(deadline - Date.now(), 1),
        signal: controller.signal,
        redactor,
        captureStdout,
        onLine: (stream, line) => {
          plan = plan ?? parsePlanSummary(line);
          log(stack, stream, line);
        },
      });
      if (result.exitCode !== 0)
        throw new RunFailure(
          failureReason(label, result, config.stackTimeoutMs),
        );
      return result;
    };

    try {
      if (config.target === 'sandbox') {
        const statePath = path.join(
          config.stateDir,
          request.environment,
          `${stack}.tfstate`,
        );
        await fs.mkdir(path.dirname(statePath), { recursive: true });
        await command('init', [
          'init',
          '-input=false',
          '-no-color',
          `-backend-config=path=${statePath}`,
        ]);
      } else {
        await command('init', [
          'init',
          '-input=false',
          '-no-color',
          '-reconfigure',
          `-backend-config=${files.backendHcl}`,
        ]);
      }
      await command('plan', [
        'plan',
        '-input=false',
        '-no-color',
        `-var-file=${files.varFile(stack)}`,
        `-out=${planFile}`,
      ]);
      const summary = plan ?? { add: 0, change: 0, destroy: 0 };
      await this.updateStack(id, request.environment, stack, { plan: summary });
      if (request.mode === 'plan') {
        await this.updateStack(id, request.environment, stack, {
          status: 'planned',
          finishedAt: new Date().toISOString(),
        });
        return summary.add + summary.change + summary.destroy > 0
          ? 'changes'
          : 'ready';
      }
      await command('apply', ['apply', '-input=false', '-no-color', planFile]);
      const output = await command(
        'output -json',
        ['output', '-json', '-no-color'],
        true,
      );
      const outputs = readOutputs(output.stdout, redactor);
      log(stack, 'system', `outputs: ${Object.keys(outputs).join(', ')}`);
      await this.updateStack(id, request.environment, stack, {
        status: 'applied',
        outputs,
        finishedAt: new Date().toISOString(),
      });
      return 'ready';
    } catch (e) {
      const cancelled = controller.signal.aborted;
      const message = redactor.redact(
        e instanceof Error ? e.message : String(e),
      );
      log(stack, 'system', cancelled ? 'cancelled' : `failed: ${message}`);
      await this.updateStack(id, request.environment, stack, {
        status: cancelled ? 'cancelled' : 'failed',
        finishedAt: new Date().toISOString(),
        error: cancelled ? 'Cancelled' : message,
      });
      return 'failed';
    }
  }

  /**
   * The environment terraform sees: only what it needs, never the backend's whole environment, with
   * secrets (Datadog keys, Azure credentials) registered with the redactor before any command runs.
   */
  private async terraformEnv(
    runDir: string,
    environment: string,
    redactor: Redactor,
  ): Promise<NodeJS.ProcessEnv> {
    const { config } = this.options;
    const source = this.options.env ?? process.env;
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
      if (name.startsWith('ARM_') && config.target === 'azure')
        env[name] = value;
    }
    const datadogApiKey =
      source.DD_API_KEY ??
      (config.target === 'sandbox' ? 'sandbox-api-key' : undefined);
    const datadogAppKey =
      source.DD_APP_KEY ??
      (config.target === 'sandbox' ? 'sandbox-app-key' : undefined);
    if (datadogApiKey) env.TF_VAR_datadog_api_key = datadogApiKey;
    if (datadogAppKey) env.TF_VAR_datadog_app_key = datadogAppKey;
    if (source.GRAFANA_ADMIN_PASSWORD)
      env.TF_VAR_grafana_admin_password = source.GRAFANA_ADMIN_PASSWORD;
    if (config.target === 'sandbox') {
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
    void environment;
    return env;
  }

  private async writeFiles(runDir: string, request: StartRunRequest) {
    const { config } = this.options;
    if (!request.files) {
      const dir = path.join(
        config.infraDir,
        'environments',
        request.environment,
      );
      return {
        varFile: (stack: TerraformStackName) =>
          path.join(dir, `${stack}.tfvars`),
        backendHcl: path.join(dir, 'backend.hcl'),
      };
    }
    const dir = path.join(runDir, 'environment');
    await fs.mkdir(dir, { recursive: true });
    for (const stack of TERRAFORM_STACKS) {
      await fs.writeFile(
        path.join(dir, `${stack}.tfvars`),
        request.files.tfvars[stack],
      );
    }
    if (request.files.backendHcl !== undefined) {
      await fs.writeFile(
        path.join(dir, 'backend.hcl'),
        request.files.backendHcl,
      );
    }
    return {
      varFile: (stack: TerraformStackName) => path.join(dir, `${stack}.tfvars`),
      backendHcl: path.join(dir, 'backend.hcl'),
    };
  }
}

function failureReason(
  label: string,
  result: TerraformCommandResult,
  timeoutMs: number,
): string {
  if (result.timedOut)
    return `terraform ${label} timed out (stack timeout ${timeoutMs / 1000} s)`;
  if (result.cancelled) return `terraform ${label} cancelled`;
  const how = result.killedBy
    ? `was killed by ${result.killedBy}`
    : `exited with ${result.exitCode}`;
  const detail = result.stderrTail
    .filter(l => l.trim())
    .slice(-3)
    .join(' ')
    .trim();
  return `terraform ${label} ${how}${detail ? `: ${detail}` : ''}`;
}

/** Output values, with sensitive ones replaced and remembered so no later line shows them. */
function readOutputs(
  stdout: string,
  redactor: Redactor,
): Record<string, unknown> {
  const parsed = JSON.parse(stdout) as Record<
    string,
    { value: unknown; sensitive: boolean }
  >;
  const outputs: Record<string, unknown> = {};
  for (const [name, output] of Object.entries(parsed)) {
    if (output.sensitive) {
      collectStrings(output.value).forEach(v => redactor.add(v));
      outputs[name] = REDACTED;
    } else {
      outputs[name] = output.value;
    }
  }
  return outputs;
}

function collectStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(collectStrings);
  if (value && typeof value === 'object')
    return Object.values(value).flatMap(collectStrings);
  return [];
}
