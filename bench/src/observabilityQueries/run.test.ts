import { formatResults, PANELS, RAW_QUERIES } from './run';

describe('observability-queries benchmark', () => {
  it('sends the proxy side one raw query per series query of the five panels', () => {
    expect(PANELS).toHaveLength(5);
    // request rate, error ratio, 3 latency quantiles, 2 inference quantiles, outcomes
    expect(RAW_QUERIES).toHaveLength(8);
  });

  it('prints both sides and the ratio of Prometheus queries', () => {
    const text = formatResults(
      { viewers: 10, refreshes: 2, spreadMs: 1000 },
      {
        side: 'devops-app backend',
        requests: 100,
        failed: 0,
        prometheusQueries: 16,
        wallMs: 1,
      },
      {
        side: 'plain proxy',
        requests: 160,
        failed: 0,
        prometheusQueries: 160,
        wallMs: 1,
      },
    );
    expect(text).toContain('plain proxy / devops-app backend: 10.0x');
    expect(text).toMatch(
      /devops-app backend \|\s+100 \|\s+0 \|\s+16 \|\s+0.80 \|/,
    );
  });
});
