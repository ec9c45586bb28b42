import { createApiRef } from '@backstage/core-plugin-api';
import { ImageVersionsResponse } from '@devops-app/plugin-devops-app-common';
import { DriftApi } from './DriftApi';
import {
  ProductionRequest,
  ProductionRequestsResponse,
} from '@devops-app/plugin-devops-app-common';
import {
  EntityEnvironmentsResponse,
  TerraformLogLine,
  TerraformRun,
} from '@devops-app/plugin-devops-app-common';
import {
  AuditRecord,
  DeploymentResult,
  DeploymentStatusResponse,
  RollbackOffersResponse,
  RollbackResult,
} from '@devops-app/plugin-devops-app-common';
import {
  DoraMetricsResponse,
  DoraPeriod,
  PipelineResponse,
  StagePromotion,
} from '@devops-app/plugin-devops-app-common';
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

/**
 * Everything the frontend reads from the devops-app backend goes through this API.
 * @public
 */
export interface DevopsAppApi
  extends DeploymentsApi,
    ProductionApprovalsApi,
    TerraformRunsApi,
    PipelineApi,
    DriftApi {
  /**
   * The environments of the entity: the environment Resources related to it in the catalog (narrowed
   * by its optional `devops-app.io/environments` filter), in promotion order, each with the problems of
   * its annotations. An environment Resource answers itself alone.
   */
  getEntityEnvironments(entityRef: string): Promise<EntityEnvironmentsResponse>;
  /** One metrics panel; PromQL is built by the backend. */
  getMetricsPanel(
    request: MetricsPanelRequest,
  ): Promise<MetricsPanelResponse | NotConfiguredResponse>;
  /** Datadog log lines of the service. */
  searchLogs(
    request: LogsRequest,
  ): Promise<LogsResponse | NotConfiguredResponse>;
  /** Datadog APM spans aggregated by resource. */
  getTraceSummary(
    request: ObservabilityRequest,
  ): Promise<TracesResponse | NotConfiguredResponse>;
  /** Datadog monitors of the service and their states. */
  getMonitors(
    request: ObservabilityRequest,
  ): Promise<MonitorsResponse | NotConfiguredResponse>;
}

/** Which environment of which entity a deployment action targets. @public */
export interface DeploymentTarget {
  entityRef: string;
  environment: string;
}

/** The pipeline of environments and promotions between its stages. @public */
export interface PipelineApi {
  /** Each stage's version, since when, verification, and the promotion from the stage before. */
  getPipeline(entityRef: string): Promise<PipelineResponse>;
  /** Deploys `version` to `environment` from the stage before, when the promotion rule allows it. */
  promoteVersion(
    request: DeploymentTarget & { version: string },
  ): Promise<DeploymentResult & { promotion: StagePromotion }>;
  /** The DORA metrics of the entity in one environment over 30 or 90 days. */
  getDoraMetrics(request: {
    entityRef: string;
    environment: string;
    days: DoraPeriod;
  }): Promise<DoraMetricsResponse>;
}

/** Production requests and break glass (issue 14). @public */
export interface ProductionApprovalsApi {
  /** The entity's production requests, newest first, with what the user may do. */
  getProductionRequests(entityRef: string): Promise<ProductionRequestsResponse>;
  /** Asks for `version` to go to the production stage `environment` (a prod deployer approves). */
  requestProductionPromotion(
    request: DeploymentTarget & { version: string; comment?: string },
  ): Promise<ProductionRequest>;
  /** Approves another user's request, which deploys it. */
  approveProductionRequest(
    id: number,
    comment?: string,
  ): Promise<ProductionRequest & { result?: DeploymentResult }>;
  rejectProductionRequest(
    id: number,
    comment: string,
  ): Promise<ProductionRequest>;
  /** Deploys to production without a second person, with a written reason. */
  breakGlass(
    request: DeploymentTarget & { version: string; reason: string },
  ): Promise<DeploymentResult>;
}

/** @public */
export interface DeploymentsApi {
  /** Git, Argo CD and Rollout state of each environment of the entity, with the user's permissions. */
  getDeploymentStatus(entityRef: string): Promise<DeploymentStatusResponse>;
  /** The tags of the entity's image in the registry, newest first (503 while it does not answer). */
  getImageVersions(entityRef: string): Promise<ImageVersionsResponse>;
  /** The values-file change a deploy would make (for the confirmation dialog); writes nothing. */
  previewDeployment(
    request: DeploymentTarget & { tag: string },
  ): Promise<DeploymentResult>;
  /** Sets image.tag in the environment's values file (GitOps commit) and syncs when sync is manual. */
  deploy(
    request: DeploymentTarget & { tag: string },
  ): Promise<DeploymentResult>;
  syncEnvironment(request: DeploymentTarget): Promise<AuditRecord>;
  promoteRollout(request: DeploymentTarget): Promise<AuditRecord>;
  abortRollout(request: DeploymentTarget): Promise<AuditRecord>;
  /** Deploys, syncs, promotions and aborts, newest first. */
  getAuditLog(request: {
    entityRef: string;
    environment?: string;
    limit?: number;
  }): Promise<AuditRecord[]>;
  /** What "Roll back" would do in each environment: the version, or why there is none. */
  getRollbackOffers(entityRef: string): Promise<RollbackOffersResponse>;
  /** Rolls the environment back to the version the server picks (its last verified one). */
  rollback(request: DeploymentTarget): Promise<RollbackResult>;
}

/** Terraform runs of the new-environment flow (read only; runs start from the scaffolder). @public */
export interface TerraformRunsApi {
  /**
   * Runs, newest first: of `environment` when given, of any of `environments` when given (an empty
   * list matches no run and asks nothing), else every run.
   */
  listTerraformRuns(request: {
    environment?: string;
    environments?: string[];
  }): Promise<TerraformRun[]>;
  getTerraformRun(id: string): Promise<TerraformRun>;
  /** Log lines after `after` (a `seq`), oldest first. */
  getTerraformRunLog(id: string, after?: number): Promise<TerraformLogLine[]>;
}

/** @public */
export const devopsAppApiRef = createApiRef<DevopsAppApi>({
  id: 'plugin.devops-app.service',
});
