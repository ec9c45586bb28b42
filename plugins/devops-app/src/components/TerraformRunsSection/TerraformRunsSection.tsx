import { InfoCard, Progress, WarningPanel } from '@backstage/core-components';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { Fragment, useState } from 'react';
import { TerraformRunDetails } from '../TerraformRunDetails';
import { formatDuration, formatPlan } from '../TerraformRunDetails/format';
import { useTerraformRuns } from './useTerraformRuns';

/**
 * The "Infrastructure" section: the terraform runs of the given environments (every run when
 * `environments` is not given, none for an empty list), newest first, each opening to its stacks and
 * logs. Live through the runs' signals, with a slow poll while a run is going on (`pollMs`, also the
 * fallback poll of an open run).
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
        <WarningPanel
          severity="error"
          title="Could not load the runs"
          message={error.message}
        />
      )}
      {!runs && !error && <Progress />}
      {runs && runs.length === 0 && (
        <Typography variant="body2">
          No terraform run yet. Create an environment from the Create page.
        </Typography>
      )}
      {runs && runs.length > 0 && (
        <Table size="small" aria-label="terraform runs">
          <TableHead>
            <TableRow>
              <TableCell>Environment</TableCell>
              <TableCell>Status</TableCell>
              <TableCell>Mode</TableCell>
              <TableCell>Started by</TableCell>
              <TableCell>Started</TableCell>
              <TableCell>Duration</TableCell>
              <TableCell>Stacks</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {runs.map(run => (
              <Fragment key={run.id}>
                <TableRow
                  hover
                  style={{ cursor: 'pointer' }}
                  onClick={() => setOpen(open === run.id ? undefined : run.id)}
                  aria-expanded={open === run.id}
                >
                  <TableCell>{run.environment}</TableCell>
                  <TableCell>
                    <Chip
                      size="small"
                      label={run.status}
                      color={run.status === 'failed' ? 'secondary' : 'default'}
                    />
                  </TableCell>
                  <TableCell>{run.mode}</TableCell>
                  <TableCell>{run.createdBy}</TableCell>
                  <TableCell>
                    {new Date(run.startedAt).toLocaleString()}
                  </TableCell>
                  <TableCell>{formatDuration(run)}</TableCell>
                  <TableCell>
                    {run.stacks
                      .map(
                        s => `${s.stack}: ${s.status} (${formatPlan(s.plan)})`,
                      )
                      .join(' · ')}
                  </TableCell>
                </TableRow>
                {open === run.id && (
                  <TableRow>
                    <TableCell colSpan={7}>
                      <TerraformRunDetails
                        runId={run.id}
                        pollMs={props.pollMs}
                      />
                    </TableCell>
                  </TableRow>
                )}
              </Fragment>
            ))}
          </TableBody>
        </Table>
      )}
    </InfoCard>
  );
}
