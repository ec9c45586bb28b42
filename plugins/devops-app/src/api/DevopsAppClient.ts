import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
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
import { ConfiguredEnvironment, DevopsAppApi } from './DevopsAppApi';

/**
 * Client of the devops-app backend. Uses the app's discovery and fetch APIs so that requests carry the
 * user's Backstage token; never the global fetch.
 * @public
 */
export class DevopsAppClient implements DevopsAppApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async getConfiguredEnvironments(): Promise<ConfiguredEnvironment[]> {
    const body = await this.get<{ items: ConfiguredEnvironment[] }>('/environments');
    return body.items;
  }

  async getMetricsPanel(
    request: MetricsPanelRequest,
  ): Promise<MetricsPanelResponse | NotConfiguredResponse> {
    const { splitByColour, ...rest } = request;
    const query = new URLSearchParams({ ...rest, ...(splitByColour ? { split: 'colour' } : {}) });
    return this.get(`/observability/metrics?${query}`);
  }

  async searchLogs(request: LogsRequest): Promise<LogsResponse | NotConfiguredResponse> {
    const query = new URLSearchParams(
      Object.entries(request).filter(([, v]) => v !== undefined && v !== '') as [string, string][],
    );
    return this.get(`/observability/logs?${query}`);
  }

  async getTraceSummary(
    request: ObservabilityRequest,
  ): Promise<TracesResponse | NotConfiguredResponse> {
    return this.get(`/observability/traces?${new URLSearchParams({ ...request })}`);
  }

  async getMonitors(request: ObservabilityRequest): Promise<MonitorsResponse | NotConfiguredResponse> {
    return this.get(`/observability/monitors?${new URLSearchParams({ ...request })}`);
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('devops-app');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
