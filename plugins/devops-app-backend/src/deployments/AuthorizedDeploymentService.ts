import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotAllowedError } from '@backstage/errors';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  ActionPermission,
  AuditedDeploymentAction,
  AuditRecord,
  DeploymentAction,
  DeploymentResult,
  DeploymentSignal,
  deploymentSignalChannel,
  DeploymentStatusResponse,
  EntityLike,
  ImageVersionsResponse,
  RollbackResult,
} from '@devops-app/plugin-devops-app-common';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import { loadEntityForCaller } from '../request';
import { SharedEntityReads } from '../request/SharedEntityReads';
import { DeploymentStatusReads } from './snapshot/DeploymentStatusReads';
import { AuditStore } from './AuditStore';
import { AuditTrail } from './AuditTrail';
import {
  ActionOutcome,
  DeploymentService,
  DeploymentTarget,
} from './DeploymentService';
import { authorizeActions } from './permissions';
import {
  activeFreeze,
  freezeMessage,
  freezeNotice,
  FreezeWindow,
} from './promotion/freezes';
import { authorizeRollback } from './promotion/RollbackAuthorization';

/** An action's request, as the route parsed it, with the caller's credentials. */
export interface DeploymentRequest {
  credentials: BackstageCredentials;
  entityRef: string;
  environment: string;
  /**
   * Break glass (a production deployer's written reason): skips the freeze windows. The break-glass
   * path authorizes and audits it; this only tells the freeze gate.
   */
  breakGlass?: { reason: string };
}

/** What a rollback deploys, as `RollbackService` plans it inside the audited path. */
export interface RollbackPlanResult {
  version: string;
  /** Abort the blue/green Rollout paused on the new version first. */
  abortRollout: boolean;
  /** Why `version` counts as verified (in the audit entry). */
  verifiedBy: string;
}

/** Actions refused while a freeze window is in force (sync only applies what git already says). */
const FROZEN_ACTIONS = new Set<string>([
  'deploy',
  'promote',
  'abort',
  'rollback',
]);

/**
 * A check a deploy must pass once authorized (e.g. the promotion rule), run inside the deploy's audited
 * path: its refusal is audited as the deploy's failure under `action`.
 */
export interface DeployGate {
  action: AuditedDeploymentAction;
  check(target: DeploymentTarget): Promise<void>;
}

/**
 * The deployments as a caller may use them: the one place where their authorization and audit happen
 * (routes only parse and answer). Every action loads the entity for the caller (404 when the caller may
 * not read it, 400 naming the environment or annotation that cannot be used), asks the permission
 * framework (the action's permission on the entity, and for production also
 * `devops-app.environment.production`), writes the audit entry of a denial and throws 403, or
 * delegates to `DeploymentService` and writes the audit entry of its success or failure. Each entry is
 * announced on the entity's signal channel.
 */
export class AuthorizedDeploymentService {
  constructor(
    private readonly options: {
      service: DeploymentService;
      environments: EnvironmentResolver;
      permissions: PermissionsService;
      audit: AuditStore;
      logger: LoggerService;
      /** Announces each audit entry on the entity's channel (see `deploymentSignalChannel`). */
      signals?: SignalsService;
      /** `devopsApp.promotion.freezes`: deploys, promotions and rollbacks are refused in them. */
      freezes?: FreezeWindow[];
      now?: () => number;
      /** Status reads through the shared entity reads; without, per request (`readShareMs: 0`). */
      reads?: SharedEntityReads;
    },
  ) {
    this.statusReads = new DeploymentStatusReads(options);
    this.trail = new AuditTrail<AuditedDeploymentAction>({
      audit: options.audit,
      logger: options.logger,
      onWritten: record => this.announce(record),
    });
  }

  private readonly trail: AuditTrail<AuditedDeploymentAction>;
  private readonly statusReads: DeploymentStatusReads;

  /** Every environment of the entity with what the caller may do there. */
  async status(request: {
    credentials: BackstageCredentials;
    entityRef: string;
    /** The `Authorization` header: the caller's decisions are kept for requests presenting it. */
    authorization?: string;
  }): Promise<DeploymentStatusResponse> {
    // One permission request per caller (see DeploymentStatusReads), the data shared.
    const status = await this.statusReads.status(request);
    return {
      ...status,
      items: status.items.map(item => {
        const freeze = this.freezeOf(item.environment);
        return freeze ? { ...item, freeze: freezeNotice(freeze) } : item;
      }),
    };
  }

  /** The values-file change a deploy would make; anyone who may read the entity may see it. */
  async preview(
    request: DeploymentRequest & { tag: string },
  ): Promise<DeploymentResult> {
    const { environment } = await loadEntityForCaller(
      this.options.environments,
      request,
    );
    return this.options.service.preview({
      environment: environment.name,
      tag: request.tag,
    });
  }

  /** The entity's image tags for the Deploy dialog; anyone who may read the entity may see them. */
  async versions(request: {
    credentials: BackstageCredentials;
    entityRef: string;
  }): Promise<ImageVersionsResponse> {
    const { entity } = await loadEntityForCaller(
      this.options.environments,
      request,
    );
    return this.options.service.versions(entity);
  }

  /** With `gate`, authorized as a deploy, then `gate.check`ed and audited as `gate.action`. */
  async deploy(
    request: DeploymentRequest & { tag: string; gate?: DeployGate },
  ): Promise<DeploymentResult> {
    const { gate } = request;
    const { result } = await this.audited(
      request,
      'deploy',
      async target => {
        await gate?.check(target);
        return this.options.service.deploy({ ...target, tag: request.tag });
      },
      deployOutcome,
      request.tag,
      gate?.action,
    );
    return result;
  }

  async sync(request: DeploymentRequest): Promise<AuditRecord> {
    const { record } = await this.audited(
      request,
      'sync',
      target => this.options.service.sync(target),
      outcome => outcome,
    );
    return record;
  }

  async rollout(
    request: DeploymentRequest & { action: 'promote' | 'abort' },
  ): Promise<AuditRecord> {
    const { record } = await this.audited(
      request,
      request.action,
      target =>
        this.options.service.rollout({ ...target, action: request.action }),
      outcome => outcome,
    );
    return record;
  }

  /**
   * A rollback: authorized as `devops-app.deployment.rollback` (see `authorizeRollback`), refused in a
   * freeze window, then `plan` picks the version inside the audited path; a Rollout paused on the
   * new version is aborted first, then the version is deployed. Audited as `rollback` (before, after,
   * commit, why the version counts as verified); a refusal of `plan` (nothing to roll back to) is
   * audited as the rollback's failure.
   */
  async rollback(
    request: DeploymentRequest & {
      plan: (target: DeploymentTarget) => Promise<RollbackPlanResult>;
    },
  ): Promise<RollbackResult> {
    const { result } = await this.audited(
      request,
      'rollback',
      async target => {
        const plan = await request.plan(target);
        let aborted: ActionOutcome | undefined;
        if (plan.abortRollout) {
          aborted = await this.options.service.rollout({
            ...target,
            action: 'abort',
          });
        }
        const deployed = await this.options.service.deploy({
          ...target,
          tag: plan.version,
        });
        return { plan, aborted, deployed };
      },
      ({ plan, aborted, deployed }) => {
        const outcome = deployOutcome(deployed);
        return {
          ...outcome,
          after: deployed.after,
          message: [
            `rollback to ${plan.version} (${plan.verifiedBy})`,
            aborted?.message,
            outcome.message,
          ]
            .filter(Boolean)
            .join('; '),
        };
      },
    );
    const { deployed, aborted } = result;
    return {
      environment: deployed.environment,
      before: deployed.before,
      after: deployed.after,
      commit: deployed.commit,
      changed: deployed.changed,
      aborted: Boolean(aborted),
      pullRequestUrl: deployed.pullRequestUrl,
      message: deployed.syncMessage,
    };
  }

  /**
   * Whether the caller may roll back an environment of the entity, as the offers show it before a
   * click (see `authorizeRollback`); `rollback` decides again, and audits, when it is asked.
   */
  rollbackPermission(
    credentials: BackstageCredentials,
    target: { entityRef: string; entity: EntityLike; production: boolean },
  ): Promise<ActionPermission> {
    return authorizeRollback(
      this.options.permissions,
      credentials,
      target.entityRef,
      target.entity,
      target.production,
    );
  }

  /** The freeze window in force for `environment` now, if any. */
  freezeOf(environment: string) {
    return activeFreeze(
      this.options.freezes ?? [],
      environment,
      new Date(this.options.now?.() ?? Date.now()),
    );
  }

  /**
   * The freeze gate: an allowed deploy, promotion, Rollout action or rollback into an environment in
   * a freeze window is refused (409 naming the window and its end) and audited as denied with that
   * reason, unless the request breaks glass.
   */
  private async refuseInFreeze(
    request: DeploymentRequest,
    action: string,
    allowed: boolean,
    base: {
      actor: string;
      entityRef: string;
      environment: string;
      action: AuditedDeploymentAction;
      after?: string;
    },
  ): Promise<void> {
    if (!allowed || request.breakGlass || !FROZEN_ACTIONS.has(action)) return;
    const freeze = this.freezeOf(base.environment);
    if (!freeze) return;
    const message = `Refused: ${freezeMessage(
      base.environment,
      freezeNotice(freeze),
    )}`;
    try {
      await this.announce(
        await this.options.audit.add({ ...base, result: 'denied', message }),
      );
    } catch (e) {
      this.options.logger.error(
        `Could not write the audit record of ${base.action}`,
        e as Error,
      );
    }
    throw new ConflictError(message);
  }

  /** Newest first; every signed-in user and backend may read the log. */
  auditLog(filter: {
    entityRef?: string;
    environment?: string;
    limit?: number;
  }) {
    return this.options.audit.list(filter);
  }

  /**
   * Loads and authorizes the target, then runs `run`; the audit entry says who asked what, and whether
   * it was denied, done (with `outcome` of its result) or failed.
   */
  private async audited<T>(
    request: DeploymentRequest,
    action: DeploymentAction | 'rollback',
    run: (target: DeploymentTarget) => Promise<T>,
    outcome: (result: T) => ActionOutcome,
    after?: string,
    auditAction: AuditedDeploymentAction = action,
  ): Promise<{ result: T; record: AuditRecord }> {
    const { credentials } = request;
    const { entity, entityRef, environment } = await loadEntityForCaller(
      this.options.environments,
      request,
    );
    const actor = { userEntityRef: userOf(credentials) };
    const base = {
      actor: actor.userEntityRef,
      entityRef,
      environment: environment.name,
      action: auditAction,
      after,
    };
    const decision =
      action === 'rollback'
        ? await authorizeRollback(
            this.options.permissions,
            credentials,
            entityRef,
            entity,
            environment.production ?? false,
          )
        : (
            await authorizeActions(
              this.options.permissions,
              credentials,
              entityRef,
              entity,
              environment.production,
              [action],
            )
          )[action];
    await this.refuseInFreeze(request, action, decision.allowed, base);
    return this.trail.decide(
      base,
      decision,
      () => run({ actor, entityRef, entity, environment }),
      { success: outcome },
    );
  }

  /**
   * Tells every open Environments card of the entity that its state changed. Only names the row and
   * the outcome (no message, diff, commit or actor): any signed-in viewer of the channel gets it, and
   * the card then reloads through the permission-checked routes. A failed publish is logged, never
   * fails the action.
   */
  private async announce(record: AuditRecord): Promise<void> {
    const signals = this.options.signals;
    if (!signals) return;
    const message: DeploymentSignal = {
      entityRef: record.entityRef,
      environment: record.environment,
      action: record.action,
      result: record.result,
      auditId: record.id,
    };
    try {
      await signals.publish<DeploymentSignal>({
        recipients: { type: 'broadcast' },
        channel: deploymentSignalChannel(record.entityRef),
        message,
      });
    } catch (e) {
      this.options.logger.warn(
        `Could not publish the deployment signal of ${record.entityRef}: ${
          (e as Error).message
        }`,
      );
    }
  }
}

/** Actions are taken by users only: the routes ask httpAuth for a user principal. */
function userOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as { userEntityRef?: string };
  if (!principal.userEntityRef) {
    throw new NotAllowedError('Only a signed-in user may deploy');
  }
  return principal.userEntityRef;
}

/** The audit entry of a deploy: the commit, or the pull request, or that nothing changed. */
function deployOutcome(result: DeploymentResult): ActionOutcome {
  let message = result.syncMessage;
  if (result.pullRequestUrl) {
    message = `pull request ${result.pullRequestUrl}`;
  } else if (!result.changed) {
    message = `image.tag was already ${result.after}; nothing committed`;
  }
  if (result.image) {
    message = [
      message,
      `image ${result.image.reference}@${result.image.digest}`,
    ]
      .filter(Boolean)
      .join('; ');
  }
  return { before: result.before, commit: result.commit, message };
}
