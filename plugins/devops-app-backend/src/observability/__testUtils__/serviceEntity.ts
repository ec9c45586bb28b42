/** Test support: the inference-service Component with the given annotations, and its ref. */
export const SERVICE_REF = 'component:default/inference-service';

export function serviceEntity(annotations: Record<string, string>) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'inference-service', namespace: 'default', annotations },
    spec: { type: 'service', owner: 'ml-team', lifecycle: 'production' },
  };
}
