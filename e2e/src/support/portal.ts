import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';

/** The repository root: the nearest directory up from the working directory that holds yarn.lock. */
function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, 'yarn.lock'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no yarn.lock above ${start}`);
  }
}

// Jest runs in the package's directory (e2e/, packages/backend/, ...), the benchmarks in bench/.
export const repoRoot = findRepoRoot(process.cwd());
export const resultsDir = resolve(repoRoot, 'test-results/e2e');

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface RunningPortal {
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the real backend (SQLite in memory, guest sign-in, the catalog files) from the repository's
 * app-config.yaml on a free port. The app-backend plugin serves the built frontend (packages/app/dist,
 * from `yarn workspace app build`) on the same origin, so the browser sees what production serves.
 */
export async function startPortal(
  options: {
    /** Extra environment, e.g. APP_CONFIG_* for a test's own upstreams. */
    env?: Record<string, string>;
    /** Where the backend's output goes; default test-results/e2e/backend.log. */
    logFile?: string;
    /** How long it may take to serve the catalog; default 240 s. */
    timeoutMs?: number;
    /**
     * Config overlays loaded after app-config.yaml (absolute, or relative to the repository root), e.g.
     * OAUTH2_PROXY_CONFIG (support/identities.ts). Without them the backend loads app-config.yaml only.
     */
    configFiles?: string[];
  } = {},
): Promise<RunningPortal> {
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const logFile = options.logFile ?? resolve(resultsDir, 'backend.log');
  await mkdir(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile);
  // `--config` replaces the default app-config.yaml, so it comes first, then the overlays.
  const configArgs = options.configFiles?.length
    ? ['app-config.yaml', ...options.configFiles].flatMap(file => [
        '--config',
        resolve(repoRoot, file),
      ])
    : [];
  const child: ChildProcess = spawn(
    'yarn',
    ['workspace', 'backend', 'start', ...configArgs],
    {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        // Jest sets NODE_ENV=test; the backend runs as `make start` runs it.
        NODE_ENV: 'development',
        APP_CONFIG_app_baseUrl: JSON.stringify(baseUrl),
        APP_CONFIG_backend_baseUrl: JSON.stringify(baseUrl),
        APP_CONFIG_backend_listen_port: String(port),
        APP_CONFIG_backend_cors_origin: JSON.stringify(baseUrl),
        ...options.env,
      },
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });

  const stop = async () => {
    if (!exited && child.pid) {
      const pid = child.pid;
      const gone = new Promise(r => child.once('exit', r));
      process.kill(-pid, 'SIGTERM');
      // The dev runner's shutdown hooks can hang (e.g. a long-poll to the events bus): not forever.
      const killer = setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 15_000);
      await gone;
      clearTimeout(killer);
    }
    log.end();
  };

  const timeoutMs = options.timeoutMs ?? 240_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) {
      throw new Error(`backend exited during start-up, see ${logFile}`);
    }
    try {
      const token = await guestToken(baseUrl);
      const res = await fetch(
        `${baseUrl}/api/catalog/entities/by-name/component/default/inference-service`,
        {
          headers: { Authorization: `Bearer ${token}` },
        },
      );
      if (res.ok) {
        return { baseUrl, stop };
      }
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 2000));
  }
  await stop();
  throw new Error(
    `backend did not serve the catalog within ${
      timeoutMs / 1000
    }s, see ${logFile}`,
  );
}

/** A Backstage token from the guest provider, as the sign-in page obtains it. */
export async function guestToken(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/guest/refresh?env=development`, {
    // The auth backend only answers its own app's origin, as a browser would send it.
    headers: { 'X-Requested-With': 'XMLHttpRequest', Origin: baseUrl },
  });
  if (!res.ok) {
    throw new Error(`guest sign-in failed: ${res.status} ${await res.text()}`);
  }
  const body = (await res.json()) as { backstageIdentity: { token: string } };
  return body.backstageIdentity.token;
}
