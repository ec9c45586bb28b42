import {
  TerraformLogLine,
  TerraformRun,
} from '@devops-app/plugin-devops-app-common';
import { TerraformRunService } from '@devops-app/plugin-devops-app-node';

/**
 * An in-memory run service for the actions' tests that plays a run forward one poll at a time: the
 * first `getRun` answers the run as started (with `first`), every later one the run with `final`;
 * the log holds nothing before the first poll and `lines` after it.
 */
export function fakeRuns(options: {
  run: TerraformRun;
  lines: TerraformLogLine[];
  final: Partial<TerraformRun>;
  first?: Partial<TerraformRun>;
}) {
  const { run, lines, final, first } = options;
  let polls = 0;
  const service = {
    startRun: jest.fn(async () => run),
    removeEnvironment: jest.fn(async () => run),
    getRun: jest.fn(async () =>
      ++polls > 1 ? { ...run, ...final } : { ...run, ...first },
    ),
    readLog: jest.fn(async (_id: string, { after }: { after?: number }) =>
      polls === 0 ? [] : lines.filter(l => l.seq > (after ?? -1)),
    ),
    cancelRun: jest.fn(async () => ({ ...run, status: 'cancelled' as const })),
  };
  return service as typeof service & TerraformRunService;
}

/** A log line of `stack` on stdout. */
export function logLine(
  seq: number,
  stack: TerraformLogLine['stack'],
  line: string,
  stream: TerraformLogLine['stream'] = 'stdout',
): TerraformLogLine {
  return { seq, stack, stream, line, at: '' };
}
