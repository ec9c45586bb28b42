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
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { LiveErrorPanel } from '../LiveErrorPanel';
import { formatValue, unitLabel } from './formatValue';
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

function toRows(series: MetricsSeries[]) {
  const rows = new Map<number, Record<string, number | null>>();
  for (const s of series) {
    for (const [t, v] of s.points) {
      const row = rows.get(t) ?? { t };
      row[s.name] = v;
      rows.set(t, row);
    }
  }
  return [...rows.values()].sort((a, b) => (a.t as number) - (b.t as number));
}

/** Top of the value axis: a little headroom, and a sensible scale when every value is 0. */
function axisTop(unit: MetricsPanelResponse['unit']) {
  return (max: number) => {
    if (max > 0) return max * 1.1;
    return unit === 'ratio' ? 0.05 : 1;
  };
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
    const rows = toRows(value.series);
    const points = rows.length;
    const tickTime = (t: number) =>
      new Date(t).toLocaleTimeString(
        [],
        range === '7d' || range === '24h'
          ? { month: 'short', day: 'numeric', hour: '2-digit' }
          : { hour: '2-digit', minute: '2-digit' },
      );
    body = (
      <Box display="flex" alignItems="stretch">
        <Box
          flex={1}
          minWidth={0}
          height={height}
          data-testid={`chart-${panel}`}
          data-points={points}
        >
          <ResponsiveContainer width="100%" height="100%">
            <LineChart
              data={rows}
              margin={{ top: 8, right: 8, bottom: 8, left: 16 }}
            >
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis
                dataKey="t"
                type="number"
                scale="time"
                domain={['dataMin', 'dataMax']}
                tickFormatter={tickTime}
              />
              <YAxis
                domain={[0, axisTop(value.unit)]}
                tickFormatter={(v: number) => formatValue(v, value.unit)}
                width={80}
                label={{
                  value: unitLabel(value.unit),
                  angle: -90,
                  position: 'insideLeft',
                  offset: -8,
                }}
              />
              <Tooltip
                labelFormatter={t => new Date(Number(t)).toLocaleString()}
                formatter={(v: unknown) => formatValue(v as number, value.unit)}
              />
              <Legend />
              {value.series.map((s, i) => (
                <Line
                  key={s.name}
                  dataKey={s.name}
                  stroke={colourOf(s, i)}
                  dot={false}
                  isAnimationActive={false}
                  connectNulls={false}
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
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
