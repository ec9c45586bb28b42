import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  AuditedDeploymentAction,
  AuditRecord,
  DeploymentAction,
  DeploymentResult,
  DeploymentSignal,
  deploymentSignalChannel,
  DeploymentStatusResponse,
  ImageVersionsResponse,
} from '@devops-app/plugin-devops-app-common';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import { loadEntityForCaller } from '../request';
import { AuditStore, NewAuditRecord } from './AuditStore';
import {
  ActionOutcome,
  DeploymentService,
  DeploymentTarget,
} from './DeploymentService';
import { authorizeActions } from './permissions';

/** An action's request, as the route parsed it, with the caller's credentials. */
export interface DeploymentRequest {
  credentials: BackstageCredentials;
  entityRef: string;
  environment: string;
}

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
    },
  ) {}

  /** Every environment of the entity with what the caller may do there. */
  async status(request: {
    credentials: BackstageCredentials;
    entityRef: string;
  }): Promise<DeploymentStatusResponse> {
    const { service, environments, permissions } = this.options;
    const { entity, entityRef, ...loaded } = await loadEntityForCaller(
      environments,
      request,
    );
    // The decisions depend on the caller, the entity and whether the environment is production-class
    // only: one question per class for this caller (never shared with another request).
    const decisions = new Map<boolean, ReturnType<typeof authorizeActions>>();
    const decide = (production: boolean) => {
      if (!decisions.has(production)) {
        decisions.set(
          production,
          authorizeActions(
            permissions,
            request.credentials,
            entityRef,
            entity,
            production,
          ),
        );
      }
      return decisions.get(production)!;
    };
    const items = await Promise.all(
      loaded.environments.map(async environment =>
        service.status({
          entityRef,
          entity,
          environment,
          permissions: await decide(environment.production),
        }),
      ),
    );
    return { entityRef, repository: service.repository(), items };
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
    action: DeploymentAction,
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
    const decision = (
      await authorizeActions(
        this.options.permissions,
        credentials,
        entityRef,
        entity,
        environment.production,
        [action],
      )
    )[action];
    if (!decision.allowed) {
      const reason = decision.reason ?? 'denied';
      await this.record({ ...base, result: 'denied', message: reason });
      throw new NotAllowedError(reason);
    }
    let result: T;
    try {
      result = await run({ actor, entityRef, entity, environment });
    } catch (e) {
      await this.record({
        ...base,
        result: 'failure',
        message: (e as Error).message,
      });
      throw e;
    }
    const record = await this.record({
      ...base,
      ...outcome(result),
      result: 'success',
    });
    return { result, record };
  }

  private async record(
    record: NewAuditRecord<AuditedDeploymentAction>,
  ): Promise<AuditRecord> {
    let written: AuditRecord;
    try {
      written = await this.options.audit.add(record);
    } catch (e) {
      // The action already happened; a lost audit row must be loud in the logs.
      this.options.logger.error(
        `Could not write the audit record of ${record.action}`,
        e as Error,
      );
      return { ...record, id: -1, createdAt: new Date().toISOString() };
    }
    await this.announce(written);
    return written;
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
