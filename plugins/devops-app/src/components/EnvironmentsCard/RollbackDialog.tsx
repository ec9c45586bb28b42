import { useApi } from '@backstage/core-plugin-api';
import {
  RollbackOffer,
  RollbackResult,
} from '@devops-app/plugin-devops-app-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { devopsAppApiRef } from '../../api';
import { ConfirmAndError } from './ConfirmAndError';
import { serverMessage } from './RegistryVersions';

/**
 * Confirms "Roll back to <version>": says which version and why it counts as verified, and that a
 * Rollout paused on the new version is aborted first; production asks for the environment's name
 * typed in. The server picks the version again when it runs the rollback (never from this dialog),
 * and its refusal (nothing to roll back to, a freeze window, not allowed) is shown as it says it.
 */
export function RollbackDialog(props: {
  entityRef: string;
  offer: RollbackOffer;
  production: boolean;
  onClose: () => void;
  onDone: (result: RollbackResult) => void;
}) {
  const { entityRef, offer, production, onClose, onDone } = props;
  const api = useApi(devopsAppApiRef);
  const [confirmation, setConfirmation] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const confirmed = !production || confirmation === offer.environment;

  async function run() {
    setBusy(true);
    setError(undefined);
    try {
      onDone(await api.rollback({ entityRef, environment: offer.environment }));
    } catch (e) {
      setError(serverMessage(e));
      setBusy(false);
    }
  }

  return (
    <Dialog
      open
      onClose={onClose}
      maxWidth="sm"
      fullWidth
      aria-labelledby="rollback-dialog-title"
    >
      <DialogTitle id="rollback-dialog-title">
        Roll back {offer.environment} to {offer.version}
      </DialogTitle>
      <DialogContent>
        <Typography variant="body2" gutterBottom>
          Commits <code>image.tag</code> {offer.version} (now {offer.current})
          to the GitOps repository, audited as a rollback.
          {offer.abortsRollout &&
            ' The blue/green Rollout is paused on the new version: it is aborted first, so traffic stays on the active colour.'}
        </Typography>
        <Typography variant="body2" color="textSecondary" gutterBottom>
          Why {offer.version}: {offer.verifiedBy}
        </Typography>
        <ConfirmAndError
          askName={production}
          environment={offer.environment}
          label=" a production rollback"
          value={confirmation}
          onChange={setConfirmation}
          error={error}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="secondary"
          variant="contained"
          onClick={run}
          disabled={!confirmed || busy}
        >
          Roll back to {offer.version}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
