import { LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  ActionPermission,
  AuditRecord,
  DeploymentAction,
  DeploymentResult,
  DeploymentSignal,
  deploymentSignalChannel,
  EnvironmentDeploymentStatus,
} from '@devops-app/plugin-devops-app-common';
import { ArgoCdEnvironment, ArgoCdService } from './ArgoCdService';
import { AuditStore } from './AuditStore';
import { GitOpsRepository } from './GitOpsRepository';
import { valuesFileFor } from './valuesFile';

interface EntityLike {
  metadata: { name: string; annotations?: Record<string, string> };
}

/** The environment an action targets: its name and the Argo CD instance it names, if any. */
export interface EnvironmentTarget extends Exclude<ArgoCdEnvironment, string> {
  title?: string;
  production?: boolean;
}

export interface Actor {
  userEntityRef: string;
}

export const GITOPS_NOT_CONFIGURED =
  'No GitOps repository is configured: set devopsApp.gitops.repository (and .branch)';

/**
 * Deploy, sync, promote and abort, each recorded in the audit log with its result. Knows nothing of
 * HTTP: the router validates input and checks permissions first.
 */
export class DeploymentService {
  constructor(
    private readonly options: {
      gitops?: GitOpsRepository;
      argocd: ArgoCdService;
      audit: AuditStore;
      logger: LoggerService;
      /** Announces each audit entry on the entity's channel (see `deploymentSignalChannel`). */
      signals?: SignalsService;
    },
  ) {}

  get gitopsBranch(): string | undefined {
    return this.options.gitops?.branch;
  }

  private requireGitops(): GitOpsRepository {
    if (!this.options.gitops) {
      throw new ServiceUnavailableError(GITOPS_NOT_CONFIGURED);
    }
    return this.options.gitops;
  }

  async status(
    entityRef: string,
    entity: EntityLike,
    environment: EnvironmentTarget,
    permissions: Record<DeploymentAction, ActionPermission>,
  ): Promise<EnvironmentDeploymentStatus> {
    const valuesFile = valuesFileFor(environment.name);
    const [git, argocd, last] = await Promise.all([
      this.options.gitops
        ? this.options.gitops.readImageTag(valuesFile).then(
            tag => ({
              tag,
              error:
                tag === undefined
                  ? `${valuesFile} sets no image.tag`
                  : undefined,
            }),
            (e: Error) => ({ tag: undefined, error: e.message }),
          )
        : Promise.resolve({ tag: undefined, error: GITOPS_NOT_CONFIGURED }),
      this.options.argocd.status(entity, environment),
      this.options.audit.list({
        entityRef,
        environment: environment.name,
        action: 'deploy',
        result: 'success',
        limit: 1,
      }),
    ]);
    return {
      environment: environment.name,
      title: environment.title ?? environment.name,
      production: environment.production ?? false,
      valuesFile,
      gitTag: git.tag,
      gitError: git.error,
      argocd,
      lastDeploy: last[0],
      permissions,
    };
  }

  preview(environment: string, tag: string): Promise<DeploymentResult> {
    const file = valuesFileFor(environment);
    return this.requireGitops()
      .previewImageTag(file, tag)
      .then(r => ({
        environment,
        valuesFile: file,
        before: r.before,
        after: tag,
        diff: r.diff,
        changed: r.changed,
      }));
  }

  async deploy(
    actor: Actor,
    entityRef: string,
    entity: EntityLike,
    target: EnvironmentTarget,
    tag: string,
  ): Promise<DeploymentResult> {
    const environment = target.name;
    const production = target.production ?? false;
    const gitops = this.requireGitops();
    // Production goes through a pull request when the GitHub integration is configured for it.
    const viaPullRequest = production && gitops.opensPullRequests;
    const file = valuesFileFor(environment);
    const base = {
      actor: actor.userEntityRef,
      entityRef,
      environment,
      action: 'deploy' as const,
      after: tag,
    };
    let result: DeploymentResult;
    try {
      const change = await gitops.commitImageTag({
        file,
        tag,
        author: authorOf(actor),
        message: `deploy(${entity.metadata.name}): ${environment} image.tag ${tag}\n\nRequested on the portal by ${actor.userEntityRef}.`,
        pullRequest: viaPullRequest
          ? {
              branch: `devops-app/deploy-${environment}-${tag}-${Date.now().toString(
                36,
              )}`,
              title: `Deploy ${entity.metadata.name} ${tag} to ${environment}`,
              body: `Changes image.tag in ${file} to ${tag}.\n\nRequested on the portal by ${actor.userEntityRef}; Argo CD syncs ${environment} after the merge.`,
            }
          : undefined,
      });
      result = {
        environment,
        valuesFile: file,
        before: change.before,
        after: tag,
        diff: change.diff,
        changed: change.changed,
        commit: change.commit,
        pullRequestUrl: change.pullRequestUrl,
      };
    } catch (e) {
      await this.record({
        ...base,
        result: 'failure',
        message: (e as Error).message,
      });
      throw e;
    }
    if (result.changed && !result.pullRequestUrl) {
      // A manual-sync environment does not pick the commit up by itself: ask Argo CD to sync.
      try {
        if (await this.options.argocd.isManualSync(entity, target)) {
          await this.options.argocd.sync(entity, target);
          result.syncRequested = true;
          result.syncMessage = 'Argo CD sync requested (manual sync policy)';
        }
      } catch (e) {
        result.syncRequested = false;
        result.syncMessage = `Committed, but the Argo CD sync could not be requested: ${
          (e as Error).message
        }`;
      }
    }
    let message = result.syncMessage;
    if (result.pullRequestUrl) {
      message = `pull request ${result.pullRequestUrl}`;
    } else if (!result.changed) {
      message = `image.tag was already ${tag}; nothing committed`;
    }
    await this.record({
      ...base,
      before: result.before,
      result: 'success',
      commit: result.commit,
      message,
    });
    return result;
  }

  async sync(
    actor: Actor,
    entityRef: string,
    entity: EntityLike,
    target: EnvironmentTarget,
  ) {
    return this.audited(actor, entityRef, target.name, 'sync', async () => {
      const r = await this.options.argocd.sync(entity, target);
      return {
        message: `sync of ${r.application} requested`,
        after: r.revision,
      };
    });
  }

  async rollout(
    actor: Actor,
    entityRef: string,
    entity: EntityLike,
    target: EnvironmentTarget,
    action: 'promote' | 'abort',
  ) {
    return this.audited(actor, entityRef, target.name, action, async () => {
      const status = await this.options.argocd.rolloutAction(
        entity,
        target,
        action === 'promote' ? 'promote-full' : 'abort',
      );
      return {
        message: `${
          action === 'promote' ? 'promote-full' : 'abort'
        } sent to Rollout ${status.name}`,
        before: status.activeRevision,
        after:
          action === 'promote' ? status.previewRevision : status.activeRevision,
      };
    });
  }

  auditLog(filter: {
    entityRef?: string;
    environment?: string;
    limit?: number;
  }) {
    return this.options.audit.list(filter);
  }

  async denied(
    actor: Actor,
    entityRef: string,
    environment: string,
    action: DeploymentAction,
    reason: string,
    after?: string,
  ) {
    await this.record({
      actor: actor.userEntityRef,
      entityRef,
      environment,
      action,
      after,
      result: 'denied',
      message: reason,
    });
  }

  private async audited(
    actor: Actor,
    entityRef: string,
    environment: string,
    action: DeploymentAction,
    fn: () => Promise<{ message: string; before?: string; after?: string }>,
  ): Promise<AuditRecord> {
    const base = { actor: actor.userEntityRef, entityRef, environment, action };
    try {
      const r = await fn();
      return await this.record({ ...base, ...r, result: 'success' });
    } catch (e) {
      await this.record({
        ...base,
        result: 'failure',
        message: (e as Error).message,
      });
      throw e;
    }
  }

  private async record(
    record: Omit<AuditRecord, 'id' | 'createdAt'>,
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

function authorOf(actor: Actor): { name: string; email: string } {
  const name = actor.userEntityRef.replace(/^user:(default\/)?/, '');
  return {
    name: actor.userEntityRef,
    email: `${name.replace(/[^A-Za-z0-9._-]/g, '_')}@users.devops-app.local`,
  };
}
