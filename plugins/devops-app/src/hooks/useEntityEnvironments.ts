import { useApi } from '@backstage/core-plugin-api';
import { Environment } from '@devops-app/plugin-devops-app-common';
import { createContext, useContext } from 'react';
import { devopsAppApiRef } from '../api';
import { readEntityEnvironments } from './preloadedReads';
import { useLiveData } from './useLiveData';

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
  /** The error or refresh error as shown: "<message> — retrying in N s" after a 429. */
  errorMessage?: string;
  /** Read again now (once more right after the read under way, if any). */
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

/**
 * Reads the environments of `entityRef` (nothing when undefined) from the backend's resolver and keeps
 * them live through `useLiveData`: again every `intervalMs` while the page is visible, and at once when
 * it becomes visible again. A failed refresh keeps the last list; reads never overlap.
 */
export function useEntityEnvironmentsQuery(
  entityRef: string | undefined,
  intervalMs: number = ENVIRONMENTS_REFRESH_MS,
): EntityEnvironmentsState {
  const api = useApi(devopsAppApiRef);
  const read = useLiveData(
    entityRef ?? '',
    async () => (await readEntityEnvironments(api, entityRef!)).items,
    { intervalMs, enabled: Boolean(entityRef) },
  );
  return {
    environments: read.value,
    loading: read.loading,
    error: read.value ? undefined : read.error,
    refreshError: read.value ? read.error : undefined,
    errorMessage: read.errorMessage,
    refresh: read.refresh,
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
