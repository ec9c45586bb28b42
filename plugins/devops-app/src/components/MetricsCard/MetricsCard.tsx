import { Entity } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import { MetricsChart } from '../MetricsSection';
import {
  EnvironmentsGate,
  PrometheusProblem,
  prometheusProblems,
} from '../MetricsSection/EnvironmentsGate';
import { MetricsControls } from '../MetricsSection/MetricsControls';
import { useViewControls } from '../MetricsSection/useViewControls';

/** Entity card: request rate and error ratio of one environment, for the overview page. */
export function MetricsCard(props: { entity: Entity }) {
  const view = useViewControls(props.entity, { autoRefresh: true });
  const { entityRef, environment, range, refreshMs } = view;
  const problems = prometheusProblems(view);
  return (
    <InfoCard
      title="Service health"
      subheader="Request rate and errors, from Prometheus"
    >
      <EnvironmentsGate view={view}>
        <MetricsControls {...view.controls} />
        {problems.length > 0 ? (
          <Box mt={2}>
            <PrometheusProblem environment={environment} problems={problems} />
          </Box>
        ) : (
          (['request_rate', 'error_ratio'] as const).map(panel => (
            <Box mt={2} key={panel}>
              <MetricsChart
                entityRef={entityRef}
                environment={environment}
                panel={panel}
                range={range}
                refreshMs={refreshMs}
                height={160}
              />
            </Box>
          ))
        )}
      </EnvironmentsGate>
    </InfoCard>
  );
}

/** The card for the entity page, reading the entity from context. */
export function EntityMetricsCard() {
  const { entity } = useEntity();
  return <MetricsCard entity={entity} />;
}
