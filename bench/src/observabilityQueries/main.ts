import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatResults, measure, ViewerLoad } from './run';
import { startBackend, startPrometheus } from './stack';

/**
 * `yarn workspace @devops-app/bench observability-queries [--viewers 20] [--refreshes 3] [--spread-ms 2000]`:
 * N viewers refreshing the same entity's Metrics panels, once through our backend and once through the
 * plain Backstage proxy, counting the query_range calls Prometheus itself reports.
 */
function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main() {
  const load: ViewerLoad = {
    viewers: option('viewers', 20),
    refreshes: option('refreshes', 3),
    spreadMs: option('spread-ms', 2000),
  };
  const logDir = resolve(process.cwd(), '../test-results/bench');
  mkdirSync(logDir, { recursive: true });
  const prometheus = await startPrometheus();
  const backend = await startBackend(
    prometheus.baseUrl,
    resolve(logDir, 'observability-backend.log'),
  ).catch(async error => {
    await prometheus.stop();
    throw error;
  });
  try {
    const ours = await measure('devops-app backend', load, backend, prometheus);
    const proxy = await measure('plain proxy', load, backend, prometheus);
    console.log(formatResults(load, ours, proxy));
    if (process.argv.includes('--json'))
      console.log(JSON.stringify({ load, ours, proxy }));
  } finally {
    await backend.stop();
    await prometheus.stop();
  }
}

main().catch(error => {
  console.error(`observability-queries failed: ${(error as Error).message}`);
  process.exit(1);
});
