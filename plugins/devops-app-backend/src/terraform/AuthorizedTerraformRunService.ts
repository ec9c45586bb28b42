import {
  AuthService,
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ANNOTATION_PRODUCTION,
  Environment,
  environmentCreatePermission,
  ExpiryDuration,
  ExpiryExtension,
  PROD_DEPLOYERS_GROUP,
  TERRAFORM_RUN_PERMISSIONS,
  TerraformRun,
  TerraformRunAction,
} from '@devops-app/plugin-devops-app-common';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import { AuditStore } from '../deployments/AuditStore';
import { AuditTrail } from '../deployments/AuditTrail';
import { loadEntityForCaller } from '../request';
import { StartRunRequest, TerraformRunManager } from './TerraformRunManager';
import { EnvironmentAction, EnvironmentTeardown } from './EnvironmentTeardown';
import { EXPIRY_ACTOR } from './ExpiryTask';

/** The run service's calls this layer authorizes and delegates to. */
export type TerraformRuns = Pick<
  TerraformRunManager,
  | 'startRun'
  | 'cancelRun'
  | 'getRun'
  | 'listRuns'
  | 'readLog'
  | 'decideRun'
  | 'readPlanText'
>;

/** Who asks, as the route read it from the request. */
export interface CallerOptions {
  credentials: BackstageCredentials;
}

/** The environment a request acts on: its entity, or none yet (a new environment). */
interface Target {
  environment: string;
  entityRef: string;
  /** undefined: the catalog holds no entity of this name (the template has not registered it yet). */
  owner?: string;
  production: boolean;
  exists: boolean;
  protected?: boolean;
  expiresAt?: string;
  /** An apply stops after its plans until approved (production-class, or the entity asks). */
  requiresApproval?: boolean;
}

interface Decision {
  allowed: boolean;
  reason: string;
}

/** Environment entities the runs name live in the default namespace (catalog/environments.yaml). */
function environmentEntityRef(environment: string): string {
  return `resource:default/${environment}`;
}

/** Only the production class and the name decide a run; other annotation problems do not stop it. */
const RUN_BLOCKING = [ANNOTATION_PRODUCTION, 'metadata.name'];

/**
 * The terraform runs as a caller may use them: the one place where their authorization and audit
 * happen (the router only parses and answers), as `AuthorizedDeploymentService` is for deployments.
 *
 * - Start (by mode: plan, apply, destroy), cancel and approve ask the permission framework for
 *   `devops-app.terraform.<action>` on the environment's entity, loaded for the caller (an entity the
 *   caller may not read is a 404); the policy decides per owning group and production class. An
 *   environment the catalog does not hold at all (the New environment template runs terraform before
 *   it registers the entity) may be planned and applied with `devops-app.environment.create`.
 * - Cancelling one's own run needs no further permission; someone else's needs
 *   `devops-app.terraform.cancel`. Approving one's own run is refused.
 * - Every decision, allowed or denied, is an audit entry (actor, action, environment, run, result,
 *   reason) in the deployments' `AuditStore`, written before the 403 or after the delegate answered.
 * - Reads: a run is visible to whoever may read its environment's entity in the catalog, or to every
 *   signed-in caller when the catalog holds no such entity (not registered yet, or torn down: its
 *   runs stay readable); any other run is a 404, as one that does not exist.
 */
export class AuthorizedTerraformRunService {
  constructor(
    private readonly options: {
      runs: TerraformRuns;
      environments: EnvironmentResolver;
      permissions: PermissionsService;
      /** Tells "no such entity" from "an entity the caller may not read". */
      auth: AuthService;
      audit: AuditStore;
      logger: LoggerService;
      /** Removes and extends environments; without it (tests of runs only) both are refused. */
      teardown?: EnvironmentTeardown;
    },
  ) {
    this.trail = new AuditTrail({
      audit: options.audit,
      logger: options.logger,
    });
  }

  private readonly trail: AuditTrail<TerraformRunAction | EnvironmentAction>;

  /**
   * "Remove environment": a destroy run, then the removal commit and the catalog (see
   * {@link EnvironmentTeardown}). Needs `devops-app.terraform.destroy` on the environment's entity;
   * a protected environment is refused with that reason before anything runs. Answers with the
   * queued destroy run; the decision is audited as `destroy`, the removal's outcome as `remove`.
   */
  async removeEnvironment(
    environment: string,
    { credentials }: CallerOptions,
  ): Promise<TerraformRun> {
    const actor = userOf(credentials, 'destroy');
    const target = await this.existingTarget(environment, credentials);
    const decision = target.protected
      ? this.protectedRefusal(target)
      : await this.decide('destroy', target, credentials);
    return this.audited(actor, 'destroy', target, decision, undefined, () =>
      this.teardown().start(target, { actor, credentials }),
    );
  }

  /** The expiry task's teardown of an expired environment: audited as {@link EXPIRY_ACTOR}. */
  async expireEnvironment(environment: Environment): Promise<TerraformRun> {
    const credentials = await this.serviceCredentials();
    const target = await this.existingTarget(environment.name, credentials);
    const decision: Decision = target.protected
      ? this.protectedRefusal(target)
      : { allowed: true, reason: `expired at ${target.expiresAt}` };
    return this.audited(
      EXPIRY_ACTOR,
      'destroy',
      target,
      decision,
      undefined,
      () => this.teardown().start(target, { actor: EXPIRY_ACTOR, credentials }),
    );
  }

  /** Moves the environment's expiry by `duration`: who may destroy it may extend it; audited. */
  async extendExpiry(
    environment: string,
    duration: ExpiryDuration,
    { credentials }: CallerOptions,
  ): Promise<ExpiryExtension> {
    const actor = userOf(credentials, 'extend');
    const target = await this.existingTarget(environment, credentials);
    const decision = await this.decide('destroy', target, credentials);
    return this.audited(actor, 'extend', target, decision, undefined, () =>
      this.teardown().extend(target, duration, target.expiresAt, {
        actor,
        credentials,
      }),
    );
  }

  private teardown(): EnvironmentTeardown {
    if (!this.options.teardown) {
      throw new ConflictError('Removing environments is not set up here');
    }
    return this.options.teardown;
  }

  private protectedRefusal(target: Target): Decision {
    return {
      allowed: false,
      reason: `${target.environment} is protected (devops-app.io/protected): the portal never removes it`,
    };
  }

  /** The target of an environment the catalog holds (a 404 otherwise: nothing to remove). */
  private async existingTarget(
    environment: string,
    credentials: BackstageCredentials,
  ): Promise<Target> {
    const target = await this.target(environment, credentials);
    if (!target.exists) {
      throw new NotFoundError(
        `environment: no environment entity ${target.entityRef}`,
      );
    }
    return target;
  }

  async startRun(
    request: Omit<StartRunRequest, 'createdBy'>,
    { credentials }: CallerOptions,
  ): Promise<TerraformRun> {
    const actor = userOf(credentials, request.mode);
    const target = await this.target(request.environment, credentials);
    const decision = await this.decide(request.mode, target, credentials);
    return this.audited(actor, request.mode, target, decision, undefined, () =>
      this.options.runs
        .startRun({
          ...request,
          createdBy: actor,
          requiresApproval: target.requiresApproval,
        })
        .then(({ run }) => run),
    );
  }

  async cancelRun(id: string, { credentials }: CallerOptions) {
    const actor = userOf(credentials, 'cancel');
    const run = await this.readableRun(id, credentials);
    const target = await this.target(run.environment, credentials);
    const decision: Decision =
      run.createdBy === actor
        ? { allowed: true, reason: 'own run' }
        : await this.decide('cancel', target, credentials);
    return this.audited(actor, 'cancel', target, decision, id, () =>
      this.options.runs.cancelRun(id),
    );
  }

  /**
   * Approves (`approved`: queued again to apply exactly its saved plans) or rejects a run awaiting
   * approval, with the decider's comment. Needs `devops-app.terraform.approve` on the environment
   * and someone other than the requester; both decisions are audited as `approve` (allowed or
   * denied), a run not awaiting approval is a 409 with its status.
   */
  async decideRun(
    id: string,
    decision: 'approved' | 'rejected',
    comment: string,
    { credentials }: CallerOptions,
  ) {
    const actor = userOf(credentials, 'approve');
    const run = await this.readableRun(id, credentials);
    const target = await this.target(run.environment, credentials);
    const verdict = await this.approver(run, actor, target, credentials);
    const verb = decision === 'approved' ? 'approve' : 'reject';
    return this.audited(
      actor,
      'approve',
      target,
      verdict.allowed
        ? { allowed: true, reason: `${verb}: ${verdict.reason}` }
        : verdict,
      id,
      () => this.options.runs.decideRun(id, { decision, by: actor, comment }),
    );
  }

  /** A run, with whether the caller may approve it when it awaits approval. */
  async getRun(id: string, { credentials }: CallerOptions) {
    const run = await this.readableRun(id, credentials);
    if (run.status !== 'awaiting-approval') {
      return {
        ...run,
        permissions: {
          approve: { allowed: false, reason: `The run is ${run.status}` },
        },
      };
    }
    const principal = credentials.principal as { userEntityRef?: string };
    const verdict = principal.userEntityRef
      ? await this.approver(
          run,
          principal.userEntityRef,
          await this.target(run.environment, credentials),
          credentials,
        )
      : { allowed: false, reason: 'Only a signed-in user may approve' };
    return {
      ...run,
      permissions: {
        approve: verdict.allowed
          ? { allowed: true }
          : { allowed: false, reason: verdict.reason },
      },
    };
  }

  /** The redacted `terraform show` of a stack's saved plan, for whoever may read the run. */
  async readPlanText(
    id: string,
    stack: Parameters<TerraformRuns['readPlanText']>[1],
    { credentials }: CallerOptions,
  ) {
    await this.readableRun(id, credentials);
    return this.options.runs.readPlanText(id, stack);
  }

  /** Whether `actor` may decide on the run: not its requester, and `approve` on its environment. */
  private async approver(
    run: TerraformRun,
    actor: string,
    target: Target,
    credentials: BackstageCredentials,
  ): Promise<Decision> {
    if (run.createdBy === actor) {
      return {
        allowed: false,
        reason: `Not allowed to approve run ${run.id} of ${run.environment}: you requested it, and a plan needs another approver`,
      };
    }
    return this.decide('approve', target, credentials);
  }

  async readLog(
    id: string,
    options: CallerOptions & { after?: number },
  ): Promise<Awaited<ReturnType<TerraformRuns['readLog']>>> {
    await this.readableRun(id, options.credentials);
    return this.options.runs.readLog(id, { after: options.after });
  }

  /** The runs (of `environments`, or all), without those of environments the caller may not read. */
  async listRuns(
    filter: { environments?: string[] },
    { credentials }: CallerOptions,
  ): Promise<TerraformRun[]> {
    const runs = await this.options.runs.listRuns(filter);
    const names = [...new Set(runs.map(r => r.environment))];
    const readable = new Set<string>();
    await Promise.all(
      names.map(async name => {
        if (await this.mayRead(name, credentials)) readable.add(name);
      }),
    );
    return runs.filter(r => readable.has(r.environment));
  }

  private async readableRun(
    id: string,
    credentials: BackstageCredentials,
  ): Promise<TerraformRun> {
    const run = await this.options.runs.getRun(id);
    if (!(await this.mayRead(run.environment, credentials))) {
      // The same answer as for a run that does not exist (TerraformRunStore.getRun).
      throw new NotFoundError(`No terraform run ${id}`);
    }
    return run;
  }

  private async mayRead(
    environment: string,
    credentials: BackstageCredentials,
  ): Promise<boolean> {
    const entityRef = environmentEntityRef(environment);
    if (await this.exists(entityRef, credentials)) return true;
    return !(await this.exists(entityRef, await this.serviceCredentials()));
  }

  /** Whether the entity exists for these credentials (the catalog applies their read permission). */
  private async exists(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<boolean> {
    try {
      await this.options.environments.resolve(entityRef, { credentials });
      return true;
    } catch (e) {
      if (e instanceof NotFoundError) return false;
      throw e;
    }
  }

  private serviceCredentials() {
    return this.options.auth.getOwnServiceCredentials();
  }

  /**
   * The environment's entity as the caller may read it (404 otherwise, 400 naming a production
   * annotation that cannot be read), or, when the catalog holds no entity of that name at all, a new
   * environment.
   */
  private async target(
    environment: string,
    credentials: BackstageCredentials,
  ): Promise<Target> {
    const entityRef = environmentEntityRef(environment);
    try {
      const loaded = await loadEntityForCaller(this.options.environments, {
        credentials,
        entityRef,
        environment,
        blocking: RUN_BLOCKING,
      });
      return {
        environment,
        entityRef: loaded.environment.entityRef,
        owner: loaded.environment.owner,
        production: loaded.environment.production,
        exists: true,
        protected: loaded.environment.protected,
        expiresAt: loaded.environment.expiresAt,
        requiresApproval: loaded.environment.requiresApproval,
      };
    } catch (e) {
      if (
        !(e instanceof NotFoundError) ||
        (await this.exists(entityRef, await this.serviceCredentials()))
      ) {
        throw e;
      }
      return { environment, entityRef, production: false, exists: false };
    }
  }

  private async decide(
    action: TerraformRunAction,
    target: Target,
    credentials: BackstageCredentials,
  ): Promise<Decision> {
    const { permissions } = this.options;
    if (!target.exists) {
      if (action !== 'plan' && action !== 'apply') {
        throw new NotFoundError(
          `environment: no environment entity ${target.entityRef}; only a new environment's plan and apply run before it is registered`,
        );
      }
      const [decision] = await permissions.authorize(
        [{ permission: environmentCreatePermission }],
        { credentials },
      );
      return decision.result === AuthorizeResult.ALLOW
        ? { allowed: true, reason: `new environment ${target.environment}` }
        : {
            allowed: false,
            reason: `Not allowed to ${action} the new environment ${target.environment} (${environmentCreatePermission.name}): only members of a group may create environments`,
          };
    }
    const permission = TERRAFORM_RUN_PERMISSIONS[action];
    const [decision] = await permissions.authorize(
      [{ permission, resourceRef: target.entityRef }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.ALLOW) {
      return { allowed: true, reason: `${permission.name} allowed` };
    }
    const who = target.production
      ? `${target.environment} is production-class; only members of ${PROD_DEPLOYERS_GROUP} may`
      : `only members of ${target.owner ?? 'its owning group'}, its owner, may`;
    return {
      allowed: false,
      reason: `Not allowed to ${action} terraform runs of ${target.environment} (${permission.name} on ${target.entityRef}): ${who}`,
    };
  }

  /**
   * Writes the audit entry of a denial and throws 403, or runs `act` and writes the entry of its
   * success (with the run it started or acted on) or failure.
   */
  private async audited<T extends object = TerraformRun>(
    actor: string,
    action: TerraformRunAction | EnvironmentAction,
    target: Target,
    decision: Decision,
    runId: string | undefined,
    act: () => Promise<T>,
  ): Promise<T> {
    const { result } = await this.trail.decide(
      {
        actor,
        entityRef: target.entityRef,
        environment: target.environment,
        action,
        runId,
        message: decision.reason,
      },
      decision,
      act,
      {
        success: run => ({ runId: (run as Partial<TerraformRun>).id ?? runId }),
        failure: e => `${decision.reason}; ${e.message}`,
      },
    );
    return result;
  }
}

/** Runs are started and acted on by users only: the routes ask httpAuth for a user principal. */
function userOf(
  credentials: BackstageCredentials,
  action: TerraformRunAction | EnvironmentAction,
): string {
  const principal = credentials.principal as { userEntityRef?: string };
  if (!principal.userEntityRef) {
    throw new NotAllowedError(`Only a signed-in user may ${action}`);
  }
  return principal.userEntityRef;
}
