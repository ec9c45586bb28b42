import {
  EmptyState,
  InfoCard,
  Link,
  Progress,
  TableColumn,
} from '@backstage/core-components';
import { TerraformRun } from '@devops-app/plugin-devops-app-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import { useState } from 'react';
import { RefLink } from '../RefLink';
import { LabelledTable } from '../LabelledTable';
import { LiveErrorPanel } from '../LiveErrorPanel';
import { TerraformRunDetails } from '../TerraformRunDetails';
import { formatDuration, formatPlan } from '../TerraformRunDetails/format';
import { useTerraformRuns } from './useTerraformRuns';

/** Headers stay on one line: "Environment" and "Duration" never break inside the word. */
const header = { whiteSpace: 'nowrap' } as const;

const columns: TableColumn<TerraformRun>[] = [
  { title: 'Environment', field: 'environment', headerStyle: header },
  {
    title: 'Status',
    headerStyle: header,
    render: run => (
      <Chip
        size="small"
        label={run.status}
        color={statusColor(run.status)}
        // Waiting for its environment or an instance: outlined, as not started yet.
        variant={run.status === 'queued' ? 'outlined' : 'default'}
      />
    ),
  },
  { title: 'Mode', field: 'mode', headerStyle: header },
  {
    title: 'Started by',
    headerStyle: header,
    render: run => <RefLink entityRef={run.createdBy} />,
  },
  {
    title: 'Started',
    headerStyle: header,
    render: run => new Date(run.startedAt).toLocaleString(),
  },
  {
    title: 'Duration',
    headerStyle: header,
    cellStyle: { whiteSpace: 'nowrap' },
    render: run => formatDuration(run),
  },
  {
    title: 'Stacks',
    headerStyle: header,
    // One line per stack, never broken inside: a long run of stacks joined on one line was squeezed
    // into a column of word fragments at 1280 px and cut off at the card's edge.
    render: run => (
      <Box component="ul" m={0} p={0} style={{ listStyle: 'none' }}>
        {run.stacks.map(s => (
          <li key={s.stack} style={{ whiteSpace: 'nowrap' }}>
            {`${s.stack}: ${s.status} (${formatPlan(s.plan)})`}
          </li>
        ))}
      </Box>
    ),
  },
];

function statusColor(status: TerraformRun['status']) {
  if (status === 'failed') return 'secondary';
  return status === 'awaiting-approval' ? 'primary' : 'default';
}

/** Runs whose plans wait for an approver: a count and a link to each run's page. */
function PendingApprovals(props: { runs: TerraformRun[] }) {
  const pending = props.runs.filter(r => r.status === 'awaiting-approval');
  if (pending.length === 0) return null;
  return (
    <Box mb={2} data-testid="pending-approvals">
      <Chip
        size="small"
        color="primary"
        label={`${pending.length} awaiting approval`}
      />{' '}
      {pending.map((run, i) => (
        <span key={run.id}>
          {i > 0 ? ' · ' : ''}
          <Link to={`/devops-app/terraform-runs/${run.id}`}>
            {run.mode} of {run.environment} by{' '}
            {run.createdBy.replace(/^user:(default\/)?/, '')}
          </Link>
        </span>
      ))}
    </Box>
  );
}

/**
 * The "Infrastructure" section: the terraform runs of the given environments (every run when
 * `environments` is not given, none for an empty list), newest first; a click on a run's row shows
 * its stacks and logs under the table (another click hides them). Runs awaiting approval are counted
 * above the table, each with a link to its page (where an approver decides). Live through the runs' signals, with a slow poll while a run is going on
 * (`pollMs`, also the fallback poll of an open run).
 */
export function TerraformRunsSection(props: {
  environments?: string[];
  pollMs?: number;
}) {
  const { runs, error } = useTerraformRuns(props.environments, props.pollMs);
  const [open, setOpen] = useState<string>();

  return (
    <InfoCard
      title="Infrastructure"
      subheader="Terraform runs of the environments (new-environment template)"
    >
      {error && (
        <LiveErrorPanel title="Could not load the runs" error={error} />
      )}
      {!runs && !error && <Progress />}
      {runs && <PendingApprovals runs={runs} />}
      {runs && runs.length === 0 && (
        <EmptyState
          missing="data"
          title="No terraform runs"
          description="No terraform run yet. Create an environment from the Create page."
        />
      )}
      {runs && runs.length > 0 && (
        <LabelledTable<TerraformRun>
          label="Terraform runs"
          options={{
            paging: false,
            search: false,
            toolbar: false,
            padding: 'dense',
            rowStyle: run => ({
              cursor: 'pointer',
              ...(run.id === open ? { background: 'rgba(0, 0, 0, 0.06)' } : {}),
            }),
          }}
          columns={columns}
          data={runs}
          onRowClick={(_event, run) =>
            setOpen(run && run.id !== open ? run.id : undefined)
          }
        />
      )}
      {open && (
        // Under the table, not in a row of it: the list is read again while runs go on, and the
        // open run must stay open across those reads.
        <Box mt={2} data-testid="open-run">
          <TerraformRunDetails runId={open} pollMs={props.pollMs} />
        </Box>
      )}
    </InfoCard>
  );
}
