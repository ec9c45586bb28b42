import { useApi } from '@backstage/core-plugin-api';
import { Environment } from '@devops-app/plugin-devops-app-common';
import { createContext, useContext, useEffect, useRef, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { devopsAppApiRef } from '../api';

/**
 * How often the list is read again while the page is visible: an environment registered in the
 * catalog while the tab is open (the new-environment template's last step) shows up within this.
 */
export const ENVIRONMENTS_REFRESH_MS = 30_000;

/** @public */
export interface EntityEnvironmentsState {
  /** The entity's environments in promotion order; undefined until the first read succeeded. */
  environments?: Environment[];
  /** The first read is under way (nothing to show yet). */
  loading: boolean;
  /** The first read failed: there is no list to show. */
  error?: Error;
  /** A later read failed: `environments` is the last list read. */
  refreshError?: Error;
  /** Read again now (a no-op while a read is under way). */
  refresh(): void;
}

interface SharedEnvironments {
  entityRef: string;
  state: EntityEnvironmentsState;
}

/** Set by `EntityEnvironmentsProvider`, so the views of one tab share one list and one poll. */
export const EntityEnvironmentsContext = createContext<
  SharedEnvironments | undefined
>(undefined);

function pageVisible(): boolean {
  return (
    typeof document === 'undefined' || document.visibilityState !== 'hidden'
  );
}

function usePageVisible(): boolean {
  const [visible, setVisible] = useState(pageVisible);
  useEffect(() => {
    const onChange = () => setVisible(pageVisible());
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  }, []);
  return visible;
}

/**
 * Reads the environments of `entityRef` (nothing when undefined) from the backend's resolver and keeps
 * them live: again every `intervalMs` while the page is visible, and at once when it becomes visible
 * again. A failed refresh keeps the last list. Reads never overlap (`useAsyncRetry` ignores a retry
 * while one runs).
 */
export function useEntityEnvironmentsQuery(
  entityRef: string | undefined,
  intervalMs: number = ENVIRONMENTS_REFRESH_MS,
): EntityEnvironmentsState {
  const api = useApi(devopsAppApiRef);
  const visible = usePageVisible();
  const read = useAsyncRetry(async () => {
    if (!entityRef) return undefined;
    const response = await api.getEntityEnvironments(entityRef);
    // Tagged with the ref asked for: while another entity's list loads, the old value must not show.
    return { entityRef, items: response.items };
  }, [api, entityRef]);

  const [last, setLast] = useState<{
    entityRef: string;
    items: Environment[];
  }>();
  useEffect(() => {
    if (read.value) setLast(read.value);
  }, [read.value]);

  // The retry of the latest render: useAsyncRetry makes a new one whenever `loading` flips.
  const retryRef = useRef(read.retry);
  retryRef.current = read.retry;

  useInterval(
    () => retryRef.current(),
    entityRef && visible ? intervalMs : null,
  );
  const wasVisible = useRef(visible);
  useEffect(() => {
    if (visible && !wasVisible.current) retryRef.current();
    wasVisible.current = visible;
  }, [visible]);

  const current = [read.value, last].find(
    v => v !== undefined && v.entityRef === entityRef,
  );
  return {
    environments: current?.items,
    loading: Boolean(entityRef) && !current && !read.error,
    error: current ? undefined : read.error,
    refreshError: current ? read.error : undefined,
    refresh: () => retryRef.current(),
  };
}

/**
 * The environments of an entity, as every view of the DevOps tab reads them: from the tab's
 * `EntityEnvironmentsProvider` when one serves this entity (one request and one poll for the whole
 * tab), else from a read of its own (an entity card on the overview page).
 */
export function useEntityEnvironments(
  entityRef: string,
): EntityEnvironmentsState {
  const shared = useContext(EntityEnvironmentsContext);
  const useShared = shared?.entityRef === entityRef;
  const own = useEntityEnvironmentsQuery(useShared ? undefined : entityRef);
  return useShared ? shared.state : own;
}
