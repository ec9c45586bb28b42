/*
 * A terraform run survives the death of the backend instance running it. Two real backends (this
 * package's `start`, the repository's app-config.yaml) share one throwaway PostgreSQL and one GitOps
 * repository, each with its own run directories as two pods would have:
 *   - a slow sandbox apply (devopsApp.terraform.sandboxDelaySeconds) starts on A, and a second run of
 *     the same environment is queued behind it;
 *   - A's backend process is killed with SIGKILL (no shutdown hook runs);
 *   - B's recovery task (coreServices.scheduler, scope global) marks the first run interrupted with
 *     the reason and releases the environment; a worker claims the queued run, which succeeds;
 *   - nothing of the dead run is left: no process whose command line or environment names it.
 * The bound with the default configuration (heartbeat 2 s, stale after 15 s, recovery every 5 s, poll
 * every 1 s) is 26 s from the kill to the queued run starting (plugins/devops-app-backend/src/terraform/index.ts);
 * asserted generously, at three times that, on this busy machine.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  findProcesses,
  guestToken,
  RunningPortal,
  startPortal,
  startPostgres,
} from '@devops-app/e2e';

const ENV = 'mi-recover';
const BOUND_MS = 26_000;
const START_TIMEOUT_MS = 300_000;
const repoRoot = path.resolve(__dirname, '../../../..');

jest.setTimeout(15 * 60_000);

type Run = {
  id: string;
  status: string;
  error?: string;
  claimedAt?: string;
  finishedAt?: string;
  instanceId?: string;
  commit?: string;
};

async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not within ${timeoutMs} ms; last ${JSON.stringify(value)}`,
      );
    }
    await new Promise(r => setTimeout(r, 500));
  }
}

/** A bare GitOps repository whose main branch holds the environment's files (dev's, renamed). */
async function gitopsRepository(root: string) {
  const work = path.join(root, 'gitops-work');
  const bare = path.join(root, 'gitops.git');
  const dir = path.join(work, 'infra', 'environments', ENV);
  await fs.mkdir(dir, { recursive: true });
  for (const stack of ['cluster', 'monitoring', 'storage']) {
    const dev = await fs.readFile(
      path.join(repoRoot, 'infra', 'environments', 'dev', `${stack}.tfvars`),
      'utf8',
    );
    await fs.writeFile(
      path.join(dir, `${stack}.tfvars`),
      dev
        .replace(/"dev"/g, `"${ENV}"`)
        .replace(/stdevopsappdev/g, 'stdevopsappmirecover'),
    );
  }
  const git = (args: string[], cwd = work) =>
    execFileSync(
      'git',
      ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args],
      { cwd, stdio: 'pipe' },
    ).toString();
  git(['init', '--quiet', '-b', 'main']);
  git(['add', '-A']);
  git(['commit', '--quiet', '-m', `Add environment ${ENV}`]);
  git(['clone', '--quiet', '--bare', work, bare], root);
  return { repository: bare, head: git(['rev-parse', 'HEAD']).trim() };
}

describe('terraform runs across backend instances (PostgreSQL)', () => {
  let pg: Awaited<ReturnType<typeof startPostgres>> | undefined;
  let root: string;
  const backends: RunningPortal[] = [];
  const logDir = path.resolve(
    process.cwd(),
    '../../test-results/backend-multi-instance',
  );

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'tf-multi-'));
    pg = await startPostgres({ maxConnections: 300 });
  });
  afterAll(async () => {
    await Promise.allSettled(backends.map(b => b.stop()));
    await pg?.stop();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('recovers the run of a SIGKILLed instance on the survivor, which then runs the queued run, leaving no terraform behind', async () => {
    const gitops = await gitopsRepository(root);
    const env = () => ({
      APP_CONFIG_backend_database: JSON.stringify({
        client: 'pg',
        connection: { ...pg!.connection, database: undefined },
      }),
      APP_CONFIG_devopsApp_gitops: JSON.stringify({
        repository: gitops.repository,
        branch: 'main',
      }),
      APP_CONFIG_devopsApp_terraform: JSON.stringify({
        target: 'sandbox',
        stateDir: path.join(root, 'state'),
        // One disk for both (one host): the survivor's recovery removes the dead run's directory.
        // (Pods each have their own; a restarted instance sweeps what ended runs left there.)
        workDir: path.join(root, 'runs'),
        sandboxDelaySeconds: 300,
      }),
    });
    // A first: it creates the databases and runs the migrations.
    const a = await startPortal({
      logFile: path.join(logDir, 'terraform-a.log'),
      env: env(),
      timeoutMs: START_TIMEOUT_MS,
    });
    backends.push(a);
    const b = await startPortal({
      logFile: path.join(logDir, 'terraform-b.log'),
      env: env(),
      timeoutMs: START_TIMEOUT_MS,
    });
    backends.push(b);

    const call = async (base: string, route: string, body?: object) => {
      const res = await fetch(`${base}/api/devops-app/terraform${route}`, {
        method: body ? 'POST' : 'GET',
        headers: {
          Authorization: `Bearer ${await guestToken(base)}`,
          'Content-Type': 'application/json',
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${route}: ${res.status} ${text}`);
      return JSON.parse(text);
    };
    const getRun = (base: string, id: string): Promise<Run> =>
      call(base, `/runs/${id}`);

    const first: Run = await call(a.baseUrl, '/runs', {
      environment: ENV,
      mode: 'apply',
    });
    expect(first.status).toBe('running');
    expect(first.commit).toBe(gitops.head);
    const second: Run = await call(a.baseUrl, '/runs', {
      environment: ENV,
      mode: 'plan',
    });
    expect(second.status).toBe('queued');

    // The apply is under way: its terraform (under the guard) is running the sandbox's long sleep.
    const before = await waitFor(
      'the apply sleeping',
      () => findProcesses(first.id),
      ps => ps.some(p => p.args[0] === 'sleep'),
      120_000,
    );
    // The backend process of A is the guard's parent (the guard is `sh -c <guard> guard terraform ...`).
    const guard = before.find(
      p => p.args[0] === '/bin/sh' && p.args[3] === 'guard',
    )!;
    expect(guard).toBeDefined();
    // Either instance's worker may have claimed the apply (the queue is shared): the one running it
    // dies, the other survives.
    const claimed = await waitFor(
      'the apply claimed',
      () => getRun(a.baseUrl, first.id),
      r => r.instanceId !== undefined,
      60_000,
    );
    const port = (p: RunningPortal) => new URL(p.baseUrl).port;
    const [victim, survivor] = claimed.instanceId!.endsWith(`:${port(a)}`)
      ? [a, b]
      : [b, a];
    expect(claimed.instanceId).toMatch(new RegExp(`:${port(victim)}$`));
    const backendPid = guard.ppid;
    const killedAt = Date.now();
    process.kill(backendPid, 'SIGKILL');
    // The rest of the victim (yarn and the dev runner) goes too, so that nothing restarts it.
    await victim.stop();

    const interrupted = await waitFor(
      'the dead run interrupted by the survivor',
      () => getRun(survivor.baseUrl, first.id),
      r => r.status === 'interrupted',
      BOUND_MS * 3,
    );
    expect(interrupted.error).toMatch(/no heartbeat/);
    const next = await waitFor(
      'the queued run claimed',
      () => getRun(survivor.baseUrl, second.id),
      r => r.claimedAt !== undefined,
      BOUND_MS * 3,
    );
    const claimedAfterMs = Date.parse(next.claimedAt!) - killedAt;
    console.log(
      `Killed at 0 ms: interrupted at ${
        Date.parse(interrupted.finishedAt!) - killedAt
      } ms, queued run claimed at ${claimedAfterMs} ms (bound ${BOUND_MS} ms)`,
    );
    expect(claimedAfterMs).toBeLessThan(BOUND_MS * 3);
    const done = await waitFor(
      'the queued run ended',
      () => getRun(survivor.baseUrl, second.id),
      r => r.finishedAt !== undefined,
      180_000,
    );
    expect(done.status).toBe('succeeded');
    expect(done.instanceId).toMatch(new RegExp(`:${port(survivor)}$`));

    // Nothing of the dead run is left: no terraform, sleep or guard naming it (the guard's grace
    // for terraform's SIGTERM is 5 s), and its directory is gone.
    expect(
      await waitFor(
        'no process of the dead run',
        () => findProcesses(first.id),
        ps => ps.length === 0,
        30_000,
      ),
    ).toEqual([]);
    await expect(
      fs.access(path.join(root, 'runs', first.id)),
    ).rejects.toThrow();
    // The state the killed apply left is usable: the plan ran against it above.
    await expect(
      fs.readdir(path.join(root, 'state', ENV)),
    ).resolves.not.toContain('.cluster.tfstate.lock.info');
  });
});
