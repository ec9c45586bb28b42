import { useApi } from '@backstage/core-plugin-api';
import {
  DoraMetricsResponse,
  DoraPeriod,
} from '@devops-app/plugin-devops-app-common';
import { devopsAppApiRef } from '../../api';
import { useDeploymentSignalRefresh } from '../../hooks/useDeploymentSignalRefresh';
import { LiveData, useLiveData } from '../../hooks/useLiveData';

/** The metrics move with deploys (signalled) and the calendar; a minute is fresh enough otherwise. */
export const DORA_POLL_MS = 60_000;

/**
 * The DORA metrics of the entity in one environment over `days`, from `GET /deployments/dora`, read
 * again every minute and when the backend signals an audit entry of the entity.
 */
export function useDoraMetrics(
  entityRef: string,
  environment: string | undefined,
  days: DoraPeriod,
): LiveData<DoraMetricsResponse> {
  const api = useApi(devopsAppApiRef);
  const read = useLiveData<DoraMetricsResponse>(
    JSON.stringify([entityRef, environment, days]),
    () => api.getDoraMetrics({ entityRef, environment: environment!, days }),
    { intervalMs: DORA_POLL_MS, enabled: Boolean(environment) },
  );
  useDeploymentSignalRefresh(entityRef, read.refresh);
  return read;
}
