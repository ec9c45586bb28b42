import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface BackendInstance {
  name: string;
  baseUrl: string;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Starts this package's backend (`backstage-cli package start`, the repository's app-config.yaml) on a
 * free port, with APP_CONFIG_* overrides on top. Its output goes to `logFile`. Resolves once the backend
 * answers its readiness check and hands out a guest token.
 */
export async function startBackend(options: {
  name: string;
  logDir: string;
  env: Record<string, string>;
  timeoutMs: number;
}): Promise<BackendInstance> {
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  await mkdir(options.logDir, { recursive: true });
  const logFile = path.join(options.logDir, `backend-${options.name}.log`);
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn('yarn', ['start'], {
    // Jest runs in packages/backend.
    cwd: process.cwd(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      // Jest sets NODE_ENV=test; the guest provider needs development, as `make start` runs it.
      NODE_ENV: 'development',
      APP_CONFIG_app_baseUrl: JSON.stringify(baseUrl),
      APP_CONFIG_backend_baseUrl: JSON.stringify(baseUrl),
      APP_CONFIG_backend_listen_port: String(port),
      APP_CONFIG_backend_cors_origin: JSON.stringify(baseUrl),
      ...options.env,
    },
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });

  const stop = async () => {
    if (!exited && child.pid) {
      const gone = new Promise(r => child.once('exit', r));
      process.kill(-child.pid, 'SIGTERM');
      const killer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 15_000);
      await gone;
      clearTimeout(killer);
    }
    log.end();
  };

  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (exited) {
      log.end();
      throw new Error(
        `backend ${options.name} exited during start-up, see ${logFile}`,
      );
    }
    try {
      const ready = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
      if (ready.ok) {
        await guestToken(baseUrl);
        return { name: options.name, baseUrl, logFile, stop };
      }
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  await stop();
  throw new Error(
    `backend ${options.name} was not ready within ${options.timeoutMs} ms, see ${logFile}`,
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

export interface SignalsSocket {
  /** Every `{ channel, message }` frame received so far, in order. */
  received: Array<{ channel: string; message: any }>;
  /**
   * Resolves with the message of the first frame (already received or arriving within `timeoutMs`) on
   * `channel` that `match` accepts, else undefined.
   */
  waitFor(
    channel: string,
    match: (message: any) => boolean,
    timeoutMs: number,
  ): Promise<any | undefined>;
  close(): void;
}

/**
 * Opens the signals WebSocket as @backstage/plugin-signals' SignalClient does: the signals plugin's base
 * URL with ws:, the Backstage token as the WebSocket sub-protocol, then `{ action: 'subscribe', channel }`.
 */
export async function openSignals(
  baseUrl: string,
  token: string,
  channel: string,
): Promise<SignalsSocket> {
  const url = new URL(`${baseUrl}/api/signals`);
  url.protocol = 'ws:';
  const ws = new WebSocket(url.toString(), token);
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`signals WebSocket ${url} failed`));
  });
  const received: SignalsSocket['received'] = [];
  const waiters = new Set<() => void>();
  ws.onmessage = e => {
    received.push(JSON.parse(String(e.data)));
    waiters.forEach(w => w());
  };
  ws.send(JSON.stringify({ action: 'subscribe', channel }));
  return {
    received,
    waitFor(wanted, match, timeoutMs) {
      return new Promise(resolve => {
        const timer = setTimeout(() => done(undefined), timeoutMs);
        function done(value: any) {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(value);
        }
        function check() {
          const hit = received.find(
            m => m.channel === wanted && match(m.message),
          );
          if (hit) done(hit.message);
        }
        waiters.add(check);
        check();
      });
    },
    close: () => ws.close(1000),
  };
}
