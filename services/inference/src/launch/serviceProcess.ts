import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { packageDir, serviceEntryPoint } from '../local/paths';
import type { LogLine } from './inProcessService';

/** Compiles the service to dist/, as the container image build does (incremental, so cheap when current). */
export async function buildService(): Promise<void> {
  try {
    await promisify(execFile)(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      { cwd: packageDir() },
    );
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `building the service failed:\n${stdout ?? ''}${stderr ?? ''}`,
    );
  }
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        resolve(typeof address === 'object' && address ? address.port : 0),
      );
    });
  });
}

export interface ServiceProcess {
  baseUrl: string;
  child: ChildProcess;
  /** Every JSON line the service wrote to stdout. */
  logs: LogLine[];
  /** Anything else it wrote, stdout or stderr. */
  otherOutput: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` (SIGTERM by default) and waits for the exit. */
  stop(
    signal?: NodeJS.Signals,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function collectLines(
  stream: NodeJS.ReadableStream | null,
  onLine: (line: string) => void,
): void {
  let pending = '';
  stream?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    lines.filter(Boolean).forEach(onLine);
  });
}

/**
 * Runs the compiled service (dist/main.js, as in the container) with `env` on a free port and resolves
 * once /healthz answers. Call buildService() first.
 */
export async function startServiceProcess(
  env: Record<string, string>,
  options: {
    /** 'discard' sends stdout to /dev/null: the service still writes every line, nobody parses them. */
    stdout?: 'capture' | 'discard';
  } = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [serviceEntryPoint()], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', options.stdout === 'discard' ? 'ignore' : 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const otherOutput: string[] = [];
  collectLines(child.stdout, line => {
    try {
      logs.push(JSON.parse(line));
    } catch {
      otherOutput.push(line);
    }
  });
  collectLines(child.stderr, line => otherOutput.push(line));
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
  }>(resolve => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `the service exited with ${child.exitCode}:\n${otherOutput.join('\n')}`,
      );
    }
    const alive = await fetch(`${baseUrl}/healthz`).then(
      response => response.ok,
      () => false,
    );
    if (alive) {
      break;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `the service did not start within 30 s:\n${otherOutput.join('\n')}`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }

  return {
    baseUrl,
    child,
    logs,
    otherOutput,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
      }
      return exited;
    },
  };
}
