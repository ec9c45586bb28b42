import { stringifyEntityRef } from '@backstage/catalog-model';
import { Progress } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import { useApi } from '@backstage/core-plugin-api';
import { lazy, ReactNode, Suspense, useRef } from 'react';
import { devopsAppApiRef } from '../../api';
import { EntityEnvironmentsProvider } from '../../hooks';
import { preloadDevopsTab } from '../../hooks/preloadedReads';
import { IntegrationsCard } from './IntegrationsCard';

// Every section is its own chunk, none of it part of the app's first load. All of them are requested
// when this module is evaluated, in one wave with the tab's own chunk, rather than when each section
// first renders: the Metrics section (and the DORA section's charts library, recharts, split from it by
// the bundler) does not wait for the code of the other sections, nor for the tab's first render.
const chunks = {
  environments: import('../EnvironmentsCard'),
  pipeline: import('../PipelineSection'),
  dora: import('../DoraSection'),
  metrics: import('../MetricsSection'),
  logsTraces: import('../LogsTracesSection'),
  infrastructure: import('./EntityInfrastructureSection'),
};
const EnvironmentsCard = lazy(() =>
  chunks.environments.then(m => ({ default: m.EnvironmentsCard })),
);
const PipelineSection = lazy(() =>
  chunks.pipeline.then(m => ({ default: m.PipelineSection })),
);
const DoraSection = lazy(() =>
  chunks.dora.then(m => ({ default: m.DoraSection })),
);
const MetricsSection = lazy(() =>
  chunks.metrics.then(m => ({ default: m.MetricsSection })),
);
const LogsTracesSection = lazy(() =>
  chunks.logsTraces.then(m => ({ default: m.LogsTracesSection })),
);
const EntityInfrastructureSection = lazy(() =>
  chunks.infrastructure.then(m => ({
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
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(devopsAppApiRef);
  // The tab's first reads start now, while the sections' code loads, not when the sections mount.
  const preloaded = useRef<string>();
  if (preloaded.current !== entityRef) {
    preloaded.current = entityRef;
    preloadDevopsTab(api, entityRef);
  }
  return (
    <EntityEnvironmentsProvider entityRef={entityRef}>
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
