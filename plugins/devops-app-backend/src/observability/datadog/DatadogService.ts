import { InputError, ServiceUnavailableError } from '@backstage/errors';
import { client, v1, v2 } from '@datadog/datadog-api-client';
import {
  LogLevel,
  LogRow,
  LogsResponse,
  MonitorRow,
  MonitorsResponse,
  TraceResourceRow,
  TracesResponse,
} from '@devops-app/plugin-devops-app-common';
import { DatadogConfig } from '../config';
import { TooManyRequestsError } from '../../upstreamErrors';
import { DatadogLinks } from './DatadogLinks';
import { rateLimitedFetch } from './rateLimitedFetch';

/** The operations the portal calls, by path, for messages. */
const OPERATIONS: [RegExp, string][] = [
  [/\/api\/v2\/logs\/events\/search$/, 'logs search'],
  [/\/api\/v2\/spans\/analytics\/aggregate$/, 'spans aggregate'],
  [/\/api\/v1\/monitor$/, 'monitors'],
];

export interface DatadogScope {
  /** Datadog `service` tag (the entity's datadoghq.com/service-name). */
  service: string;
  /** Datadog `env` tag: the portal's environment name. */
  environment: string;
  fromMs: number;
  toMs: number;
}

export interface LogsSearch extends DatadogScope {
  level?: LogLevel;
  text?: string;
  requestId?: string;
  /** Datadog's `meta.page.after` of the previous page; the search must be the same otherwise. */
  cursor?: string;
}

/** Lines per page. */
export const LOG_LIMIT = 100;
const RESOURCE_LIMIT = 25;

/** Datadog log levels are `status` values; `warn` is stored as `warn`, errors also as `critical`. */
const STATUS_QUERY: Record<LogLevel, string> = {
  debug: 'status:debug',
  info: 'status:info',
  warn: 'status:warn',
  error:
    '(status:error OR status:critical OR status:emergency OR status:alert)',
};

/** A search term as Datadog's query syntax reads it: quoted, with quotes and backslashes escaped. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Logs, APM spans and monitors of a service through Datadog's official client. Knows nothing of HTTP
 * routes; failures become errors that name Datadog and the cause.
 */
export class DatadogService {
  private readonly logsApi: v2.LogsApi;
  private readonly spansApi: v2.SpansApi;
  private readonly monitorsApi: v1.MonitorsApi;
  private readonly links: DatadogLinks;

  constructor(private readonly config: DatadogConfig) {
    const configuration = client.createConfiguration({
      authMethods: { apiKeyAuth: config.apiKey, appKeyAuth: config.appKey },
      fetch: rateLimitedFetch({
        timeoutMs: config.timeoutMs,
        describe: url => {
          const path = new URL(url).pathname;
          const what = OPERATIONS.find(([p]) => p.test(path))?.[1] ?? path;
          return `Datadog ${what} (${config.site})`;
        },
      }),
      enableRetry: false,
      ...(config.apiBaseUrl
        ? {
            baseServer: new client.BaseServerConfiguration(
              config.apiBaseUrl,
              {},
            ),
          }
        : {}),
    });
    if (!config.apiBaseUrl) {
      configuration.setServerVariables({ site: config.site });
    }
    this.logsApi = new v2.LogsApi(configuration);
    this.spansApi = new v2.SpansApi(configuration);
    this.monitorsApi = new v1.MonitorsApi(configuration);
    this.links = new DatadogLinks(config.appUrl);
  }

  /** The log query of a search: a request id shows the whole request, whatever level and text. */
  logsQuery(search: LogsSearch): string {
    const parts = [`service:${search.service}`, `env:${search.environment}`];
    if (search.requestId) {
      parts.push(`@request_id:${quote(search.requestId)}`);
    } else {
      if (search.level) parts.push(STATUS_QUERY[search.level]);
      if (search.text) parts.push(quote(search.text));
    }
    return parts.join(' ');
  }

  /**
   * One page of log lines. Datadog pages with a cursor: the answer's `meta.page.after` (also in
   * `links.next`) is sent back as `page.cursor` with the same filter, window and sort for the next page.
   */
  async searchLogs(search: LogsSearch): Promise<LogsResponse> {
    const query = this.logsQuery(search);
    const from = new Date(search.fromMs).toISOString();
    const to = new Date(search.toMs).toISOString();
    let answer: v2.LogsListResponse;
    try {
      answer = await this.logsApi.listLogs({
        body: {
          filter: { query, from, to },
          // One request's story reads from its first line; a search shows the newest first.
          sort: search.requestId ? 'timestamp' : '-timestamp',
          page: {
            limit: LOG_LIMIT,
            ...(search.cursor ? { cursor: search.cursor } : {}),
          },
        },
      });
    } catch (error) {
      // Datadog refuses a cursor it did not issue, or one from another search, with 400.
      if (
        search.cursor &&
        error instanceof client.ApiException &&
        error.code === 400
      ) {
        throw new InputError(
          `cursor: Datadog did not accept it (expired, or from another search)${errorsOf(
            error.body,
          )}; search again from the first page`,
        );
      }
      throw describeDatadogError('logs search', this.config.site, error);
    }
    const rows: LogRow[] = (answer.data ?? []).map(log => {
      const attributes = log.attributes ?? {};
      const custom = (attributes.attributes ?? {}) as Record<string, unknown>;
      const dd = (custom.dd ?? {}) as Record<string, unknown>;
      const traceId = stringOf(dd.trace_id) ?? stringOf(custom['dd.trace_id']);
      const requestId = stringOf(custom.request_id);
      const id = log.id ?? '';
      return {
        id,
        timestamp: toIso(attributes.timestamp),
        level: attributes.status ?? 'info',
        message: attributes.message ?? '',
        ...(requestId ? { requestId } : {}),
        ...(traceId ? { traceId, traceLink: this.links.trace(traceId) } : {}),
        link: this.links.log(id, query, search.fromMs, search.toMs),
      };
    });
    const nextCursor = answer.meta?.page?.after;
    return {
      configured: true,
      rows,
      link: this.links.logs(query, search.fromMs, search.toMs),
      // An empty page with a cursor would make "Load older" loop on nothing.
      ...(nextCursor && rows.length > 0 ? { nextCursor } : {}),
      from,
      to,
    };
  }

  async traceSummary(scope: DatadogScope): Promise<TracesResponse> {
    const query = `service:${scope.service} env:${scope.environment}`;
    const aggregate = (filterQuery: string, compute: v2.SpansCompute[]) =>
      this.call('spans aggregate', () =>
        this.spansApi.aggregateSpans({
          body: {
            data: {
              type: 'aggregate_request',
              attributes: {
                filter: {
                  query: filterQuery,
                  from: String(scope.fromMs),
                  to: String(scope.toMs),
                },
                compute,
                groupBy: [{ facet: 'resource_name', limit: RESOURCE_LIMIT }],
              },
            },
          },
        }),
      );
    const [all, errors] = await Promise.all([
      aggregate(query, [
        { aggregation: 'count', type: 'total' },
        { aggregation: 'pc95', metric: '@duration', type: 'total' },
      ]),
      aggregate(`${query} status:error`, [
        { aggregation: 'count', type: 'total' },
      ]),
    ]);
    const errorsByResource = new Map<string, number>();
    for (const bucket of errors.data ?? []) {
      const resource = stringOf(bucket.attributes?.by?.resource_name);
      if (resource)
        errorsByResource.set(
          resource,
          numberOf(bucket.attributes?.compute?.c0) ?? 0,
        );
    }
    const rows: TraceResourceRow[] = (all.data ?? []).flatMap(bucket => {
      const resource = stringOf(bucket.attributes?.by?.resource_name);
      if (!resource) return [];
      const p95Ns = numberOf(bucket.attributes?.compute?.c1);
      return [
        {
          resource,
          hits: numberOf(bucket.attributes?.compute?.c0) ?? 0,
          errors: errorsByResource.get(resource) ?? 0,
          // Span durations are nanoseconds.
          p95: p95Ns === undefined ? null : p95Ns / 1e9,
          link: this.links.spans(
            `${query} resource_name:${quote(resource)}`,
            scope.fromMs,
            scope.toMs,
          ),
        },
      ];
    });
    rows.sort((a, b) => b.hits - a.hits);
    return {
      configured: true,
      rows,
      link: this.links.spans(query, scope.fromMs, scope.toMs),
    };
  }

  async monitors(
    scope: Pick<DatadogScope, 'service' | 'environment'>,
  ): Promise<MonitorsResponse> {
    const monitorTags = `service:${scope.service}`;
    const answer = await this.call('monitors', () =>
      this.monitorsApi.listMonitors({ monitorTags }),
    );
    const rows: MonitorRow[] = answer
      // A monitor tagged with another env is not this environment's; untagged ones cover every env.
      .filter(m => {
        const envTags = (m.tags ?? []).filter(t => t.startsWith('env:'));
        return (
          envTags.length === 0 || envTags.includes(`env:${scope.environment}`)
        );
      })
      .map(m => ({
        id: m.id ?? 0,
        name: m.name ?? `monitor ${m.id}`,
        state: typeof m.overallState === 'string' ? m.overallState : 'Unknown',
        link: this.links.monitor(m.id ?? 0),
      }));
    return { configured: true, rows, link: this.links.monitors(monitorTags) };
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw describeDatadogError(what, this.config.site, error);
    }
  }
}

function describeDatadogError(
  what: string,
  site: string,
  error: unknown,
): Error {
  const prefix = `Datadog ${what} (${site})`;
  // A 429 (the transport's, with the wait Datadog asked for) goes to the caller as it is.
  if (error instanceof TooManyRequestsError) return error;
  if (error instanceof client.ApiException) {
    const code = error.code;
    const detail = errorsOf(error.body);
    if (code === 401 || code === 403) {
      return new ServiceUnavailableError(
        `${prefix}: refused the portal's keys (${code}); check DD_API_KEY, DD_APP_KEY and the application key's scopes${detail}`,
      );
    }
    return new ServiceUnavailableError(`${prefix}: answered ${code}${detail}`);
  }
  const name = (error as { name?: string } | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ServiceUnavailableError(`${prefix}: no answer in time`);
  }
  const cause =
    error instanceof Error
      ? (error.cause as Error | undefined)?.message ?? error.message
      : String(error);
  return new ServiceUnavailableError(`${prefix}: unreachable (${cause})`);
}

function errorsOf(body: unknown): string {
  const errors = (body as { errors?: unknown })?.errors;
  if (Array.isArray(errors) && errors.length) {
    return `: ${errors
      .map(e => (typeof e === 'string' ? e : JSON.stringify(e)))
      .join('; ')}`;
  }
  return '';
}

function stringOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value) return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (
    typeof value === 'string' &&
    value !== '' &&
    Number.isFinite(Number(value))
  )
    return Number(value);
  return undefined;
}

function toIso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  return new Date(0).toISOString();
}
