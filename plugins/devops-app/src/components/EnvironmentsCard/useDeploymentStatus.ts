import { useApi } from '@backstage/core-plugin-api';
import {
  AuditRecord,
  DeploymentStatusResponse,
} from '@devops-app/plugin-devops-app-common';
import { useCallback } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { devopsAppApiRef } from '../../api';

export interface DeploymentStatusState {
  status?: DeploymentStatusResponse;
  history?: AuditRecord[];
  loading: boolean;
  error?: Error;
  historyError?: Error;
  refresh: () => void;
}

/** Deployment status and history of an entity's environments, reloaded after every action. */
export function useDeploymentStatus(entityRef: string): DeploymentStatusState {
  const api = useApi(devopsAppApiRef);
  const status = useAsyncRetry(
    async () => api.getDeploymentStatus(entityRef),
    [api, entityRef],
  );
  const history = useAsyncRetry(
    async () => api.getAuditLog({ entityRef, limit: 20 }),
    [api, entityRef],
  );
  const { retry: retryStatus } = status;
  const { retry: retryHistory } = history;
  const refresh = useCallback(() => {
    retryStatus();
    retryHistory();
  }, [retryStatus, retryHistory]);
  return {
    status: status.value,
    history: history.value,
    loading: status.loading && !status.value,
    error: status.error,
    historyError: history.error,
    refresh,
  };
}
