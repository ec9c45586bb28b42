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
  TERRAFORM_FINAL_STATUSES,
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

/**
 * A request to the devops-app backend's terraform routes (POST with a body, GET without); a refusal
 * throws with the server's message.
 */
function useTerraformRequest() {
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  return async <T,>(path: string, body?: object): Promise<T> => {
    const base = await discoveryApi.getBaseUrl('devops-app');
    const response = await fetchApi.fetch(
      `${base}/terraform${path}`,
      body
        ? {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(body),
          }
        : {},
    );
    if (!response.ok) {
      const error = await ResponseError.fromResponse(response);
      throw new Error(error.body?.error?.message ?? error.message);
    }
    return (await response.json()) as T;
  };
}

/** How often a started removal's destroy run is read again, until it ends. */
const REMOVAL_POLL_MS = 5_000;

/**
 * Follows the destroy run a removal started: its latest state, read every few seconds until it
 * ends (a failed read keeps the last state; the link to the run page stays).
 */
function useRemovalRun(
  started: TerraformRun | undefined,
  get: (path: string) => Promise<TerraformRun>,
): TerraformRun | undefined {
  const [run, setRun] = useState(started);
  useEffect(() => setRun(started), [started]);
  const id = started?.id;
  const ended = run ? TERRAFORM_FINAL_STATUSES.includes(run.status) : true;
  useEffect(() => {
    if (!id || ended) return undefined;
    let stopped = false;
    const timer = setInterval(() => {
      get(`/runs/${encodeURIComponent(id)}`).then(
        latest => !stopped && setRun(latest),
        () => undefined,
      );
    }, REMOVAL_POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
    // `get` is a new function on every render; the run's id and whether it ended decide the poll.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, ended]);
  return run;
}

/** What the card says of a removal whose destroy run is in `status`. */
function removalText(status: TerraformRun['status'], entityRef: string) {
  if (status === 'succeeded') {
    return `The stacks are destroyed; its files are being removed from the GitOps repository and ${entityRef} leaves the catalog.`;
  }
  if (TERRAFORM_FINAL_STATUSES.includes(status)) {
    return `The destroy ${status}: its files and ${entityRef} stay; see the run, then remove it again.`;
  }
  return `Removal started: the stacks are being destroyed (${status}); then its files are removed from the GitOps repository and ${entityRef} leaves the catalog.`;
}

/** "Expires in 2 h 5 min (…)", "Expired at …", or no expiry. */
function expiryText(
  expiresAt: string | undefined,
  expired: boolean,
  now: Date,
): string {
  if (!expiresAt) return 'No expiry: kept until removed';
  const at = new Date(expiresAt).toLocaleString();
  return expired
    ? `Expired at ${at}`
    : `Expires in ${formatTimeLeft(expiresAt, now)} (${at})`;
}

/**
 * The lifecycle of an environment on its page: when it expires (the time left, moving), Extend
 * (by 4 hours to 7 days, for an environment that has an expiry) and "Remove environment" (destroy,
 * removal commit, catalog) with the environment's name typed as the confirmation, then the destroy
 * run's state until it ends. The buttons are shown to its owners; a protected environment offers no
 * removal and says why. The backend decides (destroy permission) and says why when it refuses.
 */
export function EnvironmentLifecycleCard() {
  const { entity } = useEntity();
  const environment = environmentFromEntity(entity);
  const name = environment.name;
  const identityApi = useApi(identityApiRef);
  const request = useTerraformRequest();
  const now = useNow(15_000);
  const [expiresAt, setExpiresAt] = useState(environment.expiresAt);
  const [duration, setDuration] = useState<ExpiryDuration>('1d');
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [removal, setRemoval] = useState<TerraformRun>();
  useEffect(() => setExpiresAt(environment.expiresAt), [environment.expiresAt]);
  const removalRun = useRemovalRun(removal, path => request(path));
  const expired = expiresAt ? Date.parse(expiresAt) <= now.getTime() : false;

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
      const result = await request<ExpiryExtension>(
        `/environments/${encodeURIComponent(name)}/extend`,
        { duration },
      );
      setExpiresAt(result.expiresAt);
    });
  const remove = () =>
    act(async () => {
      const run = await request<TerraformRun>(
        `/environments/${encodeURIComponent(name)}/remove`,
        { confirm: typed },
      );
      setRemoval(run);
      setConfirming(false);
    });

  return (
    <InfoCard title="Lifecycle">
      <Box data-testid="environment-lifecycle">
        {/* Once a removal started, its expiry no longer says what happens to it. */}
        {!removalRun && (
          <Typography variant="body1" data-testid="environment-expiry">
            {expiryText(expiresAt, expired, now)}
          </Typography>
        )}
        {expired && !environment.protected && !removal && (
          <Typography variant="body2" color="textSecondary">
            The portal removes it at its next expiry check, unless it is
            extended.
          </Typography>
        )}
        {environment.protected && (
          <Typography variant="body2" color="textSecondary">
            Protected: the portal never removes {name}.
          </Typography>
        )}
        {owns && !removal && (expiresAt || !environment.protected) && (
          <Box
            display="flex"
            flexWrap="wrap"
            alignItems="center"
            mt={2}
            style={{ gap: 8 }}
          >
            {expiresAt && (
              <>
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
                  {(Object.keys(EXPIRY_DURATIONS) as ExpiryDuration[]).map(
                    d => (
                      <MenuItem key={d} value={d}>
                        {EXPIRY_DURATION_LABELS[d]}
                      </MenuItem>
                    ),
                  )}
                </TextField>
                <Button variant="outlined" disabled={busy} onClick={extend}>
                  Extend
                </Button>
              </>
            )}
            <Box flexGrow={1} />
            {!environment.protected && (
              <Button
                variant="outlined"
                color="secondary"
                disabled={busy}
                onClick={() => {
                  setError(undefined);
                  setTyped('');
                  setConfirming(true);
                }}
              >
                Remove environment
              </Button>
            )}
          </Box>
        )}
        {removalRun && (
          <Typography variant="body2" data-testid="environment-removal">
            {removalText(removalRun.status, stringifyEntityRef(entity))}{' '}
            <Link to={`/devops-app/terraform-runs/${removalRun.id}`}>
              destroy run
            </Link>
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
