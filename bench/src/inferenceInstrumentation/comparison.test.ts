import { compare, formatComparison, median, Round } from './comparison';

function round(
  side: Round['side'],
  pair: number,
  throughputRps: number,
  p99Ms: number,
): Round {
  return {
    side,
    pair,
    throughputRps,
    p99Ms,
    p50Ms: p99Ms / 2,
    completed: 100,
    failed: 0,
    // CPU per request follows throughput inversely, as it would on an idle machine.
    cpuMsPerRequest: 1000 / throughputRps,
  };
}

describe('compare', () => {
  it('divides each on round by its paired off round and takes the median', () => {
    const comparison = compare([
      round('on', 0, 90, 120),
      round('off', 0, 100, 100),
      // The machine got busier for this pair: both sides slowed, the ratio did not move much.
      round('off', 1, 50, 200),
      round('on', 1, 47, 220),
      // One disturbed round does not move the median.
      round('on', 2, 10, 900),
      round('off', 2, 100, 100),
    ]);
    expect(comparison.pairs).toBe(3);
    expect(comparison.throughputRatio).toBe(0.9);
    expect(comparison.throughputRatioRange).toEqual([0.1, 0.94]);
    expect(comparison.p99Ratio).toBe(1.2);
    expect(comparison.p50Ratio).toBe(1.2);
    expect(comparison.cpuPerRequestRatio).toBe(1.111);
    expect(comparison.on.throughputRps).toBe(47);
    expect(comparison.off.throughputRps).toBe(100);
    expect(comparison.on.completed).toBe(300);
  });

  it('has no ratio without complete pairs', () => {
    const comparison = compare([round('on', 0, 1, 1), round('off', 1, 1, 1)]);
    expect(comparison.pairs).toBe(0);
    expect(comparison.throughputRatio).toBeNaN();
  });

  it('formats the ratios as changes', () => {
    const text = formatComparison(
      compare([round('on', 0, 95, 110), round('off', 0, 100, 100)]),
      'test',
    );
    expect(text).toContain('median of 1 back-to-back pairs');
    // Every row has as many columns as the header.
    const [, header, on, off] = text.split('\n');
    for (const line of [header, on, off]) {
      expect(line.trim().split(/\s{2,}/)).toHaveLength(7);
    }
    expect(text).toContain('throughput 0.95 (-5%; pairs from 0.95 to 0.95)');
    expect(text).toContain('p99        1.1 (+10%)');
    expect(text).toContain('CPU/request 1.053 (+5.3%');
  });
});

describe('median', () => {
  it('handles odd, even and empty lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });
});
