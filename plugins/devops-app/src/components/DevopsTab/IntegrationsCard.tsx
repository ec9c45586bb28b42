import { Entity } from '@backstage/catalog-model';
import { InfoCard, StructuredMetadataTable } from '@backstage/core-components';
import {
  ANNOTATION_ARGOCD_APP_SELECTOR,
  ANNOTATION_DATADOG_SERVICE_NAME,
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_PROMETHEUS_SELECTOR,
} from '@devops-app/plugin-devops-app-common';

const integrations = [
  { label: 'Prometheus selector', annotation: ANNOTATION_PROMETHEUS_SELECTOR },
  { label: 'Datadog service', annotation: ANNOTATION_DATADOG_SERVICE_NAME },
  { label: 'Argo CD applications', annotation: ANNOTATION_ARGOCD_APP_SELECTOR },
  { label: 'Kubernetes id', annotation: ANNOTATION_KUBERNETES_ID },
];

/** Which observability and delivery integrations the entity's annotations set up. */
export function IntegrationsCard(props: { entity: Entity }) {
  const annotations = props.entity.metadata.annotations ?? {};
  const metadata = Object.fromEntries(
    integrations.map(i => [
      i.label,
      annotations[i.annotation] ?? `not set (${i.annotation})`,
    ]),
  );
  return (
    <InfoCard
      title="Integrations"
      subheader="Where the portal reads this service's data"
    >
      <StructuredMetadataTable metadata={metadata} />
    </InfoCard>
  );
}
