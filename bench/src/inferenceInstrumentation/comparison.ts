import type { LoadReport } from '@devops-app/inference';

/** One measured round of one side; the two rounds of a pair ran back to back. */
export interface Round {
  side: 'on' | 'off';
  pair: number;
  throughputRps: number;
  p99Ms: number;
  p50Ms: number;
  completed: number;
  failed: number;
  /** Service CPU time per completed request (0 where it cannot be read). */
  cpuMsPerRequest: number;
}

export interface SideSummary {
  /** Median over the rounds. */
  throughputRps: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRequest: number;
  completed: number;
  failed: number;
}

/**
 * The ratios are medians of the per-pair ratios: each "on" round is divided by the "off" round that ran
 * right next to it, so a slow drift in the machine's other load (a shared CI box) cancels out.
 */
export interface Comparison {
  on: SideSummary;
  off: SideSummary;
  /** on / off: below 1 means instrumentation costs throughput. */
  throughputRatio: number;
  /** on / off: above 1 means instrumentation adds tail latency. */
  p99Ratio: number;
  p50Ratio: number;
  /** on / off of the service's CPU time per request: the cost with the machine's noise left out. */
  cpuPerRequestRatio: number;
  /** Lowest and highest per-pair throughput ratio: how far the noise reaches. */
  throughputRatioRange: [number, number];
  pairs: number;
}

export function roundFrom(
  side: Round['side'],
  pair: number,
  report: LoadReport,
  cpuSeconds?: number,
): Round {
  return {
    side,
    pair,
    cpuMsPerRequest:
      cpuSeconds !== undefined && report.completed > 0
        ? Math.round((cpuSeconds * 1000 * 100) / report.completed) / 100
        : 0,
    throughputRps: report.throughput_rps,
    p99Ms: report.latency_ms.valid.p99,
    p50Ms: report.latency_ms.valid.p50,
    completed: report.completed,
    failed: report.unexpected + report.network_errors,
  };
}

export function median(values: number[]): number {
  if (values.length === 0) {
    return 0;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
}

function summarizeSide(rounds: Round[]): SideSummary {
  return {
    throughputRps: median(rounds.map(r => r.throughputRps)),
    p50Ms: median(rounds.map(r => r.p50Ms)),
    p99Ms: median(rounds.map(r => r.p99Ms)),
    cpuMsPerRequest: median(rounds.map(r => r.cpuMsPerRequest)),
    completed: rounds.reduce((sum, r) => sum + r.completed, 0),
    failed: rounds.reduce((sum, r) => sum + r.failed, 0),
  };
}

function rounded(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Per-side medians, and the medians of the per-pair on/off ratios. */
export function compare(rounds: Round[]): Comparison {
  const pairs = [...new Set(rounds.map(r => r.pair))].flatMap(pair => {
    const on = rounds.find(r => r.pair === pair && r.side === 'on');
    const off = rounds.find(r => r.pair === pair && r.side === 'off');
    return on && off && off.throughputRps > 0 && off.p99Ms > 0 && off.p50Ms > 0
      ? [
          {
            throughput: on.throughputRps / off.throughputRps,
            p99: on.p99Ms / off.p99Ms,
            p50: on.p50Ms / off.p50Ms,
            cpu:
              off.cpuMsPerRequest > 0
                ? on.cpuMsPerRequest / off.cpuMsPerRequest
                : NaN,
          },
        ]
      : [];
  });
  const throughputRatios = pairs.map(p => p.throughput);
  return {
    on: summarizeSide(rounds.filter(r => r.side === 'on')),
    off: summarizeSide(rounds.filter(r => r.side === 'off')),
    throughputRatio: pairs.length ? rounded(median(throughputRatios)) : NaN,
    p99Ratio: pairs.length ? rounded(median(pairs.map(p => p.p99))) : NaN,
    p50Ratio: pairs.length ? rounded(median(pairs.map(p => p.p50))) : NaN,
    cpuPerRequestRatio: pairs.length
      ? rounded(median(pairs.map(p => p.cpu)))
      : NaN,
    throughputRatioRange: pairs.length
      ? [
          rounded(Math.min(...throughputRatios)),
          rounded(Math.max(...throughputRatios)),
        ]
      : [NaN, NaN],
    pairs: pairs.length,
  };
}

function percentChange(value: number): string {
  const change = Math.round((value - 1) * 1000) / 10;
  return `${change >= 0 ? '+' : ''}${change}%`;
}

export function formatComparison(
  comparison: Comparison,
  setup: string,
): string {
  const { on, off } = comparison;
  const columns = (cells: string[]) =>
    `  ${cells[0].padEnd(26)}${cells
      .slice(1)
      .map(cell => cell.padStart(14))
      .join('')}`;
  const row = (name: string, side: SideSummary) =>
    columns([
      name,
      `${side.throughputRps.toFixed(2)} req/s`,
      `${side.p50Ms.toFixed(1)} ms`,
      `${side.p99Ms.toFixed(1)} ms`,
      `${side.cpuMsPerRequest.toFixed(2)} ms`,
      String(side.completed),
      String(side.failed),
    ]);
  const throughput = comparison.throughputRatio;
  const range = comparison.throughputRatioRange.join(' to ');
  return [
    `POST /v1/predictions, instrumentation on vs off (${setup})`,
    columns([
      'side (median of rounds)',
      'throughput',
      'p50',
      'p99',
      'CPU/request',
      'requests',
      'failed',
    ]),
    row('on (metrics+logs+traces)', on),
    row('off', off),
    `  ratios on/off, median of ${comparison.pairs} back-to-back pairs:`,
    `    throughput ${throughput} (${percentChange(
      throughput,
    )}; pairs from ${range})`,
    `    p99        ${comparison.p99Ratio} (${percentChange(
      comparison.p99Ratio,
    )})`,
    `    p50        ${comparison.p50Ratio} (${percentChange(
      comparison.p50Ratio,
    )})`,
    `    CPU/request ${comparison.cpuPerRequestRatio} (${percentChange(
      comparison.cpuPerRequestRatio,
    )}; the steadiest measure on a shared machine)`,
  ].join('\n');
}
