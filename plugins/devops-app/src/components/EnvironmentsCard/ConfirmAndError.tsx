import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';

/**
 * The end of every confirmation dialog: for production, a field where the environment's name must be
 * typed; then the error of the last attempt, if any.
 */
export function ConfirmAndError(props: {
  /** Show the typed confirmation (production environments). */
  askName: boolean;
  environment: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
}) {
  return (
    <>
      {props.askName && (
        <TextField
          label={`Type ${props.environment} to confirm${props.label}`}
          value={props.value}
          onChange={e => props.onChange(e.target.value)}
          fullWidth
          margin="dense"
          inputProps={{ 'aria-label': 'Confirm environment name' }}
        />
      )}
      {props.error && (
        <Typography color="error" role="alert">
          {props.error}
        </Typography>
      )}
    </>
  );
}
