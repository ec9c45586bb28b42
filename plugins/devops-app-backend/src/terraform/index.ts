import {
  DatabaseService,
  LifecycleService,
  LoggerService,
  RootConfigService,
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
export { TerraformRunSignals } from './TerraformRunSignals';

/**
 * The run service of the backend plugin: reads `devopsApp.terraform`, interrupts the runs a stopped
 * backend left behind, and stops running terraform processes when this backend shuts down.
 */
export async function createTerraformRuns(options: {
  config: RootConfigService;
  database: DatabaseService;
  lifecycle?: LifecycleService;
  logger: LoggerService;
  /** Tells open run pages and lists that a run moved; tests may leave it out. */
  signals?: SignalsService;
  /** Where applied runs commit their outputs: the deployments' repository, so writes share a queue. */
  gitops?: GitOpsRepository;
}): Promise<TerraformRunManager> {
  const { config, database, lifecycle, logger, signals, gitops } = options;
  const port = config.getOptionalNumber('backend.listen.port') ?? 7007;
  const runs = new TerraformRunManager({
    config: readTerraformRunConfig(config),
    store: new TerraformRunStore(await database.getClient()),
    logger,
    signals,
    outputs: gitops && new EnvironmentOutputsPublisher({ gitops, logger }),
    // A restart of the same backend recognises its own leftover runs at once; runs of other
    // instances are interrupted only once their heartbeat is stale.
    instanceId: `${os.hostname()}:${port}`,
  });
  await runs.recover();
  lifecycle?.addShutdownHook(() => runs.shutdown());
  return runs;
}
