import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  EmptyState,
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import {
  ActionPermission,
  ANNOTATION_ENVIRONMENTS,
  ANNOTATION_NAMESPACE,
  DeploymentResult,
  EnvironmentDeploymentStatus,
  getEntityEnvironments,
} from '@devops-app/plugin-devops-app-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { ReactNode, useEffect, useRef, useState } from 'react';
import { DriftStatusLine, useDrift } from '../DriftStatus';
import { LiveErrorPanel } from '../LiveErrorPanel';
import { RefLink } from '../RefLink';
import { ActionDialog, RolloutAction } from './ActionDialog';
import { DeployDialog } from './DeployDialog';
import { DeploymentHistory } from './DeploymentHistory';
import { useDeploymentStatus } from './useDeploymentStatus';
import {
  describeProblem,
  EnvironmentRow,
  useEnvironmentRows,
} from './useEnvironmentRows';

type Row = EnvironmentRow;

function Muted({ children }: { children: ReactNode }) {
  return (
    <Typography variant="body2" color="textSecondary" component="span">
      {children}
    </Typography>
  );
}

/** The environment's annotation problems, one line each, naming the annotation. */
function ProblemsCell({ row }: { row: Row }) {
  if (row.problems.length === 0) return <Muted>none</Muted>;
  return (
    <Box data-testid={`problems-${row.name}`} role="alert" mt={0.5}>
      {row.problems.map(p => (
        <Box key={`${p.annotation}:${p.message}`}>
          <StatusError>{describeProblem(p)}</StatusError>
        </Box>
      ))}
    </Box>
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
  /** The environment itself cannot be acted on (its annotations' problems): overrides the rest. */
  blocked?: string;
  permission?: ActionPermission;
  unavailable?: string;
  onClick: () => void;
}) {
  let reason = props.blocked;
  if (!reason) {
    reason = !props.permission?.allowed
      ? props.permission?.reason ?? 'Not allowed'
      : props.unavailable;
  }
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
 * The environments a service runs in (the environment Resources related to it in the catalog, from
 * the backend's resolver, in promotion order), with the image tag in git and in the cluster, Argo CD
 * and Rollout state, the last deploy, and the actions deploy, sync, promote and abort. An environment
 * whose annotations have problems shows them in its own row, with its actions disabled; the other rows
 * are unaffected. Live: the list through `useEntityEnvironments`, the status through
 * `useDeploymentStatus`.
 */
export function EnvironmentsCard(props: { entity: Entity }) {
  const entityRef = stringifyEntityRef(props.entity);
  // The annotation is only a filter now (applied by the backend); its invalid entries are ignored there.
  const { invalid } = getEntityEnvironments(props.entity);
  const deployments = useDeploymentStatus(entityRef);
  const drift = useDrift({ entityRef });
  const {
    rows,
    loading,
    error: environmentsError,
    refreshError: environmentsRefreshError,
    errorMessage: environmentsErrorMessage,
  } = useEnvironmentRows(entityRef, deployments.status?.items);
  const [pullRequestUrl, setPullRequestUrl] = useState<string>();
  const [deployRow, setDeployRow] = useState<EnvironmentDeploymentStatus>();
  const [action, setAction] = useState<{
    row: EnvironmentDeploymentStatus;
    action: RolloutAction;
  }>();

  // A new environment in the list has no status row yet: read the status now, not at the next poll.
  const names = rows?.map(r => r.name).join(',');
  const lastNames = useRef(names);
  const { refresh: refreshDeployments } = deployments;
  useEffect(() => {
    if (
      names !== undefined &&
      lastNames.current !== undefined &&
      names !== lastNames.current
    ) {
      refreshDeployments();
    }
    if (names !== undefined) lastNames.current = names;
  }, [names, refreshDeployments]);

  const data: Row[] = rows ?? [];
  const notConnected = data.find(
    r => r.deployment?.argocd.state === 'not-connected',
  );
  const repository = deployments.status?.repository;

  const columns: TableColumn<Row>[] = [
    {
      // What the environment is, in one cell (stage, name, its catalog entity, namespace, class, and any
      // annotation problem), so the card fits 1280 px with its actions in view.
      title: 'Environment',
      field: 'name',
      highlight: true,
      render: row => (
        <Box minWidth={180} maxWidth={340}>
          <Typography variant="body2" component="div" noWrap>
            {row.promotionOrder === undefined ? (
              <Tooltip title="Not in the promotion line (no devops-app.io/promotion-order)">
                <span>
                  <Muted>—</Muted>
                </span>
              </Tooltip>
            ) : (
              <span data-testid={`stage-${row.name}`}>
                {row.promotionOrder}.
              </span>
            )}{' '}
            <strong>{row.name}</strong>
          </Typography>
          <RefLink entityRef={row.entityRef} defaultKind="resource">
            {row.title}
          </RefLink>
          <Box>
            {row.problems.some(p => p.annotation === ANNOTATION_NAMESPACE) ? (
              <StatusError>invalid annotation</StatusError>
            ) : (
              <Muted>{row.namespace}</Muted>
            )}
          </Box>
          <Box display="flex" flexWrap="wrap" mt={0.5} style={{ gap: 4 }}>
            {row.production ? (
              <Chip size="small" color="secondary" label="production" />
            ) : (
              <Chip size="small" label="non-production" />
            )}
            {row.protected && (
              <Tooltip title="Never removed or pruned by the portal">
                <Chip size="small" variant="outlined" label="protected" />
              </Tooltip>
            )}
          </Box>
          {row.problems.length > 0 && <ProblemsCell row={row} />}
        </Box>
      ),
    },
    {
      title: 'Owner',
      render: row =>
        row.owner ? (
          <RefLink entityRef={row.owner} defaultKind="group" />
        ) : (
          <Muted>—</Muted>
        ),
    },
    {
      // The tag in git and live, and the portal's last deploy of it: one column, so that the card
      // keeps its actions in view at 1280 px.
      title: 'Image tag · last deploy',
      render: row => {
        const last = row.deployment?.lastDeploy;
        return (
          <Box>
            <Typography variant="body2" title={row.deployment?.gitError}>
              git:{' '}
              <strong data-testid={`git-tag-${row.name}`}>
                {row.deployment?.gitTag ?? '—'}
              </strong>
            </Typography>
            <Muted>live: {row.deployment?.argocd.liveTag ?? '—'}</Muted>
            {last && (
              <Box data-testid={`last-deploy-${row.name}`} mt={0.5}>
                <Typography variant="body2">
                  {last.after} by <RefLink entityRef={last.actor} />
                </Typography>
                <Muted>{new Date(last.createdAt).toLocaleString()}</Muted>
              </Box>
            )}
          </Box>
        );
      },
    },
    {
      // One column for Argo CD's application and its blue/green Rollout, so that the card keeps its
      // actions in view at 1280 px with the Drift column.
      title: 'Argo CD · Rollout',
      render: row => (
        <Box display="flex" flexDirection="column" style={{ gap: 4 }}>
          <ArgoCdCell row={row} />
          <RolloutCell row={row} />
        </Box>
      ),
    },
    {
      // The stacks' latest drift check (issue 13), with "Check now".
      title: 'Drift',
      render: row => (
        <DriftStatusLine
          drift={drift.value?.find(d => d.environment === row.name)}
          onCheck={() => drift.checkNow(row.name)}
          error={
            drift.checkError?.environment === row.name
              ? drift.checkError.error
              : undefined
          }
        />
      ),
    },
    {
      title: 'Actions',
      render: row => {
        const d = row.deployment;
        if (row.problem) {
          // Refused by the backend too (400 naming the annotation): say why here, before anyone tries.
          return (
            <Box display="flex" flexWrap="wrap" style={{ gap: 4 }}>
              {['Deploy tag', 'Sync', 'Promote', 'Abort'].map(label => (
                <ActionButton
                  key={label}
                  label={label}
                  blocked={row.problem}
                  onClick={() => {}}
                />
              ))}
            </Box>
          );
        }
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
          title={`Some names in the ${ANNOTATION_ENVIRONMENTS} filter are not valid and are ignored`}
        >
          {invalid.map(i => `"${i.value}" ${i.reason}`).join('; ')}
        </WarningPanel>
      )}
      {environmentsError && (
        <ResponseErrorPanel
          title="Could not read the environments"
          error={environmentsError}
        />
      )}
      {deployments.error && (
        <LiveErrorPanel
          title="Could not read the deployment status"
          error={deployments.error}
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
      {loading && <Progress />}
      {rows && rows.length === 0 && (
        <EmptyState
          missing="data"
          title="No environments"
          description="No environment Resource in the catalog names this service in its spec.dependencyOf (or none passes the devops-app.io/environments filter). Create one from the Create page: New environment."
        />
      )}
      {rows && rows.length > 0 && (
        <Table<Row>
          options={{
            paging: false,
            search: false,
            toolbar: false,
            padding: 'dense',
          }}
          columns={columns}
          data={data}
        />
      )}
      {environmentsRefreshError && (
        <Typography variant="caption" color="error" role="status" component="p">
          Could not refresh the list of environments: {environmentsErrorMessage}{' '}
          · showing the list read before
        </Typography>
      )}
      <RefreshLine
        lastUpdated={deployments.lastUpdated}
        refreshError={deployments.refreshError}
        active={deployments.active}
      />
      {deployments.history && (
        <DeploymentHistory
          records={deployments.history}
          entityRef={entityRef}
          production={Object.fromEntries(data.map(r => [r.name, r.production]))}
          onRolledBack={() => deployments.refresh()}
        />
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
