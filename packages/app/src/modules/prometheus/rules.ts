import type { Entity } from '@backstage/catalog-model';

/** Roadie's annotations (their util.ts): the graphs' PromQL, and the alerts to list. */
export const ROADIE_RULE_ANNOTATION = 'prometheus.io/rule';
export const ROADIE_ALERT_ANNOTATION = 'prometheus.io/alert';

/** The id of Roadie's prometheusApiRef, which its components look up (the ref itself is not exported). */
export const ROADIE_PROMETHEUS_API_ID = 'plugin.prometheus.service';

/** The card shows only on entities carrying one of Roadie's two annotations. */
export function hasRoadiePrometheusAnnotation(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return Boolean(
    annotations[ROADIE_RULE_ANNOTATION] || annotations[ROADIE_ALERT_ANNOTATION],
  );
}

export interface RoadieGraphRule {
  query: string;
  dimension?: string;
}

/**
 * The graphs of a `prometheus.io/rule` annotation, split as Roadie's EntityPrometheusContent splits it:
 * `query|dimension` entries separated by commas. A comma inside PromQL cannot be written as is; Roadie
 * puts the query unencoded into the query_range URL, so `%2C` stands for it.
 */
export function roadieGraphRules(
  annotation: string | undefined,
): RoadieGraphRule[] {
  if (!annotation) return [];
  return annotation.split(',').map(entry => {
    const [query, dimension] = entry.split('|');
    return dimension ? { query, dimension } : { query };
  });
}
