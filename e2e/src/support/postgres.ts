import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './portal';

const BIN = process.env.POSTGRES_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

export interface ThrowawayPostgres {
  connection: {
    host: string;
    port: number;
    user: string;
    password: string;
    database: string;
  };
  stop: () => Promise<void>;
}

/**
 * A throwaway PostgreSQL (Debian's server binaries) on 127.0.0.1 and a free port, in a temp directory,
 * trust auth: the shared database of tests that run two or more backends (terraform locks, signals
 * across instances). initdb refuses to run as root, so as root the server runs as the `postgres` user.
 */
export async function startPostgres(
  options: {
    /** Default 100; each backend keeps a pool per plugin database. */ maxConnections?: number;
  } = {},
): Promise<ThrowawayPostgres> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pg-'));
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
  const settings = options.maxConnections
    ? ` -c max_connections=${options.maxConnections}`
    : '';
  run('pg_ctl', [
    '-D',
    data,
    '-w',
    '-l',
    path.join(dir, 'log'),
    '-o',
    `-p ${port} -h 127.0.0.1 -k ${dir} -F${settings}`,
    'start',
  ]);
  return {
    connection: {
      host: '127.0.0.1',
      port,
      user: 'postgres',
      password: '',
      database: 'postgres',
    },
    stop: async () => {
      run('pg_ctl', ['-D', data, '-w', '-m', 'immediate', 'stop']);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
