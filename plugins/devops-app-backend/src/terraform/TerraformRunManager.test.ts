import { findProcesses } from '@devops-app/e2e';
import { REDACTED } from '@devops-app/plugin-devops-app-common';
import { Knex } from 'knex';
import { promises as fs } from 'node:fs';
import { TerraformRunStore } from './TerraformRunStore';
import {
  NO_OUTPUTS,
  createManager,
  gitopsFixture,
  migratedSqlite,
  tempDirs,
  testConfig,
} from './__testUtils__/sandbox';

jest.setTimeout(180_000);

const SECRET = 'dd-secret-4f9a1c7e0b';

describe('TerraformRunManager on the sandbox stacks with the real terraform', () => {
  let db: Knex;
  let dirs: Awaited<ReturnType<typeof tempDirs>>;
  let gitops: Awaited<ReturnType<typeof gitopsFixture>>;
  const config = (overrides: Parameters<typeof testConfig>[1] = {}) =>
    testConfig(dirs.root, {
      gitops: { repository: gitops.repository, branch: 'main' },
      ...overrides,
    });

  beforeEach(async () => {
    db = await migratedSqlite();
    dirs = await tempDirs();
    gitops = await gitopsFixture(dirs.root);
  });
  afterEach(async () => {
    await db.destroy();
    await dirs.cleanup();
  });

  it('applies cluster, then monitoring and storage in parallel, with outputs, logs and no secret; a second run waits in the queue', async () => {
    const commit = await gitops.commit('load-test');
    const manager = createManager(db, config({ sandboxDelaySeconds: 2 }), {
      outputs: NO_OUTPUTS,
      env: {
        ...process.env,
        DD_API_KEY: SECRET,
        ARM_CLIENT_SECRET: 'arm-secret-77c1',
      },
    });
    const live: string[] = [];
    const { run, done } = await manager.startRun({
      environment: 'load-test',
      mode: 'apply',
      createdBy: 'user:default/guest',
    });
    manager.subscribe(run.id, line => live.push(line.line));
    expect(run.status).toBe('running');
    expect(run).toMatchObject({ source: 'gitops', commit });

    // A second run on the same environment is queued behind it, visible in the list.
    const second = await manager.startRun({
      environment: 'load-test',
      mode: 'plan',
      createdBy: 'user:default/other',
    });
    expect(second.run.status).toBe('queued');
    expect(
      (await manager.listRuns({ environment: 'load-test' })).map(r => [
        r.id,
        r.status,
      ]),
    ).toEqual([
      [second.run.id, 'queued'],
      [run.id, 'running'],
    ]);

    const finished = await done;
    expect(finished.status).toBe('succeeded');
    const [cluster, monitoring, storage] = finished.stacks;
    expect(finished.stacks.map(s => [s.stack, s.status])).toEqual([
      ['cluster', 'applied'],
      ['monitoring', 'applied'],
      ['storage', 'applied'],
    ]);
    // Order: neither dependent starts before the cluster has finished.
    expect(monitoring.startedAt! >= cluster.finishedAt!).toBe(true);
    expect(storage.startedAt! >= cluster.finishedAt!).toBe(true);
    // Parallel: each dependent started before the other finished.
    expect(monitoring.startedAt! < storage.finishedAt!).toBe(true);
    expect(storage.startedAt! < monitoring.finishedAt!).toBe(true);

    expect(cluster.plan!.add).toBeGreaterThan(0);
    expect(cluster.outputs!.cluster_name).toBe('aks-devops-app-load-test');
    expect(cluster.outputs!.cluster_ca_certificate).toBe(REDACTED);
    expect(JSON.stringify(storage.outputs)).toMatch(/treated-images/);

    const log = await manager.readLog(run.id, {});
    const text = log.map(l => l.line).join('\n');
    expect(text).toMatch(/Apply complete!/);
    expect(text).toContain(`at ${commit} of the GitOps repository`);
    expect(log.map(l => l.seq)).toEqual(log.map((_, i) => i));
    expect(live.length).toBeGreaterThan(0);
    for (const secret of [SECRET, 'arm-secret-77c1']) {
      expect(text).not.toContain(secret);
      expect(live.join('\n')).not.toContain(secret);
      expect(JSON.stringify(await manager.getRun(run.id))).not.toContain(
        secret,
      );
    }
    // Each stack's plan file is kept with its checksum.
    const plans = await new TerraformRunStore(db).readPlans(run.id);
    expect(plans.map(p => p.stack).sort()).toEqual([
      'cluster',
      'monitoring',
      'storage',
    ]);
    expect(plans[0].sha256).toMatch(/^[0-9a-f]{64}$/);

    // The queued run starts once the first has released the environment, and changes nothing.
    const planned = await second.done;
    expect(planned.status).toBe('succeeded');
    expect(planned.claimedAt! >= finished.finishedAt!).toBe(true);
    expect(planned.stacks.map(s => s.status)).toEqual([
      'planned',
      'planned',
      'planned',
    ]);
    expect(planned.stacks[0].plan).toEqual({ add: 0, change: 0, destroy: 0 });
    // Run directories are removed when the runs end.
    expect(await fs.readdir(`${dirs.root}/runs`)).toEqual([]);
    await manager.shutdown();
  });

  it("plans the repository's files at the recorded commit, though the branch has moved on", async () => {
    const a = await gitops.commit('pinned', (stack, text) =>
      stack === 'cluster'
        ? text.replace(/^log_retention_days\s*=.*$/m, 'log_retention_days = 31')
        : text,
    );
    const b = await gitops.commit('pinned', (stack, text) =>
      stack === 'cluster'
        ? text.replace(/^log_retention_days\s*=.*$/m, 'log_retention_days = 45')
        : text,
    );
    expect(a).not.toBe(b);
    const manager = createManager(db, config(), { outputs: NO_OUTPUTS });
    const { run, done } = await manager.startRun({
      environment: 'pinned',
      mode: 'plan',
      createdBy: 'user:default/guest',
      commit: a,
    });
    expect(run.commit).toBe(a);
    const finished = await done;
    expect(finished.status).toBe('succeeded');
    expect((await manager.getRun(run.id)).commit).toBe(a);
    const plan = (await manager.readLog(run.id, { stack: 'cluster' }))
      .map(l => l.line)
      .join('\n');
    expect(plan).toMatch(/retention_in_days\s+= 31/);
    expect(plan).not.toMatch(/retention_in_days\s+= 45/);

    // Without a commit, the branch head at the time of the request.
    const head = await manager.startRun({
      environment: 'pinned',
      mode: 'plan',
      createdBy: 'user:default/guest',
    });
    expect(head.run.commit).toBe(b);
    await head.done;
    await manager.shutdown();
  });

  it('refuses a commit that is not on the branch or lacks the environment, and a bad name, before queueing anything', async () => {
    await gitops.commit('present');
    const manager = createManager(db, config(), { outputs: NO_OUTPUTS });
    for (const environment of ['Prod', '../x', 'a;b', 'x'.repeat(70)]) {
      await expect(
        manager.startRun({
          environment,
          mode: 'plan',
          createdBy: 'user:default/guest',
        }),
      ).rejects.toThrow(/environment:/);
    }
    await expect(
      manager.startRun({
        environment: 'nowhere',
        mode: 'plan',
        createdBy: 'user:default/guest',
      }),
    ).rejects.toThrow(
      /environment: "nowhere" has no files in infra\/environments/,
    );
    await expect(
      manager.startRun({
        environment: 'present',
        mode: 'plan',
        createdBy: 'user:default/guest',
        commit: 'f'.repeat(40),
      }),
    ).rejects.toThrow(/commit: f{40} is not on branch main/);
    await expect(
      manager.startRun({
        environment: 'present',
        mode: 'plan',
        createdBy: 'user:default/guest',
        commit: 'HEAD~1',
      }),
    ).rejects.toThrow(/commit: must be a full 40-character commit id/);
    expect(await manager.listRuns({})).toEqual([]);
  });

  it('reads the infra checkout without devopsApp.gitops, and records that', async () => {
    const manager = createManager(db, testConfig(dirs.root));
    const { run, done } = await manager.startRun({
      environment: 'dev',
      mode: 'plan',
      createdBy: 'user:default/guest',
    });
    expect(run.source).toBe('checkout');
    expect((await done).status).toBe('succeeded');
    await expect(
      manager.startRun({
        environment: 'dev',
        mode: 'plan',
        createdBy: 'user:default/guest',
        commit: 'a'.repeat(40),
      }),
    ).rejects.toThrow(/commit: .*devopsApp.gitops is not configured/);
  });

  it('destroys in reverse graph order: monitoring and storage in parallel, then cluster', async () => {
    await gitops.commit('short-lived');
    const manager = createManager(db, config({ sandboxDelaySeconds: 2 }), {
      outputs: NO_OUTPUTS,
    });
    const apply = await manager.startRun({
      environment: 'short-lived',
      mode: 'apply',
      createdBy: 'user:default/guest',
    });
    expect((await apply.done).status).toBe('succeeded');
    const { done } = await manager.startRun({
      environment: 'short-lived',
      mode: 'destroy',
      createdBy: 'user:default/guest',
    });
    const destroyed = await done;
    expect(destroyed.status).toBe('succeeded');
    const [cluster, monitoring, storage] = destroyed.stacks;
    expect(destroyed.stacks.map(s => s.status)).toEqual([
      'destroyed',
      'destroyed',
      'destroyed',
    ]);
    expect(cluster.plan!.destroy).toBeGreaterThan(0);
    expect(cluster.startedAt! >= monitoring.finishedAt!).toBe(true);
    expect(cluster.startedAt! >= storage.finishedAt!).toBe(true);
    expect(monitoring.startedAt! < storage.finishedAt!).toBe(true);
    expect(storage.startedAt! < monitoring.finishedAt!).toBe(true);
    const state = JSON.parse(
      await fs.readFile(
        `${dirs.root}/state/short-lived/cluster.tfstate`,
        'utf8',
      ),
    );
    expect(state.resources).toEqual([]);
    await manager.shutdown();
  });

  it('fails a stack that runs past its timeout, skips its dependents and releases the lock', async () => {
    await gitops.commit('slow');
    const manager = createManager(
      db,
      config({ sandboxDelaySeconds: 60, stackTimeoutMs: 8_000 }),
      { outputs: NO_OUTPUTS },
    );
    const { done } = await manager.startRun({
      environment: 'slow',
      mode: 'apply',
      createdBy: 'user:default/guest',
    });
    const run = await done;
    expect(run.status).toBe('failed');
    expect(run.stacks[0].status).toBe('failed');
    expect(run.stacks[0].error).toMatch(/timed out/);
    expect(run.stacks.slice(1).map(s => s.status)).toEqual([
      'skipped',
      'skipped',
    ]);
    expect(run.error).toMatch(/cluster: terraform .* timed out/);
    expect(
      await db('devops_app_terraform_locks').where({ environment: 'slow' }),
    ).toEqual([]);
    expect(await findProcesses(run.id)).toEqual([]);
    await manager.shutdown();
  });

  it('cancels: a running run stops with its terraform, a queued one ends at once, an ended one is refused with why', async () => {
    await gitops.commit('cancel-me');
    const manager = createManager(db, config({ sandboxDelaySeconds: 60 }), {
      outputs: NO_OUTPUTS,
    });
    const { run, done } = await manager.startRun({
      environment: 'cancel-me',
      mode: 'apply',
      createdBy: 'user:default/guest',
    });
    const queued = await manager.startRun({
      environment: 'cancel-me',
      mode: 'plan',
      createdBy: 'user:default/guest',
    });
    expect(queued.run.status).toBe('queued');
    await new Promise<void>(resolve => {
      const off = manager.subscribe(run.id, line => {
        if (line.line === '$ terraform apply') {
          off();
          resolve();
        }
      });
    });
    // The queued one first: it ends at once, and never runs.
    const cancelledQueued = await manager.cancelRun(queued.run.id);
    expect(cancelledQueued.status).toBe('cancelled');
    expect(cancelledQueued.stacks.map(s => s.status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    expect(await findProcesses(run.id)).not.toEqual([]);
    // The running one: the answer is its state once terraform has stopped.
    const answer = await manager.cancelRun(run.id);
    expect(answer.status).toBe('cancelled');
    const finished = await done;
    expect(finished.status).toBe('cancelled');
    expect(finished.stacks.map(s => s.status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    expect(await db('devops_app_terraform_locks')).toEqual([]);
    expect(await findProcesses(run.id)).toEqual([]);
    expect((await manager.getRun(queued.run.id)).claimedAt).toBeUndefined();
    // Ended: 409 with the reason.
    await expect(manager.cancelRun(run.id)).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringMatching(
        /already ended \(cancelled at .*\); there is nothing to cancel/,
      ),
    });
    await manager.shutdown();
  });

  it('marks a run failed with the reason when terraform is killed', async () => {
    await gitops.commit('killed');
    const manager = createManager(db, config({ sandboxDelaySeconds: 60 }), {
      outputs: NO_OUTPUTS,
    });
    const { run, done } = await manager.startRun({
      environment: 'killed',
      mode: 'apply',
      createdBy: 'user:default/guest',
    });
    await new Promise<void>(resolve => {
      const off = manager.subscribe(run.id, line => {
        if (/Still creating|Creating\.\.\./.test(line.line)) {
          off();
          resolve();
        }
      });
    });
    // Find the terraform process of this run by its private TF_DATA_DIR and kill it hard.
    const [pid] = (await findProcesses(`${run.id}/cluster/terraform-data`))
      .filter(
        p => /terraform$/.test(p.args[0] ?? '') && p.args.includes('apply'),
      )
      .map(p => p.pid);
    process.kill(pid, 'SIGKILL');
    const finished = await done;
    expect(finished.status).toBe('failed');
    expect(finished.stacks[0].error).toMatch(/killed by SIGKILL/);
    // The guard took the `sleep` the killed terraform left in its process group with it.
    expect(await findProcesses(run.id)).toEqual([]);
    expect(await db('devops_app_terraform_locks')).toEqual([]);
    await manager.shutdown();
  });
});
