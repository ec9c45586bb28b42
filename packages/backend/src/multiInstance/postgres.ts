import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './backendInstance';

const BIN = process.env.POSTGRES_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

/**
 * A throwaway PostgreSQL on 127.0.0.1 and a free port, in a temp directory, trust auth (the pattern of
 * plugins/devops-app-backend/src/terraform/__testUtils__/postgres.ts; a package may not import another's
 * test files). initdb refuses to run as root, so as root the server runs as the `postgres` system user.
 */
export async function startPostgres(): Promise<{
  connection: { host: string; port: number; user: string; password: string };
  stop: () => Promise<void>;
}> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pg-backend-'));
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const run = (bin: string, args: string[]) =>
    execFileSync(
      asRoot ? 'runuser' : path.join(BIN, bin),
      asRoot ? ['-u', 'postgres', '--', path.join(BIN, bin), ...args] : args,
      { stdio: 'pipe' },
    );
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  const data = path.join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  run('pg_ctl', [
    '-D',
    data,
    '-w',
    '-l',
    path.join(dir, 'log'),
    '-o',
    // Three backends, each with a pool per plugin database: more than the default 100 connections.
    `-p ${port} -h 127.0.0.1 -k ${dir} -F -c max_connections=300`,
    'start',
  ]);
  return {
    connection: { host: '127.0.0.1', port, user: 'postgres', password: '' },
    stop: async () => {
      run('pg_ctl', ['-D', data, '-w', '-m', 'immediate', 'stop']);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
