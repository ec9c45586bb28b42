import { Progress } from '@backstage/core-components';
import {
  TERRAFORM_STACKS,
  TerraformStackName,
} from '@devops-app/plugin-devops-app-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { LiveErrorPanel } from '../LiveErrorPanel';
import { PlanApprovalPanel } from '../PlanApproval';
import { RefLink } from '../RefLink';
import { formatDuration, formatPlan } from './format';
import { useTerraformRun } from './useTerraformRun';

/** One run: who, when, how long, each stack's state and plan, and each stack's full log, live. */
export function TerraformRunDetails(props: { runId: string; pollMs?: number }) {
  const { run, lines, error, reload } = useTerraformRun(
    props.runId,
    props.pollMs,
  );
  const [stack, setStack] = useState<TerraformStackName>('cluster');
  if (error && !run) {
    return <LiveErrorPanel title="Could not load the run" error={error} />;
  }
  if (!run) return <Progress />;
  const shown = lines.filter(l => l.stack === stack);
  return (
    <Box>
      <Typography variant="body2" gutterBottom>
        <b>{run.environment}</b> · {run.mode} ·{' '}
        <span data-testid="run-status">{run.status}</span> · started by{' '}
        <RefLink entityRef={run.createdBy} /> at{' '}
        {new Date(run.startedAt).toLocaleString()} · {formatDuration(run)}
      </Typography>
      <Typography variant="body2" gutterBottom data-testid="run-commit">
        infra/environments/{run.environment}{' '}
        {run.source === 'gitops'
          ? 'of the GitOps repository'
          : 'of the backend checkout'}
        {run.commit ? ` at ${run.commit.slice(0, 12)}` : ''}
      </Typography>
      {run.error && (
        <Typography variant="body2" color="error" gutterBottom>
          {run.error}
        </Typography>
      )}
      {run.approval && <PlanApprovalPanel run={run} onDecided={reload} />}
      <Tabs
        value={stack}
        onChange={(_, value) => setStack(value)}
        indicatorColor="primary"
      >
        {TERRAFORM_STACKS.map(name => {
          const result = run.stacks.find(s => s.stack === name);
          return (
            <Tab
              key={name}
              value={name}
              label={
                <span>
                  {name}{' '}
                  <Chip
                    size="small"
                    label={`${result?.status ?? 'pending'} · ${formatPlan(
                      result?.plan,
                    )}`}
                  />
                </span>
              }
            />
          );
        })}
      </Tabs>
      <Box
        component="pre"
        aria-label={`${stack} log`}
        style={{
          maxHeight: 480,
          overflow: 'auto',
          fontSize: 12,
          background: 'rgba(0,0,0,0.04)',
          padding: 8,
          whiteSpace: 'pre-wrap',
        }}
      >
        {shown.length === 0
          ? 'No output yet.'
          : shown.map(l => l.line).join('\n')}
      </Box>
      {run.stacks.find(s => s.stack === stack)?.error && (
        <Typography variant="body2" color="error">
          {run.stacks.find(s => s.stack === stack)?.error}
        </Typography>
      )}
    </Box>
  );
}
