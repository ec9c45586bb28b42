import { Entity } from '@backstage/catalog-model';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  LogsRequest,
  LogsResponse,
  MonitorsResponse,
  NotConfiguredResponse,
  TracesResponse,
} from '@devops-app/plugin-devops-app-common';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { DevopsAppApi, devopsAppApiRef } from '../../api';
import { LogsTracesSection } from './LogsTracesSection';

// The machine is small and shared with browser tests; rendering tables can take seconds.
jest.setTimeout(30_000);

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'inference-service',
    namespace: 'default',
    annotations: { 'devops-app.io/environments': 'dev,prod' },
  },
  spec: {},
};

const logs: LogsResponse = {
  configured: true,
  link: 'https://app.datadoghq.eu/logs?query=service',
  rows: [
    {
      id: 'l2',
      timestamp: '2026-11-25T14:01:00.000Z',
      level: 'error',
      message: 'blob upload failed',
      requestId: 'req-42',
      traceId: '123',
      link: 'https://app.datadoghq.eu/logs?event=l2',
      traceLink: 'https://app.datadoghq.eu/apm/trace/123',
    },
    {
      id: 'l1',
      timestamp: '2026-11-25T14:00:00.000Z',
      level: 'info',
      message: 'request completed',
      link: 'https://app.datadoghq.eu/logs?event=l1',
    },
  ],
};
const traces: TracesResponse = {
  configured: true,
  link: 'https://app.datadoghq.eu/apm/traces',
  rows: [{ resource: 'POST /v1/predict', hits: 200, errors: 4, p95: 0.25, link: 'https://app.datadoghq.eu/apm/x' }],
};
const monitors: MonitorsResponse = {
  configured: true,
  link: 'https://app.datadoghq.eu/monitors/manage',
  rows: [
    { id: 1, name: 'Error rate', state: 'Alert', link: 'https://app.datadoghq.eu/monitors/1' },
    { id: 2, name: 'Latency', state: 'OK', link: 'https://app.datadoghq.eu/monitors/2' },
  ],
};
const notConfigured: NotConfiguredResponse = {
  configured: false,
  upstream: 'datadog',
  message: 'Datadog is not configured: set devopsApp.datadog.site, apiKey and appKey',
};

async function render(api: Partial<DevopsAppApi>) {
  await renderInTestApp(
    <TestApiProvider apis={[[devopsAppApiRef, api as DevopsAppApi]]}>
      <LogsTracesSection entity={entity} />
    </TestApiProvider>,
  );
}

describe('LogsTracesSection', () => {
  it('shows spinners while loading', async () => {
    const never = () => new Promise<never>(() => {});
    await render({ searchLogs: never, getTraceSummary: never, getMonitors: never });
    expect(screen.getAllByTestId('progress')).toHaveLength(3);
  });

  it('shows monitors, logs with trace links and spans by resource', async () => {
    await render({
      searchLogs: async () => logs,
      getTraceSummary: async () => traces,
      getMonitors: async () => monitors,
    });
    expect(await screen.findByText('blob upload failed')).toBeInTheDocument();
    expect(screen.getByText('Alert: Error rate')).toBeInTheDocument();
    expect(screen.getByText('OK: Latency')).toBeInTheDocument();
    expect(screen.getByText('trace').closest('a')).toHaveAttribute(
      'href',
      'https://app.datadoghq.eu/apm/trace/123',
    );
    expect(screen.getByText('POST /v1/predict')).toBeInTheDocument();
    expect(screen.getByText('250 ms')).toBeInTheDocument();
    expect(screen.getByText('2.00 %')).toBeInTheDocument();
  });

  it('filters by level and text, and shows one request story from its request_id', async () => {
    const searchLogs = jest.fn(async (_r: LogsRequest) => logs);
    await render({ searchLogs, getTraceSummary: async () => traces, getMonitors: async () => monitors });
    await screen.findByText('blob upload failed');

    fireEvent.change(screen.getByLabelText('Search text'), { target: { value: 'upload' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() => expect(searchLogs).toHaveBeenLastCalledWith(expect.objectContaining({ text: 'upload' })));

    fireEvent.click(await screen.findByRole('button', { name: 'req-42' }));
    await waitFor(() =>
      expect(searchLogs).toHaveBeenLastCalledWith(expect.objectContaining({ requestId: 'req-42' })),
    );
    expect(await screen.findByText(/The whole story of request/)).toBeInTheDocument();
  });

  it('says when nothing matches', async () => {
    await render({
      searchLogs: async () => ({ ...logs, rows: [] }),
      getTraceSummary: async () => ({ ...traces, rows: [] }),
      getMonitors: async () => ({ ...monitors, rows: [] }),
    });
    expect(await screen.findByText('No log lines for dev in the last 1h match.')).toBeInTheDocument();
    expect(screen.getByText('No spans for dev in the last 1h.')).toBeInTheDocument();
    expect(screen.getByText(/No Datadog monitor is tagged/)).toBeInTheDocument();
  });

  it('says when Datadog is not configured', async () => {
    await render({
      searchLogs: async () => notConfigured,
      getTraceSummary: async () => notConfigured,
      getMonitors: async () => notConfigured,
    });
    expect(await screen.findAllByText(/Datadog is not configured/)).toHaveLength(3);
  });

  it('shows the upstream error', async () => {
    const fail = async () => {
      throw new Error('Datadog logs search (datadoghq.eu): rate limited (429) after the retries allowed');
    };
    await render({ searchLogs: fail, getTraceSummary: async () => traces, getMonitors: async () => monitors });
    expect(await screen.findByText(/Could not load logs/)).toBeInTheDocument();
    expect(screen.getByText(/rate limited \(429\)/)).toBeInTheDocument();
    expect(screen.getByText('POST /v1/predict')).toBeInTheDocument();
  });
});
