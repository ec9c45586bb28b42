import {
  InfoCard,
  Progress,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { DriftStackCheck } from '@devops-app/plugin-devops-app-common';
import { LiveErrorPanel } from '../LiveErrorPanel';
import { DriftStatusLine, StackDriftStatus } from './DriftStatusLine';
import { useDrift } from './useDrift';

const columns: TableColumn<DriftStackCheck>[] = [
  { title: 'Stack', field: 'stack' },
  { title: 'Drift', render: check => <StackDriftStatus check={check} /> },
  {
    title: 'Reason',
    render: check => check.error ?? '',
  },
  {
    title: 'Checked',
    render: check => new Date(check.checkedAt).toLocaleString(),
  },
  {
    title: 'Commit',
    render: check => check.commit?.slice(0, 12) ?? '',
  },
  { title: 'By', field: 'trigger' },
];

/**
 * The environment page's drift: each stack's latest check (`terraform plan -detailed-exitcode` on a
 * schedule, never applied) and "Check now".
 */
export function DriftSection(props: { environment: string }) {
  const { environment } = props;
  const drift = useDrift({ environments: [environment] });
  const current = drift.value?.[0];
  return (
    <InfoCard
      title="Drift"
      subheader="Scheduled terraform plan of each stack against its state; never applied"
    >
      {drift.error && (
        <LiveErrorPanel
          title="Could not read the drift checks"
          error={drift.error}
        />
      )}
      {drift.loading && <Progress />}
      {current && (
        <>
          <DriftStatusLine
            drift={current}
            onCheck={() => drift.checkNow(environment)}
            error={drift.checkError?.error}
          />
          {current.stacks.length > 0 && (
            <Table<DriftStackCheck>
              options={{
                paging: false,
                search: false,
                toolbar: false,
                padding: 'dense',
              }}
              columns={columns}
              data={current.stacks}
            />
          )}
        </>
      )}
    </InfoCard>
  );
}
