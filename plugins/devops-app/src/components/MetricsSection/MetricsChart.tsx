import { EmptyState, Progress } from '@backstage/core-components';
import {
  METRICS_PANEL_INFO,
  MetricsPanelName,
  MetricsPanelResponse,
  MetricsSeries,
  MetricsTimeRange,
} from '@devops-app/plugin-devops-app-common';
import Box from '@material-ui/core/Box';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { LiveErrorPanel } from '../LiveErrorPanel';
import { formatValue, unitLabel } from './formatValue';
import { LineChart } from './LineChart';
import { usePanel } from './usePanel';

const PALETTE = [
  '#7e57c2',
  '#ef6c00',
  '#00897b',
  '#c2185b',
  '#5d4037',
  '#546e7a',
];

function colourOf(series: MetricsSeries, index: number): string {
  if (series.labels.colour === 'blue') return index % 2 ? '#64b5f6' : '#1565c0';
  if (series.labels.colour === 'green')
    return index % 2 ? '#81c784' : '#2e7d32';
  return PALETTE[index % PALETTE.length];
}

/** The last number of a series: the current value shown beside the chart. */
export function currentValue(series: MetricsSeries): number | null {
  for (let i = series.points.length - 1; i >= 0; i--) {
    const v = series.points[i][1];
    if (v !== null) return v;
  }
  return null;
}

/** The time axis: the range the backend answered for, widened to any point outside it. */
function timeDomain(panel: MetricsPanelResponse): [number, number] {
  let from = panel.start * 1000;
  let to = panel.end * 1000;
  for (const s of panel.series) {
    for (const [t] of s.points) {
      if (t < from) from = t;
      if (t > to) to = t;
    }
  }
  return [from, to];
}

/** How many distinct times the panel's series have points at. */
function timesOf(panel: MetricsPanelResponse): number {
  const times = new Set<number>();
  for (const s of panel.series) for (const [t] of s.points) times.add(t);
  return times.size;
}

function hasData(panel: MetricsPanelResponse): boolean {
  return panel.series.some(s => s.points.some(([, v]) => v !== null));
}

export interface MetricsChartProps {
  entityRef: string;
  environment: string;
  panel: MetricsPanelName;
  range: MetricsTimeRange;
  splitByColour?: boolean;
  refreshMs?: number;
  height?: number;
}

/** One panel: a line chart with units on the axis and the current value of each series beside it. */
export function MetricsChart(props: MetricsChartProps) {
  const {
    entityRef,
    environment,
    panel,
    range,
    splitByColour,
    refreshMs,
    height = 220,
  } = props;
  const info = METRICS_PANEL_INFO[panel];
  const { value, error, errorMessage, loading } = usePanel(
    { entityRef, environment, panel, range, splitByColour },
    refreshMs,
  );

  let body: JSX.Element;
  if (loading && !value) {
    body = <Progress />;
  } else if (error && !value) {
    body = (
      <LiveErrorPanel
        title={`Could not load ${info.title.toLowerCase()}`}
        error={error}
      />
    );
  } else if (value && !value.configured) {
    body = <Typography color="textSecondary">{value.message}</Typography>;
  } else if (value && !hasData(value)) {
    body = (
      <EmptyState
        missing="data"
        title="No data"
        description={`No data for ${environment} in the last ${range}: Prometheus has no matching series (is the service running and scraped with environment="${environment}"?).`}
      />
    );
  } else if (value) {
    const [from, to] = timeDomain(value);
    const unit = value.unit;
    body = (
      <Box display="flex" alignItems="stretch">
        <Box
          flex={1}
          minWidth={0}
          data-testid={`chart-${panel}`}
          data-points={timesOf(value)}
        >
          <LineChart
            label={`${info.title} for ${environment}, last ${range}`}
            lines={value.series.map((s, i) => ({
              name: s.name,
              colour: colourOf(s, i),
              points: s.points,
            }))}
            from={from}
            to={to}
            range={range}
            floor={unit === 'ratio' ? 0.05 : 1}
            formatValue={v => formatValue(v, unit)}
            unitLabel={unitLabel(unit)}
            height={height}
          />
        </Box>
        <Box
          width={140}
          pl={2}
          display="flex"
          flexDirection="column"
          justifyContent="center"
        >
          {value.series.map(s => (
            <Box key={s.name} mb={1}>
              <Typography variant="caption" color="textSecondary">
                {s.name === 'value' ? 'now' : s.name}
              </Typography>
              <Typography
                variant="h6"
                data-testid={`current-${panel}-${s.name}`}
              >
                {formatValue(currentValue(s), value.unit)}
              </Typography>
            </Box>
          ))}
        </Box>
      </Box>
    );
  } else {
    body = <Progress />;
  }

  return (
    <Paper variant="outlined">
      <Box p={2}>
        <Typography variant="subtitle1" gutterBottom>
          {info.title}
          {error && value ? (
            <Typography component="span" variant="caption" color="error">
              {' '}
              (refresh failed: {errorMessage})
            </Typography>
          ) : null}
        </Typography>
        {body}
      </Box>
    </Paper>
  );
}
