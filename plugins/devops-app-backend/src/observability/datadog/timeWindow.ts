import { InputError } from '@backstage/errors';
import {
  CUSTOM_RANGE_FUTURE_SLACK_MS,
  METRICS_MAX_RANGE_SECONDS,
  METRICS_TIME_RANGES,
  MetricsTimeRange,
} from '@devops-app/plugin-devops-app-common';

/** ISO 8601 date-time with a time zone (`Z` or `+01:00`), or a date alone (UTC midnight). */
const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;
const EPOCH_MS = /^\d{1,15}$/;

/** Date.parse rolls 2026-02-31 over into March; a date that does not exist is a typo, not a time. */
function calendarDateExists(value: string): boolean {
  const [y, m, d] = value.slice(0, 10).split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return (
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === m - 1 &&
    date.getUTCDate() === d
  );
}

/** A point in time of a custom window: ISO 8601 or epoch milliseconds. A failure names the field. */
export function parseInstant(field: 'from' | 'to', value: string): number {
  let ms = NaN;
  if (EPOCH_MS.test(value)) {
    ms = Number(value);
  } else if (ISO_8601.test(value) && calendarDateExists(value)) {
    ms = Date.parse(value);
  }
  if (!Number.isFinite(ms)) {
    throw new InputError(
      `${field}: must be ISO 8601 with a time zone (2026-11-25T14:00:00Z) or epoch milliseconds; got "${value.slice(
        0,
        40,
      )}"`,
    );
  }
  return ms;
}

/**
 * The window of a Datadog request in epoch milliseconds: a preset `range` ending now (the default `1h`), or
 * a custom `from`/`to` with the Metrics section's limit (30 days), not ending more than a minute in the
 * future. Each failure is an `InputError` naming the field.
 */
export function resolveDatadogWindow(
  input: { range?: MetricsTimeRange; from?: string; to?: string },
  nowMs: number,
): { fromMs: number; toMs: number } {
  const custom = input.from !== undefined || input.to !== undefined;
  if (!custom) {
    const range = input.range ?? '1h';
    return { fromMs: nowMs - METRICS_TIME_RANGES[range] * 1000, toMs: nowMs };
  }
  if (input.range !== undefined) {
    throw new InputError('range: give a preset range or from and to, not both');
  }
  if (input.from === undefined) throw new InputError('from: required with to');
  if (input.to === undefined) throw new InputError('to: required with from');
  const fromMs = parseInstant('from', input.from);
  const toMs = parseInstant('to', input.to);
  if (toMs <= fromMs) {
    throw new InputError('to: must be after from');
  }
  if (toMs > nowMs + CUSTOM_RANGE_FUTURE_SLACK_MS) {
    throw new InputError(
      `to: ${new Date(
        toMs,
      ).toISOString()} is in the future (more than a minute after ${new Date(
        nowMs,
      ).toISOString()})`,
    );
  }
  const seconds = Math.ceil((toMs - fromMs) / 1000);
  if (seconds > METRICS_MAX_RANGE_SECONDS) {
    throw new InputError(
      `from: range at most 30 days (${METRICS_MAX_RANGE_SECONDS} s) before to; asked for ${seconds} s`,
    );
  }
  return { fromMs, toMs };
}
