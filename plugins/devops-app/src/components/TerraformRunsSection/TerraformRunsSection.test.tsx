import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  TerraformLogLine,
  TerraformRun,
} from '@devops-app/plugin-devops-app-common';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { DevopsAppApi, devopsAppApiRef } from '../../api';
import { TerraformRunsSection } from './TerraformRunsSection';

const run = (overrides: Partial<TerraformRun>): TerraformRun => ({
  id: 'run-1',
  environment: 'load-test',
  mode: 'apply',
  status: 'running',
  createdBy: 'user:default/guest',
  startedAt: '2026-11-25T15:00:00.000Z',
  stacks: [
    {
      stack: 'cluster',
      status: 'applied',
      plan: { add: 4, change: 0, destroy: 0 },
    },
    { stack: 'monitoring', status: 'running' },
    { stack: 'storage', status: 'pending' },
  ],
  ...overrides,
});

const line = (
  seq: number,
  stack: TerraformLogLine['stack'],
  text: string,
): TerraformLogLine => ({
  seq,
  stack,
  stream: 'stdout',
  line: text,
  at: '',
});

// Who started a run links to the user's entity page.
const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

describe('TerraformRunsSection', () => {
  it('lists the runs with who, status and plan, and shows a stack log growing while the run goes on', async () => {
    let polls = 0;
    const finished = run({
      status: 'succeeded',
      finishedAt: '2026-11-25T15:01:05.000Z',
      stacks: [
        {
          stack: 'cluster',
          status: 'applied',
          plan: { add: 4, change: 0, destroy: 0 },
        },
        {
          stack: 'monitoring',
          status: 'applied',
          plan: { add: 4, change: 0, destroy: 0 },
        },
        {
          stack: 'storage',
          status: 'applied',
          plan: { add: 7, change: 0, destroy: 0 },
        },
      ],
    });
    const api: Partial<DevopsAppApi> = {
      listTerraformRuns: jest.fn(async () => [run({})]),
      getTerraformRun: jest.fn(async () => (polls > 1 ? finished : run({}))),
      getTerraformRunLog: jest.fn(async (_id: string, after?: number) => {
        polls++;
        if (polls === 1)
          return [
            line(0, 'cluster', '$ terraform init'),
            line(1, 'cluster', 'Plan: 4 to add'),
          ];
        if (polls === 2 && after === 1)
          return [line(2, 'cluster', 'Apply complete! Resources: 4 added')];
        return [];
      }),
    };
    await renderInTestApp(
      <TestApiProvider apis={[[devopsAppApiRef, api as DevopsAppApi]]}>
        <TerraformRunsSection environments={['load-test']} pollMs={10} />
      </TestApiProvider>,
      { mountedRoutes },
    );
    // Who started it: a link to the user's entity page.
    expect(await screen.findByRole('link', { name: 'guest' })).toHaveAttribute(
      'href',
      '/catalog/default/user/guest',
    );
    expect(
      screen.getByText(/cluster: applied \(\+4 ~0 -0\)/),
    ).toBeInTheDocument();
    expect(api.listTerraformRuns).toHaveBeenCalledWith({
      environments: ['load-test'],
    });

    expect(screen.getByRole('table', { name: 'Terraform runs' })).toBeVisible();
    fireEvent.click(screen.getByText('load-test'));
    const log = await screen.findByLabelText('cluster log');
    await waitFor(() =>
      expect(log.textContent).toContain('Apply complete! Resources: 4 added'),
    );
    expect(log.textContent).toContain('$ terraform init');
    await waitFor(() =>
      expect(screen.getByTestId('run-status').textContent).toBe('succeeded'),
    );
    expect(screen.getByText(/1 min 5 s/)).toBeInTheDocument();
  });

  it('counts the runs awaiting approval above the table, each linked to its page', async () => {
    const api: Partial<DevopsAppApi> = {
      listTerraformRuns: jest.fn(async () => [
        run({ id: 'run-2', environment: 'prod', status: 'awaiting-approval' }),
        run({ id: 'run-1', status: 'succeeded' }),
      ]),
    };
    await renderInTestApp(
      <TestApiProvider apis={[[devopsAppApiRef, api as DevopsAppApi]]}>
        <TerraformRunsSection />
      </TestApiProvider>,
      { mountedRoutes },
    );
    // The bound is the suite's (setupTests.ts), not a shorter one: a busy machine renders slowly.
    const pending = await screen.findByTestId('pending-approvals');
    expect(pending).toHaveTextContent('1 awaiting approval');
    expect(
      screen.getByRole('link', { name: 'apply of prod by guest' }),
    ).toHaveAttribute('href', '/devops-app/terraform-runs/run-2');
  });

  it('says when there is no run yet and shows an error of the backend', async () => {
    const empty: Partial<DevopsAppApi> = {
      listTerraformRuns: jest.fn(async () => []),
    };
    const { unmount } = await renderInTestApp(
      <TestApiProvider apis={[[devopsAppApiRef, empty as DevopsAppApi]]}>
        <TerraformRunsSection />
      </TestApiProvider>,
      { mountedRoutes },
    );
    expect(await screen.findByText(/No terraform run yet/)).toBeInTheDocument();
    unmount();
    const failing: Partial<DevopsAppApi> = {
      listTerraformRuns: jest.fn(async () => {
        throw new Error('backend down');
      }),
    };
    await renderInTestApp(
      <TestApiProvider apis={[[devopsAppApiRef, failing as DevopsAppApi]]}>
        <TerraformRunsSection />
      </TestApiProvider>,
      { mountedRoutes },
    );
    expect(
      await screen.findByText(/Could not load the runs/),
    ).toBeInTheDocument();
  });
});
