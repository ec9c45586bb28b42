import { useApi } from '@backstage/core-plugin-api';
import {
  AuditRecord,
  ProductionRequestsResponse,
} from '@devops-app/plugin-devops-app-common';
import { devopsAppApiRef } from '../../api';
import { useDeploymentSignalRefresh } from '../../hooks/useDeploymentSignalRefresh';
import { LiveData, useLiveData } from '../../hooks/useLiveData';

/** Poll interval of the requests (signals refresh them at once; the poll is the fallback). */
export const REQUESTS_POLL_MS = 15_000;

/** The audit actions the production history shows. */
export const PRODUCTION_HISTORY_ACTIONS = new Set<string>([
  'request-production',
  'approve-production',
  'reject-production',
  'expire-production',
  'break-glass',
  'promote-version',
]);

export interface ProductionState {
  requests: ProductionRequestsResponse;
  /** The production stages' audit entries of requests, decisions and break glass, newest first. */
  history: AuditRecord[];
}

/**
 * The entity's production requests and the production history (from the audit log), kept live:
 * every 15 s, and at once when the backend signals an audit entry of the entity (a request, a
 * decision, a break glass, or any deploy).
 */
export function useProductionRequests(
  entityRef: string,
  productionStages: string[],
): LiveData<ProductionState> {
  const api = useApi(devopsAppApiRef);
  const key = `${entityRef}\n${productionStages.join(',')}`;
  const read = useLiveData<ProductionState>(
    key,
    async () => {
      const [requests, ...logs] = await Promise.all([
        api.getProductionRequests(entityRef),
        ...productionStages.map(environment =>
          api.getAuditLog({ entityRef, environment, limit: 50 }),
        ),
      ]);
      const history = logs
        .flat()
        .filter(r => PRODUCTION_HISTORY_ACTIONS.has(r.action))
        .sort((a, b) => b.id - a.id)
        .slice(0, 20);
      return { requests, history };
    },
    { intervalMs: REQUESTS_POLL_MS, enabled: productionStages.length > 0 },
  );
  useDeploymentSignalRefresh(entityRef, read.refresh);
  return read;
}
