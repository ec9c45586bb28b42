import { Entity } from '@backstage/catalog-model';

/**
 * Catalog entities for tests: an environment Resource related to its services as the catalog relates
 * it after processing (`spec.dependencyOf` becomes the environment's `dependencyOf` relation), so the
 * environment resolver's relation filter finds it in `catalogServiceMock`.
 */
export function environmentEntity(
  name: string,
  options: {
    annotations?: Record<string, string>;
    services?: string[];
    owner?: string;
    title?: string;
  } = {},
): Entity {
  const services = options.services ?? ['component:default/inference-service'];
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      ...(options.title ? { title: options.title } : {}),
      annotations: options.annotations ?? {},
    },
    spec: {
      type: 'environment',
      owner: options.owner ?? 'group:default/ml-team',
      dependencyOf: services,
    },
    relations: services.map(targetRef => ({ type: 'dependencyOf', targetRef })),
  };
}

/** dev, pre-prod and prod as catalog/environments.yaml declares them. */
export const STANDARD_ENVIRONMENTS: Entity[] = [
  environmentEntity('dev', {
    annotations: { 'devops-app.io/promotion-order': '1' },
  }),
  environmentEntity('pre-prod', {
    annotations: { 'devops-app.io/promotion-order': '2' },
  }),
  environmentEntity('prod', {
    annotations: {
      'devops-app.io/promotion-order': '3',
      'devops-app.io/production': 'true',
    },
  }),
];
