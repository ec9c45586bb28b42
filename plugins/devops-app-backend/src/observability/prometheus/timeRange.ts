import { InputError } from '@backstage/errors';
import {
  METRICS_MAX_RANGE_SECONDS,
  METRICS_TIME_RANGES,
  MetricsTimeRange,
} from '@devops-app/plugin-devops-app-common';

/** About 250 points per chart: enough for the eye, cheap for Prometheus. */
export const TARGET_POINTS = 250;

export interface ResolvedRange {
  start: number;
  end: number;
  step: number;
  /** Range of `rate()`, in seconds. */
  window: number;
}

/**
 * Turns a preset or an explicit start/end into a Prometheus range. End and start are aligned to the step
 * so that everyone watching the same panel in the same step asks the identical query (shared and cached).
 * The rate window covers a step plus a scrape and never less than four scrapes, as Grafana's
 * `$__rate_interval` does, so no point falls between samples.
 */
export function resolveRange(
  input: { range?: MetricsTimeRange; start?: number; end?: number },
  nowSeconds: number,
  scrapeIntervalSeconds: number,
): ResolvedRange {
  let start: number;
  let end: number;
  if (input.range !== undefined) {
    end = nowSeconds;
    start = end - METRICS_TIME_RANGES[input.range];
  } else if (input.start !== undefined && input.end !== undefined) {
    start = input.start;
    end = input.end;
  } else {
    throw new InputError(
      'range: give a range (15m, 1h, 6h, 24h, 7d) or both start and end',
    );
  }
  if (end <= start) {
    throw new InputError('end must be after start');
  }
  if (end - start > METRICS_MAX_RANGE_SECONDS) {
    throw new InputError(
      `range: at most 30 days (${METRICS_MAX_RANGE_SECONDS} s); asked for ${
        end - start
      } s`,
    );
  }
  const step = Math.max(1, Math.ceil((end - start) / TARGET_POINTS));
  const alignedEnd = Math.floor(end / step) * step;
  const alignedStart = alignedEnd - Math.ceil((end - start) / step) * step;
  const window = Math.max(
    step + scrapeIntervalSeconds,
    4 * scrapeIntervalSeconds,
  );
  return { start: alignedStart, end: alignedEnd, step, window };
}
