/**
 * The Datadog web app of each site, from Datadog's site table ("Getting Started with Datadog Sites",
 * https://docs.datadoghq.com/getting_started/site/, "Access the Datadog site": Site, Site URL, Site
 * Parameter). The site parameter is what `devopsApp.datadog.site` holds (the client's `site` server
 * variable); the web app is not always `app.<site>`.
 */
export const DATADOG_SITE_URLS: Readonly<Record<string, string>> = {
  // US1
  'datadoghq.com': 'https://app.datadoghq.com',
  // US3
  'us3.datadoghq.com': 'https://us3.datadoghq.com',
  // US5
  'us5.datadoghq.com': 'https://us5.datadoghq.com',
  // EU1
  'datadoghq.eu': 'https://app.datadoghq.eu',
  // US1-FED
  'ddog-gov.com': 'https://app.ddog-gov.com',
  // US2-FED
  'us2.ddog-gov.com': 'https://us2.ddog-gov.com',
  // AP1
  'ap1.datadoghq.com': 'https://ap1.datadoghq.com',
  // AP2
  'ap2.datadoghq.com': 'https://ap2.datadoghq.com',
};

/**
 * The web app of a site. A site the table does not list follows the table's pattern: a regional site
 * (`<region>.<domain>`) is its own web app host, a bare domain's web app is `app.<domain>`.
 */
export function datadogAppUrl(site: string): string {
  const key = site.trim().toLowerCase();
  const known = DATADOG_SITE_URLS[key];
  if (known) return known;
  return key.split('.').length > 2 ? `https://${key}` : `https://app.${key}`;
}

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
