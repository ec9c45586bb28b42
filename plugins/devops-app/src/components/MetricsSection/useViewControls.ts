import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  Environment,
  MetricsTimeRange,
} from '@devops-app/plugin-devops-app-common';
import { useState } from 'react';
import { useEntityEnvironments } from '../../hooks';
import { DEFAULT_METRICS_RANGE } from '../../hooks/preloadedReads';
import type { MetricsControlsProps } from './MetricsControls';

/** Auto-refresh period of every observability view. */
export const REFRESH_MS = 30_000;

/**
 * The state every observability view shares: the entity's environments (from the resolver, live), the
 * chosen environment, time range and auto-refresh, and the props of the controls that change them.
 * The choice survives a refresh of the list; when the chosen environment leaves the list, the first
 * one is shown.
 */
export function useViewControls(
  entity: Entity,
  options: { autoRefresh: boolean },
) {
  const entityRef = stringifyEntityRef(entity);
  const environmentsState = useEntityEnvironments(entityRef);
  const list: Environment[] = environmentsState.environments ?? [];
  const environments = list.map(e => e.name);
  const [chosen, setChosen] = useState<string>();
  const environment =
    chosen !== undefined && environments.includes(chosen)
      ? chosen
      : environments[0] ?? '';
  const [range, setRange] = useState<MetricsTimeRange>(DEFAULT_METRICS_RANGE);
  const [autoRefresh, setAutoRefresh] = useState(options.autoRefresh);
  const controls: MetricsControlsProps = {
    environments,
    environment,
    onEnvironment: setChosen,
    range,
    onRange: setRange,
    autoRefresh,
    onAutoRefresh: setAutoRefresh,
  };
  return {
    entityRef,
    environmentsState,
    environments,
    environment,
    /** The chosen environment, with its facts and problems; undefined while there is none. */
    selected: list.find(e => e.name === environment),
    range,
    autoRefresh,
    refreshMs: autoRefresh ? REFRESH_MS : undefined,
    controls,
  };
}

/** @public */
export type ViewControls = ReturnType<typeof useViewControls>;
