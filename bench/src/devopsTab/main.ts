import {
  launchChromium,
  NetworkCounter,
  openAndTimeCharts,
  openDevopsTab,
  RunningPortal,
  signInAsGuest,
  startLiveInference,
  startPortal,
  guestToken,
  waitForPanelsWithData,
} from '@devops-app/e2e';
import type { TabLoad } from '@devops-app/e2e';
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import {
  ROADIE_ENTITY_PATH,
  roadieBenchQueries,
  roadieGraphSelectors,
} from './roadie';
import { formatTabRuns, formatWaterfall, SideRuns } from './run';

/**
 * `yarn workspace @devops-app/bench devops-tab [--runs 3] [--no-dev] [--no-roadie] [--json] [--waterfall]`: headless
 * chromium on the DevOps tab of the live local stack (the inference service under load, Prometheus
 * scraping it), time to the first chart with data and to all charts, cold (empty HTTP cache) and warm
 * (the next visit), for the production build served by the backend, for Roadie's Prometheus graphs of
 * the same data on the same build (./roadie.ts) and for the development server.
 */
function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const TAB = '/catalog/default/component/inference-service/devops';
const ROADIE_CONFIG = 'bench/config/app-config.roadie-prometheus.yaml';
const ROADIE_SIDE = 'Roadie graphs (prod)';

type Browser = Awaited<ReturnType<typeof launchChromium>>;

type OpenPage = Parameters<typeof openDevopsTab>[0];
type Counter = Parameters<typeof openDevopsTab>[1];
type Open = (page: OpenPage, counter: Counter, url: string) => Promise<TabLoad>;

const openOurTab: Open = (page, counter, url) =>
  openDevopsTab(page, counter, `${url}${TAB}`, 120_000);

/** Roadie's tab of the bench's entity: each of its graphs (one per query of its annotation) drawn. */
const openRoadieTab: Open = (page, counter, url) =>
  openAndTimeCharts(
    page,
    counter,
    `${url}${ROADIE_ENTITY_PATH}`,
    roadieGraphSelectors(roadieBenchQueries().length),
    120_000,
  );

async function measureSide(
  browser: Browser,
  side: string,
  baseUrl: string,
  runs: number,
  open: Open = openOurTab,
): Promise<SideRuns> {
  const result: SideRuns = { side, cold: [], warm: [] };
  for (let run = 0; run < runs; run++) {
    const page = await signInAsGuest(browser, baseUrl);
    const counter = await NetworkCounter.attach(page);
    await counter.clearCache();
    result.cold.push(await open(page, counter, baseUrl));
    result.warm.push(await open(page, counter, baseUrl));
    await page.context().close();
  }
  return result;
}

/** The frontend's development server (`backstage-cli package start`) on a port of its own. */
async function startDevServer(
  port: number,
  backendUrl: string,
  logFile: string,
): Promise<() => Promise<void>> {
  const baseUrl = `http://localhost:${port}`;
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn('yarn', ['workspace', 'app', 'start'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      BROWSER: 'none',
      APP_CONFIG_app_baseUrl: JSON.stringify(baseUrl),
      APP_CONFIG_backend_baseUrl: JSON.stringify(backendUrl),
    },
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const stop = async () => {
    if (child.pid && child.exitCode === null) {
      const gone = new Promise(r => child.once('exit', r));
      process.kill(-child.pid, 'SIGTERM');
      await gone;
    }
    log.end();
  };
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`dev server exited, see ${logFile}`);
    const ok = await fetch(baseUrl)
      .then(r => r.ok)
      .catch(() => false);
    if (ok) return stop;
    await new Promise(r => setTimeout(r, 2000));
  }
  await stop();
  throw new Error(`dev server not up within 10 minutes, see ${logFile}`);
}

async function main() {
  const runs = option('runs', 3);
  const devPort = option('dev-port', 3300);
  const withRoadie = !process.argv.includes('--no-roadie');
  const logDir = resolve(process.cwd(), '../test-results/bench');
  mkdirSync(logDir, { recursive: true });
  const stack = await startLiveInference();
  const stops: Array<() => Promise<void>> = [() => stack.stop()];
  try {
    const devOrigin = `http://localhost:${devPort}`;
    const portal: RunningPortal = await startPortal({
      logFile: resolve(logDir, 'devops-tab-backend.log'),
      // Roadie's proxy endpoint and entity: bench-only (config/app-config.roadie-prometheus.yaml).
      configFiles: withRoadie ? [ROADIE_CONFIG] : [],
      env: {
        DEVOPS_TAB_BENCH_PROMETHEUS_URL: stack.prometheusUrl,
        APP_CONFIG_devopsApp_prometheus_baseUrl: JSON.stringify(
          stack.prometheusUrl,
        ),
        APP_CONFIG_devopsApp_prometheus_scrapeIntervalSeconds: '1',
        // The development server's pages are another origin: the backend lets it call (CORS) and sign in.
        APP_CONFIG_backend_cors_origin: JSON.stringify(['http://localhost:*']),
        APP_CONFIG_auth_experimentalExtraAllowedOrigins: JSON.stringify([
          devOrigin,
        ]),
      },
    });
    stops.unshift(portal.stop);
    const browser = await launchChromium();
    stops.unshift(() => browser.close());
    await stack.waitForRate(60_000);
    // Time the page, not a just-started Prometheus: each first panel read has a point first.
    await waitForPanelsWithData(
      portal.baseUrl,
      await guestToken(portal.baseUrl),
      120_000,
    );

    const sides: SideRuns[] = [
      await measureSide(browser, 'production build', portal.baseUrl, runs),
    ];
    if (withRoadie) {
      sides.push(
        await measureSide(
          browser,
          ROADIE_SIDE,
          portal.baseUrl,
          runs,
          openRoadieTab,
        ),
      );
    }
    if (!process.argv.includes('--no-dev')) {
      stops.unshift(
        await startDevServer(
          devPort,
          portal.baseUrl,
          resolve(logDir, 'devops-tab-devserver.log'),
        ),
      );
      sides.push(
        await measureSide(browser, 'development server', devOrigin, runs),
      );
    }
    console.log(formatTabRuns(sides));
    console.log(
      `load average (1/5/15 min) at the end: ${loadavg()
        .map(v => v.toFixed(2))
        .join(' ')}`,
    );
    if (process.argv.includes('--json')) console.log(JSON.stringify(sides));
    if (process.argv.includes('--waterfall')) {
      // Where a warm load's time goes: each request of the production build's last warm run.
      const warm = sides[0].warm;
      console.log(formatWaterfall(warm[warm.length - 1]));
    }
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
  }
}

main().catch(error => {
  console.error(`devops-tab failed: ${(error as Error).message}`);
  process.exit(1);
});
