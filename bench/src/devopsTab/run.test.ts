import type { TabLoad } from '@devops-app/e2e';
import { formatTabRuns, median } from './run';

const load = (firstChartMs: number, decoded: number): TabLoad => ({
  firstChartMs,
  allChartsMs: firstChartMs + 500,
  network: {
    code: { requests: 30, transferred: decoded / 4, decoded },
    codePaths: ['/static/main.js'],
    all: { requests: 40, transferred: decoded / 4, decoded },
  },
});

describe('devops-tab benchmark', () => {
  it('takes medians', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });

  it('prints each side cold and warm and the ratio of first charts', () => {
    const text = formatTabRuns([
      {
        side: 'production build',
        cold: [load(2000, 8e6), load(3000, 8e6), load(2500, 8e6)],
        warm: [load(1000, 8e6), load(1200, 8e6), load(900, 8e6)],
      },
      {
        side: 'development server',
        cold: [load(5000, 60e6), load(5000, 60e6), load(5000, 60e6)],
        warm: [load(4000, 60e6), load(4000, 60e6), load(4000, 60e6)],
      },
    ]);
    expect(text).toMatch(
      /production build\s+\| cold \|\s+2.50 s \|\s+3.00 s \|\s+30 \|\s+2.00 MB \|\s+8.00 MB \|/,
    );
    expect(text).toContain(
      'first chart, production build / development server: cold 0.50, warm 0.25',
    );
  });
});
