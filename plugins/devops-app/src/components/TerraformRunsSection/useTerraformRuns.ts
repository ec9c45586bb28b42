import { useApi, useApiHolder } from '@backstage/core-plugin-api';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { terraformRunsSignalChannel } from '@devops-app/plugin-devops-app-common';
import { useEffect } from 'react';
import { devopsAppApiRef } from '../../api';
import { useLiveData } from '../../hooks/useLiveData';

/** How often the list is read while a run is going on and no signal came (signal connection down). */
export const LIST_FALLBACK_POLL_MS = 15_000;

/**
 * The runs of the given environments (every run when `environments` is undefined; none for an empty
 * list), newest first, in one request, kept live through `useLiveData`. Read again at once on a signal
 * of an environment's runs channel (`devops-app:terraform-runs:<env>`, or `devops-app:terraform-runs`
 * for every run), and every `pollMs` (15 s) while a run is going on and the page is visible. Never two
 * reads at a time; stops on unmount.
 */
export function useTerraformRuns(
  environments: string[] | undefined,
  pollMs = LIST_FALLBACK_POLL_MS,
) {
  const api = useApi(devopsAppApiRef);
  const signalApi = useApiHolder().get(signalApiRef);
  // A stable key for the list (a new array each render must not start a new read).
  const key = environments === undefined ? '*' : `=${environments.join(',')}`;
  const read = useLiveData(
    key,
    async () => {
      const list = await api.listTerraformRuns(
        environments ? { environments } : {},
      );
      return [...list].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    },
    {
      intervalMs: ({ value, error }) =>
        error || value?.some(r => r.status === 'running') ? pollMs : null,
    },
  );
  const { refresh } = read;

  useEffect(() => {
    if (!signalApi) return undefined;
    const names = key === '*' ? undefined : key.slice(1).split(',');
    const channels = names
      ? names.filter(Boolean).map(name => terraformRunsSignalChannel(name))
      : [terraformRunsSignalChannel()];
    const subscriptions = channels.map(channel =>
      signalApi.subscribe(channel, () => refresh()),
    );
    return () => subscriptions.forEach(s => s.unsubscribe());
  }, [signalApi, key, refresh]);

  return {
    runs: read.value,
    error: read.error,
    errorMessage: read.errorMessage,
  };
}
