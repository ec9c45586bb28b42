import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Locator } from 'playwright-core';
import { freePort, repoRoot } from './portal';

export interface RunningRegistry {
  /** http://127.0.0.1:<port>, chosen at run time. */
  url: string;
  /** Pushes the tags (in order: the last is the newest) with scripts/push-sample-images.mts. */
  push(repository: string, ...tags: string[]): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

/**
 * A throwaway Debian docker-registry on a free port of 127.0.0.1, started by the project's
 * scripts/start-registry.sh with its images in a temp directory (removed by `stop`).
 */
export async function startRegistry(): Promise<RunningRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'devops-app-registry-'));
  const port = await freePort();
  const child = spawn(resolve(repoRoot, 'scripts/start-registry.sh'), [], {
    env: {
      ...process.env,
      REGISTRY_PORT: String(port),
      REGISTRY_DATA_DIR: dir,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', chunk => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `docker-registry exited with ${child.exitCode}: ${stderr}`,
      );
    }
    try {
      if ((await fetch(`${url}/v2/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not answer: ${stderr}`);
    }
    await new Promise(r => setTimeout(r, 200));
  }
  return {
    url,
    async push(repository, ...tags) {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          '--no-warnings',
          resolve(repoRoot, 'scripts/push-sample-images.mts'),
          '--registry',
          url,
          '--repository',
          repository,
          ...tags,
        ],
        { encoding: 'utf8' },
      );
      // "<repository>:<tag> <digest>" per line
      return Object.fromEntries(
        stdout
          .trim()
          .split('\n')
          .map(line => {
            const [ref, digest] = line.split(' ');
            return [ref.slice(ref.lastIndexOf(':') + 1), digest];
          }),
      );
    },
    async stop() {
      // A process ended by a signal has signalCode set and exitCode null: stop may be called twice.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise(r => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * In an open Deploy dialog: the registry's versions as the list shows them (their accessible names,
 * e.g. "Version 0.2.0", in the list's order), once it has loaded.
 */
export async function registryVersionsShown(
  dialog: Locator,
): Promise<string[]> {
  const versions = dialog.getByTestId('registry-versions');
  await versions.waitFor({ timeout: 60_000 });
  return versions
    .getByRole('button')
    .evaluateAll(items => items.map(i => i.getAttribute('aria-label') ?? ''));
}

/** In an open Deploy dialog: picks `version` from the registry's list and shows the change. */
export async function pickRegistryVersion(dialog: Locator, version: string) {
  await dialog
    .getByTestId('registry-versions')
    .getByRole('button', { name: `Version ${version}` })
    .click();
  await dialog.getByRole('button', { name: 'Show change' }).click();
  await dialog
    .getByLabel('Change to the values file')
    .waitFor({ timeout: 60_000 });
}
