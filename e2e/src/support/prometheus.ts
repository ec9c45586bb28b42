/**
 * Test support shared by the backend plugin's metrics tests and the browser suites: a real Prometheus
 * (Debian's binary) on a free port of 127.0.0.1, serving blocks made with `promtool tsdb
 * create-blocks-from openmetrics` from known samples.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningPrometheus {
  baseUrl: string;
  stop(): Promise<void>;
}

export async function startPrometheus(
  openMetrics: string,
): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'devops-app-prometheus-'));
  const dataDir = join(dir, 'data');
  await writeFile(join(dir, 'samples.om'), openMetrics);
  await writeFile(
    join(dir, 'prometheus.yml'),
    'global:\n  scrape_interval: 15s\n',
  );
  await promisify(execFile)('promtool', [
    'tsdb',
    'create-blocks-from',
    'openmetrics',
    join(dir, 'samples.om'),
    dataDir,
  ]);
  const port = await freePort();
  const child = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=30d',
      // Blocks cover the past few hours; without this Prometheus would not serve samples older than the
      // default lookback from the head, but blocks are read as they are.
      '--query.lookback-delta=5m',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', chunk => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`prometheus exited with ${child.exitCode}: ${stderr}`);
    }
    try {
      const res = await fetch(`${baseUrl}/-/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`prometheus did not become ready: ${stderr}`);
    }
    await new Promise(r => setTimeout(r, 200));
  }
  return {
    baseUrl,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise(r => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Prometheus's own count of `query_range` calls (`prometheus_http_requests_total`), read from its
 * `/metrics` so the reading itself is not a query.
 */
export async function countRangeQueries(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (
      line.startsWith('prometheus_http_requests_total{') &&
      line.includes('handler="/api/v1/query_range"')
    ) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}
