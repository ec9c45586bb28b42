import { promises as fs } from 'node:fs';
import { sandboxStatePath } from './EnvironmentInputs';
import {
  NO_OUTPUTS,
  createManager,
  gitopsFixture,
  perTestDatabase,
  testConfig,
} from './__testUtils__/sandbox';

jest.setTimeout(180_000);

const REQUESTER = 'user:default/alice';
const APPROVER = 'user:default/bob';
const ENV = 'approval-test';

describe('plan approval on the sandbox stacks with the real terraform', () => {
  const t = perTestDatabase();
  let gitops: Awaited<ReturnType<typeof gitopsFixture>>;
  const config = (overrides: Parameters<typeof testConfig>[1] = {}) =>
    testConfig(t.dirs.root, {
      gitops: { repository: gitops.repository, branch: 'main' },
      ...overrides,
    });

  beforeEach(async () => {
    gitops = await gitopsFixture(t.dirs.root);
    await gitops.commit(ENV);
  });

  /** Approves as the approver and resolves with the run once its apply phase has ended. */
  async function approveAndEnd(
    manager: ReturnType<typeof createManager>,
    id: string,
  ) {
    await manager.decideRun(id, {
      decision: 'approved',
      by: APPROVER,
      comment: 'ok',
    });
    return waitForFinal(manager, id);
  }

  /** Starts an apply that needs approval and resolves once its plans are saved and it waits. */
  async function awaitingRun(manager: ReturnType<typeof createManager>) {
    const { done } = await manager.startRun({
      environment: ENV,
      mode: 'apply',
      createdBy: REQUESTER,
      requiresApproval: true,
    });
    return done;
  }

  async function log(manager: ReturnType<typeof createManager>, id: string) {
    return (await manager.readLog(id, {})).map(l => l.line);
  }

  async function clusterState(cfg: ReturnType<typeof config>) {
    try {
      const text = await fs.readFile(
        sandboxStatePath(cfg, ENV, 'cluster'),
        'utf8',
      );
      return (JSON.parse(text).resources ?? []).length as number;
    } catch {
      return 0;
    }
  }

  it('stops after planning with each plan and its show text, holds the environment, and applies exactly the saved plan once approved', async () => {
    const cfg = config();
    const manager = createManager(t.db, cfg, { outputs: NO_OUTPUTS });
    const waiting = await awaitingRun(manager);
    expect(waiting.status).toBe('awaiting-approval');
    // No instance holds it, and its directory is gone.
    expect(waiting.instanceId).toBeUndefined();
    await expect(fs.access(`${cfg.workDir}/${waiting.id}`)).rejects.toThrow();
    expect(waiting.approval?.plannedAt).toBeDefined();
    const cluster = waiting.stacks[0];
    expect(cluster).toMatchObject({ stack: 'cluster', status: 'planned' });
    expect(cluster.plan!.add).toBeGreaterThan(0);
    expect(cluster.planSha256).toMatch(/^[0-9a-f]{64}$/);
    const shown = await manager.readPlanText(waiting.id, 'cluster');
    expect(shown.sha256).toBe(cluster.planSha256);
    expect(shown.text).toContain('will be created');
    expect(await clusterState(cfg)).toBe(0);

    // The environment stays locked: a plan asked for now waits behind the awaiting run.
    const behind = await manager.startRun({
      environment: ENV,
      mode: 'plan',
      createdBy: APPROVER,
    });
    expect(behind.run.status).toBe('queued');

    const approved = await manager.decideRun(waiting.id, {
      decision: 'approved',
      by: APPROVER,
      comment: 'looks right',
    });
    expect(approved.approval).toMatchObject({
      decision: 'approved',
      decidedBy: APPROVER,
      comment: 'looks right',
    });
    const applied = await waitForFinal(manager, waiting.id);
    expect(applied.status).toBe('succeeded');
    expect(applied.stacks.map(s => [s.stack, s.status])).toEqual([
      ['cluster', 'applied'],
      ['monitoring', 'skipped'],
      ['storage', 'skipped'],
    ]);
    const lines = await log(manager, waiting.id);
    expect(lines).toContain(
      `applying the approved plan (sha256 ${cluster.planSha256}, checked)`,
    );
    // One plan of the cluster: the apply did not plan again.
    expect(lines.filter(l => l === '$ terraform plan')).toHaveLength(1);
    expect(await clusterState(cfg)).toBeGreaterThan(0);
    expect((await behind.done).status).toBe('succeeded');
  });

  it('refuses a plan whose environment files changed on the branch after it (stale plan)', async () => {
    const cfg = config();
    const manager = createManager(t.db, cfg, { outputs: NO_OUTPUTS });
    const waiting = await awaitingRun(manager);
    await gitops.commit(ENV, (stack, text) =>
      stack === 'cluster' ? `${text}\n# edited after the plan\n` : text,
    );
    const ended = await approveAndEnd(manager, waiting.id);
    expect(ended.status).toBe('failed');
    expect(ended.error).toMatch(
      /^stale plan: infra\/environments\/approval-test changed after the plan/,
    );
    expect(await log(manager, waiting.id)).not.toContain('$ terraform apply');
    expect(await clusterState(cfg)).toBe(0);
  });

  it('refuses a plan older than the configured age (stale plan)', async () => {
    const cfg = config({ maxPlanAgeMs: 1 });
    const manager = createManager(t.db, cfg, { outputs: NO_OUTPUTS });
    const waiting = await awaitingRun(manager);
    await new Promise(r => setTimeout(r, 20));
    const ended = await approveAndEnd(manager, waiting.id);
    expect(ended.status).toBe('failed');
    expect(ended.error).toMatch(/^stale plan: planned at .*older than/);
    expect(await clusterState(cfg)).toBe(0);
  });

  it('refuses a plan when another apply of the environment succeeded after it (stale plan)', async () => {
    const cfg = config();
    const manager = createManager(t.db, cfg, { outputs: NO_OUTPUTS });
    const waiting = await awaitingRun(manager);
    // An apply that ended after the plan (as one of a backend before this lock would have).
    await t.db('devops_app_terraform_runs').insert({
      id: 'other-apply',
      environment: ENV,
      mode: 'apply',
      status: 'succeeded',
      created_by: APPROVER,
      instance_id: '',
      heartbeat_at: 0,
      source: 'gitops',
      started_at: new Date().toISOString(),
      finished_at: new Date(Date.now() + 1000).toISOString(),
    });
    const ended = await approveAndEnd(manager, waiting.id);
    expect(ended.status).toBe('failed');
    expect(ended.error).toMatch(
      /^stale plan: run other-apply changed approval-test at /,
    );
  });

  it('fails with the reason when a saved plan does not match its checksum', async () => {
    const cfg = config();
    const manager = createManager(t.db, cfg, { outputs: NO_OUTPUTS });
    const waiting = await awaitingRun(manager);
    await t
      .db('devops_app_terraform_plans')
      .where({ run_id: waiting.id, stack: 'cluster' })
      .update({ content: Buffer.from('not the reviewed plan') });
    const ended = await approveAndEnd(manager, waiting.id);
    expect(ended.status).toBe('failed');
    expect(ended.error).toContain(
      `The saved plan of cluster in run ${waiting.id} does not match its checksum`,
    );
    expect(await log(manager, waiting.id)).not.toContain('$ terraform apply');
    expect(await clusterState(cfg)).toBe(0);
  });

  it('never applies a rejected plan, releases the environment and refuses a second decision', async () => {
    const cfg = config();
    const manager = createManager(t.db, cfg, { outputs: NO_OUTPUTS });
    const waiting = await awaitingRun(manager);
    const rejected = await manager.decideRun(waiting.id, {
      decision: 'rejected',
      by: APPROVER,
      comment: 'too big',
    });
    expect(rejected).toMatchObject({
      status: 'rejected',
      approval: {
        decision: 'rejected',
        decidedBy: APPROVER,
        comment: 'too big',
      },
    });
    await expect(
      manager.decideRun(waiting.id, {
        decision: 'approved',
        by: APPROVER,
        comment: 'changed my mind',
      }),
    ).rejects.toThrow(/is rejected, not awaiting approval/);
    await new Promise(r => setTimeout(r, 1000));
    expect((await manager.getRun(waiting.id)).status).toBe('rejected');
    expect(await log(manager, waiting.id)).not.toContain('$ terraform apply');
    expect(await clusterState(cfg)).toBe(0);
    // Its environment is free: the next run starts at once.
    const next = await manager.startRun({
      environment: ENV,
      mode: 'plan',
      createdBy: APPROVER,
    });
    expect(next.run.status).toBe('running');
    await next.done;
  });
});

async function waitForFinal(
  manager: ReturnType<typeof createManager>,
  id: string,
) {
  const deadline = Date.now() + 150_000;
  for (;;) {
    const run = await manager.getRun(id);
    if (
      ['succeeded', 'failed', 'cancelled', 'interrupted', 'rejected'].includes(
        run.status,
      ) ||
      Date.now() > deadline
    )
      return run;
    await new Promise(r => setTimeout(r, 200));
  }
}
