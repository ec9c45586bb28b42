import { Entity } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { EnvironmentRow, useEnvironmentRows } from './useEnvironmentRows';

const columns: TableColumn<EnvironmentRow>[] = [
  { title: 'Environment', field: 'name', highlight: true },
  { title: 'Title', render: row => row.title ?? '—' },
  { title: 'Namespace', render: row => row.namespace ?? 'not configured' },
  {
    title: 'Tier',
    render: row => {
      if (row.production === undefined) {
        return '—';
      }
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
        <Typography variant="body2" color="textSecondary">
          no environment resource
        </Typography>
      ),
  },
];

/** The environments a service runs in, from its `devops-app.io/environments` annotation. */
export function EnvironmentsCard(props: { entity: Entity }) {
  const { rows, invalid, loading, configError } = useEnvironmentRows(props.entity);

  return (
    <InfoCard title="Environments" subheader="From the devops-app.io/environments annotation">
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
      {loading ? (
        <Progress />
      ) : (
        <Table<EnvironmentRow>
          options={{ paging: false, search: false, toolbar: false, padding: 'dense' }}
          columns={columns}
          data={rows}
          emptyContent={
            <Typography style={{ padding: 16 }}>
              This entity lists no valid environment.
            </Typography>
          }
        />
      )}
    </InfoCard>
  );
}
