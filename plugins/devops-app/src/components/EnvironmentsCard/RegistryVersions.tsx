import { ResponseError } from '@backstage/errors';
import { ImageVersionsResponse } from '@devops-app/plugin-devops-app-common';
import Button from '@material-ui/core/Button';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';

export interface RegistryVersionsState {
  loading: boolean;
  value?: ImageVersionsResponse;
  error?: Error;
}

/** A 503 from the backend: the registry does not answer, so deploys are refused. */
export function registryUnavailable(error?: Error): boolean {
  return ResponseError.is(error) && error.statusCode === 503;
}

/** What the server said (Backstage's error body), else the error's own message. */
export function serverMessage(error: unknown): string {
  if (ResponseError.is(error)) {
    return `${error.body.error.message} (HTTP ${error.statusCode})`;
  }
  return (error as Error).message;
}

function when(created?: string): string {
  if (!created) return 'created: unknown';
  return `created ${new Date(created).toLocaleString()}`;
}

/**
 * The image's tags in the registry, newest first, to pick from; the registry's error (a 503 names it
 * and says deploys are refused) with a retry.
 */
export function RegistryVersions(props: {
  state: RegistryVersionsState;
  selected: string;
  onPick: (tag: string) => void;
  onRetry: () => void;
}) {
  const { state, selected, onPick, onRetry } = props;
  if (state.loading && !state.value) {
    return (
      <Typography variant="body2" color="textSecondary">
        Reading the versions from the image registry…
      </Typography>
    );
  }
  if (state.error) {
    return (
      <div role="alert" data-testid="registry-error">
        <Typography color="error" variant="body2">
          {serverMessage(state.error)}
        </Typography>
        <Button size="small" onClick={onRetry}>
          Retry
        </Button>
      </div>
    );
  }
  const answer = state.value;
  if (!answer?.configured) return null;
  const source = `${answer.registry}/${answer.repository}`;
  return (
    <>
      <Typography variant="subtitle2" id="registry-versions-title">
        Versions in {source}, newest first
      </Typography>
      {answer.versions.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          {source} holds no tags yet.
        </Typography>
      ) : (
        <List
          dense
          aria-labelledby="registry-versions-title"
          data-testid="registry-versions"
          style={{ maxHeight: 220, overflowY: 'auto' }}
        >
          {answer.versions.map(v => (
            <ListItem
              key={v.tag}
              button
              selected={v.tag === selected}
              onClick={() => onPick(v.tag)}
              aria-label={`Version ${v.tag}`}
            >
              <ListItemText
                primary={v.tag}
                secondary={`${when(v.created)} · ${v.digest.slice(0, 19)}…`}
              />
            </ListItem>
          ))}
        </List>
      )}
    </>
  );
}
