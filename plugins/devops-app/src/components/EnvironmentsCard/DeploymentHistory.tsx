import { AuditRecord } from '@devops-app/plugin-devops-app-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';

/** Recent deploys, syncs, promotions and aborts of the entity, from the audit log. */
export function DeploymentHistory({ records }: { records: AuditRecord[] }) {
  return (
    <>
      <Typography variant="h6" style={{ marginTop: 16 }}>
        History
      </Typography>
      {records.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          Nothing deployed from the portal yet.
        </Typography>
      ) : (
        <Table size="small" aria-label="Deployment history">
          <TableHead>
            <TableRow>
              <TableCell>When</TableCell>
              <TableCell>Who</TableCell>
              <TableCell>Environment</TableCell>
              <TableCell>Action</TableCell>
              <TableCell>Change</TableCell>
              <TableCell>Result</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {records.map(r => (
              <TableRow key={r.id}>
                <TableCell>{new Date(r.createdAt).toLocaleString()}</TableCell>
                <TableCell>{r.actor}</TableCell>
                <TableCell>{r.environment}</TableCell>
                <TableCell>{r.action}</TableCell>
                <TableCell>
                  {r.before || r.after
                    ? `${r.before ?? '—'} → ${r.after ?? '—'}`
                    : '—'}
                </TableCell>
                <TableCell title={r.message}>
                  <Typography
                    variant="body2"
                    color={r.result === 'success' ? 'textPrimary' : 'error'}
                  >
                    {r.result}
                    {r.commit ? ` (${r.commit.slice(0, 7)})` : ''}
                  </Typography>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}
