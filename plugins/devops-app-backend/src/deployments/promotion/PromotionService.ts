import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import {
  AuditedDeploymentAction,
  DeploymentResult,
  EntityLike,
  Environment,
  EnvironmentDeploymentStatus,
  PipelineResponse,
  PipelineStage,
  StagePromotion,
} from '@devops-app/plugin-devops-app-common';
import { loadEntityForCaller } from '../../request';
import { orderStages, promotionDecision } from './rules';
import { currentTimeMs, PromotionDependencies } from './PromotionDependencies';
import { VERSION_CHANGE_ACTIONS } from '../versionChanges';

/** The audit action of a promotion (authorized as a deploy of the target stage). */
export const PROMOTE_VERSION: AuditedDeploymentAction = 'promote-version';

/** A promotion as the route parsed it, with the caller's credentials. */
export interface PromotionRequest {
  credentials: BackstageCredentials;
  entityRef: string;
  /** The stage that takes the version. */
  environment: string;
  version: string;
}

/**
 * The pipeline of an entity's environments and the promotion rule. `check` says whether a stage may
 * take a version from the stage before it; `promote` deploys it through `AuthorizedDeploymentService`
 * (authorized as a deploy of the stage, audited as `promote-version`), checking the same rule again
 * inside the audited path so a refusal is audited with its reason. Production's four-eyes approval can
 * gate `promote` with `check` in front of it.
 */
export class PromotionService {
  constructor(private readonly options: PromotionDependencies) {}

  private nowMs(): number {
    return currentTimeMs(this.options);
  }

  /** Every stage with its version, since when, verification and promotion from the stage before. */
  async pipeline(request: {
    credentials: BackstageCredentials;
    entityRef: string;
  }): Promise<PipelineResponse> {
    const [resolved, status] = await Promise.all([
      loadEntityForCaller(this.options.environments, request),
      this.options.deployments.status(request),
    ]);
    const stages = await this.stages(
      resolved.entity,
      resolved.entityRef,
      orderStages(resolved.environments),
      new Map(status.items.map(i => [i.environment, i])),
    );
    return { entityRef: resolved.entityRef, stages };
  }

  /** Whether `environment` may take `version` from the stage before it now, and why not. */
  async check(request: PromotionRequest): Promise<StagePromotion> {
    return (await this.evaluate(request)).promotion;
  }

  /** `check`, with the stage the version comes from (its verification is a request's evidence). */
  async evaluate(
    request: PromotionRequest,
  ): Promise<{ promotion: StagePromotion; source: PipelineStage }> {
    const pipeline = await this.pipeline(request);
    const index = pipeline.stages.findIndex(
      s => s.environment === request.environment,
    );
    if (index < 0) {
      throw new InputError(
        `environment ${request.environment} is not a stage of ${pipeline.entityRef}'s pipeline (no devops-app.io/promotion-order)`,
      );
    }
    if (index === 0) {
      throw new InputError(
        `environment ${request.environment} is the first stage: deploy to it, there is nothing to promote from`,
      );
    }
    const source = pipeline.stages[index - 1];
    const target = pipeline.stages[index];
    const promotion = promotionDecision({
      source,
      target,
      version: request.version,
      soakSeconds: target.soakSeconds,
      nowMs: this.nowMs(),
    }) ?? {
      version: request.version,
      from: source.environment,
      allowed: false,
      reason: `${source.environment} runs no version`,
      soakSeconds: target.soakSeconds,
    };
    return { promotion, source };
  }

  /** Deploys `version` to `environment` when the rule allows it; 409 naming the broken rule otherwise. */
  async promote(
    request: PromotionRequest,
  ): Promise<DeploymentResult & { promotion: StagePromotion }> {
    let promotion: StagePromotion | undefined;
    const result = await this.options.deployments.deploy({
      credentials: request.credentials,
      entityRef: request.entityRef,
      environment: request.environment,
      tag: request.version,
      gate: {
        action: PROMOTE_VERSION,
        check: async () => {
          promotion = await this.check(request);
          if (!promotion.allowed) {
            throw new ConflictError(
              `Promotion of ${request.version} to ${request.environment} refused: ${promotion.reason}`,
            );
          }
        },
      },
    });
    return { ...result, promotion: promotion! };
  }

  private async stages(
    entity: EntityLike,
    entityRef: string,
    environments: (Environment & { promotionOrder: number })[],
    status: Map<string, EnvironmentDeploymentStatus>,
  ): Promise<PipelineStage[]> {
    const { config, verification } = this.options;
    const base = await Promise.all(
      environments.map(async (environment, i) => {
        const row = status.get(environment.name);
        const gitVersion = row?.gitTag;
        const liveVersion =
          row?.argocd.state === 'connected' ? row.argocd.liveTag : undefined;
        // A version is read over the soak time of the stage it would go to (its own when last).
        const next = environments[i + 1] ?? environment;
        const soakForNext = config.soakSeconds(next.name);
        const [since, verified] = await Promise.all([
          gitVersion
            ? this.since(entityRef, environment.name, gitVersion)
            : undefined,
          gitVersion
            ? verification.verify({
                entity,
                environment,
                version: gitVersion,
                soakSeconds: soakForNext,
              })
            : Promise.resolve({
                verified: false,
                checks: [],
                windowSeconds: Math.max(
                  soakForNext,
                  verification.thresholds.minWindowSeconds,
                ),
                error: row?.gitError ?? 'no version',
              }),
        ]);
        const stage: PipelineStage = {
          environment: environment.name,
          title: environment.title,
          order: environment.promotionOrder,
          production: environment.production,
          gitVersion,
          liveVersion,
          since,
          soakSeconds: config.soakSeconds(environment.name),
          freeze: row?.freeze,
          verification: verified,
        };
        return stage;
      }),
    );
    const nowMs = this.nowMs();
    return base.map((stage, i) =>
      i === 0
        ? stage
        : {
            ...stage,
            promotion: promotionDecision({
              source: base[i - 1],
              target: stage,
              soakSeconds: stage.soakSeconds,
              nowMs,
            }),
          },
    );
  }

  /** When the environment started to run `version`: the newest successful deploy or promotion of it. */
  private async since(
    entityRef: string,
    environment: string,
    version: string,
  ): Promise<string | undefined> {
    const records = await this.options.audit.list<AuditedDeploymentAction>({
      entityRef,
      environment,
      result: 'success',
      limit: 100,
    });
    // The newest entry that changed the tag away from `version` ends the run; the deploy before it
    // (newest first) of `version` started the current one.
    for (const r of records) {
      if (!VERSION_CHANGE_ACTIONS.has(r.action)) continue;
      // A deploy that found the tag already set changed nothing: the run began before it.
      if (r.after === version && r.before === version) continue;
      return r.after === version ? r.createdAt : undefined;
    }
    return undefined;
  }
}
