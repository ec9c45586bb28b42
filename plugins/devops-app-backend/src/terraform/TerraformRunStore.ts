import { NotFoundError } from '@backstage/errors';
import {
  TERRAFORM_LOG_PAGE_SIZE,
  TERRAFORM_STACKS,
  TerraformLogLine,
  TerraformPlanSummary,
  TerraformRun,
  TerraformRunMode,
  TerraformRunStatus,
  TerraformStackName,
  TerraformStackResult,
  TerraformStackStatus,
} from '@devops-app/plugin-devops-app-common';
import { createHash } from 'node:crypto';
import { Knex } from 'knex';

const RUNS = 'devops_app_terraform_runs';
const STACKS = 'devops_app_terraform_stacks';
const LOG = 'devops_app_terraform_log';
const LOCKS = 'devops_app_terraform_locks';
const PLANS = 'devops_app_terraform_plans';

interface RunRow {
  id: string;
  environment: string;
  mode: string;
  status: string;
  created_by: string;
  task_id: string | null;
  instance_id: string;
  heartbeat_at: number | string;
  cancel_requested: boolean | number;
  source: string;
  commit: string | null;
  started_at: string;
  claimed_at: string | null;
  finished_at: string | null;
  error: string | null;
  requires_approval?: boolean | number | null;
  planned_at?: string | null;
  files_digest?: string | null;
  decision?: string | null;
  decided_by?: string | null;
  decided_at?: string | null;
  decision_comment?: string | null;
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

/** A claimed run that was no longer queued (cancelled meanwhile): the claim is rolled back. */
class NotQueued extends Error {}

/** A run as the worker claims it: what it needs to execute the run. */
export interface ClaimedRun {
  id: string;
  environment: string;
  mode: TerraformRunMode;
  source: NonNullable<TerraformRun['source']>;
  commit?: string;
  /** The apply stops after its plans until approved (`awaiting-approval`). */
  requiresApproval?: boolean;
  /** Its plans were approved: this claim is the apply of the saved plans. */
  approved?: boolean;
  /** When its plans were saved (an approved run). */
  plannedAt?: string;
  /** Digest of the environment's files it planned with (an approved run). */
  filesDigest?: string;
}

/** A saved plan file of a stack and its checksum. */
export interface SavedPlan {
  stack: TerraformStackName;
  sha256: string;
  content: Buffer;
}

/**
 * Runs, stack results, log lines, saved plans and the per-environment lock in the plugin's database.
 * Knows nothing of terraform. Every state change is one conditional statement (or one transaction),
 * so any number of backend instances share the tables:
 *
 * - a run is inserted `queued`; {@link TerraformRunStore.claimNext} moves the oldest queued run whose
 *   environment is free to `running` for one instance, inserting the environment's lock row in the
 *   same transaction (its primary key is the environment: of two instances, one insert fails);
 * - the instance running it writes `heartbeat_at`; {@link TerraformRunStore.interruptIfStale} ends a
 *   run whose heartbeat is older than a bound, only if it still is, and releases the lock.
 */
export class TerraformRunStore {
  constructor(private readonly db: Knex) {}

  /** Inserts the run as `queued`, its stacks `pending`. */
  async createRun(run: {
    id: string;
    environment: string;
    mode: TerraformRunMode;
    createdBy: string;
    taskId?: string;
    source: NonNullable<TerraformRun['source']>;
    commit?: string;
    requiresApproval?: boolean;
  }): Promise<void> {
    await this.db.transaction(async tx => {
      await tx(RUNS).insert({
        id: run.id,
        environment: run.environment,
        mode: run.mode,
        status: 'queued',
        created_by: run.createdBy,
        task_id: run.taskId ?? null,
        instance_id: '',
        heartbeat_at: 0,
        source: run.source,
        commit: run.commit ?? null,
        started_at: new Date().toISOString(),
        requires_approval: Boolean(run.requiresApproval),
      });
      await tx(STACKS).insert(
        TERRAFORM_STACKS.map(stack => ({
          run_id: run.id,
          stack,
          status: 'pending',
        })),
      );
    });
  }

  /**
   * Claims the oldest queued run whose environment no run holds, for `instanceId`: in one
   * transaction, inserts the environment's lock row and moves the run from `queued` to `running`.
   * A lock insert that fails (another instance took the environment first) or a run that is no
   * longer queued (cancelled meanwhile) rolls the transaction back, and the next candidate is tried.
   */
  async claimNext(instanceId: string): Promise<ClaimedRun | undefined> {
    // An approved run still holds its environment's lock (it kept it while awaiting approval).
    const candidates: RunRow[] = await this.db(RUNS)
      .where({ status: 'queued' })
      .whereNotIn(
        'environment',
        this.db(LOCKS)
          .select('environment')
          .whereRaw(`${LOCKS}.run_id <> ${RUNS}.id`),
      )
      .orderBy([
        { column: 'started_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(20);
    const taken = new Set<string>();
    for (const row of candidates) {
      // FIFO per environment: a newer run of an environment never overtakes an older one.
      if (taken.has(row.environment)) continue;
      taken.add(row.environment);
      const now = new Date().toISOString();
      try {
        await this.db.transaction(async tx => {
          const held = await tx(LOCKS)
            .where({ environment: row.environment, run_id: row.id })
            .update({ acquired_at: now });
          if (held === 0) {
            await tx(LOCKS).insert({
              environment: row.environment,
              run_id: row.id,
              acquired_at: now,
            });
          }
          const updated = await tx(RUNS)
            .where({ id: row.id, status: 'queued' })
            .update({
              status: 'running',
              instance_id: instanceId,
              heartbeat_at: Date.now(),
              claimed_at: now,
            });
          if (updated !== 1) throw new NotQueued();
        });
      } catch {
        continue;
      }
      return toClaimed(row);
    }
    return undefined;
  }

  /**
   * Ends the planning of a run that needs approval: `running` on this instance becomes
   * `awaiting-approval`, claimed by no instance (no heartbeat is expected), and the environment's
   * lock stays with the run so that no other run of the environment starts until it is decided.
   */
  async awaitApproval(
    id: string,
    instanceId: string,
    filesDigest: string,
  ): Promise<boolean> {
    const updated = await this.db(RUNS)
      .where({ id, status: 'running', instance_id: instanceId })
      .update({
        status: 'awaiting-approval',
        instance_id: '',
        heartbeat_at: 0,
        planned_at: new Date().toISOString(),
        files_digest: filesDigest,
      });
    return updated === 1;
  }

  /**
   * Records the decision on a run awaiting approval, only if it still awaits it (of two deciders,
   * one wins): approved, the run is queued again for its apply (keeping its lock, so it is the next
   * run of its environment); rejected, it ends and releases its environment.
   */
  async decide(
    id: string,
    decision: {
      decision: 'approved' | 'rejected';
      by: string;
      comment: string;
    },
  ): Promise<boolean> {
    return this.db.transaction(async tx => {
      const now = new Date().toISOString();
      const rejected = decision.decision === 'rejected';
      const updated = await tx(RUNS)
        .where({ id, status: 'awaiting-approval' })
        .update({
          status: rejected ? 'rejected' : 'queued',
          decision: decision.decision,
          decided_by: decision.by,
          decided_at: now,
          decision_comment: decision.comment,
          ...(rejected
            ? { finished_at: now, error: `Rejected by ${decision.by}` }
            : {}),
        });
      if (updated === 0) return false;
      if (rejected) {
        await tx(LOCKS).where({ run_id: id }).delete();
      }
      return true;
    });
  }

  /** Ends a run awaiting approval as cancelled and releases its environment. */
  async cancelAwaiting(id: string): Promise<boolean> {
    return this.db.transaction(async tx => {
      const updated = await tx(RUNS)
        .where({ id, status: 'awaiting-approval' })
        .update({
          status: 'cancelled',
          finished_at: new Date().toISOString(),
          error: 'Cancelled while awaiting approval',
        });
      if (updated === 0) return false;
      await tx(LOCKS).where({ run_id: id }).delete();
      return true;
    });
  }

  /**
   * Another run that changed the environment's state (a succeeded apply or destroy) and ended after
   * `since`, if any: the newest.
   */
  async changedSince(
    environment: string,
    since: string,
    exceptRunId: string,
  ): Promise<{ id: string; finishedAt: string } | undefined> {
    const row = await this.db(RUNS)
      .where({ environment, status: 'succeeded' })
      .whereIn('mode', ['apply', 'destroy'])
      .whereNot({ id: exceptRunId })
      .andWhere('finished_at', '>', since)
      .orderBy('finished_at', 'desc')
      .first('id', 'finished_at');
    return row ? { id: row.id, finishedAt: row.finished_at } : undefined;
  }

  /** Keeps the redacted `terraform show` of a stack's saved plan, for its reviewers. */
  async savePlanText(
    runId: string,
    stack: TerraformStackName,
    text: string,
  ): Promise<void> {
    await this.db(PLANS)
      .where({ run_id: runId, stack })
      .update({ show_text: text });
  }

  /** The saved plan text of a stack, with its plan's checksum; undefined when none was saved. */
  async readPlanText(
    runId: string,
    stack: TerraformStackName,
  ): Promise<{ sha256: string; text: string } | undefined> {
    const row = await this.db(PLANS)
      .where({ run_id: runId, stack })
      .first('sha256', 'show_text');
    if (!row || row.show_text === null || row.show_text === undefined)
      return undefined;
    return { sha256: row.sha256, text: row.show_text };
  }

  /**
   * Ends a run this instance runs, and releases its environment. Nothing changes when the run is no
   * longer running for `instanceId` (recovery interrupted it meanwhile).
   */
  async finishRun(
    id: string,
    instanceId: string,
    status: TerraformRunStatus,
    error?: string,
  ): Promise<boolean> {
    return this.db.transaction(async tx => {
      const updated = await tx(RUNS)
        .where({ id, status: 'running', instance_id: instanceId })
        .update({
          status,
          finished_at: new Date().toISOString(),
          error: error ?? null,
        });
      if (updated === 0) return false;
      await endOpenStacks(tx, id);
      await tx(LOCKS).where({ run_id: id }).delete();
      return true;
    });
  }

  /**
   * Records that this instance is still running the run. Answers whether someone asked to cancel
   * it, and whether the run is still this instance's (false: recovery interrupted it, so stop).
   */
  async heartbeat(
    id: string,
    instanceId: string,
  ): Promise<{ owned: boolean; cancelRequested: boolean }> {
    const updated = await this.db(RUNS)
      .where({ id, status: 'running', instance_id: instanceId })
      .update({ heartbeat_at: Date.now() });
    if (updated === 0) return { owned: false, cancelRequested: false };
    const row = await this.db(RUNS).where({ id }).first('cancel_requested');
    return { owned: true, cancelRequested: Boolean(row?.cancel_requested) };
  }

  /** Ends a queued run as cancelled at once; false when it is not queued (any more). */
  async cancelQueued(id: string): Promise<boolean> {
    return this.db.transaction(async tx => {
      const updated = await tx(RUNS).where({ id, status: 'queued' }).update({
        status: 'cancelled',
        cancel_requested: true,
        finished_at: new Date().toISOString(),
        error: 'Cancelled while queued',
      });
      if (updated === 0) return false;
      await endOpenStacks(tx, id);
      return true;
    });
  }

  /** Asks the instance running the run to stop it (it reads the flag on its heartbeat). */
  async requestCancel(id: string): Promise<boolean> {
    const updated = await this.db(RUNS)
      .where({ id, status: 'running' })
      .update({ cancel_requested: true });
    return updated > 0;
  }

  /** Running runs whose heartbeat is older than `staleBefore` (ms since the epoch). */
  async staleRuns(staleBefore: number): Promise<ClaimedRun[]> {
    const rows: RunRow[] = await this.db(RUNS)
      .where({ status: 'running' })
      .andWhere('heartbeat_at', '<', staleBefore);
    return rows.map(toClaimed);
  }

  /** Running runs of one instance id (a backend that restarts under the same id). */
  async runsOfInstance(instanceId: string): Promise<string[]> {
    const rows: RunRow[] = await this.db(RUNS).where({
      status: 'running',
      instance_id: instanceId,
    });
    return rows.map(r => r.id);
  }

  /**
   * Marks a run `interrupted` with the reason and releases its environment, only if it is still
   * running and (with `staleBefore`) its heartbeat is still older than that: of two instances
   * recovering at once, one does it; a run whose instance came back in time is left alone.
   */
  async interrupt(
    id: string,
    reason: string,
    staleBefore?: number,
  ): Promise<boolean> {
    return this.db.transaction(async tx => {
      let query = tx(RUNS).where({ id, status: 'running' });
      if (staleBefore !== undefined) {
        query = query.andWhere('heartbeat_at', '<', staleBefore);
      }
      const updated = await query.update({
        status: 'interrupted',
        finished_at: new Date().toISOString(),
        error: reason,
      });
      if (updated === 0) return false;
      await endOpenStacks(tx, id);
      await tx(LOCKS).where({ run_id: id }).delete();
      return true;
    });
  }

  /** Keeps a stack's plan file with its sha256, replacing an earlier one of the same run. */
  async savePlan(
    runId: string,
    stack: TerraformStackName,
    content: Buffer,
  ): Promise<string> {
    const sha256 = createHash('sha256').update(content).digest('hex');
    await this.db(PLANS).where({ run_id: runId, stack }).delete();
    await this.db(PLANS).insert({
      run_id: runId,
      stack,
      sha256,
      size: content.length,
      content,
      created_at: new Date().toISOString(),
    });
    return sha256;
  }

  /** The saved plans of a run, each checked against its stored checksum. */
  async readPlans(runId: string): Promise<SavedPlan[]> {
    const rows = await this.db(PLANS).where({ run_id: runId });
    return rows.map(row => {
      const content = Buffer.from(row.content);
      const actual = createHash('sha256').update(content).digest('hex');
      if (actual !== row.sha256) {
        throw new Error(
          `The saved plan of ${row.stack} in run ${runId} does not match its checksum`,
        );
      }
      return { stack: row.stack, sha256: row.sha256, content };
    });
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

  /** The highest `seq` of the run's log, -1 when it has none. */
  async lastLogSeq(runId: string): Promise<number> {
    const row = await this.db(LOG)
      .where({ run_id: runId })
      .max({ last: 'seq' })
      .first();
    return row?.last === null || row?.last === undefined
      ? -1
      : Number(row.last);
  }

  async getRun(id: string): Promise<TerraformRun> {
    const row: RunRow | undefined = await this.db(RUNS).where({ id }).first();
    if (!row) {
      throw new NotFoundError(`No terraform run ${id}`);
    }
    const stacks: StackRow[] = await this.db(STACKS).where({ run_id: id });
    return toRun(row, stacks, await this.planChecksums([id]));
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
    const checksums = await this.planChecksums(rows.map(r => r.id));
    return rows.map(r =>
      toRun(
        r,
        stacks.filter(s => s.run_id === r.id),
        checksums,
      ),
    );
  }

  /** `<runId>/<stack>` → sha256 of the saved plans of these runs. */
  private async planChecksums(runIds: string[]): Promise<Map<string, string>> {
    const rows = await this.db(PLANS)
      .whereIn('run_id', runIds)
      .select('run_id', 'stack', 'sha256');
    return new Map(rows.map(r => [`${r.run_id}/${r.stack}`, r.sha256]));
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

/** Stacks a run left pending or running when it ended: they did not finish. */
async function endOpenStacks(tx: Knex.Transaction, runId: string) {
  await tx(STACKS)
    .where({ run_id: runId })
    .whereIn('status', ['pending', 'running'])
    .update({ status: 'cancelled', finished_at: new Date().toISOString() });
}

function toClaimed(row: RunRow): ClaimedRun {
  return {
    id: row.id,
    environment: row.environment,
    mode: row.mode as TerraformRunMode,
    source: row.source as NonNullable<TerraformRun['source']>,
    ...(row.commit ? { commit: row.commit } : {}),
    ...(row.requires_approval ? { requiresApproval: true } : {}),
    ...(row.decision === 'approved' ? { approved: true } : {}),
    ...(row.planned_at ? { plannedAt: row.planned_at } : {}),
    ...(row.files_digest ? { filesDigest: row.files_digest } : {}),
  };
}

function toApproval(row: RunRow): TerraformRun['approval'] {
  if (!row.requires_approval) return undefined;
  return {
    ...(row.planned_at ? { plannedAt: row.planned_at } : {}),
    ...(row.decision
      ? { decision: row.decision as 'approved' | 'rejected' }
      : {}),
    ...(row.decided_by ? { decidedBy: row.decided_by } : {}),
    ...(row.decided_at ? { decidedAt: row.decided_at } : {}),
    ...(row.decision_comment ? { comment: row.decision_comment } : {}),
  };
}

function toRun(
  row: RunRow,
  stacks: StackRow[],
  checksums: Map<string, string>,
): TerraformRun {
  const approval = toApproval(row);
  return {
    id: row.id,
    environment: row.environment,
    mode: row.mode as TerraformRunMode,
    status: row.status as TerraformRunStatus,
    createdBy: row.created_by,
    ...(row.task_id ? { taskId: row.task_id } : {}),
    source: row.source as NonNullable<TerraformRun['source']>,
    ...(row.commit ? { commit: row.commit } : {}),
    startedAt: row.started_at,
    ...(row.claimed_at ? { claimedAt: row.claimed_at } : {}),
    ...(row.instance_id ? { instanceId: row.instance_id } : {}),
    ...(row.status === 'running' && row.cancel_requested
      ? { cancelRequested: true }
      : {}),
    ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
    ...(row.error ? { error: row.error } : {}),
    ...(approval ? { approval } : {}),
    stacks: [...stacks]
      .sort(
        (a, b) =>
          TERRAFORM_STACKS.indexOf(a.stack as TerraformStackName) -
          TERRAFORM_STACKS.indexOf(b.stack as TerraformStackName),
      )
      .map(s => toStack(s, checksums.get(`${row.id}/${s.stack}`))),
  };
}

function toStack(row: StackRow, planSha256?: string): TerraformStackResult {
  return {
    stack: row.stack as TerraformStackName,
    status: row.status as TerraformStackStatus,
    ...(planSha256 ? { planSha256 } : {}),
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
