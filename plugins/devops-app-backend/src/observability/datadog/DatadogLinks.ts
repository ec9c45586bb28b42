/** Deep links into the Datadog web app, so every row opens the same view there. */
export class DatadogLinks {
  constructor(private readonly appUrl: string) {}

  private url(path: string, params: Record<string, string | number>): string {
    const query = new URLSearchParams(
      Object.entries(params).map(([k, v]) => [k, String(v)]),
    );
    return `${this.appUrl.replace(/\/+$/, '')}${path}?${query}`;
  }

  logs(query: string, fromMs: number, toMs: number): string {
    return this.url('/logs', {
      query,
      from_ts: fromMs,
      to_ts: toMs,
      live: 'false',
    });
  }

  log(id: string, query: string, fromMs: number, toMs: number): string {
    return this.url('/logs', {
      query,
      event: id,
      from_ts: fromMs,
      to_ts: toMs,
      live: 'false',
    });
  }

  trace(traceId: string): string {
    return `${this.appUrl.replace(/\/+$/, '')}/apm/trace/${encodeURIComponent(
      traceId,
    )}`;
  }

  spans(query: string, fromMs: number, toMs: number): string {
    return this.url('/apm/traces', { query, start: fromMs, end: toMs });
  }

  monitor(id: number): string {
    return `${this.appUrl.replace(/\/+$/, '')}/monitors/${id}`;
  }

  monitors(query: string): string {
    return this.url('/monitors/manage', { q: query });
  }
}
