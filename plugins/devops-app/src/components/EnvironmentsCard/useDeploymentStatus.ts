import { useApi } from '@backstage/core-plugin-api';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  AuditRecord,
  DeploymentSignal,
  deploymentSignalChannel,
  DeploymentStatusResponse,
  EnvironmentDeploymentStatus,
} from '@devops-app/plugin-devops-app-common';
import { useCallback, useEffect, useRef, useState } from 'react';
import { devopsAppApiRef } from '../../api';

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

function pageVisible(): boolean {
  return (
    typeof document === 'undefined' || document.visibilityState !== 'hidden'
  );
}

/**
 * Deployment status and history of an entity's environments, kept live: reloaded while the page is
 * visible every 15 s, every 3 s while anything is in motion, at once when the page becomes visible
 * again, after the user's own actions, and when the backend signals an audit entry of the entity
 * (another viewer's deploy). Never two reads at a time; a failed refresh keeps the rows shown.
 */
export function useDeploymentStatus(entityRef: string): DeploymentStatusState {
  const api = useApi(devopsAppApiRef);
  const [status, setStatus] = useState<DeploymentStatusResponse>();
  const [history, setHistory] = useState<AuditRecord[]>();
  const [error, setError] = useState<Error>();
  const [historyError, setHistoryError] = useState<Error>();
  const [lastUpdated, setLastUpdated] = useState<Date>();
  const [refreshError, setRefreshError] =
    useState<DeploymentStatusState['refreshError']>();
  const [loaded, setLoaded] = useState(false);
  const [active, setActive] = useState(false);

  // `load` is replaced when the entity changes; the timer and listeners always call the current one.
  const loadRef = useRef<() => void>(() => {});

  useEffect(() => {
    let alive = true;
    let inFlight = false;
    let again = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let interval = IDLE_POLL_MS;

    setStatus(undefined);
    setHistory(undefined);
    setError(undefined);
    setHistoryError(undefined);
    setLastUpdated(undefined);
    setRefreshError(undefined);
    setLoaded(false);
    setActive(false);

    const stopTimer = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };
    const schedule = () => {
      stopTimer();
      if (alive && pageVisible()) {
        timer = setTimeout(load, interval);
      }
    };

    async function load() {
      stopTimer();
      if (!alive) return;
      if (inFlight) {
        // A signal or the user asked while a read runs: read once more when it ends.
        again = true;
        return;
      }
      inFlight = true;
      // Wrapped so that a throw before the request (not only a rejected one) counts as a failed read.
      const [s, h] = await Promise.allSettled([
        (async () => api.getDeploymentStatus(entityRef))(),
        (async () => api.getAuditLog({ entityRef, limit: 20 }))(),
      ]);
      inFlight = false;
      if (!alive) return;
      const now = new Date();
      if (s.status === 'fulfilled') {
        setStatus(s.value);
        setError(undefined);
        setRefreshError(undefined);
        setLastUpdated(now);
        const moving = s.value.items.some(isInMotion);
        interval = moving ? ACTIVE_POLL_MS : IDLE_POLL_MS;
        setActive(moving);
      } else {
        const e = s.reason as Error;
        setError(e);
        setRefreshError({ error: e, at: now });
      }
      if (h.status === 'fulfilled') {
        setHistory(h.value);
        setHistoryError(undefined);
      } else {
        setHistoryError(h.reason as Error);
      }
      setLoaded(true);
      if (again) {
        again = false;
        load();
        return;
      }
      schedule();
    }
    loadRef.current = load;

    const onVisibility = () => {
      if (pageVisible()) {
        load();
      } else {
        stopTimer();
      }
    };
    document.addEventListener('visibilitychange', onVisibility);
    load();
    return () => {
      alive = false;
      stopTimer();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [api, entityRef]);

  const refresh = useCallback(() => loadRef.current(), []);

  // Another viewer's deploy, sync, promote or abort of this entity.
  const { lastSignal } = useSignal<DeploymentSignal>(
    deploymentSignalChannel(entityRef),
  );
  useEffect(() => {
    if (lastSignal) {
      loadRef.current();
    }
  }, [lastSignal]);

  return {
    status,
    history,
    loading: !loaded && !status,
    // With rows to show, a failed refresh is the small "refresh failed" line, not an error panel.
    error: status ? undefined : error,
    historyError,
    lastUpdated,
    refreshError,
    active,
    refresh,
  };
}
