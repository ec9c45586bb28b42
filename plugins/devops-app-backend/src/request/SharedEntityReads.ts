import {
  AuthService,
  PermissionsService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  AuthorizePermissionRequest,
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  EnvironmentResolver,
  ResolvedEntityEnvironments,
} from '@devops-app/plugin-devops-app-node';
import { createHash } from 'node:crypto';
import { SharedReads } from '../deployments/snapshot/SharedReads';
import { EntityRequest } from './loadEntityForCaller';

/**
 * The catalog's own read permission (`catalogEntityReadPermission` of @backstage/plugin-catalog-common,
 * the same name, attributes and resource type), which the catalog checks on every read.
 */
export const entityReadPermission = createPermission({
  name: 'catalog.entity.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/** A read of one caller: its credentials and the raw credential it presented. */
export interface SharedEntityRequest extends EntityRequest {
  /**
   * The `Authorization` header the credentials were verified from. A caller's decisions are shared
   * only between requests that presented this very credential; without it nothing is shared.
   */
  authorization: string | undefined;
}

/** The entity as the caller may read it, and the caller's answers to the extra permission requests. */
export interface EntityReadForCaller extends ResolvedEntityEnvironments {
  /** One per request `also` made, in its order. */
  decisions: AuthorizeResult[];
}

/**
 * The entity a request names and its environments, read once for every caller, and per caller one
 * permission request for all it needs.
 *
 * The catalog data is read with the plugin's own credentials and shared by every request for the
 * entity within `shareMs` (data only, like `GitOpsSnapshot`). What each caller may see is then decided
 * for that caller alone: one `permissions.authorize` with the catalog's read permission on the entity
 * and on each of its environments (the decisions the catalog itself would take when read with the
 * caller's credentials: a 404 for an entity the caller may not read, environments it may not read
 * left out), batched with the route's own permission requests (`also`, made from the entity read). A caller's decisions are kept
 * for `shareMs` keyed by the SHA-256 of the credential it presented (never by user or across
 * credentials), so a viewer whose panels or cards arrive together asks once.
 *
 * Per request this replaces two catalog requests on the caller's behalf (each verifying the token and
 * asking the permission backend) and the route's own permission requests with at most one permission
 * request.
 */
export class SharedEntityReads {
  private readonly entities: SharedReads<ResolvedEntityEnvironments>;
  private readonly decisions: SharedReads<AuthorizeResult[]>;

  constructor(
    private readonly options: {
      resolver: EnvironmentResolver;
      auth: AuthService;
      permissions: PermissionsService;
      /** How long a read and a caller's decisions answer later requests; default 2000. */
      shareMs?: number;
      now?: () => number;
    },
  ) {
    const shareMs = options.shareMs ?? 2000;
    this.entities = new SharedReads(shareMs, options.now, 1000);
    this.decisions = new SharedReads(shareMs, options.now, 5000);
  }

  /** The entity and its environments with the plugin's own credentials (shared; data only). */
  private entity(entityRef: string): Promise<ResolvedEntityEnvironments> {
    return this.entities.get(entityRef, async () =>
      this.options.resolver.resolve(entityRef, {
        credentials: await this.options.auth.getOwnServiceCredentials(),
      }),
    );
  }

  async load(
    request: SharedEntityRequest,
    also: (
      resolved: ResolvedEntityEnvironments,
    ) => AuthorizePermissionRequest[] = () => [],
  ): Promise<EntityReadForCaller> {
    const resolved = await this.entity(request.entityRef);
    const others = resolved.environments.filter(
      e => e.entityRef !== resolved.entityRef,
    );
    const requests: AuthorizePermissionRequest[] = [
      { permission: entityReadPermission, resourceRef: resolved.entityRef },
      ...others.map(e => ({
        permission: entityReadPermission,
        resourceRef: e.entityRef,
      })),
      ...also(resolved),
    ];
    const ask = async () =>
      (
        await this.options.permissions.authorize(requests, {
          credentials: request.credentials,
        })
      ).map(d => d.result);
    const decisions = request.authorization
      ? await this.decisions.get(
          [
            createHash('sha256')
              .update(request.authorization)
              .digest('base64url'),
            ...requests.map(r => `${r.permission.name} ${r.resourceRef}`),
          ].join('\n'),
          ask,
        )
      : await ask();
    if (decisions[0] !== AuthorizeResult.ALLOW) {
      // As the catalog answers an entity the caller may not read: the same as one that does not exist.
      throw new NotFoundError(
        `entityRef: no entity ${resolved.entityRef} that you may read`,
      );
    }
    const readable = new Set(
      others
        .filter((_, i) => decisions[i + 1] === AuthorizeResult.ALLOW)
        .map(e => e.entityRef),
    );
    return {
      entity: resolved.entity,
      entityRef: resolved.entityRef,
      environments: resolved.environments.filter(
        e => e.entityRef === resolved.entityRef || readable.has(e.entityRef),
      ),
      decisions: decisions.slice(1 + others.length),
    };
  }
}

/**
 * The plugin's shared reads with `devopsApp.readShareMs` (default 2000) as their window; undefined when
 * it is 0 (every request reads the catalog with the caller's credentials, the benches' "before") or
 * without the auth and permission services.
 */
export function sharedEntityReadsFromConfig(
  config: RootConfigService,
  options: {
    resolver: EnvironmentResolver;
    auth?: AuthService;
    permissions?: PermissionsService;
  },
): SharedEntityReads | undefined {
  const shareMs = config.getOptionalNumber('devopsApp.readShareMs') ?? 2000;
  const { resolver, auth, permissions } = options;
  if (shareMs <= 0 || !auth || !permissions) return undefined;
  return new SharedEntityReads({ resolver, auth, permissions, shareMs });
}
