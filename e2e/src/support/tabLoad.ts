import { CDPSession, Page } from 'playwright-core';

/** The Metrics section's panels, each drawn in `[data-testid="chart-<panel>"]`. */
export const CHART_PANELS = [
  'request_rate',
  'error_ratio',
  'latency',
  'inference_duration',
  'predictions_by_outcome',
] as const;

/** A chart has data when it drew a line through at least one point (path data starts with a move). */
export function chartWithDataSelector(panel: string): string {
  return `[data-testid="chart-${panel}"] path.devops-chart-line[d^="M"]`;
}

/** Bytes of one kind of resource, as chromium's network events count them. */
export interface ResourceBytes {
  requests: number;
  /** Over the wire: compressed bodies and headers (`Network.loadingFinished` encodedDataLength). */
  transferred: number;
  /** After decompression (`Network.dataReceived` dataLength), whether from the network or the cache. */
  decoded: number;
}

/** One request of the load, in milliseconds from the document's request. */
export interface WaterfallEntry {
  path: string;
  type: string;
  startMs: number;
  endMs: number;
}

export interface NetworkTally {
  /** JavaScript and CSS: the code the page needs. */
  code: ResourceBytes;
  /** The paths of that code (`/static/…`), each once. */
  codePaths: string[];
  all: ResourceBytes;
  /** Every request that finished, ordered by start. */
  waterfall: WaterfallEntry[];
}

/**
 * Counts what a page loads through the DevTools protocol's Network domain from `start()` to `stop()`.
 * Requests served from the memory cache count as requests with 0 bytes transferred.
 */
export class NetworkCounter {
  private readonly types = new Map<string, string>();
  private readonly paths = new Map<string, string>();
  private readonly decoded = new Map<string, number>();
  private readonly transferred = new Map<string, number>();
  private readonly started = new Map<string, number>();
  private readonly finished = new Map<string, number>();
  private counting = false;

  private constructor(private readonly cdp: CDPSession) {
    cdp.on('Network.requestWillBeSent', e => {
      if (!this.counting) return;
      this.types.set(e.requestId, e.type ?? 'Other');
      this.paths.set(e.requestId, new URL(e.request.url).pathname);
      this.started.set(e.requestId, e.timestamp);
    });
    cdp.on('Network.dataReceived', e => {
      if (!this.types.has(e.requestId)) return;
      this.decoded.set(
        e.requestId,
        (this.decoded.get(e.requestId) ?? 0) + e.dataLength,
      );
    });
    cdp.on('Network.loadingFinished', e => {
      if (!this.types.has(e.requestId)) return;
      this.transferred.set(e.requestId, e.encodedDataLength);
      this.finished.set(e.requestId, e.timestamp);
    });
  }

  static async attach(page: Page): Promise<NetworkCounter> {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    return new NetworkCounter(cdp);
  }

  /** Empties the browser's HTTP cache (a cold load) without signing out. */
  async clearCache(): Promise<void> {
    await this.cdp.send('Network.clearBrowserCache');
  }

  start(): void {
    this.types.clear();
    this.paths.clear();
    this.decoded.clear();
    this.transferred.clear();
    this.started.clear();
    this.finished.clear();
    this.counting = true;
  }

  stop(): NetworkTally {
    this.counting = false;
    const tally = (pick: (type: string) => boolean): ResourceBytes => {
      const ids = [...this.types].filter(([, t]) => pick(t)).map(([id]) => id);
      return {
        requests: ids.length,
        transferred: ids.reduce(
          (n, id) => n + (this.transferred.get(id) ?? 0),
          0,
        ),
        decoded: ids.reduce((n, id) => n + (this.decoded.get(id) ?? 0), 0),
      };
    };
    const isCode = (t: string) => t === 'Script' || t === 'Stylesheet';
    const codePaths = new Set(
      [...this.types]
        .filter(([, t]) => isCode(t))
        .map(([id]) => this.paths.get(id) ?? ''),
    );
    const documentId = [...this.types].find(([, t]) => t === 'Document')?.[0];
    const origin =
      (documentId && this.started.get(documentId)) ||
      Math.min(...this.started.values());
    const waterfall = [...this.finished]
      .map(([id, end]) => ({
        path: this.paths.get(id) ?? '',
        type: this.types.get(id) ?? 'Other',
        startMs: Math.round(((this.started.get(id) ?? end) - origin) * 1000),
        endMs: Math.round((end - origin) * 1000),
      }))
      .sort((a, b) => a.startMs - b.startMs);
    return {
      code: tally(isCode),
      codePaths: [...codePaths].sort(),
      all: tally(() => true),
      waterfall,
    };
  }
}

export interface TabLoad {
  /** From the navigation's start to the first chart with data, and to all of them. */
  firstChartMs: number;
  allChartsMs: number;
  network: NetworkTally;
}

/**
 * Navigates the signed-in page to an entity's DevOps tab and times the charts with data in the page's
 * own clock (`performance.now()` counts from the navigation's start), polled every animation frame.
 */
export async function openDevopsTab(
  page: Page,
  counter: NetworkCounter,
  url: string,
  timeoutMs: number,
): Promise<TabLoad> {
  return openAndTimeCharts(
    page,
    counter,
    url,
    CHART_PANELS.map(chartWithDataSelector),
    timeoutMs,
  );
}

/**
 * Navigates the signed-in page to `url` and times, in the page's own clock, the first and the last of
 * `charts` to appear: one selector per chart, matching once that chart drew its data.
 */
export async function openAndTimeCharts(
  page: Page,
  counter: NetworkCounter,
  url: string,
  charts: string[],
  timeoutMs: number,
): Promise<TabLoad> {
  counter.start();
  await page.goto(url);
  const at = (selectors: string[], every: boolean) =>
    page
      .waitForFunction(
        ([all, needAll]: [string[], boolean]) => {
          const found = all.filter(s => document.querySelector(s)).length;
          return found > 0 && (!needAll || found === all.length)
            ? performance.now()
            : 0;
        },
        [selectors, every] as [string[], boolean],
        { polling: 'raf', timeout: timeoutMs },
      )
      .then(h => h.jsonValue());
  const firstChartMs = await at(charts, false);
  const allChartsMs = await at(charts, true);
  // The charts' data is in; wait for the network to settle so late chunks count too.
  await page.waitForLoadState('networkidle', { timeout: timeoutMs });
  return {
    firstChartMs: Math.round(firstChartMs),
    allChartsMs: Math.round(allChartsMs),
    network: counter.stop(),
  };
}

/**
 * Waits until our backend answers each of inference-service's DevOps tab's first panel reads (its
 * first environment, dev, over the default 1 h range) with at least one point, so a timed visit measures the page, not how long a
 * just-started Prometheus takes to hold a point on the range's step grid (with none, the tab draws
 * its first lines at its next refresh, 30 s on). Polls every 500 ms up to `timeoutMs`.
 */
export async function waitForPanelsWithData(
  baseUrl: string,
  token: string,
  timeoutMs: number,
): Promise<void> {
  const params = {
    entityRef: 'component:default/inference-service',
    environment: 'dev',
    range: '1h',
  };
  const hasPoint = async (panel: string) => {
    const res = await fetch(
      `${baseUrl}/api/devops-app/observability/metrics?${new URLSearchParams({
        ...params,
        panel,
      })}`,
      { headers: { Authorization: `Bearer ${token}` } },
    );
    if (!res.ok) {
      return false;
    }
    const body = (await res.json()) as {
      series?: Array<{ points: Array<[number, number | null]> }>;
    };
    return (body.series ?? []).some(s => s.points.some(([, v]) => v !== null));
  };
  const deadline = Date.now() + timeoutMs;
  let waiting: string[] = [...CHART_PANELS];
  for (;;) {
    const found = await Promise.all(waiting.map(hasPoint));
    waiting = waiting.filter((_, i) => !found[i]);
    if (waiting.length === 0) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `no data within ${timeoutMs} ms for the panels ${waiting.join(', ')}`,
      );
    }
    await new Promise(r => setTimeout(r, 500));
  }
}
