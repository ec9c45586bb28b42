import {
  Environment,
  EntityEnvironmentsResponse,
} from '@devops-app/plugin-devops-app-common';

const TITLES: Record<string, string> = {
  dev: 'Development',
  'pre-prod': 'Pre-production',
  prod: 'Production',
};
const ORDER: Record<string, number> = { dev: 1, 'pre-prod': 2, prod: 3 };

/** An environment as the backend's resolver answers it, with the catalog's defaults for dev, pre-prod, prod. */
export function environment(
  name: string,
  overrides: Partial<Environment> = {},
): Environment {
  const production = name === 'prod';
  return {
    name,
    entityRef: `resource:default/${name}`,
    title: TITLES[name] ?? name,
    owner: production ? 'group:default/platform-team' : 'group:default/ml-team',
    namespace: `inference-${name}`,
    production,
    protected: name in ORDER,
    promotionOrder: ORDER[name],
    problems: [],
    ...overrides,
  };
}

/** The resolver's answer for the service. */
export function environmentsResponse(
  items: Environment[],
  entityRef = 'component:default/inference-service',
): EntityEnvironmentsResponse {
  return { entityRef, items };
}

/** jsdom's page is always visible; tests switch it to hidden and back to trigger the visible-again refresh. */
export function setPageVisibility(state: 'visible' | 'hidden') {
  Object.defineProperty(document, 'visibilityState', {
    configurable: true,
    get: () => state,
  });
  document.dispatchEvent(new Event('visibilitychange'));
}
