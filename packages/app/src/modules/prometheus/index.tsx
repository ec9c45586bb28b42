/*
 * Roadie's Prometheus graphs (@roadiehq/backstage-plugin-prometheus) as an entity tab, for the
 * devops-tab bench's comparison (issue 17; bench/README.md).
 *
 * Roadie's newest release (3.3.1) has no new-frontend-system plugin and pins plugin-catalog-react 1.x
 * (the app runs 4.x), so, as for Roadie's Argo CD card (../argocd), app-config.yaml excludes the
 * package from plugin discovery and this plugin wires its parts with the app's own blueprints:
 * - Roadie's client under the id of Roadie's api ref, created by Roadie's own factory when the tab's
 *   chunk loads (so none of Roadie's code, nunjucks or recharts 1 is in the app's first chunks). It
 *   reads `<discovery 'proxy'>/prometheus/api/query_range?query=<PromQL from the annotation>` from the
 *   browser: only a configuration with that proxy endpoint (the bench's
 *   bench/config/app-config.roadie-prometheus.yaml) gives it data; app-config.yaml and
 *   app-config.production.yaml have none, so production has no raw PromQL proxy;
 * - Roadie's PrometheusGraph card per graph of the entity's `prometheus.io/rule`; its copy of
 *   plugin-catalog-react finds the entity through the versioned "entity-context" both copies share.
 *   (Roadie's EntityPrometheusContent is a routable extension whose legacy route ref the new app does
 *   not know, so the tab renders the same graphs itself, split as Roadie splits the annotation.)
 * The tab only shows on entities with `prometheus.io/rule` or `prometheus.io/alert`; no entity of
 * catalog/ has either (the bench's entity is bench/config/roadie-prometheus.catalog.yaml).
 */
import {
  ApiBlueprint,
  configApiRef,
  createApiRef,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  type ConfigApi,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import {
  hasRoadiePrometheusAnnotation,
  ROADIE_PROMETHEUS_API_ID,
} from './rules';

type QueryOptions = {
  query?: string;
  range?: { hours?: number; minutes?: number };
  step?: number;
  serviceName?: string;
};

/** The methods of Roadie's PrometheusApi that its components call. */
export interface RoadiePrometheusClient {
  query(options: QueryOptions): Promise<any>;
  getAlerts(options: { serviceName?: string }): Promise<any>;
  getUiUrl(options: { serviceName?: string }): string | undefined;
}

export interface RoadiePrometheusDeps {
  discoveryApi: DiscoveryApi;
  configApi: ConfigApi;
  fetchApi: FetchApi;
}

type RoadieChunk = typeof import('./RoadiePrometheusGraphs');
let roadieChunk: RoadieChunk | undefined;

/** The tab's chunk: Roadie's components and its client's factory. */
export async function loadRoadieChunk(): Promise<RoadieChunk> {
  roadieChunk ??= await import('./RoadiePrometheusGraphs');
  return roadieChunk;
}

/**
 * Roadie's own client, created on first use from the lazily loaded chunk. The graphs render only
 * after the chunk loaded (the tab's loader awaits it), so the synchronous getUiUrl finds it too.
 */
export class LazyRoadiePrometheusClient implements RoadiePrometheusClient {
  private client?: RoadiePrometheusClient;

  constructor(private readonly deps: RoadiePrometheusDeps) {}

  private loaded(): RoadiePrometheusClient | undefined {
    if (!this.client && roadieChunk) {
      this.client = roadieChunk.createRoadiePrometheusClient(this.deps);
    }
    return this.client;
  }

  private async ready(): Promise<RoadiePrometheusClient> {
    await loadRoadieChunk();
    return this.loaded()!;
  }

  async query(options: QueryOptions) {
    return (await this.ready()).query(options);
  }

  async getAlerts(options: { serviceName?: string }) {
    return (await this.ready()).getAlerts(options);
  }

  getUiUrl(options: { serviceName?: string }) {
    return this.loaded()?.getUiUrl(options);
  }
}

export const roadiePrometheusApiRef = createApiRef<RoadiePrometheusClient>({
  id: ROADIE_PROMETHEUS_API_ID,
});

export const roadiePrometheusApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: roadiePrometheusApiRef,
      deps: {
        discoveryApi: discoveryApiRef,
        configApi: configApiRef,
        fetchApi: fetchApiRef,
      },
      factory: deps => new LazyRoadiePrometheusClient(deps),
    }),
});

/** Roadie's graphs (and alerts) of the entity, on a tab of their own. */
export const roadiePrometheusContent = EntityContentBlueprint.make({
  name: 'roadie',
  params: {
    path: '/prometheus',
    title: 'Prometheus (Roadie)',
    filter: entity => hasRoadiePrometheusAnnotation(entity),
    loader: () => loadRoadieChunk().then(m => <m.RoadiePrometheusGraphs />),
  },
});

export const roadiePrometheusPlugin = createFrontendPlugin({
  pluginId: 'roadie-prometheus',
  extensions: [roadiePrometheusApi, roadiePrometheusContent],
});
