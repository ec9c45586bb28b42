import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  ActionPermission,
  AuditRecord,
  EntityLike,
  EnvironmentDeploymentStatus,
  RollbackOffer,
  RollbackOffersResponse,
  RollbackResult,
} from '@devops-app/plugin-devops-app-common';
import { loadEntityForCaller } from '../../request';
import type { RollbackPlanResult } from '../AuthorizedDeploymentService';
import { DeploymentTarget } from '../DeploymentService';
import { activeFreeze, freezeNotice } from './freezes';
import { RollbackCandidate, rollbackCandidates } from './RollbackPlan';
import { currentTimeMs, PromotionDependencies } from './PromotionDependencies';

/** A rollback as the route parsed it: the target version is the server's to choose. */
export interface RollbackRequest {
  credentials: BackstageCredentials;
  entityRef: string;
  environment: string;
}

/** What a rollback would do, whoever asks: an offer without the caller's permission. */
type PlannedRollback = Omit<RollbackOffer, 'permission'>;

/** How many of an environment's audit entries the plan reads (newest first). */
const HISTORY_LIMIT = 200;

/**
 * "Roll back to <previous version>" of every environment: `offers` says per environment what a
 * rollback would do now (the version, why it counts as verified, whether a paused Rollout is aborted
 * first, or why there is nothing to roll back to); `rollback` does it through
 * `AuthorizedDeploymentService.rollback` (authorized as `devops-app.deployment.rollback`, refused in a
 * freeze window, audited as `rollback`), planning again inside the audited path so that the version
 * deployed is the one the rule picks at that moment, never one from the request. See RollbackPlan.ts
 * for which version that is.
 */
export class RollbackService {
  constructor(private readonly options: PromotionDependencies) {}

  private nowMs(): number {
    return currentTimeMs(this.options);
  }

  /** Each environment's rollback, for a caller who may read the entity. */
  async offers(request: {
    credentials: BackstageCredentials;
    entityRef: string;
  }): Promise<RollbackOffersResponse> {
    const [resolved, status] = await Promise.all([
      loadEntityForCaller(this.options.environments, request),
      this.options.deployments.status(request),
    ]);
    const rows = new Map(status.items.map(i => [i.environment, i]));
    // The decision depends only on the environment's class: asked once per class, not per environment.
    const byClass = new Map<boolean, Promise<ActionPermission>>();
    const permissionOf = (production: boolean) => {
      if (!byClass.has(production)) {
        byClass.set(
          production,
          this.options.deployments.rollbackPermission(request.credentials, {
            entityRef: resolved.entityRef,
            entity: resolved.entity,
            production,
          }),
        );
      }
      return byClass.get(production)!;
    };
    const items = await Promise.all(
      resolved.environments.map(async environment => {
        const [offer, permission] = await Promise.all([
          this.plan(
            resolved.entity,
            resolved.entityRef,
            environment,
            rows.get(environment.name),
          ),
          permissionOf(environment.production ?? false),
        ]);
        return { ...offer, permission };
      }),
    );
    return { entityRef: resolved.entityRef, items };
  }

  /** Rolls the environment back; 409 with the reason when there is nothing to roll back to. */
  async rollback(
    request: RollbackRequest & { breakGlass?: { reason: string } },
  ): Promise<RollbackResult> {
    return this.options.deployments.rollback({
      ...request,
      plan: async (target: DeploymentTarget): Promise<RollbackPlanResult> => {
        const status = await this.options.deployments.status(request);
        const row = status.items.find(
          i => i.environment === target.environment.name,
        );
        const offer = await this.plan(
          target.entity,
          target.entityRef,
          target.environment,
          row,
        );
        if (!offer.available || !offer.version) {
          throw new ConflictError(
            `Nothing to roll back to in ${target.environment.name}: ${offer.reason}`,
          );
        }
        return {
          version: offer.version,
          abortRollout: offer.abortsRollout ?? false,
          verifiedBy: offer.verifiedBy ?? '',
        };
      },
    });
  }

  /** What a rollback of one environment would do now (whoever asks). */
  private async plan(
    entity: EntityLike,
    entityRef: string,
    environment: {
      name: string;
      prometheusUrl?: string;
      argocdInstance?: string;
    },
    row: EnvironmentDeploymentStatus | undefined,
  ): Promise<PlannedRollback> {
    const current = row?.gitTag;
    const freeze = activeFreeze(
      this.options.config.freezes,
      environment.name,
      new Date(this.nowMs()),
    );
    const base: PlannedRollback = {
      environment: environment.name,
      current,
      available: false,
      freeze: freeze && freezeNotice(freeze),
    };
    if (!current) {
      return {
        ...base,
        reason: `${environment.name} runs no version (${
          row?.gitError ?? 'image.tag unknown'
        })`,
      };
    }
    const records = (await this.options.audit.list<string>({
      entityRef,
      environment: environment.name,
      limit: HISTORY_LIMIT,
    })) as AuditRecord<string>[];
    const candidates = rollbackCandidates(records, current);
    if (candidates.length === 0) {
      return {
        ...base,
        reason: `no version before ${current} is recorded in ${environment.name}`,
      };
    }
    const soakSeconds = this.options.config.soakSeconds(environment.name);
    // Rule (b) for the current version: its verification now ran and failed a check.
    const currentFailure = async () => {
      const now = await this.options.verification.verify({
        entity,
        environment,
        version: current,
        soakSeconds,
      });
      const failed = now.checks.filter(c => !c.passed);
      return !now.error && failed.length > 0
        ? `${current} fails its verification now (${failed
            .map(c => c.message)
            .join('; ')})`
        : undefined;
    };
    const reasons: string[] = [];
    let currentFailed: Promise<string | undefined> | undefined;
    for (const candidate of candidates) {
      const verified = await this.verified(
        entity,
        environment,
        candidate,
        soakSeconds,
      );
      if (verified.by) {
        return this.offer(base, candidate, verified.by, row);
      }
      let failedBy = candidate.replacedByFailed;
      if (!failedBy && candidate.replacedBy === current) {
        currentFailed ??= currentFailure();
        failedBy = await currentFailed;
      }
      if (failedBy) {
        return this.offer(
          base,
          candidate,
          `it ran before ${candidate.replacedBy}, and ${failedBy}`,
          row,
        );
      }
      reasons.push(
        `${candidate.version} is not verified in ${environment.name} (${verified.why})`,
      );
    }
    return { ...base, reason: reasons.join('; ') };
  }

  private offer(
    base: PlannedRollback,
    candidate: RollbackCandidate,
    verifiedBy: string,
    row: EnvironmentDeploymentStatus | undefined,
  ): PlannedRollback {
    const rollout =
      row?.argocd.state === 'connected' ? row.argocd.rollout : undefined;
    return {
      ...base,
      available: true,
      version: candidate.version,
      verifiedBy,
      // The new version waits in the preview colour: abort first, so traffic stays where it is.
      abortsRollout: Boolean(rollout?.pausedForPromotion && !rollout.aborted),
    };
  }

  /** Rule (a): the portal's verification over the window that ended when the candidate was replaced. */
  private async verified(
    entity: EntityLike,
    environment: { name: string; prometheusUrl?: string },
    candidate: RollbackCandidate,
    soakSeconds: number,
  ): Promise<{ by?: string; why?: string }> {
    const result = await this.options.verification.verify({
      entity,
      environment,
      version: candidate.version,
      soakSeconds,
      endMs: Date.parse(candidate.replacedAt),
    });
    if (result.verified) {
      return {
        by: `verified in ${environment.name} until ${
          candidate.replacedAt
        }: ${result.checks.map(c => c.message).join(', ')}`,
      };
    }
    return {
      why:
        result.error ??
        result.checks
          .filter(c => !c.passed)
          .map(c => c.message)
          .join('; '),
    };
  }
}
