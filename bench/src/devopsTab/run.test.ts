import type { TabLoad } from '@devops-app/e2e';
import { formatTabRuns, formatWaterfall, median } from './run';

const load = (firstChartMs: number, decoded: number): TabLoad => ({
  firstChartMs,
  allChartsMs: firstChartMs + 500,
  network: {
    code: { requests: 30, transferred: decoded / 4, decoded },
    codePaths: ['/static/main.js'],
    all: { requests: 40, transferred: decoded / 4, decoded },
    waterfall: [
      { path: '/', type: 'Document', startMs: 0, endMs: 20 },
      {
        path: 'image/svg+xml;base64,AAAA',
        type: 'Image',
        startMs: 5,
        endMs: 5,
      },
      {
        path: '/api/devops-app/environments',
        type: 'Fetch',
        startMs: 400,
        endMs: 520,
      },
    ],
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

  it("prints a load's requests from the document on, without inlined images", () => {
    const lines = formatWaterfall(load(1000, 8e6)).split('\n');
    expect(lines[0]).toBe(
      'waterfall (first chart 1000 ms, all charts 1500 ms): start end type path',
    );
    expect(lines.slice(1)).toEqual([
      '     0     20 ms  Document   /',
      '   400    520 ms  Fetch      /api/devops-app/environments',
    ]);
  });
});
