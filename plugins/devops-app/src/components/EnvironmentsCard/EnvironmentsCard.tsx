import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Link,
  Progress,
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  ActionPermission,
  DeploymentResult,
  EnvironmentDeploymentStatus,
} from '@devops-app/plugin-devops-app-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { ReactNode, useState } from 'react';
import { ActionDialog, RolloutAction } from './ActionDialog';
import { DeployDialog } from './DeployDialog';
import { DeploymentHistory } from './DeploymentHistory';
import { useDeploymentStatus } from './useDeploymentStatus';
import { EnvironmentRow, useEnvironmentRows } from './useEnvironmentRows';

type Row = EnvironmentRow & { deployment?: EnvironmentDeploymentStatus };

function Muted({ children }: { children: ReactNode }) {
  return (
    <Typography variant="body2" color="textSecondary" component="span">
      {children}
    </Typography>
  );
}

function ArgoCdCell({ row }: { row: Row }) {
  const argocd = row.deployment?.argocd;
  if (!argocd) return <Muted>—</Muted>;
  if (argocd.state === 'not-connected') {
    return (
      <Tooltip title={argocd.message ?? ''}>
        <span style={{ whiteSpace: 'nowrap' }}>
          <StatusAborted>not connected</StatusAborted>
        </span>
      </Tooltip>
    );
  }
  if (argocd.state === 'error') {
    return <StatusError>{argocd.message}</StatusError>;
  }
  const synced = argocd.syncStatus === 'Synced';
  const healthy = argocd.healthStatus === 'Healthy';
  return (
    <Box>
      {synced ? (
        <StatusOK>Synced</StatusOK>
      ) : (
        <StatusWarning>{argocd.syncStatus ?? 'Unknown'}</StatusWarning>
      )}
      <br />
      {healthy ? (
        <StatusOK>Healthy</StatusOK>
      ) : (
        <StatusPending>{argocd.healthStatus ?? 'Unknown'}</StatusPending>
      )}
      <br />
      <Muted>
        {argocd.application} · {argocd.syncPolicy} sync
        {argocd.operationPhase === 'Running' ? ' · sync running' : ''}
      </Muted>
    </Box>
  );
}

function RolloutCell({ row }: { row: Row }) {
  const rollout = row.deployment?.argocd.rollout;
  if (!rollout) return <Muted>—</Muted>;
  return (
    <Box>
      <Typography variant="body2">
        {rollout.phase ?? 'Unknown'}
        {rollout.pausedForPromotion ? ' · waiting for promotion' : ''}
        {rollout.aborted ? ' · aborted' : ''}
      </Typography>
      <Muted>
        active {rollout.activeColour ?? '?'} {rollout.activeRevision ?? ''}
        {rollout.previewRevision &&
          ` · preview ${rollout.previewColour ?? '?'} ${
            rollout.previewRevision
          }`}
      </Muted>
    </Box>
  );
}

function time(date: Date): string {
  return date.toLocaleTimeString();
}

/** "Last updated …", or "Refresh failed …" while the rows shown are older than the last attempt. */
function RefreshLine(props: {
  lastUpdated?: Date;
  refreshError?: { error: Error; at: Date };
  active: boolean;
}) {
  const { lastUpdated, refreshError, active } = props;
  if (!lastUpdated) return null;
  return (
    <Box mt={1} data-testid="refresh-line" role="status">
      {refreshError ? (
        <Typography variant="caption" color="error">
          Refresh failed at {time(refreshError.at)}:{' '}
          {refreshError.error.message}
          {' · '}showing the state of {time(lastUpdated)}
        </Typography>
      ) : (
        <Typography variant="caption" color="textSecondary">
          Last updated {time(lastUpdated)}
          {active ? ' · something is in motion, refreshing every 3 s' : ''}
        </Typography>
      )}
    </Box>
  );
}

function ActionButton(props: {
  label: string;
  permission?: ActionPermission;
  unavailable?: string;
  onClick: () => void;
}) {
  const reason = !props.permission?.allowed
    ? props.permission?.reason ?? 'Not allowed'
    : props.unavailable;
  const button = (
    <Button
      size="small"
      variant="outlined"
      disabled={Boolean(reason)}
      onClick={props.onClick}
    >
      {props.label}
    </Button>
  );
  return reason ? (
    <Tooltip title={reason}>
      <span aria-label={`${props.label}: ${reason}`}>{button}</span>
    </Tooltip>
  ) : (
    button
  );
}

/**
 * The environments a service runs in, from its `devops-app.io/environments` annotation, with the
 * image tag in git and in the cluster, Argo CD and Rollout state, the last deploy, and the actions
 * deploy, sync, promote and abort. Live: see `useDeploymentStatus` for when it reloads.
 */
export function EnvironmentsCard(props: { entity: Entity }) {
  const entityRef = stringifyEntityRef(props.entity);
  const { rows, invalid, loading, configError } = useEnvironmentRows(
    props.entity,
  );
  const deployments = useDeploymentStatus(entityRef);
  const [pullRequestUrl, setPullRequestUrl] = useState<string>();
  const [deployRow, setDeployRow] = useState<EnvironmentDeploymentStatus>();
  const [action, setAction] = useState<{
    row: EnvironmentDeploymentStatus;
    action: RolloutAction;
  }>();

  const data: Row[] = rows.map(row => ({
    ...row,
    deployment: deployments.status?.items.find(i => i.environment === row.name),
  }));
  const notConnected = data.find(
    r => r.deployment?.argocd.state === 'not-connected',
  );
  const repository = deployments.status?.repository;

  const columns: TableColumn<Row>[] = [
    { title: 'Environment', field: 'name', highlight: true },
    { title: 'Title', render: row => row.title ?? '—' },
    { title: 'Namespace', render: row => row.namespace ?? 'not configured' },
    {
      title: 'Tier',
      render: row => {
        if (row.production === undefined) return '—';
        return row.production ? (
          <Chip size="small" color="secondary" label="production" />
        ) : (
          <Chip size="small" label="non-production" />
        );
      },
    },
    {
      title: 'Catalog',
      render: row =>
        row.resource ? (
          <EntityRefLink entityRef={row.resource} />
        ) : (
          <Muted>no environment resource</Muted>
        ),
    },
    {
      title: 'Image tag',
      render: row => (
        <Box>
          <Typography variant="body2" title={row.deployment?.gitError}>
            git:{' '}
            <strong data-testid={`git-tag-${row.name}`}>
              {row.deployment?.gitTag ?? '—'}
            </strong>
          </Typography>
          <Muted>live: {row.deployment?.argocd.liveTag ?? '—'}</Muted>
        </Box>
      ),
    },
    { title: 'Argo CD', render: row => <ArgoCdCell row={row} /> },
    { title: 'Rollout', render: row => <RolloutCell row={row} /> },
    {
      title: 'Last deploy',
      render: row => {
        const last = row.deployment?.lastDeploy;
        return last ? (
          <Box data-testid={`last-deploy-${row.name}`}>
            <Typography variant="body2">
              {last.after} by {last.actor.replace(/^user:(default\/)?/, '')}
            </Typography>
            <Muted>{new Date(last.createdAt).toLocaleString()}</Muted>
          </Box>
        ) : (
          <Muted>—</Muted>
        );
      },
    },
    {
      title: 'Actions',
      render: row => {
        const d = row.deployment;
        if (!d) return <Muted>—</Muted>;
        const argo =
          d.argocd.state === 'connected'
            ? undefined
            : `Argo CD ${
                d.argocd.state === 'error' ? 'error' : 'not connected'
              }`;
        const rollout = d.argocd.rollout;
        return (
          <Box display="flex" flexWrap="wrap" style={{ gap: 4 }}>
            <ActionButton
              label="Deploy tag"
              permission={d.permissions.deploy}
              unavailable={
                repository?.configured ? undefined : repository?.message
              }
              onClick={() => setDeployRow(d)}
            />
            <ActionButton
              label="Sync"
              permission={d.permissions.sync}
              unavailable={
                argo ??
                (d.argocd.operationPhase === 'Running'
                  ? 'A sync is running'
                  : undefined)
              }
              onClick={() => setAction({ row: d, action: 'sync' })}
            />
            <ActionButton
              label="Promote"
              permission={d.permissions.promote}
              unavailable={
                argo ??
                (rollout?.pausedForPromotion
                  ? undefined
                  : 'No preview waiting for promotion')
              }
              onClick={() => setAction({ row: d, action: 'promote' })}
            />
            <ActionButton
              label="Abort"
              permission={d.permissions.abort}
              unavailable={
                argo ??
                (rollout &&
                !rollout.aborted &&
                (rollout.pausedForPromotion || rollout.phase === 'Progressing')
                  ? undefined
                  : 'No rollout in progress')
              }
              onClick={() => setAction({ row: d, action: 'abort' })}
            />
          </Box>
        );
      },
    },
  ];

  const done = (result?: DeploymentResult) => {
    setPullRequestUrl(result?.pullRequestUrl);
    setDeployRow(undefined);
    setAction(undefined);
    deployments.refresh();
  };

  return (
    <InfoCard
      title="Environments"
      subheader="Image tag in git and live, Argo CD and Rollout state; deploy, sync, promote, abort"
    >
      {invalid.length > 0 && (
        <WarningPanel
          severity="warning"
          title="Some environments in the annotation are not valid and are ignored"
        >
          {invalid.map(i => `"${i.value}" ${i.reason}`).join('; ')}
        </WarningPanel>
      )}
      {configError && (
        <WarningPanel
          severity="error"
          title="Could not read the environments' configuration"
          message={configError.message}
        />
      )}
      {deployments.error && (
        <WarningPanel
          severity="error"
          title="Could not read the deployment status"
          message={deployments.error.message}
        />
      )}
      {notConnected && (
        <WarningPanel
          severity="info"
          title="Argo CD not connected"
          defaultExpanded
        >
          {notConnected.deployment?.argocd.message}
        </WarningPanel>
      )}
      {pullRequestUrl && (
        <WarningPanel
          severity="info"
          title="Pull request opened"
          defaultExpanded
        >
          The production change waits for review:{' '}
          <Link to={pullRequestUrl}>{pullRequestUrl}</Link>
        </WarningPanel>
      )}
      {loading ? (
        <Progress />
      ) : (
        <Table<Row>
          options={{
            paging: false,
            search: false,
            toolbar: false,
            padding: 'dense',
          }}
          columns={columns}
          data={data}
          emptyContent={
            <Typography style={{ padding: 16 }}>
              This entity lists no valid environment.
            </Typography>
          }
        />
      )}
      <RefreshLine
        lastUpdated={deployments.lastUpdated}
        refreshError={deployments.refreshError}
        active={deployments.active}
      />
      {deployments.history && (
        <DeploymentHistory records={deployments.history} />
      )}
      {deployRow && (
        <DeployDialog
          entityRef={entityRef}
          row={deployRow}
          onClose={() => setDeployRow(undefined)}
          onDone={done}
        />
      )}
      {action && (
        <ActionDialog
          entityRef={entityRef}
          row={action.row}
          action={action.action}
          onClose={() => setAction(undefined)}
          onDone={() => done()}
        />
      )}
    </InfoCard>
  );
}
