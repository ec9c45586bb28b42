import { useApi, useApiHolder } from '@backstage/core-plugin-api';
import { signalApiRef } from '@backstage/plugin-signals-react';
import {
  TerraformRun,
  terraformRunsSignalChannel,
} from '@devops-app/plugin-devops-app-common';
import { useEffect, useState } from 'react';
import { devopsAppApiRef } from '../../api';

/** How often the list is read while a run is going on and no signal came (signal connection down). */
export const LIST_FALLBACK_POLL_MS = 15_000;

/**
 * The runs of the given environments (every run when `environments` is undefined; none for an empty
 * list), newest first, in one request. Read again at once on a signal of an environment's runs
 * channel (`devops-app:terraform-runs:<env>`, or `devops-app:terraform-runs` for every run), and
 * every `pollMs` (15 s) while a run is going on. Never two reads at a time; stops on unmount.
 */
export function useTerraformRuns(
  environments: string[] | undefined,
  pollMs = LIST_FALLBACK_POLL_MS,
) {
  const api = useApi(devopsAppApiRef);
  const signalApi = useApiHolder().get(signalApiRef);
  // A stable dependency for the list (a new array each render must not restart the effect).
  const key = environments === undefined ? undefined : environments.join(',');
  const [runs, setRuns] = useState<TerraformRun[]>();
  const [error, setError] = useState<Error>();

  useEffect(() => {
    let alive = true;
    let inFlight = false;
    let again = false;
    let active = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const names =
      key === undefined ? undefined : key.split(',').filter(Boolean);
    setRuns(undefined);
    setError(undefined);

    const stopTimer = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };

    async function load() {
      if (!alive) return;
      if (inFlight) {
        // A signal during a read: read once more when it ends.
        again = true;
        return;
      }
      inFlight = true;
      stopTimer();
      try {
        const list = await api.listTerraformRuns(
          names ? { environments: names } : {},
        );
        if (!alive) return;
        const sorted = [...list].sort((a, b) =>
          b.startedAt.localeCompare(a.startedAt),
        );
        setRuns(sorted);
        setError(undefined);
        active = sorted.some(r => r.status === 'running');
      } catch (e) {
        if (!alive) return;
        setError(e as Error);
      } finally {
        inFlight = false;
      }
      if (!alive) return;
      if (again) {
        again = false;
        void load();
        return;
      }
      if (active) timer = setTimeout(load, pollMs);
    }

    const channels = names
      ? names.map(name => terraformRunsSignalChannel(name))
      : [terraformRunsSignalChannel()];
    const subscriptions = signalApi
      ? channels.map(channel => signalApi.subscribe(channel, () => void load()))
      : [];
    void load();
    return () => {
      alive = false;
      stopTimer();
      subscriptions.forEach(s => s.unsubscribe());
    };
  }, [api, signalApi, key, pollMs]);

  return { runs, error };
}
