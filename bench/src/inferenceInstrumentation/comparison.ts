import type { LoadReport } from '@devops-app/inference';

/** One measured round of one side. */
export interface Round {
  side: 'on' | 'off';
  throughputRps: number;
  p99Ms: number;
  p50Ms: number;
  completed: number;
  failed: number;
}

export interface SideSummary {
  /** Median over the rounds. */
  throughputRps: number;
  p50Ms: number;
  p99Ms: number;
  completed: number;
  failed: number;
}

export interface Comparison {
  on: SideSummary;
  off: SideSummary;
  /** on / off: below 1 means instrumentation costs throughput. */
  throughputRatio: number;
  /** on / off: above 1 means instrumentation adds tail latency. */
  p99Ratio: number;
  p50Ratio: number;
}

export function roundFrom(side: Round['side'], report: LoadReport): Round {
  return {
    side,
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
    completed: rounds.reduce((sum, r) => sum + r.completed, 0),
    failed: rounds.reduce((sum, r) => sum + r.failed, 0),
  };
}

function ratio(a: number, b: number): number {
  return b > 0 ? Math.round((a / b) * 1000) / 1000 : NaN;
}

/** Medians per side (robust to one noisy round) and the on/off ratios. */
export function compare(rounds: Round[]): Comparison {
  const on = summarizeSide(rounds.filter(r => r.side === 'on'));
  const off = summarizeSide(rounds.filter(r => r.side === 'off'));
  return {
    on,
    off,
    throughputRatio: ratio(on.throughputRps, off.throughputRps),
    p99Ratio: ratio(on.p99Ms, off.p99Ms),
    p50Ratio: ratio(on.p50Ms, off.p50Ms),
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
  const row = (name: string, side: SideSummary) =>
    `  ${name.padEnd(26)}${side.throughputRps.toFixed(2).padStart(10)} req/s` +
    `${side.p50Ms.toFixed(1).padStart(10)} ms${side.p99Ms
      .toFixed(1)
      .padStart(10)} ms` +
    `${String(side.completed).padStart(9)}${String(side.failed).padStart(8)}`;
  return [
    `POST /v1/predictions, instrumentation on vs off (${setup})`,
    `  ${'side'.padEnd(26)}${'throughput'.padStart(16)}${'p50'.padStart(
      13,
    )}${'p99'.padStart(13)}${'requests'.padStart(9)}${'failed'.padStart(8)}`,
    row('on (metrics+logs+traces)', on),
    row('off', off),
    `  throughput ratio on/off: ${comparison.throughputRatio} (${percentChange(
      comparison.throughputRatio,
    )})`,
    `  p99 ratio on/off:        ${comparison.p99Ratio} (${percentChange(
      comparison.p99Ratio,
    )})`,
    `  p50 ratio on/off:        ${comparison.p50Ratio} (${percentChange(
      comparison.p50Ratio,
    )})`,
  ].join('\n');
}
