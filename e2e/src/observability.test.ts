/**
 * @jest-environment node
 */
import { Browser } from 'playwright-core';
import {
  launchChromium,
  pageScrollsSideways,
  screenshotsAtBothWidths,
  signInAsGuest,
} from './support/browser';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LiveInference, startLiveInference } from './support/liveInference';
import {
  CHART_PANELS,
  NetworkCounter,
  openDevopsTab,
  waitForPanelsWithData,
} from './support/tabLoad';
import {
  guestToken,
  resultsDir,
  RunningPortal,
  startPortal,
} from './support/portal';

/*
 * The Metrics section against the live local stack: the compiled inference service under a steady
 * load, Debian's Prometheus scraping it, the real backend reading Prometheus, and chromium. Nothing is
 * mocked. Screenshots and the time the tab took to show its charts go to test-results/e2e.
 */
let stack: LiveInference;
let portal: RunningPortal;
let browser: Browser;

beforeAll(async () => {
  stack = await startLiveInference();
  portal = await startPortal({
    env: {
      APP_CONFIG_devopsApp_prometheus_baseUrl: JSON.stringify(
        stack.prometheusUrl,
      ),
      APP_CONFIG_devopsApp_prometheus_scrapeIntervalSeconds: '1',
    },
  });
  browser = await launchChromium();
  await stack.waitForRate(60_000);
  // The tab's first reads (1 h at a 15 s step) have a point once Prometheus holds one on that grid.
  await waitForPanelsWithData(
    portal.baseUrl,
    await guestToken(portal.baseUrl),
    120_000,
  );
});

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  await stack?.stop();
});

const devopsTabUrl = () =>
  `${portal.baseUrl}/catalog/default/component/inference-service/devops`;

/**
 * What the DevOps tab may load, JavaScript and CSS, as chromium counts it. Measured 2026-12-02 on the
 * production build (bench/README.md, devops-tab): cold 4.23 MB decoded, 1.25 MB transferred; the tab's
 * own code (lazy sections and recharts) 0.58 MB decoded over the catalog page's; a second visit 0 bytes
 * of code over the wire. A budget is the measured size and about 10 % room: raise it on purpose, in the
 * commit whose code needs it.
 */
const DEVOPS_TAB_BUDGET = {
  /** A cold load of the tab's address: the app and the tab, decoded. */
  coldDecodedBytes: 4_700_000,
  /** The same over the wire (compressed). */
  coldTransferredBytes: 1_400_000,
  /** What the tab adds to the app (cold tab minus cold catalog page), decoded. */
  tabOwnDecodedBytes: 650_000,
  /** A second visit: hashed files come from the cache without a request to the server. */
  warmTransferredBytes: 50_000,
};

describe('observability through the backend', () => {
  it('refuses raw PromQL and answers a panel with data', async () => {
    const token = await guestToken(portal.baseUrl);
    const base = `${portal.baseUrl}/api/devops-app/observability/metrics`;
    const params =
      'entityRef=component:default/inference-service&environment=dev&range=15m';
    const raw = await fetch(`${base}?${params}&panel=request_rate&query=up`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(raw.status).toBe(400);
    const none = await fetch(`${base}?${params}&panel=request_rate`);
    expect(none.status).toBe(401);
    const res = await fetch(`${base}?${params}&panel=request_rate`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      series: Array<{ points: Array<[number, number | null]> }>;
    };
    expect(body.series[0].points.some(([, v]) => v !== null && v > 0)).toBe(
      true,
    );
  });

  it('shows live charts on the DevOps tab', async () => {
    const page = await signInAsGuest(browser, portal.baseUrl, {
      width: 1400,
      height: 1800,
    });

    // With the tab's sections lazy and the charts' code split, the built frontend draws the first chart
    // 0.9 s after navigation on an idle machine, 2 to 4 s on a busy one (bench/: devops-tab; 6.6 to 9 s
    // before issue 17).
    // 180 s for all five is a bound for a busy machine, not an expectation (30 s failed a clean run under
    // a CPU hog); how fast they come is bench/'s (devops-tab) to measure.
    const counter = await NetworkCounter.attach(page);
    const load = await openDevopsTab(page, counter, devopsTabUrl(), 180_000);
    await page.screenshot({
      path: resolve(resultsDir, 'observability-01-metrics.png'),
      fullPage: true,
    });
    await writeFile(
      resolve(resultsDir, 'observability-timing.json'),
      `${JSON.stringify(load, null, 2)}\n`,
    );
    // eslint-disable-next-line no-console
    console.log(
      `DevOps tab: first chart with data after ${load.firstChartMs} ms, all ${CHART_PANELS.length} after ${load.allChartsMs} ms`,
    );
    for (const panel of CHART_PANELS) {
      const points = Number(
        await page
          .locator(`[data-testid="chart-${panel}"]`)
          .getAttribute('data-points'),
      );
      expect(points).toBeGreaterThan(0);
    }
    const rate = await page
      .getByTestId('current-request_rate-value')
      .innerText();
    expect(rate).toMatch(/^\d+\.\d\d req\/s$/);
    expect(Number(rate.split(' ')[0])).toBeGreaterThan(0);
    expect(
      await page.getByText('Blue / green overlay (one colour live)').count(),
    ).toBe(1);
    // Locally Datadog has no keys: the Logs & Traces section says so instead of failing.
    expect(await page.getByText(/Datadog is not configured/).count()).toBe(3);

    // At 1280 x 800 every chart is inside the viewport's width and the page does not scroll sideways;
    // screenshots at 1280 and 1920 show the section.
    await page.setViewportSize({ width: 1280, height: 800 });
    const chartsFit = await Promise.all(
      CHART_PANELS.map(async panel => {
        const box = (await page
          .locator(`[data-testid="chart-${panel}"]`)
          .boundingBox())!;
        return box.x >= 0 && box.width > 0 && box.x + box.width <= 1280;
      }),
    );
    expect(chartsFit).toEqual(CHART_PANELS.map(() => true));
    expect(await pageScrollsSideways(page)).toBe(false);
    await page.getByTestId('chart-request_rate').scrollIntoViewIfNeeded();
    await screenshotsAtBothWidths(page, 'observability-03-charts');

    // Another time range asks the backend again (with a stack a minute old, 6h may hold a single point).
    const sixHours = page.waitForResponse(
      r =>
        r.url().includes('/observability/metrics') &&
        r.url().includes('panel=request_rate') &&
        r.url().includes('range=6h'),
    );
    await page.getByRole('button', { name: '6h' }).first().click();
    expect((await sixHours).status()).toBe(200);
    await page
      .getByTestId('current-request_rate-value')
      .or(page.getByText(/No data for dev in the last 6h/).first())
      .first()
      .waitFor();
    await page.screenshot({
      path: resolve(resultsDir, 'observability-02-6h.png'),
      fullPage: true,
    });
    await page.close();
  });

  it("keeps the DevOps tab's code within its budget and a second visit within the cache", async () => {
    const page = await signInAsGuest(browser, portal.baseUrl);
    const counter = await NetworkCounter.attach(page);

    await counter.clearCache();
    counter.start();
    await page.goto(`${portal.baseUrl}/catalog`);
    await page
      .getByRole('link', { name: 'Inference service' })
      .waitFor({ timeout: 60_000 });
    await page.waitForLoadState('networkidle', { timeout: 60_000 });
    const catalog = counter.stop();

    await counter.clearCache();
    const cold = await openDevopsTab(page, counter, devopsTabUrl(), 60_000);
    const warm = await openDevopsTab(page, counter, devopsTabUrl(), 60_000);
    const figures = {
      coldDecodedBytes: cold.network.code.decoded,
      coldTransferredBytes: cold.network.code.transferred,
      tabOwnDecodedBytes: cold.network.code.decoded - catalog.code.decoded,
      warmTransferredBytes: warm.network.code.transferred,
    };
    await writeFile(
      resolve(resultsDir, 'devops-tab-bytes.json'),
      `${JSON.stringify({ figures, catalog, cold, warm }, null, 2)}\n`,
    );
    // eslint-disable-next-line no-console
    console.log(`DevOps tab bytes: ${JSON.stringify(figures)}`);

    // The charts' code is in chunks of their own, loaded by the tab and not by the catalog page: the
    // metrics charts' own drawing (told by the class of its lines, which minifying keeps) and the DORA
    // section's recharts (told by recharts' own class names). Not told by how many chunks each page
    // asks for, which depends on what the router preloads meanwhile.
    const withMarker = async (paths: string[], marker: string) => {
      const found: string[] = [];
      for (const p of paths.filter(q => q.endsWith('.js'))) {
        const res = await page.request.get(`${portal.baseUrl}${p}`);
        if ((await res.text()).includes(marker)) found.push(p);
      }
      return found;
    };
    for (const marker of ['devops-chart-line', 'recharts-bar-rectangle']) {
      expect(await withMarker(catalog.codePaths, marker)).toEqual([]);
      const chartChunks = await withMarker(cold.network.codePaths, marker);
      expect(chartChunks.length).toBeGreaterThan(0);
      expect(chartChunks.every(p => !catalog.codePaths.includes(p))).toBe(true);
    }
    expect(figures.coldDecodedBytes).toBeLessThanOrEqual(
      DEVOPS_TAB_BUDGET.coldDecodedBytes,
    );
    expect(figures.coldTransferredBytes).toBeLessThanOrEqual(
      DEVOPS_TAB_BUDGET.coldTransferredBytes,
    );
    expect(figures.tabOwnDecodedBytes).toBeLessThanOrEqual(
      DEVOPS_TAB_BUDGET.tabOwnDecodedBytes,
    );
    // The same code again, decoded from the cache; next to nothing over the wire.
    expect(warm.network.code.decoded).toBeGreaterThan(0);
    expect(figures.warmTransferredBytes).toBeLessThanOrEqual(
      DEVOPS_TAB_BUDGET.warmTransferredBytes,
    );
    await page.context().close();
  });
});
