import { InfoCard, Progress, WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { TerraformRun } from '@devops-app/plugin-devops-app-common';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { Fragment, useEffect, useState } from 'react';
import { devopsAppApiRef } from '../../api';
import { TerraformRunDetails } from '../TerraformRunDetails';
import { formatDuration, formatPlan } from '../TerraformRunDetails/format';

const LIST_POLL_MS = 3000;

/**
 * The "Infrastructure" section: the terraform runs of the given environments (all runs when none
 * is given), newest first, each opening to its stacks and logs. Read again while a run is going on.
 */
export function TerraformRunsSection(props: {
  environments?: string[];
  pollMs?: number;
}) {
  const api = useApi(devopsAppApiRef);
  const key = (props.environments ?? []).join(',');
  const [runs, setRuns] = useState<TerraformRun[]>();
  const [error, setError] = useState<Error>();
  const [open, setOpen] = useState<string>();

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const environments = key ? key.split(',') : [undefined];
    const load = async () => {
      try {
        const lists = await Promise.all(
          environments.map(environment =>
            api.listTerraformRuns({ environment }),
          ),
        );
        if (stopped) return;
        const all = lists
          .flat()
          .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
        setRuns(all);
        setError(undefined);
        if (all.some(r => r.status === 'running'))
          timer = setTimeout(load, props.pollMs ?? LIST_POLL_MS);
      } catch (e) {
        if (!stopped) setError(e as Error);
      }
    };
    load();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [api, key, props.pollMs]);

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
