import { Backend, Prometheus } from './stack';

/** The panels of the Metrics section and the PromQL a raw-PromQL plugin would send for them. */
export const PANELS = [
  'request_rate',
  'error_ratio',
  'latency',
  'inference_duration',
  'predictions_by_outcome',
];

const SEL = 'service="inference-service",environment="dev"';
const W = '30s';
/**
 * What a browser-side plugin sends through the proxy for the same five panels: eight query_range calls
 * (three latency quantiles, two inference quantiles), the same PromQL our backend's templates build.
 */
export const RAW_QUERIES = [
  `sum(rate(http_request_duration_seconds_count{${SEL}}[${W}]))`,
  `(sum(rate(http_request_duration_seconds_count{${SEL},status=~"5.."}[${W}])) or (sum(rate(http_request_duration_seconds_count{${SEL}}[${W}])) * 0)) / sum(rate(http_request_duration_seconds_count{${SEL}}[${W}]))`,
  ...[0.5, 0.95, 0.99].map(
    q =>
      `histogram_quantile(${q}, sum by (le) (rate(http_request_duration_seconds_bucket{${SEL}}[${W}])))`,
  ),
  ...[0.5, 0.95].map(
    q =>
      `histogram_quantile(${q}, sum by (le) (rate(inference_duration_seconds_bucket{${SEL}}[${W}])))`,
  ),
  `sum by (outcome) (rate(predictions_total{${SEL}}[${W}]))`,
];

export interface ViewerLoad {
  viewers: number;
  refreshes: number;
  /** Viewers refresh at random moments within this window, as auto-refresh timers drift apart. */
  spreadMs: number;
}

export interface SideResult {
  side: 'devops-app backend' | 'plain proxy';
  requests: number;
  failed: number;
  prometheusQueries: number;
  wallMs: number;
}

async function viewers(
  load: ViewerLoad,
  refresh: () => Promise<number>,
): Promise<{ requests: number; failed: number }> {
  let requests = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: load.viewers }, async () => {
      for (let r = 0; r < load.refreshes; r++) {
        await new Promise(done =>
          setTimeout(done, Math.random() * load.spreadMs),
        );
        const result = await refresh();
        requests += result >= 0 ? result : -result;
        if (result < 0) failed += -result;
      }
    }),
  );
  return { requests, failed };
}

/** One viewer refresh through our backend: the five panel routes, range 1h. */
function backendRefresh(backend: Backend) {
  return async () => {
    const answers = await Promise.all(
      PANELS.map(panel =>
        fetch(
          `${backend.baseUrl}/api/devops-app/observability/metrics?entityRef=component:default/inference-service&environment=dev&range=1h&panel=${panel}`,
          { headers: { Authorization: `Bearer ${backend.token}` } },
        ),
      ),
    );
    await Promise.all(answers.map(a => a.arrayBuffer()));
    return answers.every(a => a.ok)
      ? answers.length
      : -answers.filter(a => !a.ok).length;
  };
}

/** The same refresh as a raw-PromQL plugin does it: each query through the proxy, end = the browser's now. */
function proxyRefresh(backend: Backend) {
  return async () => {
    const end = Date.now() / 1000;
    const start = end - 3600;
    const step = Math.ceil(3600 / 250);
    const answers = await Promise.all(
      RAW_QUERIES.map(query =>
        fetch(`${backend.baseUrl}/api/proxy/prometheus/api/v1/query_range`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${backend.token}`,
            'Content-Type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({
            query,
            start: `${start}`,
            end: `${end}`,
            step: `${step}`,
          }),
        }),
      ),
    );
    await Promise.all(answers.map(a => a.arrayBuffer()));
    return answers.every(a => a.ok)
      ? answers.length
      : -answers.filter(a => !a.ok).length;
  };
}

export async function measure(
  side: SideResult['side'],
  load: ViewerLoad,
  backend: Backend,
  prometheus: Prometheus,
): Promise<SideResult> {
  const before = await prometheus.rangeQueries();
  const started = Date.now();
  const { requests, failed } = await viewers(
    load,
    side === 'plain proxy' ? proxyRefresh(backend) : backendRefresh(backend),
  );
  const wallMs = Date.now() - started;
  const prometheusQueries = (await prometheus.rangeQueries()) - before;
  return { side, requests, failed, prometheusQueries, wallMs };
}

export function formatResults(
  load: ViewerLoad,
  ours: SideResult,
  proxy: SideResult,
): string {
  const rows = [ours, proxy].map(
    r =>
      `| ${r.side.padEnd(18)} | ${String(r.requests).padStart(8)} | ${String(
        r.failed,
      ).padStart(6)} | ${String(r.prometheusQueries).padStart(18)} | ${(
        r.prometheusQueries /
        (load.viewers * load.refreshes)
      )
        .toFixed(2)
        .padStart(16)} |`,
  );
  const ratio = proxy.prometheusQueries / Math.max(1, ours.prometheusQueries);
  return [
    `${load.viewers} viewers x ${load.refreshes} refreshes of the 5 panels of inference-service (1h), spread over ${load.spreadMs} ms each`,
    '| side               | requests | failed | Prometheus queries | per view refresh |',
    '| ------------------ | -------- | ------ | ------------------ | ---------------- |',
    ...rows,
    `Prometheus queries, plain proxy / devops-app backend: ${ratio.toFixed(
      1,
    )}x`,
  ].join('\n');
}
