import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { validateEnvironmentName } from '@devops-app/plugin-devops-app-common';
import { useEntityEnvironments } from '../../hooks';
import { TerraformRunsSection } from '../TerraformRunsSection';

/**
 * The Infrastructure section of the tab: the terraform runs of the service's environments (the
 * resolver's list). Waits for the list: an undefined list would mean every run. A name outside the
 * environment-name grammar has no runs and would make the backend refuse the whole request.
 */
export function EntityInfrastructureSection(props: { entity: Entity }) {
  const { environments, error } = useEntityEnvironments(
    stringifyEntityRef(props.entity),
  );
  if (!environments) {
    return (
      <InfoCard
        title="Infrastructure"
        subheader="Terraform runs of the environments (new-environment template)"
      >
        {error ? (
          <ResponseErrorPanel
            title="Could not read the environments"
            error={error}
          />
        ) : (
          <Progress />
        )}
      </InfoCard>
    );
  }
  return (
    <TerraformRunsSection
      environments={environments
        .map(e => e.name)
        .filter(name => !validateEnvironmentName(name))}
    />
  );
}
