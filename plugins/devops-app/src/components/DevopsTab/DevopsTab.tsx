import { stringifyEntityRef } from '@backstage/catalog-model';
import { Progress } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import { lazy, ReactNode, Suspense } from 'react';
import { EntityEnvironmentsProvider } from '../../hooks';
import { IntegrationsCard } from './IntegrationsCard';

// Every section is its own chunk, requested together when the tab renders: the Metrics section (and the
// charts' library, recharts, split from it by the bundler) does not wait for the code of the other
// sections, and none of it is part of the app's first load.
const EnvironmentsCard = lazy(() =>
  import('../EnvironmentsCard').then(m => ({ default: m.EnvironmentsCard })),
);
const PipelineSection = lazy(() =>
  import('../PipelineSection').then(m => ({ default: m.PipelineSection })),
);
const DoraSection = lazy(() =>
  import('../DoraSection').then(m => ({ default: m.DoraSection })),
);
const MetricsSection = lazy(() =>
  import('../MetricsSection').then(m => ({ default: m.MetricsSection })),
);
const LogsTracesSection = lazy(() =>
  import('../LogsTracesSection').then(m => ({
    default: m.LogsTracesSection,
  })),
);
const EntityInfrastructureSection = lazy(() =>
  import('./EntityInfrastructureSection').then(m => ({
    default: m.EntityInfrastructureSection,
  })),
);

function Section(props: { children: ReactNode }) {
  return <Suspense fallback={<Progress />}>{props.children}</Suspense>;
}

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
          <Section>
            <EnvironmentsCard entity={entity} />
          </Section>
        </Grid>
        <Grid item xs={12}>
          <IntegrationsCard entity={entity} />
        </Grid>
        <Grid item xs={12}>
          <Section>
            <PipelineSection entity={entity} />
          </Section>
        </Grid>
        <Grid item xs={12}>
          <Section>
            <DoraSection entity={entity} />
          </Section>
        </Grid>
        <Grid item xs={12}>
          <Section>
            <MetricsSection entity={entity} />
          </Section>
        </Grid>
        <Grid item xs={12}>
          <Section>
            <LogsTracesSection entity={entity} />
          </Section>
        </Grid>
        <Grid item xs={12}>
          <Section>
            <EntityInfrastructureSection entity={entity} />
          </Section>
        </Grid>
      </Grid>
    </EntityEnvironmentsProvider>
  );
}
