import { Entity } from '@backstage/catalog-model';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  DORA_DEFINITIONS,
  DoraMetricsResponse,
} from '@devops-app/plugin-devops-app-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import {
  environment,
  environmentsResponse,
} from '../../__testUtils__/environments';
import { DevopsAppApi, devopsAppApiRef } from '../../api';
import { DoraSection } from './DoraSection';

// recharts measures its container; jsdom has no layout.
beforeAll(() => {
  (globalThis as { ResizeObserver?: unknown }).ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
});
jest.setTimeout(60_000);

const ENTITY_REF = 'component:default/inference-service';
const service: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'inference-service', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/ml-team' },
};

/** What the backend answers for environment `name` and `days`: counts that differ per query. */
function metrics(name: string, days: 30 | 90): DoraMetricsResponse {
  const deploys = (name === 'prod' ? 4 : 9) * (days === 90 ? 2 : 1);
  return {
    entityRef: ENTITY_REF,
    environment: name,
    production: name === 'prod',
    days,
    from: '2026-11-01T00:00:00.000Z',
    to: '2026-12-01T00:00:00.000Z',
    failureWindowHours: 24,
    deploymentFrequency: {
      deploys,
      perWeek: 0.93,
      days: [{ date: '2026-11-30', deploys, failures: 1 }],
    },
    leadTime: {
      medianSeconds: 7200,
      items: [
        {
          version: '0.2.0',
          committedAt: '2026-11-30T08:00:00.000Z',
          deployedAt: '2026-11-30T10:00:00.000Z',
          seconds: 7200,
        },
      ],
    },
    changeFailureRate: { deploys, failures: 1, rate: 1 / deploys },
    timeToRestore: {
      medianSeconds: 600,
      unrestored: 0,
      items: [
        {
          version: '0.2.0',
          deployedAt: '2026-11-30T10:00:00.000Z',
          failedBy: 'rollback',
          failedAt: '2026-11-30T10:05:00.000Z',
          restoredAt: '2026-11-30T10:10:00.000Z',
          restoredVersion: '0.1.0',
          seconds: 600,
        },
      ],
    },
    definitions: DORA_DEFINITIONS,
  };
}

describe('DoraSection', () => {
  it('shows the production metrics with their definitions, then another period and environment', async () => {
    const getDoraMetrics = jest.fn(
      async (r: { environment: string; days: 30 | 90 }) =>
        metrics(r.environment, r.days),
    );
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            devopsAppApiRef,
            {
              getEntityEnvironments: async () =>
                environmentsResponse([environment('dev'), environment('prod')]),
              getDoraMetrics,
            } as Partial<DevopsAppApi> as DevopsAppApi,
          ],
        ]}
      >
        <DoraSection entity={service} />
      </TestApiProvider>,
    );
    const frequency = await screen.findByTestId(
      'dora-deployment-frequency',
      {},
      { timeout: 30_000 },
    );
    expect(frequency).toHaveTextContent('4 deploys');
    expect(screen.getByTestId('dora-change-failure-rate')).toHaveTextContent(
      '25 %',
    );
    expect(screen.getByTestId('dora-change-failure-rate')).toHaveTextContent(
      '1 failed of 4 deploys',
    );
    expect(screen.getByTestId('dora-time-to-restore')).toHaveTextContent(
      '1 restored, 0 not yet',
    );
    for (const definition of Object.values(DORA_DEFINITIONS)) {
      expect(screen.getByText(definition)).toBeInTheDocument();
    }
    expect(getDoraMetrics).toHaveBeenCalledWith({
      entityRef: ENTITY_REF,
      environment: 'prod',
      days: 30,
    });

    fireEvent.click(screen.getByRole('button', { name: '90 days' }));
    await waitFor(
      () =>
        expect(
          screen.getByTestId('dora-deployment-frequency'),
        ).toHaveTextContent('8 deploys'),
      { timeout: 30_000 },
    );

    fireEvent.mouseDown(
      screen
        .getAllByRole('button')
        .find(b => b.getAttribute('aria-haspopup') === 'listbox')!,
    );
    fireEvent.click(
      within(await screen.findByRole('listbox')).getByText(
        environment('dev').title,
      ),
    );
    await waitFor(
      () =>
        expect(
          screen.getByTestId('dora-deployment-frequency'),
        ).toHaveTextContent('18 deploys'),
      { timeout: 30_000 },
    );
  });
});
