import { Entity } from '@backstage/catalog-model';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  LogRow,
  LogsRequest,
  LogsResponse,
  MonitorsResponse,
  NotConfiguredResponse,
  TracesResponse,
} from '@devops-app/plugin-devops-app-common';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import {
  environment,
  environmentsResponse,
} from '../../__testUtils__/environments';
import { DevopsAppApi, devopsAppApiRef } from '../../api';
import { checkCustomRange } from './CustomRangePicker';
import { LogsTracesSection } from './LogsTracesSection';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'inference-service',
    namespace: 'default',
    annotations: { 'datadoghq.com/service-name': 'inference-service' },
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
  rows: [
    {
      resource: 'POST /v1/predict',
      hits: 200,
      errors: 4,
      p95: 0.25,
      link: 'https://app.datadoghq.eu/apm/x',
    },
  ],
};
const monitors: MonitorsResponse = {
  configured: true,
  link: 'https://app.datadoghq.eu/monitors/manage',
  rows: [
    {
      id: 1,
      name: 'Error rate',
      state: 'Alert',
      link: 'https://app.datadoghq.eu/monitors/1',
    },
    {
      id: 2,
      name: 'Latency',
      state: 'OK',
      link: 'https://app.datadoghq.eu/monitors/2',
    },
  ],
};
const notConfigured: NotConfiguredResponse = {
  configured: false,
  upstream: 'datadog',
  message:
    'Datadog is not configured: set devopsApp.datadog.site, apiKey and appKey',
};

async function render(api: Partial<DevopsAppApi>) {
  const full: Partial<DevopsAppApi> = {
    getEntityEnvironments: async () =>
      environmentsResponse([environment('dev'), environment('prod')]),
    ...api,
  };
  await renderInTestApp(
    <TestApiProvider apis={[[devopsAppApiRef, full as DevopsAppApi]]}>
      <LogsTracesSection entity={entity} />
    </TestApiProvider>,
  );
}

describe('LogsTracesSection', () => {
  it('shows spinners while loading', async () => {
    const never = () => new Promise<never>(() => {});
    await render({
      searchLogs: never,
      getTraceSummary: never,
      getMonitors: never,
    });
    // One each for monitors, logs and traces, once the environments are read
    await waitFor(() =>
      expect(screen.getAllByTestId('progress')).toHaveLength(3),
    );
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
    await render({
      searchLogs,
      getTraceSummary: async () => traces,
      getMonitors: async () => monitors,
    });
    await screen.findByText('blob upload failed');

    fireEvent.change(screen.getByLabelText('Search text'), {
      target: { value: 'upload' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() =>
      expect(searchLogs).toHaveBeenLastCalledWith(
        expect.objectContaining({ text: 'upload' }),
      ),
    );

    fireEvent.click(await screen.findByRole('button', { name: 'req-42' }));
    await waitFor(() =>
      expect(searchLogs).toHaveBeenLastCalledWith(
        expect.objectContaining({ requestId: 'req-42' }),
      ),
    );
    expect(
      await screen.findByText(/The whole story of request/),
    ).toBeInTheDocument();
  });

  it('says when nothing matches', async () => {
    await render({
      searchLogs: async () => ({ ...logs, rows: [] }),
      getTraceSummary: async () => ({ ...traces, rows: [] }),
      getMonitors: async () => ({ ...monitors, rows: [] }),
    });
    expect(
      await screen.findByText('No log lines for dev in the last 1h match.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('No spans for dev in the last 1h.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/No Datadog monitor is tagged/),
    ).toBeInTheDocument();
  });

  it('says when Datadog is not configured', async () => {
    await render({
      searchLogs: async () => notConfigured,
      getTraceSummary: async () => notConfigured,
      getMonitors: async () => notConfigured,
    });
    expect(
      await screen.findAllByText(/Datadog is not configured/),
    ).toHaveLength(3);
  });

  it('shows the upstream error', async () => {
    const fail = async () => {
      throw new Error(
        'Datadog logs search (datadoghq.eu): rate limited (429) after the retries allowed',
      );
    };
    await render({
      searchLogs: fail,
      getTraceSummary: async () => traces,
      getMonitors: async () => monitors,
    });
    expect(
      await screen.findByText(
        'Error: Could not load logs: Datadog logs search (datadoghq.eu): rate limited (429) after the retries allowed',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('POST /v1/predict')).toBeInTheDocument();
  });

  describe('when the backend answers 429', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());
    const advance = (ms: number) =>
      act(async () => {
        await jest.advanceTimersByTimeAsync(ms);
      });

    it('says when it retries and reads again after exactly the wait the backend asked for', async () => {
      // As DevopsAppClient throws it for a 429 (see its tests): the wait on the error.
      const rateLimited = Object.assign(
        new Error('Datadog logs search: rate limited'),
        { retryAfterSeconds: 5 },
      );
      const searchLogs = jest
        .fn<Promise<LogsResponse>, [LogsRequest]>()
        .mockRejectedValueOnce(rateLimited)
        .mockResolvedValue(logs);
      await render({
        searchLogs,
        getTraceSummary: async () => traces,
        getMonitors: async () => monitors,
      });
      for (let i = 0; i < 5 && searchLogs.mock.calls.length === 0; i++)
        await advance(0);
      await advance(0);
      expect(searchLogs).toHaveBeenCalledTimes(1);
      expect(
        screen.getByText(
          'Error: Could not load logs: Datadog logs search: rate limited — retrying in 5 s',
        ),
      ).toBeInTheDocument();

      await advance(4_999);
      expect(searchLogs).toHaveBeenCalledTimes(1);
      await advance(1);
      expect(searchLogs).toHaveBeenCalledTimes(2);
      expect(screen.getByText('blob upload failed')).toBeInTheDocument();
      expect(screen.queryByText(/retrying in/)).not.toBeInTheDocument();
    });
  });

  describe('paging', () => {
    const line = (
      id: string,
      message: string,
      extra: Partial<LogRow> = {},
    ): LogRow => ({
      id,
      timestamp: '2026-11-25T13:00:00.000Z',
      level: 'info',
      message,
      link: `https://app.datadoghq.eu/logs?event=${id}`,
      ...extra,
    });
    const window = {
      from: '2026-11-25T13:00:00.000Z',
      to: '2026-11-25T14:00:00.000Z',
    };
    // Page 1 ends with l1; Datadog's page 2 starts with it again, then l0; no cursor after that.
    const pages = (request: LogsRequest): LogsResponse => {
      if (!request.cursor)
        return { ...logs, ...window, nextCursor: 'cursor-1' };
      if (request.cursor === 'cursor-1') {
        return {
          ...logs,
          ...window,
          rows: [
            logs.rows[1],
            line('l0', 'older line', { requestId: 'req-42' }),
          ],
        };
      }
      throw new Error(`unexpected cursor ${request.cursor}`);
    };

    it('appends the next page under the table without duplicates, then hides "Load older"', async () => {
      const searchLogs = jest.fn(async (r: LogsRequest) => pages(r));
      await render({
        searchLogs,
        getTraceSummary: async () => traces,
        getMonitors: async () => monitors,
      });
      await screen.findByText('blob upload failed');
      expect(screen.getByText('2 lines, more in Datadog')).toBeInTheDocument();
      expect(screen.queryByText('older line')).not.toBeInTheDocument();

      fireEvent.click(screen.getByRole('button', { name: 'Load older' }));
      expect(await screen.findByText('older line')).toBeInTheDocument();
      // The next page: Datadog's cursor, the first page's window, no preset.
      expect(searchLogs).toHaveBeenLastCalledWith({
        entityRef: 'component:default/inference-service',
        environment: 'dev',
        cursor: 'cursor-1',
        ...window,
      });
      expect(screen.getAllByText('request completed')).toHaveLength(1);
      expect(screen.getByText('blob upload failed')).toBeInTheDocument();
      expect(screen.getByText('3 lines')).toBeInTheDocument();
      expect(
        screen.queryByRole('button', { name: 'Load older' }),
      ).not.toBeInTheDocument();
    });

    it("keeps a request's story filter on the next page", async () => {
      const searchLogs = jest.fn(async (r: LogsRequest) => pages(r));
      await render({
        searchLogs,
        getTraceSummary: async () => traces,
        getMonitors: async () => monitors,
      });
      fireEvent.change(await screen.findByLabelText('Search text'), {
        target: { value: 'upload' },
      });
      fireEvent.click(screen.getByRole('button', { name: 'Search' }));
      await waitFor(() =>
        expect(searchLogs).toHaveBeenLastCalledWith(
          expect.objectContaining({ text: 'upload' }),
        ),
      );
      fireEvent.click(await screen.findByRole('button', { name: 'req-42' }));
      expect(
        await screen.findByText(/The whole story of request/),
      ).toBeInTheDocument();
      await waitFor(() =>
        expect(searchLogs).toHaveBeenLastCalledWith(
          expect.objectContaining({ requestId: 'req-42', range: '1h' }),
        ),
      );
      const { range: _range, ...storyFilters } =
        searchLogs.mock.calls[searchLogs.mock.calls.length - 1][0];
      fireEvent.click(
        await screen.findByRole('button', { name: 'Load later lines' }),
      );
      expect(await screen.findByText('older line')).toBeInTheDocument();
      // The same filters as the story's first page, with the cursor and that page's window.
      expect(searchLogs).toHaveBeenLastCalledWith({
        ...storyFilters,
        cursor: 'cursor-1',
        ...window,
      });
      expect(
        screen.getByText(/The whole story of request/),
      ).toBeInTheDocument();
    });

    it('says when the next page fails and keeps the lines shown', async () => {
      const searchLogs = jest.fn(async (r: LogsRequest) => {
        if (r.cursor)
          throw new Error(
            'cursor: Datadog did not accept it (expired, or from another search)',
          );
        return pages(r);
      });
      await render({
        searchLogs,
        getTraceSummary: async () => traces,
        getMonitors: async () => monitors,
      });
      fireEvent.click(
        await screen.findByRole('button', { name: 'Load older' }),
      );
      expect(
        await screen.findByText(/Could not load more logs/),
      ).toBeInTheDocument();
      expect(
        screen.getByText(/cursor: Datadog did not accept it/),
      ).toBeInTheDocument();
      expect(screen.getByText('blob upload failed')).toBeInTheDocument();
    });
  });

  describe('custom range', () => {
    it('sends from and to instead of the preset for logs and traces; a preset goes back', async () => {
      const searchLogs = jest.fn(async (_r: LogsRequest) => logs);
      const getTraceSummary = jest.fn(async () => traces);
      const getMonitors = jest.fn(async () => monitors);
      await render({ searchLogs, getTraceSummary, getMonitors });
      await screen.findByText('blob upload failed');
      expect(searchLogs).toHaveBeenLastCalledWith(
        expect.objectContaining({ range: '1h' }),
      );

      fireEvent.change(screen.getByLabelText('From'), {
        target: { value: '2026-11-20T08:00' },
      });
      fireEvent.change(screen.getByLabelText('To'), {
        target: { value: '2026-11-21T09:30' },
      });
      fireEvent.click(screen.getByRole('button', { name: 'Apply range' }));
      const from = new Date('2026-11-20T08:00').toISOString();
      const to = new Date('2026-11-21T09:30').toISOString();
      await waitFor(() =>
        expect(searchLogs).toHaveBeenLastCalledWith({
          entityRef: 'component:default/inference-service',
          environment: 'dev',
          from,
          to,
        }),
      );
      await waitFor(() =>
        expect(getTraceSummary).toHaveBeenLastCalledWith({
          entityRef: 'component:default/inference-service',
          environment: 'dev',
          from,
          to,
        }),
      );
      // Monitors are their current state: asked once, without a window.
      expect(getMonitors).toHaveBeenCalledTimes(1);
      expect(getMonitors).toHaveBeenCalledWith({
        entityRef: 'component:default/inference-service',
        environment: 'dev',
      });
      expect(screen.getByRole('button', { name: '1h' })).toHaveAttribute(
        'aria-pressed',
        'false',
      );

      fireEvent.click(screen.getByRole('button', { name: '6h' }));
      await waitFor(() =>
        expect(searchLogs).toHaveBeenLastCalledWith(
          expect.objectContaining({ range: '6h' }),
        ),
      );
      expect(
        searchLogs.mock.calls[searchLogs.mock.calls.length - 1][0],
      ).not.toHaveProperty('from');
      expect(screen.getByRole('button', { name: '6h' })).toHaveAttribute(
        'aria-pressed',
        'true',
      );
    });

    it('names the field of a bad custom range and asks nothing', async () => {
      const searchLogs = jest.fn(async (_r: LogsRequest) => logs);
      await render({
        searchLogs,
        getTraceSummary: async () => traces,
        getMonitors: async () => monitors,
      });
      await screen.findByText('blob upload failed');
      const calls = searchLogs.mock.calls.length;
      fireEvent.change(screen.getByLabelText('From'), {
        target: { value: '2026-11-21T10:00' },
      });
      fireEvent.change(screen.getByLabelText('To'), {
        target: { value: '2026-11-21T09:00' },
      });
      fireEvent.click(screen.getByRole('button', { name: 'Apply range' }));
      expect(
        await screen.findByText('To: must be after From'),
      ).toBeInTheDocument();
      expect(searchLogs).toHaveBeenCalledTimes(calls);
    });

    it('checks the range as the backend does', () => {
      const now = new Date('2026-11-25T12:00').getTime();
      expect(checkCustomRange('', '2026-11-25T11:00', now)).toEqual({
        error: 'From: required',
      });
      expect(
        checkCustomRange('2026-11-25T10:00', '2026-11-25T12:05', now),
      ).toEqual({ error: 'To: is in the future' });
      expect(
        checkCustomRange('2026-10-25T10:00', '2026-11-25T11:00', now),
      ).toEqual({
        error: 'From: at most 30 days before To',
      });
      expect(
        checkCustomRange('2026-11-25T10:00', '2026-11-25T11:00', now),
      ).toEqual({
        range: {
          from: new Date('2026-11-25T10:00').toISOString(),
          to: new Date('2026-11-25T11:00').toISOString(),
        },
      });
    });
  });
});
