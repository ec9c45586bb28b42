import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { getEntityEnvironments, MetricsTimeRange } from '@devops-app/plugin-devops-app-common';
import { useState } from 'react';
import type { MetricsControlsProps } from './MetricsControls';

/** Auto-refresh period of every observability view. */
export const REFRESH_MS = 30_000;

/**
 * The state every observability view shares: the entity's environments, the chosen environment, time
 * range and auto-refresh, and the props of the controls that change them.
 */
export function useViewControls(entity: Entity, options: { autoRefresh: boolean }) {
  const environments = getEntityEnvironments(entity).environments;
  const [environment, setEnvironment] = useState(environments[0] ?? '');
  const [range, setRange] = useState<MetricsTimeRange>('1h');
  const [autoRefresh, setAutoRefresh] = useState(options.autoRefresh);
  const controls: MetricsControlsProps = {
    environments,
    environment,
    onEnvironment: setEnvironment,
    range,
    onRange: setRange,
    autoRefresh,
    onAutoRefresh: setAutoRefresh,
  };
  return {
    entityRef: stringifyEntityRef(entity),
    environments,
    environment,
    range,
    autoRefresh,
    refreshMs: autoRefresh ? REFRESH_MS : undefined,
    controls,
  };
}
