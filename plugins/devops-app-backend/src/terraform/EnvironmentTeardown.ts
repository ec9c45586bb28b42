import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_EXPIRES_AT,
  environmentRepositoryPaths,
  ExpiryDuration,
  ExpiryExtension,
  extendedExpiry,
  TERRAFORM_FINAL_STATUSES,
  TerraformRun,
} from '@devops-app/plugin-devops-app-common';
import { access, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'yaml';
import { AuditStore } from '../deployments/AuditStore';
import { GitOpsRepository } from '../deployments/GitOpsRepository';
import { StartRunRequest, TerraformRunManager } from './TerraformRunManager';

/** What a teardown needs of the run service. */
export type TeardownRuns = Pick<TerraformRunManager, 'startRun' | 'getRun'>;

/** The audit actions of a teardown's steps after the destroy run, and of an extension. */
export type EnvironmentAction = 'remove' | 'extend';

/** Who tears down or extends, as `AuthorizedTerraformRunService` decided. */
export interface TeardownCaller {
  /** `user:default/jane`, or `system:expiry`. */
  actor: string;
  /** Used for the catalog calls: the caller's, or the plugin's own for the system. */
  credentials: BackstageCredentials;
}

/** The environment being removed, as its entity says. */
export interface TeardownTarget {
  environment: string;
  entityRef: string;
  production: boolean;
}

const catalogFile = (environment: string) =>
  `catalog/environments/${environment}.yaml`;

/** A commit's author for an actor (`user:default/jane` -> jane). */
function authorOf(actor: string) {
  const name = actor.replace(/^[a-z]+:(default\/)?/, '');
  return { name, email: `${name.replace(/[^\w.-]/g, '-')}@devops-app.local` };
}

/**
 * Removes an environment the way it was made, backwards: a `destroy` run (the run engine takes the
 * stacks in reverse graph order: monitoring and storage together, then the cluster), then, once that
 * run succeeded, one GitOps commit (a pull request when the repository opens them, as production
 * deploys do) removing the environment's files, then its entities leave the catalog (its location
 * unregistered, or the entities deleted, and the local catalog file removed). The runs and their
 * logs stay in the run store. A destroy that does not succeed stops there: files and entity stay,
 * the environment can be removed again.
 *
 * The steps after the run follow it in this instance (`start` answers with the queued run); a
 * backend that stops during the destroy leaves the files and entity in place (the expiry task, or
 * the user, removes the environment again: a destroy of destroyed stacks changes nothing).
 *
 * Authorization and the audit of the decision are `AuthorizedTerraformRunService`'s; this class
 * audits the outcome of the removal steps (action `remove`) and of an extension (`extend`).
 */
export class EnvironmentTeardown {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly options: {
      runs: TeardownRuns;
      catalog: CatalogService;
      audit: AuditStore;
      logger: LoggerService;
      /** The GitOps repository; without it the removal commit and extensions are refused. */
      gitops?: GitOpsRepository;
      /** `devopsApp.gitops.localCatalogDir`: where the local portal keeps registered catalog files. */
      localCatalogDir?: string;
      /** How often the destroy run is looked at; 1 s by default. */
      pollIntervalMs?: number;
      now?: () => Date;
    },
  ) {}

  /** Queues the destroy run and follows it with the removal steps; answers with the run. */
  async start(
    target: TeardownTarget,
    caller: TeardownCaller,
    request: Pick<StartRunRequest, 'taskId'> = {},
  ): Promise<TerraformRun> {
    if (!this.options.gitops) {
      throw new ConflictError(
        `Cannot remove ${target.environment}: no GitOps repository is configured (devopsApp.gitops), so its files could not be removed`,
      );
    }
    const { run } = await this.options.runs.startRun({
      environment: target.environment,
      mode: 'destroy',
      createdBy: caller.actor,
      ...request,
    });
    const follow = this.finish(run, target, caller).finally(() =>
      this.pending.delete(follow),
    );
    this.pending.add(follow);
    return run;
  }

  /** Resolves when every teardown this instance follows has ended (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /**
   * Moves the environment's expiry by `duration` (from now when it has passed) in one GitOps commit
   * of its catalog file, and in the local catalog's copy, which the catalog then reads again.
   */
  async extend(
    target: TeardownTarget,
    duration: ExpiryDuration,
    current: string | undefined,
    caller: TeardownCaller,
  ): Promise<ExpiryExtension> {
    const { gitops } = this.options;
    if (!gitops) {
      throw new ConflictError(
        `Cannot extend ${target.environment}: no GitOps repository is configured (devopsApp.gitops)`,
      );
    }
    const expiresAt = extendedExpiry(
      current,
      duration,
      this.options.now?.() ?? new Date(),
    );
    const file = catalogFile(target.environment);
    let edited: string | undefined;
    const result = await gitops.commitFiles({
      files: [file],
      edit: texts => {
        const text = texts[file];
        if (text === undefined) {
          throw new InputError(
            `${file} is not in the GitOps repository: ${target.environment} was not created from the portal`,
          );
        }
        edited = withExpiry(text, target.environment, expiresAt);
        return { [file]: edited };
      },
      author: authorOf(caller.actor),
      message: `Extend environment ${target.environment} by ${duration} (expires ${expiresAt})`,
      pullRequest: this.pullRequest(target, `extend-${Date.now()}`, [
        `Extend ${target.environment} to ${expiresAt}`,
        `Requested from the portal by ${caller.actor}.`,
      ]),
    });
    if (edited && !gitops.opensPullRequests) {
      await this.writeLocalCatalogFile(target.environment, edited);
      await this.options.catalog
        .refreshEntity(target.entityRef, { credentials: caller.credentials })
        .catch(e =>
          this.options.logger.warn(
            `Could not refresh ${target.entityRef} after its extension: ${e}`,
          ),
        );
    }
    return {
      environment: target.environment,
      expiresAt,
      commit: result.commit,
      pullRequestUrl: result.pullRequestUrl,
    };
  }

  private async finish(
    queued: TerraformRun,
    target: TeardownTarget,
    caller: TeardownCaller,
  ): Promise<void> {
    const { logger } = this.options;
    try {
      const run = await this.waitForEnd(queued.id);
      if (run.status !== 'succeeded') {
        await this.audit(target, caller, 'remove', 'failure', {
          runId: run.id,
          message: `destroy run ${run.id} ${run.status}: the files and the catalog entity stay`,
        });
        return;
      }
      const removal = await this.options.gitops!.removePaths({
        paths: environmentRepositoryPaths(target.environment),
        author: authorOf(caller.actor),
        message: `Remove environment ${target.environment} (destroyed by run ${run.id})`,
        pullRequest: this.pullRequest(target, 'remove', [
          `Remove environment ${target.environment}`,
          `Its stacks were destroyed by terraform run ${run.id}, requested by ${caller.actor}.`,
        ]),
      });
      const removed = await this.removeFromCatalog(target, caller);
      logger.info(
        `Removed environment ${target.environment}: ${
          removal.files.length
        } files (${removal.commit?.slice(0, 12) ?? 'none left'}), catalog: ${
          removed.join(', ') || 'nothing registered'
        }`,
      );
      await this.audit(target, caller, 'remove', 'success', {
        runId: run.id,
        commit: removal.commit,
        message: `removed ${removal.files.length} files${
          removal.pullRequestUrl ? ` (${removal.pullRequestUrl})` : ''
        }; catalog: ${removed.join(', ') || 'nothing registered'}`,
      });
    } catch (e) {
      logger.error(`Removal of ${target.environment} failed`, e as Error);
      await this.audit(target, caller, 'remove', 'failure', {
        runId: queued.id,
        message: (e as Error).message,
      });
    }
  }

  private async waitForEnd(id: string): Promise<TerraformRun> {
    const interval = this.options.pollIntervalMs ?? 1000;
    for (;;) {
      const run = await this.options.runs.getRun(id);
      if (TERRAFORM_FINAL_STATUSES.includes(run.status)) return run;
      await new Promise(resolve => setTimeout(resolve, interval));
    }
  }

  /**
   * Takes the environment and its cluster out of the catalog: a `url:` location registered for the
   * environment's own file is unregistered (its entities go with it); entities from any other
   * location (the local catalog directory's glob) are deleted once their file is gone.
   */
  private async removeFromCatalog(
    target: TeardownTarget,
    { credentials }: TeardownCaller,
  ): Promise<string[]> {
    const { catalog, localCatalogDir } = this.options;
    if (localCatalogDir) {
      await rm(join(localCatalogDir, `${target.environment}.yaml`), {
        force: true,
      });
    }
    const refs = [target.entityRef, `${target.entityRef}-cluster`];
    const removed: string[] = [];
    for (const ref of refs) {
      const entity = await catalog.getEntityByRef(ref, { credentials });
      if (!entity) continue;
      const location = await this.ownLocation(entity, target, credentials);
      if (location) {
        await catalog.removeLocationById(location, { credentials });
      } else {
        await catalog.removeEntityByUid(entity.metadata.uid!, { credentials });
      }
      removed.push(stringifyEntityRef(entity));
    }
    return removed;
  }

  /** The id of the location registered for exactly this environment's catalog file, if any. */
  private async ownLocation(
    entity: Entity,
    target: TeardownTarget,
    credentials: BackstageCredentials,
  ): Promise<string | undefined> {
    const ref =
      entity.metadata.annotations?.['backstage.io/managed-by-location'];
    if (
      !ref?.startsWith('url:') ||
      !ref.endsWith(catalogFile(target.environment))
    ) {
      return undefined;
    }
    const location = await this.options.catalog.getLocationByRef(ref, {
      credentials,
    });
    return location?.id;
  }

  private async writeLocalCatalogFile(environment: string, text: string) {
    const { localCatalogDir } = this.options;
    if (!localCatalogDir) return;
    const path = join(localCatalogDir, `${environment}.yaml`);
    // Only a file the local portal registered is kept up to date.
    if (
      await access(path).then(
        () => true,
        () => false,
      )
    ) {
      await writeFile(path, text, 'utf8');
    }
  }

  private pullRequest(
    target: TeardownTarget,
    suffix: string,
    [title, body]: [string, string],
  ) {
    return this.options.gitops?.opensPullRequests
      ? { branch: `environment/${target.environment}-${suffix}`, title, body }
      : undefined;
  }

  private async audit(
    target: TeardownTarget,
    caller: TeardownCaller,
    action: EnvironmentAction,
    result: 'success' | 'failure',
    details: { runId?: string; commit?: string; message: string },
  ) {
    try {
      await this.options.audit.add<EnvironmentAction>({
        actor: caller.actor,
        entityRef: target.entityRef,
        environment: target.environment,
        action,
        result,
        ...details,
      });
    } catch (e) {
      this.options.logger.error(
        `Could not write the audit record of ${action} of ${target.environment}`,
        e as Error,
      );
    }
  }
}

/** The environment's catalog file with its expiry set, comments and the other documents kept. */
export function withExpiry(
  text: string,
  environment: string,
  expiresAt: string,
): string {
  const documents = yaml.parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [];
  const document = list.find(
    d => d.getIn(['metadata', 'name']) === environment,
  );
  if (!document || document.errors.length > 0) {
    throw new InputError(
      `${catalogFile(environment)} has no readable entity ${environment}`,
    );
  }
  document.setIn(['metadata', 'annotations', ANNOTATION_EXPIRES_AT], expiresAt);
  return list.map(d => d.toString()).join('');
}
