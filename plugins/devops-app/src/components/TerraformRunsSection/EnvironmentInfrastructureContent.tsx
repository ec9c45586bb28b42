import { useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import { DriftSection } from '../DriftStatus';
import { TerraformRunsSection } from './TerraformRunsSection';

/** The Infrastructure tab of an environment Resource: its drift, then its runs. */
export function EnvironmentInfrastructureContent() {
  const { entity } = useEntity();
  return (
    <>
      <Box mb={2}>
        <DriftSection environment={entity.metadata.name} />
      </Box>
      <TerraformRunsSection environments={[entity.metadata.name]} />
    </>
  );
}
