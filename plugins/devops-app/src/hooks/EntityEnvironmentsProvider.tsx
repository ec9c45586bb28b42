import { ReactNode } from 'react';
import {
  ENVIRONMENTS_REFRESH_MS,
  EntityEnvironmentsContext,
  useEntityEnvironmentsQuery,
} from './useEntityEnvironments';

/**
 * Reads the entity's environments once for everything below it: the Environments card, the Metrics
 * and Logs & Traces pickers and the Infrastructure section then show the same list, refreshed together.
 */
export function EntityEnvironmentsProvider(props: {
  entityRef: string;
  /** Poll period while the page is visible (tests shorten it). */
  refreshMs?: number;
  children?: ReactNode;
}) {
  const state = useEntityEnvironmentsQuery(
    props.entityRef,
    props.refreshMs ?? ENVIRONMENTS_REFRESH_MS,
  );
  return (
    <EntityEnvironmentsContext.Provider
      value={{ entityRef: props.entityRef, state }}
    >
      {props.children}
    </EntityEnvironmentsContext.Provider>
  );
}
