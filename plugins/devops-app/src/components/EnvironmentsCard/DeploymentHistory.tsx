import { EmptyState, TableColumn } from '@backstage/core-components';
import { AuditRecord } from '@devops-app/plugin-devops-app-common';
import Typography from '@material-ui/core/Typography';
import { LabelledTable } from '../LabelledTable';
import { RefLink } from '../RefLink';

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

/** Recent deploys, syncs, promotions and aborts of the entity, from the audit log. */
export function DeploymentHistory({ records }: { records: AuditRecord[] }) {
  if (records.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No deployment history"
        description="Nothing deployed from the portal yet."
      />
    );
  }
  return (
    <LabelledTable<AuditRecord>
      label="Deployment history"
      title="History"
      options={{ paging: false, search: false, padding: 'dense' }}
      columns={columns}
      data={records}
    />
  );
}
