import { EnvironmentDrift } from '@devops-app/plugin-devops-app-common';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { environmentEntity } from '../__testUtils__/environmentEntities';
import {
  PluginBackend,
  startPluginBackend,
} from '../__testUtils__/pluginBackend';
import { INFRA_DIR } from './__testUtils__/sandbox';

/**
 * The drift routes through the real backend plugin: parsing, the catalog read of each environment, the
 * plan permission of "Check now" and its audit entries, and a check that really runs (the real
 * terraform on the sandbox stacks; pre-prod was never applied here, so its cluster plans additions and
 * the stacks that read the cluster's state fail with terraform's reason).
 */
jest.setTimeout(180_000);

const OWNER = 'user:default/guest';
const EVE = 'user:default/eve';
const entities = [
  environmentEntity('pre-prod'),
  environmentEntity('prod', {
    annotations: { 'devops-app.io/production': 'true' },
  }),
];

describe('drift routes', () => {
  let root: string;
  let backend: PluginBackend;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'tf-drift-routes-'));
    backend = await startPluginBackend({
      entities,
      // eve may not read prod (as catalog.entity.read would answer her).
      hides: (user, entity) => entity.metadata.name === 'prod' && user === EVE,
      allows: (user, permission) =>
        permission === 'devops-app.terraform.plan' && user === OWNER,
      config: {
        devopsApp: {
          terraform: {
            infraDir: INFRA_DIR,
            stateDir: path.join(root, 'state'),
            workDir: path.join(root, 'runs'),
            concurrency: 0,
            drift: { intervalMinutes: 0, parallelism: 1 },
          },
        },
      },
    });
  });
  afterAll(() => fs.rm(root, { recursive: true, force: true }));

  const get = (query: string, user = OWNER) =>
    backend.get(`/terraform/drift?${query}`, user);
  const check = (body: object, user = OWNER) =>
    backend.post('/terraform/drift/checks', user, body);
  const driftAudit = async (environment: string) =>
    (await backend.auditOf(environment, OWNER)).filter(
      r => r.action === 'drift-check',
    );

  it('refuses bad queries and bodies with 400 naming the field', async () => {
    const cases: [request.Test, RegExp][] = [
      [get(''), /^environment: send either environment/],
      [
        get('environment=pre-prod&entityRef=component:default/x'),
        /^environment: send either/,
      ],
      [get('environment=Bad_Name'), /^environment: /],
      [get('environment=pre-prod&stack=cluster'), /stack/],
      [check({}), /^environment: /],
      [check({ environment: 'pre-prod', apply: true }), /apply/],
    ];
    for (const [req, message] of cases) {
      const res = await req;
      expect([res.status, res.body.error?.message]).toEqual([
        400,
        expect.stringMatching(message),
      ]);
    }
  });

  it('hides an environment the caller may not read (404) and answers unchecked ones', async () => {
    expect((await get('environment=prod', EVE)).status).toBe(404);
    const res = await get('environment=pre-prod&environment=prod');
    expect(res.status).toBe(200);
    expect(
      res.body.items.map((d: EnvironmentDrift) => [d.environment, d.status]),
    ).toEqual([
      ['pre-prod', 'unchecked'],
      ['prod', 'unchecked'],
    ]);
  });

  it('refuses Check now without the plan permission (403, audited) and runs an allowed one (202, audited) whose results the read serves', async () => {
    const denied = await check({ environment: 'pre-prod' }, EVE);
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(
      /Not allowed to check pre-prod for drift \(devops-app\.terraform\.plan/,
    );
    expect(await driftAudit('pre-prod')).toEqual([
      expect.objectContaining({ actor: EVE, result: 'denied' }),
    ]);

    const queued = await check({ environment: 'pre-prod' });
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({
      environment: 'pre-prod',
      checking: true,
    });
    expect((await driftAudit('pre-prod'))[0]).toMatchObject({
      actor: OWNER,
      result: 'success',
      entityRef: 'resource:default/pre-prod',
    });

    let drift: EnvironmentDrift;
    for (;;) {
      drift = (await get('environment=pre-prod')).body.items[0];
      if (!drift.checking) break;
      await new Promise(resolve => setTimeout(resolve, 500));
    }
    const byStack = Object.fromEntries(drift.stacks.map(s => [s.stack, s]));
    // Never applied: the cluster plans its resources; the others cannot read the cluster's state.
    expect(byStack.cluster.status).toBe('drifted');
    expect(byStack.cluster.plan!.add).toBeGreaterThan(0);
    expect(byStack.storage.status).toBe('failed');
    expect(byStack.storage.error).toMatch(/^terraform plan exited with 1/);
    expect(drift.status).toBe('failed');
    expect(drift.checkedAt).toBe(
      drift.stacks
        .map(s => s.checkedAt)
        .sort()
        .at(-1),
    );
    expect(byStack.cluster.trigger).toBe('manual');
    // The checkout's files were read (no GitOps repository configured).
    expect(JSON.stringify(drift)).not.toMatch(/\/tmp\//);
  });
});
