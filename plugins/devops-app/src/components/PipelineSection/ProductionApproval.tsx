import { EmptyState } from '@backstage/core-components';
import {
  ActionPermission,
  AuditRecord,
  BREAK_GLASS_MIN_REASON,
  formatDuration,
  PipelineStage,
  ProductionRequestView,
} from '@devops-app/plugin-devops-app-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { RefLink } from '../RefLink';

/** What the production stage's actions report back to the section (its outcome line). */
export type ProductionAction =
  | { kind: 'request'; version: string }
  | { kind: 'approve'; id: number; comment?: string }
  | { kind: 'reject'; id: number; comment: string }
  | { kind: 'break-glass'; version: string; reason: string };

function Evidence(props: { request: ProductionRequestView }) {
  const { promotion, verification } = props.request.evidence;
  return (
    <Box component="ul" m={0} pl={2} data-testid="request-evidence">
      <li>
        <Typography variant="body2">
          {promotion.ranSeconds !== undefined
            ? `ran ${formatDuration(promotion.ranSeconds)} in ${
                promotion.from
              } (soak ${formatDuration(promotion.soakSeconds)})`
            : `soak ${formatDuration(promotion.soakSeconds)} in ${
                promotion.from
              }`}
        </Typography>
      </li>
      {verification.checks.map(c => (
        <li key={c.name}>
          <Typography
            variant="body2"
            color={c.passed ? 'textPrimary' : 'error'}
          >
            {c.passed ? '✓' : '✗'} {c.message}
          </Typography>
        </li>
      ))}
    </Box>
  );
}

/** The pending request: who asked for what and when, its evidence, and Approve/Reject. */
function PendingRequest(props: {
  request: ProductionRequestView;
  busy: boolean;
  onAction: (action: ProductionAction) => void;
}) {
  const { request, busy, onAction } = props;
  const [comment, setComment] = useState('');
  const trimmed = comment.trim();
  return (
    <Box
      mt={2}
      p={1.5}
      border={1}
      borderColor="primary.main"
      borderRadius={4}
      data-testid={`production-request-${request.environment}`}
    >
      <Typography variant="subtitle2">
        Request #{request.id}: {request.version} from {request.fromEnvironment}
      </Typography>
      <Typography variant="body2">
        by{' '}
        <RefLink entityRef={request.requestedBy}>{request.requestedBy}</RefLink>{' '}
        at {new Date(request.requestedAt).toLocaleString()}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        expires {new Date(request.expiresAt).toLocaleString()}
      </Typography>
      {request.comment && (
        <Typography variant="body2">“{request.comment}”</Typography>
      )}
      <Box mt={1}>
        <Typography variant="caption" color="textSecondary">
          Evidence when requested
        </Typography>
        <Evidence request={request} />
      </Box>
      {request.decide.allowed ? (
        <Box mt={1}>
          <TextField
            id={`decision-comment-${request.id}`}
            label="Comment (required to reject)"
            value={comment}
            onChange={e => setComment(e.target.value)}
            fullWidth
            size="small"
            variant="outlined"
            inputProps={{ maxLength: 2000 }}
          />
          <Box mt={1} display="flex" flexWrap="wrap" style={{ gap: 8 }}>
            <Button
              variant="contained"
              color="primary"
              disabled={busy}
              onClick={() =>
                onAction({
                  kind: 'approve',
                  id: request.id,
                  comment: trimmed || undefined,
                })
              }
            >
              Approve and deploy {request.version}
            </Button>
            <Button
              variant="outlined"
              disabled={busy || trimmed.length === 0}
              onClick={() =>
                onAction({ kind: 'reject', id: request.id, comment: trimmed })
              }
            >
              Reject
            </Button>
          </Box>
        </Box>
      ) : (
        <Box mt={1}>
          <Button variant="contained" color="primary" disabled>
            Approve and deploy {request.version}
          </Button>
          <Typography
            variant="body2"
            color="textSecondary"
            data-testid={`approve-reason-${request.environment}`}
          >
            {request.decide.reason}
          </Typography>
        </Box>
      )}
    </Box>
  );
}

/** Break glass: a dangerous action, behind a dialog that needs the version and a written reason. */
function BreakGlass(props: {
  stage: PipelineStage;
  defaultVersion?: string;
  busy: boolean;
  onAction: (action: ProductionAction) => void;
}) {
  const { stage, busy, onAction } = props;
  const [open, setOpen] = useState(false);
  const [version, setVersion] = useState(props.defaultVersion ?? '');
  const [reason, setReason] = useState('');
  const short = reason.trim().length < BREAK_GLASS_MIN_REASON;
  return (
    <Box mt={2}>
      <Button
        variant="outlined"
        style={{ color: '#b71c1c', borderColor: '#b71c1c' }}
        disabled={busy}
        onClick={() => {
          setVersion(props.defaultVersion ?? '');
          setOpen(true);
        }}
      >
        Break glass…
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        aria-labelledby="break-glass-title"
        fullWidth
        maxWidth="sm"
      >
        <DialogTitle id="break-glass-title">
          Break glass: deploy to {stage.title} without approval
        </DialogTitle>
        <DialogContent>
          <Typography color="error" paragraph>
            This deploys to production without a second person, the promotion
            rule or a freeze window. It is audited as break glass with your
            reason, and shown as such in the history.
          </Typography>
          <TextField
            id={`break-glass-version-${stage.environment}`}
            label="Version"
            value={version}
            onChange={e => setVersion(e.target.value)}
            fullWidth
            margin="dense"
            variant="outlined"
          />
          <TextField
            id={`break-glass-reason-${stage.environment}`}
            label={`Reason (at least ${BREAK_GLASS_MIN_REASON} characters)`}
            value={reason}
            onChange={e => setReason(e.target.value)}
            fullWidth
            multiline
            minRows={3}
            margin="dense"
            variant="outlined"
            inputProps={{ maxLength: 2000 }}
            helperText={`${
              reason.trim().length
            } / ${BREAK_GLASS_MIN_REASON} minimum`}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>Cancel</Button>
          <Button
            variant="contained"
            style={
              short || !version.trim()
                ? undefined
                : { backgroundColor: '#b71c1c', color: '#fff' }
            }
            disabled={short || !version.trim() || busy}
            onClick={() => {
              setOpen(false);
              onAction({
                kind: 'break-glass',
                version: version.trim(),
                reason: reason.trim(),
              });
            }}
          >
            Break glass and deploy {version.trim() || '…'}
          </Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
}

/**
 * A production stage's promotion: "Request promotion of <version>" for those who may request it
 * (disabled with the rule's reason while it does not allow the version), the pending request with
 * its evidence and Approve/Reject for an allowed approver (disabled with the reason for the
 * requester), and break glass for prod deployers.
 */
export function ProductionPromotion(props: {
  stage: PipelineStage;
  pending?: ProductionRequestView;
  request?: ActionPermission;
  breakGlass?: ActionPermission;
  busy: boolean;
  onAction: (action: ProductionAction) => void;
}) {
  const { stage, pending, request, breakGlass, busy, onAction } = props;
  const promotion = stage.promotion;
  return (
    <Box mt={2}>
      {promotion && !pending && (
        <>
          <Button
            variant="contained"
            color="primary"
            disabled={!promotion.allowed || !request?.allowed || busy}
            onClick={() =>
              onAction({ kind: 'request', version: promotion.version })
            }
          >
            Request promotion of {promotion.version}
          </Button>
          {!promotion.allowed && promotion.reason && (
            <Typography
              variant="body2"
              color="textSecondary"
              data-testid={`promotion-reason-${stage.environment}`}
            >
              {promotion.reason}
            </Typography>
          )}
          {promotion.allowed && request && !request.allowed && (
            <Typography
              variant="body2"
              color="textSecondary"
              data-testid={`request-reason-${stage.environment}`}
            >
              {request.reason}
            </Typography>
          )}
          <Typography variant="caption" color="textSecondary" component="p">
            Soak time {formatDuration(promotion.soakSeconds)} in{' '}
            {promotion.from}; a prod deployer other than the requester approves
          </Typography>
        </>
      )}
      {pending && (
        <PendingRequest request={pending} busy={busy} onAction={onAction} />
      )}
      {breakGlass?.allowed && (
        <BreakGlass
          stage={stage}
          defaultVersion={promotion?.version}
          busy={busy}
          onAction={onAction}
        />
      )}
    </Box>
  );
}

const LABELS: Record<string, string> = {
  'request-production': 'requested',
  'approve-production': 'approved',
  'reject-production': 'rejected',
  'expire-production': 'expired',
  'promote-version': 'promoted',
  'break-glass': 'break glass',
};

/** Requests, decisions, promotions and break-glass deploys of the production stages, newest first. */
export function ProductionHistory(props: { records: AuditRecord[] }) {
  if (props.records.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No production history"
        description="No production request or break glass yet."
      />
    );
  }
  return (
    <Box component="ul" m={0} p={0} style={{ listStyle: 'none' }}>
      {props.records.map(r => (
        <Box
          component="li"
          key={r.id}
          py={0.5}
          display="flex"
          flexWrap="wrap"
          alignItems="center"
          style={{ gap: 8 }}
          data-testid={`production-history-${r.action}`}
        >
          <Typography variant="body2" color="textSecondary">
            {new Date(r.createdAt).toLocaleString()}
          </Typography>
          {r.action === 'break-glass' ? (
            <Chip
              size="small"
              label="BREAK GLASS"
              style={{ backgroundColor: '#b71c1c', color: '#fff' }}
            />
          ) : (
            <Chip size="small" label={LABELS[r.action] ?? r.action} />
          )}
          <Typography variant="body2">
            {r.environment} {r.after ?? ''} ·{' '}
            <RefLink entityRef={r.actor}>{r.actor}</RefLink> · {r.result}
            {r.commit ? ` (${r.commit.slice(0, 7)})` : ''}
          </Typography>
          {r.message && (
            <Typography
              variant="body2"
              color="textSecondary"
              style={{ overflowWrap: 'anywhere' }}
            >
              {r.message}
            </Typography>
          )}
        </Box>
      ))}
    </Box>
  );
}
