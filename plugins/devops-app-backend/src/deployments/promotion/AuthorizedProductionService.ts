import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  ActionPermission,
  AuditedDeploymentAction,
  AuditRecord,
  DeploymentResult,
  DeploymentSignal,
  deploymentSignalChannel,
  EntityLike,
  Environment,
  GuardedDeploymentAction,
  permissionsForAction,
  ProductionRequest,
  ProductionRequestsResponse,
  ProductionRequestView,
} from '@devops-app/plugin-devops-app-common';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import { loadEntityForCaller } from '../../request';
import { AuditStore } from '../AuditStore';
import { AuditDecision, AuditTrail } from '../AuditTrail';
import { DeploymentService } from '../DeploymentService';
import { PROMOTE_VERSION, PromotionService } from './PromotionService';
import { ProductionRequestStore } from './ProductionRequestStore';

/** What a production action needs besides its own fields: who asks. */
interface Caller {
  credentials: BackstageCredentials;
}

/** The image digest `version` has in the registry now; undefined without a registry. */
export type DigestOf = (
  entity: EntityLike,
  version: string,
) => Promise<string | undefined>;

/** The refusal of a deploy to `environment` at `at` when a freeze window holds it; else undefined. */
export type FreezeCheck = (environment: string, at: Date) => string | undefined;

const FOUR_EYES =
  'you requested this promotion: another prod deployer must approve it (four-eyes)';

/**
 * Production requests and break glass as a caller may use them (issue 14), in front of
 * `DeploymentService` like `AuthorizedDeploymentService`: every action loads the entity for the caller
 * (404), asks the permissions `PRODUCTION_ACTION_PERMISSIONS` names for it, and writes its audit entry
 * (denied, success or failure) through the one `AuditTrail`, each announced on the entity's signal
 * channel so open Pipeline views reload.
 *
 * - request (owners): the promotion rule must allow the version from the stage before now; the
 *   check's result and the source stage's verification are stored as the request's evidence, with
 *   the registry's digest of the version.
 * - approve (prod deployers, never the requester: FOUR_EYES, audited as a denial): executes exactly
 *   the request (its version; the registry's digest must still be the requested one), re-checking the
 *   promotion rule and the freeze windows first. Audited twice: `approve-production` (the decision)
 *   and `promote-version` (the deploy, with its commit), so the pipeline's "since" and DORA count it.
 * - reject (same rule as approve), with a comment.
 * - expiry is lazy: every read and action of the entity's requests first expires those past
 *   `expiresAt` (the store's conditional update lets one caller win), each audited
 *   `expire-production` by the backend.
 * - break glass (prod deployers): a deploy of a version to production with a written reason, no
 *   second person, no promotion rule or freeze window (the registry still must hold the tag);
 *   audited `break-glass` with the reason.
 */
export class AuthorizedProductionService {
  private readonly trail: AuditTrail<AuditedDeploymentAction>;

  constructor(
    private readonly options: {
      service: DeploymentService;
      promotions: PromotionService;
      store: ProductionRequestStore;
      environments: EnvironmentResolver;
      permissions: PermissionsService;
      audit: AuditStore;
      logger: LoggerService;
      signals?: SignalsService;
      digestOf?: DigestOf;
      freeze?: FreezeCheck;
      now?: () => Date;
    },
  ) {
    this.trail = new AuditTrail<AuditedDeploymentAction>({
      audit: options.audit,
      logger: options.logger,
      onWritten: record => this.announce(record),
    });
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** The entity's requests, newest first, with what the caller may do with each. */
  async list(
    request: Caller & { entityRef: string },
  ): Promise<ProductionRequestsResponse> {
    const { entity, entityRef, environments } = await loadEntityForCaller(
      this.options.environments,
      request,
    );
    await this.expireDue(entityRef);
    const caller = userOf(request.credentials);
    const production = environments.filter(e => e.production);
    const allowed = (action: GuardedDeploymentAction) =>
      this.decide(request.credentials, entityRef, entity, action, true);
    const [requestDecision, approveDecision, breakGlassDecision, items] =
      await Promise.all([
        allowed('request-production'),
        allowed('approve-production'),
        allowed('break-glass'),
        this.options.store.list({ entityRef }),
      ]);
    const perStage = (d: ActionPermission) =>
      Object.fromEntries(production.map(e => [e.name, d]));
    return {
      entityRef,
      items: items.map(
        (item): ProductionRequestView => ({
          ...item,
          decide: fourEyes(approveDecision, item, caller),
        }),
      ),
      request: perStage(requestDecision),
      breakGlass: perStage(breakGlassDecision),
    };
  }

  /** An owner asks for `version` to go to the production stage `environment`. */
  async request(
    request: Caller & {
      entityRef: string;
      environment: string;
      version: string;
      comment?: string;
    },
  ): Promise<ProductionRequest> {
    const { entity, entityRef, environment } = await this.production(request);
    await this.expireDue(entityRef);
    const actor = userOf(request.credentials);
    const decision = await this.decide(
      request.credentials,
      entityRef,
      entity,
      'request-production',
      true,
    );
    const { result } = await this.trail.decide(
      {
        actor,
        entityRef,
        environment: environment.name,
        action: 'request-production',
        after: request.version,
      },
      decision,
      async () => {
        const { promotion, source } = await this.options.promotions.evaluate({
          ...request,
          environment: environment.name,
        });
        if (!promotion.allowed) {
          throw new ConflictError(
            `Promotion of ${request.version} to ${environment.name} refused: ${promotion.reason}`,
          );
        }
        const digest = await this.options.digestOf?.(entity, request.version);
        return this.options.store.create({
          entityRef,
          environment: environment.name,
          version: request.version,
          digest,
          fromEnvironment: promotion.from,
          requestedBy: actor,
          comment: request.comment,
          evidence: { promotion, verification: source.verification },
        });
      },
      {
        success: created => ({
          message: `request #${created.id}: ${created.version} from ${
            created.fromEnvironment
          }${created.digest ? ` (${created.digest})` : ''}${
            created.comment ? `; ${created.comment}` : ''
          }`,
        }),
      },
    );
    return result;
  }

  /** A prod deployer who did not request it approves request `id`, which deploys it now. */
  async approve(
    request: Caller & { id: number; comment?: string },
  ): Promise<ProductionRequest & { result?: DeploymentResult }> {
    const { target, decision, actor } = await this.forDecision(request);
    const { entity, entityRef, environment, item } = target;
    await this.trail.decide(
      {
        actor,
        entityRef,
        environment: environment.name,
        action: 'approve-production',
        after: item.version,
        message: `request #${item.id} of ${item.requestedBy}${
          request.comment ? `: ${request.comment}` : ''
        }`,
      },
      decision,
      () =>
        this.options.store.claim(item.id, {
          status: 'approved',
          decidedBy: actor,
          decisionComment: request.comment,
        }),
    );
    // Authorized and claimed: the execution is audited as the promotion it is.
    try {
      const { result } = await this.trail.decide(
        {
          actor,
          entityRef,
          environment: environment.name,
          action: PROMOTE_VERSION,
          after: item.version,
        },
        { allowed: true },
        () => this.execute(request, item, entity, environment, actor),
        {
          success: r => ({
            before: r.before,
            commit: r.commit,
            message: `approved request #${item.id} of ${item.requestedBy}${
              r.image ? `; image ${r.image.reference}@${r.image.digest}` : ''
            }${r.pullRequestUrl ? `; pull request ${r.pullRequestUrl}` : ''}`,
          }),
          failure: e => `approved request #${item.id}: ${e.message}`,
        },
      );
      const done = await this.options.store.finish(item.id, {
        status: 'executed',
        commit: result.commit,
        message: result.pullRequestUrl
          ? `pull request ${result.pullRequestUrl}`
          : undefined,
      });
      return { ...done, result };
    } catch (e) {
      await this.options.store.finish(item.id, {
        status: 'failed',
        message: (e as Error).message,
      });
      throw e;
    }
  }

  /** A prod deployer who did not request it rejects request `id`, with a comment. */
  async reject(
    request: Caller & { id: number; comment: string },
  ): Promise<ProductionRequest> {
    const { target, decision, actor } = await this.forDecision(request);
    const { entityRef, environment, item } = target;
    const { result } = await this.trail.decide(
      {
        actor,
        entityRef,
        environment: environment.name,
        action: 'reject-production',
        after: item.version,
        message: `request #${item.id} of ${item.requestedBy}: ${request.comment}`,
      },
      decision,
      () =>
        this.options.store.claim(item.id, {
          status: 'rejected',
          decidedBy: actor,
          decisionComment: request.comment,
        }),
    );
    return result;
  }

  /** A prod deployer deploys `version` to production without a second person, saying why. */
  async breakGlass(
    request: Caller & {
      entityRef: string;
      environment: string;
      version: string;
      reason: string;
    },
  ): Promise<DeploymentResult> {
    const { entity, entityRef, environment } = await this.production(request);
    const actor = userOf(request.credentials);
    const decision = await this.decide(
      request.credentials,
      entityRef,
      entity,
      'break-glass',
      true,
    );
    const { result } = await this.trail.decide(
      {
        actor,
        entityRef,
        environment: environment.name,
        action: 'break-glass',
        after: request.version,
        message: `reason: ${request.reason}`,
      },
      decision,
      () =>
        this.options.service.deploy({
          actor: { userEntityRef: actor },
          entityRef,
          entity,
          environment,
          tag: request.version,
        }),
      {
        success: r => ({
          before: r.before,
          commit: r.commit,
          message: `reason: ${request.reason}${
            r.image ? `; image ${r.image.reference}@${r.image.digest}` : ''
          }${r.pullRequestUrl ? `; pull request ${r.pullRequestUrl}` : ''}`,
        }),
        failure: e => `reason: ${request.reason}; ${e.message}`,
      },
    );
    return result;
  }

  /** The request, its entity and environment as the caller may read them, and the four-eyes decision. */
  private async forDecision(request: Caller & { id: number }) {
    const found = await this.options.store.get(request.id);
    if (!found) throw new NotFoundError(`no production request #${request.id}`);
    const { entity, entityRef, environment } = await loadEntityForCaller(
      this.options.environments,
      {
        credentials: request.credentials,
        entityRef: found.entityRef,
        environment: found.environment,
      },
    );
    await this.expireDue(entityRef);
    const item = (await this.options.store.get(request.id))!;
    if (item.status !== 'pending') {
      throw new ConflictError(
        `request #${item.id} is ${item.status}${
          item.decidedBy ? ` (by ${item.decidedBy})` : ''
        }, not pending`,
      );
    }
    const actor = userOf(request.credentials);
    const decision: AuditDecision = fourEyes(
      await this.decide(
        request.credentials,
        entityRef,
        entity,
        'approve-production',
        true,
      ),
      item,
      actor,
    );
    return {
      target: { entity, entityRef, environment, item },
      decision,
      actor,
    };
  }

  /** Deploys what the request says, once the rule and the freeze windows still allow it. */
  private async execute(
    request: Caller,
    item: ProductionRequest,
    entity: EntityLike,
    environment: Environment,
    actor: string,
  ): Promise<DeploymentResult> {
    const frozen = this.options.freeze?.(environment.name, this.now());
    if (frozen) throw new ConflictError(frozen);
    const promotion = await this.options.promotions.check({
      credentials: request.credentials,
      entityRef: item.entityRef,
      environment: item.environment,
      version: item.version,
    });
    if (!promotion.allowed) {
      throw new ConflictError(
        `Promotion of ${item.version} to ${item.environment} refused at approval: ${promotion.reason}`,
      );
    }
    // The deploy refuses the tag when the registry's digest is no longer the requested one.
    return this.options.service.deploy({
      actor: { userEntityRef: actor },
      entityRef: item.entityRef,
      entity,
      environment,
      tag: item.version,
      digest: item.digest,
    });
  }

  /** The entity and the named environment, which must be production-class (400 otherwise). */
  private async production(
    request: Caller & { entityRef: string; environment: string },
  ) {
    const loaded = await loadEntityForCaller(
      this.options.environments,
      request,
    );
    if (!loaded.environment.production) {
      throw new InputError(
        `environment ${loaded.environment.name} is not production: deploy or promote to it directly`,
      );
    }
    return loaded;
  }

  /** Asks every permission the action needs in that class (all must allow). */
  private async decide(
    credentials: BackstageCredentials,
    entityRef: string,
    entity: EntityLike,
    action: GuardedDeploymentAction,
    production: boolean,
  ): Promise<ActionPermission> {
    const needed = permissionsForAction(action, production);
    if (needed.length === 0) {
      return { allowed: false, reason: `${action} is not an action here` };
    }
    const decisions = await this.options.permissions.authorize(
      needed.map(permission => ({ permission, resourceRef: entityRef })),
      { credentials },
    );
    if (decisions.every(d => d.result === AuthorizeResult.ALLOW)) {
      return { allowed: true };
    }
    return { allowed: false, reason: denialReason(entity, action) };
  }

  /** Expires the entity's pending requests past their time, each audited once. */
  private async expireDue(entityRef: string): Promise<void> {
    const expired = await this.options.store.expireDue(entityRef);
    for (const item of expired) {
      await this.trail.record({
        actor: 'devops-app',
        entityRef: item.entityRef,
        environment: item.environment,
        action: 'expire-production',
        after: item.version,
        result: 'success',
        message: `request #${item.id} of ${item.requestedBy} expired undecided at ${item.expiresAt}`,
      });
    }
  }

  /** Tells open views of the entity that its state changed (as AuthorizedDeploymentService does). */
  private async announce(record: AuditRecord): Promise<void> {
    const signals = this.options.signals;
    if (!signals) return;
    try {
      await signals.publish<DeploymentSignal>({
        recipients: { type: 'broadcast' },
        channel: deploymentSignalChannel(record.entityRef),
        message: {
          entityRef: record.entityRef,
          environment: record.environment,
          action: record.action,
          result: record.result,
          auditId: record.id,
        },
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

/**
 * The approver must not be the requester (said first, even to a requester who is no prod deployer:
 * it is the reason that holds whatever their groups); otherwise the permission's decision stands.
 */
function fourEyes(
  decision: ActionPermission,
  item: ProductionRequest,
  caller: string,
): ActionPermission {
  return item.requestedBy === caller
    ? { allowed: false, reason: FOUR_EYES }
    : decision;
}

function denialReason(
  entity: EntityLike,
  action: GuardedDeploymentAction,
): string {
  const owner =
    ((entity.spec ?? {}) as { owner?: string }).owner ?? 'its owner';
  const deployers =
    entity.metadata.annotations?.['devops-app.io/prod-deployers'] ??
    'group:default/prod-deployers';
  switch (action) {
    case 'request-production':
      return `Only members of ${owner}, the service's owner, may request a production promotion`;
    case 'approve-production':
      return `Only members of ${deployers} may approve or reject a production request`;
    case 'break-glass':
      return `Only members of ${deployers} may break glass in production`;
    default:
      return 'denied';
  }
}

/** Production actions are taken by users only: the routes ask httpAuth for a user principal. */
function userOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as { userEntityRef?: string };
  if (!principal.userEntityRef) {
    throw new NotAllowedError('Only a signed-in user may act on production');
  }
  return principal.userEntityRef;
}
