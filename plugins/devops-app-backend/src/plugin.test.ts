import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { serviceEntity } from './observability/__testUtils__/serviceEntity';
import { devopsAppPlugin } from './plugin';
import {
  environmentEntity,
  STANDARD_ENVIRONMENTS,
} from './__testUtils__/environmentEntities';

describe('devops-app backend plugin', () => {
  async function start(config: object = {}) {
    const { server } = await startTestBackend({
      features: [
        devopsAppPlugin,
        mockServices.rootConfig.factory({ data: config }),
      ],
    });
    return server;
  }

  it('answers /health to a signed-in user and to another backend', async () => {
    const server = await start();
    await request(server)
      .get('/api/devops-app/health')
      .set('Authorization', mockCredentials.user.header())
      .expect(200, { status: 'ok' });
    await request(server)
      .get('/api/devops-app/health')
      .set('Authorization', mockCredentials.service.header())
      .expect(200, { status: 'ok' });
  });

  it('rejects /health without credentials or with a bad token', async () => {
    const server = await start();
    // The test backend treats a request with no header as a mock user; `none` is a request without
    // credentials as the real backend sees it.
    const anonymous = await request(server)
      .get('/api/devops-app/health')
      .set('Authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
    const forged = await request(server)
      .get('/api/devops-app/health')
      .set('Authorization', mockCredentials.user.invalidHeader());
    expect(forged.status).toBe(401);
  });

  it("serves the resolver: an entity's environments from the catalog, with the configured defaults, and 400/404/401", async () => {
    const { server } = await startTestBackend({
      features: [
        devopsAppPlugin,
        catalogServiceMock.factory({
          entities: [
            serviceEntity({
              'devops-app.io/prometheus-selector':
                'service="inference-service"',
            }),
            ...STANDARD_ENVIRONMENTS,
            environmentEntity('load-test', {
              annotations: { 'devops-app.io/namespace': 'Bad_NS' },
            }),
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            devopsApp: { environments: { dev: { title: 'Development' } } },
          },
        }),
      ],
    });
    const res = await request(server)
      .get('/api/devops-app/environments')
      .query({ entityRef: 'component:default/inference-service' })
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    expect(res.body.entityRef).toBe('component:default/inference-service');
    expect(
      res.body.items.map((e: any) => [
        e.name,
        e.title,
        e.namespace,
        e.production,
      ]),
    ).toEqual([
      ['dev', 'Development', 'inference-dev', false],
      ['pre-prod', 'pre-prod', 'inference-pre-prod', false],
      ['prod', 'prod', 'inference-prod', true],
      ['load-test', 'load-test', 'inference-load-test', false],
    ]);
    expect(res.body.items[3].problems).toEqual([
      {
        annotation: 'devops-app.io/namespace',
        message:
          '"Bad_NS" is not a DNS label (a-z, 0-9, "-", at most 63 characters)',
      },
    ]);
    const all = await request(server)
      .get('/api/devops-app/environments')
      .set('Authorization', mockCredentials.service.header());
    expect(all.body.items.map((e: any) => e.name)).toEqual([
      'dev',
      'pre-prod',
      'prod',
      'load-test',
    ]);
    const bad = await request(server)
      .get('/api/devops-app/environments')
      .query({ entityRef: 'component:' })
      .set('Authorization', mockCredentials.user.header());
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^entityRef: /);
    expect(JSON.stringify(bad.body)).not.toMatch(/\bat \//);
    const unknownField = await request(server)
      .get('/api/devops-app/environments')
      .query({ entityRef: 'component:default/inference-service', extra: '1' })
      .set('Authorization', mockCredentials.user.header());
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.message).toContain('extra');
    await request(server)
      .get('/api/devops-app/environments')
      .query({ entityRef: 'component:default/nope' })
      .set('Authorization', mockCredentials.user.header())
      .expect(404);
    await request(server)
      .get('/api/devops-app/environments')
      .set('Authorization', mockCredentials.none.header())
      .expect(401);
  });

  it("lists the plugin's permissions in the permission metadata of the plugin", async () => {
    const server = await start();
    const res = await request(server)
      .get('/api/devops-app/.well-known/backstage/permissions/metadata')
      .set('Authorization', mockCredentials.service.header());
    expect(res.status).toBe(200);
    // Resource permissions on the catalog's 'catalog-entity' type are accepted by the registry; the
    // plugin adds no rules (the catalog evaluates conditions on entities).
    expect(res.body).toEqual({
      permissions: expect.arrayContaining([
        {
          type: 'resource',
          name: 'devops-app.deployment.create',
          attributes: { action: 'create' },
          resourceType: 'catalog-entity',
        },
        {
          type: 'resource',
          name: 'devops-app.environment.production',
          attributes: { action: 'update' },
          resourceType: 'catalog-entity',
        },
        {
          type: 'resource',
          name: 'devops-app.terraform.apply',
          attributes: { action: 'update' },
          resourceType: 'catalog-entity',
        },
        {
          type: 'basic',
          name: 'devops-app.environment.create',
          attributes: { action: 'create' },
        },
      ]),
      rules: [],
    });
    expect(
      res.body.permissions.map((p: { name: string }) => p.name).sort(),
    ).toEqual([
      'devops-app.deployment.create',
      'devops-app.deployment.rollback',
      'devops-app.environment.create',
      'devops-app.environment.production',
      'devops-app.production.approve',
      'devops-app.production.break-glass',
      'devops-app.production.request',
      'devops-app.rollout.abort',
      'devops-app.rollout.promote',
      'devops-app.terraform.apply',
      'devops-app.terraform.approve',
      'devops-app.terraform.cancel',
      'devops-app.terraform.destroy',
      'devops-app.terraform.plan',
    ]);
  });

  it('refuses to start with an invalid environment name in config', async () => {
    await expect(
      start({ devopsApp: { environments: { 'Pre Prod': {} } } }),
    ).rejects.toThrow(/devopsApp\.environments\.Pre Prod/);
  });
});
