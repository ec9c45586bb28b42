import { mockCredentials } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { EnvironmentResolver, requireEnvironment } from './EnvironmentResolver';

const SERVICE = 'component:default/inference-service';

const service = (annotations: Record<string, string> = {}) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'inference-service', namespace: 'default', annotations },
  spec: { type: 'service', owner: 'group:default/ml-team' },
});

// As the catalog stores them after processing: spec.dependencyOf became the dependencyOf relation.
const environment = (
  name: string,
  annotations: Record<string, string> = {},
  services = [SERVICE],
) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name, namespace: 'default', annotations },
  spec: {
    type: 'environment',
    owner: 'group:default/ml-team',
    dependencyOf: services,
  },
  relations: services.map(targetRef => ({ type: 'dependencyOf', targetRef })),
});

const config = new ConfigReader({
  devopsApp: {
    environments: { 'pre-prod': { title: 'Pre-production' } },
    argocd: {
      instances: [
        { name: 'main', baseUrl: 'https://argocd.example.com', token: 't' },
      ],
    },
  },
});

const resolverWith = (entities: object[]) =>
  EnvironmentResolver.fromConfig(config, {
    catalog: catalogServiceMock({ entities: entities as any }),
  });
const credentials = mockCredentials.user();

describe('EnvironmentResolver', () => {
  const entities = [
    service(),
    environment('prod', { 'devops-app.io/promotion-order': '3' }),
    environment('dev', { 'devops-app.io/promotion-order': '1' }),
    environment('pre-prod', { 'devops-app.io/promotion-order': '2' }),
    environment('load-test'),
    environment('other', {}, ['component:default/another-service']),
    {
      ...environment('not-an-environment'),
      spec: { type: 'kubernetes-cluster', dependencyOf: [SERVICE] },
    },
  ];

  it("a service's environments are the environment Resources related to it, in promotion order", async () => {
    const resolved = await resolverWith(entities).resolve(SERVICE, {
      credentials,
    });
    expect(resolved.entityRef).toBe(SERVICE);
    expect(resolved.environments.map(e => e.name)).toEqual([
      'dev',
      'pre-prod',
      'prod',
      'load-test',
    ]);
    // devopsApp.environments presets defaults; the built-in defaults fill the rest.
    expect(resolved.environments[1]).toMatchObject({
      title: 'Pre-production',
      namespace: 'inference-pre-prod',
    });
    expect(resolved.environments[2]).toMatchObject({
      production: true,
      protected: true,
    });
  });

  it('the devops-app.io/environments annotation filters them', async () => {
    const filtered = [
      service({ 'devops-app.io/environments': 'dev,prod' }),
      ...entities.slice(1),
    ];
    const resolved = await resolverWith(filtered).resolve(SERVICE, {
      credentials,
    });
    expect(resolved.environments.map(e => e.name)).toEqual(['dev', 'prod']);
  });

  it("an environment entity's environments are itself", async () => {
    const resolved = await resolverWith(entities).resolve(
      'resource:default/load-test',
      { credentials },
    );
    expect(resolved.environments.map(e => e.name)).toEqual(['load-test']);
  });

  it('an Argo CD instance the portal does not have is a problem of that environment only', async () => {
    const resolved = await resolverWith([
      service(),
      environment('dev', { 'devops-app.io/argocd-instance': 'main' }),
      environment('qa', { 'devops-app.io/argocd-instance': 'elsewhere' }),
    ]).resolve(SERVICE, { credentials });
    expect(resolved.environments.find(e => e.name === 'dev')?.problems).toEqual(
      [],
    );
    expect(resolved.environments.find(e => e.name === 'qa')?.problems).toEqual([
      {
        annotation: 'devops-app.io/argocd-instance',
        message:
          '"elsewhere" is not an Argo CD instance of the portal (devopsApp.argocd.instances[].name: main)',
      },
    ]);
    expect(() => requireEnvironment(resolved, 'qa')).toThrow(
      /^environment: environment "qa" \(resource:default\/qa\) cannot be used: devops-app.io\/argocd-instance: /,
    );
    expect(requireEnvironment(resolved, 'dev').name).toBe('dev');
    expect(() => requireEnvironment(resolved, 'nope')).toThrow(
      'environment: component:default/inference-service has no environment "nope" (it has dev, qa)',
    );
  });

  it('a malformed entity ref is a 400 naming the field; an unknown entity a 404', async () => {
    const resolver = resolverWith(entities);
    await expect(
      resolver.resolve('component:', { credentials }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message:
        'entityRef: "component:" is not an entity reference (kind:namespace/name)',
    });
    await expect(
      resolver.resolve('component:default/nope', { credentials }),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });

  it('lists every environment of the catalog', async () => {
    const all = await resolverWith(entities).all({ credentials });
    expect(all.map(e => e.name)).toEqual([
      'dev',
      'pre-prod',
      'prod',
      'load-test',
      'other',
    ]);
  });
});
