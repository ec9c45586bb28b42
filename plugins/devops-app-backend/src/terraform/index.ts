import {
  DatabaseService,
  LifecycleService,
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { SignalsService } from '@backstage/plugin-signals-node';
import os from 'node:os';
import { GitOpsRepository } from '../deployments/GitOpsRepository';
import { readTerraformRunConfig } from './config';
import { EnvironmentOutputsPublisher } from './outputs';
import { TerraformRunManager } from './TerraformRunManager';
import { TerraformRunStore } from './TerraformRunStore';

export { createTerraformRouter } from './router';
export { TerraformRunManager } from './TerraformRunManager';
export type { StartRunRequest } from './TerraformRunManager';
export { TerraformRunSignals } from './TerraformRunSignals';

/**
 * The run service of the backend plugin: reads `devopsApp.terraform`, interrupts the runs this
 * instance left behind at its last stop, starts the worker that claims queued runs, schedules the
 * recovery of dead instances' runs (a global task: one live instance at a time runs it), and stops
 * running terraform processes when this backend shuts down.
 *
 * The bound: an instance that dies stops writing its heartbeat (every `heartbeatSeconds`, 2 s); its
 * run is stale `staleRunSeconds` (15 s) after the last one, found by the next recovery pass (every
 * `recoveryIntervalSeconds`, 5 s; the scheduler may start it up to one interval late) and the
 * environment's next queued run is claimed on the next poll (`pollIntervalSeconds`, 1 s): at most
 * 15 + 2 × 5 + 1 = 26 s from the death to the next run starting (default configuration).
 */
export async function createTerraformRuns(options: {
  config: RootConfigService;
  database: DatabaseService;
  lifecycle?: LifecycleService;
  logger: LoggerService;
  /** Runs the recovery task; without it (tests) recovery only runs at start-up. */
  scheduler?: SchedulerService;
  /** Tells open run pages and lists that a run moved; tests may leave it out. */
  signals?: SignalsService;
  /** Where applied runs commit their outputs: the deployments' repository, so writes share a queue. */
  gitops?: GitOpsRepository;
}): Promise<TerraformRunManager> {
  const { config, database, lifecycle, logger, scheduler, signals, gitops } =
    options;
  const port = config.getOptionalNumber('backend.listen.port') ?? 7007;
  const runConfig = readTerraformRunConfig(config);
  const runs = new TerraformRunManager({
    config: runConfig,
    store: new TerraformRunStore(await database.getClient()),
    logger,
    signals,
    outputs: gitops && new EnvironmentOutputsPublisher({ gitops, logger }),
    // A restart of the same backend recognises its own leftover runs at once; runs of other
    // instances are interrupted only once their heartbeat is stale.
    instanceId: `${os.hostname()}:${port}`,
  });
  await runs.recover();
  runs.startWorker();
  await scheduler?.scheduleTask({
    id: 'devops-app-terraform-recovery',
    frequency: { milliseconds: runConfig.recoveryIntervalMs },
    timeout: {
      milliseconds: Math.max(runConfig.recoveryIntervalMs * 6, 60_000),
    },
    initialDelay: { milliseconds: runConfig.recoveryIntervalMs },
    scope: 'global',
    fn: async () => {
      const ids = await runs.recoverStale();
      if (ids.length > 0) {
        logger.info(
          `Recovered terraform runs of dead instances: ${ids.join(', ')}`,
        );
      }
    },
  });
  lifecycle?.addShutdownHook(() => runs.shutdown());
  return runs;
}
