import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { DeploymentStatusResponse } from '@devops-app/plugin-devops-app-common';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';
import { loadEntityForCaller } from '../../request';
import { SharedEntityReads } from '../../request/SharedEntityReads';
import type { DeploymentService } from '../DeploymentService';
import {
  actionPermissions,
  actionRequests,
  authorizeActions,
} from '../permissions';

/** A status read: who asks (and the credential presented), for which entity. */
export interface StatusRequest {
  credentials: BackstageCredentials;
  entityRef: string;
  /** The `Authorization` header; a caller's decisions are shared only between requests presenting it. */
  authorization?: string;
}

/**
 * `GET /deployments/status` for one caller: every environment of the entity with what the caller may
 * do there.
 *
 * With `reads` (the default wiring): the entity and its environments come from `SharedEntityReads`
 * (read once for every caller with the plugin's own credentials), and everything the caller may see
 * and do is one permission request: the catalog's read permission on the entity and each environment,
 * and the deploy, promote, abort and production permissions (which decide every environment: a
 * non-production one needs the action's permission, a production one also the production permission),
 * kept per credential for the sharing window. The environments' data (git, Argo CD, last deploy) is
 * shared by `DeploymentService.status`. No decision is ever given to another credential.
 *
 * Without `reads` (`devopsApp.readShareMs: 0`, the deployments-status bench's "before"): the entity
 * and environments read through the catalog with the caller's credentials and one permission request
 * per production class, on every request.
 */
export class DeploymentStatusReads {
  constructor(
    private readonly options: {
      service: DeploymentService;
      environments: EnvironmentResolver;
      permissions: PermissionsService;
      reads?: SharedEntityReads;
    },
  ) {}

  async status(request: StatusRequest): Promise<DeploymentStatusResponse> {
    const { service, reads } = this.options;
    if (!reads) return this.perRequest(request);
    const { entity, entityRef, environments, decisions } = await reads.load(
      { ...request, authorization: request.authorization },
      resolved => actionRequests(resolved.entityRef, true),
    );
    const asked = actionRequests(entityRef, true);
    const allowed = new Map(
      asked.map((r, i) => [
        r.permission.name,
        decisions[i] === AuthorizeResult.ALLOW,
      ]),
    );
    const items = await Promise.all(
      environments.map(environment =>
        service.status({
          entityRef,
          entity,
          environment,
          permissions: actionPermissions(entity, environment.production, allowed),
        }),
      ),
    );
    return { entityRef, repository: service.repository(), items };
  }

  /** The path before the shared reads (kept for the bench's "before" side). */
  private async perRequest(
    request: StatusRequest,
  ): Promise<DeploymentStatusResponse> {
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
          shared: false,
        }),
      ),
    );
    return { entityRef, repository: service.repository(), items };
  }
}
