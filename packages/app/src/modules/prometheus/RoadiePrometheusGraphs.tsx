import { compatWrapper } from '@backstage/core-compat-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import {
  backstagePluginPrometheusPlugin,
  EntityPrometheusAlertCard,
  PrometheusGraph,
} from '@roadiehq/backstage-plugin-prometheus';
import type { RoadiePrometheusClient, RoadiePrometheusDeps } from './index';
import {
  ROADIE_ALERT_ANNOTATION,
  ROADIE_PROMETHEUS_API_ID,
  ROADIE_RULE_ANNOTATION,
  roadieGraphRules,
} from './rules';

/** The range and step of the DevOps tab's default view (1 h, 15 s steps), for the same data. */
export const ROADIE_GRAPH_RANGE = { hours: 1 };
export const ROADIE_GRAPH_STEP_SECONDS = 15;

/** Roadie's PrometheusApi, made by the factory Roadie's legacy plugin declares. */
export function createRoadiePrometheusClient(
  deps: RoadiePrometheusDeps,
): RoadiePrometheusClient {
  const factory = [...backstagePluginPrometheusPlugin.getApis()].find(
    f => f.api.id === ROADIE_PROMETHEUS_API_ID,
  );
  if (!factory) {
    throw new Error(
      `@roadiehq/backstage-plugin-prometheus declares no ${ROADIE_PROMETHEUS_API_ID} api`,
    );
  }
  return factory.factory({ ...deps }) as RoadiePrometheusClient;
}

/** One of Roadie's graph cards per entry of `prometheus.io/rule`, then its alerts card if annotated. */
export function RoadiePrometheusGraphs() {
  const { entity } = useEntity();
  const annotations = entity.metadata.annotations ?? {};
  const rules = roadieGraphRules(annotations[ROADIE_RULE_ANNOTATION]);
  return compatWrapper(
    <Grid container spacing={3} direction="column">
      {annotations[ROADIE_ALERT_ANNOTATION] && (
        <Grid item>
          <EntityPrometheusAlertCard />
        </Grid>
      )}
      {rules.map((rule, i) => (
        <Grid
          item
          key={`${i}:${rule.query}`}
          data-testid={`roadie-prometheus-graph-${i}`}
        >
          <PrometheusGraph
            query={rule.query}
            dimension={rule.dimension}
            range={ROADIE_GRAPH_RANGE}
            step={ROADIE_GRAPH_STEP_SECONDS}
          />
        </Grid>
      ))}
    </Grid>,
  );
}
