import { InfoCard } from '@backstage/core-components';
import { compatWrapper } from '@backstage/core-compat-api';
import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import Typography from '@material-ui/core/Typography';
import { EntityArgoCDHistoryCard } from '@roadiehq/backstage-plugin-argo-cd';

/** The configuration the card needs, shown while it is missing. */
export const ARGOCD_CONFIG_KEYS = [
  'argocd.baseUrl (the Argo CD UI, for links)',
  'devopsApp.argocd.instances (the devops-app backend reads Argo CD for the card, name, baseUrl, token from ${ARGOCD_TOKEN})',
];

export function ArgoCdHistoryCard() {
  const config = useApi(configApiRef);
  if (!config.getOptionalString('argocd.baseUrl')) {
    return (
      <InfoCard title="Argo CD history">
        <Typography variant="body2" paragraph>
          Argo CD is not connected. The history card reads the applications
          through the devops-app backend and needs:
        </Typography>
        <ul>
          {ARGOCD_CONFIG_KEYS.map(key => (
            <li key={key}>
              <Typography variant="body2" component="code">
                {key}
              </Typography>
            </li>
          ))}
        </ul>
      </InfoCard>
    );
  }
  return compatWrapper(<EntityArgoCDHistoryCard />);
}
