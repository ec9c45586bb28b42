import { EmptyState, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  AuditRecord,
  FreezeNotice,
  RollbackOffer,
  RollbackResult,
} from '@devops-app/plugin-devops-app-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { devopsAppApiRef } from '../../api';
import { LabelledTable } from '../LabelledTable';
import { RefLink } from '../RefLink';
import { serverMessage } from './RegistryVersions';
import { RollbackDialog } from './RollbackDialog';

/** Headers and short values stay on one line (no "Environm ent"). */
const nowrap = { whiteSpace: 'nowrap' } as const;

const columns: TableColumn<AuditRecord>[] = [
  {
    title: 'When',
    headerStyle: nowrap,
    render: r => new Date(r.createdAt).toLocaleString(),
  },
  {
    title: 'Who',
    headerStyle: nowrap,
    // The audit names exactly who acted: the full ref, linked to the user's page.
    render: r => <RefLink entityRef={r.actor}>{r.actor}</RefLink>,
  },
  {
    title: 'Environment',
    field: 'environment',
    headerStyle: nowrap,
    cellStyle: nowrap,
  },
  { title: 'Action', field: 'action', headerStyle: nowrap },
  {
    title: 'Change',
    headerStyle: nowrap,
    render: r =>
      r.before || r.after ? `${r.before ?? '—'} → ${r.after ?? '—'}` : '—',
  },
  {
    title: 'Result',
    headerStyle: nowrap,
    render: r => (
      <Typography
        variant="body2"
        title={r.message}
        color={r.result === 'success' ? 'textPrimary' : 'error'}
      >
        {r.result}
        {r.commit ? ` (${r.commit.slice(0, 7)})` : ''}
      </Typography>
    ),
  },
];

/** "Frozen: <name> until <local time>", with the window's description as its title. */
export function FreezeChip({ freeze }: { freeze: FreezeNotice }) {
  const until = new Date(freeze.until).toLocaleString();
  return (
    <Tooltip title={freeze.description ?? ''}>
      <Chip
        size="small"
        color="secondary"
        variant="outlined"
        label={`Frozen: ${freeze.name} until ${until}`}
      />
    </Tooltip>
  );
}

/** Why the rollback button of an offer is disabled, or undefined when it is enabled. */
function rollbackUnavailable(offer: RollbackOffer): string | undefined {
  // Who may comes first: a person who may not roll back is told so, not what a rollback would do.
  if (!offer.permission.allowed) {
    return (
      offer.permission.reason ?? `You may not roll back ${offer.environment}`
    );
  }
  if (offer.freeze) {
    return `Frozen by ${offer.freeze.name} until ${new Date(
      offer.freeze.until,
    ).toLocaleString()}`;
  }
  return offer.available ? undefined : offer.reason;
}

/**
 * Each environment's way back: "Roll back to <version>" (the last verified version before the
 * current one, as the server picks it), or why there is none, and any freeze window in force.
 */
function Rollbacks(props: {
  entityRef: string;
  /** Changes when the history does, so the offers are read again after every action. */
  historyKey: string;
  production: Record<string, boolean>;
  onDone: (result: RollbackResult) => void;
}) {
  const api = useApi(devopsAppApiRef);
  const { entityRef, historyKey } = props;
  const offers = useAsyncRetry(
    async () => api.getRollbackOffers(entityRef),
    [api, entityRef, historyKey],
  );
  const [open, setOpen] = useState<RollbackOffer>();
  const [done, setDone] = useState<string>();
  if (offers.error) {
    return (
      <Typography variant="body2" color="error" role="alert">
        Could not read the rollbacks: {serverMessage(offers.error)}
      </Typography>
    );
  }
  if (!offers.value) return null;
  return (
    <Box mb={1} data-testid="rollbacks">
      <Typography variant="subtitle2">Roll back</Typography>
      {offers.value.items.map(offer => {
        const reason = rollbackUnavailable(offer);
        const label = `Roll back to ${offer.version ?? 'previous version'}`;
        const button = (
          <Button
            size="small"
            variant="outlined"
            disabled={Boolean(reason)}
            onClick={() => setOpen(offer)}
          >
            {label}
          </Button>
        );
        return (
          <Box
            key={offer.environment}
            data-testid={`rollback-${offer.environment}`}
            display="flex"
            alignItems="center"
            flexWrap="wrap"
            mt={0.5}
            style={{ gap: 8 }}
          >
            <Typography
              variant="body2"
              style={{ minWidth: 80, whiteSpace: 'nowrap' }}
            >
              <strong>{offer.environment}</strong>
            </Typography>
            {reason ? (
              <Tooltip title={reason}>
                <span aria-label={`${label}: ${reason}`}>{button}</span>
              </Tooltip>
            ) : (
              button
            )}
            {offer.freeze && <FreezeChip freeze={offer.freeze} />}
            {!offer.freeze && reason && (
              <Typography
                variant="caption"
                color="textSecondary"
                data-testid={`rollback-reason-${offer.environment}`}
              >
                {reason}
              </Typography>
            )}
          </Box>
        );
      })}
      {done && (
        <Typography variant="body2" role="status">
          {done}
        </Typography>
      )}
      {open && (
        <RollbackDialog
          entityRef={entityRef}
          offer={open}
          production={props.production[open.environment] ?? false}
          onClose={() => setOpen(undefined)}
          onDone={result => {
            setOpen(undefined);
            setDone(
              `Rolled ${result.environment} back from ${result.before} to ${
                result.after
              }${result.aborted ? ' (Rollout aborted)' : ''}`,
            );
            offers.retry();
            props.onDone(result);
          }}
        />
      )}
    </Box>
  );
}

/**
 * Recent deploys, syncs, promotions, rollbacks and aborts of the entity, from the audit log; with
 * `entityRef`, each environment's "Roll back to <version>" above them.
 */
export function DeploymentHistory({
  records,
  entityRef,
  production = {},
  onRolledBack,
}: {
  records: AuditRecord[];
  entityRef?: string;
  /** Which environments are production (their rollback asks for the name typed in). */
  production?: Record<string, boolean>;
  onRolledBack?: (result: RollbackResult) => void;
}) {
  const rollbacks = entityRef && (
    <Rollbacks
      entityRef={entityRef}
      historyKey={records
        .slice(0, 1)
        .map(r => r.id)
        .join()}
      production={production}
      onDone={result => onRolledBack?.(result)}
    />
  );
  if (records.length === 0) {
    return (
      <>
        {rollbacks}
        <EmptyState
          missing="data"
          title="No deployment history"
          description="Nothing deployed from the portal yet."
        />
      </>
    );
  }
  return (
    <>
      {rollbacks}
      <LabelledTable<AuditRecord>
        label="Deployment history"
        title="History"
        options={{ paging: false, search: false, padding: 'dense' }}
        columns={columns}
        data={records}
      />
    </>
  );
}
