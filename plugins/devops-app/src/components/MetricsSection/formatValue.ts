import { MetricsUnit } from '@devops-app/plugin-devops-app-common';

/** A value with its unit, short enough for an axis tick or the current value beside a chart. */
export function formatValue(
  value: number | null | undefined,
  unit: MetricsUnit,
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return '—';
  }
  switch (unit) {
    case 'ratio':
      return `${(value * 100).toFixed(value < 0.1 ? 2 : 1)} %`;
    case 'seconds':
      return value < 1
        ? `${(value * 1000).toFixed(value < 0.01 ? 1 : 0)} ms`
        : `${value.toFixed(2)} s`;
    case 'requests/s':
      return `${value.toFixed(value < 10 ? 2 : 0)} req/s`;
    case 'predictions/s':
      return `${value.toFixed(value < 10 ? 2 : 0)} /s`;
    default:
      return String(value);
  }
}

/** What the value axis measures, as its title; the ticks carry the unit (ms or s, req/s, %). */
export function unitLabel(unit: MetricsUnit): string {
  switch (unit) {
    case 'ratio':
      return 'errors';
    case 'seconds':
      return 'duration';
    case 'requests/s':
      return 'requests';
    case 'predictions/s':
      return 'predictions';
    default:
      return unit;
  }
}
