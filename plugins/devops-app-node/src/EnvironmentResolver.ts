import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_ARGOCD_INSTANCE,
  compareEnvironments,
  Environment,
  ENVIRONMENT_ENTITY_TYPE,
  environmentFromEntity,
  getEntityEnvironments,
  isEnvironmentEntity,
} from '@devops-app/plugin-devops-app-common';
import { readEnvironmentsConfig } from './environmentsConfig';

/** The entity a request names, as the caller may read it, and its environments. @public */
export interface ResolvedEntityEnvironments {
  entity: Entity;
  entityRef: string;
  environments: Environment[];
}

/**
 * "The environments of this entity", for every route of the backend plugin and the scaffolder module.
 *
 * The environments of a service are the catalog's environment Resources whose `spec.dependencyOf` names
 * the service (their `dependencyOf` relation); an environment entity's environments are itself. The
 * service's `devops-app.io/environments` annotation, when present, keeps only the environments it names.
 * The catalog is read with the caller's credentials, so its read permission applies. Each environment's
 * annotations are read by `environmentFromEntity` (common), with `devopsApp.environments.<name>` as
 * defaults; an Argo CD instance name that is not configured is a problem of that environment.
 * @public
 */
export class EnvironmentResolver {
  static fromConfig(config: Config, options: { catalog: CatalogService }) {
    const defaults = new Map(
      readEnvironmentsConfig(config).map(e => [e.name, e]),
    );
    const instances = (
      config.getOptionalConfigArray('devopsApp.argocd.instances') ?? []
    ).map(i => i.getString('name'));
    return new EnvironmentResolver(options.catalog, defaults, instances);
  }

  constructor(
    private readonly catalog: CatalogService,
    private readonly defaults: Map<
      string,
      { title?: string; namespace?: string; production?: boolean }
    > = new Map(),
    private readonly argocdInstances: string[] = [],
  ) {}

  /** Reads one environment entity with the defaults and checks that apply to every environment. */
  environment(entity: Entity): Environment {
    const environment = environmentFromEntity(
      entity,
      this.defaults.get(entity.metadata.name),
    );
    if (
      environment.argocdInstance &&
      !this.argocdInstances.includes(environment.argocdInstance)
    ) {
      environment.problems.push({
        annotation: ANNOTATION_ARGOCD_INSTANCE,
        message: `"${
          environment.argocdInstance
        }" is not an Argo CD instance of the portal (devopsApp.argocd.instances[].name: ${
          this.argocdInstances.join(', ') || 'none configured'
        })`,
      });
    }
    return environment;
  }

  /** The environments of an entity, in promotion order. */
  async environmentsOf(
    entity: Entity,
    options: { credentials: BackstageCredentials },
  ): Promise<Environment[]> {
    if (isEnvironmentEntity(entity)) {
      return [this.environment(entity)];
    }
    const entityRef = stringifyEntityRef(entity);
    const { items } = await this.catalog.getEntities(
      {
        filter: {
          kind: 'Resource',
          'spec.type': ENVIRONMENT_ENTITY_TYPE,
          'relations.dependencyOf': entityRef,
        },
      },
      options,
    );
    const listed = entity.metadata.annotations?.['devops-app.io/environments']
      ? getEntityEnvironments(entity).environments
      : undefined;
    return items
      .filter(e => !listed || listed.includes(e.metadata.name))
      .map(e => this.environment(e))
      .sort(compareEnvironments);
  }

  /**
   * Loads the entity a request names (a malformed ref is a 400 naming `field`, an entity the caller may
   * not read a 404) and its environments.
   */
  async resolve(
    ref: string,
    options: { credentials: BackstageCredentials; field?: string },
  ): Promise<ResolvedEntityEnvironments> {
    const field = options.field ?? 'entityRef';
    let entityRef: string;
    try {
      entityRef = stringifyEntityRef(parseEntityRef(ref));
    } catch {
      throw new InputError(
        `${field}: "${ref.slice(
          0,
          100,
        )}" is not an entity reference (kind:namespace/name)`,
      );
    }
    const entity = await this.catalog.getEntityByRef(entityRef, options);
    if (!entity) {
      throw new NotFoundError(
        `${field}: no entity ${entityRef} that you may read`,
      );
    }
    return {
      entity,
      entityRef,
      environments: await this.environmentsOf(entity, options),
    };
  }

  /** Every environment in the catalog (e.g. to check that a new name is free). */
  async all(options: {
    credentials: BackstageCredentials;
  }): Promise<Environment[]> {
    const { items } = await this.catalog.getEntities(
      { filter: { kind: 'Resource', 'spec.type': ENVIRONMENT_ENTITY_TYPE } },
      options,
    );
    return items.map(e => this.environment(e)).sort(compareEnvironments);
  }
}

/**
 * The one environment of `environments` a request names: 400 naming the field when it is not one of
 * them, 400 naming the annotation when its entity has a problem. An action needs every annotation
 * usable; a read passes `blocking`, the annotations it depends on, and other problems do not stop it.
 * @public
 */
export function requireEnvironment(
  resolved: { entityRef: string; environments: Environment[] },
  name: string,
  options: { field?: string; blocking?: string[] } = {},
): Environment {
  const { field = 'environment', blocking } = options;
  const environment = resolved.environments.find(e => e.name === name);
  if (!environment) {
    throw new InputError(
      `${field}: ${resolved.entityRef} has no environment "${name.slice(
        0,
        64,
      )}" (it has ${
        resolved.environments.map(e => e.name).join(', ') || 'none'
      })`,
    );
  }
  const problems = environment.problems.filter(
    p => !blocking || blocking.includes(p.annotation),
  );
  if (problems.length > 0) {
    throw new InputError(
      `${field}: environment "${name}" (${
        environment.entityRef
      }) cannot be used: ${problems
        .map(p => `${p.annotation}: ${p.message}`)
        .join('; ')}`,
    );
  }
  return environment;
}
