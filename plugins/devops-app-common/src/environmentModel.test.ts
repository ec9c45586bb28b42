import {
  compareEnvironments,
  environmentFromEntity,
  isEnvironmentEntity,
} from './environmentModel';

const entity = (
  name: string,
  annotations: Record<string, string> = {},
  extra: object = {},
) => ({
  kind: 'Resource',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'environment', owner: 'group:default/ml-team' },
  ...extra,
});

describe('environmentFromEntity', () => {
  it('holds the defaults: namespace inference-<env>, production for prod only, protected as production', () => {
    expect(environmentFromEntity(entity('load-test'))).toEqual({
      name: 'load-test',
      entityRef: 'resource:default/load-test',
      title: 'load-test',
      owner: 'group:default/ml-team',
      namespace: 'inference-load-test',
      production: false,
      protected: false,
      requiresApproval: false,
      promotionOrder: undefined,
      prometheusUrl: undefined,
      argocdInstance: undefined,
      argocdUrl: undefined,
      kubernetesCluster: undefined,
      problems: [],
    });
    expect(environmentFromEntity(entity('prod'))).toMatchObject({
      production: true,
      protected: true,
      requiresApproval: true,
    });
  });

  it('asks for approval of applies when the entity says so, always for production-class', () => {
    const asks = (annotations: Record<string, string>) =>
      environmentFromEntity(entity('qa', annotations)).requiresApproval;
    expect(asks({ 'devops-app.io/requires-approval': 'true' })).toBe(true);
    expect(asks({})).toBe(false);
    expect(
      asks({
        'devops-app.io/requires-approval': 'false',
        'devops-app.io/production': 'true',
      }),
    ).toBe(true);
    expect(
      environmentFromEntity(
        entity('qa', { 'devops-app.io/requires-approval': 'yes' }),
      ).problems,
    ).toEqual([
      {
        annotation: 'devops-app.io/requires-approval',
        message: '"yes" is not true or false',
      },
    ]);
  });

  it('reads every annotation; the entity wins over the configured defaults', () => {
    const env = environmentFromEntity(
      entity('pre-prod', {
        'devops-app.io/namespace': 'staging',
        'devops-app.io/production': 'true',
        'devops-app.io/protected': 'false',
        'devops-app.io/promotion-order': '2',
        'devops-app.io/prometheus-url': 'http://127.0.0.1:9091/',
        'devops-app.io/argocd-instance': 'pre-prod',
        'devops-app.io/argocd-url': 'https://argocd.pre-prod.example.com',
        'devops-app.io/kubernetes-cluster': 'resource:default/pre-prod-cluster',
      }),
      { namespace: 'ignored', production: false, title: 'Pre-production' },
    );
    expect(env).toMatchObject({
      title: 'Pre-production',
      namespace: 'staging',
      production: true,
      protected: false,
      promotionOrder: 2,
      prometheusUrl: 'http://127.0.0.1:9091',
      argocdInstance: 'pre-prod',
      argocdUrl: 'https://argocd.pre-prod.example.com',
      kubernetesCluster: 'resource:default/pre-prod-cluster',
      problems: [],
    });
    expect(
      environmentFromEntity(entity('qa'), {
        namespace: 'qa-ns',
        production: true,
      }),
    ).toMatchObject({
      namespace: 'qa-ns',
      production: true,
    });
  });

  it('turns each malformed annotation into a problem naming it, never a throw', () => {
    const env = environmentFromEntity(
      entity('broken', {
        'devops-app.io/namespace': 'Bad_NS',
        'devops-app.io/production': 'yes',
        'devops-app.io/promotion-order': 'first',
        'devops-app.io/prometheus-url': 'data:text/plain,not-prometheus',
        'devops-app.io/argocd-url': 'https://user:secret@argocd.example.com',
        'devops-app.io/argocd-instance': 'Not An Instance',
        'devops-app.io/kubernetes-cluster': 'dev-cluster',
      }),
    );
    expect(env.problems.map(p => p.annotation)).toEqual([
      'devops-app.io/namespace',
      'devops-app.io/promotion-order',
      'devops-app.io/argocd-instance',
      'devops-app.io/kubernetes-cluster',
      'devops-app.io/production',
      'devops-app.io/prometheus-url',
      'devops-app.io/argocd-url',
    ]);
    expect(env.problems[0].message).toBe(
      '"Bad_NS" is not a DNS label (a-z, 0-9, "-", at most 63 characters)',
    );
    // The fields fall back to their defaults, and no URL with credentials is kept.
    expect(env).toMatchObject({
      namespace: 'inference-broken',
      prometheusUrl: undefined,
      argocdUrl: undefined,
    });
  });

  it('reads the expiry as an ISO time and turns a malformed one into a problem naming the annotation', () => {
    expect(
      environmentFromEntity(
        entity('ttl-test', {
          'devops-app.io/expires-at': '2026-12-02T16:30:00+02:00',
        }),
      ),
    ).toMatchObject({ expiresAt: '2026-12-02T14:30:00.000Z', problems: [] });
    expect(environmentFromEntity(entity('ttl-test')).expiresAt).toBeUndefined();
    for (const value of [
      'tomorrow',
      '2026-12-02',
      '2026-12-02T14:30:00',
      '2026-02-30T14:30:00Z',
      '2026-12-02T25:30:00Z',
    ]) {
      const environment = environmentFromEntity(
        entity('ttl-test', { 'devops-app.io/expires-at': value }),
      );
      expect(environment.expiresAt).toBeUndefined();
      expect(environment.problems).toEqual([
        {
          annotation: 'devops-app.io/expires-at',
          message: expect.stringContaining(`"${value}" is not an ISO 8601`),
        },
      ]);
    }
  });

  it('sorts by promotion order, then the environments outside the line by name', () => {
    const envs = [
      environmentFromEntity(entity('zeta')),
      environmentFromEntity(
        entity('prod', { 'devops-app.io/promotion-order': '3' }),
      ),
      environmentFromEntity(entity('alpha')),
      environmentFromEntity(
        entity('dev', { 'devops-app.io/promotion-order': '1' }),
      ),
    ];
    expect(envs.sort(compareEnvironments).map(e => e.name)).toEqual([
      'dev',
      'prod',
      'alpha',
      'zeta',
    ]);
  });

  it('knows an environment entity', () => {
    expect(isEnvironmentEntity(entity('dev'))).toBe(true);
    expect(
      isEnvironmentEntity({
        ...entity('dev'),
        spec: { type: 'kubernetes-cluster' },
      }),
    ).toBe(false);
    expect(isEnvironmentEntity({ ...entity('dev'), kind: 'Component' })).toBe(
      false,
    );
  });
});
