import { useApi } from '@backstage/core-plugin-api';
import { EnvironmentDeploymentStatus } from '@devops-app/plugin-devops-app-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { devopsAppApiRef } from '../../api';
import { ConfirmAndError } from './ConfirmAndError';

export type RolloutAction = 'sync' | 'promote' | 'abort';

const TITLES: Record<RolloutAction, string> = {
  sync: 'Sync',
  promote: 'Promote',
  abort: 'Abort',
};

function colour(colourName?: string, revision?: string) {
  return (
    [colourName, revision && `revision ${revision}`]
      .filter(Boolean)
      .join(', ') || 'unknown'
  );
}

/** What the action will change, in words. */
export function describeAction(
  action: RolloutAction,
  row: EnvironmentDeploymentStatus,
): string {
  const rollout = row.argocd.rollout;
  const active = colour(rollout?.activeColour, rollout?.activeRevision);
  const preview = colour(rollout?.previewColour, rollout?.previewRevision);
  switch (action) {
    case 'sync':
      return `Argo CD applies the GitOps branch (image tag ${
        row.gitTag ?? 'unknown'
      }) to ${row.argocd.application}; it is ${
        row.argocd.syncStatus ?? 'in an unknown state'
      } now.`;
    case 'promote':
      return `The preview (${preview}) becomes active and takes all traffic; the current active (${active}) is scaled down after its delay.`;
    default:
      return `The preview (${preview}) is taken out of service; traffic stays on the active (${active}). Git still names the new tag: deploy the previous tag to make git agree.`;
  }
}

export interface ActionDialogProps {
  entityRef: string;
  row: EnvironmentDeploymentStatus;
  action: RolloutAction;
  onClose: () => void;
  onDone: () => void;
}

/** Confirms a sync, promote or abort; production asks for the environment's name typed in. */
export function ActionDialog({
  entityRef,
  row,
  action,
  onClose,
  onDone,
}: ActionDialogProps) {
  const api = useApi(devopsAppApiRef);
  const [confirmation, setConfirmation] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const confirmed = !row.production || confirmation === row.environment;

  async function run() {
    setBusy(true);
    setError(undefined);
    const target = { entityRef, environment: row.environment };
    try {
      if (action === 'sync') await api.syncEnvironment(target);
      else if (action === 'promote') await api.promoteRollout(target);
      else await api.abortRollout(target);
      onDone();
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  }

  return (
    <Dialog
      open
      onClose={onClose}
      maxWidth="sm"
      fullWidth
      aria-labelledby="action-dialog-title"
    >
      <DialogTitle id="action-dialog-title">
        {TITLES[action]} {row.title} ({row.environment})
      </DialogTitle>
      <DialogContent>
        <Typography variant="body2" gutterBottom>
          {describeAction(action, row)}
        </Typography>
        <ConfirmAndError
          askName={row.production}
          environment={row.environment}
          label=""
          value={confirmation}
          onChange={setConfirmation}
          error={error}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color={action === 'abort' ? 'secondary' : 'primary'}
          variant="contained"
          onClick={run}
          disabled={!confirmed || busy}
        >
          {TITLES[action]}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
