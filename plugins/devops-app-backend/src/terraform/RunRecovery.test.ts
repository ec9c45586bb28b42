import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  abandonedRun,
  createManager,
  gitopsFixture,
  NO_OUTPUTS,
  perTestDatabase,
  testConfig,
} from './__testUtils__/sandbox';

jest.setTimeout(180_000);

describe('RunRecovery (real terraform on the sandbox stacks)', () => {
  const t = perTestDatabase();

  it('interrupts a run with a stale heartbeat, releases its lock, repairs what its terraform left, and the queue moves on', async () => {
    const gitops = await gitopsFixture(t.dirs.root);
    await gitops.commit('crashed');
    const config = testConfig(t.dirs.root, {
      staleRunMs: 15_000,
      gitops: { repository: gitops.repository, branch: 'main' },
    });
    // A dead instance's run, 20 s without a heartbeat, and what its killed terraform left: the run
    // directory, a lock info file, a state truncated to 0 bytes (with a backup) and one without.
    await abandonedRun(t.db, {
      id: 'dead-run',
      environment: 'crashed',
      instanceId: 'backend-gone',
      ageMs: 20_000,
    });
    const stateDir = path.join(config.stateDir, 'crashed');
    await fs.mkdir(stateDir, { recursive: true });
    const backup = JSON.stringify({
      version: 4,
      terraform_version: '1.9.0',
      serial: 1,
      lineage: 'test-lineage',
      outputs: {},
      resources: [],
      check_results: null,
    });
    await fs.writeFile(path.join(stateDir, 'cluster.tfstate'), '');
    await fs.writeFile(path.join(stateDir, 'cluster.tfstate.backup'), backup);
    await fs.writeFile(path.join(stateDir, 'monitoring.tfstate'), '');
    await fs.writeFile(
      path.join(stateDir, '.cluster.tfstate.lock.info'),
      '{"ID":"x","Who":"gone@host"}',
    );
    await fs.mkdir(path.join(config.workDir, 'dead-run', 'cluster'), {
      recursive: true,
    });

    const manager = createManager(t.db, config, {
      instanceId: 'backend-alive',
      outputs: NO_OUTPUTS,
    });
    // The next run of the environment waits behind the dead one.
    const next = await manager.startRun({
      environment: 'crashed',
      mode: 'plan',
      createdBy: 'user:default/guest',
    });
    expect(next.run.status).toBe('queued');
    // A run whose heartbeat is fresh is left alone.
    await abandonedRun(t.db, {
      id: 'alive-run',
      environment: 'elsewhere',
      instanceId: 'backend-slow',
      ageMs: 1_000,
    });

    expect(await manager.recoverStale()).toEqual(['dead-run']);
    const dead = await manager.getRun('dead-run');
    expect(dead.status).toBe('interrupted');
    expect(dead.error).toMatch(/stopped \(no heartbeat\)/);
    expect(dead.stacks.map(s => s.status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    expect((await manager.getRun('alive-run')).status).toBe('running');
    expect(
      await t.db('devops_app_terraform_locks').where({ run_id: 'dead-run' }),
    ).toEqual([]);
    expect(await fs.readdir(stateDir)).not.toContain(
      '.cluster.tfstate.lock.info',
    );
    expect(
      await fs.readFile(path.join(stateDir, 'cluster.tfstate'), 'utf8'),
    ).toBe(backup);
    expect(await fs.readdir(stateDir)).not.toContain('monitoring.tfstate');
    expect(await fs.readdir(config.workDir)).not.toContain('dead-run');
    const log = (await manager.readLog('dead-run', {})).map(l => l.line);
    expect(log).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^interrupted: /),
        'recovery: removed the stale state lock .cluster.tfstate.lock.info',
        'recovery: restored the empty cluster.tfstate from its backup',
        'recovery: removed the empty monitoring.tfstate (no backup)',
      ]),
    );
    // Once only.
    expect(await manager.recoverStale()).toEqual([]);

    // The queue moves on: the worker claims the waiting run, which plans against the repaired state.
    manager.startWorker();
    const planned = await next.done;
    expect(planned.status).toBe('succeeded');
    expect(planned.stacks[0].plan!.add).toBeGreaterThan(0);
    await manager.shutdown();
  });

  it('interrupts at start-up the runs this instance id left running (a restart)', async () => {
    await abandonedRun(t.db, {
      id: 'left-over',
      environment: 'abandoned',
      instanceId: 'backend-1',
    });
    const manager = createManager(t.db, testConfig(t.dirs.root), {
      instanceId: 'backend-1',
    });
    expect(await manager.recover()).toEqual(['left-over']);
    const run = await manager.getRun('left-over');
    expect(run.status).toBe('interrupted');
    expect(run.error).toMatch(/backend stopped/);
    expect(await t.db('devops_app_terraform_locks')).toEqual([]);
  });
});
