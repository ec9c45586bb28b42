import { resolvePackagePath } from '@backstage/backend-plugin-api';
import knexFactory, { Knex } from 'knex';
import { startPostgres } from '@devops-app/e2e';
import { TerraformRunStore } from './TerraformRunStore';
import {
  createManager,
  environmentFiles,
  tempDirs,
  testConfig,
} from './__testUtils__/sandbox';

jest.setTimeout(180_000);

/**
 * Two run-service instances, as two backends would have, on one real PostgreSQL: the lock of an
 * environment holds across them, a cancel sent to the other instance reaches the run, and the
 * second instance takes the environment once the first run ends.
 */
describe('the environment lock on PostgreSQL across two instances', () => {
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

  it('refuses a concurrent run on the other instance and lets a cancel from it stop the run', async () => {
    const config = testConfig(dirs.root, { sandboxDelaySeconds: 60 });
    const a = createManager(dbA, config, { instanceId: 'backend-a' });
    const b = createManager(dbB, config, { instanceId: 'backend-b' });
    const files = await environmentFiles('shared-env');

    // Both instances ask at the same moment: exactly one gets the environment.
    const attempts = await Promise.allSettled([
      a.startRun({
        environment: 'shared-env',
        mode: 'apply',
        createdBy: 'user:default/a',
        files,
      }),
      b.startRun({
        environment: 'shared-env',
        mode: 'apply',
        createdBy: 'user:default/b',
        files,
      }),
    ]);
    const won = attempts.filter(r => r.status === 'fulfilled');
    const lost = attempts.filter(
      r => r.status === 'rejected',
    ) as PromiseRejectedResult[];
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const { run, done } = (
      won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof a.startRun>>>
    ).value;
    expect(lost[0].reason.message).toContain(
      `locked by terraform run ${run.id}`,
    );

    // The instance that does not run it cancels it; the running one sees that on its heartbeat.
    const other = attempts[0].status === 'fulfilled' ? b : a;
    await other.cancelRun(run.id);
    const finished = await done;
    expect(finished.status).toBe('cancelled');

    const next = await other.startRun({
      environment: 'shared-env',
      mode: 'plan',
      createdBy: 'user:default/b',
      files,
    });
    expect((await next.done).status).toBe('succeeded');
  });

  it('interrupts a run whose instance stopped writing heartbeats', async () => {
    const config = testConfig(dirs.root, { staleRunMs: 1 });
    await new TerraformRunStore(dbA).createRun({
      id: 'orphan',
      environment: 'orphaned',
      mode: 'apply',
      createdBy: 'user:default/a',
      instanceId: 'backend-gone',
      stacks: ['cluster', 'monitoring', 'storage'],
    });
    await new Promise(r => setTimeout(r, 20));
    const b = createManager(dbB, config, { instanceId: 'backend-b' });
    expect(await b.recover()).toEqual(['orphan']);
    expect((await b.getRun('orphan')).status).toBe('interrupted');
  });
});
