import { parseArgs } from 'node:util';
import type { LoadOptions, LoadReport } from './runLoad';

export interface CliOptions
  extends Omit<LoadOptions, 'signal' | 'templates' | 'onReport'> {
  json: boolean;
  /** Wait this long for /readyz before sending anything. */
  waitReadySeconds: number;
}

export const USAGE = `Usage: yarn workspace @devops-app/inference loadgen [options]

  --url URL              service address (default http://127.0.0.1:8000)
  --rps N                requests started per second (open loop); without it, closed loop at full speed
  --seconds S            how long to send (default 10); 0 runs until Ctrl-C / SIGTERM
  --concurrency C        closed loop: workers; open loop: most requests in flight (default 8)
  --invalid-ratio R      share of invalid uploads, 0..1 (default 0.2)
  --wait-ready S         wait up to S seconds for /readyz first (default 0)
  --json                 print the report as JSON
`;

function number(
  name: string,
  raw: string | undefined,
  fallback: number | undefined,
  min: number,
) {
  if (raw === undefined) {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) {
    throw new Error(
      `--${name} must be a number of at least ${min}, got "${raw}"`,
    );
  }
  return value;
}

/** Parses the loadgen's command line; throws with a message naming the bad option. */
export function parseCli(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:8000' },
      rps: { type: 'string' },
      seconds: { type: 'string' },
      concurrency: { type: 'string' },
      'invalid-ratio': { type: 'string' },
      'wait-ready': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const rps = number('rps', values.rps, undefined, 0.01);
  const invalidRatio = number(
    'invalid-ratio',
    values['invalid-ratio'],
    0.2,
    0,
  ) as number;
  if (invalidRatio > 1) {
    throw new Error(`--invalid-ratio must be at most 1, got ${invalidRatio}`);
  }
  return {
    baseUrl: new URL(values.url as string).toString().replace(/\/$/, ''),
    rps,
    seconds: number('seconds', values.seconds, 10, 0) as number,
    concurrency: Math.floor(
      number('concurrency', values.concurrency, 8, 1) as number,
    ),
    invalidRatio,
    json: values.json as boolean,
    waitReadySeconds: number(
      'wait-ready',
      values['wait-ready'],
      0,
      0,
    ) as number,
  };
}

/** The report as an operator reads it. */
export function formatReport(report: LoadReport): string {
  const { valid, invalid } = report.latency_ms;
  const statuses = Object.entries(report.statuses)
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
  const mode =
    report.mode === 'open'
      ? `open loop at ${report.target_rps} rps (max ${report.concurrency} in flight)`
      : `closed loop, ${report.concurrency} workers`;
  const skipped = report.skipped
    ? `, skipped ${report.skipped} ticks (too many in flight)`
    : '';
  const samples = report.error_samples.length
    ? ` (${report.error_samples.join('; ')})`
    : '';
  return [
    `loadgen: ${mode}, ${report.duration_s} s`,
    `  sent ${report.sent}, completed ${report.completed}, throughput ${report.throughput_rps} req/s${skipped}`,
    `  valid   ${valid.count}: p50 ${valid.p50} ms, p90 ${valid.p90} ms, p95 ${valid.p95} ms, p99 ${valid.p99} ms, max ${valid.max} ms`,
    `  invalid ${invalid.count}: p50 ${invalid.p50} ms, p99 ${invalid.p99} ms`,
    `  statuses: ${statuses || 'none'}`,
    `  errors: ${report.unexpected} unexpected answers, ${report.network_errors} network errors${samples}`,
  ].join('\n');
}
