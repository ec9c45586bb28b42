import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { Environment } from '@devops-app/plugin-devops-app-common';
import { EnvironmentResolver } from '@devops-app/plugin-devops-app-node';

export interface ReadableEntity {
  ref: string;
  annotations: Record<string, string>;
  environment: Environment;
}

/**
 * Loads the entity on behalf of the caller (the catalog applies its read permission to the caller's own
 * credentials, so an entity the caller may not read is indistinguishable from one that does not exist)
 * and the one of its environments the request names. A problem with one of `annotations` of that
 * environment (those the route depends on) is a 400 naming the annotation; other problems do not stop
 * a read.
 */
export async function loadEnvironmentOfEntity(
  resolver: EnvironmentResolver,
  credentials: BackstageCredentials,
  entityRef: string,
  environment: string,
  annotations: string[] = [],
): Promise<ReadableEntity> {
  const resolved = await resolver.resolve(entityRef, { credentials });
  const found = resolved.environments.find(e => e.name === environment);
  if (!found) {
    throw new InputError(
      `environment: ${
        resolved.entityRef
      } has no environment "${environment.slice(0, 64)}" (it has ${
        resolved.environments.map(e => e.name).join(', ') || 'none'
      })`,
    );
  }
  const blocking = found.problems.filter(p =>
    annotations.includes(p.annotation),
  );
  if (blocking.length > 0) {
    throw new InputError(
      `environment: ${found.name} (${found.entityRef}): ${blocking
        .map(p => `${p.annotation}: ${p.message}`)
        .join('; ')}`,
    );
  }
  return {
    ref: resolved.entityRef,
    annotations: resolved.entity.metadata.annotations ?? {},
    environment: found,
  };
}
