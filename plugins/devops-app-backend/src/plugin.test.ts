import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { devopsAppPlugin } from './plugin';

describe('devops-app backend plugin', () => {
  async function start(config: object = {}) {
    const { server } = await startTestBackend({
      features: [devopsAppPlugin, mockServices.rootConfig.factory({ data: config })],
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

  it('lists the configured environments with their defaults', async () => {
    const server = await start({
      devopsApp: { environments: { dev: { title: 'Development' }, prod: {} } },
    });
    const res = await request(server)
      .get('/api/devops-app/environments')
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      { name: 'dev', title: 'Development', namespace: 'inference-dev', production: false },
      { name: 'prod', title: 'prod', namespace: 'inference-prod', production: true },
    ]);
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
          type: 'basic',
          name: 'devops-app.terraform.apply',
          attributes: { action: 'update' },
        },
      ]),
      rules: [],
    });
    expect(res.body.permissions.map((p: { name: string }) => p.name).sort()).toEqual([
      'devops-app.deployment.create',
      'devops-app.environment.production',
      'devops-app.rollout.abort',
      'devops-app.rollout.promote',
      'devops-app.terraform.apply',
    ]);
  });

  it('refuses to start with an invalid environment name in config', async () => {
    await expect(start({ devopsApp: { environments: { 'Pre Prod': {} } } })).rejects.toThrow(
      /devopsApp\.environments\.Pre Prod/,
    );
  });
});
