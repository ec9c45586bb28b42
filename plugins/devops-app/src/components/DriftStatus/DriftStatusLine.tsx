import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import {
  DriftStackCheck,
  EnvironmentDrift,
} from '@devops-app/plugin-devops-app-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';

/** "+1 ~2 -0": what the plan would add, change and destroy. */
export function formatCounts(plan: DriftStackCheck['plan']): string {
  if (!plan) return '';
  return `+${plan.add} ~${plan.change} -${plan.destroy}`;
}

/** The one-line state of a stack's latest check. */
export function StackDriftStatus({ check }: { check: DriftStackCheck }) {
  if (check.status === 'in-sync') return <StatusOK>in sync</StatusOK>;
  if (check.status === 'drifted') {
    return <StatusWarning>drifted {formatCounts(check.plan)}</StatusWarning>;
  }
  return (
    <Tooltip title={check.error ?? ''}>
      <span>
        <StatusError>failed</StatusError>
      </span>
    </Tooltip>
  );
}

/**
 * An environment's drift in a few lines: in sync, or which stacks drifted (with counts) or failed;
 * the time of the last check; "Check now".
 */
export function DriftStatusLine(props: {
  drift?: EnvironmentDrift;
  onCheck: () => void;
  error?: Error;
}) {
  const { drift, onCheck, error } = props;
  const name = drift?.environment ?? '';
  const notInSync = drift?.stacks.filter(s => s.status !== 'in-sync') ?? [];
  let status;
  if (!drift || drift.status === 'unchecked') {
    status = <StatusPending>not checked</StatusPending>;
  } else if (drift.status === 'in-sync') {
    status = <StatusOK>in sync</StatusOK>;
  } else {
    status = notInSync.map(s => (
      <Box key={s.stack} whiteSpace="nowrap">
        <Typography variant="body2" component="span">
          {s.stack}:{' '}
        </Typography>
        <StackDriftStatus check={s} />
      </Box>
    ));
  }
  return (
    <Box data-testid={`drift-${name}`} minWidth={120}>
      <Box role="status">{status}</Box>
      <Typography variant="caption" color="textSecondary" component="div">
        {drift?.checkedAt
          ? `checked ${new Date(drift.checkedAt).toLocaleTimeString()}`
          : ''}
        {drift?.checking ? ' · checking…' : ''}
      </Typography>
      <Button
        size="small"
        variant="outlined"
        disabled={drift?.checking}
        onClick={onCheck}
        aria-label={`Check ${name} for drift now`}
      >
        Check now
      </Button>
      {error && (
        <Typography
          variant="caption"
          color="error"
          component="div"
          role="alert"
        >
          {error.message}
        </Typography>
      )}
    </Box>
  );
}
