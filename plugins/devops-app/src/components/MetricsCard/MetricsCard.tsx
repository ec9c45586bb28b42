import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { getEntityEnvironments, MetricsTimeRange } from '@devops-app/plugin-devops-app-common';
import Box from '@material-ui/core/Box';
import { useState } from 'react';
import { MetricsChart } from '../MetricsSection';
import { MetricsControls } from '../MetricsSection/MetricsControls';
import { REFRESH_MS } from '../MetricsSection/MetricsSection';

/** Entity card: request rate and error ratio of one environment, for the overview page. */
export function MetricsCard(props: { entity: Entity }) {
  const entityRef = stringifyEntityRef(props.entity);
  const environments = getEntityEnvironments(props.entity).environments;
  const [environment, setEnvironment] = useState(environments[0] ?? '');
  const [range, setRange] = useState<MetricsTimeRange>('1h');
  const [autoRefresh, setAutoRefresh] = useState(true);
  const refreshMs = autoRefresh ? REFRESH_MS : undefined;
  return (
    <InfoCard title="Service health" subheader="Request rate and errors, from Prometheus">
      <MetricsControls
        environments={environments}
        environment={environment}
        onEnvironment={setEnvironment}
        range={range}
        onRange={setRange}
        autoRefresh={autoRefresh}
        onAutoRefresh={setAutoRefresh}
      />
      {(['request_rate', 'error_ratio'] as const).map(panel => (
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
      ))}
    </InfoCard>
  );
}

/** The card for the entity page, reading the entity from context. */
export function EntityMetricsCard() {
  const { entity } = useEntity();
  return <MetricsCard entity={entity} />;
}
