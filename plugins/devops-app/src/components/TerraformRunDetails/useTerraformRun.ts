import { useApi, useApiHolder } from '@backstage/core-plugin-api';
import { signalApiRef } from '@backstage/plugin-signals-react';
import {
  TERRAFORM_LOG_PAGE_SIZE,
  TerraformLogLine,
  TerraformRun,
  TerraformRunSignal,
  terraformRunSignalChannel,
} from '@devops-app/plugin-devops-app-common';
import { useEffect, useRef } from 'react';
import { devopsAppApiRef } from '../../api';
import { useLiveData } from '../../hooks/useLiveData';

/**
 * How often a running run is read when no signal came: the signals keep the page live, this poll
 * only covers a signal connection that is down (or a backend instance whose signals do not reach
 * this browser's WebSocket).
 */
export const RUN_FALLBACK_POLL_MS = 15_000;

interface RunAndLines {
  run?: TerraformRun;
  lines: TerraformLogLine[];
}

/**
 * A run and all its log lines, kept live through `useLiveData` and the run's signal channel
 * (`devops-app:terraform-run:<id>`): a state signal reads the run and the new lines, a log signal
 * reads the lines after the last one held (none when it names no newer line). While the run is going
 * on (or the last read failed), a slow poll (`pollMs`, 15 s, only while the page is visible) reads
 * both in case signals do not arrive; it stops once the run has ended. Never two reads at a time: what
 * is asked during a read is read right after it. Everything stops on unmount.
 */
export function useTerraformRun(id: string, pollMs = RUN_FALLBACK_POLL_MS) {
  const api = useApi(devopsAppApiRef);
  // Optional: without the signals plugin the page lives on the fallback poll.
  const signalApi = useApiHolder().get(signalApiRef);
  // What was read so far of this run; the lines are read on from the last `seq` held.
  const held = useRef<{ id: string } & RunAndLines>({ id, lines: [] });
  if (held.current.id !== id) held.current = { id, lines: [] };
  // What the signals since the last read asked for; a read nobody asked for (the first, a poll) reads
  // both, a log signal alone only the lines.
  const asked = useRef({ run: false, log: false });

  const read = useLiveData<RunAndLines>(
    id,
    async () => {
      const current = held.current;
      const readRun = asked.current.run || !asked.current.log || !current.run;
      asked.current = { run: false, log: false };
      // The run before its lines: a run read as finished is followed by all of its lines.
      const run = readRun ? await api.getTerraformRun(id) : current.run;
      let lines = current.lines;
      for (;;) {
        const after = lines.length > 0 ? lines[lines.length - 1].seq : -1;
        const more = await api.getTerraformRunLog(id, after);
        lines = more.length > 0 ? [...lines, ...more] : lines;
        // A full page: there are more lines to read.
        if (more.length < TERRAFORM_LOG_PAGE_SIZE) break;
      }
      if (held.current === current) Object.assign(current, { run, lines });
      return { run, lines };
    },
    {
      intervalMs: ({ value, error }) =>
        error ||
        value?.run?.status === 'running' ||
        value?.run?.status === 'queued'
          ? pollMs
          : null,
    },
  );
  const { refresh } = read;

  useEffect(() => {
    const subscription = signalApi?.subscribe<TerraformRunSignal>(
      terraformRunSignalChannel(id),
      message => {
        if (message.kind !== 'log') {
          asked.current.run = true;
          refresh();
          return;
        }
        // Lines up to `lastSeq` are stored: read them unless they are already here.
        const lines = held.current.lines;
        const last = lines.length > 0 ? lines[lines.length - 1].seq : -1;
        if (typeof message.lastSeq !== 'number' || message.lastSeq > last) {
          asked.current.log = true;
          refresh();
        }
      },
    );
    return () => subscription?.unsubscribe();
  }, [signalApi, id, refresh]);

  return {
    run: read.value?.run,
    lines: read.value?.lines ?? [],
    error: read.error,
    errorMessage: read.errorMessage,
    /** Reads the run (and its new lines) again now, e.g. after the caller approved it. */
    reload: () => {
      asked.current.run = true;
      refresh();
    },
  };
}
