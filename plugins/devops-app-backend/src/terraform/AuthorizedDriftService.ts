import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EnvironmentDrift,
  TERRAFORM_RUN_PERMISSIONS,
  worstDriftStatus,
} from '@devops-app/plugin-devops-app-common';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import { AuditStore } from '../deployments/AuditStore';
import { AuditTrail } from '../deployments/AuditTrail';
import { loadEntityForCaller } from '../request';
import { DriftDetection } from './DriftTask';

/** The audit action of a "Check now". */
export const DRIFT_CHECK_ACTION = 'drift-check' as const;

/**
 * Drift results as a caller may see them, and "Check now" as a caller may ask for it:
 * - reads need the catalog's read of the environment's entity (`resource:default/<env>`, loaded with
 *   the caller's credentials: an entity the caller may not read is a 404, as one that does not exist);
 * - a check needs `devops-app.terraform.plan` on that entity (a drift check is a plan), and every
 *   decision, allowed or denied, is an audit entry (action `drift-check`).
 */
export class AuthorizedDriftService {
  constructor(
    private readonly options: {
      drift: DriftDetection;
      environments: EnvironmentResolver;
      permissions: PermissionsService;
      audit: AuditStore;
      logger: LoggerService;
    },
  ) {
    this.trail = new AuditTrail({
      audit: options.audit,
      logger: options.logger,
    });
  }

  private readonly trail: AuditTrail<typeof DRIFT_CHECK_ACTION>;

  /** The latest results of the named environments, or of the environments of `entityRef`. */
  async read(
    filter: { environments?: string[]; entityRef?: string },
    { credentials }: { credentials: BackstageCredentials },
  ): Promise<EnvironmentDrift[]> {
    const { environments } = this.options;
    let names: string[];
    if (filter.entityRef !== undefined) {
      const resolved = await environments.resolve(filter.entityRef, {
        credentials,
      });
      names = resolved.environments.map(e => e.name);
    } else {
      names = filter.environments ?? [];
      await Promise.all(
        names.map(name =>
          environments.resolve(environmentRef(name), {
            credentials,
            field: 'environment',
          }),
        ),
      );
    }
    return this.latest(names);
  }

  /** Queues a check of the environment at once; answers with its latest results (`checking`). */
  async checkNow(
    environment: string,
    { credentials }: { credentials: BackstageCredentials },
  ): Promise<EnvironmentDrift> {
    const principal = credentials.principal as { userEntityRef?: string };
    if (!principal.userEntityRef) {
      throw new NotAllowedError('Only a signed-in user may check for drift');
    }
    const loaded = await loadEntityForCaller(this.options.environments, {
      credentials,
      entityRef: environmentRef(environment),
      environment,
      blocking: ['metadata.name'],
    }).catch(e => {
      if (e instanceof NotFoundError) {
        throw new NotFoundError(
          `environment: no environment entity ${environmentRef(
            environment,
          )} that you may read`,
        );
      }
      throw e;
    });
    const entityRef = loaded.environment.entityRef;
    const permission = TERRAFORM_RUN_PERMISSIONS.plan;
    const [decision] = await this.options.permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials },
    );
    const allowed = decision.result === AuthorizeResult.ALLOW;
    await this.trail.decide(
      {
        actor: principal.userEntityRef,
        entityRef,
        environment,
        action: DRIFT_CHECK_ACTION,
        message: `${permission.name} allowed; drift check queued`,
      },
      {
        allowed,
        reason: `Not allowed to check ${environment} for drift (${permission.name} on ${entityRef}): only those who may plan it may`,
      },
      async () => {
        this.options.drift.checker
          .check(environment, 'manual')
          .catch(e =>
            this.options.logger.error(
              `Drift check of ${environment} failed`,
              e as Error,
            ),
          );
      },
    );
    const [drift] = await this.latest([environment]);
    return drift;
  }

  private async latest(names: string[]): Promise<EnvironmentDrift[]> {
    const { store, checker } = this.options.drift;
    const latest = await store.latest(names);
    return names.map(environment => {
      const stacks = latest.get(environment) ?? [];
      const checkedAt = stacks
        .map(s => s.checkedAt)
        .sort()
        .at(-1);
      return {
        environment,
        status: worstDriftStatus(stacks),
        ...(checkedAt ? { checkedAt } : {}),
        stacks,
        checking: checker.checking(environment),
      };
    });
  }
}

/** Environment entities live in the default namespace (catalog/environments.yaml). */
function environmentRef(environment: string) {
  return `resource:default/${environment}`;
}
