import {
  DiscoveryApi,
  discoveryApiRef,
  FetchApi,
  fetchApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  TerraformPlanText,
  TerraformRun,
  TerraformStackName,
} from '@devops-app/plugin-devops-app-common';
import { useMemo } from 'react';

/**
 * The plan-approval routes of the devops-app backend (`POST /terraform/runs/:id/approve|reject`,
 * `GET /terraform/runs/:id/plans/:stack`), through the app's discovery and fetch APIs so requests
 * carry the user's token. Kept beside the panel that uses them.
 */
export class PlanApprovalClient {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  async decide(
    runId: string,
    decision: 'approve' | 'reject',
    comment: string,
  ): Promise<TerraformRun> {
    return this.call(
      `/terraform/runs/${encodeURIComponent(runId)}/${decision}`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ comment }),
      },
    );
  }

  async planText(
    runId: string,
    stack: TerraformStackName,
  ): Promise<TerraformPlanText> {
    return this.call(
      `/terraform/runs/${encodeURIComponent(runId)}/plans/${stack}`,
    );
  }

  private async call<T>(path: string, init?: RequestInit): Promise<T> {
    const { discoveryApi, fetchApi } = this.options;
    const baseUrl = await discoveryApi.getBaseUrl('devops-app');
    const response = await fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }
}

export function usePlanApprovalClient(): PlanApprovalClient {
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  return useMemo(
    () => new PlanApprovalClient({ discoveryApi, fetchApi }),
    [discoveryApi, fetchApi],
  );
}
