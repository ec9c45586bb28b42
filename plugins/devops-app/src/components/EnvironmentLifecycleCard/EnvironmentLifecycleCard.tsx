import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, Link } from '@backstage/core-components';
import {
  discoveryApiRef,
  fetchApiRef,
  identityApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  environmentFromEntity,
  EXPIRY_DURATION_LABELS,
  EXPIRY_DURATIONS,
  ExpiryDuration,
  ExpiryExtension,
  formatTimeLeft,
  TerraformRun,
} from '@devops-app/plugin-devops-app-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';

/** Re-renders every `ms` so the time left moves. */
function useNow(ms: number): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/** POST to the devops-app backend's terraform routes; a refusal throws with the server's message. */
function useTerraformPost() {
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  return async <T,>(path: string, body: object): Promise<T> => {
    const base = await discoveryApi.getBaseUrl('devops-app');
    const response = await fetchApi.fetch(`${base}/terraform${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      const error = await ResponseError.fromResponse(response);
      throw new Error(error.body?.error?.message ?? error.message);
    }
    return (await response.json()) as T;
  };
}

/**
 * The lifecycle of an environment on its page: when it expires (the time left, moving), Extend
 * (by 4 hours to 7 days) and "Remove environment" (destroy, removal commit, catalog) with the
 * environment's name typed as the confirmation. The buttons are shown to its owners; the backend
 * decides (destroy permission) and says why when it refuses, e.g. for a protected environment.
 */
export function EnvironmentLifecycleCard() {
  const { entity } = useEntity();
  const environment = environmentFromEntity(entity);
  const name = environment.name;
  const identityApi = useApi(identityApiRef);
  const post = useTerraformPost();
  const now = useNow(15_000);
  const [expiresAt, setExpiresAt] = useState(environment.expiresAt);
  const [duration, setDuration] = useState<ExpiryDuration>('1d');
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [removal, setRemoval] = useState<TerraformRun>();
  useEffect(() => setExpiresAt(environment.expiresAt), [environment.expiresAt]);

  const { value: owns } = useAsync(async () => {
    const { ownershipEntityRefs } = await identityApi.getBackstageIdentity();
    return Boolean(
      environment.owner && ownershipEntityRefs.includes(environment.owner),
    );
  }, [identityApi, environment.owner]);

  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const extend = () =>
    act(async () => {
      const result = await post<ExpiryExtension>(
        `/environments/${encodeURIComponent(name)}/extend`,
        { duration },
      );
      setExpiresAt(result.expiresAt);
    });
  const remove = () =>
    act(async () => {
      const run = await post<TerraformRun>(
        `/environments/${encodeURIComponent(name)}/remove`,
        { confirm: typed },
      );
      setRemoval(run);
      setConfirming(false);
    });

  return (
    <InfoCard title="Lifecycle">
      <Box data-testid="environment-lifecycle">
        <Typography variant="body1" data-testid="environment-expiry">
          {expiresAt
            ? `Expires in ${formatTimeLeft(expiresAt, now)} (${new Date(
                expiresAt,
              ).toLocaleString()})`
            : 'No expiry: kept until removed'}
        </Typography>
        {environment.protected && (
          <Typography variant="body2" color="textSecondary">
            Protected: the portal never removes {name}.
          </Typography>
        )}
        {owns && !removal && (
          <Box display="flex" alignItems="center" mt={2} style={{ gap: 8 }}>
            <TextField
              select
              id="extend-environment-by"
              size="small"
              variant="outlined"
              label="Extend by"
              value={duration}
              onChange={e => setDuration(e.target.value as ExpiryDuration)}
              SelectProps={{ inputProps: { 'aria-label': 'Extend by' } }}
            >
              {(Object.keys(EXPIRY_DURATIONS) as ExpiryDuration[]).map(d => (
                <MenuItem key={d} value={d}>
                  {EXPIRY_DURATION_LABELS[d]}
                </MenuItem>
              ))}
            </TextField>
            <Button variant="outlined" disabled={busy} onClick={extend}>
              Extend
            </Button>
            <Box flexGrow={1} />
            <Button
              variant="outlined"
              color="secondary"
              disabled={busy || environment.protected}
              onClick={() => {
                setError(undefined);
                setConfirming(true);
              }}
            >
              Remove environment
            </Button>
          </Box>
        )}
        {removal && (
          <Typography variant="body2" data-testid="environment-removal">
            Removal started: the stacks are being destroyed (
            <Link to={`/devops-app/terraform-runs/${removal.id}`}>
              destroy run
            </Link>
            ); then its files are removed from the GitOps repository and{' '}
            {stringifyEntityRef(entity)} leaves the catalog.
          </Typography>
        )}
        {error && !confirming && (
          <Typography variant="body2" color="error" role="alert">
            {error}
          </Typography>
        )}
      </Box>
      <Dialog open={confirming} onClose={() => setConfirming(false)}>
        <DialogTitle>Remove environment {name}?</DialogTitle>
        <DialogContent>
          <Typography variant="body2" paragraph>
            This destroys its Terraform stacks (monitoring and storage, then the
            cluster), removes its files from the GitOps repository and takes it
            out of the catalog. Its runs and logs stay readable. Type{' '}
            <strong>{name}</strong> to confirm.
          </Typography>
          <TextField
            fullWidth
            id="remove-environment-confirm"
            label="Environment name"
            value={typed}
            onChange={e => setTyped(e.target.value)}
          />
          {error && (
            <Typography variant="body2" color="error" role="alert">
              {error}
            </Typography>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(false)}>Cancel</Button>
          <Button
            color="secondary"
            variant="contained"
            disabled={busy || typed !== name}
            onClick={remove}
          >
            Remove {name}
          </Button>
        </DialogActions>
      </Dialog>
    </InfoCard>
  );
}
