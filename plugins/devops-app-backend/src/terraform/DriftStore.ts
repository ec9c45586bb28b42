import {
  DriftStackCheck,
  DriftStatus,
  DriftTrigger,
  TerraformStackName,
} from '@devops-app/plugin-devops-app-common';
import { Knex } from 'knex';

const TABLE = 'devops_app_terraform_drift';

/** Results older than this are removed when new ones are written. */
const RETENTION_MS = 30 * 24 * 3600 * 1000;

interface DriftRow {
  id: number;
  environment: string;
  stack: string;
  status: string;
  add: number | null;
  change: number | null;
  destroy: number | null;
  error: string | null;
  commit: string | null;
  trigger: string;
  checked_at: string;
}

/**
 * The drift checks' results (`devops_app_terraform_drift`, migration 202612020300): one row per stack
 * per check; reads serve the latest row of each environment and stack.
 */
export class DriftStore {
  constructor(
    private readonly db: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(environment: string, checks: DriftStackCheck[]) {
    if (checks.length === 0) return;
    await this.db.transaction(async tx => {
      await tx(TABLE).insert(
        checks.map(c => ({
          environment,
          stack: c.stack,
          status: c.status,
          add: c.plan?.add ?? null,
          change: c.plan?.change ?? null,
          destroy: c.plan?.destroy ?? null,
          error: c.error?.slice(0, 2000) ?? null,
          commit: c.commit ?? null,
          trigger: c.trigger,
          checked_at: c.checkedAt,
        })),
      );
      await tx(TABLE)
        .where(
          'checked_at',
          '<',
          new Date(this.now().getTime() - RETENTION_MS).toISOString(),
        )
        .delete();
    });
  }

  /** The latest result of each stack of each environment (none for an environment never checked). */
  async latest(
    environments: string[],
  ): Promise<Map<string, DriftStackCheck[]>> {
    const byEnvironment = new Map<string, DriftStackCheck[]>(
      environments.map(e => [e, []]),
    );
    if (environments.length === 0) return byEnvironment;
    const rows: DriftRow[] = await this.db(TABLE)
      .whereIn(
        'id',
        this.db(TABLE)
          .max('id')
          .whereIn('environment', environments)
          .groupBy('environment', 'stack'),
      )
      .orderBy('stack');
    for (const row of rows) {
      byEnvironment.get(row.environment)?.push(fromRow(row));
    }
    return byEnvironment;
  }

  /**
   * The environments whose stacks exist: the last succeeded apply or destroy of each is an apply. The
   * scheduled check plans only these (an environment never applied, or torn down, has nothing to
   * drift from).
   */
  async appliedEnvironments(): Promise<string[]> {
    const rows: { environment: string; mode: string }[] = await this.db(
      'devops_app_terraform_runs',
    )
      .select('environment', 'mode')
      .where({ status: 'succeeded' })
      .whereIn('mode', ['apply', 'destroy'])
      .orderBy('finished_at', 'asc');
    const last = new Map<string, string>();
    for (const row of rows) last.set(row.environment, row.mode);
    return [...last].filter(([, mode]) => mode === 'apply').map(([e]) => e);
  }

  /** Whether a run of the environment is being executed now (a drift plan would read a moving state). */
  async isRunning(environment: string): Promise<boolean> {
    const row = await this.db('devops_app_terraform_runs')
      .where({ environment, status: 'running' })
      .first('id');
    return row !== undefined;
  }
}

function fromRow(row: DriftRow): DriftStackCheck {
  const status = row.status as DriftStatus;
  return {
    stack: row.stack as TerraformStackName,
    status,
    ...(status === 'drifted'
      ? {
          plan: {
            add: row.add ?? 0,
            change: row.change ?? 0,
            destroy: row.destroy ?? 0,
          },
        }
      : {}),
    ...(row.error ? { error: row.error } : {}),
    checkedAt: row.checked_at,
    ...(row.commit ? { commit: row.commit } : {}),
    trigger: row.trigger as DriftTrigger,
  };
}
