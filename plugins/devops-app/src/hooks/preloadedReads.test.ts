import {
  MetricsPanelRequest,
  METRICS_PANEL_INFO,
} from '@devops-app/plugin-devops-app-common';
import {
  environment,
  environmentsResponse,
} from '../__testUtils__/environments';
import { emptyPanel } from '../__testUtils__/metrics';
import type { DevopsAppApi } from '../api';
import {
  defaultMetricsRequests,
  preloadDevopsTab,
  PRELOAD_TTL_MS,
  readEntityEnvironments,
  readMetricsPanel,
} from './preloadedReads';

const REF = 'component:default/inference-service';

function fakeApi(
  items = [environment('dev'), environment('prod')],
  fail = false,
) {
  let reads = 0;
  const getEntityEnvironments = jest.fn(async () => {
    reads++;
    if (fail) throw new Error('Request failed with 503 Service Unavailable');
    return environmentsResponse(
      items.map(e => ({ ...e, title: `${e.title} #${reads}` })),
    );
  });
  let panels = 0;
  const getMetricsPanel = jest.fn(async (r: MetricsPanelRequest) =>
    emptyPanel(r, `${METRICS_PANEL_INFO[r.panel].title} #${++panels}`),
  );
  const api = {
    getEntityEnvironments,
    getMetricsPanel,
  } as Partial<DevopsAppApi> as DevopsAppApi;
  return { api, getEntityEnvironments, getMetricsPanel };
}

const flush = () => new Promise(r => setTimeout(r, 0));

afterEach(() => jest.useRealTimers());

describe('preloaded reads', () => {
  it("starts the environments, then the first environment's default panels, and each view takes its answer once", async () => {
    const { api, getEntityEnvironments, getMetricsPanel } = fakeApi();
    preloadDevopsTab(api, REF);
    // The tab's render, repeated before React commits it, starts nothing more.
    preloadDevopsTab(api, REF);
    expect(getEntityEnvironments).toHaveBeenCalledTimes(1);
    await flush();
    preloadDevopsTab(api, REF);
    await flush();
    // Five panels of dev over 1h, and the request rate split by colour.
    expect(getMetricsPanel.mock.calls.map(([r]) => r)).toEqual(
      defaultMetricsRequests(REF, [environment('dev')]),
    );
    expect(getMetricsPanel).toHaveBeenCalledTimes(6);
    expect(
      getMetricsPanel.mock.calls.every(
        ([r]) => r.environment === 'dev' && r.range === '1h',
      ),
    ).toBe(true);

    const first = await readEntityEnvironments(api, REF);
    expect(first.items[0].title).toBe('Development #1');
    expect(getEntityEnvironments).toHaveBeenCalledTimes(1);
    // Taken once: the next read (a refresh) asks the backend.
    const again = await readEntityEnvironments(api, REF);
    expect(again.items[0].title).toBe('Development #2');
    expect(getEntityEnvironments).toHaveBeenCalledTimes(2);

    // A chart's request matches whatever its field order and an absent or false splitByColour.
    const latency = await readMetricsPanel(api, {
      range: '1h',
      panel: 'latency',
      environment: 'dev',
      entityRef: REF,
      splitByColour: false,
    });
    expect(latency.configured && latency.title).toBe(
      'Latency p50 / p95 / p99 #3',
    );
    expect(getMetricsPanel).toHaveBeenCalledTimes(6);
    const split = await readMetricsPanel(api, {
      entityRef: REF,
      environment: 'dev',
      panel: 'request_rate',
      range: '1h',
      splitByColour: true,
    });
    expect(split.configured && split.splitByColour).toBe(true);
    expect(getMetricsPanel).toHaveBeenCalledTimes(6);
    // Another environment or range was not preloaded.
    await readMetricsPanel(api, {
      entityRef: REF,
      environment: 'prod',
      panel: 'latency',
      range: '1h',
    });
    await readMetricsPanel(api, {
      entityRef: REF,
      environment: 'dev',
      panel: 'latency',
      range: '6h',
    });
    expect(getMetricsPanel).toHaveBeenCalledTimes(8);
  });

  it('drops an answer nobody took in time, so a view never shows a stale preload', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { api, getEntityEnvironments } = fakeApi();
    preloadDevopsTab(api, REF);
    jest.setSystemTime(1_000_000 + PRELOAD_TTL_MS + 1);
    const read = await readEntityEnvironments(api, REF);
    expect(read.items[0].title).toBe('Development #2');
    expect(getEntityEnvironments).toHaveBeenCalledTimes(2);
  });

  it('preloads no panel when the first environment has a malformed Prometheus endpoint, or there is none', async () => {
    const broken = environment('dev', {
      problems: [
        {
          annotation: 'devops-app.io/prometheus-url',
          message: 'must be an http(s) URL',
        },
      ],
    });
    const { api, getMetricsPanel } = fakeApi([broken, environment('prod')]);
    preloadDevopsTab(api, REF);
    await flush();
    expect(getMetricsPanel).not.toHaveBeenCalled();
    expect(defaultMetricsRequests(REF, [])).toEqual([]);
  });

  it("hands a failed preload to the view that takes it, as that view's own failure", async () => {
    const { api, getEntityEnvironments, getMetricsPanel } = fakeApi([], true);
    preloadDevopsTab(api, REF);
    await flush();
    await expect(readEntityEnvironments(api, REF)).rejects.toThrow(
      'Request failed with 503',
    );
    expect(getEntityEnvironments).toHaveBeenCalledTimes(1);
    expect(getMetricsPanel).not.toHaveBeenCalled();
  });

  it('keeps the preloads of two API instances apart', async () => {
    const a = fakeApi();
    const b = fakeApi();
    preloadDevopsTab(a.api, REF);
    await readEntityEnvironments(b.api, REF);
    expect(b.getEntityEnvironments).toHaveBeenCalledTimes(1);
    await readEntityEnvironments(a.api, REF);
    expect(a.getEntityEnvironments).toHaveBeenCalledTimes(1);
  });
});
