import { Entity } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import {
  METRICS_PANELS,
  MetricsTimeRange,
} from '@devops-app/plugin-devops-app-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import { useState } from 'react';
import { MetricsChart } from './MetricsChart';
import { MetricsControls } from './MetricsControls';
import { usePanel } from './usePanel';
import {
  EnvironmentsGate,
  PrometheusProblem,
  prometheusProblems,
} from './EnvironmentsGate';
import { useViewControls, ViewControls } from './useViewControls';

/**
 * Colours with traffic in the range: the overlay only makes sense while blue and green both serve
 * (during a blue/green rollout, before promotion or abort).
 */
export function useLiveColours(
  entityRef: string,
  environment: string,
  range: MetricsTimeRange,
  refreshMs?: number,
): string[] {
  const { value } = usePanel(
    {
      entityRef,
      environment,
      panel: 'request_rate',
      range,
      splitByColour: true,
    },
    refreshMs,
  );
  if (!value || !value.configured) return [];
  return value.series
    .filter(s => s.points.some(([, v]) => v !== null && v > 0))
    .map(s => s.labels.colour)
    .filter(c => c === 'blue' || c === 'green');
}

/** The Metrics section of the DevOps tab: every panel for one environment and time range. */
export function MetricsSection(props: { entity: Entity }) {
  const view = useViewControls(props.entity, { autoRefresh: true });
  const problems = prometheusProblems(view);
  return (
    <InfoCard
      title="Metrics"
      subheader="From Prometheus, through the portal's backend"
    >
      <EnvironmentsGate view={view}>
        {problems.length > 0 ? (
          <>
            <MetricsControls {...view.controls} />
            <Box mt={2}>
              <PrometheusProblem
                environment={view.environment}
                problems={problems}
              />
            </Box>
          </>
        ) : (
          <MetricsPanels view={view} />
        )}
      </EnvironmentsGate>
    </InfoCard>
  );
}

function MetricsPanels({ view }: { view: ViewControls }) {
  const { entityRef, environment, range, refreshMs } = view;
  const [overlay, setOverlay] = useState(true);
  const liveColours = useLiveColours(entityRef, environment, range, refreshMs);
  const overlayAvailable = liveColours.length >= 2;
  return (
    <>
      <MetricsControls
        {...view.controls}
        overlay={{
          on: overlay,
          available: overlayAvailable,
          onChange: setOverlay,
        }}
      />
      <Grid container spacing={2} style={{ marginTop: 8 }}>
        {METRICS_PANELS.map(panel => (
          <Grid item xs={12} lg={6} key={panel}>
            <MetricsChart
              entityRef={entityRef}
              environment={environment}
              panel={panel}
              range={range}
              splitByColour={overlay && overlayAvailable}
              refreshMs={refreshMs}
            />
          </Grid>
        ))}
      </Grid>
    </>
  );
}
