import { REDACTED } from '@devops-app/plugin-devops-app-common';
import { Knex } from 'knex';
import { promises as fs } from 'node:fs';
import { EnvironmentLockedError, TerraformRunStore } from './TerraformRunStore';
import {
  createManager,
  environmentFiles,
  migratedSqlite,
  tempDirs,
  testConfig,
} from './__testUtils__/sandbox';

jest.setTimeout(180_000);

const SECRET = 'dd-secret-4f9a1c7e0b';

describe('TerraformRunManager on the sandbox stacks with the real terraform', () => {
  let db: Knex;
  let dirs: Awaited<ReturnType<typeof tempDirs>>;

  beforeEach(async () => {
    db = await migratedSqlite();
    dirs = await tempDirs();
  });
  afterEach(async () => {
    await db.destroy();
    await dirs.cleanup();
  });

  it('applies cluster, then monitoring and storage in parallel, with outputs, logs and no secret', async () => {
    const manager = createManager(
      db,
      testConfig(dirs.root, { sandboxDelaySeconds: 2 }),
      {
        env: {
          ...process.env,
          DD_API_KEY: SECRET,
          ARM_CLIENT_SECRET: 'arm-secret-77c1',
        },
      },
    );
    const live: string[] = [];
    const { run, done } = await manager.startRun({
      environment: 'load-test',
      mode: 'apply',
      createdBy: 'user:default/guest',
      files: await environmentFiles('load-test'),
    });
    manager.subscribe(run.id, line => live.push(line.line));
    expect(run.status).toBe('running');

    // A second run on the same environment is refused, naming the run that holds it.
    await expect(
      manager.startRun({
        environment: 'load-test',
        mode: 'plan',
        createdBy: 'user:default/other',
        files: await environmentFiles('load-test'),
      }),
    ).rejects.toThrow(new RegExp(`locked by terraform run ${run.id}`));
    await expect(
      manager.startRun({
        environment: 'load-test',
        mode: 'apply',
        createdBy: 'user:default/other',
        files: await environmentFiles('load-test'),
      }),
    ).rejects.toBeInstanceOf(EnvironmentLockedError);

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
    expect(log.map(l => l.seq)).toEqual(log.map((_, i) => i));
    expect(live.length).toBeGreaterThan(0);
    // A sensitive output's value, read from the state (the CA is public data: its cluster_ca_certificate_public
    // twin is shown on purpose, so the secret checked here is the portal's token).
    const state = await fs.readFile(
      `${dirs.root}/state/load-test/monitoring.tfstate`,
      'utf8',
    );
    const token = /"backstage_reader_token":\s*\{\s*"value":\s*"([^"]+)"/.exec(
      state,
    )?.[1];
    expect(token).toBeDefined();
    for (const secret of [SECRET, 'arm-secret-77c1', token!]) {
      expect(text).not.toContain(secret);
      expect(live.join('\n')).not.toContain(secret);
      expect(JSON.stringify(await manager.getRun(run.id))).not.toContain(
        secret,
      );
    }

    // The lock is released: a plan-only run now goes through and changes nothing.
    const second = await manager.startRun({
      environment: 'load-test',
      mode: 'plan',
      createdBy: 'user:default/guest',
      files: await environmentFiles('load-test'),
    });
    const planned = await second.done;
    expect(planned.status).toBe('succeeded');
    expect(planned.stacks.map(s => s.status)).toEqual([
      'planned',
      'planned',
      'planned',
    ]);
    expect(planned.stacks[0].plan).toEqual({ add: 0, change: 0, destroy: 0 });
    expect(await manager.listRuns({ environment: 'load-test' })).toHaveLength(
      2,
    );
  });

  it('fails a stack that runs past its timeout, skips its dependents and releases the lock', async () => {
    const manager = createManager(
      db,
      testConfig(dirs.root, { sandboxDelaySeconds: 60, stackTimeoutMs: 8_000 }),
    );
    const { done } = await manager.startRun({
      environment: 'slow',
      mode: 'apply',
      createdBy: 'user:default/guest',
      files: await environmentFiles('slow'),
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
  });

  it('stops terraform when the run is cancelled', async () => {
    const manager = createManager(
      db,
      testConfig(dirs.root, { sandboxDelaySeconds: 60 }),
    );
    const { run, done } = await manager.startRun({
      environment: 'cancel-me',
      mode: 'apply',
      createdBy: 'user:default/guest',
      files: await environmentFiles('cancel-me'),
    });
    await new Promise<void>(resolve => {
      const off = manager.subscribe(run.id, line => {
        if (line.line === '$ terraform apply') {
          off();
          resolve();
        }
      });
    });
    await manager.cancelRun(run.id);
    const finished = await done;
    expect(finished.status).toBe('cancelled');
    expect(finished.stacks.map(s => s.status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    expect(await db('devops_app_terraform_locks')).toEqual([]);
  });

  it('marks a run failed with the reason when terraform is killed', async () => {
    const manager = createManager(
      db,
      testConfig(dirs.root, { sandboxDelaySeconds: 60 }),
    );
    const { run, done } = await manager.startRun({
      environment: 'killed',
      mode: 'apply',
      createdBy: 'user:default/guest',
      files: await environmentFiles('killed'),
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
    const pid = await findProcessWithEnv(
      `${run.id}/cluster/terraform-data`,
      'apply',
    );
    process.kill(pid, 'SIGKILL');
    const finished = await done;
    expect(finished.status).toBe('failed');
    expect(finished.stacks[0].error).toMatch(/killed by SIGKILL/);
    // The killed terraform left its `sleep` behind in its process group.
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    expect(await db('devops_app_terraform_locks')).toEqual([]);
  });

  it('marks runs left running by a stopped backend as interrupted at the next start', async () => {
    const before = createManager(db, testConfig(dirs.root), {
      instanceId: 'backend-1',
    });
    await new TerraformRunStore(db).createRun({
      id: 'left-over',
      environment: 'abandoned',
      mode: 'apply',
      createdBy: 'user:default/guest',
      instanceId: 'backend-1',
      stacks: ['cluster', 'monitoring', 'storage'],
    });
    void before;
    // The same instance starting again interrupts its own runs at once.
    const after = createManager(db, testConfig(dirs.root), {
      instanceId: 'backend-1',
    });
    expect(await after.recover()).toEqual(['left-over']);
    const run = await after.getRun('left-over');
    expect(run.status).toBe('interrupted');
    expect(run.error).toMatch(/backend stopped/);
    expect(run.stacks.map(s => s.status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    expect(await db('devops_app_terraform_locks')).toEqual([]);
  });

  it('refuses a bad environment name or missing files before running anything', async () => {
    const manager = createManager(db, testConfig(dirs.root));
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
    ).rejects.toThrow(/no files in infra\/environments/);
    expect(await manager.listRuns({})).toEqual([]);
  });
});

async function findProcessWithEnv(
  marker: string,
  arg: string,
): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    for (const entry of await fs.readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const environ = await fs.readFile(`/proc/${entry}/environ`, 'utf8');
        const cmdline = (
          await fs.readFile(`/proc/${entry}/cmdline`, 'utf8')
        ).split('\0');
        if (
          environ.includes(marker) &&
          cmdline.includes(arg) &&
          /terraform$/.test(cmdline[0])
        ) {
          return Number(entry);
        }
      } catch {
        // The process ended meanwhile.
      }
    }
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`No terraform process with ${marker}`);
}
