import {
  AuditRecord,
  DeploymentAction,
} from '@devops-app/plugin-devops-app-common';
import { Knex } from 'knex';

const TABLE = 'devops_app_deployment_audit';

export type NewAuditRecord<TAction extends string = DeploymentAction> = Omit<
  AuditRecord<TAction>,
  'id' | 'createdAt'
>;

/**
 * The audit log of deploys, syncs, promotions and aborts, and of terraform run decisions
 * (`TerraformRunAction`, with the run's id), in the plugin's database.
 */
export class AuditStore {
  private readonly listeners: Array<() => void> = [];

  constructor(
    private readonly db: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Calls `listener` after each entry this instance writes (e.g. to forget shared reads of the log). */
  onAdd(listener: () => void): void {
    this.listeners.push(listener);
  }

  async add<TAction extends string = DeploymentAction>(
    record: NewAuditRecord<TAction>,
  ): Promise<AuditRecord<TAction>> {
    const createdAt = this.now().toISOString();
    const [row] = await this.db(TABLE)
      .insert({
        created_at: createdAt,
        actor: record.actor,
        entity_ref: record.entityRef,
        environment: record.environment,
        action: record.action,
        before: record.before ?? null,
        after: record.after ?? null,
        result: record.result,
        message: record.message?.slice(0, 2000) ?? null,
        commit: record.commit ?? null,
        run_id: record.runId ?? null,
      })
      .returning('id');
    const id = typeof row === 'object' ? row.id : row;
    for (const listener of this.listeners) listener();
    return { ...record, id: Number(id), createdAt };
  }

  /** Newest first. */
  async list<TAction extends string = DeploymentAction>(filter: {
    entityRef?: string;
    environment?: string;
    action?: TAction;
    result?: AuditRecord['result'];
    runId?: string;
    limit?: number;
  }): Promise<AuditRecord<TAction>[]> {
    const query = this.db(TABLE)
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 50);
    if (filter.entityRef) query.where('entity_ref', filter.entityRef);
    if (filter.environment) query.where('environment', filter.environment);
    if (filter.action) query.where('action', filter.action);
    if (filter.result) query.where('result', filter.result);
    if (filter.runId) query.where('run_id', filter.runId);
    const rows = await query;
    return rows.map(row => toRecord<TAction>(row));
  }
}

function toRecord<TAction extends string>(row: any): AuditRecord<TAction> {
  return {
    id: Number(row.id),
    createdAt: row.created_at,
    actor: row.actor,
    entityRef: row.entity_ref,
    environment: row.environment,
    action: row.action,
    before: row.before ?? undefined,
    after: row.after ?? undefined,
    result: row.result,
    message: row.message ?? undefined,
    commit: row.commit ?? undefined,
    runId: row.run_id ?? undefined,
  };
}
