import { Link, Table, TableColumn } from '@backstage/core-components';
import { LogRow } from '@devops-app/plugin-devops-app-common';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';

const LEVEL_COLOURS: Record<string, string> = {
  error: '#c62828',
  critical: '#c62828',
  warn: '#ef6c00',
  warning: '#ef6c00',
  info: '#1565c0',
  debug: '#757575',
};

/** Log lines: time, level, message, request id (click for the request's story) and trace link. */
export function LogsTable(props: {
  rows: LogRow[];
  onRequestId(id: string): void;
}) {
  const columns: TableColumn<LogRow>[] = [
    {
      title: 'Time',
      width: '180px',
      render: r => (
        <Link to={r.link}>{new Date(r.timestamp).toLocaleString()}</Link>
      ),
    },
    {
      title: 'Level',
      width: '80px',
      render: r => (
        <Typography
          variant="body2"
          style={{
            color: LEVEL_COLOURS[r.level] ?? 'inherit',
            fontWeight: 600,
          }}
        >
          {r.level}
        </Typography>
      ),
    },
    { title: 'Message', field: 'message' },
    {
      title: 'request_id',
      render: r =>
        r.requestId ? (
          <Button
            size="small"
            onClick={() => props.onRequestId(r.requestId!)}
            style={{ textTransform: 'none' }}
          >
            {r.requestId}
          </Button>
        ) : (
          '—'
        ),
    },
    {
      title: 'Trace',
      render: r => (r.traceLink ? <Link to={r.traceLink}>trace</Link> : '—'),
    },
  ];
  return (
    <Table
      options={{
        paging: false,
        search: false,
        padding: 'dense',
        toolbar: false,
      }}
      columns={columns}
      data={props.rows}
    />
  );
}
