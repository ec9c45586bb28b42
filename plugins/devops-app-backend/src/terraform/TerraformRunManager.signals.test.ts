import { Knex } from 'knex';
import {
  abandonedRun,
  NO_OUTPUTS,
  createManager,
  gitopsFixture,
  migratedSqlite,
  recordingSignals,
  tempDirs,
  testConfig,
} from './__testUtils__/sandbox';
import { LOG_SIGNAL_INTERVAL_MS } from './TerraformRunSignals';
import { TerraformRunStore } from './TerraformRunStore';

jest.setTimeout(180_000);

const SECRET = 'dd-secret-signal-83b2';

describe('TerraformRunManager signals (real terraform on the sandbox stacks)', () => {
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

  it('publishes every state change and batched log signals, with no log text and no secret', async () => {
    const recording = recordingSignals();
    const { published } = recording;
    // When a log signal goes out, the line it names must already be readable.
    const storedAtSignal: { lastSeq: number; stored: number }[] = [];
    const store = new TerraformRunStore(db);
    const signals = {
      publish: async (
        signal: Parameters<typeof recording.signals.publish>[0],
      ) => {
        const at = Date.now();
        if (signal.message.kind === 'log') {
          const lines = await store.readLog(String(signal.message.runId));
          storedAtSignal.push({
            lastSeq: signal.message.lastSeq as number,
            stored: lines[lines.length - 1].seq,
          });
        }
        published.push({
          channel: signal.channel,
          message: signal.message as Record<string, unknown>,
          at,
        });
      },
    };
    const gitops = await gitopsFixture(dirs.root);
    await gitops.commit('signal-env');
    const manager = createManager(
      db,
      testConfig(dirs.root, {
        sandboxDelaySeconds: 2,
        gitops: { repository: gitops.repository, branch: 'main' },
      }),
      {
        env: { ...process.env, DD_API_KEY: SECRET },
        signals,
        outputs: NO_OUTPUTS,
      },
    );
    const { run, done } = await manager.startRun({
      environment: 'signal-env',
      mode: 'apply',
      createdBy: 'user:default/guest',
    });
    const finished = await done;
    expect(finished.status).toBe('succeeded');
    await manager.shutdown();

    const onRun = published.filter(
      p => p.channel === `devops-app:terraform-run:${run.id}`,
    );
    const states = onRun.filter(p => p.message.kind === 'state');
    const logs = onRun.filter(p => p.message.kind === 'log');

    // State: queued, claimed, each stack going running then applied, and the end.
    expect(states.slice(0, 2).map(s => s.message)).toEqual(
      ['queued', 'running'].map(status => ({
        kind: 'state',
        runId: run.id,
        environment: 'signal-env',
        status,
      })),
    );
    const stackChanges = states
      .filter(s => s.message.stack)
      .map(s => `${s.message.stack}:${s.message.stackStatus}`);
    for (const stack of ['cluster', 'monitoring', 'storage']) {
      expect(stackChanges).toContain(`${stack}:running`);
      expect(stackChanges).toContain(`${stack}:applied`);
    }
    expect(stackChanges.indexOf('cluster:applied')).toBeLessThan(
      stackChanges.indexOf('monitoring:running'),
    );
    expect(states[states.length - 1].message).toEqual({
      kind: 'state',
      runId: run.id,
      environment: 'signal-env',
      status: 'succeeded',
    });
    // The end is the last signal of the run; the last log signal names the last stored line.
    expect(onRun[onRun.length - 1]).toBe(states[states.length - 1]);
    const stored = await new TerraformRunStore(db).readLog(run.id);
    expect(logs.length).toBeGreaterThan(1);
    expect(logs[logs.length - 1].message.lastSeq).toBe(
      stored[stored.length - 1].seq,
    );
    // Batched: far fewer signals than lines, increasing seq, and never two within the interval
    // (the last one, sent at once when the run ends, excepted).
    expect(logs.length).toBeLessThan(stored.length / 3);
    const seqs = logs.map(l => l.message.lastSeq as number);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    for (let i = 1; i < logs.length - 1; i++) {
      expect(logs[i].at - logs[i - 1].at).toBeGreaterThanOrEqual(
        LOG_SIGNAL_INTERVAL_MS - 20,
      );
    }
    // Each log signal only names lines that are already stored, and carries no text.
    expect(storedAtSignal).toHaveLength(logs.length);
    for (const { lastSeq, stored: highest } of storedAtSignal) {
      expect(highest).toBeGreaterThanOrEqual(lastSeq);
    }
    for (const log of logs) {
      expect(Object.keys(log.message).sort()).toEqual([
        'environment',
        'kind',
        'lastSeq',
        'runId',
        'status',
      ]);
    }

    // The lists hear the state changes only.
    const envList = published.filter(
      p => p.channel === 'devops-app:terraform-runs:signal-env',
    );
    expect(envList.map(p => p.message)).toEqual(states.map(s => s.message));
    expect(
      published.filter(p => p.channel === 'devops-app:terraform-runs'),
    ).toHaveLength(states.length);

    // No log text, no secret, no output value in any signal.
    const all = JSON.stringify(published);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain('aks-devops-app-signal-env');
    const texts = stored
      .map(l => JSON.stringify(l.line).slice(1, -1))
      .filter(text => text.trim().length > 12);
    expect(texts.length).toBeGreaterThan(10);
    expect(texts.filter(text => all.includes(text))).toEqual([]);
  });

  it('announces a run interrupted by a stopped backend', async () => {
    const { signals, published } = recordingSignals();
    await abandonedRun(db, {
      id: 'left-over',
      environment: 'abandoned',
      instanceId: 'backend-1',
    });
    const manager = createManager(db, testConfig(dirs.root), {
      instanceId: 'backend-1',
      signals,
    });
    await manager.recover();
    expect(published.map(p => [p.channel, p.message.status])).toEqual([
      ['devops-app:terraform-run:left-over', 'interrupted'],
      ['devops-app:terraform-runs:abandoned', 'interrupted'],
      ['devops-app:terraform-runs', 'interrupted'],
    ]);
  });
});
