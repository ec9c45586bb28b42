import { git } from '@devops-app/plugin-devops-app-node';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'yaml';
import { environmentEntity } from '../__testUtils__/environmentEntities';
import {
  PluginBackend,
  startPluginBackend,
} from '../__testUtils__/pluginBackend';
import { gitopsFixture, INFRA_DIR } from './__testUtils__/sandbox';

/**
 * "Remove environment" and Extend through the real backend plugin: the typed confirmation, the
 * refusal of protected environments before anything runs, the destroy permission and the audit. The
 * run service executes nothing (`concurrency: 0`): the destroy run stays queued.
 */
jest.setTimeout(60_000);

const OWNER = 'user:default/guest';
const OTHER = 'user:default/eve';

const entities = [
  environmentEntity('dev', {
    annotations: { 'devops-app.io/protected': 'true' },
  }),
  environmentEntity('ttl-test'),
  environmentEntity('scratch'),
];

describe('teardown routes', () => {
  let root: string;
  let remote: string;
  let backend: PluginBackend;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'teardown-routes-'));
    const fixture = await gitopsFixture(root);
    remote = fixture.repository;
    const work = path.join(root, 'gitops-work');
    await fs.mkdir(path.join(work, 'catalog', 'environments'), {
      recursive: true,
    });
    await fs.writeFile(
      path.join(work, 'catalog', 'environments', 'ttl-test.yaml'),
      yaml.stringify(environmentEntity('ttl-test')),
    );
    await fixture.commit('ttl-test');
    await fixture.commit('scratch');
    backend = await startPluginBackend({
      entities,
      allows: (user, permission) =>
        permission === 'devops-app.terraform.destroy' && user === OWNER,
      config: {
        devopsApp: {
          gitops: {
            repository: remote,
            branch: 'main',
            localCatalogDir: path.join(root, 'catalog'),
          },
          terraform: {
            infraDir: INFRA_DIR,
            stateDir: path.join(root, 'state'),
            workDir: path.join(root, 'runs'),
            concurrency: 0,
          },
        },
      },
    });
  });
  afterAll(() => fs.rm(root, { recursive: true, force: true }));

  const post = (url: string, user: string, body: object) =>
    backend.post(`/terraform${url}`, user, body);
  const runsOf = async (environment: string) =>
    (await backend.get(`/terraform/runs?environment=${environment}`, OWNER))
      .body.items as Record<string, unknown>[];
  const auditOf = (environment: string) => backend.auditOf(environment, OWNER);

  it.each([
    [
      'a confirmation that is not the name',
      { confirm: 'ttl-tset' },
      /^confirm: must be the environment's name, "ttl-test", typed again$/,
    ],
    ['no confirmation', {}, /^confirm: /],
    ['an unknown field', { confirm: 'ttl-test', force: true }, /force/],
  ])(
    'refuses %s with 400 naming it; nothing runs',
    async (_, body, message) => {
      const res = await post('/environments/ttl-test/remove', OWNER, body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
      expect(await runsOf('ttl-test')).toEqual([]);
      expect(await auditOf('ttl-test')).toEqual([]);
    },
  );

  it('refuses a protected environment with the reason before anything runs, audited', async () => {
    const res = await post('/environments/dev/remove', OWNER, {
      confirm: 'dev',
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'dev is protected (devops-app.io/protected): the portal never removes it',
    );
    expect(await runsOf('dev')).toEqual([]);
    expect(await auditOf('dev')).toEqual([
      expect.objectContaining({
        actor: OWNER,
        action: 'destroy',
        result: 'denied',
        message: expect.stringContaining('is protected'),
      }),
    ]);
  });

  it('refuses a caller without the destroy permission, audited; an owner queues the destroy run', async () => {
    const denied = await post('/environments/scratch/remove', OTHER, {
      confirm: 'scratch',
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(
      /^Not allowed to destroy terraform runs of scratch \(devops-app.terraform.destroy/,
    );
    expect(await runsOf('scratch')).toEqual([]);

    const res = await post('/environments/scratch/remove', OWNER, {
      confirm: 'scratch',
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      environment: 'scratch',
      mode: 'destroy',
      status: 'queued',
      createdBy: OWNER,
    });
    expect((await runsOf('scratch')).map(r => r.id)).toEqual([res.body.id]);
    expect(
      (await auditOf('scratch')).map(a => [
        a.actor,
        a.action,
        a.result,
        a.runId,
      ]),
    ).toEqual([
      [OWNER, 'destroy', 'success', res.body.id],
      [OTHER, 'destroy', 'denied', undefined],
    ]);
  });

  it('extends by a chosen duration in one GitOps commit, for those who may destroy; 400 naming duration', async () => {
    const bad = await post('/environments/ttl-test/extend', OWNER, {
      duration: '2w',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^duration: /);

    const denied = await post('/environments/ttl-test/extend', OTHER, {
      duration: '1d',
    });
    expect(denied.status).toBe(403);

    const before = (
      await git(['--git-dir', remote, 'rev-parse', 'main'])
    ).trim();
    const asked = Date.now();
    const res = await post('/environments/ttl-test/extend', OWNER, {
      duration: '1d',
    });
    expect(res.status).toBe(200);
    const expiresAt = Date.parse(res.body.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(asked + 86_400_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 86_400_000);
    expect(
      (await git(['--git-dir', remote, 'rev-list', `${before}..main`]))
        .trim()
        .split('\n'),
    ).toEqual([res.body.commit]);
    const file = yaml.parse(
      await git([
        '--git-dir',
        remote,
        'show',
        'main:catalog/environments/ttl-test.yaml',
      ]),
    );
    expect(file.metadata.annotations['devops-app.io/expires-at']).toBe(
      res.body.expiresAt,
    );
    expect(
      (await auditOf('ttl-test')).map(a => [a.actor, a.action, a.result]),
    ).toEqual([
      [OWNER, 'extend', 'success'],
      [OTHER, 'extend', 'denied'],
    ]);
  });
});
