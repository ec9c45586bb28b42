import { ChildProcess, spawn } from 'node:child_process';
import { freePort, guestToken, startPortal } from '@devops-app/e2e';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function waitFor(
  what: string,
  timeoutMs: number,
  ready: () => Promise<boolean>,
  exited: () => boolean,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited()) throw new Error(`${what} exited during start-up`);
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`${what} not ready within ${timeoutMs} ms`);
    await new Promise(r => setTimeout(r, 500));
  }
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid)
    return;
  const exited = new Promise(r => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export interface Prometheus {
  baseUrl: string;
  /** Prometheus's own count of `/api/v1/query_range` calls (`prometheus_http_requests_total`). */
  rangeQueries(): Promise<number>;
  stop(): Promise<void>;
}

/** Debian's Prometheus on a free port, scraping itself every second so queries have data to read. */
export async function startPrometheus(): Promise<Prometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'devops-app-bench-prometheus-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  await writeFile(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`,
  );
  const child = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  await waitFor(
    'prometheus',
    30_000,
    async () => (await fetch(`${baseUrl}/-/ready`)).ok,
    () => child.exitCode !== null,
  );
  return {
    baseUrl,
    async rangeQueries() {
      const text = await (await fetch(`${baseUrl}/metrics`)).text();
      return text
        .split('\n')
        .filter(
          l =>
            l.startsWith('prometheus_http_requests_total{') &&
            l.includes('handler="/api/v1/query_range"'),
        )
        .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    },
    async stop() {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Backend {
  baseUrl: string;
  token: string;
  stop(): Promise<void>;
}

/**
 * The real backend (e2e's startPortal: `yarn workspace backend start`, app-config.yaml) on a free port,
 * reading the given Prometheus both ways: our plugin's metrics routes, and a plain proxy endpoint
 * `/api/proxy/prometheus` as the raw-PromQL plugins use.
 */
export async function startBackend(
  prometheusUrl: string,
  logFile: string,
): Promise<Backend> {
  const portal = await startPortal({
    logFile,
    env: {
      APP_CONFIG_devopsApp_prometheus_baseUrl: JSON.stringify(prometheusUrl),
      APP_CONFIG_devopsApp_prometheus_scrapeIntervalSeconds: '1',
      APP_CONFIG_proxy: JSON.stringify({
        endpoints: {
          '/prometheus': { target: prometheusUrl, credentials: 'require' },
        },
      }),
    },
  });
  try {
    return {
      baseUrl: portal.baseUrl,
      token: await guestToken(portal.baseUrl),
      stop: portal.stop,
    };
  } catch (error) {
    await portal.stop();
    throw error;
  }
}
