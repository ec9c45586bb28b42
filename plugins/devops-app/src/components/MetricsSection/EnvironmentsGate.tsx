import {
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import {
  ANNOTATION_PROMETHEUS_URL,
  EnvironmentProblem,
} from '@devops-app/plugin-devops-app-common';
import Typography from '@material-ui/core/Typography';
import { ReactNode } from 'react';
import type { ViewControls } from './useViewControls';

/**
 * What an observability view shows before it has an environment to ask about: a spinner while the
 * environments load, the error when they cannot be read, a sentence when the service has none.
 * Otherwise its children, which may then ask the backend about `view.environment`.
 */
export function EnvironmentsGate(props: {
  view: ViewControls;
  children: ReactNode;
}) {
  const { environmentsState, environment } = props.view;
  if (environmentsState.loading) return <Progress />;
  if (environmentsState.error) {
    return (
      <ResponseErrorPanel
        title="Could not read the environments"
        error={environmentsState.error}
      />
    );
  }
  if (!environment) {
    return (
      <Typography color="textSecondary">
        No environment of this service is in the catalog: no environment
        Resource names it in spec.dependencyOf.
      </Typography>
    );
  }
  return <>{props.children}</>;
}

/** The problems of the chosen environment's `devops-app.io/prometheus-url`, if any. */
export function prometheusProblems(view: ViewControls): EnvironmentProblem[] {
  return (
    view.selected?.problems.filter(
      p => p.annotation === ANNOTATION_PROMETHEUS_URL,
    ) ?? []
  );
}

/**
 * The chosen environment's Prometheus endpoint cannot be used (its `devops-app.io/prometheus-url`
 * annotation is malformed): this replaces the charts, which would otherwise query another Prometheus
 * than the environment's. The environment's other problems do not concern metrics.
 */
export function PrometheusProblem(props: {
  environment: string;
  problems: EnvironmentProblem[];
}) {
  return (
    <WarningPanel
      severity="error"
      title={`No metrics for ${props.environment}: its Prometheus endpoint is malformed`}
      defaultExpanded
    >
      {props.problems.map(p => `${p.annotation}: ${p.message}`).join('; ')}
    </WarningPanel>
  );
}
