/**
 * @jest-environment node
 */
import { Browser } from 'playwright-core';
import { launchChromium, signInAsGuest } from './support/browser';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LiveInference, startLiveInference } from './support/liveInference';
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
});

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  await stack?.stop();
});

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

    const started = Date.now();
    await page.goto(
      `${portal.baseUrl}/catalog/default/component/inference-service/devops`,
    );
    // A chart has data when recharts drew a line with points for it.
    const panels = [
      'request_rate',
      'error_ratio',
      'latency',
      'inference_duration',
      'predictions_by_outcome',
    ];
    for (const panel of panels) {
      await page
        .locator(`[data-testid="chart-${panel}"] path.recharts-line-curve[d]`)
        .first()
        .waitFor({ state: 'attached', timeout: 90_000 });
    }
    const chartsAfterMs = Date.now() - started;
    await page.screenshot({
      path: resolve(resultsDir, 'observability-01-metrics.png'),
      fullPage: true,
    });
    await writeFile(
      resolve(resultsDir, 'observability-timing.json'),
      `${JSON.stringify({ devopsTabChartsMs: chartsAfterMs }, null, 2)}\n`,
    );
    // eslint-disable-next-line no-console
    console.log(
      `DevOps tab showed its ${panels.length} charts after ${chartsAfterMs} ms`,
    );

    for (const panel of panels) {
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
});
