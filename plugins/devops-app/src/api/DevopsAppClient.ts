import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { ImageVersionsResponse } from '@devops-app/plugin-devops-app-common';
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
import {
  ProductionRequest,
  ProductionRequestsResponse,
} from '@devops-app/plugin-devops-app-common';
import {
  AuditRecord,
  DeploymentResult,
  DeploymentStatusResponse,
  RollbackOffersResponse,
  RollbackResult,
} from '@devops-app/plugin-devops-app-common';
import {
  EntityEnvironmentsResponse,
  TerraformLogLine,
  TerraformRun,
} from '@devops-app/plugin-devops-app-common';
import {
  DoraMetricsResponse,
  DoraPeriod,
  PipelineResponse,
  StagePromotion,
} from '@devops-app/plugin-devops-app-common';
import {
  DriftResponse,
  EnvironmentDrift,
} from '@devops-app/plugin-devops-app-common';
import { DeploymentTarget, DevopsAppApi } from './DevopsAppApi';
import { DriftQuery } from './DriftApi';

/**
 * An error of a request the backend refused for a while (HTTP 429): `retryAfterSeconds` is the wait it
 * asked for, from the body's `retryAfterSeconds` or else the `Retry-After` header (in seconds).
 * @public
 */
export type RateLimitedError = ResponseError & { retryAfterSeconds: number };

/**
 * The seconds to wait before asking again, when `error` is a 429 that said so; else undefined.
 * @public
 */
export function retryAfterSeconds(error: unknown): number | undefined {
  const seconds = (error as Partial<RateLimitedError> | undefined)
    ?.retryAfterSeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0
    ? seconds
    : undefined;
}

/** The wait a 429 asked for: the body's `retryAfterSeconds`, else a `Retry-After` of delta-seconds. */
function waitAskedFor(error: ResponseError): number | undefined {
  const fromBody = (error.body as { retryAfterSeconds?: unknown })
    .retryAfterSeconds;
  if (typeof fromBody === 'number') return fromBody;
  // RFC 9110 section 10.2.3: Retry-After is an HTTP-date or delay-seconds; the backend sends seconds.
  const header = error.response.headers.get('Retry-After');
  return header && /^\d+$/.test(header.trim()) ? Number(header) : undefined;
}

/** The error of a failed response; a 429's carries the wait the backend asked for. */
async function responseError(response: Response): Promise<Error> {
  const error = await ResponseError.fromResponse(response);
  if (error.statusCode === 429) {
    const seconds = waitAskedFor(error);
    if (seconds !== undefined && seconds >= 0) {
      return Object.assign(error, { retryAfterSeconds: seconds });
    }
  }
  return error;
}

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

  async getEntityEnvironments(
    entityRef: string,
  ): Promise<EntityEnvironmentsResponse> {
    return this.get(`/environments?${new URLSearchParams({ entityRef })}`);
  }

  async getMetricsPanel(
    request: MetricsPanelRequest,
  ): Promise<MetricsPanelResponse | NotConfiguredResponse> {
    const { splitByColour, ...rest } = request;
    const query = new URLSearchParams({
      ...rest,
      ...(splitByColour ? { split: 'colour' } : {}),
    });
    return this.get(`/observability/metrics?${query}`);
  }

  async searchLogs(
    request: LogsRequest,
  ): Promise<LogsResponse | NotConfiguredResponse> {
    const query = new URLSearchParams(
      Object.entries(request).filter(
        ([, v]) => v !== undefined && v !== '',
      ) as [string, string][],
    );
    return this.get(`/observability/logs?${query}`);
  }

  async getTraceSummary(
    request: ObservabilityRequest,
  ): Promise<TracesResponse | NotConfiguredResponse> {
    return this.get(
      `/observability/traces?${new URLSearchParams({ ...request })}`,
    );
  }

  async getMonitors(
    request: ObservabilityRequest,
  ): Promise<MonitorsResponse | NotConfiguredResponse> {
    return this.get(
      `/observability/monitors?${new URLSearchParams({ ...request })}`,
    );
  }

  async getDeploymentStatus(
    entityRef: string,
  ): Promise<DeploymentStatusResponse> {
    return this.get(
      `/deployments/status?${new URLSearchParams({ entityRef })}`,
    );
  }

  async getImageVersions(entityRef: string): Promise<ImageVersionsResponse> {
    return this.get(
      `/deployments/versions?${new URLSearchParams({ entityRef })}`,
    );
  }

  async getPipeline(entityRef: string): Promise<PipelineResponse> {
    return this.get(
      `/deployments/pipeline?${new URLSearchParams({ entityRef })}`,
    );
  }

  async getDoraMetrics(request: {
    entityRef: string;
    environment: string;
    days: DoraPeriod;
  }): Promise<DoraMetricsResponse> {
    const { entityRef, environment, days } = request;
    return this.get(
      `/deployments/dora?${new URLSearchParams({
        entityRef,
        environment,
        days: String(days),
      })}`,
    );
  }

  async promoteVersion(
    request: DeploymentTarget & { version: string },
  ): Promise<DeploymentResult & { promotion: StagePromotion }> {
    return this.send('/deployments/promotions', request);
  }

  async previewDeployment(
    request: DeploymentTarget & { tag: string },
  ): Promise<DeploymentResult> {
    return this.send('/deployments/preview', request);
  }

  async deploy(
    request: DeploymentTarget & { tag: string },
  ): Promise<DeploymentResult> {
    return this.send('/deployments', request);
  }

  async syncEnvironment(request: DeploymentTarget): Promise<AuditRecord> {
    return this.send('/deployments/sync', request);
  }

  async promoteRollout(request: DeploymentTarget): Promise<AuditRecord> {
    return this.send('/deployments/promote', request);
  }

  async abortRollout(request: DeploymentTarget): Promise<AuditRecord> {
    return this.send('/deployments/abort', request);
  }

  async getRollbackOffers(entityRef: string): Promise<RollbackOffersResponse> {
    return this.get(
      `/deployments/rollback?${new URLSearchParams({ entityRef })}`,
    );
  }

  async rollback(request: DeploymentTarget): Promise<RollbackResult> {
    return this.send('/deployments/rollback', request);
  }

  async getAuditLog(request: {
    entityRef: string;
    environment?: string;
    limit?: number;
  }): Promise<AuditRecord[]> {
    const query = new URLSearchParams({ entityRef: request.entityRef });
    if (request.environment) query.set('environment', request.environment);
    if (request.limit) query.set('limit', String(request.limit));
    const body = await this.get<{ items: AuditRecord[] }>(`/audit?${query}`);
    return body.items;
  }

  async listTerraformRuns(request: {
    environment?: string;
    environments?: string[];
  }): Promise<TerraformRun[]> {
    const names = [
      ...(request.environment ? [request.environment] : []),
      ...(request.environments ?? []),
    ];
    if (request.environments && names.length === 0) return [];
    // Repeated `environment=` parameters: the backend answers the runs of any of them.
    const params = new URLSearchParams(
      names.map(name => ['environment', name]),
    );
    const query = names.length > 0 ? `?${params}` : '';
    const body = await this.get<{ items: TerraformRun[] }>(
      `/terraform/runs${query}`,
    );
    return body.items;
  }

  async getTerraformRun(id: string): Promise<TerraformRun> {
    return this.get(`/terraform/runs/${encodeURIComponent(id)}`);
  }

  async getTerraformRunLog(
    id: string,
    after?: number,
  ): Promise<TerraformLogLine[]> {
    const query = after === undefined ? '' : `?after=${after}`;
    const body = await this.get<{ items: TerraformLogLine[] }>(
      `/terraform/runs/${encodeURIComponent(id)}/log${query}`,
    );
    return body.items;
  }

  async getDrift(query: DriftQuery): Promise<EnvironmentDrift[]> {
    const params = new URLSearchParams();
    if ('entityRef' in query) params.set('entityRef', query.entityRef);
    else query.environments.forEach(e => params.append('environment', e));
    const body = await this.get<DriftResponse>(`/terraform/drift?${params}`);
    return body.items;
  }

  async checkDrift(environment: string): Promise<EnvironmentDrift> {
    return this.send('/terraform/drift/checks', { environment });
  }

  async getProductionRequests(
    entityRef: string,
  ): Promise<ProductionRequestsResponse> {
    return this.get(
      `/deployments/promotions/requests?${new URLSearchParams({ entityRef })}`,
    );
  }

  async requestProductionPromotion(
    request: DeploymentTarget & { version: string; comment?: string },
  ): Promise<ProductionRequest> {
    return this.send('/deployments/promotions/requests', request);
  }

  async approveProductionRequest(
    id: number,
    comment?: string,
  ): Promise<ProductionRequest & { result?: DeploymentResult }> {
    return this.send(
      `/deployments/promotions/requests/${encodeURIComponent(id)}/approve`,
      comment ? { comment } : {},
    );
  }

  async rejectProductionRequest(
    id: number,
    comment: string,
  ): Promise<ProductionRequest> {
    return this.send(
      `/deployments/promotions/requests/${encodeURIComponent(id)}/reject`,
      { comment },
    );
  }

  async breakGlass(
    request: DeploymentTarget & { version: string; reason: string },
  ): Promise<DeploymentResult> {
    return this.send('/deployments/break-glass', request);
  }

  private async send<T>(path: string, body: unknown): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('devops-app');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      throw await responseError(response);
    }
    return (await response.json()) as T;
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('devops-app');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      throw await responseError(response);
    }
    return (await response.json()) as T;
  }
}
