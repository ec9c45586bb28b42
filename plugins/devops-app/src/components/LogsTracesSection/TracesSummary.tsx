import { Link, Table, TableColumn } from '@backstage/core-components';
import {
  TraceResourceRow,
  TracesResponse,
} from '@devops-app/plugin-devops-app-common';
import { formatValue } from '../MetricsSection/formatValue';

const columns: TableColumn<TraceResourceRow>[] = [
  { title: 'Resource', render: r => <Link to={r.link}>{r.resource}</Link> },
  { title: 'Hits', field: 'hits', type: 'numeric' },
  { title: 'Errors', field: 'errors', type: 'numeric' },
  {
    title: 'Error rate',
    type: 'numeric',
    render: r => (r.hits ? formatValue(r.errors / r.hits, 'ratio') : '—'),
  },
  { title: 'p95', type: 'numeric', render: r => formatValue(r.p95, 'seconds') },
];

/** APM spans of the service by resource, as Datadog aggregates them. */
export function TracesSummary(props: { traces: TracesResponse }) {
  return (
    <Table
      title="Traces by resource"
      options={{ paging: false, search: false, padding: 'dense' }}
      columns={columns}
      data={props.traces.rows}
    />
  );
}
