import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import express from 'express';
import { Knex } from 'knex';
import request from 'supertest';
import { migrateDatabase } from '../database/migrate';
import { createTerraformRouter } from './router';
import { TerraformRunStore } from './TerraformRunStore';
import {
  createManager,
  environmentFiles,
  tempDirs,
  testConfig,
} from './__testUtils__/sandbox';

jest.setTimeout(120_000);

describe('terraform routes', () => {
  let dirs: Awaited<ReturnType<typeof tempDirs>>;
  let db: Knex;
  beforeEach(async () => {
    dirs = await tempDirs();
  });
  afterEach(() => dirs.cleanup());

  async function start(allow: boolean) {
    const plugin = createBackendPlugin({
      pluginId: 'devops-app',
      register(env) {
        env.registerInit({
          deps: {
            database: coreServices.database,
            httpAuth: coreServices.httpAuth,
            httpRouter: coreServices.httpRouter,
          },
          async init({ database, httpAuth, httpRouter }) {
            db = await migrateDatabase(database);
            const runs = createManager(db, testConfig(dirs.root));
            const permissions = mockServices.permissions.mock({
              authorize: async () => [
                {
                  result: allow ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
                },
              ],
            });
            const router = express.Router();
            router.use(express.json());
            router.use(
              '/terraform',
              createTerraformRouter({ httpAuth, permissions, runs }),
            );
            httpRouter.use(router);
          },
        });
      },
    });
    const { server } = await startTestBackend({ features: [plugin] });
    return server;
  }

  it('starts a plan run, serves it, its log and the history, and refuses a second one', async () => {
    const server = await start(true);
    const files = await environmentFiles('route-env');
    const created = await request(server)
      .post('/api/devops-app/terraform/runs')
      .set('Authorization', mockCredentials.user.header())
      .send({ environment: 'route-env', mode: 'plan', files });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      environment: 'route-env',
      mode: 'plan',
      status: 'running',
      createdBy: mockCredentials.user().principal.userEntityRef,
    });
    const id = created.body.id;

    const second = await request(server)
      .post('/api/devops-app/terraform/runs')
      .set('Authorization', mockCredentials.user.header())
      .send({ environment: 'route-env', mode: 'plan', files });
    expect(second.status).toBe(409);
    expect(second.body.error.message).toContain(id);

    let run = created.body;
    while (run.status === 'running') {
      await new Promise(r => setTimeout(r, 300));
      run = (
        await request(server)
          .get(`/api/devops-app/terraform/runs/${id}`)
          .set('Authorization', mockCredentials.user.header())
      ).body;
    }
    expect(run.status).toBe('succeeded');
    // A new environment: the cluster plans, the others wait for its state.
    expect(run.stacks.map((s: { status: string }) => s.status)).toEqual([
      'planned',
      'skipped',
      'skipped',
    ]);
    const log = await request(server)
      .get(`/api/devops-app/terraform/runs/${id}/log?after=2`)
      .set('Authorization', mockCredentials.user.header());
    expect(log.status).toBe(200);
    expect(log.body.items[0].seq).toBe(3);
    expect(
      log.body.items.map((l: { line: string }) => l.line).join('\n'),
    ).toMatch(/Plan: \d+ to add/);
    const list = await request(server)
      .get('/api/devops-app/terraform/runs?environment=route-env')
      .set('Authorization', mockCredentials.user.header());
    expect(list.body.items.map((r: { id: string }) => r.id)).toEqual([id]);
  });

  it('names the field of a bad request and 404s an unknown run', async () => {
    const server = await start(true);
    const bad = await request(server)
      .post('/api/devops-app/terraform/runs')
      .set('Authorization', mockCredentials.user.header())
      .send({ environment: '../x', mode: 'plan' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^environment:/);
    const mode = await request(server)
      .post('/api/devops-app/terraform/runs')
      .set('Authorization', mockCredentials.user.header())
      .send({ environment: 'x', mode: 'destroy' });
    expect(mode.status).toBe(400);
    expect(mode.body.error.message).toMatch(/^mode:/);
    await request(server)
      .get('/api/devops-app/terraform/runs/nope')
      .set('Authorization', mockCredentials.user.header())
      .expect(404);
  });

  it('refuses to start or cancel without devops-app.terraform.apply, and anonymous reads', async () => {
    const server = await start(false);
    const res = await request(server)
      .post('/api/devops-app/terraform/runs')
      .set('Authorization', mockCredentials.user.header())
      .send({ environment: 'x', mode: 'plan' });
    expect(res.status).toBe(403);
    await request(server)
      .get('/api/devops-app/terraform/runs')
      .set('Authorization', mockCredentials.none.header())
      .expect(401);
  });

  it('lists the runs of several environments and names the field of a bad environment', async () => {
    const server = await start(true);
    const store = new TerraformRunStore(db);
    for (const environment of ['dev', 'pre-prod', 'prod', 'other']) {
      await store.createRun({
        id: `run-${environment}`,
        environment,
        mode: 'plan',
        createdBy: 'user:default/guest',
        instanceId: 'elsewhere',
        stacks: ['cluster', 'monitoring', 'storage'],
      });
    }
    const list = async (query: string) =>
      request(server)
        .get(`/api/devops-app/terraform/runs${query}`)
        .set('Authorization', mockCredentials.user.header());
    const ids = (res: request.Response) =>
      res.body.items.map((r: { id: string }) => r.id).sort();

    const several = await list('?environment=dev&environment=prod');
    expect(several.status).toBe(200);
    expect(ids(several)).toEqual(['run-dev', 'run-prod']);
    expect(ids(await list('?environment=pre-prod'))).toEqual(['run-pre-prod']);
    expect(ids(await list(''))).toEqual([
      'run-dev',
      'run-other',
      'run-pre-prod',
      'run-prod',
    ]);
    expect(ids(await list('?environment=nowhere'))).toEqual([]);

    for (const query of [
      '?environment=dev&environment=..%2Fetc',
      '?environment=Prod',
      '?environment=',
      '?environment[x]=dev',
      `?${Array.from({ length: 51 }, (_, i) => `environment=e${i}`).join('&')}`,
    ]) {
      const bad = await list(query);
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/^environment:/);
    }
    const named = await list('?environment=dev&environment=Bad_Env');
    expect(named.body.error.message).toContain('"Bad_Env"');
  });
});
