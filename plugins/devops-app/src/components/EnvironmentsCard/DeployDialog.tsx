import { WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  DeploymentResult,
  EnvironmentDeploymentStatus,
  validateImageTag,
} from '@devops-app/plugin-devops-app-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { devopsAppApiRef } from '../../api';
import { ConfirmAndError } from './ConfirmAndError';
import { DiffView } from './DiffView';
import {
  registryUnavailable,
  RegistryVersions,
  serverMessage,
} from './RegistryVersions';

export interface DeployDialogProps {
  entityRef: string;
  row: EnvironmentDeploymentStatus;
  onClose: () => void;
  onDone: (result: DeploymentResult) => void;
}

/**
 * Deploy a tag: pick it from the image's versions in the registry (newest first) or type it, see the
 * change of the values file, confirm (production asks for the environment's name typed in). The server
 * refuses a tag the registry does not hold (its 400 is shown) and every deploy while the registry does
 * not answer (then the dialog says so and offers no Deploy).
 */
export function DeployDialog({
  entityRef,
  row,
  onClose,
  onDone,
}: DeployDialogProps) {
  const api = useApi(devopsAppApiRef);
  const [tag, setTag] = useState('');
  const [preview, setPreview] = useState<DeploymentResult>();
  const [confirmation, setConfirmation] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const tagError = tag ? validateImageTag(tag) : undefined;
  const target = { entityRef, environment: row.environment };
  const versions = useAsyncRetry(
    async () => api.getImageVersions(entityRef),
    [api, entityRef],
  );
  const registryDown = registryUnavailable(versions.error);
  const picked = versions.value?.versions.find(v => v.tag === tag);

  async function showChange() {
    setBusy(true);
    setError(undefined);
    try {
      setPreview(await api.previewDeployment({ ...target, tag }));
    } catch (e) {
      setError(serverMessage(e));
    } finally {
      setBusy(false);
    }
  }

  async function deploy() {
    setBusy(true);
    setError(undefined);
    try {
      onDone(await api.deploy({ ...target, tag }));
    } catch (e) {
      setError(serverMessage(e));
      setBusy(false);
    }
  }

  const confirmed = !row.production || confirmation === row.environment;
  // A freeze window in force: the server refuses the deploy (409); say so before anyone tries.
  const frozen =
    row.freeze &&
    `${row.environment} is frozen by ${row.freeze.name} until ${new Date(
      row.freeze.until,
    ).toLocaleString()}`;
  const canDeploy =
    Boolean(preview?.changed) &&
    preview?.after === tag &&
    confirmed &&
    !busy &&
    !registryDown &&
    !frozen;
  const deployButton = (
    <Button
      color="primary"
      variant="contained"
      onClick={deploy}
      disabled={!canDeploy}
    >
      Deploy {tag || 'tag'}
    </Button>
  );

  return (
    <Dialog
      open
      onClose={onClose}
      maxWidth="md"
      fullWidth
      aria-labelledby="deploy-dialog-title"
    >
      <DialogTitle id="deploy-dialog-title">
        Deploy to {row.title} ({row.environment})
      </DialogTitle>
      <DialogContent>
        {row.freeze && (
          <WarningPanel
            severity="error"
            title={`Frozen: ${row.freeze.name} until ${new Date(
              row.freeze.until,
            ).toLocaleString()}`}
            defaultExpanded
          >
            Deploys, promotions and rollbacks into {row.environment} are refused
            until then
            {row.freeze.description ? ` (${row.freeze.description})` : ''}.
          </WarningPanel>
        )}
        <Typography variant="body2" gutterBottom>
          Changes <code>image.tag</code> in <code>{row.valuesFile}</code> (now{' '}
          <strong>{row.gitTag ?? 'unknown'}</strong>) and commits it to the
          GitOps repository.
          {row.argocd.syncPolicy === 'manual' &&
            ' Argo CD is then asked to sync (manual sync policy).'}
        </Typography>
        <RegistryVersions
          state={versions}
          selected={tag}
          onPick={value => {
            setTag(value);
            setPreview(undefined);
          }}
          onRetry={versions.retry}
        />
        <TextField
          label="Image tag"
          value={tag}
          onChange={e => {
            setTag(e.target.value);
            setPreview(undefined);
          }}
          error={Boolean(tagError)}
          helperText={
            tagError
              ? `The tag ${tagError}`
              : (picked &&
                  `${picked.digest}${
                    picked.created ? `, created ${picked.created}` : ''
                  }`) ||
                'Pick a version above or type a tag: letters, digits, ".", "_", "-"; at most 63 characters'
          }
          fullWidth
          margin="dense"
          inputProps={{ 'aria-label': 'Image tag' }}
        />
        {preview && !preview.changed && (
          <Typography color="textSecondary">
            {row.environment} already runs {tag} in git; nothing to change.
          </Typography>
        )}
        {preview?.changed && <DiffView diff={preview.diff} />}
        <ConfirmAndError
          askName={Boolean(preview?.changed) && row.production}
          environment={row.environment}
          label=" a production deploy"
          value={confirmation}
          onChange={setConfirmation}
          error={error}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          onClick={showChange}
          disabled={!tag || Boolean(tagError) || busy || registryDown}
        >
          Show change
        </Button>
        {frozen ? (
          <Tooltip title={frozen}>
            <span aria-label={`Deploy: ${frozen}`}>{deployButton}</span>
          </Tooltip>
        ) : (
          deployButton
        )}
      </DialogActions>
    </Dialog>
  );
}
