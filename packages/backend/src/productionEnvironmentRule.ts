/*
 * The catalog permission rule that tells a production-class environment (issue 13), so the policy's
 * conditional decisions on the terraform permissions are evaluated by the catalog on the environment's
 * own entity, as IS_ENTITY_OWNER is.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { EntitiesSearchFilter } from '@backstage/plugin-catalog-node';
import { catalogEntityPermissionResourceRef } from '@backstage/plugin-catalog-node/alpha';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  createConditionFactory,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import {
  ANNOTATION_PRODUCTION,
  ENVIRONMENT_ENTITY_TYPE,
  EnvironmentDefaults,
  environmentFromEntity,
  isEnvironmentEntity,
} from '@devops-app/plugin-devops-app-common';
import { readEnvironmentsConfig } from '@devops-app/plugin-devops-app-node';

export const IS_PRODUCTION_ENVIRONMENT = 'IS_PRODUCTION_ENVIRONMENT';

/**
 * Matches environment Resources of the production class as the environment model reads them
 * (`environmentFromEntity`: `devops-app.io/production`, else the preset of
 * `devopsApp.environments.<name>.production`, else `prod` is production), so the policy, the backend
 * routes and the frontend agree on which environments are production.
 */
export function createProductionEnvironmentRule(
  defaults: Map<string, EnvironmentDefaults> = new Map(),
) {
  // Names that are production when their entity says nothing (or nothing usable).
  const productionByDefault = [...new Set([...defaults.keys(), 'prod'])].filter(
    name => defaults.get(name)?.production ?? name === 'prod',
  );
  return createPermissionRule({
    name: IS_PRODUCTION_ENVIRONMENT,
    description:
      'Allows environment Resources of the production class (devops-app.io/production, or the portal default: prod)',
    resourceRef: catalogEntityPermissionResourceRef,
    apply: (entity: Entity) =>
      isEnvironmentEntity(entity) &&
      environmentFromEntity(entity, defaults.get(entity.metadata.name))
        .production,
    toQuery: (): PermissionCriteria<EntitiesSearchFilter> => {
      const annotation = `metadata.annotations.${ANNOTATION_PRODUCTION}`;
      return {
        allOf: [
          { key: 'kind', values: ['resource'] },
          { key: 'spec.type', values: [ENVIRONMENT_ENTITY_TYPE] },
          {
            anyOf: [
              { key: annotation, values: ['true'] },
              {
                allOf: [
                  { key: 'metadata.name', values: productionByDefault },
                  { not: { key: annotation, values: ['false'] } },
                ],
              },
            ],
          },
        ],
      };
    },
  });
}

const productionEnvironmentCondition = createConditionFactory(
  createProductionEnvironmentRule(),
);

/** The condition for a policy's decision: the entity is a production-class environment. */
export const isProductionEnvironment = () =>
  productionEnvironmentCondition(undefined);

/** Gives the catalog the rule, with the portal's `devopsApp.environments` presets. */
export const catalogModuleProductionEnvironmentRule = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'devops-app-production-environment-rule',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init({ config, permissionsRegistry }) {
        const defaults = new Map(
          readEnvironmentsConfig(config).map(e => [e.name, e]),
        );
        permissionsRegistry.addPermissionRules([
          createProductionEnvironmentRule(defaults),
        ]);
      },
    });
  },
});
