import { LoggerService } from '@backstage/backend-plugin-api';
import { TERRAFORM_STACKS } from '@devops-app/plugin-devops-app-common';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TerraformRunConfig } from './config';
import { sandboxStatePath } from './EnvironmentInputs';
import { TerraformRunSignals } from './TerraformRunSignals';
import { ClaimedRun, TerraformRunStore } from './TerraformRunStore';

export const STALE_REASON =
  'The backend instance running it stopped (no heartbeat)';
export const RESTART_REASON = 'The backend stopped while the run was going on';

/**
 * Ends the runs whose instance died, on whichever live instance finds them (a task on the
 * scheduler, see index.ts): a running run whose heartbeat is older than `staleRunMs` is marked
 * `interrupted` with the reason and its environment's lock is released, in one conditional
 * transaction (of two instances recovering at once, one does it). Then what the killed terraform
 * left is dealt with:
 *
 * - sandbox (local backend): terraform's lock on a state file is an fcntl lock the kernel dropped
 *   with the process, but the lock info file `.<stack>.tfstate.lock.info` stays and is removed; a
 *   state terraform had truncated (0 bytes) is restored from its `.backup`, or removed when there is
 *   none (the stack had no state before);
 * - azure: the state lock is a lease on the state blob that the killed terraform never released.
 *   Every plan and apply waits for a lock up to `lockTimeoutSeconds` (`-lock-timeout`); a lease left
 *   by a dead run makes the next run fail with terraform's "Error acquiring the state lock" and its
 *   lock ID, to be released with `terraform force-unlock <ID>` by an operator. Recovery does not
 *   break leases itself (no Azure here to test it against).
 *
 * The run's directory (`<workDir>/<runId>`) is removed when it is on this instance's disk.
 */
export class RunRecovery {
  constructor(
    private readonly options: {
      config: TerraformRunConfig;
      store: TerraformRunStore;
      logger: LoggerService;
      signals: TerraformRunSignals;
    },
  ) {}

  /** Interrupts every running run whose heartbeat is stale; returns their ids. */
  async recoverStale(now = Date.now()): Promise<string[]> {
    const staleBefore = now - this.options.config.staleRunMs;
    const runs = await this.options.store.staleRuns(staleBefore);
    const recovered: string[] = [];
    for (const run of runs) {
      if (
        await this.options.store.interrupt(run.id, STALE_REASON, staleBefore)
      ) {
        await this.cleanUp(run, STALE_REASON);
        recovered.push(run.id);
      }
    }
    return recovered;
  }

  /**
   * Removes the directories in `workDir` of runs that are not running (ended, or unknown): what a
   * killed instance left on this disk, found when an instance starts on it again.
   */
  async sweepRunDirectories(): Promise<string[]> {
    const { config, store } = this.options;
    const entries = await fs
      .readdir(config.workDir)
      .catch(() => [] as string[]);
    const removed: string[] = [];
    for (const id of entries) {
      const run = await store.getRun(id).catch(() => undefined);
      if (run?.status === 'running' || run?.status === 'queued') continue;
      await fs.rm(path.join(config.workDir, id), {
        recursive: true,
        force: true,
      });
      removed.push(id);
    }
    return removed;
  }

  /** Interrupts the runs an instance of this id left running (it restarted under the same id). */
  async recoverInstance(instanceId: string): Promise<string[]> {
    const recovered: string[] = [];
    for (const id of await this.options.store.runsOfInstance(instanceId)) {
      const run = await this.options.store.getRun(id);
      if (await this.options.store.interrupt(id, RESTART_REASON)) {
        await this.cleanUp({ ...run, id }, RESTART_REASON);
        recovered.push(id);
      }
    }
    return recovered;
  }

  private async cleanUp(
    run: Pick<ClaimedRun, 'id' | 'environment'>,
    reason: string,
  ) {
    const { config, logger, signals, store } = this.options;
    const done: string[] = [];
    if (config.target === 'sandbox') {
      for (const stack of TERRAFORM_STACKS) {
        done.push(
          ...(await releaseLocalState(
            sandboxStatePath(config, run.environment, stack),
          )),
        );
      }
    }
    await fs.rm(path.join(config.workDir, run.id), {
      recursive: true,
      force: true,
    });
    logger.warn(
      `Terraform run ${run.id} of ${run.environment} interrupted: ${reason}${
        done.length ? `; ${done.join('; ')}` : ''
      }`,
    );
    const lines = [
      `interrupted: ${reason}`,
      ...done.map(d => `recovery: ${d}`),
    ];
    const last = await store.lastLogSeq(run.id);
    await store
      .appendLog(
        run.id,
        lines.map((line, i) => ({
          seq: last + 1 + i,
          stack: 'cluster' as const,
          stream: 'system' as const,
          line,
        })),
      )
      .catch(() => {});
    await signals.runChanged({
      runId: run.id,
      environment: run.environment,
      status: 'interrupted',
    });
  }
}

/**
 * What a killed terraform leaves of a local state: the lock info file (`.<name>.lock.info`, next to
 * the state, see terraform's internal/states/statemgr/filesystem.go lockInfoPath) and, when it was
 * killed while writing, a 0-byte state. Returns what it did.
 */
export async function releaseLocalState(statePath: string): Promise<string[]> {
  const done: string[] = [];
  const dir = path.dirname(statePath);
  const lockInfo = path.join(dir, `.${path.basename(statePath)}.lock.info`);
  if (await exists(lockInfo)) {
    await fs.rm(lockInfo, { force: true });
    done.push(`removed the stale state lock ${path.basename(lockInfo)}`);
  }
  const size = await fs
    .stat(statePath)
    .then(s => s.size)
    .catch(() => undefined);
  if (size === 0) {
    const backup = `${statePath}.backup`;
    const backupSize = await fs
      .stat(backup)
      .then(s => s.size)
      .catch(() => 0);
    if (backupSize > 0) {
      await fs.copyFile(backup, statePath);
      done.push(
        `restored the empty ${path.basename(statePath)} from its backup`,
      );
    } else {
      await fs.rm(statePath, { force: true });
      done.push(`removed the empty ${path.basename(statePath)} (no backup)`);
    }
  }
  return done;
}

function exists(file: string) {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
