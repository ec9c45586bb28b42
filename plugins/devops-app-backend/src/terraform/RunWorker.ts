import { LoggerService } from '@backstage/backend-plugin-api';
import { TerraformRun } from '@devops-app/plugin-devops-app-common';
import { RunExecutor, StopReason } from './RunExecutor';
import { TerraformRunStore } from './TerraformRunStore';

interface ActiveRun {
  controller: AbortController;
  reason?: StopReason;
  done: Promise<TerraformRun | undefined>;
}

/**
 * The worker loop of one backend instance (one per instance, as the scaffolder's TaskWorker): every
 * `pollIntervalMs`, and at once when this instance queues a run, it claims queued runs from the
 * database (see {@link TerraformRunStore.claimNext}) while it runs fewer than `concurrency`, and
 * executes each with a heartbeat every `heartbeatMs`. The heartbeat carries a cancel asked on any
 * instance back to the run, and stops a run that recovery has taken from this instance.
 */
export class RunWorker {
  private readonly active = new Map<string, ActiveRun>();
  private timer?: ReturnType<typeof setInterval>;
  private ticking?: Promise<void>;
  private again = false;
  private stopping = false;
  private readonly ended = new Set<(id: string) => void>();

  constructor(
    private readonly options: {
      store: TerraformRunStore;
      executor: RunExecutor;
      instanceId: string;
      logger: LoggerService;
      concurrency: number;
      pollIntervalMs: number;
      heartbeatMs: number;
    },
  ) {}

  start(): void {
    if (this.timer || this.stopping) return;
    this.timer = setInterval(
      () => void this.tick(),
      this.options.pollIntervalMs,
    );
  }

  /** Claims what it can now; concurrent calls share one pass (and ask for one more after it). */
  tick(): Promise<void> {
    if (this.ticking) {
      this.again = true;
      return this.ticking;
    }
    this.ticking = this.claim().finally(() => {
      this.ticking = undefined;
      if (this.again) {
        this.again = false;
        void this.tick();
      }
    });
    return this.ticking;
  }

  /** Whether this instance executes the run. */
  has(id: string): boolean {
    return this.active.has(id);
  }

  /** Stops a run this instance executes; it ends as cancelled. Resolves when it has ended. */
  async cancel(id: string): Promise<void> {
    const run = this.active.get(id);
    if (!run) return;
    run.reason = run.reason ?? 'cancelled';
    run.controller.abort();
    await run.done;
  }

  /** Called with the id of every run this instance ends. */
  onEnded(listener: (id: string) => void): () => void {
    this.ended.add(listener);
    return () => this.ended.delete(listener);
  }

  /** Stops claiming, stops this instance's runs (they end as interrupted) and waits for them. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    const running = [...this.active.values()];
    for (const run of running) {
      run.reason = run.reason ?? 'shutdown';
      run.controller.abort();
    }
    await Promise.allSettled(running.map(r => r.done));
  }

  private async claim() {
    const { store, instanceId, logger, concurrency } = this.options;
    while (!this.stopping && this.active.size < concurrency) {
      let claimed;
      try {
        claimed = await store.claimNext(instanceId);
      } catch (e) {
        logger.warn(`Could not claim a queued terraform run: ${e}`);
        return;
      }
      if (!claimed) return;
      this.launch(claimed);
    }
  }

  private launch(
    claimed: Awaited<ReturnType<TerraformRunStore['claimNext']>> & {},
  ) {
    const { store, executor, instanceId, logger, heartbeatMs } = this.options;
    const controller = new AbortController();
    const active: ActiveRun = { controller, done: Promise.resolve(undefined) };
    const heartbeat = setInterval(() => {
      store
        .heartbeat(claimed.id, instanceId)
        .then(({ owned, cancelRequested }) => {
          if (!owned) active.reason = active.reason ?? 'lost';
          else if (cancelRequested)
            active.reason = active.reason ?? 'cancelled';
          if (active.reason) controller.abort();
        })
        .catch(e =>
          logger.warn(`Heartbeat of terraform run ${claimed.id} failed: ${e}`),
        );
    }, heartbeatMs);
    logger.info(
      `Terraform run ${claimed.id} (${claimed.mode} of ${claimed.environment}) claimed by ${instanceId}`,
    );
    active.done = executor
      .execute(claimed, {
        signal: controller.signal,
        reason: () => active.reason,
      })
      .catch(e => {
        logger.error(`Terraform run ${claimed.id} ended badly: ${e}`);
        return undefined;
      })
      .finally(() => {
        clearInterval(heartbeat);
        this.active.delete(claimed.id);
        for (const listener of this.ended) listener(claimed.id);
        // The environment is free again: its next queued run may start here at once.
        if (!this.stopping) void this.tick();
      });
    this.active.set(claimed.id, active);
  }
}
