import {
  Azurite,
  buildService,
  runLoad,
  ServiceProcess,
  startAzurite,
  startServiceProcess,
} from '@devops-app/inference';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './portal';

/**
 * The live observability stack of `make start`, on free ports: Azurite, the compiled inference service
 * (blue), a steady load, and Debian's Prometheus scraping the service every second with the labels the
 * ServiceMonitor adds in the cluster (service, environment="dev").
 */
export interface LiveInference {
  prometheusUrl: string;
  serviceUrl: string;
  /** Resolves once Prometheus can compute a request rate for the service. */
  waitForRate(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startLiveInference(): Promise<LiveInference> {
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const azurite: Azurite = await startAzurite({});
    stops.push(() => azurite.stop());
    await buildService();
    const service: ServiceProcess = await startServiceProcess(
      {
        AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
        ROLLOUT_COLOUR: 'blue',
        DD_TRACE_ENABLED: 'false',
        LOG_LEVEL: 'warn',
      },
      { stdout: 'discard' },
    );
    stops.push(() => service.stop());

    const load = new AbortController();
    const loadDone = runLoad({
      baseUrl: service.baseUrl,
      rps: 4,
      seconds: 0,
      concurrency: 4,
      invalidRatio: 0.25,
      signal: load.signal,
    }).catch(() => undefined);
    stops.push(async () => {
      load.abort();
      await loadDone;
    });

    const dir = await mkdtemp(join(tmpdir(), 'devops-app-e2e-prometheus-'));
    stops.push(() => rm(dir, { recursive: true, force: true }));
    const port = await freePort();
    const target = service.baseUrl.replace('http://', '');
    await writeFile(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: inference',
        '    static_configs:',
        `      - targets: ['${target}']`,
        '        labels:',
        '          service: inference-service',
        '          environment: dev',
        '',
      ].join('\n'),
    );
    const prometheus: ChildProcess = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    stops.push(async () => {
      if (prometheus.exitCode === null) {
        const exited = new Promise(r => prometheus.once('exit', r));
        prometheus.kill('SIGTERM');
        await exited;
      }
    });
    const prometheusUrl = `http://127.0.0.1:${port}`;

    const waitForRate = async (timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      const query = encodeURIComponent(
        'sum(rate(http_request_duration_seconds_count{service="inference-service",environment="dev"}[10s]))',
      );
      for (;;) {
        const body = await fetch(`${prometheusUrl}/api/v1/query?query=${query}`)
          .then(
            r =>
              r.json() as Promise<{
                data?: { result?: Array<{ value: [number, string] }> };
              }>,
          )
          .catch(() => undefined);
        const value = Number(body?.data?.result?.[0]?.value[1] ?? 0);
        if (value > 0) return;
        if (Date.now() > deadline) {
          throw new Error(
            `Prometheus at ${prometheusUrl} had no request rate within ${timeoutMs} ms`,
          );
        }
        await new Promise(r => setTimeout(r, 500));
      }
    };
    return { prometheusUrl, serviceUrl: service.baseUrl, waitForRate, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
