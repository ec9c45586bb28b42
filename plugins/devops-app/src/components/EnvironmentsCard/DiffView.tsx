import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  diff: {
    fontFamily: 'monospace',
    fontSize: '0.8rem',
    background: theme.palette.background.default,
    padding: theme.spacing(1),
    overflowX: 'auto',
    margin: theme.spacing(1, 0),
  },
  added: { color: theme.palette.success?.main ?? 'green' },
  removed: { color: theme.palette.error.main },
}));

/** A unified diff, added and removed lines coloured. */
export function DiffView({ diff }: { diff: string }) {
  const classes = useStyles();
  return (
    <pre className={classes.diff} aria-label="Change to the values file">
      {diff
        .split('\n')
        .filter(
          line => !line.startsWith('diff --git') && !line.startsWith('index '),
        )
        .map((line, i) => {
          let className: string | undefined;
          if (line.startsWith('+') && !line.startsWith('+++'))
            className = classes.added;
          else if (line.startsWith('-') && !line.startsWith('---'))
            className = classes.removed;
          return (
            <div key={i} className={className}>
              {line || ' '}
            </div>
          );
        })}
    </pre>
  );
}
