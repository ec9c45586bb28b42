import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  TERRAFORM_FINAL_STATUSES,
  TERRAFORM_RUN_MODES,
  TerraformLogLine,
  TerraformRun,
  TerraformRunMode,
  TerraformStackName,
  validateEnvironmentName,
} from '@devops-app/plugin-devops-app-common';
import { randomUUID } from 'node:crypto';
import { TerraformRunConfig } from './config';
import { GitOpsRepository } from '../deployments/GitOpsRepository';
import { EnvironmentInputs } from './EnvironmentInputs';
import { EnvironmentOutputsPublisher } from './outputs';
import {
  ApprovalDecision,
  DEFAULT_MAX_PLAN_AGE_HOURS,
  PlanApproval,
} from './PlanApproval';
import { RunExecutor } from './RunExecutor';
import { RunRecovery } from './RunRecovery';
import { RunWorker } from './RunWorker';
import { TerraformRunSignals } from './TerraformRunSignals';
import { TerraformRunStore } from './TerraformRunStore';

/**
 * What a caller asks for: the environment and the mode, and optionally the commit of the GitOps
 * repository to run (the one a template just pushed). Nothing else: the files and the state
 * location are the server's (see {@link EnvironmentInputs}).
 */
export interface StartRunRequest {
  environment: string;
  mode: TerraformRunMode;
  createdBy: string;
  taskId?: string;
  /** A commit on the GitOps branch holding the environment's files; the branch head by default. */
  commit?: string;
  /** An apply stops after its plans until another user approves them (the environment's model). */
  requiresApproval?: boolean;
}

/** How long a cancel waits for a running run to stop before answering with its state. */
const CANCEL_WAIT_MS = 15_000;
const END_POLL_MS = 500;

const isFinal = (run: TerraformRun) =>
  TERRAFORM_FINAL_STATUSES.includes(run.status);

/**
 * The terraform run service of one backend instance, what the routes and the scaffolder use:
 * `startRun` queues a run (in the database, for any instance to execute), `cancelRun` ends or stops
 * it, reads go to the store. Behind it: the {@link RunWorker} claiming queued runs, the
 * {@link RunExecutor} running one run's {@link StackGraph} with a {@link StackExecutor} per stack,
 * and {@link RunRecovery} ending the runs of dead instances.
 */
export class TerraformRunManager {
  readonly instanceId: string;
  private readonly listeners = new Map<
    string,
    Set<(line: TerraformLogLine) => void>
  >();
  private readonly signals: TerraformRunSignals;
  /** The server-side inputs of runs, which drift checks read the same way. */
  readonly inputs: EnvironmentInputs;
  private readonly worker: RunWorker;
  private readonly recovery: RunRecovery;
  private readonly approval: PlanApproval;

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
    const { config, store, logger } = options;
    this.instanceId = options.instanceId ?? randomUUID();
    const { gitops } = config;
    const outputs =
      options.outputs ??
      (gitops &&
        new EnvironmentOutputsPublisher({
          gitops: new GitOpsRepository({ ...gitops, logger }),
          logger,
        }));
    this.signals = new TerraformRunSignals({
      signals: options.signals,
      logger,
      logIntervalMs: options.logSignalIntervalMs,
    });
    this.inputs = new EnvironmentInputs({ config, logger });
    this.approval = new PlanApproval({
      store,
      inputs: this.inputs,
      maxPlanAgeMs:
        config.maxPlanAgeMs ?? DEFAULT_MAX_PLAN_AGE_HOURS * 3_600_000,
    });
    this.worker = new RunWorker({
      store,
      logger,
      instanceId: this.instanceId,
      concurrency: config.concurrency,
      pollIntervalMs: config.pollIntervalMs,
      heartbeatMs: config.heartbeatMs,
      executor: new RunExecutor({
        config,
        store,
        logger,
        signals: this.signals,
        inputs: this.inputs,
        instanceId: this.instanceId,
        env: options.env ?? process.env,
        dependencies: options.dependencies,
        outputs,
        listeners: id => this.listeners.get(id) ?? [],
        approval: this.approval,
      }),
    });
    this.worker.onEnded(id => this.listeners.delete(id));
    this.recovery = new RunRecovery({
      config,
      store,
      logger,
      signals: this.signals,
    });
  }

  /**
   * Interrupts what a stopped backend left running: the runs of this instance id (a restart), and
   * every run whose heartbeat is stale (any dead instance). The scheduled task calls the second.
   */
  async recover(): Promise<string[]> {
    const ids = [
      ...(await this.recovery.recoverInstance(this.instanceId)),
      ...(await this.recovery.recoverStale()),
    ];
    await this.recovery.sweepRunDirectories();
    return ids;
  }

  /** Interrupts the runs of dead instances (no heartbeat for `staleRunMs`); for the scheduled task. */
  recoverStale(): Promise<string[]> {
    return this.recovery.recoverStale();
  }

  /** Starts claiming queued runs every `pollIntervalMs` (without it, only when this instance queues). */
  startWorker(): void {
    this.worker.start();
  }

  /**
   * Queues a run and returns it: `running` when its environment was free and this instance took it
   * at once, else `queued` until an instance claims it. `done` resolves when it has ended, wherever.
   */
  async startRun(
    request: StartRunRequest,
  ): Promise<{ run: TerraformRun; done: Promise<TerraformRun> }> {
    const reason = validateEnvironmentName(request.environment);
    if (reason) {
      throw new InputError(`environment: "${request.environment}" ${reason}`);
    }
    if (!TERRAFORM_RUN_MODES.includes(request.mode)) {
      throw new InputError(
        `mode: must be one of ${TERRAFORM_RUN_MODES.join(', ')}`,
      );
    }
    const source = await this.inputs.resolve(
      request.environment,
      request.commit,
    );
    const id = randomUUID();
    await this.options.store.createRun({
      id,
      environment: request.environment,
      mode: request.mode,
      createdBy: request.createdBy,
      taskId: request.taskId,
      requiresApproval: request.mode === 'apply' && request.requiresApproval,
      ...source,
    });
    await this.signals.runChanged({
      runId: id,
      environment: request.environment,
      status: 'queued',
    });
    await this.worker.tick();
    const run = await this.options.store.getRun(id);
    if (run.status === 'running') {
      await this.signals.runChanged({
        runId: id,
        environment: run.environment,
        status: 'running',
      });
    }
    const done = this.waitForEnd(id);
    done.catch(() => {});
    return { run, done };
  }

  /**
   * Cancels a run: a queued run ends as cancelled at once; a running one is stopped (here, or by the
   * instance running it, which reads the request on its heartbeat) and the answer is its state once
   * it has stopped, or after {@link CANCEL_WAIT_MS} with `cancelRequested`. A run that has ended is
   * refused with 409 and the reason.
   */
  async cancelRun(id: string): Promise<TerraformRun> {
    const { store } = this.options;
    const run = await store.getRun(id);
    if (isFinal(run)) throw alreadyEnded(run);
    if (
      (run.status === 'queued' && (await store.cancelQueued(id))) ||
      (run.status === 'awaiting-approval' && (await store.cancelAwaiting(id)))
    ) {
      const cancelled = await store.getRun(id);
      await this.signals.runChanged({
        runId: id,
        environment: run.environment,
        status: cancelled.status,
      });
      return cancelled;
    }
    if (this.worker.has(id)) {
      await this.worker.cancel(id);
      return store.getRun(id);
    }
    if (!(await store.requestCancel(id))) {
      const now = await store.getRun(id);
      if (isFinal(now)) throw alreadyEnded(now);
      // Claimed by this instance between the two reads.
      await this.worker.cancel(id);
      return store.getRun(id);
    }
    return this.waitForEnd(id, CANCEL_WAIT_MS);
  }

  /**
   * Approves (the run is queued again for its apply of the saved plans) or rejects (it ends, nothing
   * applied) a run awaiting approval; who may is `AuthorizedTerraformRunService`'s to decide.
   */
  async decideRun(id: string, decision: ApprovalDecision) {
    const run = await this.approval.decide(id, decision);
    await this.signals.runChanged({
      runId: id,
      environment: run.environment,
      status: run.status,
    });
    if (run.status === 'queued') await this.worker.tick();
    return this.options.store.getRun(id);
  }

  /** The redacted `terraform show` of a stack's saved plan. */
  async readPlanText(id: string, stack: TerraformStackName) {
    const text = await this.options.store.readPlanText(id, stack);
    if (!text) {
      throw new NotFoundError(`Run ${id} has no saved plan text for ${stack}`);
    }
    return { stack, ...text };
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

  /** Stops claiming and stops this instance's runs because the backend is stopping (interrupted). */
  async shutdown(): Promise<void> {
    await this.worker.shutdown();
    await this.inputs.close();
  }

  /** The run once it has ended or awaits approval (on any instance), or as it is after `timeoutMs`. */
  private async waitForEnd(id: string, timeoutMs = Infinity) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await this.options.store.getRun(id);
      // A run awaiting approval waits for a person, not for an instance: nothing to poll for.
      const waiting = run.status === 'awaiting-approval';
      if (isFinal(run) || waiting || Date.now() >= deadline) return run;
      await new Promise<void>(resolve => {
        const timer = setTimeout(done, END_POLL_MS);
        const off = this.worker.onEnded(ended => ended === id && done());
        function done() {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    }
  }
}

function alreadyEnded(run: TerraformRun) {
  return new ConflictError(
    `Terraform run ${run.id} already ended (${run.status}${
      run.finishedAt ? ` at ${run.finishedAt}` : ''
    }); there is nothing to cancel`,
  );
}
