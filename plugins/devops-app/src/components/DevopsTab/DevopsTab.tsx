import { useEntity } from '@backstage/plugin-catalog-react';
import { getEntityEnvironments } from '@devops-app/plugin-devops-app-common';
import Grid from '@material-ui/core/Grid';
import { EnvironmentsCard } from '../EnvironmentsCard';
import { LogsTracesSection } from '../LogsTracesSection';
import { MetricsSection } from '../MetricsSection';
import { TerraformRunsSection } from '../TerraformRunsSection';
import { IntegrationsCard } from './IntegrationsCard';

/** The DevOps tab of a service's entity page. */
export function DevopsTab() {
  const { entity } = useEntity();
  return (
    <Grid container spacing={3} alignItems="stretch">
      <Grid item xs={12}>
        <EnvironmentsCard entity={entity} />
      </Grid>
      <Grid item xs={12} md={4}>
        <IntegrationsCard entity={entity} />
      </Grid>
      <Grid item xs={12}>
        <MetricsSection entity={entity} />
      </Grid>
      <Grid item xs={12}>
        <LogsTracesSection entity={entity} />
      </Grid>
      <Grid item xs={12}>
        {/* Only the runs of the environments the entity declares (devops-app.io/environments). */}
        <TerraformRunsSection
          environments={getEntityEnvironments(entity).environments}
        />
      </Grid>
    </Grid>
  );
}
