import {
  guestToken,
  knownSamples,
  startPortal,
  startPrometheus,
} from '@devops-app/e2e';
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import {
  burst,
  formatBeforeAfter,
  formatLevels,
  LevelResult,
  PANEL_REQUESTS,
  PanelRequest,
  RecordedQuery,
  SideFigures,
  startRecordingProxy,
} from './run';
import { waitForQuiet } from '../quiet';

/**
 * `yarn workspace @devops-app/bench metrics-load [--levels 50,100,200] [--rounds 3] [--tokens N] [--before] [--no-settle] [--json]`:
 * concurrent Metrics panel requests through our backend against the same panels' queries sent straight
 * to Prometheus's query_range, p50/p99 of each and the ratio. `--before` also starts a second backend
 * with `devopsApp.readShareMs: 0` (each request reads the catalog with the caller's credentials, the
 * path before SharedEntityReads) and prints its p50/p99 beside ours, alternating bursts.
 */
function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

async function main() {
  const levels = option('levels', '50,100,200').split(',').map(Number);
  const rounds = Number(option('rounds', '3'));
  // Before each burst the machine is let settle (the previous side's leftover work); --no-settle: not.
  const settle = process.argv.includes('--no-settle')
    ? undefined
    : () => waitForQuiet();
  const logDir = resolve(process.cwd(), '../test-results/bench');
  mkdirSync(logDir, { recursive: true });

  // Six hours of the inference service's samples (e2e's known samples, 15 s apart) up to now.
  const now = Math.floor(Date.now() / 1000);
  const prometheus = await startPrometheus(
    knownSamples(now - 6 * 3600, now).text,
  );
  const proxy = await startRecordingProxy(prometheus.baseUrl);
  const backendEnv = (before: boolean) => ({
    APP_CONFIG_devopsApp_prometheus_baseUrl: JSON.stringify(proxy.baseUrl),
    APP_CONFIG_devopsApp_prometheus_scrapeIntervalSeconds: '15',
    // The "before" of `--before`: every panel request reads the catalog with the caller's credentials.
    ...(before ? { APP_CONFIG_devopsApp_readShareMs: '0' } : {}),
    ...(process.env.BENCH_BACKEND_NODE_OPTIONS
      ? { NODE_OPTIONS: process.env.BENCH_BACKEND_NODE_OPTIONS }
      : {}),
  });
  const compare = process.argv.includes('--before');
  const [portal, beforePortal] = await Promise.all([
    startPortal({
      logFile: resolve(logDir, 'metrics-load-backend.log'),
      env: backendEnv(false),
    }),
    compare
      ? startPortal({
          logFile: resolve(logDir, 'metrics-load-backend-before.log'),
          env: backendEnv(true),
        })
      : undefined,
  ]);
  try {
    // One viewer per five panel requests, each with a token of its own (a sign-in each), so the
    // backend shares nothing between viewers that it would not share between different users.
    // `--tokens N` instead: N tokens for all (1: one viewer's credentials for every request).
    const viewers = Number(
      option('tokens', String(Math.ceil(Math.max(...levels) / 5))),
    );
    const tokensOf = async (baseUrl: string) => {
      const tokens: string[] = [];
      for (let v = 0; v < viewers; v++) tokens.push(await guestToken(baseUrl));
      return tokens;
    };
    const through =
      (baseUrl: string, tokens: string[]) =>
      async (r: PanelRequest, i = 0) => {
        const res = await fetch(
          `${baseUrl}/api/devops-app/observability/metrics?entityRef=component:default/inference-service&environment=dev&range=${r.range}&panel=${r.panel}`,
          {
            headers: {
              Authorization: `Bearer ${
                tokens[Math.floor(i / 5) % tokens.length]
              }`,
            },
          },
        );
        await res.arrayBuffer();
        return res.ok;
      };
    const throughBackend = through(
      portal.baseUrl,
      await tokensOf(portal.baseUrl),
    );
    const throughBefore = beforePortal
      ? through(beforePortal.baseUrl, await tokensOf(beforePortal.baseUrl))
      : undefined;
    // Each panel/range once, alone: the query_range calls our backend makes for it.
    const queriesOf = new Map<PanelRequest, RecordedQuery[]>();
    for (const r of PANEL_REQUESTS) {
      const recorded = await proxy.record(async () => {
        if (!(await throughBackend(r)))
          throw new Error(`${r.panel} ${r.range} failed`);
      });
      queriesOf.set(r, recorded);
    }
    const straight = async (r: PanelRequest) => {
      const answers = await Promise.all(
        (queriesOf.get(r) ?? []).map(async q => {
          const res = await fetch(`${prometheus.baseUrl}${q.path}`, {
            method: 'POST',
            headers: { 'Content-Type': q.contentType },
            body: q.body,
          });
          await res.arrayBuffer();
          return res.ok;
        }),
      );
      return answers.every(Boolean);
    };
    const results: LevelResult[] = [];
    const befores: SideFigures[] = [];
    for (const concurrency of levels) {
      // Warm every side alike, then measure.
      await burst(concurrency, 1, throughBackend);
      if (throughBefore) await burst(concurrency, 1, throughBefore);
      await burst(concurrency, 1, straight);
      const backend = await burst(concurrency, rounds, throughBackend, settle);
      if (throughBefore)
        befores.push(await burst(concurrency, rounds, throughBefore, settle));
      const direct = await burst(concurrency, rounds, straight, settle);
      results.push({ concurrency, backend, prometheus: direct });
    }
    console.log(formatLevels(rounds, results));
    if (throughBefore) {
      console.log(formatBeforeAfter(viewers, results, befores));
    }
    console.log(
      `load average (1/5/15 min) at the end: ${loadavg()
        .map(v => v.toFixed(2))
        .join(' ')}`,
    );
    if (process.argv.includes('--json')) console.log(JSON.stringify(results));
  } finally {
    await beforePortal?.stop();
    await portal.stop();
    await proxy.stop();
    await prometheus.stop();
  }
}

main().catch(error => {
  console.error(`metrics-load failed: ${(error as Error).message}`);
  process.exit(1);
});
