import { Content, Header, Page } from '@backstage/core-components';
import { useParams } from 'react-router-dom';
import { TerraformRunDetails } from '../TerraformRunDetails';
import { TerraformRunsSection } from '../TerraformRunsSection';

/** /devops-app/terraform-runs/:runId, the page the template's output links to; the list without an id. */
export function TerraformRunPage() {
  const { '*': rest } = useParams();
  const runId = rest?.split('/')[0];
  return (
    <Page themeId="tool">
      <Header
        title={runId ? 'Terraform run' : 'Terraform runs'}
        subtitle={runId}
      />
      <Content>
        {runId ? (
          <TerraformRunDetails runId={runId} />
        ) : (
          <TerraformRunsSection />
        )}
      </Content>
    </Page>
  );
}
