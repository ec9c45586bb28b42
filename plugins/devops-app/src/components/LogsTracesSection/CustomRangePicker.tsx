import {
  CUSTOM_RANGE_FUTURE_SLACK_MS,
  METRICS_MAX_RANGE_SECONDS,
} from '@devops-app/plugin-devops-app-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';

/** A custom window: ISO 8601 instants, as the backend's `from` and `to` take them. */
export interface CustomRange {
  from: string;
  to: string;
}

/**
 * Checks the two datetime inputs (local time, `YYYY-MM-DDTHH:mm`) as the backend will: both given, From
 * before To, at most 30 days apart, To not more than a minute ahead. Returns the window or what is wrong.
 */
export function checkCustomRange(
  fromInput: string,
  toInput: string,
  nowMs: number,
): { range: CustomRange } | { error: string } {
  if (!fromInput) return { error: 'From: required' };
  if (!toInput) return { error: 'To: required' };
  const fromMs = new Date(fromInput).getTime();
  const toMs = new Date(toInput).getTime();
  if (!Number.isFinite(fromMs)) return { error: 'From: not a date and time' };
  if (!Number.isFinite(toMs)) return { error: 'To: not a date and time' };
  if (toMs <= fromMs) return { error: 'To: must be after From' };
  if (toMs > nowMs + CUSTOM_RANGE_FUTURE_SLACK_MS)
    return { error: 'To: is in the future' };
  if (toMs - fromMs > METRICS_MAX_RANGE_SECONDS * 1000) {
    return { error: 'From: at most 30 days before To' };
  }
  return {
    range: {
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
    },
  };
}

/** `YYYY-MM-DDTHH:mm` in local time, the value of a datetime-local input. */
function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(
    d.getHours(),
  )}:${pad(d.getMinutes())}`;
}

/** Two datetime inputs and Apply, next to the preset ranges; "presets" goes back to them. */
export function CustomRangePicker(props: {
  value?: CustomRange;
  onChange(range: CustomRange | undefined): void;
}) {
  const [fromInput, setFromInput] = useState(
    props.value ? toLocalInput(props.value.from) : '',
  );
  const [toInput, setToInput] = useState(
    props.value ? toLocalInput(props.value.to) : '',
  );
  const [error, setError] = useState<string>();

  return (
    <Box
      component="form"
      display="flex"
      alignItems="flex-start"
      flexWrap="wrap"
      style={{ gap: 8 }}
      mt={1}
      aria-label="custom time range"
      onSubmit={e => {
        e.preventDefault();
        const checked = checkCustomRange(fromInput, toInput, Date.now());
        if ('error' in checked) {
          setError(checked.error);
          return;
        }
        setError(undefined);
        props.onChange(checked.range);
      }}
    >
      <TextField
        size="small"
        variant="outlined"
        type="datetime-local"
        id="logs-range-from"
        label="From"
        InputLabelProps={{ shrink: true }}
        value={fromInput}
        onChange={e => setFromInput(e.target.value)}
        error={!!error?.startsWith('From')}
      />
      <TextField
        size="small"
        variant="outlined"
        type="datetime-local"
        id="logs-range-to"
        label="To"
        InputLabelProps={{ shrink: true }}
        value={toInput}
        onChange={e => setToInput(e.target.value)}
        error={!!error?.startsWith('To')}
        helperText={error}
      />
      <Button
        type="submit"
        variant={props.value ? 'contained' : 'outlined'}
        color="primary"
      >
        Apply range
      </Button>
      {props.value && (
        <Button
          onClick={() => {
            setError(undefined);
            props.onChange(undefined);
          }}
        >
          back to presets
        </Button>
      )}
    </Box>
  );
}
