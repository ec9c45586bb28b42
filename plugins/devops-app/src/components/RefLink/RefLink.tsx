import { parseEntityRef } from '@backstage/catalog-model';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import { ReactNode } from 'react';

/**
 * A link to an entity (a user or group: who deployed, who started a run, who owns an environment), or
 * the ref as text when it does not parse (a service principal's subject, an odd annotation), so one
 * odd value never breaks a table.
 */
export function RefLink(props: {
  entityRef: string;
  defaultKind?: string;
  children?: ReactNode;
}) {
  const defaultKind = props.defaultKind ?? 'user';
  try {
    parseEntityRef(props.entityRef, { defaultKind });
  } catch {
    return (
      <Typography variant="body2" color="textSecondary" component="span">
        {props.entityRef}
      </Typography>
    );
  }
  return (
    <EntityRefLink entityRef={props.entityRef} defaultKind={defaultKind}>
      {props.children}
    </EntityRefLink>
  );
}
