import { Entity } from '@backstage/catalog-model';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { roadiePrometheusContent } from './index';
import {
  hasRoadiePrometheusAnnotation,
  roadieGraphRules,
  ROADIE_PROMETHEUS_API_ID,
} from './rules';
import { createRoadiePrometheusClient } from './RoadiePrometheusGraphs';

const entity = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'inference-service-roadie', annotations },
  spec: { type: 'service', owner: 'group:default/ml-team', lifecycle: 'x' },
});

describe("Roadie's Prometheus graphs (wired with the app blueprints)", () => {
  it("shows only on entities with Roadie's prometheus.io/rule or prometheus.io/alert", () => {
    const filter = createExtensionTester(roadiePrometheusContent).get(
      EntityContentBlueprint.dataRefs.filterFunction,
    );
    expect(filter?.(entity({ 'prometheus.io/rule': 'up|job' }))).toBe(true);
    expect(filter?.(entity({ 'prometheus.io/alert': 'all' }))).toBe(true);
    expect(
      filter?.(entity({ 'devops-app.io/prometheus-selector': 'service="x"' })),
    ).toBe(false);
    expect(hasRoadiePrometheusAnnotation(entity({}))).toBe(false);
  });

  it('splits the annotation as Roadie does: commas between graphs, | before the dimension', () => {
    expect(roadieGraphRules(undefined)).toEqual([]);
    expect(
      roadieGraphRules('up|job,histogram_quantile(0.5%2C sum by (le) (x))'),
    ).toEqual([
      { query: 'up', dimension: 'job' },
      { query: 'histogram_quantile(0.5%2C sum by (le) (x))' },
    ]);
  });

  it("creates Roadie's own client, which reads <discovery proxy>/prometheus/api/query_range", async () => {
    const urls: string[] = [];
    const client = createRoadiePrometheusClient({
      discoveryApi: {
        getBaseUrl: async id => `http://localhost:7007/api/${id}`,
      },
      configApi: {
        getOptionalString: () => undefined,
        getOptionalConfigArray: () => undefined,
      } as any,
      fetchApi: {
        fetch: (async (url: string) => {
          urls.push(url);
          return {
            ok: true,
            json: async () => ({ data: { resultType: 'matrix', result: [] } }),
          };
        }) as any,
      },
    });
    await client.query({ query: 'up', step: 15, range: { hours: 1 } });
    expect(urls[0]).toMatch(
      /^http:\/\/localhost:7007\/api\/proxy\/prometheus\/api\/query_range\?query=up&start=[\d.]+&end=[\d.]+&step=15$/,
    );
    expect(ROADIE_PROMETHEUS_API_ID).toBe('plugin.prometheus.service');
  });
});
