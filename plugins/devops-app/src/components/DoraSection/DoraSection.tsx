import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { EmptyState, InfoCard, Progress } from '@backstage/core-components';
import {
  DORA_PERIODS,
  DoraMetricsResponse,
  DoraPeriod,
  formatDuration,
} from '@devops-app/plugin-devops-app-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import Paper from '@material-ui/core/Paper';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Button from '@material-ui/core/Button';
import ButtonGroup from '@material-ui/core/ButtonGroup';
import { useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useEntityEnvironments } from '../../hooks';
import { LiveErrorPanel } from '../LiveErrorPanel';
import { useDoraMetrics } from './useDoraMetrics';

const seconds = (s: number | undefined) =>
  s === undefined ? '—' : formatDuration(s);

function Metric(props: {
  name: string;
  value: string;
  detail: string;
  definition: string;
}) {
  return (
    <Paper
      variant="outlined"
      style={{ height: '100%' }}
      data-testid={`dora-${props.name.toLowerCase().replace(/ /g, '-')}`}
    >
      <Box p={2}>
        <Typography variant="overline">{props.name}</Typography>
        <Typography variant="h5">{props.value}</Typography>
        <Typography variant="body2">{props.detail}</Typography>
        <Box mt={1}>
          <Typography variant="caption" color="textSecondary">
            {props.definition}
          </Typography>
        </Box>
      </Box>
    </Paper>
  );
}

function Metrics(props: { metrics: DoraMetricsResponse }) {
  const m = props.metrics;
  const cfr = m.changeFailureRate;
  const restore = m.timeToRestore;
  return (
    <>
      <Grid container spacing={2}>
        <Grid item xs={12} sm={6} lg={3}>
          <Metric
            name="Deployment frequency"
            value={`${m.deploymentFrequency.deploys} deploys`}
            detail={`${m.deploymentFrequency.perWeek} per week over ${m.days} days`}
            definition={m.definitions.deploymentFrequency}
          />
        </Grid>
        <Grid item xs={12} sm={6} lg={3}>
          <Metric
            name="Lead time for changes"
            value={seconds(m.leadTime.medianSeconds)}
            detail={`median of ${m.leadTime.items.length} deploys`}
            definition={m.definitions.leadTime}
          />
        </Grid>
        <Grid item xs={12} sm={6} lg={3}>
          <Metric
            name="Change failure rate"
            value={
              cfr.rate === undefined
                ? '—'
                : `${Math.round(cfr.rate * 1000) / 10} %`
            }
            detail={`${cfr.failures} failed of ${cfr.deploys} deploys (window ${m.failureWindowHours} h)`}
            definition={m.definitions.changeFailureRate}
          />
        </Grid>
        <Grid item xs={12} sm={6} lg={3}>
          <Metric
            name="Time to restore"
            value={seconds(restore.medianSeconds)}
            detail={`${restore.items.length - restore.unrestored} restored, ${
              restore.unrestored
            } not yet`}
            definition={m.definitions.timeToRestore}
          />
        </Grid>
      </Grid>
      <Grid container spacing={2} style={{ marginTop: 8 }}>
        <Grid item xs={12} md={7}>
          <Typography variant="subtitle2">
            Deploys and failed deploys per day
          </Typography>
          <ResponsiveContainer width="100%" height={220}>
            <BarChart data={m.deploymentFrequency.days}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="date" tickFormatter={d => d.slice(5)} />
              <YAxis allowDecimals={false} width={32} />
              <Tooltip />
              <Legend />
              <Bar dataKey="deploys" name="Deploys" fill="#1565c0" />
              <Bar dataKey="failures" name="Failed" fill="#c62828" />
            </BarChart>
          </ResponsiveContainer>
        </Grid>
        <Grid item xs={12} md={5}>
          <Typography variant="subtitle2">
            Lead time per deploy (hours)
          </Typography>
          <ResponsiveContainer width="100%" height={220}>
            <BarChart
              data={m.leadTime.items.map((l, i) => ({
                name: `${i + 1}. ${l.version}`,
                hours: Math.round((l.seconds / 3600) * 100) / 100,
              }))}
            >
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="name" />
              <YAxis width={40} />
              <Tooltip />
              <Bar dataKey="hours" name="Lead time (h)" fill="#00897b" />
            </BarChart>
          </ResponsiveContainer>
        </Grid>
      </Grid>
    </>
  );
}

/**
 * The DORA metrics of the service in one of its environments (production by default) over 30 or 90
 * days: the four numbers with their definitions, deploys and failures per day, lead time per deploy.
 */
export function DoraSection(props: { entity: Entity }) {
  const entityRef = stringifyEntityRef(props.entity);
  const { environments } = useEntityEnvironments(entityRef);
  const [chosen, setChosen] = useState<string>();
  const [days, setDays] = useState<DoraPeriod>(30);
  const environment =
    chosen ??
    (environments?.find(e => e.production) ?? environments?.[0])?.name;
  const { value, error, loading } = useDoraMetrics(
    entityRef,
    environment,
    days,
  );

  let body: JSX.Element;
  if (!environments || (loading && !value)) {
    body = <Progress />;
  } else if (!environment) {
    body = (
      <EmptyState
        missing="data"
        title="No environments"
        description="The service has no environments to measure."
      />
    );
  } else if (error && !value) {
    body = (
      <LiveErrorPanel title="Could not load the DORA metrics" error={error} />
    );
  } else {
    body = value ? <Metrics metrics={value} /> : <Progress />;
  }

  return (
    <InfoCard title="Delivery (DORA metrics)">
      <Box display="flex" alignItems="center" mb={2} style={{ gap: 16 }}>
        <TextField
          id="dora-environment"
          select
          size="small"
          variant="outlined"
          label="Environment"
          value={environment ?? ''}
          onChange={e => setChosen(e.target.value)}
          style={{ minWidth: 160 }}
        >
          {(environments ?? []).map(e => (
            <MenuItem key={e.name} value={e.name}>
              {e.title}
            </MenuItem>
          ))}
        </TextField>
        <ButtonGroup size="small" color="primary" aria-label="Period">
          {DORA_PERIODS.map(d => (
            <Button
              key={d}
              variant={d === days ? 'contained' : 'outlined'}
              aria-pressed={d === days}
              onClick={() => setDays(d)}
            >
              {d} days
            </Button>
          ))}
        </ButtonGroup>
      </Box>
      {body}
    </InfoCard>
  );
}
