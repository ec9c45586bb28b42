import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  TerraformPlanText,
  TerraformRun,
} from '@devops-app/plugin-devops-app-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useEffect, useState } from 'react';
import { RefLink } from '../RefLink';
import { formatPlan } from '../TerraformRunDetails/format';
import { usePlanApprovalClient } from './planApprovalClient';

/**
 * The approval of a run's saved plans: while the run awaits approval, who requested it (a link to the
 * user), each planned stack's summary and full redacted `terraform show`, the stacks the plan leaves
 * out, a comment field and Approve / Reject for a caller the backend says may approve (disabled with
 * its reason otherwise); once decided, who decided what and why.
 */
export function PlanApprovalPanel(props: {
  run: TerraformRun;
  onDecided: () => void;
}) {
  const { run, onDecided } = props;
  const client = usePlanApprovalClient();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const [texts, setTexts] = useState<TerraformPlanText[]>();
  const awaiting = run.status === 'awaiting-approval';
  const planned = run.stacks.filter(
    s => s.planSha256 && s.status === 'planned',
  );
  const plannedKey = planned.map(s => s.stack).join(',');
  // Stacks without a saved plan (they need outputs of a stack this plan changes; the server says
  // why): an approved apply skips them, which the approver should know before deciding.
  const unplanned = run.stacks.filter(s => !s.planSha256);

  useEffect(() => {
    if (!awaiting) return undefined;
    let live = true;
    Promise.all(
      plannedKey
        .split(',')
        .filter(Boolean)
        .map(stack => client.planText(run.id, stack as 'cluster')),
    ).then(
      read => live && setTexts(read),
      e => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [awaiting, client, run.id, plannedKey]);

  if (!run.approval) return null;
  const { approval } = run;
  if (!awaiting) {
    if (!approval.decision) return null;
    return (
      <Typography variant="body2" gutterBottom data-testid="run-approval">
        Plan {approval.decision} by <RefLink entityRef={approval.decidedBy!} />
        {approval.decidedAt
          ? ` at ${new Date(approval.decidedAt).toLocaleString()}`
          : ''}
        {approval.comment ? `: “${approval.comment}”` : ''}
      </Typography>
    );
  }

  const permission = run.permissions?.approve;
  const decide = async (decision: 'approve' | 'reject') => {
    setBusy(true);
    setError(undefined);
    try {
      await client.decide(run.id, decision, comment.trim());
      setComment('');
      onDecided();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  const cannot = !permission?.allowed;
  return (
    <InfoCard title="Awaiting approval">
      <Box data-testid="plan-approval">
        <Typography variant="body2" gutterBottom data-testid="plan-requested">
          Requested by <RefLink entityRef={run.createdBy} />
          {approval.plannedAt
            ? `, planned at ${new Date(approval.plannedAt).toLocaleString()}`
            : ''}
          . Another user allowed to approve {run.environment} applies exactly
          this plan.
        </Typography>
        {cannot && (
          // Said at the top, not only under the comment field below the plan: whoever opens the
          // page learns at once that the decision is someone else's.
          <Typography
            variant="body2"
            color="error"
            gutterBottom
            data-testid="plan-cannot-approve"
          >
            {permission?.reason ?? 'You may not approve this run'}
          </Typography>
        )}
        {planned.length === 0 && (
          <Typography variant="body2">No stack has a saved plan.</Typography>
        )}
        {unplanned.length > 0 && planned.length > 0 && (
          <Typography
            variant="body2"
            color="textSecondary"
            gutterBottom
            data-testid="plan-unplanned"
          >
            Not in this plan:{' '}
            {unplanned
              .map(s => `${s.stack} (${s.error ?? 'no saved plan'})`)
              .join('; ')}
            . Approving applies only the stacks above; start another apply
            afterwards to plan the rest.
          </Typography>
        )}
        {planned.map(s => (
          <Box key={s.stack} mb={2}>
            <Typography variant="subtitle2">
              {s.stack}: {formatPlan(s.plan)}{' '}
              <Typography variant="caption" component="span">
                (plan sha256 {s.planSha256!.slice(0, 12)})
              </Typography>
            </Typography>
            <Box
              component="pre"
              aria-label={`${s.stack} plan`}
              style={{
                maxHeight: 360,
                overflow: 'auto',
                fontSize: 12,
                background: 'rgba(0,0,0,0.04)',
                padding: 8,
                whiteSpace: 'pre-wrap',
              }}
            >
              {texts
                ? texts.find(t => t.stack === s.stack)?.text ?? ''
                : 'Reading the plan…'}
            </Box>
          </Box>
        ))}
        {!texts && planned.length > 0 && !error && <Progress />}
        <TextField
          label="Comment"
          fullWidth
          multiline
          minRows={2}
          value={comment}
          onChange={e => setComment(e.target.value)}
          disabled={cannot || busy}
          helperText={
            cannot
              ? 'You may not decide on this run (the reason is above)'
              : 'Say why you approve or reject the plan'
          }
          inputProps={{ 'aria-label': 'Approval comment', maxLength: 2000 }}
        />
        <Box mt={1} display="flex" style={{ gap: 8 }}>
          <Button
            variant="contained"
            color="primary"
            disabled={cannot || busy || !comment.trim()}
            onClick={() => decide('approve')}
          >
            Approve
          </Button>
          <Button
            variant="outlined"
            disabled={cannot || busy || !comment.trim()}
            onClick={() => decide('reject')}
          >
            Reject
          </Button>
        </Box>
        {error && (
          <Box mt={2}>
            <ResponseErrorPanel
              title="The decision was not recorded"
              error={error}
            />
          </Box>
        )}
      </Box>
    </InfoCard>
  );
}
