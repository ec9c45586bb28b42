import { Entity } from '@backstage/catalog-model';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  EntityEnvironmentsResponse,
  MetricsPanelRequest,
  MetricsPanelResponse,
  METRICS_PANEL_INFO,
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
import { DevopsAppApi, devopsAppApiRef } from '../../api';
import { MetricsSection } from './MetricsSection';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'inference-service',
    namespace: 'default',
    annotations: {
      'devops-app.io/prometheus-selector': 'service="inference-service"',
    },
  },
  spec: {},
};

function panel(
  request: MetricsPanelRequest,
  series: MetricsPanelResponse['series'],
): MetricsPanelResponse {
  const info = METRICS_PANEL_INFO[request.panel];
  return {
    configured: true,
    panel: request.panel,
    title: info.title,
    unit: info.unit,
    environment: request.environment,
    start: 0,
    end: 60,
    step: 15,
    splitByColour: Boolean(request.splitByColour),
    series,
  };
}

const point = (v: number | null): [number, number | null] => [
  1_700_000_000_000,
  v,
];

async function render(api: Partial<DevopsAppApi>) {
  const full: Partial<DevopsAppApi> = {
    getEntityEnvironments: async () =>
      environmentsResponse([environment('dev'), environment('prod')]),
    ...api,
  };
  await renderInTestApp(
    <TestApiProvider apis={[[devopsAppApiRef, full as DevopsAppApi]]}>
      <MetricsSection entity={entity} />
    </TestApiProvider>,
  );
}

describe('MetricsSection', () => {
  it('shows a spinner while loading', async () => {
    await render({ getMetricsPanel: () => new Promise(() => {}) });
    expect(screen.getAllByTestId('progress').length).toBeGreaterThan(0);
  });

  it('shows each panel with its current value in its unit', async () => {
    const getMetricsPanel = jest.fn(async (r: MetricsPanelRequest) => {
      switch (r.panel) {
        case 'request_rate':
          return panel(r, [
            {
              name: r.splitByColour ? 'none' : 'value',
              labels: {},
              points: [point(0.4), point(0.5333)],
            },
          ]);
        case 'error_ratio':
          return panel(r, [
            { name: 'value', labels: {}, points: [point(0.25)] },
          ]);
        case 'latency':
          return panel(r, [
            { name: 'p50', labels: { quantile: 'p50' }, points: [point(0.3)] },
            { name: 'p95', labels: { quantile: 'p95' }, points: [point(0.9)] },
            {
              name: 'p99',
              labels: { quantile: 'p99' },
              points: [point(1.5), point(null)],
            },
          ]);
        default:
          return panel(r, [
            {
              name: 'success',
              labels: { outcome: 'success' },
              points: [point(2)],
            },
          ]);
      }
    });
    await render({ getMetricsPanel });
    expect(
      await screen.findByTestId('current-request_rate-value'),
    ).toHaveTextContent('0.53 req/s');
    expect(screen.getByTestId('current-error_ratio-value')).toHaveTextContent(
      '25.0 %',
    );
    expect(screen.getByTestId('current-latency-p95')).toHaveTextContent(
      '900 ms',
    );
    // The last point is a gap; the current value is the last number.
    expect(screen.getByTestId('current-latency-p99')).toHaveTextContent(
      '1.50 s',
    );
    expect(screen.getByTestId('chart-latency')).toHaveAttribute(
      'data-points',
      '1',
    );
    // Only one colour is live: the overlay is off and says why.
    expect(
      screen.getByText('Blue / green overlay (one colour live)'),
    ).toBeInTheDocument();
    expect(getMetricsPanel).toHaveBeenCalledWith(
      expect.objectContaining({
        entityRef: 'component:default/inference-service',
        environment: 'dev',
        range: '1h',
      }),
    );
  });

  it('asks again for another time range', async () => {
    const getMetricsPanel = jest.fn(async (r: MetricsPanelRequest) =>
      panel(r, [{ name: 'value', labels: {}, points: [point(1)] }]),
    );
    await render({ getMetricsPanel });
    await screen.findByTestId('current-request_rate-value');
    fireEvent.click(screen.getByRole('button', { name: '7d' }));
    await waitFor(() =>
      expect(getMetricsPanel).toHaveBeenCalledWith(
        expect.objectContaining({ panel: 'latency', range: '7d' }),
      ),
    );
  });

  it('overlays blue and green when both are live', async () => {
    const getMetricsPanel = jest.fn(async (r: MetricsPanelRequest) =>
      r.splitByColour
        ? panel(r, [
            { name: 'blue', labels: { colour: 'blue' }, points: [point(1)] },
            {
              name: 'green',
              labels: { colour: 'green' },
              points: [point(0.5)],
            },
          ])
        : panel(r, [{ name: 'value', labels: {}, points: [point(1.5)] }]),
    );
    await render({ getMetricsPanel });
    expect(
      await screen.findByTestId('current-error_ratio-green'),
    ).toBeInTheDocument();
    expect(screen.getByText('Blue / green overlay')).toBeInTheDocument();
    expect(getMetricsPanel).toHaveBeenCalledWith(
      expect.objectContaining({ panel: 'latency', splitByColour: true }),
    );
  });

  it('says when there is no data', async () => {
    await render({ getMetricsPanel: async r => panel(r, []) });
    expect(
      (await screen.findAllByText(/No data for dev in the last 1h/)).length,
    ).toBe(5);
  });

  it('says when Prometheus is not configured', async () => {
    await render({
      getMetricsPanel: async () => ({
        configured: false,
        upstream: 'prometheus',
        message:
          'Prometheus is not configured: set devopsApp.prometheus.baseUrl',
      }),
    });
    expect(
      (await screen.findAllByText(/Prometheus is not configured/)).length,
    ).toBe(5);
  });

  it('shows the upstream error', async () => {
    await render({
      getMetricsPanel: async () => {
        throw new Error(
          'Prometheus at http://127.0.0.1:9090 is unreachable (connect ECONNREFUSED)',
        );
      },
    });
    // Each panel's error panel names the panel and the cause in its title.
    expect(
      (
        await screen.findAllByText(
          /^Error: Could not load .*: Prometheus at http:\/\/127.0.0.1:9090 is unreachable/,
        )
      ).length,
    ).toBe(5);
  });

  describe('environment picker', () => {
    const flat = async (r: MetricsPanelRequest) =>
      panel(r, [{ name: 'value', labels: {}, points: [point(1)] }]);
    const picker = () => {
      const select = screen
        .getAllByRole('button')
        .find(b => b.getAttribute('aria-haspopup') === 'listbox');
      if (!select) throw new Error('no environment picker');
      return select;
    };
    const options = async () => {
      fireEvent.mouseDown(picker());
      const listbox = await screen.findByRole('listbox');
      return {
        listbox,
        names: within(listbox)
          .getAllByRole('option')
          .map(o => o.textContent),
      };
    };
    const choose = async (name: string) => {
      const { listbox } = await options();
      fireEvent.click(within(listbox).getByRole('option', { name }));
      await waitFor(() => expect(screen.queryByRole('listbox')).toBeNull());
    };

    it('lists a new environment at the next refresh and keeps the chosen one', async () => {
      let items = [environment('dev'), environment('prod')];
      const getEntityEnvironments = jest.fn(
        async (): Promise<EntityEnvironmentsResponse> =>
          environmentsResponse(items),
      );
      const getMetricsPanel = jest.fn(flat);
      await render({ getEntityEnvironments, getMetricsPanel });
      await screen.findByTestId('current-request_rate-value');
      await choose('prod');
      await waitFor(() =>
        expect(getMetricsPanel).toHaveBeenLastCalledWith(
          expect.objectContaining({ environment: 'prod' }),
        ),
      );
      const asked = getMetricsPanel.mock.calls.length;

      items = [
        environment('dev'),
        environment('load-test'),
        environment('prod'),
      ];
      act(() => setPageVisibility('hidden'));
      act(() => setPageVisibility('visible'));
      await waitFor(() =>
        expect(getEntityEnvironments).toHaveBeenCalledTimes(2),
      );

      const { listbox, names } = await options();
      expect(names).toEqual(['dev', 'load-test', 'prod']);
      fireEvent.keyDown(listbox, { key: 'Escape' });
      // Still prod: the refresh did not reset the choice.
      expect(screen.getByTestId('metrics-environment')).toHaveValue('prod');
      // and no chart went back to dev meanwhile
      expect(
        getMetricsPanel.mock.calls.slice(asked).map(([r]) => r.environment),
      ).not.toContain('dev');
    });

    it('falls back to the first environment when the chosen one leaves the list', async () => {
      let items = [environment('dev'), environment('prod')];
      const getEntityEnvironments = jest.fn(
        async (): Promise<EntityEnvironmentsResponse> =>
          environmentsResponse(items),
      );
      await render({ getEntityEnvironments, getMetricsPanel: flat });
      await screen.findByTestId('current-request_rate-value');
      await choose('prod');
      expect(screen.getByTestId('metrics-environment')).toHaveValue('prod');
      items = [environment('dev')];
      act(() => setPageVisibility('hidden'));
      act(() => setPageVisibility('visible'));
      await waitFor(() =>
        expect(screen.getByTestId('metrics-environment')).toHaveValue('dev'),
      );
    });

    it("shows a prometheus-url problem instead of the charts; the environment's other problems do not stop metrics", async () => {
      const prometheusProblem = {
        annotation: 'devops-app.io/prometheus-url',
        message: '"ftp://prom" is not an http or https URL without credentials',
      };
      const getMetricsPanel = jest.fn(flat);
      await render({
        getEntityEnvironments: async () =>
          environmentsResponse([
            environment('dev', {
              problems: [
                {
                  annotation: 'devops-app.io/namespace',
                  message: '"Bad_NS" is not a DNS label',
                },
              ],
            }),
            environment('load-test', { problems: [prometheusProblem] }),
          ]),
        getMetricsPanel,
      });
      // dev's namespace problem does not concern Prometheus: its charts show.
      expect(
        await screen.findByTestId('current-request_rate-value'),
      ).toHaveTextContent('1.00 req/s');

      await choose('load-test');
      expect(
        await screen.findByText(
          /No metrics for load-test: its Prometheus endpoint is malformed/,
        ),
      ).toBeInTheDocument();
      expect(
        screen.getByText(
          `devops-app.io/prometheus-url: ${prometheusProblem.message}`,
        ),
      ).toBeInTheDocument();
      expect(screen.queryByTestId('current-request_rate-value')).toBeNull();
      expect(getMetricsPanel).not.toHaveBeenCalledWith(
        expect.objectContaining({ environment: 'load-test' }),
      );
      // The picker stays, to go back.
      await choose('dev');
      expect(
        await screen.findByTestId('current-request_rate-value'),
      ).toBeInTheDocument();
    });

    it('says when the service has no environment, and asks Prometheus nothing', async () => {
      const getMetricsPanel = jest.fn(flat);
      await render({
        getEntityEnvironments: async () => environmentsResponse([]),
        getMetricsPanel,
      });
      expect(
        await screen.findByText(
          /No environment of this service is in the catalog/,
        ),
      ).toBeInTheDocument();
      expect(getMetricsPanel).not.toHaveBeenCalled();
    });
  });
});
