import { useApi } from '@backstage/core-plugin-api';
import {
  TerraformLogLine,
  TerraformRun,
} from '@devops-app/plugin-devops-app-common';
import { useEffect, useState } from 'react';
import { devopsAppApiRef } from '../../api';

/** How often a running run and its log are read again. */
export const RUN_POLL_MS = 1500;

/**
 * A run and all its log lines, read again while the run is going on: only lines after the last one
 * held are asked for, so a long log is fetched once.
 */
export function useTerraformRun(id: string, pollMs = RUN_POLL_MS) {
  const api = useApi(devopsAppApiRef);
  const [run, setRun] = useState<TerraformRun>();
  const [lines, setLines] = useState<TerraformLogLine[]>([]);
  const [error, setError] = useState<Error>();

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let after = -1;
    setLines([]);
    setRun(undefined);
    const tick = async () => {
      try {
        const current = await api.getTerraformRun(id);
        const more = await api.getTerraformRunLog(id, after);
        if (stopped) return;
        if (more.length > 0) {
          after = more[more.length - 1].seq;
          setLines(previous => [...previous, ...more]);
        }
        setRun(current);
        setError(undefined);
        if (current.status === 'running' || more.length > 0) {
          timer = setTimeout(tick, pollMs);
        }
      } catch (e) {
        if (stopped) return;
        setError(e as Error);
        timer = setTimeout(tick, pollMs * 4);
      }
    };
    tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [api, id, pollMs]);

  return { run, lines, error };
}
