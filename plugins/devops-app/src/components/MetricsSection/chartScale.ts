import { MetricsTimeRange } from '@devops-app/plugin-devops-app-common';

/**
 * The arithmetic of the metrics charts: nice ticks on both axes, the line of a series as SVG path
 * data, and the point under the pointer. Pure, so it is tested without a browser.
 */

/** The side of the square the chart's paths are drawn in; the SVG stretches it to the box. */
export const VIEW = 1000;

/** A round step (1, 2 or 5 times a power of ten) near `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  const factor = [1, 2, 5].find(f => m <= f) ?? 10;
  return factor * power;
}

/**
 * The value axis from 0 to a round top at or above `max` (with `floor` as the top when every value
 * is 0), and its ticks, about `count` of them.
 */
export function valueAxis(
  max: number,
  floor: number,
  count = 4,
): { top: number; ticks: number[] } {
  const wanted = max > 0 ? max * 1.1 : floor;
  const step = niceStep(wanted / count);
  const steps = Math.max(1, Math.ceil(wanted / step - 1e-9));
  const ticks: number[] = [];
  for (let i = 0; i <= steps; i++)
    ticks.push(Number((i * step).toPrecision(12)));
  return { top: ticks[ticks.length - 1], ticks };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
];

/**
 * Time ticks inside [from, to] (epoch ms) at a round interval, at most `count` of them, aligned to
 * the local clock (whole hours and local midnights, not UTC's), as a person reads a time axis.
 */
export function timeTicks(from: number, to: number, count = 6): number[] {
  if (!(to > from)) return [];
  // The local offset at the start of the range; a daylight-saving change inside it moves later
  // ticks by an hour, as it does on any wall clock.
  const offset = -new Date(from).getTimezoneOffset() * MINUTE;
  const at = (step: number) => {
    const ticks: number[] = [];
    let t = Math.ceil((from + offset) / step) * step - offset;
    for (; t <= to && ticks.length < 50; t += step) ticks.push(t);
    return ticks;
  };
  // The finest step whose ticks (both ends included when they fall on it) number `count` or fewer;
  // the coarsest if none does.
  let ticks: number[] = [];
  for (const step of TIME_STEPS) {
    ticks = at(step);
    if (ticks.length <= count) break;
  }
  return ticks;
}

/** Whether a range's time labels carry the day (day and hour) rather than the hour and minute. */
export function hasLongTimeLabels(range: MetricsTimeRange): boolean {
  return range === '7d' || range === '24h';
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A tick's label for a range (day and hour for a day or a week, hour and minute below); cached. */
export function tickLabel(range: MetricsTimeRange, t: number): string {
  const long = hasLongTimeLabels(range);
  const key = long ? 'long' : 'short';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(
      undefined,
      long
        ? { month: 'short', day: 'numeric', hour: '2-digit' }
        : { hour: '2-digit', minute: '2-digit' },
    );
    formatters.set(key, f);
  }
  return f.format(t);
}

let full: Intl.DateTimeFormat | undefined;

/** A point's full date and time, for the readout under the pointer. */
export function pointLabel(t: number): string {
  full ??= new Intl.DateTimeFormat(undefined, {
    dateStyle: 'medium',
    timeStyle: 'medium',
  });
  return full.format(t);
}

/**
 * The SVG path of a series in the chart's square: x from `from` to `to`, y from 0 to `top`. A null
 * value breaks the line (Prometheus had no sample); a point alone between gaps is a zero-length
 * segment, which the round line cap draws as a dot.
 */
export function linePath(
  points: Array<[number, number | null]>,
  from: number,
  to: number,
  top: number,
): string {
  const xs = VIEW / (to - from || 1);
  const ys = VIEW / (top || 1);
  const parts: string[] = [];
  let open = false;
  let alone = false;
  for (const [t, v] of points) {
    if (v === null || !Number.isFinite(v)) {
      if (alone) parts.push('h0');
      open = false;
      alone = false;
      continue;
    }
    const x = ((t - from) * xs).toFixed(1);
    const y = (VIEW - Math.min(v, top) * ys).toFixed(1);
    if (open) {
      parts.push(`L${x} ${y}`);
      alone = false;
    } else {
      parts.push(`M${x} ${y}`);
      open = true;
      alone = true;
    }
  }
  if (alone) parts.push('h0');
  return parts.join('');
}

/** The index of the time in sorted `times` nearest to `t` (-1 when there is none). */
export function nearestIndex(times: number[], t: number): number {
  if (times.length === 0) return -1;
  let lo = 0;
  let hi = times.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= t) lo = mid;
    else hi = mid;
  }
  return Math.abs(times[hi] - t) < Math.abs(times[lo] - t) ? hi : lo;
}
