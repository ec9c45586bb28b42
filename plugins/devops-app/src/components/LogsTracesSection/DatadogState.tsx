import { EmptyState, Progress } from '@backstage/core-components';
import { NotConfiguredResponse } from '@devops-app/plugin-devops-app-common';
import Typography from '@material-ui/core/Typography';
import { ReactNode } from 'react';
import { LiveErrorPanel } from '../LiveErrorPanel';

/**
 * The states every Datadog part shares: loading, error (naming Datadog and the cause; after a 429 when
 * it reads again), not configured (a state, not an error), empty, or the content.
 */
export function DatadogState<
  T extends { configured: true; rows: unknown[] },
>(props: {
  what: string;
  loading: boolean;
  error?: Error;
  value?: T | NotConfiguredResponse;
  empty: string;
  children: (value: T) => ReactNode;
}) {
  const { what, loading, error, value, empty } = props;
  if (loading && !value) return <Progress />;
  if (error) {
    return <LiveErrorPanel title={`Could not load ${what}`} error={error} />;
  }
  if (!value) return null;
  if (!value.configured) {
    return <Typography color="textSecondary">{value.message}</Typography>;
  }
  if (value.rows.length === 0) {
    return (
      <EmptyState missing="data" title={`No ${what}`} description={empty} />
    );
  }
  return <>{props.children(value)}</>;
}
