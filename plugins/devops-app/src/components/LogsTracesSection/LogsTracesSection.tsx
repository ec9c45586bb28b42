import { Entity } from '@backstage/catalog-model';
import { InfoCard, Link, WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  DatadogTimeWindow,
  LOG_LEVELS,
  LogLevel,
  MetricsTimeRange,
} from '@devops-app/plugin-devops-app-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import FormControl from '@material-ui/core/FormControl';
import Grid from '@material-ui/core/Grid';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useEffect, useState } from 'react';
import { devopsAppApiRef } from '../../api';
import { useLiveData } from '../../hooks/useLiveData';
import { MetricsControls } from '../MetricsSection/MetricsControls';
import { EnvironmentsGate } from '../MetricsSection/EnvironmentsGate';
import {
  REFRESH_MS,
  useViewControls,
  ViewControls,
} from '../MetricsSection/useViewControls';
import { CustomRange, CustomRangePicker } from './CustomRangePicker';
import { DatadogState } from './DatadogState';
import { LogsTable } from './LogsTable';
import { MonitorsStrip } from './MonitorsStrip';
import { TracesSummary } from './TracesSummary';
import { useOlderLogs } from './useOlderLogs';

/** The Logs & Traces section of the DevOps tab: monitors, logs with a request's story, spans by resource. */
export function LogsTracesSection(props: { entity: Entity }) {
  const view = useViewControls(props.entity, { autoRefresh: false });
  return (
    <InfoCard
      title="Logs & Traces"
      subheader="From Datadog, through the portal's backend"
    >
      <EnvironmentsGate view={view}>
        <LogsTracesView view={view} />
      </EnvironmentsGate>
    </InfoCard>
  );
}

/** The section once there is an environment to ask Datadog about. */
function LogsTracesView({ view }: { view: ViewControls }) {
  const api = useApi(devopsAppApiRef);
  const { entityRef, environment, range, autoRefresh } = view;
  const [level, setLevel] = useState<LogLevel | ''>('');
  const [textInput, setTextInput] = useState('');
  const [text, setText] = useState('');
  const [requestIdInput, setRequestIdInput] = useState('');
  const [requestId, setRequestId] = useState('');
  const [custom, setCustom] = useState<CustomRange>();
  // A custom window replaces the preset; the backend takes one or the other.
  const timeWindow: DatadogTimeWindow = custom
    ? { from: custom.from, to: custom.to }
    : { range };
  const windowKey = custom ? `${custom.from}/${custom.to}` : range;
  const during = custom
    ? `between ${new Date(custom.from).toLocaleString()} and ${new Date(
        custom.to,
      ).toLocaleString()}`
    : `in the last ${range}`;
  const filters = {
    entityRef,
    environment,
    ...(level ? { level } : {}),
    ...(text ? { text } : {}),
    ...(requestId ? { requestId } : {}),
  };

  // Monitors show their current state: no window. Auto-refresh reads again every REFRESH_MS while the
  // page is visible (after a 429, when the backend said); logs wait while older pages are on screen,
  // which a refresh would throw away.
  const every = autoRefresh ? REFRESH_MS : null;
  const monitors = useLiveData(
    JSON.stringify([entityRef, environment]),
    async () => api.getMonitors({ entityRef, environment }),
    { intervalMs: every },
  );
  const traces = useLiveData(
    JSON.stringify([entityRef, environment, windowKey]),
    async () => api.getTraceSummary({ entityRef, environment, ...timeWindow }),
    { intervalMs: every },
  );
  const [extended, setExtended] = useState(false);
  const logs = useLiveData(
    JSON.stringify([entityRef, environment, windowKey, level, text, requestId]),
    async () => api.searchLogs({ ...filters, ...timeWindow }),
    { intervalMs: extended ? null : every },
  );
  const older = useOlderLogs(logs.value, filters, request =>
    api.searchLogs(request),
  );
  useEffect(() => setExtended(older.extended), [older.extended]);

  // A request's story reads oldest first, so its next page is later lines.
  const loadMoreLabel = requestId ? 'Load later lines' : 'Load older';

  const showRequest = (id: string) => {
    setRequestIdInput(id);
    setRequestId(id);
  };

  return (
    <>
      <MetricsControls
        {...view.controls}
        // No preset looks chosen while a custom window is; choosing one leaves the custom window.
        range={(custom ? '' : range) as MetricsTimeRange}
        onRange={r => {
          setCustom(undefined);
          view.controls.onRange(r);
        }}
      />
      <CustomRangePicker value={custom} onChange={setCustom} />
      <Box mt={2} data-testid="monitors">
        <Typography variant="subtitle1" gutterBottom>
          Monitors
        </Typography>
        <DatadogState
          what="monitors"
          loading={monitors.loading}
          error={monitors.error}
          value={monitors.value}
          empty={`No Datadog monitor is tagged with this service for ${environment}.`}
        >
          {value => <MonitorsStrip monitors={value} />}
        </DatadogState>
      </Box>
      <Grid container spacing={2} style={{ marginTop: 16 }}>
        <Grid item xs={12}>
          <Typography variant="subtitle1">Logs</Typography>
          <Box
            component="form"
            display="flex"
            alignItems="center"
            flexWrap="wrap"
            style={{ gap: 16 }}
            my={1}
            onSubmit={e => {
              e.preventDefault();
              setText(textInput.trim());
              setRequestId(requestIdInput.trim());
            }}
          >
            <FormControl
              variant="outlined"
              size="small"
              style={{ minWidth: 120 }}
            >
              <InputLabel id="logs-level-label">Level</InputLabel>
              <Select
                labelId="logs-level-label"
                label="Level"
                value={level}
                onChange={e => setLevel(e.target.value as LogLevel | '')}
              >
                <MenuItem value="">any</MenuItem>
                {LOG_LEVELS.map(l => (
                  <MenuItem key={l} value={l}>
                    {l}
                  </MenuItem>
                ))}
              </Select>
            </FormControl>
            <TextField
              size="small"
              variant="outlined"
              id="logs-text"
              label="Search text"
              value={textInput}
              onChange={e => setTextInput(e.target.value)}
              inputProps={{ maxLength: 200 }}
            />
            <TextField
              size="small"
              variant="outlined"
              id="logs-request-id"
              label="request_id"
              value={requestIdInput}
              onChange={e => setRequestIdInput(e.target.value)}
              inputProps={{ maxLength: 128 }}
            />
            <Button type="submit" variant="outlined" color="primary">
              Search
            </Button>
          </Box>
          {requestId && (
            <Box display="flex" alignItems="center" mb={1} style={{ gap: 8 }}>
              <Typography variant="body2">
                The whole story of request <b>{requestId}</b>, oldest line first
                (level and text ignored).
              </Typography>
              <Button size="small" onClick={() => showRequest('')}>
                back to all logs
              </Button>
            </Box>
          )}
          <DatadogState
            what="logs"
            loading={logs.loading}
            error={logs.error}
            value={logs.value}
            empty={
              requestId
                ? `No log line carries request_id ${requestId} ${during}.`
                : `No log lines for ${environment} ${during} match.`
            }
          >
            {value => (
              <>
                <LogsTable rows={older.rows} onRequestId={showRequest} />
                {older.error && (
                  <WarningPanel
                    severity="error"
                    title="Could not load more logs"
                  >
                    {older.error.message}
                  </WarningPanel>
                )}
                <Box
                  mt={1}
                  display="flex"
                  alignItems="center"
                  style={{ gap: 16 }}
                >
                  {older.nextCursor && (
                    <Button
                      variant="outlined"
                      size="small"
                      disabled={older.loading || logs.loading}
                      onClick={older.loadMore}
                    >
                      {older.loading ? 'Loading…' : loadMoreLabel}
                    </Button>
                  )}
                  <Typography variant="body2" color="textSecondary">
                    {older.rows.length} lines
                    {older.nextCursor ? ', more in Datadog' : ''}
                  </Typography>
                  <Link to={value.link}>open this search in Datadog</Link>
                </Box>
              </>
            )}
          </DatadogState>
        </Grid>
        <Grid item xs={12}>
          <DatadogState
            what="traces"
            loading={traces.loading}
            error={traces.error}
            value={traces.value}
            empty={`No spans for ${environment} ${during}.`}
          >
            {value => <TracesSummary traces={value} />}
          </DatadogState>
        </Grid>
      </Grid>
    </>
  );
}
