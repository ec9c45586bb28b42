import { useApi, useApiHolder } from '@backstage/core-plugin-api';
import { signalApiRef } from '@backstage/plugin-signals-react';
import {
  TERRAFORM_LOG_PAGE_SIZE,
  TerraformLogLine,
  TerraformRun,
  TerraformRunSignal,
  terraformRunSignalChannel,
} from '@devops-app/plugin-devops-app-common';
import { useEffect, useState } from 'react';
import { devopsAppApiRef } from '../../api';

/**
 * How often a running run is read when no signal came: the signals keep the page live, this poll
 * only covers a signal connection that is down (or a backend instance whose signals do not reach
 * this browser's WebSocket).
 */
export const RUN_FALLBACK_POLL_MS = 15_000;

/**
 * A run and all its log lines, kept live by the run's signal channel
 * (`devops-app:terraform-run:<id>`): a state signal reads the run and the new lines, a log signal
 * reads the lines after the last one held (none when it names no newer line). While the run is going
 * on, a slow poll (`pollMs`, 15 s) reads both in case signals do not arrive. Never two reads at a
 * time: what is asked during a read is read right after it. Everything stops on unmount.
 */
export function useTerraformRun(id: string, pollMs = RUN_FALLBACK_POLL_MS) {
  const api = useApi(devopsAppApiRef);
  // Optional: without the signals plugin the page lives on the fallback poll.
  const signalApi = useApiHolder().get(signalApiRef);
  const [run, setRun] = useState<TerraformRun>();
  const [lines, setLines] = useState<TerraformLogLine[]>([]);
  const [error, setError] = useState<Error>();

  useEffect(() => {
    let alive = true;
    let inFlight = false;
    let wantRun = false;
    let wantLog = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let after = -1;
    let running = true;
    setLines([]);
    setRun(undefined);
    setError(undefined);

    const stopTimer = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };

    async function load() {
      inFlight = true;
      stopTimer();
      try {
        while (alive && (wantRun || wantLog)) {
          const readRun = wantRun;
          const readLog = wantLog;
          wantRun = false;
          wantLog = false;
          // The run before its lines: a run read as finished is followed by all of its lines.
          const current = readRun ? await api.getTerraformRun(id) : undefined;
          const more = readLog ? await api.getTerraformRunLog(id, after) : [];
          if (!alive) return;
          if (more.length > 0) {
            after = more[more.length - 1].seq;
            setLines(previous => [...previous, ...more]);
          }
          if (current) {
            running = current.status === 'running';
            setRun(current);
          }
          setError(undefined);
          // A full page: there are more lines to read.
          if (more.length >= TERRAFORM_LOG_PAGE_SIZE) wantLog = true;
        }
      } catch (e) {
        if (!alive) return;
        setError(e as Error);
        running = true; // read again later, whatever the run was
      } finally {
        inFlight = false;
      }
      if (alive && running) {
        timer = setTimeout(() => request(true, true), pollMs);
      }
    }

    function request(readRun: boolean, readLog: boolean) {
      if (!alive) return;
      wantRun = wantRun || readRun;
      wantLog = wantLog || readLog;
      // During a read, the loop in `load` picks the request up when the read ends.
      if (!inFlight) void load();
    }

    const subscription = signalApi?.subscribe<TerraformRunSignal>(
      terraformRunSignalChannel(id),
      message => {
        if (message.kind === 'log') {
          // Lines up to `lastSeq` are stored: read them unless they are already here.
          if (typeof message.lastSeq !== 'number' || message.lastSeq > after)
            request(false, true);
        } else {
          request(true, true);
        }
      },
    );
    request(true, true);
    return () => {
      alive = false;
      stopTimer();
      subscription?.unsubscribe();
    };
  }, [api, signalApi, id, pollMs]);

  return { run, lines, error };
}
