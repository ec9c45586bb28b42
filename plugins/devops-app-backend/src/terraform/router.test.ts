import { mockCredentials } from '@backstage/backend-test-utils';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { environmentEntity } from '../__testUtils__/environmentEntities';
import {
  PluginBackend,
  startPluginBackend,
} from '../__testUtils__/pluginBackend';
import { INFRA_DIR } from './__testUtils__/sandbox';

/**
 * The terraform routes through the real backend plugin: request parsing, what a caller may read, and
 * the authorization layer's audit entries (read back through `GET /audit`). The permission service
 * decides from a table (who may do what on which entity); the real policy's decisions are the
 * matrix test in packages/backend. The run service is configured to execute nothing
 * (`concurrency: 0`): runs stay queued, which is all these routes need.
 */
jest.setTimeout(60_000);

const OWNER = 'user:default/guest';
const OTHER_OWNER = 'user:default/ana';
const EVE = 'user:default/eve';

/** pre-prod's files are in the repository's infra checkout; `hidden` is an entity eve may not read. */
const entities = [
  environmentEntity('pre-prod'),
  environmentEntity('prod', {
    annotations: { 'devops-app.io/production': 'true' },
  }),
];

describe('terraform routes', () => {
  let root: string;
  let backend: PluginBackend;
  // permission name -> users allowed
  const allowedUsers: Record<string, string[]> = {
    'devops-app.terraform.plan': [OWNER, OTHER_OWNER],
    'devops-app.terraform.apply': [OWNER, OTHER_OWNER],
    'devops-app.terraform.cancel': [OWNER],
    'devops-app.environment.create': [OWNER],
  };

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'tf-routes-'));
    backend = await startPluginBackend({
      entities,
      // The catalog answers eve as catalog.entity.read would: she cannot see prod.
      hides: (user, entity) => entity.metadata.name === 'prod' && user === EVE,
      allows: (user, permission) =>
        (allowedUsers[permission] ?? []).includes(user ?? ''),
      config: {
        devopsApp: {
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

  const post = (url: string, user: string, body: object = {}) =>
    backend.post(`/terraform${url}`, user, body);
  const get = (url: string, user: string) =>
    backend.get(`/terraform${url}`, user);
  const auditOf = (environment: string) => backend.auditOf(environment, OWNER);

  describe('refuses a request body with inputs or unknown fields: 400 naming the field, no run, no audit', () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [
        'files',
        { files: { tfvars: { cluster: 'x' } } },
        /^files: is not accepted: a run's files come from the GitOps repository/,
      ],
      [
        'tfvars',
        { tfvars: { cluster: 'aks_name = "aks-devops-app-prod"' } },
        /^tfvars: is not accepted/,
      ],
      [
        'backendHcl',
        { backendHcl: 'storage_account_name = "evil"' },
        /^backendHcl: is not accepted.*state location from the environment/,
      ],
      [
        'an unknown field',
        { sandbox_delay_seconds: 3600 },
        /^unknown field\(s\): sandbox_delay_seconds \(allowed: environment, mode, taskId, commit\)$/,
      ],
      ['a mode that is not one', { mode: 'import' }, /^mode: must be one of/],
    ];
    it.each(cases)('%s', async (_name, extra, message) => {
      const before = await auditOf('pre-prod');
      const runsBefore = (await get('/runs?environment=pre-prod', OWNER)).body
        .items.length;
      const res = await post('/runs', OWNER, {
        environment: 'pre-prod',
        mode: 'plan',
        ...extra,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toMatch(message);
      expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
      expect(await auditOf('pre-prod')).toEqual(before);
      const runs = await get('/runs?environment=pre-prod', OWNER);
      expect(runs.body.items).toHaveLength(runsBefore);
    });

    it('refuses unknown fields on cancel, approve and reject too, and a decision without a comment', async () => {
      const cancel = await post(`/runs/x/cancel`, OWNER, { force: true });
      expect(cancel.status).toBe(400);
      expect(cancel.body.error.message).toBe(
        'unknown field(s): force (allowed: none)',
      );
      for (const action of ['approve', 'reject']) {
        const res = await post(`/runs/x/${action}`, OWNER, {
          comment: 'ok',
          force: true,
        });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toBe(
          'unknown field(s): force (allowed: comment)',
        );
        const bare = await post(`/runs/x/${action}`, OWNER);
        expect(bare.status).toBe(400);
        expect(bare.body.error.message).toMatch(/^comment: /);
      }
    });
  });

  it("starts a run as the caller, audited with the run's id", async () => {
    const res = await post('/runs', OWNER, {
      environment: 'pre-prod',
      mode: 'plan',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      environment: 'pre-prod',
      mode: 'plan',
      status: 'queued',
      createdBy: OWNER,
    });
    expect((await auditOf('pre-prod'))[0]).toMatchObject({
      actor: OWNER,
      entityRef: 'resource:default/pre-prod',
      environment: 'pre-prod',
      action: 'plan',
      result: 'success',
      runId: res.body.id,
    });
  });

  it('denies with 403 naming the permission and the environment, audited', async () => {
    const res = await post('/runs', OWNER, {
      environment: 'pre-prod',
      mode: 'destroy',
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'Not allowed to destroy terraform runs of pre-prod (devops-app.terraform.destroy on resource:default/pre-prod): only members of group:default/ml-team, its owner, may',
    );
    expect((await auditOf('pre-prod'))[0]).toMatchObject({
      actor: OWNER,
      action: 'destroy',
      result: 'denied',
      message: res.body.error.message,
    });
  });

  it("cancels one's own run; someone else's only with devops-app.terraform.cancel, each audited", async () => {
    const mine = await post('/runs', OTHER_OWNER, {
      environment: 'pre-prod',
      mode: 'apply',
    });
    expect(mine.status).toBe(201);
    // ana may plan and apply but not cancel others' runs: her own she may.
    const theirs = await post('/runs', OWNER, {
      environment: 'pre-prod',
      mode: 'plan',
    });
    const refused = await post(`/runs/${theirs.body.id}/cancel`, OTHER_OWNER);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('devops-app.terraform.cancel');
    const own = await post(`/runs/${mine.body.id}/cancel`, OTHER_OWNER);
    expect(own.status).toBe(200);
    expect(own.body.status).toBe('cancelled');
    const byOwner = await post(`/runs/${theirs.body.id}/cancel`, OWNER);
    expect(byOwner.status).toBe(200);
    const entries = (await auditOf('pre-prod')).slice(0, 3);
    expect(entries.map(e => [e.actor, e.action, e.result, e.runId])).toEqual([
      [OWNER, 'cancel', 'success', theirs.body.id],
      [OTHER_OWNER, 'cancel', 'success', mine.body.id],
      [OTHER_OWNER, 'cancel', 'denied', theirs.body.id],
    ]);
  });

  it('refuses to approve or reject a run one requested, and answers 409 while no plan awaits approval', async () => {
    allowedUsers['devops-app.terraform.approve'] = [OWNER, OTHER_OWNER];
    const run = await post('/runs', OWNER, {
      environment: 'pre-prod',
      mode: 'plan',
    });
    for (const action of ['approve', 'reject']) {
      const own = await post(`/runs/${run.body.id}/${action}`, OWNER, {
        comment: 'mine',
      });
      expect(own.status).toBe(403);
      expect(own.body.error.message).toContain('you requested it');
    }
    const other = await post(`/runs/${run.body.id}/approve`, OTHER_OWNER, {
      comment: 'fine',
    });
    expect(other.status).toBe(409);
    expect(other.body.error.message).toContain(
      'is queued, not awaiting approval',
    );
    const entries = await auditOf('pre-prod');
    expect(entries.slice(0, 3).map(e => [e.actor, e.action, e.result])).toEqual(
      [
        [OTHER_OWNER, 'approve', 'failure'],
        [OWNER, 'approve', 'denied'],
        [OWNER, 'approve', 'denied'],
      ],
    );
    const read = await get(`/runs/${run.body.id}`, OTHER_OWNER);
    expect(read.body.permissions).toEqual({
      approve: { allowed: false, reason: 'The run is queued' },
    });
  });

  it('hides runs of an environment the caller may not read: 404, as one that does not exist, and left out of lists', async () => {
    allowedUsers['devops-app.terraform.plan'].push(EVE);
    allowedUsers['devops-app.terraform.plan'].push(OWNER);
    const run = await post('/runs', OWNER, {
      environment: 'prod',
      mode: 'plan',
    });
    expect(run.status).toBe(201);
    for (const url of [`/runs/${run.body.id}`, `/runs/${run.body.id}/log`]) {
      const res = await get(url, EVE);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe(`No terraform run ${run.body.id}`);
      expect((await get(url, OWNER)).status).toBe(200);
    }
    const listed = await get('/runs', EVE);
    expect(listed.body.items.map((r: any) => r.environment)).not.toContain(
      'prod',
    );
    expect(
      (await get('/runs?environment=prod', OWNER)).body.items.map(
        (r: any) => r.id,
      ),
    ).toContain(run.body.id);
    // Eve may plan in general, but not an environment she cannot see: 404, nothing started.
    const hidden = await post('/runs', EVE, {
      environment: 'prod',
      mode: 'plan',
    });
    expect(hidden.status).toBe(404);
    expect((await post(`/runs/${run.body.id}/cancel`, EVE)).status).toBe(404);
  });

  it('plans a new environment (no entity yet) with devops-app.environment.create, never destroys one', async () => {
    // dev's files are in the checkout; no dev entity in this catalog: the template's situation.
    const created = await post('/runs', OWNER, {
      environment: 'dev',
      mode: 'plan',
    });
    expect(created.status).toBe(201);
    const refused = await post('/runs', OTHER_OWNER, {
      environment: 'dev',
      mode: 'apply',
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain(
      'devops-app.environment.create',
    );
    const destroy = await post('/runs', OWNER, {
      environment: 'dev',
      mode: 'destroy',
    });
    expect(destroy.status).toBe(404);
    const entries = await auditOf('dev');
    expect(entries.map(e => [e.actor, e.action, e.result])).toEqual([
      [OTHER_OWNER, 'apply', 'denied'],
      [OWNER, 'plan', 'success'],
    ]);
    // Its runs stay readable to everyone signed in until it has an entity.
    expect((await get(`/runs/${created.body.id}`, EVE)).status).toBe(200);
  });

  it('answers 401 to a caller without credentials, before any decision', async () => {
    const before = await auditOf('pre-prod');
    for (const url of ['/runs', '/runs/x/cancel', '/runs/x/approve']) {
      const res = await post(
        url,
        OWNER,
        url === '/runs' ? { environment: 'pre-prod', mode: 'plan' } : {},
      ).set('Authorization', mockCredentials.none.header());
      expect(res.status).toBe(401);
    }
    expect(await auditOf('pre-prod')).toEqual(before);
  });
});
