import { useApi } from '@backstage/core-plugin-api';
import { EnvironmentDrift } from '@devops-app/plugin-devops-app-common';
import { useCallback, useState } from 'react';
import { devopsAppApiRef, DriftQuery } from '../../api';
import { useLiveData } from '../../hooks/useLiveData';

/** While a check is queued or running: read again this often. */
export const DRIFT_CHECKING_INTERVAL_MS = 2000;
/** Otherwise (scheduled checks come every few minutes at most). */
export const DRIFT_IDLE_INTERVAL_MS = 60_000;

/**
 * The latest drift results of the query's environments, live (faster while a check runs), and
 * "Check now": queues a check and reads again until it has ended.
 */
export function useDrift(query: DriftQuery) {
  const api = useApi(devopsAppApiRef);
  const key =
    'entityRef' in query
      ? `entity:${query.entityRef}`
      : `environments:${query.environments.join(',')}`;
  const live = useLiveData<EnvironmentDrift[]>(key, () => api.getDrift(query), {
    intervalMs: ({ value }) =>
      value?.some(d => d.checking)
        ? DRIFT_CHECKING_INTERVAL_MS
        : DRIFT_IDLE_INTERVAL_MS,
  });
  const [checkError, setCheckError] = useState<{
    environment: string;
    error: Error;
  }>();
  const { refresh } = live;
  const checkNow = useCallback(
    async (environment: string) => {
      setCheckError(undefined);
      try {
        await api.checkDrift(environment);
      } catch (e) {
        setCheckError({
          environment,
          error: e instanceof Error ? e : new Error(String(e)),
        });
      }
      refresh();
    },
    [api, refresh],
  );
  return { ...live, checkNow, checkError };
}
