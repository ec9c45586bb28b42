import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  TERRAFORM_LOG_PAGE_SIZE,
  TerraformLogLine,
  TerraformPlanSummary,
  TerraformRun,
  TerraformRunMode,
  TerraformRunStatus,
  TerraformStackName,
  TerraformStackResult,
  TerraformStackStatus,
} from '@devops-app/plugin-devops-app-common';
import { Knex } from 'knex';

const RUNS = 'devops_app_terraform_runs';
const STACKS = 'devops_app_terraform_stacks';
const LOG = 'devops_app_terraform_log';
const LOCKS = 'devops_app_terraform_locks';

interface RunRow {
  id: string;
  environment: string;
  mode: string;
  status: string;
  created_by: string;
  task_id: string | null;
  instance_id: string;
  heartbeat_at: number | string;
  started_at: string;
  finished_at: string | null;
  error: string | null;
}

interface StackRow {
  run_id: string;
  stack: string;
  status: string;
  plan_add: number | null;
  plan_change: number | null;
  plan_destroy: number | null;
  outputs: string | null;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
}

/** Thrown when another run holds the environment; its message names that run. */
export class EnvironmentLockedError extends ConflictError {}

/**
 * Runs, stack results, log lines and the per-environment lock in the plugin's database. Knows nothing
 * of terraform; every write is a single statement so two backend instances can share the tables.
 */
export class TerraformRunStore {
  constructor(private readonly db: Knex) {}

  /**
   * Creates the run and takes the environment's lock in one transaction. The lock row's primary key
   * is the environment, so of two concurrent callers (on any backend instance) one insert fails.
   */
  async createRun(run: {
    id: string;
    environment: string;
    mode: TerraformRunMode;
    createdBy: string;
    taskId?: string;
    instanceId: string;
    stacks: TerraformStackName[];
  }): Promise<void> {
    const now = new Date().toISOString();
    try {
      await this.db.transaction(async tx => {
        await tx(LOCKS).insert({
          environment: run.environment,
          run_id: run.id,
          acquired_at: now,
        });
        await tx(RUNS).insert({
          id: run.id,
          environment: run.environment,
          mode: run.mode,
          status: 'running',
          created_by: run.createdBy,
          task_id: run.taskId ?? null,
          instance_id: run.instanceId,
          heartbeat_at: Date.now(),
          started_at: now,
        });
        await tx(STACKS).insert(
          run.stacks.map(stack => ({
            run_id: run.id,
            stack,
            status: 'pending',
          })),
        );
      });
    } catch (error) {
      const holder = await this.db(LOCKS)
        .where({ environment: run.environment })
        .first();
      if (holder) {
        throw new EnvironmentLockedError(
          `Environment "${run.environment}" is locked by terraform run ${holder.run_id} (started ${holder.acquired_at}); wait for it to finish or cancel it`,
        );
      }
      throw error;
    }
  }

  async finishRun(
    id: string,
    status: TerraformRunStatus,
    error?: string,
  ): Promise<void> {
    await this.db.transaction(async tx => {
      await tx(RUNS)
        .where({ id, status: 'running' })
        .update({
          status,
          finished_at: new Date().toISOString(),
          error: error ?? null,
        });
      await tx(LOCKS).where({ run_id: id }).delete();
    });
  }

  /** Records that the run's backend is alive; answers whether someone asked to cancel the run. */
  async heartbeat(id: string): Promise<{ cancelRequested: boolean }> {
    await this.db(RUNS).where({ id }).update({ heartbeat_at: Date.now() });
    const row = await this.db(RUNS).where({ id }).first('cancel_requested');
    return { cancelRequested: Boolean(row?.cancel_requested) };
  }

  /** Asks the instance running the run to stop it; false when the run is not running. */
  async requestCancel(id: string): Promise<boolean> {
    await this.getRun(id);
    const updated = await this.db(RUNS)
      .where({ id, status: 'running' })
      .update({ cancel_requested: true });
    return updated > 0;
  }

  /**
   * Marks as interrupted the runs whose backend stopped without finishing them: runs of this
   * instance id (a restart), or of any instance whose heartbeat is older than `staleAfterMs`.
   */
  async interruptAbandonedRuns(
    instanceId: string,
    staleAfterMs: number,
  ): Promise<string[]> {
    const rows: RunRow[] = await this.db(RUNS)
      .where({ status: 'running' })
      .andWhere(q =>
        q
          .where({ instance_id: instanceId })
          .orWhere('heartbeat_at', '<', Date.now() - staleAfterMs),
      );
    for (const row of rows) {
      await this.db(STACKS)
        .where({ run_id: row.id })
        .whereIn('status', ['pending', 'running'])
        .update({ status: 'cancelled', finished_at: new Date().toISOString() });
      await this.finishRun(
        row.id,
        'interrupted',
        'The backend stopped while the run was going on',
      );
    }
    return rows.map(r => r.id);
  }

  async updateStack(
    runId: string,
    stack: TerraformStackName,
    update: {
      status?: TerraformStackStatus;
      plan?: TerraformPlanSummary;
      outputs?: Record<string, unknown>;
      startedAt?: string;
      finishedAt?: string;
      error?: string;
    },
  ): Promise<void> {
    const row: Partial<StackRow> = {};
    if (update.status) row.status = update.status;
    if (update.plan) {
      row.plan_add = update.plan.add;
      row.plan_change = update.plan.change;
      row.plan_destroy = update.plan.destroy;
    }
    if (update.outputs) row.outputs = JSON.stringify(update.outputs);
    if (update.startedAt) row.started_at = update.startedAt;
    if (update.finishedAt) row.finished_at = update.finishedAt;
    if (update.error) row.error = update.error;
    await this.db(STACKS).where({ run_id: runId, stack }).update(row);
  }

  async appendLog(
    runId: string,
    lines: Omit<TerraformLogLine, 'at'>[],
  ): Promise<void> {
    if (lines.length === 0) return;
    const at = new Date().toISOString();
    await this.db(LOG).insert(
      lines.map(l => ({
        run_id: runId,
        seq: l.seq,
        stack: l.stack,
        stream: l.stream,
        line: l.line,
        at,
      })),
    );
  }

  async getRun(id: string): Promise<TerraformRun> {
    const row: RunRow | undefined = await this.db(RUNS).where({ id }).first();
    if (!row) {
      throw new NotFoundError(`No terraform run ${id}`);
    }
    const stacks: StackRow[] = await this.db(STACKS).where({ run_id: id });
    return toRun(row, stacks);
  }

  /** Newest first; of `environment` and of any of `environments` when given (an empty list matches none). */
  async listRuns(filter: {
    environment?: string;
    environments?: string[];
    limit?: number;
  }): Promise<TerraformRun[]> {
    let query = this.db(RUNS)
      .orderBy('started_at', 'desc')
      .limit(filter.limit ?? 50);
    if (filter.environment)
      query = query.where({ environment: filter.environment });
    if (filter.environments) {
      if (filter.environments.length === 0) return [];
      query = query.whereIn('environment', filter.environments);
    }
    const rows: RunRow[] = await query;
    if (rows.length === 0) return [];
    const stacks: StackRow[] = await this.db(STACKS).whereIn(
      'run_id',
      rows.map(r => r.id),
    );
    return rows.map(r =>
      toRun(
        r,
        stacks.filter(s => s.run_id === r.id),
      ),
    );
  }

  async readLog(
    runId: string,
    options: {
      after?: number;
      stack?: TerraformStackName;
      limit?: number;
    } = {},
  ): Promise<TerraformLogLine[]> {
    let query = this.db(LOG)
      .where({ run_id: runId })
      .andWhere('seq', '>', options.after ?? -1)
      .orderBy('seq', 'asc')
      .limit(options.limit ?? TERRAFORM_LOG_PAGE_SIZE);
    if (options.stack) query = query.where({ stack: options.stack });
    const rows = await query;
    return rows.map(r => ({
      seq: Number(r.seq),
      stack: r.stack,
      stream: r.stream,
      line: r.line,
      at: r.at,
    }));
  }
}

const STACK_ORDER = ['cluster', 'monitoring', 'storage'];

function toRun(row: RunRow, stacks: StackRow[]): TerraformRun {
  return {
    id: row.id,
    environment: row.environment,
    mode: row.mode as TerraformRunMode,
    status: row.status as TerraformRunStatus,
    createdBy: row.created_by,
    ...(row.task_id ? { taskId: row.task_id } : {}),
    startedAt: row.started_at,
    ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
    ...(row.error ? { error: row.error } : {}),
    stacks: [...stacks]
      .sort(
        (a, b) => STACK_ORDER.indexOf(a.stack) - STACK_ORDER.indexOf(b.stack),
      )
      .map(toStack),
  };
}

function toStack(row: StackRow): TerraformStackResult {
  return {
    stack: row.stack as TerraformStackName,
    status: row.status as TerraformStackStatus,
    ...(row.plan_add !== null
      ? {
          plan: {
            add: Number(row.plan_add),
            change: Number(row.plan_change),
            destroy: Number(row.plan_destroy),
          },
        }
      : {}),
    ...(row.outputs ? { outputs: JSON.parse(row.outputs) } : {}),
    ...(row.started_at ? { startedAt: row.started_at } : {}),
    ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
    ...(row.error ? { error: row.error } : {}),
  };
}
