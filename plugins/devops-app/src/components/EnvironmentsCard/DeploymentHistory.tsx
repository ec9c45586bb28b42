import { Table, TableColumn } from '@backstage/core-components';
import { AuditRecord } from '@devops-app/plugin-devops-app-common';
import Typography from '@material-ui/core/Typography';

const columns: TableColumn<AuditRecord>[] = [
  { title: 'When', render: r => new Date(r.createdAt).toLocaleString() },
  { title: 'Who', field: 'actor' },
  { title: 'Environment', field: 'environment' },
  { title: 'Action', field: 'action' },
  {
    title: 'Change',
    render: r =>
      r.before || r.after ? `${r.before ?? '—'} → ${r.after ?? '—'}` : '—',
  },
  {
    title: 'Result',
    render: r => (
      <Typography
        variant="body2"
        color={r.result === 'success' ? 'textPrimary' : 'error'}
        title={r.message}
      >
        {r.result}
        {r.commit ? ` (${r.commit.slice(0, 7)})` : ''}
      </Typography>
    ),
  },
];

/** Recent deploys, syncs, promotions and aborts of the entity, from the audit log. */
export function DeploymentHistory({ records }: { records: AuditRecord[] }) {
  return (
    <Table<AuditRecord>
      title="History"
      options={{
        paging: false,
        search: false,
        padding: 'dense',
        toolbar: true,
      }}
      columns={columns}
      data={records}
      emptyContent={
        <Typography style={{ padding: 16 }}>
          Nothing deployed from the portal yet.
        </Typography>
      }
    />
  );
}
