import { useApi } from '@backstage/core-plugin-api';
import {
  AuditRecord,
  DeploymentStatusResponse,
  EnvironmentDeploymentStatus,
} from '@devops-app/plugin-devops-app-common';
import { devopsAppApiRef } from '../../api';
import { useDeploymentSignalRefresh } from '../../hooks/useDeploymentSignalRefresh';
import { useLiveData } from '../../hooks/useLiveData';

/** Poll interval while nothing moves. */
export const IDLE_POLL_MS = 15_000;
/** Poll interval while a sync runs or a Rollout moves. */
export const ACTIVE_POLL_MS = 3_000;

export interface DeploymentStatusState {
  status?: DeploymentStatusResponse;
  history?: AuditRecord[];
  /** The first load is under way (nothing to show yet). */
  loading: boolean;
  /** The status could not be read and there is nothing older to show. */
  error?: Error;
  historyError?: Error;
  /** When the status was last read successfully. */
  lastUpdated?: Date;
  /** The last refresh failed (the rows shown are from `lastUpdated`). */
  refreshError?: { error: Error; at: Date };
  /** Whether the card polls quickly because something is in motion. */
  active: boolean;
  refresh: () => void;
}

/**
 * Whether an environment is changing by itself, so the card should look again soon: an Argo CD sync
 * running, health Progressing, or a Rollout Progressing. A Rollout paused for promotion waits for a
 * person (possibly for hours): it is not in motion, and the portal's own promote or abort reaches
 * every viewer through the deployment signal.
 */
export function isInMotion(item: EnvironmentDeploymentStatus): boolean {
  const argocd = item.argocd;
  const rollout = argocd.rollout;
  return (
    argocd.operationPhase === 'Running' ||
    argocd.healthStatus === 'Progressing' ||
    rollout?.phase === 'Progressing'
  );
}

interface StatusAndHistory {
  status: DeploymentStatusResponse;
  history?: AuditRecord[];
  historyError?: Error;
}

/**
 * Deployment status and history of an entity's environments, kept live through `useLiveData`:
 * reloaded while the page is visible every 15 s, every 3 s while anything is in motion, at once when
 * the page becomes visible again, after the user's own actions, and when the backend signals an audit
 * entry of the entity (another viewer's deploy). Never two reads at a time; a failed refresh keeps the
 * rows shown; after a 429 the next read comes when the backend said.
 */
export function useDeploymentStatus(entityRef: string): DeploymentStatusState {
  const api = useApi(devopsAppApiRef);
  const read = useLiveData<StatusAndHistory>(
    entityRef,
    async () => {
      // Wrapped so that a throw before the request (not only a rejected one) counts as a failed read.
      const [s, h] = await Promise.allSettled([
        (async () => api.getDeploymentStatus(entityRef))(),
        (async () => api.getAuditLog({ entityRef, limit: 20 }))(),
      ]);
      if (s.status === 'rejected') throw s.reason;
      return h.status === 'fulfilled'
        ? { status: s.value, history: h.value }
        : { status: s.value, historyError: h.reason as Error };
    },
    {
      intervalMs: ({ value }) =>
        value?.status.items.some(isInMotion) ? ACTIVE_POLL_MS : IDLE_POLL_MS,
    },
  );
  const { refresh } = read;
  // Another viewer's deploy, sync, promote or abort of this entity.
  useDeploymentSignalRefresh(entityRef, refresh);

  const status = read.value?.status;
  const shown =
    read.error && read.errorMessage !== read.error.message
      ? new Error(read.errorMessage)
      : read.error;
  return {
    status,
    history: read.value?.history,
    loading: read.loading,
    // With rows to show, a failed refresh is the small "refresh failed" line, not an error panel.
    error: status ? undefined : shown,
    historyError: read.value?.historyError,
    lastUpdated: read.lastUpdated,
    refreshError:
      shown && read.failedAt ? { error: shown, at: read.failedAt } : undefined,
    active: Boolean(status?.items.some(isInMotion)),
    refresh,
  };
}
