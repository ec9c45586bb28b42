import { createApiRef } from '@backstage/core-plugin-api';
import {
  LogsRequest,
  LogsResponse,
  MetricsPanelRequest,
  MetricsPanelResponse,
  MonitorsResponse,
  NotConfiguredResponse,
  ObservabilityRequest,
  TracesResponse,
} from '@devops-app/plugin-devops-app-common';

/** An environment as the portal's backend configuration describes it. @public */
export interface ConfiguredEnvironment {
  name: string;
  title: string;
  namespace: string;
  production: boolean;
}

/**
 * Everything the frontend reads from the devops-app backend goes through this API.
 * @public
 */
export interface DevopsAppApi {
  getConfiguredEnvironments(): Promise<ConfiguredEnvironment[]>;
  /** One metrics panel; PromQL is built by the backend. */
  getMetricsPanel(request: MetricsPanelRequest): Promise<MetricsPanelResponse | NotConfiguredResponse>;
  /** Datadog log lines of the service. */
  searchLogs(request: LogsRequest): Promise<LogsResponse | NotConfiguredResponse>;
  /** Datadog APM spans aggregated by resource. */
  getTraceSummary(request: ObservabilityRequest): Promise<TracesResponse | NotConfiguredResponse>;
  /** Datadog monitors of the service and their states. */
  getMonitors(request: ObservabilityRequest): Promise<MonitorsResponse | NotConfiguredResponse>;
}

/** @public */
export const devopsAppApiRef = createApiRef<DevopsAppApi>({
  id: 'plugin.devops-app.service',
});
