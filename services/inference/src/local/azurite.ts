import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';

/**
 * Azurite, Microsoft's Azure Storage emulator (blob service only), for local runs, tests and the
 * benchmark. It is the stand-in for Azure Blob Storage: same REST API and SDK, none of Azure's
 * identity, networking or durability.
 */
export interface Azurite {
  host: string;
  port: number;
  /** The connection string for the service; pass it by environment variable, never in a file. */
  connectionString: string;
  /** True when an Azurite already listening was reused instead of started. */
  reused: boolean;
  /** Stops Azurite if this call started it. */
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Keep blobs under this directory; in memory when absent. */
  location?: string;
  /**
   * Use the emulator's documented default account (reached with `UseDevelopmentStorage=true`, port
   * 10000 only) instead of an account with a key made up for this run. Other local tools expect it.
   */
  defaultAccount?: boolean;
  /** With defaultAccount: reuse an Azurite already listening on port 10000. */
  reuse?: boolean;
  /** How long to wait for Azurite to listen. */
  startTimeoutMs?: number;
}

/** The SDK's `UseDevelopmentStorage=true` always means the default account on this port. */
const DEFAULT_ACCOUNT_PORT = 10000;

function azuriteBlobBin(): string {
  return join(
    dirname(require.resolve('azurite/package.json')),
    'dist',
    'src',
    'blob',
    'main.js',
  );
}

function isListening(host: string, port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise(resolve => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts Azurite's blob service and resolves once it listens. Unless `defaultAccount` is set, it gets
 * an account with a random key made for this run, so no key is written down anywhere.
 */
export async function startAzurite(
  options: AzuriteOptions = {},
): Promise<Azurite> {
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.defaultAccount
    ? DEFAULT_ACCOUNT_PORT
    : options.port ?? 0;
  if (
    options.defaultAccount &&
    options.reuse &&
    (await isListening(host, requestedPort))
  ) {
    return {
      host,
      port: requestedPort,
      connectionString: 'UseDevelopmentStorage=true',
      reused: true,
      stop: async () => undefined,
    };
  }

  const account = 'devopsapp';
  const key = randomBytes(32).toString('base64');
  const { AZURITE_ACCOUNTS: _inherited, ...env } = process.env;
  if (!options.defaultAccount) {
    env.AZURITE_ACCOUNTS = `${account}:${key}`;
  }
  const args = [
    azuriteBlobBin(),
    '--blobHost',
    host,
    '--blobPort',
    String(requestedPort),
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
  ];
  if (options.location) {
    mkdirSync(options.location, { recursive: true });
    args.push('--location', options.location);
  } else {
    args.push('--inMemoryPersistence', '--extentMemoryLimit', '512');
  }
  const child = spawn(process.execPath, args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      reject(
        new Error(
          `Azurite did not start within ${
            options.startTimeoutMs ?? 30_000
          } ms:\n${output}`,
        ),
      );
    }, options.startTimeoutMs ?? 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /successfully listens on https?:\/\/[^:\s]+:(\d+)/.exec(
        output,
      );
      if (listening) {
        clearTimeout(timer);
        resolve(Number(listening[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', code => {
      clearTimeout(timer);
      reject(
        new Error(
          `Azurite exited with code ${code} before listening:\n${output}`,
        ),
      );
    });
  });
  // Keep reading so a chatty Azurite never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();

  return {
    host,
    port,
    connectionString: options.defaultAccount
      ? 'UseDevelopmentStorage=true'
      : `DefaultEndpointsProtocol=http;AccountName=${account};AccountKey=${key};` +
        `BlobEndpoint=http://${host}:${port}/${account};`,
    reused: false,
    stop: () => stopProcess(child),
  };
}
