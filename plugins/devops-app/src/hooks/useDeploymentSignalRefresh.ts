import { useSignal } from '@backstage/plugin-signals-react';
import {
  DeploymentSignal,
  deploymentSignalChannel,
} from '@devops-app/plugin-devops-app-common';
import { useEffect } from 'react';

/**
 * Calls `refresh` whenever the backend announces an audit entry of the entity on its deployment
 * channel (a deploy, promotion, sync or abort by anyone), so a view that depends on deployments reads
 * again at once instead of at its next poll.
 */
export function useDeploymentSignalRefresh(
  entityRef: string,
  refresh: () => void,
): void {
  const { lastSignal } = useSignal<DeploymentSignal>(
    deploymentSignalChannel(entityRef),
  );
  useEffect(() => {
    if (lastSignal) refresh();
  }, [lastSignal, refresh]);
}
