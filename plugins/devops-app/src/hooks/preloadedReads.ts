import {
  ANNOTATION_PROMETHEUS_URL,
  Environment,
  EntityEnvironmentsResponse,
  METRICS_PANELS,
  MetricsPanelRequest,
  MetricsPanelResponse,
  NotConfiguredResponse,
} from '@devops-app/plugin-devops-app-common';
import type { DevopsAppApi } from '../api';

/**
 * Reads started before the view that needs them has rendered (the model is a data router's loader, or
 * React Query's `prefetchQuery`): the DevOps tab asks for its environments as soon as it knows its
 * entity, and for the Metrics section's default panels as soon as those environments are in, while the
 * sections' code is still loading. A view's first read takes the preloaded answer of its key, once;
 * every later read (a refresh, another range) goes to the backend as before. An answer nobody took
 * within `PRELOAD_TTL_MS` is dropped, so a preload never shows a stale value.
 */
export const PRELOAD_TTL_MS = 10_000;

interface Preloaded {
  promise: Promise<unknown>;
  at: number;
}

const byApi = new WeakMap<DevopsAppApi, Map<string, Preloaded>>();

function entries(api: DevopsAppApi): Map<string, Preloaded> {
  let map = byApi.get(api);
  if (!map) {
    map = new Map();
    byApi.set(api, map);
  }
  return map;
}

function put<T>(api: DevopsAppApi, key: string, promise: Promise<T>): void {
  // A failed preload is seen by the view that takes it, as its own read's failure; never unhandled.
  promise.catch(() => undefined);
  entries(api).set(key, { promise, at: Date.now() });
}

const fresh = (entry: Preloaded) => Date.now() - entry.at <= PRELOAD_TTL_MS;

/** The preloaded read of `key`, removed from the cache; undefined when there is none or it is too old. */
function take<T>(api: DevopsAppApi, key: string): Promise<T> | undefined {
  const map = entries(api);
  const entry = map.get(key);
  if (!entry) return undefined;
  map.delete(key);
  return fresh(entry) ? (entry.promise as Promise<T>) : undefined;
}

/** The time range every observability view opens with. */
export const DEFAULT_METRICS_RANGE = '1h' as const;

const environmentsKey = (entityRef: string) => `environments ${entityRef}`;

/** One key per distinct panel request, whatever the order of its fields or an absent `splitByColour`. */
const panelKey = (r: MetricsPanelRequest) =>
  `metrics ${JSON.stringify([
    r.entityRef,
    r.environment,
    r.panel,
    r.range,
    Boolean(r.splitByColour),
  ])}`;

/** The entity's environments: the preloaded answer if one is waiting, else a read of the backend. */
export function readEntityEnvironments(
  api: DevopsAppApi,
  entityRef: string,
): Promise<EntityEnvironmentsResponse> {
  return (
    take<EntityEnvironmentsResponse>(api, environmentsKey(entityRef)) ??
    api.getEntityEnvironments(entityRef)
  );
}

/** One metrics panel: the preloaded answer if one is waiting, else a read of the backend. */
export function readMetricsPanel(
  api: DevopsAppApi,
  request: MetricsPanelRequest,
): Promise<MetricsPanelResponse | NotConfiguredResponse> {
  return (
    take<MetricsPanelResponse | NotConfiguredResponse>(
      api,
      panelKey(request),
    ) ?? api.getMetricsPanel(request)
  );
}

/**
 * The requests the Metrics section makes when it first renders for these environments: each panel of
 * the first environment over the default range, and the request rate split by colour (its overlay
 * switch). None when that environment's Prometheus endpoint is malformed (the section shows that instead).
 */
export function defaultMetricsRequests(
  entityRef: string,
  environments: Environment[],
): MetricsPanelRequest[] {
  const first = environments[0];
  if (!first) return [];
  if (first.problems.some(p => p.annotation === ANNOTATION_PROMETHEUS_URL))
    return [];
  const base = {
    entityRef,
    environment: first.name,
    range: DEFAULT_METRICS_RANGE,
  };
  return [
    ...METRICS_PANELS.map(panel => ({ ...base, panel })),
    { ...base, panel: 'request_rate' as const, splitByColour: true },
  ];
}

/** A fresh, not yet taken, preloaded read of `key`. */
function waiting(api: DevopsAppApi, key: string): boolean {
  const entry = entries(api).get(key);
  return entry !== undefined && fresh(entry);
}

/**
 * Starts the DevOps tab's first reads for `entityRef`: its environments, then the Metrics section's
 * default panels as soon as they are known. Called from the tab's render, which React may repeat before
 * it commits (while the sections' code loads): a preload still waiting to be taken is not started again.
 */
export function preloadDevopsTab(api: DevopsAppApi, entityRef: string): void {
  const key = environmentsKey(entityRef);
  if (waiting(api, key)) return;
  const environments = api.getEntityEnvironments(entityRef);
  put(api, key, environments);
  environments.then(
    response => {
      for (const request of defaultMetricsRequests(entityRef, response.items))
        if (!waiting(api, panelKey(request)))
          put(api, panelKey(request), api.getMetricsPanel(request));
    },
    () => undefined,
  );
}
