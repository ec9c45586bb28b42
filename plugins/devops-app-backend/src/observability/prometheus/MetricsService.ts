import { InputError } from '@backstage/errors';
import {
  METRICS_PANEL_INFO,
  MetricsPanelName,
  MetricsPanelResponse,
  MetricsSeries,
  MetricsTimeRange,
} from '@devops-app/plugin-devops-app-common';
import { buildPanelQueries, parseSelector } from './panels';
import { PrometheusClient, PrometheusMatrixSeries } from './PrometheusClient';
import { SharedQueryCache } from './SharedQueryCache';
import { resolveRange } from './timeRange';

export interface PanelRequest {
  /** The entity's `devops-app.io/prometheus-selector`. */
  selector: string;
  environment: string;
  /** The environment's own Prometheus (`devops-app.io/prometheus-url`); undefined: the global querier. */
  prometheusUrl?: string;
  panel: MetricsPanelName;
  range?: MetricsTimeRange;
  start?: number;
  end?: number;
  splitByColour: boolean;
}

/** Longest time a result is kept even when the step is longer (7 days: 40 min steps). */
const MAX_CACHE_MS = 60_000;

/**
 * Builds a panel's PromQL from the server-side templates and reads it from Prometheus, through a cache
 * shared by every viewer of the backend instance.
 *
 * Two ways to reach an environment's series, both selected by the `environment` label: the environment's
 * own Prometheus, when its entity names one (`devops-app.io/prometheus-url`), or the global querier
 * (`devopsApp.prometheus.baseUrl`: in production a Thanos Query in front of every cluster's Prometheus).
 */
export class MetricsService {
  private readonly cache = new SharedQueryCache<PrometheusMatrixSeries[]>({
    maxEntries: 1000,
  });
  /** Built answers, frozen: every viewer of a panel in a step gets the same object (serialised once). */
  private readonly answers = new SharedQueryCache<MetricsPanelResponse>({
    maxEntries: 1000,
  });
  private readonly environmentClients = new Map<string, PrometheusClient>();

  constructor(
    private readonly options: {
      /** The global querier; undefined when only environments' own Prometheus servers are used. */
      client?: PrometheusClient;
      scrapeIntervalSeconds: number;
      timeoutMs?: number;
      now?: () => number;
    },
  ) {}

  /** Whether a request for this environment has a Prometheus to go to. */
  reaches(request: { prometheusUrl?: string }): boolean {
    return Boolean(request.prometheusUrl || this.options.client);
  }

  private clientFor(request: PanelRequest): PrometheusClient {
    if (!request.prometheusUrl) {
      if (!this.options.client) {
        throw new InputError(
          `environment ${request.environment} has no Prometheus`,
        );
      }
      return this.options.client;
    }
    const key = `${request.environment} ${request.prometheusUrl}`;
    let client = this.environmentClients.get(key);
    if (!client) {
      if (this.environmentClients.size >= 1000) this.environmentClients.clear();
      client = new PrometheusClient({
        baseUrl: request.prometheusUrl,
        timeoutMs: this.options.timeoutMs ?? 10_000,
        name: `Prometheus of environment ${request.environment} (devops-app.io/prometheus-url)`,
      });
      this.environmentClients.set(key, client);
    }
    return client;
  }

  private nowMs(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** The PromQL and range a request resolves to; also used by tests to ask Prometheus directly. */
  plan(request: PanelRequest) {
    const matchers = parseSelector(request.selector);
    if (!matchers) {
      throw new InputError(
        `The entity's devops-app.io/prometheus-selector is not a list of label matchers: ${request.selector}`,
      );
    }
    const range = resolveRange(
      request,
      Math.floor(this.nowMs() / 1000),
      this.options.scrapeIntervalSeconds,
    );
    const queries = buildPanelQueries(request.panel, {
      matchers: [...matchers, `environment="${request.environment}"`].join(','),
      window: `${range.window}s`,
      splitByColour: request.splitByColour,
    });
    return { range, queries };
  }

  async getPanel(request: PanelRequest): Promise<MetricsPanelResponse> {
    const { range, queries } = this.plan(request);
    const client = this.clientFor(request);
    // Kept until the next step boundary, when a new point can appear; a range wholly in the past does
    // not change, so it is kept for the longest time.
    const untilNextStep = (range.end + range.step) * 1000 - this.nowMs();
    const ttl =
      untilNextStep > 0 ? Math.min(untilNextStep, MAX_CACHE_MS) : MAX_CACHE_MS;
    const answerKey = JSON.stringify({
      prometheus: request.prometheusUrl ?? '',
      environment: request.environment,
      panel: request.panel,
      splitByColour: request.splitByColour,
      range,
      queries: queries.map(q => [q.expr, q.labels]),
    });
    return this.answers.get(answerKey, ttl, async () => {
      const results = await Promise.all(
        queries.map(q => {
          const query = {
            query: q.expr,
            start: range.start,
            end: range.end,
            step: range.step,
          };
          const key = JSON.stringify({
            ...query,
            prometheus: request.prometheusUrl ?? '',
          });
          return this.cache.get(key, ttl, () => client.queryRange(query));
        }),
      );
      const series: MetricsSeries[] = [];
      results.forEach((result, i) => {
        for (const s of result) {
          const labels = { ...queries[i].labels, ...s.metric };
          series.push({
            name: seriesName(labels),
            labels,
            points: s.values.map(([t, v]) => [t * 1000, toNumber(v)]),
          });
        }
      });
      series.sort((a, b) => a.name.localeCompare(b.name));
      const info = METRICS_PANEL_INFO[request.panel];
      const answer: MetricsPanelResponse = {
        configured: true,
        panel: request.panel,
        title: info.title,
        unit: info.unit,
        environment: request.environment,
        start: range.start,
        end: range.end,
        step: range.step,
        splitByColour: request.splitByColour,
        series,
      };
      return Object.freeze(answer);
    });
  }
}

function seriesName(labels: Record<string, string>): string {
  const parts = [labels.quantile, labels.outcome, labels.colour].filter(
    Boolean,
  );
  return parts.length ? parts.join(' ') : 'value';
}

/** Prometheus sends numbers as strings, with NaN and ±Inf where a ratio divides by zero. */
function toNumber(value: string): number | null {
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}
