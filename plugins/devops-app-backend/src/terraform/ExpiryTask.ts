import {
  AuthService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { Environment } from '@devops-app/plugin-devops-app-common';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';

/** The actor of teardowns the expiry task starts, in the audit log and on the runs. */
export const EXPIRY_ACTOR = 'system:expiry';

/** What one pass did with each expired environment. */
export interface ExpiryPass {
  removed: string[];
  skipped: { environment: string; reason: string }[];
}

/**
 * One pass of the expiry task: every environment of the catalog whose `devops-app.io/expires-at` has
 * passed is torn down through `expire` (the same path as "Remove environment", audited as
 * {@link EXPIRY_ACTOR}); protected ones, ones whose annotations have problems and ones already being
 * destroyed are skipped, each with its reason in the log. Unexpired ones are left alone.
 */
export async function expireEnvironments(options: {
  environments: Pick<EnvironmentResolver, 'all'>;
  auth: Pick<AuthService, 'getOwnServiceCredentials'>;
  /** Tears an expired environment down; throws with the reason when it cannot. */
  expire(environment: Environment): Promise<unknown>;
  /** Whether a destroy run of the environment is queued or running already. */
  destroying(environment: string): Promise<boolean>;
  logger: LoggerService;
  now?: () => Date;
}): Promise<ExpiryPass> {
  const { logger } = options;
  const now = (options.now?.() ?? new Date()).getTime();
  const all = await options.environments.all({
    credentials: await options.auth.getOwnServiceCredentials(),
  });
  const pass: ExpiryPass = { removed: [], skipped: [] };
  const skip = (environment: string, reason: string) => {
    pass.skipped.push({ environment, reason });
    logger.info(`Expiry: not removing ${environment}: ${reason}`);
  };
  for (const environment of all) {
    const { name, expiresAt } = environment;
    if (!expiresAt || Date.parse(expiresAt) > now) continue;
    if (environment.protected) {
      skip(name, `it expired at ${expiresAt} but is protected`);
    } else if (environment.problems.length > 0) {
      skip(
        name,
        `its annotations have problems (${environment.problems
          .map(p => p.annotation)
          .join(', ')})`,
      );
    } else if (await options.destroying(name)) {
      skip(name, 'a destroy run of it is queued or running');
    } else {
      try {
        await options.expire(environment);
        pass.removed.push(name);
        logger.info(`Expiry: removing ${name}, expired at ${expiresAt}`);
      } catch (e) {
        skip(name, (e as Error).message);
      }
    }
  }
  return pass;
}

/**
 * Schedules {@link expireEnvironments} on `coreServices.scheduler` with scope `global`: one pass at a
 * time across every instance sharing the database, every `intervalMs`.
 */
export async function scheduleExpiry(
  scheduler: SchedulerService,
  intervalMs: number,
  pass: () => Promise<unknown>,
): Promise<void> {
  await scheduler.scheduleTask({
    id: 'devops-app-environment-expiry',
    frequency: { milliseconds: intervalMs },
    timeout: { milliseconds: Math.max(intervalMs * 6, 120_000) },
    initialDelay: { milliseconds: intervalMs },
    scope: 'global',
    fn: async () => {
      await pass();
    },
  });
}
