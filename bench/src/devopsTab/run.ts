import type { TabLoad } from '@devops-app/e2e';

export interface SideRuns {
  side: string;
  cold: TabLoad[];
  warm: TabLoad[];
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function row(side: string, when: string, loads: TabLoad[]): string {
  const m = (pick: (l: TabLoad) => number) => median(loads.map(pick));
  return `| ${side.padEnd(22)} | ${when.padEnd(4)} | ${s(
    m(l => l.firstChartMs),
  ).padStart(11)} | ${s(m(l => l.allChartsMs)).padStart(10)} | ${String(
    m(l => l.network.code.requests),
  ).padStart(8)} | ${mb(m(l => l.network.code.transferred)).padStart(
    11,
  )} | ${mb(m(l => l.network.code.decoded)).padStart(9)} |`;
}

/** Both sides' medians, cold and warm, and the ratios of the first against each other side. */
export function formatTabRuns(sides: SideRuns[]): string {
  const [base, ...others] = sides;
  const first = (r: SideRuns, w: 'cold' | 'warm') =>
    median(r[w].map(l => l.firstChartMs));
  return [
    `DevOps tab of inference-service (and each other side's page), navigation to charts with data (medians of ${base.cold.length} runs; JS and CSS counted by chromium's network events)`,
    '| side                   | load | first chart | all charts | JS+CSS n | transferred |   decoded |',
    '| ---------------------- | ---- | ----------- | ---------- | -------- | ----------- | --------- |',
    ...sides.flatMap(r => [
      row(r.side, 'cold', r.cold),
      row(r.side, 'warm', r.warm),
    ]),
    ...others.map(
      o =>
        `first chart, ${base.side} / ${o.side}: cold ${(
          first(base, 'cold') / first(o, 'cold')
        ).toFixed(2)}, warm ${(first(base, 'warm') / first(o, 'warm')).toFixed(
          2,
        )}`,
    ),
  ].join('\n');
}

/**
 * One load's requests in start order, from the document's request (ms): where a load's time goes.
 * Inlined images (`data:` URLs) are left out.
 */
export function formatWaterfall(load: TabLoad): string {
  return [
    `waterfall (first chart ${load.firstChartMs} ms, all charts ${load.allChartsMs} ms): start end type path`,
    ...load.network.waterfall
      .filter(e => e.path.startsWith('/'))
      .map(
        e =>
          `${String(e.startMs).padStart(6)} ${String(e.endMs).padStart(
            6,
          )} ms  ${e.type.padEnd(10)} ${e.path}`,
      ),
  ].join('\n');
}
