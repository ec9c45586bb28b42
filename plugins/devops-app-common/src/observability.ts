/**
 * Observability: the metrics panels the backend knows how to query, the time ranges the portal offers,
 * and the shapes of the backend's answers. The PromQL behind each panel lives only in the backend.
 */

/** Panels of the Metrics section, in display order. @public */
export const METRICS_PANELS = [
  'request_rate',
  'error_ratio',
  'latency',
  'inference_duration',
  'predictions_by_outcome',
] as const;

/** Name of a metrics panel. @public */
export type MetricsPanelName = (typeof METRICS_PANELS)[number];

/** Unit of a panel's values, shown on its axis. @public */
export type MetricsUnit = 'requests/s' | 'ratio' | 'seconds' | 'predictions/s';

/** Title and unit of each panel, shared so the charts label what the backend computes. @public */
export const METRICS_PANEL_INFO: Record<
  MetricsPanelName,
  { title: string; unit: MetricsUnit }
> = {
  request_rate: { title: 'Request rate', unit: 'requests/s' },
  error_ratio: { title: 'Error ratio (5xx)', unit: 'ratio' },
  latency: { title: 'Latency p50 / p95 / p99', unit: 'seconds' },
  inference_duration: {
    title: 'Inference duration p50 / p95',
    unit: 'seconds',
  },
  predictions_by_outcome: {
    title: 'Predictions by outcome',
    unit: 'predictions/s',
  },
};

/** Time ranges of the picker, in seconds. @public */
export const METRICS_TIME_RANGES = {
  '15m': 15 * 60,
  '1h': 60 * 60,
  '6h': 6 * 60 * 60,
  '24h': 24 * 60 * 60,
  '7d': 7 * 24 * 60 * 60,
} as const;

/** A time range of the picker. @public */
export type MetricsTimeRange = keyof typeof METRICS_TIME_RANGES;

/** The longest range a caller may ask for with explicit start and end. @public */
export const METRICS_MAX_RANGE_SECONDS = 30 * 24 * 60 * 60;

/** How far past the backend's clock a custom Datadog range may end (clock skew), in milliseconds. @public */
export const CUSTOM_RANGE_FUTURE_SLACK_MS = 60 * 1000;

/** Longest `cursor` the logs route accepts: Datadog's cursors are opaque, short base64 tokens. @public */
export const LOGS_CURSOR_MAX_LENGTH = 2048;

/** One line of a chart. Points are `[unix milliseconds, value]`; `null` where Prometheus had no number. @public */
export interface MetricsSeries {
  /** Legend name, e.g. `p95`, `success`, `p95 blue`. */
  name: string;
  /** The series' grouping labels (`quantile`, `outcome`, `colour`). */
  labels: Record<string, string>;
  points: Array<[number, number | null]>;
}

/** The backend's answer for one panel. @public */
export interface MetricsPanelResponse {
  configured: true;
  panel: MetricsPanelName;
  title: string;
  unit: MetricsUnit;
  environment: string;
  /** Unix seconds, aligned to the step. */
  start: number;
  end: number;
  step: number;
  /** Split by rollout colour (`colour` label on each series). */
  splitByColour: boolean;
  series: MetricsSeries[];
}

/** Answer when an upstream (Prometheus, Datadog) is not configured: not an error, a state. @public */
export interface NotConfiguredResponse {
  configured: false;
  upstream: 'prometheus' | 'datadog';
  message: string;
}

/** Log levels the logs search filters on. @public */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** A log level. @public */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One log line from Datadog. @public */
export interface LogRow {
  id: string;
  /** ISO 8601. */
  timestamp: string;
  level: string;
  message: string;
  requestId?: string;
  traceId?: string;
  /** The log in Datadog's Log Explorer. */
  link: string;
  /** The trace of the request in Datadog APM, when the line carries `dd.trace_id`. */
  traceLink?: string;
}

/** Logs search answer. @public */
export interface LogsResponse {
  configured: true;
  rows: LogRow[];
  /** The Log Explorer with the same query. */
  link: string;
  /**
   * Datadog's cursor (`meta.page.after`) when more lines match: ask again with `cursor` and the same
   * `from`/`to` to get the next page. Absent on the last page.
   */
  nextCursor?: string;
  /** The window searched (ISO 8601), so that the next page asks for the same one. */
  from?: string;
  to?: string;
}

/** APM spans of the service aggregated by resource. @public */
export interface TraceResourceRow {
  resource: string;
  hits: number;
  errors: number;
  /** Seconds. */
  p95: number | null;
  link: string;
}

/** Traces summary answer. @public */
export interface TracesResponse {
  configured: true;
  rows: TraceResourceRow[];
  link: string;
}

/** A Datadog monitor of the service. @public */
export interface MonitorRow {
  id: number;
  name: string;
  /** Datadog overall state: OK, Alert, Warn, No Data, ... */
  state: string;
  link: string;
}

/** Monitors answer. @public */
export interface MonitorsResponse {
  configured: true;
  rows: MonitorRow[];
  link: string;
}

/** What the Metrics section asks for one panel. @public */
export interface MetricsPanelRequest {
  entityRef: string;
  environment: string;
  panel: MetricsPanelName;
  range: MetricsTimeRange;
  /** Split each series by rollout colour. */
  splitByColour?: boolean;
}

/**
 * The time window of a Logs & Traces request: a preset `range` (default `1h`), or a custom `from` and `to`
 * (ISO 8601 or epoch milliseconds; `from` before `to`, at most 30 days apart, `to` not more than a minute
 * in the future). Not both. @public
 */
export interface DatadogTimeWindow {
  range?: MetricsTimeRange;
  from?: string;
  to?: string;
}

/** What the Logs & Traces section asks for. @public */
export interface LogsRequest extends DatadogTimeWindow {
  entityRef: string;
  environment: string;
  level?: LogLevel;
  /** Free text searched in the message. */
  text?: string;
  /** All lines of one request, whatever the level and text. */
  requestId?: string;
  /** `nextCursor` of the previous page (send the same filters and that page's `from`/`to`). */
  cursor?: string;
}

/** Traces summary or monitors of one environment (monitors show their current state whatever the window). @public */
export interface ObservabilityRequest extends DatadogTimeWindow {
  entityRef: string;
  environment: string;
}
