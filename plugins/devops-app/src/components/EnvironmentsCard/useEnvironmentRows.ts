import {
  Environment,
  EnvironmentDeploymentStatus,
  EnvironmentProblem,
} from '@devops-app/plugin-devops-app-common';
import { useEntityEnvironments } from '../../hooks';

/** One row of the environments card: the environment and, once read, its deployment status. */
export interface EnvironmentRow extends Environment {
  deployment?: EnvironmentDeploymentStatus;
  /** Why no action may run on the environment (its annotations' problems), if any. */
  problem?: string;
}

export interface EnvironmentRowsState {
  /** Undefined until the environments were read once. */
  rows?: EnvironmentRow[];
  loading: boolean;
  /** The environments could not be read and there is no list to show. */
  error?: Error;
  /** The last refresh of the list failed; the rows shown are older. */
  refreshError?: Error;
  /** The error as shown ("<message> — retrying in N s" after a 429). */
  errorMessage?: string;
}

/** "annotation: message", as the card shows a problem and the backend's 400 names it. */
export function describeProblem(problem: EnvironmentProblem): string {
  return `${problem.annotation}: ${problem.message}`;
}

/**
 * The rows of the card: the entity's environments from the backend's resolver (already in promotion
 * order), each with its deployment status (status items are keyed by environment name).
 */
export function useEnvironmentRows(
  entityRef: string,
  statusItems: EnvironmentDeploymentStatus[] | undefined,
): EnvironmentRowsState {
  const { environments, loading, error, refreshError, errorMessage } =
    useEntityEnvironments(entityRef);
  const rows = environments?.map(environment => ({
    ...environment,
    deployment: statusItems?.find(i => i.environment === environment.name),
    problem:
      environment.problems.length > 0
        ? environment.problems.map(describeProblem).join('; ')
        : undefined,
  }));
  return { rows, loading, error, refreshError, errorMessage };
}
