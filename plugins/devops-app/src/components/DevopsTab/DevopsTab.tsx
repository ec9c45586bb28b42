import { useEntity } from '@backstage/plugin-catalog-react';
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
        {/* Every run: environments the template creates are not in the entity's annotation yet. */}
        <TerraformRunsSection />
      </Grid>
    </Grid>
  );
}
