import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  ProductionRequest,
  ProductionRequestEvidence,
  ProductionRequestStatus,
} from '@devops-app/plugin-devops-app-common';
import { Knex } from 'knex';

const TABLE = 'devops_app_production_requests';

/** What a request records when it is made. */
export type NewProductionRequest = Pick<
  ProductionRequest,
  | 'entityRef'
  | 'environment'
  | 'version'
  | 'digest'
  | 'fromEnvironment'
  | 'requestedBy'
  | 'comment'
  | 'evidence'
>;

/** The end of a request: who decided what, and what its execution did. */
export interface ProductionRequestDecision {
  status: Exclude<ProductionRequestStatus, 'pending' | 'expired'>;
  decidedBy?: string;
  decisionComment?: string;
  commit?: string;
  message?: string;
}

/**
 * Production requests in the plugin's database (migrations/202612020500_production_requests.js).
 * A request moves only forward, each step a conditional update on its current status, so two
 * approvers (or an approval and an expiry) racing on one request change it once: pending → approved
 * (its deploy running) → executed or failed; pending → rejected; pending → expired. One pending or
 * approved request per entity and environment at a time. Expiry is lazy: `expireDue` runs before
 * every read and write of the service (see ProductionRequestService), and answers the requests it
 * expired so each is audited exactly once.
 */
export class ProductionRequestStore {
  constructor(
    private readonly db: Knex,
    private readonly options: {
      /** How long a pending request waits for a decision. */
      maxAgeSeconds: number;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Refuses (409 naming it) while another request of the environment is pending or executing. */
  async create(request: NewProductionRequest): Promise<ProductionRequest> {
    const now = this.now();
    const requestedAt = now.toISOString();
    const expiresAt = new Date(
      now.getTime() + this.options.maxAgeSeconds * 1000,
    ).toISOString();
    const id = await this.db.transaction(async tx => {
      const open = await tx(TABLE)
        .where({
          entity_ref: request.entityRef,
          environment: request.environment,
        })
        .whereIn('status', ['pending', 'approved'])
        .first();
      if (open) {
        throw new ConflictError(
          `request #${open.id} (${open.version} by ${open.requested_by}) for ${request.environment} is still ${open.status}: decide it first`,
        );
      }
      const [row] = await tx(TABLE)
        .insert({
          entity_ref: request.entityRef,
          environment: request.environment,
          version: request.version,
          digest: request.digest ?? null,
          from_environment: request.fromEnvironment,
          requested_by: request.requestedBy,
          requested_at: requestedAt,
          comment: request.comment ?? null,
          evidence: JSON.stringify(request.evidence),
          status: 'pending',
          expires_at: expiresAt,
        })
        .returning('id');
      return Number(typeof row === 'object' ? row.id : row);
    });
    return (await this.get(id))!;
  }

  async get(id: number): Promise<ProductionRequest | undefined> {
    const row = await this.db(TABLE).where({ id }).first();
    return row ? toRequest(row) : undefined;
  }

  /** Newest first. */
  async list(filter: {
    entityRef: string;
    environment?: string;
    limit?: number;
  }): Promise<ProductionRequest[]> {
    const query = this.db(TABLE)
      .where({ entity_ref: filter.entityRef })
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 20);
    if (filter.environment) query.where('environment', filter.environment);
    return (await query).map(toRequest);
  }

  /**
   * Moves a pending request to approved (its deploy about to run) or rejected. Answers the request as
   * it is now; 409 when it is no longer pending (someone else decided it first, or it expired).
   */
  async claim(
    id: number,
    decision: {
      status: 'approved' | 'rejected';
      decidedBy: string;
      decisionComment?: string;
    },
  ): Promise<ProductionRequest> {
    const changed = await this.db(TABLE)
      .where({ id, status: 'pending' })
      .where('expires_at', '>', this.now().toISOString())
      .update({
        status: decision.status,
        decided_by: decision.decidedBy,
        decided_at: this.now().toISOString(),
        decision_comment: decision.decisionComment ?? null,
      });
    const current = await this.get(id);
    if (!current) throw new NotFoundError(`no production request #${id}`);
    if (changed !== 1) {
      throw new ConflictError(
        `request #${id} is ${current.status}${
          current.decidedBy ? ` (by ${current.decidedBy})` : ''
        }, not pending`,
      );
    }
    return current;
  }

  /** Ends an approved request with its execution's outcome. */
  async finish(
    id: number,
    outcome: {
      status: 'executed' | 'failed';
      commit?: string;
      message?: string;
    },
  ): Promise<ProductionRequest> {
    await this.db(TABLE)
      .where({ id, status: 'approved' })
      .update({
        status: outcome.status,
        commit: outcome.commit ?? null,
        message: outcome.message?.slice(0, 2000) ?? null,
      });
    return (await this.get(id))!;
  }

  /** Expires every pending request past its time; answers those this call expired. */
  async expireDue(entityRef?: string): Promise<ProductionRequest[]> {
    const now = this.now().toISOString();
    const query = this.db(TABLE)
      .where({ status: 'pending' })
      .where('expires_at', '<=', now);
    if (entityRef) query.where('entity_ref', entityRef);
    const due = await query;
    const expired: ProductionRequest[] = [];
    for (const row of due) {
      const changed = await this.db(TABLE)
        .where({ id: row.id, status: 'pending' })
        .update({ status: 'expired', decided_at: now });
      if (changed === 1) expired.push((await this.get(Number(row.id)))!);
    }
    return expired;
  }
}

function toRequest(row: any): ProductionRequest {
  return {
    id: Number(row.id),
    entityRef: row.entity_ref,
    environment: row.environment,
    version: row.version,
    digest: row.digest ?? undefined,
    fromEnvironment: row.from_environment,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    comment: row.comment ?? undefined,
    evidence: JSON.parse(row.evidence) as ProductionRequestEvidence,
    status: row.status,
    expiresAt: row.expires_at,
    decidedBy: row.decided_by ?? undefined,
    decidedAt: row.decided_at ?? undefined,
    decisionComment: row.decision_comment ?? undefined,
    commit: row.commit ?? undefined,
    message: row.message ?? undefined,
  };
}

/** Default age at which an undecided production request expires. */
export const DEFAULT_REQUEST_MAX_AGE_HOURS = 24;

/** `devopsApp.promotion.requests.maxAgeHours` in seconds (default 24 h). */
export function readRequestMaxAgeSeconds(config: {
  getOptionalNumber(key: string): number | undefined;
}): number {
  const hours =
    config.getOptionalNumber('devopsApp.promotion.requests.maxAgeHours') ??
    DEFAULT_REQUEST_MAX_AGE_HOURS;
  if (!(hours > 0)) {
    throw new Error(
      'devopsApp.promotion.requests.maxAgeHours must be a number of hours above 0',
    );
  }
  return hours * 3600;
}
