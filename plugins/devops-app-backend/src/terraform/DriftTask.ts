import {
  AuthService,
  LifecycleService,
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import { Knex } from 'knex';
import { TerraformRunConfig } from './config';
import { DriftChecker } from './DriftChecker';
import { DriftStore } from './DriftStore';
import { EnvironmentInputs } from './EnvironmentInputs';

/** The most environments one instance checks at once. */
export const MAX_DRIFT_PARALLELISM = 16;

/** `devopsApp.terraform.drift`. */
export interface DriftConfig {
  /** How often every applied environment is checked; 0: never (only "Check now"). */
  intervalMinutes: number;
  /** Environments checked at once (1 to {@link MAX_DRIFT_PARALLELISM}). */
  parallelism: number;
}

export function readDriftConfig(config: RootConfigService): DriftConfig {
  const drift = config.getOptionalConfig('devopsApp.terraform.drift');
  const intervalMinutes = drift?.getOptionalNumber('intervalMinutes') ?? 0;
  const parallelism = drift?.getOptionalNumber('parallelism') ?? 2;
  if (!(intervalMinutes >= 0) || !Number.isFinite(intervalMinutes)) {
    throw new InputError(
      `devopsApp.terraform.drift.intervalMinutes must be 0 (off) or a positive number of minutes, not ${intervalMinutes}`,
    );
  }
  if (
    !Number.isInteger(parallelism) ||
    parallelism < 1 ||
    parallelism > MAX_DRIFT_PARALLELISM
  ) {
    throw new InputError(
      `devopsApp.terraform.drift.parallelism must be an integer from 1 to ${MAX_DRIFT_PARALLELISM}, not ${parallelism}`,
    );
  }
  return { intervalMinutes, parallelism };
}

/** The drift checker and its store, with the scheduled check of every applied environment. */
export interface DriftDetection {
  checker: DriftChecker;
  store: DriftStore;
}

/**
 * Wires drift detection: a {@link DriftChecker} reading the environments' files as runs do, and, when
 * `intervalMinutes` is above 0, a task on the scheduler (scope global: one live instance runs each
 * pass) that checks every environment of the catalog whose stacks were applied and that has no run
 * executing. Running checks stop when the backend stops.
 */
export async function createDriftDetection(options: {
  config: RootConfigService;
  runConfig: TerraformRunConfig;
  db: Knex;
  inputs: EnvironmentInputs;
  environments: EnvironmentResolver;
  auth: AuthService;
  logger: LoggerService;
  scheduler?: SchedulerService;
  lifecycle?: LifecycleService;
}): Promise<DriftDetection> {
  const { runConfig, environments, auth, logger, scheduler } = options;
  const drift = readDriftConfig(options.config);
  const store = new DriftStore(options.db);
  const checker = new DriftChecker({
    config: runConfig,
    parallelism: drift.parallelism,
    inputs: options.inputs,
    store,
    logger,
  });
  options.lifecycle?.addShutdownHook(() => checker.stop());
  if (scheduler && drift.intervalMinutes > 0) {
    await scheduler.scheduleTask({
      id: 'devops-app-terraform-drift',
      frequency: { minutes: drift.intervalMinutes },
      timeout: { minutes: Math.max(drift.intervalMinutes, 30) },
      initialDelay: { minutes: Math.min(drift.intervalMinutes, 1) },
      scope: 'global',
      fn: async () => {
        const names = await scheduledEnvironments(store, environments, auth);
        logger.info(
          `Drift check of ${names.length} environments (${drift.parallelism} at a time)`,
        );
        await checker.checkAll(names, 'schedule');
      },
    });
  }
  return { checker, store };
}

async function scheduledEnvironments(
  store: DriftStore,
  environments: EnvironmentResolver,
  auth: AuthService,
): Promise<string[]> {
  const credentials = await auth.getOwnServiceCredentials();
  const inCatalog = new Set(
    (await environments.all({ credentials })).map(e => e.name),
  );
  const names: string[] = [];
  for (const name of await store.appliedEnvironments()) {
    if (inCatalog.has(name) && !(await store.isRunning(name))) names.push(name);
  }
  return names;
}
