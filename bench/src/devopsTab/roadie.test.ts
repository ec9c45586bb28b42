import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  groupedBy,
  roadieBenchQueries,
  roadieGraphSelectors,
  roadieRuleAnnotation,
} from './roadie';

describe("devops-tab benchmark, Roadie's side", () => {
  it('keeps a grouping label in every sum', () => {
    expect(groupedBy('sum (rate(x[1m]))', 'environment')).toBe(
      'sum by (environment) (rate(x[1m]))',
    );
    expect(
      groupedBy('histogram_quantile(0.5, sum by (le) (rate(b[1m])))', 'env'),
    ).toBe('histogram_quantile(0.5, sum by (le, env) (rate(b[1m])))');
    expect(groupedBy('sum by (le, colour) (y)', 'env')).toBe(
      'sum by (le, colour, env) (y)',
    );
  });

  it("writes the queries as Roadie's annotation reads them: commas of the PromQL as %2C", () => {
    expect(roadieRuleAnnotation(['f(a, b)', 'c{x="1",y="2"}'], 'env')).toBe(
      'f(a%2C b)|env,c{x="1"%2Cy="2"}|env',
    );
    expect(() => roadieRuleAnnotation(['a + b'], 'env')).toThrow(/unencoded/);
    const decoded = decodeURIComponent(
      roadieRuleAnnotation(['f(a, b)'], 'env').split('|')[0],
    );
    expect(decoded).toBe('f(a, b)');
  });

  it("uses our request_rate and latency panels' PromQL, and the bench's entity holds it", () => {
    const queries = roadieBenchQueries();
    expect(queries).toHaveLength(4);
    expect(queries[0]).toBe(
      'sum by (environment) (rate(http_request_duration_seconds_count{service="inference-service",environment="dev"}[16s]))',
    );
    expect(queries[2]).toContain(
      'histogram_quantile(0.95, sum by (le, environment)',
    );
    const catalog = readFileSync(
      resolve(__dirname, '../../config/roadie-prometheus.catalog.yaml'),
      'utf8',
    );
    expect(catalog).toContain(
      `prometheus.io/rule: '${roadieRuleAnnotation(queries, 'environment')}'`,
    );
  });

  it('selects each graph once its line is drawn', () => {
    expect(roadieGraphSelectors(2)).toEqual([
      '[data-testid="roadie-prometheus-graph-0"] path.recharts-line-curve[d^="M"]',
      '[data-testid="roadie-prometheus-graph-1"] path.recharts-line-curve[d^="M"]',
    ]);
  });
});
