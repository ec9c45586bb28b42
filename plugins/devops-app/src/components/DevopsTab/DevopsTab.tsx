import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import { EntityEnvironmentsProvider } from '../../hooks';
import { EnvironmentsCard } from '../EnvironmentsCard';
import { LogsTracesSection } from '../LogsTracesSection';
import { MetricsSection } from '../MetricsSection';
import { EntityInfrastructureSection } from './EntityInfrastructureSection';
import { IntegrationsCard } from './IntegrationsCard';

/**
 * The DevOps tab of a service's entity page. Its views share one read of the service's environments
 * (`EntityEnvironmentsProvider`), so they list the same environments and a new one appears in all of
 * them at the same refresh.
 */
export function DevopsTab() {
  const { entity } = useEntity();
  return (
    <EntityEnvironmentsProvider entityRef={stringifyEntityRef(entity)}>
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
          <EntityInfrastructureSection entity={entity} />
        </Grid>
      </Grid>
    </EntityEnvironmentsProvider>
  );
}
