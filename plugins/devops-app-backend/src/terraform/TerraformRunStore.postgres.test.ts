import { resolvePackagePath } from '@backstage/backend-plugin-api';
import knexFactory, { Knex } from 'knex';
import { startPostgres } from '@devops-app/e2e';
import { TerraformRunStore } from './TerraformRunStore';
import {
  abandonedRun,
  createManager,
  gitopsFixture,
  NO_OUTPUTS,
  tempDirs,
  testConfig,
} from './__testUtils__/sandbox';

jest.setTimeout(180_000);

/**
 * Two run-service instances, as two backends would have, on one real PostgreSQL: their claims never
 * give one environment to both, a cancel sent to the instance that does not run a run reaches it
 * through the database, and a run whose instance stopped its heartbeat is interrupted by the other.
 */
describe('the run queue on PostgreSQL across two instances', () => {
  let pg: Awaited<ReturnType<typeof startPostgres>>;
  let dbA: Knex;
  let dbB: Knex;
  let dirs: Awaited<ReturnType<typeof tempDirs>>;

  beforeAll(async () => {
    pg = await startPostgres();
    dbA = knexFactory({ client: 'pg', connection: pg.connection });
    dbB = knexFactory({ client: 'pg', connection: pg.connection });
    await dbA.migrate.latest({
      directory: resolvePackagePath(
        '@devops-app/plugin-devops-app-backend',
        'migrations',
      ),
      tableName: 'devops_app_knex_migrations',
      loadExtensions: ['.js'],
    });
    dirs = await tempDirs();
  });
  afterAll(async () => {
    await dbA?.destroy();
    await dbB?.destroy();
    await pg?.stop();
    await dirs?.cleanup();
  });

  it('two workers claiming at once never take the same environment, and take each environment in order', async () => {
    const a = new TerraformRunStore(dbA);
    const b = new TerraformRunStore(dbB);
    const environments = ['env-1', 'env-2', 'env-3', 'env-4'];
    // Three runs per environment, queued in turn.
    const queued: Record<string, string[]> = {};
    for (let round = 0; round < 3; round++) {
      for (const environment of environments) {
        const id = `${environment}-run-${round}`;
        await a.createRun({
          id,
          environment,
          mode: 'plan',
          createdBy: 'user:default/a',
          source: 'checkout',
        });
        (queued[environment] ??= []).push(id);
      }
    }
    // Both instances claim as fast as they can, many claims in flight at once.
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 ? b : a).claimNext(i % 2 ? 'backend-b' : 'backend-a'),
      ),
    );
    const taken = claims.filter(c => c !== undefined);
    // One run per environment, each the oldest of its environment; the others stay queued.
    expect(taken.map(c => c!.environment).sort()).toEqual(environments);
    for (const claim of taken) {
      expect(claim!.id).toBe(queued[claim!.environment][0]);
    }
    const running = await dbA('devops_app_terraform_runs').where({
      status: 'running',
    });
    expect(running).toHaveLength(4);
    expect(await dbA('devops_app_terraform_locks')).toHaveLength(4);
    // Once a run ends, the next of its environment (and only it) can be claimed.
    const first = taken[0]!;
    const owner = running.find(r => r.id === first.id)!.instance_id;
    expect(await a.finishRun(first.id, owner, 'succeeded')).toBe(true);
    const [next, none] = await Promise.all([
      a.claimNext('backend-a'),
      b.claimNext('backend-b'),
    ]);
    expect([next, none].filter(Boolean).map(c => c!.id)).toEqual([
      queued[first.environment][1],
    ]);
  });

  it('lets a cancel on the other instance stop a running run, and runs the next queued one', async () => {
    const gitops = await gitopsFixture(dirs.root);
    await gitops.commit('shared-env');
    const config = testConfig(dirs.root, {
      sandboxDelaySeconds: 60,
      gitops: { repository: gitops.repository, branch: 'main' },
    });
    const a = createManager(dbA, config, {
      instanceId: 'backend-a',
      outputs: NO_OUTPUTS,
    });
    const b = createManager(dbB, config, {
      instanceId: 'backend-b',
      outputs: NO_OUTPUTS,
    });
    const first = await a.startRun({
      environment: 'shared-env',
      mode: 'apply',
      createdBy: 'user:default/a',
    });
    expect(first.run.status).toBe('running');
    // B only queues: the environment is A's.
    const second = await b.startRun({
      environment: 'shared-env',
      mode: 'plan',
      createdBy: 'user:default/b',
    });
    expect(second.run.status).toBe('queued');
    b.startWorker();

    // B cancels A's run: A reads it on its heartbeat and stops; B answers with the ended run.
    const answer = await b.cancelRun(first.run.id);
    expect(answer.status).toBe('cancelled');
    expect((await first.done).status).toBe('cancelled');
    // The queued run is then claimed (by either instance) and runs.
    const next = await second.done;
    expect(next.status).toBe('succeeded');
    await Promise.all([a.shutdown(), b.shutdown()]);
  });

  it('interrupts a run whose instance stopped writing heartbeats, once only', async () => {
    await abandonedRun(dbA, {
      id: 'orphan',
      environment: 'orphaned',
      instanceId: 'backend-gone',
      ageMs: 5_000,
    });
    const config = testConfig(dirs.root, { staleRunMs: 1_000 });
    const b = createManager(dbB, config, { instanceId: 'backend-b' });
    const c = createManager(dbA, config, { instanceId: 'backend-c' });
    const [fromB, fromC] = await Promise.all([
      b.recoverStale(),
      c.recoverStale(),
    ]);
    // Each stale run (the first test left some too) is recovered by one of the two, never both.
    const all = [...fromB, ...fromC];
    expect(all).toContain('orphan');
    expect(new Set(all).size).toBe(all.length);
    const run = await b.getRun('orphan');
    expect(run.status).toBe('interrupted');
    expect(run.error).toMatch(/no heartbeat/);
    expect(
      await dbA('devops_app_terraform_locks').where({ run_id: 'orphan' }),
    ).toEqual([]);
  });
});
