import { Entity } from '@backstage/catalog-model';
import { catalogApiRef, EntityProvider } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import { DevopsAppApi, devopsAppApiRef } from '../../api';
import { DevopsTab } from './DevopsTab';

const service: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'inference-service',
    namespace: 'default',
    annotations: {
      'devops-app.io/environments': 'dev,pre-prod,prod,Bad Env',
      'devops-app.io/prometheus-selector': 'service="inference-service"',
      'datadoghq.com/service-name': 'inference-service',
    },
  },
  spec: { type: 'service', owner: 'group:default/ml-team', lifecycle: 'production' },
};

const environment = (name: string, title: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name, namespace: 'default', title },
  spec: { type: 'environment', owner: 'group:default/platform-team' },
});

async function renderTab(api: Partial<DevopsAppApi>, entities: Entity[]) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [devopsAppApiRef, api as DevopsAppApi],
        [catalogApiRef, catalogApiMock({ entities })],
      ]}
    >
      <EntityProvider entity={service}>
        <DevopsTab />
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRefForTests() } },
  );
}

// The entity links in the table need the catalog's entity route; the legacy test app resolves it.
function entityRouteRefForTests() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@backstage/plugin-catalog-react').entityRouteRef;
}

// The tab renders every section; on a loaded 2-core machine that takes seconds, not milliseconds.
jest.setTimeout(30_000);

describe('DevopsTab', () => {
  const configured: Partial<DevopsAppApi> = {
    getConfiguredEnvironments: async () => [
      { name: 'dev', title: 'Development', namespace: 'inference-dev', production: false },
      { name: 'prod', title: 'Production', namespace: 'inference-prod', production: true },
    ],
  };

  it('lists the environments of the annotation, merged with config and catalog', async () => {
    await renderTab(configured, [environment('dev', 'Development'), environment('pre-prod', 'Pre-production')]);

    await screen.findByText('inference-dev');
    const rows = within(screen.getAllByRole('table')[0]).getAllByRole('row');
    const text = rows.map(r => r.textContent);
    // header + dev, pre-prod, prod in the annotation's order; the invalid entry is not a row
    expect(text).toHaveLength(4);
    expect(text[1]).toContain('dev');
    expect(text[1]).toContain('inference-dev');
    expect(text[1]).toContain('non-production');
    expect(text[2]).toContain('pre-prod');
    expect(text[2]).toContain('Pre-production');
    expect(text[2]).toContain('not configured');
    expect(text[3]).toContain('inference-prod');
    expect(text[3]).toContain('production');
    expect(within(rows[3]).getByText('no environment resource')).toBeInTheDocument();
    expect(within(rows[1]).getByRole('link')).toHaveAttribute(
      'href',
      '/catalog/default/resource/dev',
    );

    expect(screen.getByText(/"Bad Env" must be a lower-case DNS label/)).toBeInTheDocument();
    expect(screen.getByText('service="inference-service"')).toBeInTheDocument();
    expect(screen.getByText('not set (argocd/app-selector)')).toBeInTheDocument();
  });

  it('still lists the environments when the backend cannot be reached', async () => {
    await renderTab(
      { getConfiguredEnvironments: async () => { throw new Error('Request failed with 503'); } },
      [],
    );
    expect(await screen.findByText(/Could not read the environments' configuration/)).toBeInTheDocument();
    expect(screen.getByText(/Request failed with 503/)).toBeInTheDocument();
    const rows = within(screen.getAllByRole('table')[0]).getAllByRole('row');
    expect(rows.slice(1).map(r => (r as HTMLTableRowElement).cells[0].textContent)).toEqual(['dev', 'pre-prod', 'prod']);
  });

  it("shows only the terraform runs of the entity's environments", async () => {
    const listTerraformRuns = jest.fn(async () => []);
    const notConfigured = async () => ({ configured: false as const, upstream: 'datadog' as const, message: 'not configured' });
    await renderTab(
      { ...configured, listTerraformRuns, searchLogs: notConfigured, getTraceSummary: notConfigured, getMonitors: notConfigured },
      [],
    );
    expect(await screen.findByText(/No terraform run yet/)).toBeInTheDocument();
    // The valid names of the annotation, in one request; the invalid entry is left out.
    expect(listTerraformRuns).toHaveBeenCalledWith({ environments: ['dev', 'pre-prod', 'prod'] });
    expect(listTerraformRuns).not.toHaveBeenCalledWith({});
  });
});
