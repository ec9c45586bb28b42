import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Environment } from '@devops-app/plugin-devops-app-common';
import {
  EnvironmentResolver,
  requireEnvironment,
  ResolvedEntityEnvironments,
} from '@devops-app/plugin-devops-app-node';

/** The entity a request names as the caller may read it, and the one environment the request names. */
export interface EntityEnvironmentForCaller extends ResolvedEntityEnvironments {
  environment: Environment;
}

/** What a route knows of the entity it serves: who asks, and the (already parsed) request fields. */
export interface EntityRequest {
  credentials: BackstageCredentials;
  entityRef: string;
}

/** With an environment named, the entity and that environment; without, the entity's environments. */
export type ForCaller<R> = R extends { environment: string }
  ? EntityEnvironmentForCaller
  : ResolvedEntityEnvironments;

/**
 * The one place a route loads the entity it serves. The catalog is read with the caller's own
 * credentials, so its read permission applies: an entity the caller may not read is a 404, the same as
 * one that does not exist. With `environment`, also the one of its environments the request names (400
 * naming `environment` when the entity has no such environment); an action needs every annotation of
 * that environment usable, a read names in `blocking` those it depends on (400 naming the annotation).
 */
export async function loadEntityForCaller<
  R extends EntityRequest & { environment?: string; blocking?: string[] },
>(resolver: EnvironmentResolver, request: R): Promise<ForCaller<R>> {
  const resolved = await resolver.resolve(request.entityRef, {
    credentials: request.credentials,
  });
  if (request.environment === undefined) {
    return resolved as ForCaller<R>;
  }
  const environment = requireEnvironment(resolved, request.environment, {
    blocking: request.blocking,
  });
  return { ...resolved, environment } as ForCaller<R>;
}
