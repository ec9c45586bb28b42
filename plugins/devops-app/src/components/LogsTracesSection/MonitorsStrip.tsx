import { Link } from '@backstage/core-components';
import { MonitorsResponse } from '@devops-app/plugin-devops-app-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';

const STATE_COLOURS: Record<string, string> = {
  OK: '#2e7d32',
  Alert: '#c62828',
  Warn: '#ef6c00',
  'No Data': '#757575',
};

/** The service's Datadog monitors as a strip of chips, coloured by state, each opening the monitor. */
export function MonitorsStrip(props: { monitors: MonitorsResponse }) {
  return (
    <Box display="flex" flexWrap="wrap" alignItems="center" style={{ gap: 8 }}>
      {props.monitors.rows.map(m => (
        <Link key={m.id} to={m.link} underline="none">
          <Chip
            size="small"
            clickable
            label={`${m.state}: ${m.name}`}
            data-testid={`monitor-${m.id}`}
            style={{
              backgroundColor: STATE_COLOURS[m.state] ?? '#455a64',
              color: '#fff',
            }}
          />
        </Link>
      ))}
      <Link to={props.monitors.link}>all monitors in Datadog</Link>
    </Box>
  );
}
