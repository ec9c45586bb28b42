import { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  EntityEnvironmentsResponse,
  MetricsPanelRequest,
} from '@devops-app/plugin-devops-app-common';
import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import {
  environment,
  environmentsResponse,
  setPageVisibility,
} from '../../__testUtils__/environments';
import { emptyPanel } from '../../__testUtils__/metrics';
import { DevopsAppApi, devopsAppApiRef } from '../../api';
import { DevopsTab } from './DevopsTab';

// The DORA section's recharts charts measure their container; jsdom has no layout.
beforeAll(() => {
  (globalThis as { ResizeObserver?: unknown }).ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
});

const ENTITY_REF = 'component:default/inference-service';
const service: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'inference-service',
    namespace: 'default',
    annotations: {
      // Only a filter now, applied by the backend; its invalid entry is still worth a warning.
      'devops-app.io/environments': 'dev,pre-prod,prod,Bad Env',
      'devops-app.io/prometheus-selector': 'service="inference-service"',
      'datadoghq.com/service-name': 'inference-service',
    },
  },
  spec: {
    type: 'service',
    owner: 'group:default/ml-team',
    lifecycle: 'production',
  },
};

const notConfigured = async () => ({
  configured: false as const,
  upstream: 'datadog' as const,
  message: 'not configured',
});
const noMetrics = async (r: MetricsPanelRequest) => emptyPanel(r);

/** Every backend read the tab makes, answering "nothing there"; tests override what they look at. */
const quiet: Partial<DevopsAppApi> = {
  getEntityEnvironments: async () =>
    environmentsResponse([
      environment('dev'),
      environment('pre-prod'),
      environment('prod'),
    ]),
  getDeploymentStatus: async () => ({
    entityRef: ENTITY_REF,
    repository: { configured: true, branch: 'main' },
    items: [],
  }),
  getAuditLog: async () => [],
  getRollbackOffers: async () => ({ entityRef: ENTITY_REF, items: [] }),
  getMetricsPanel: noMetrics,
  searchLogs: notConfigured,
  getTraceSummary: notConfigured,
  getMonitors: notConfigured,
  listTerraformRuns: async () => [],
};

async function renderTab(api: Partial<DevopsAppApi>) {
  await renderInTestApp(
    <TestApiProvider
      apis={[[devopsAppApiRef, { ...quiet, ...api } as DevopsAppApi]]}
    >
      <EntityProvider entity={service}>
        <DevopsTab />
      </EntityProvider>
    </TestApiProvider>,
    // The entity links in the table need the catalog's entity route.
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

/** The InfoCard with this title. */
function card(title: string): HTMLElement {
  const heading = screen.getByText(title, { selector: '.MuiCardHeader-title' });
  return heading.closest('.MuiCard-root') as HTMLElement;
}

/** The names an environment picker offers (opens it, reads, closes it). */
async function pickerOptions(cardTitle: string): Promise<string[]> {
  const select = within(card(cardTitle))
    .getAllByRole('button')
    .find(b => b.getAttribute('aria-haspopup') === 'listbox');
  if (!select) throw new Error(`no environment picker in ${cardTitle}`);
  fireEvent.mouseDown(select);
  const listbox = await screen.findByRole('listbox');
  const names = within(listbox)
    .getAllByRole('option')
    .map(o => o.textContent ?? '');
  fireEvent.keyDown(listbox, { key: 'Escape' });
  await waitFor(() => expect(screen.queryByRole('listbox')).toBeNull());
  return names;
}

/** The environment names of the Environments table, in order. */
function environmentRows(): string[] {
  const table = within(card('Environments')).getByRole('table');
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map(
      r =>
        (r as HTMLTableRowElement).cells[0].querySelector('strong')
          ?.textContent ?? '',
    );
}

// The tab renders every section; on a loaded 2-core machine that takes seconds, not milliseconds.
jest.setTimeout(60_000);

describe('DevopsTab', () => {
  it("lists the service's environments from the resolver, in promotion order, with one request for the whole tab", async () => {
    const getEntityEnvironments = jest.fn(quiet.getEntityEnvironments!);
    await renderTab({ getEntityEnvironments });

    await screen.findByText('inference-dev');
    const rows = within(
      within(card('Environments')).getByRole('table'),
    ).getAllByRole('row');
    const text = rows.map(r => r.textContent);
    // header + dev, pre-prod, prod in the resolver's (promotion) order
    expect(text).toHaveLength(4);
    expect(text[1]).toMatch(
      /1\. dev.*Development.*inference-dev.*non-production.*protected/,
    );
    expect(text[2]).toMatch(/2\. pre-prod.*Pre-production.*inference-pre-prod/);
    expect(text[3]).toMatch(/3\. prod.*Production.*inference-prod.*production/);
    expect(
      within(rows[1]).getByRole('link', { name: 'Development' }),
    ).toHaveAttribute('href', '/catalog/default/resource/dev');
    expect(
      within(rows[3]).getByRole('link', { name: 'Production' }),
    ).toHaveAttribute('href', '/catalog/default/resource/prod');

    expect(
      screen.getByText(/"Bad Env" must be a lower-case DNS label/),
    ).toBeInTheDocument();
    expect(screen.getByText('service="inference-service"')).toBeInTheDocument();
    expect(
      screen.getByText('not set (argocd/app-selector)'),
    ).toBeInTheDocument();

    // Metrics and Logs & Traces offer the same environments.
    expect(await pickerOptions('Metrics')).toEqual(['dev', 'pre-prod', 'prod']);
    expect(await pickerOptions('Logs & Traces')).toEqual([
      'dev',
      'pre-prod',
      'prod',
    ]);
    // The card, both pickers and the Infrastructure section share one read.
    expect(getEntityEnvironments).toHaveBeenCalledTimes(1);
    expect(getEntityEnvironments).toHaveBeenCalledWith(ENTITY_REF);
  });

  it("starts the Metrics section's reads with the tab, and its charts show those answers: one read per default panel", async () => {
    const getEntityEnvironments = jest.fn(quiet.getEntityEnvironments!);
    const getMetricsPanel = jest.fn(noMetrics);
    await renderTab({ getEntityEnvironments, getMetricsPanel });
    // Five charts of dev over 1h, each saying it has no data.
    await waitFor(() =>
      expect(
        within(card('Metrics')).getAllByText(/^No data for dev in the last 1h/),
      ).toHaveLength(5),
    );
    const keys = getMetricsPanel.mock.calls.map(
      ([r]) =>
        `${r.environment} ${r.range} ${r.panel}${
          r.splitByColour ? ' split' : ''
        }`,
    );
    // The preload's six requests, each once: the charts and the overlay switch took them instead of
    // asking again.
    expect(keys.sort()).toEqual(
      [
        'dev 1h error_ratio',
        'dev 1h inference_duration',
        'dev 1h latency',
        'dev 1h predictions_by_outcome',
        'dev 1h request_rate',
        'dev 1h request_rate split',
      ].sort(),
    );
    expect(getEntityEnvironments).toHaveBeenCalledTimes(1);
  });

  it('says so in each section when the environments cannot be read, and asks for no runs', async () => {
    const listTerraformRuns = jest.fn(async () => []);
    const getMetricsPanel = jest.fn(noMetrics);
    await renderTab({
      getEntityEnvironments: async () => {
        throw new Error('Request failed with 503 Service Unavailable');
      },
      listTerraformRuns,
      getMetricsPanel,
    });
    // The Environments card, Metrics, Logs & Traces and Infrastructure each say why they are empty.
    await waitFor(() =>
      expect(
        screen.getAllByText(/Could not read the environments/),
      ).toHaveLength(4),
    );
    expect(
      screen.getAllByText(/Request failed with 503/).length,
    ).toBeGreaterThanOrEqual(4);
    // No list means no runs to ask for (an absent list would be every run), and no metrics without an environment.
    expect(listTerraformRuns).not.toHaveBeenCalled();
    expect(getMetricsPanel).not.toHaveBeenCalled();
  });

  it("shows only the terraform runs of the service's environments", async () => {
    const listTerraformRuns = jest.fn(async () => []);
    const long = 'an-environment-name-longer-than-24';
    await renderTab({
      listTerraformRuns,
      getEntityEnvironments: async () =>
        environmentsResponse([
          environment('dev'),
          environment('pre-prod'),
          environment('prod'),
          environment(long, {
            problems: [
              {
                annotation: 'metadata.name',
                message: `"${long}" is longer than 24 characters`,
              },
            ],
          }),
        ]),
    });
    expect(await screen.findByText(/No terraform run yet/)).toBeInTheDocument();
    // The resolver's names, in one request; a name outside the environment grammar is left out.
    expect(listTerraformRuns).toHaveBeenCalledWith({
      environments: ['dev', 'pre-prod', 'prod'],
    });
    expect(listTerraformRuns).not.toHaveBeenCalledWith({});
  });

  it('shows an environment registered while the tab is open in the card, both pickers and the runs', async () => {
    let items = [environment('dev'), environment('prod')];
    const getEntityEnvironments = jest.fn(
      async (): Promise<EntityEnvironmentsResponse> =>
        environmentsResponse(items),
    );
    const listTerraformRuns = jest.fn(async () => []);
    await renderTab({ getEntityEnvironments, listTerraformRuns });
    await screen.findByText('inference-prod');
    expect(environmentRows()).toEqual(['dev', 'prod']);
    expect(await pickerOptions('Metrics')).toEqual(['dev', 'prod']);

    items = [environment('dev'), environment('load-test'), environment('prod')];
    act(() => setPageVisibility('hidden'));
    act(() => setPageVisibility('visible'));

    await screen.findByText('inference-load-test');
    expect(environmentRows()).toEqual(['dev', 'load-test', 'prod']);
    expect(await pickerOptions('Metrics')).toEqual([
      'dev',
      'load-test',
      'prod',
    ]);
    expect(await pickerOptions('Logs & Traces')).toEqual([
      'dev',
      'load-test',
      'prod',
    ]);
    await waitFor(() =>
      expect(listTerraformRuns).toHaveBeenLastCalledWith({
        environments: ['dev', 'load-test', 'prod'],
      }),
    );
    // One read per refresh for the whole tab.
    expect(getEntityEnvironments).toHaveBeenCalledTimes(2);
  });
});
