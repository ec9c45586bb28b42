import { useEntity } from '@backstage/plugin-catalog-react';
import { TerraformRunsSection } from './TerraformRunsSection';

/** The Infrastructure tab of an environment Resource: that environment's runs. */
export function EnvironmentInfrastructureContent() {
  const { entity } = useEntity();
  return <TerraformRunsSection environments={[entity.metadata.name]} />;
}
