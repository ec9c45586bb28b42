import { ConflictError, ServiceUnavailableError } from '@backstage/errors';
import {
  ActionPermission,
  AuditRecord,
  DeploymentAction,
  DeploymentResult,
  DeploymentStatusResponse,
  EntityLike,
  EnvironmentDeploymentStatus,
  ImageVersionsResponse,
} from '@devops-app/plugin-devops-app-common';
import { ArgoCdEnvironment, ArgoCdService } from './ArgoCdService';
import { AuditStore } from './AuditStore';
import { GitOpsRepository } from './GitOpsRepository';
import { ImageRegistry } from './registry';
import { SharedReads } from './snapshot/SharedReads';
import { valuesFileFor } from './valuesFile';

/** The environment an action targets: its name and the Argo CD instance it names, if any. */
export interface EnvironmentTarget extends Exclude<ArgoCdEnvironment, string> {
  title?: string;
  production?: boolean;
}

export interface Actor {
  userEntityRef: string;
}

/** What every action is about: who asks, the entity (as the caller may read it) and its environment. */
export interface DeploymentTarget {
  actor: Actor;
  entityRef: string;
  entity: EntityLike;
  environment: EnvironmentTarget;
}

/** What an action did, in the words of its audit entry. */
export interface ActionOutcome {
  message?: string;
  before?: string;
  after?: string;
  commit?: string;
}

export const GITOPS_NOT_CONFIGURED =
  'No GitOps repository is configured: set devopsApp.gitops.repository (and .branch)';

/**
 * Deploy, sync, promote and abort. Knows nothing of HTTP, permissions or the audit log's writes:
 * `AuthorizedDeploymentService` authorizes, audits and then calls these.
 */
export class DeploymentService {
  /**
   * Each environment's last deploy, shared by status readers for `lastDeployShareMs` (data only);
   * forgotten whenever this instance writes an audit entry, so a deploy shows at once here and within
   * the window on other instances.
   */
  private readonly lastDeploys: SharedReads<AuditRecord | undefined>;

  constructor(
    private readonly options: {
      gitops?: GitOpsRepository;
      argocd: ArgoCdService;
      /** Read for each environment's last deploy. */
      audit: AuditStore;
      /** With it, a deploy's tag must be in the entity's image repository; its digest is recorded. */
      registry?: ImageRegistry;
      /** Default 1000; 0 reads the audit log on every status read. */
      lastDeployShareMs?: number;
    },
  ) {
    this.lastDeploys = new SharedReads(
      options.lastDeployShareMs ?? 1000,
      undefined,
      1000,
    );
    options.audit.onAdd(() => this.lastDeploys.clear());
  }

  /** Whether deploys can be made, and where they go. */
  repository(): DeploymentStatusResponse['repository'] {
    const branch = this.options.gitops?.branch;
    return branch
      ? { configured: true, branch }
      : {
          configured: false,
          message: 'Set devopsApp.gitops.repository to deploy from the portal',
        };
  }

  private requireGitops(): GitOpsRepository {
    if (!this.options.gitops) {
      throw new ServiceUnavailableError(GITOPS_NOT_CONFIGURED);
    }
    return this.options.gitops;
  }

  async status(
    options: Omit<DeploymentTarget, 'actor'> & {
      permissions: Record<DeploymentAction, ActionPermission>;
      /** false: the last deploy read from the audit log for this call alone (the bench's "before"). */
      shared?: boolean;
    },
  ): Promise<EnvironmentDeploymentStatus> {
    const { entityRef, entity, environment, permissions } = options;
    const readLast = () =>
      this.options.audit
        .list({
          entityRef,
          environment: environment.name,
          action: 'deploy',
          result: 'success',
          limit: 1,
        })
        .then(rows => rows[0]);
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
      options.shared === false
        ? readLast()
        : this.lastDeploys.get(`${entityRef}\n${environment.name}`, readLast),
    ]);
    return {
      environment: environment.name,
      title: environment.title ?? environment.name,
      production: environment.production ?? false,
      valuesFile,
      gitTag: git.tag,
      gitError: git.error,
      argocd,
      lastDeploy: last,
      permissions,
    };
  }

  preview({
    environment,
    tag,
  }: {
    environment: string;
    tag: string;
  }): Promise<DeploymentResult> {
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

  /**
   * Commits `image.tag` of the environment's values file (through a pull request for production when
   * the GitHub integration is configured), then asks Argo CD to sync a manual-sync environment.
   */
  async deploy(
    options: DeploymentTarget & {
      tag: string;
      /** The digest the tag must still have (an approved production request's): 409 otherwise. */
      digest?: string;
    },
  ): Promise<DeploymentResult> {
    const { actor, entity, environment: target, tag } = options;
    const environment = target.name;
    const gitops = this.requireGitops();
    // The tag must be in the registry now (400 naming it; 503 when the registry does not answer):
    // nothing is committed blind.
    const image = await this.options.registry?.resolve(entity, tag);
    if (options.digest && image && image.digest !== options.digest) {
      throw new ConflictError(
        `${tag} is now ${image.digest} in the registry, not the requested ${options.digest}: request it again`,
      );
    }
    const imageLine = image
      ? `\nImage: ${image.registry}/${image.repository}:${tag}@${image.digest}`
      : '';
    // Production goes through a pull request when the GitHub integration is configured for it.
    const viaPullRequest =
      (target.production ?? false) && gitops.opensPullRequests;
    const file = valuesFileFor(environment);
    const change = await gitops.commitImageTag({
      file,
      tag,
      author: authorOf(actor),
      message: `deploy(${entity.metadata.name}): ${environment} image.tag ${tag}\n\nRequested on the portal by ${actor.userEntityRef}.${imageLine}`,
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
    const result: DeploymentResult = {
      environment,
      valuesFile: file,
      before: change.before,
      after: tag,
      diff: change.diff,
      changed: change.changed,
      commit: change.commit,
      pullRequestUrl: change.pullRequestUrl,
      image: image && {
        reference: `${image.registry}/${image.repository}:${tag}`,
        digest: image.digest,
      },
    };
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
    return result;
  }

  /** The entity's image tags, newest first; `configured: false` without `devopsApp.registry`. */
  versions(entity: EntityLike): Promise<ImageVersionsResponse> {
    const registry = this.options.registry;
    return registry
      ? registry.versions(entity)
      : Promise.resolve({ configured: false, versions: [] });
  }

  async sync({
    entity,
    environment,
  }: DeploymentTarget): Promise<ActionOutcome> {
    const r = await this.options.argocd.sync(entity, environment);
    return {
      message: `sync of ${r.application} requested`,
      after: r.revision,
    };
  }

  async rollout(
    options: DeploymentTarget & { action: 'promote' | 'abort' },
  ): Promise<ActionOutcome> {
    const { entity, environment, action } = options;
    const name = action === 'promote' ? 'promote-full' : 'abort';
    const status = await this.options.argocd.rolloutAction(
      entity,
      environment,
      name,
    );
    return {
      message: `${name} sent to Rollout ${status.name}`,
      before: status.activeRevision,
      after:
        action === 'promote' ? status.previewRevision : status.activeRevision,
    };
  }

  auditLog(filter: {
    entityRef?: string;
    environment?: string;
    limit?: number;
  }) {
    return this.options.audit.list(filter);
  }
}

function authorOf(actor: Actor): { name: string; email: string } {
  const name = actor.userEntityRef.replace(/^user:(default\/)?/, '');
  return {
    name: actor.userEntityRef,
    email: `${name.replace(/[^A-Za-z0-9._-]/g, '_')}@users.devops-app.local`,
  };
}
