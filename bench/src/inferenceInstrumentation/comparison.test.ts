import { compare, formatComparison, median, Round } from './comparison';

function round(
  side: Round['side'],
  throughputRps: number,
  p99Ms: number,
): Round {
  return {
    side,
    throughputRps,
    p99Ms,
    p50Ms: p99Ms / 2,
    completed: 100,
    failed: 0,
  };
}

describe('compare', () => {
  it('takes per-side medians and divides on by off', () => {
    const comparison = compare([
      round('on', 90, 120),
      round('off', 100, 100),
      round('off', 110, 90),
      round('on', 99, 110),
      round('on', 10, 900), // one disturbed round does not move the median
      round('off', 100, 100),
    ]);
    expect(comparison.on.throughputRps).toBe(90);
    expect(comparison.off.throughputRps).toBe(100);
    expect(comparison.throughputRatio).toBe(0.9);
    expect(comparison.p99Ratio).toBe(1.2);
    expect(comparison.p50Ratio).toBe(1.2);
    expect(comparison.on.completed).toBe(300);
  });

  it('has no ratio without an off side', () => {
    expect(compare([round('on', 1, 1)]).throughputRatio).toBeNaN();
  });

  it('formats the ratios as changes', () => {
    const text = formatComparison(
      compare([round('on', 95, 110), round('off', 100, 100)]),
      'test',
    );
    expect(text).toContain('throughput ratio on/off: 0.95 (-5%)');
    expect(text).toContain('p99 ratio on/off:        1.1 (+10%)');
  });
});

describe('median', () => {
  it('handles odd, even and empty lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBe(0);
  });
});
