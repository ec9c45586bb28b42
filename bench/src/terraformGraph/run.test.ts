import { formatResult, median, provision } from './run';

jest.setTimeout(120_000);

describe('terraform-graph benchmark', () => {
  it('provisions in graph order with monitoring and storage together, and in a line without', async () => {
    const graph = await provision({
      order: 'graph',
      delaySeconds: 1,
      environment: 'bench-graph',
    });
    const [, monitoring, storage] = graph.run.stacks;
    expect(
      monitoring.startedAt! < storage.finishedAt! &&
        storage.startedAt! < monitoring.finishedAt!,
    ).toBe(true);

    const line = await provision({
      order: 'sequential',
      delaySeconds: 1,
      environment: 'bench-line',
    });
    const [cluster, m, s] = line.run.stacks;
    expect(m.startedAt! >= cluster.finishedAt!).toBe(true);
    expect(s.startedAt! >= m.finishedAt!).toBe(true);
  });

  it('prints medians and the ratio', () => {
    expect(median([3, 1, 2])).toBe(2);
    const text = formatResult({
      delaySeconds: 5,
      graph: [10_000, 12_000],
      sequential: [15_000, 17_000],
    });
    expect(text).toContain('graph / sequential: 0.69');
  });
});
