import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { getEntityEnvironments } from '@devops-app/plugin-devops-app-common';

export interface ReadableEntity {
  ref: string;
  annotations: Record<string, string>;
  environments: string[];
}

/**
 * Loads the entity on behalf of the caller: the catalog applies its read permission to the caller's own
 * credentials, so an entity the caller may not read is indistinguishable from one that does not exist.
 */
export async function loadReadableEntity(
  catalog: CatalogService,
  credentials: BackstageCredentials,
  entityRef: string,
): Promise<ReadableEntity> {
  const entity = await catalog.getEntityByRef(entityRef, { credentials });
  if (!entity) {
    throw new NotFoundError(`entityRef: no entity ${entityRef} that you may read`);
  }
  return {
    ref: entityRef,
    annotations: entity.metadata.annotations ?? {},
    environments: getEntityEnvironments(entity).environments,
  };
}

/** The environment must be one the entity declares in `devops-app.io/environments`. */
export function checkEnvironment(entity: ReadableEntity, environment: string) {
  if (!entity.environments.includes(environment)) {
    throw new InputError(
      `environment: ${entity.ref} has no environment "${environment}" (it has ${entity.environments.join(', ') || 'none'})`,
    );
  }
}
