import {
  METRICS_TIME_RANGES,
  MetricsTimeRange,
} from '@devops-app/plugin-devops-app-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import ButtonGroup from '@material-ui/core/ButtonGroup';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import Switch from '@material-ui/core/Switch';

export interface MetricsControlsProps {
  environments: string[];
  environment: string;
  onEnvironment(env: string): void;
  range: MetricsTimeRange;
  onRange(range: MetricsTimeRange): void;
  autoRefresh: boolean;
  onAutoRefresh(on: boolean): void;
  /** Undefined hides the overlay switch (the card has none). */
  overlay?: { on: boolean; available: boolean; onChange(on: boolean): void };
}

/** Environment selector, time range picker, auto-refresh and blue/green overlay switches. */
export function MetricsControls(props: MetricsControlsProps) {
  const { environments, environment, range, autoRefresh, overlay } = props;
  return (
    <Box display="flex" alignItems="center" flexWrap="wrap" style={{ gap: 16 }}>
      <FormControl variant="outlined" size="small" style={{ minWidth: 160 }}>
        <InputLabel id="metrics-environment-label">Environment</InputLabel>
        <Select
          labelId="metrics-environment-label"
          label="Environment"
          value={environment}
          onChange={e => props.onEnvironment(String(e.target.value))}
          inputProps={{ 'data-testid': 'metrics-environment' }}
        >
          {environments.map(env => (
            <MenuItem key={env} value={env}>
              {env}
            </MenuItem>
          ))}
        </Select>
      </FormControl>
      <ButtonGroup size="small" color="primary" aria-label="time range">
        {(Object.keys(METRICS_TIME_RANGES) as MetricsTimeRange[]).map(r => (
          <Button
            key={r}
            variant={r === range ? 'contained' : 'outlined'}
            aria-pressed={r === range}
            onClick={() => props.onRange(r)}
          >
            {r}
          </Button>
        ))}
      </ButtonGroup>
      <FormControlLabel
        control={
          <Switch
            checked={autoRefresh}
            onChange={e => props.onAutoRefresh(e.target.checked)}
            color="primary"
          />
        }
        label="Auto-refresh (30 s)"
      />
      {overlay && (
        <FormControlLabel
          control={
            <Switch
              checked={overlay.on && overlay.available}
              disabled={!overlay.available}
              onChange={e => overlay.onChange(e.target.checked)}
              color="primary"
            />
          }
          label={
            overlay.available
              ? 'Blue / green overlay'
              : 'Blue / green overlay (one colour live)'
          }
        />
      )}
    </Box>
  );
}
