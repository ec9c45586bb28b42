// Our panels' own PromQL templates and range resolution, so both sides ask the same queries.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports, @backstage/no-forbidden-package-imports
import { buildPanelQueries } from '@devops-app/plugin-devops-app-backend/src/observability/prometheus/panels';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports, @backstage/no-forbidden-package-imports
import { resolveRange } from '@devops-app/plugin-devops-app-backend/src/observability/prometheus/timeRange';

/**
 * Roadie's Prometheus graphs on the same Prometheus data as the DevOps tab (issue 17): the PromQL of
 * our request_rate and latency panels for inference-service in dev, over the tab's default range (1 h)
 * with the bench's 1 s scrape interval, as the `prometheus.io/rule` annotation of the bench's entity
 * (config/roadie-prometheus.catalog.yaml).
 */
export const ROADIE_ENTITY_PATH =
  '/catalog/default/component/inference-service-roadie/prometheus';

/** The DevOps tab's default range and the bench's scrape interval (APP_CONFIG_…scrapeIntervalSeconds). */
const RANGE = '1h';
const SCRAPE_INTERVAL_SECONDS = 1;

/**
 * Roadie's graph draws one line per value of the annotation's dimension (or of the first label of the
 * first series); a series without labels (`sum (…)`) draws nothing. Each `sum` therefore keeps `label`
 * too; with one environment selected the values are the same.
 */
export function groupedBy(expr: string, label: string): string {
  return expr.replace(/\bsum (?:by \(([^)]*)\) )?\(/g, (_m, by?: string) => {
    const labels = by ? [...by.split(/,\s*/), label] : [label];
    return `sum by (${labels.join(', ')}) (`;
  });
}

/**
 * The `prometheus.io/rule` value for these queries: Roadie splits it at commas into `query|dimension`
 * entries and puts each query unencoded into the query_range URL, so a comma of the PromQL is written
 * `%2C` (the URL decodes it back). Characters the unencoded URL would change are refused.
 */
export function roadieRuleAnnotation(
  exprs: string[],
  dimension: string,
): string {
  return exprs
    .map(expr => {
      if (/[|+&#%]/.test(expr)) {
        throw new Error(`cannot pass through Roadie's unencoded URL: ${expr}`);
      }
      return `${expr.replace(/,/g, '%2C')}|${dimension}`;
    })
    .join(',');
}

/** Our request_rate panel's query, then our latency panel's (p50, p95, p99): one Roadie graph each. */
export function roadieBenchQueries(): string[] {
  const { window } = resolveRange(
    { range: RANGE },
    1_800_000_000,
    SCRAPE_INTERVAL_SECONDS,
  );
  const ctx = {
    matchers: 'service="inference-service",environment="dev"',
    window: `${window}s`,
    splitByColour: false,
  };
  return [
    ...buildPanelQueries('request_rate', ctx),
    ...buildPanelQueries('latency', ctx),
  ].map(q => groupedBy(q.expr, 'environment'));
}

/** One selector per Roadie graph, matching once recharts drew its line through data. */
export function roadieGraphSelectors(count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) =>
      `[data-testid="roadie-prometheus-graph-${i}"] path.recharts-line-curve[d^="M"]`,
  );
}
