import { Entity } from '@backstage/catalog-model';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  DriftStackCheck,
  EnvironmentDrift,
  worstDriftStatus,
} from '@devops-app/plugin-devops-app-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ReactElement } from 'react';
import {
  environment,
  environmentsResponse,
} from '../../__testUtils__/environments';
import { DevopsAppApi, devopsAppApiRef } from '../../api';
import { EnvironmentsCard } from '../EnvironmentsCard';
import { DriftSection } from './DriftSection';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'inference-service', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/ml-team', lifecycle: 'x' },
};
const CHECKED_AT = '2026-12-02T02:30:00.000Z';
const LATER = '2026-12-02T02:45:00.000Z';

function check(
  stack: DriftStackCheck['stack'],
  overrides: Partial<DriftStackCheck> = {},
): DriftStackCheck {
  return {
    stack,
    status: 'in-sync',
    checkedAt: CHECKED_AT,
    commit: 'a'.repeat(40),
    trigger: 'schedule',
    ...overrides,
  };
}

function drift(
  name: string,
  stacks: DriftStackCheck[],
  checking = false,
): EnvironmentDrift {
  const checkedAt = stacks
    .map(s => s.checkedAt)
    .sort()
    .at(-1);
  return {
    environment: name,
    status: worstDriftStatus(stacks),
    ...(checkedAt ? { checkedAt } : {}),
    stacks,
    checking,
  };
}

const inSync = ['cluster', 'monitoring', 'storage'] as const;

async function render(api: Partial<DevopsAppApi>, element: ReactElement) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [
          devopsAppApiRef,
          {
            getEntityEnvironments: async () =>
              environmentsResponse([environment('dev'), environment('prod')]),
            getDeploymentStatus: async () => ({
              entityRef: 'component:default/inference-service',
              repository: { configured: true, branch: 'main' },
              items: [],
            }),
            getAuditLog: async () => [],
            getRollbackOffers: async () => ({
              entityRef: 'component:default/inference-service',
              items: [],
            }),
            ...api,
          } as DevopsAppApi,
        ],
        [signalApiRef, { subscribe: () => ({ unsubscribe: () => {} }) }],
      ]}
    >
      {element}
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

const time = (iso: string) => new Date(iso).toLocaleTimeString();

describe('drift on the Environments card and the environment page', () => {
  it("shows each environment's drift in the card's column (in sync, drifted with counts, the check's time), and Check now queues a check and shows its result", async () => {
    const queries: unknown[] = [];
    const checks: string[] = [];
    let devDrift = drift(
      'dev',
      inSync.map(s => check(s)),
    );
    await render(
      {
        getDrift: async query => {
          queries.push(query);
          return [
            devDrift,
            drift('prod', [
              check('cluster'),
              check('monitoring'),
              check('storage', {
                status: 'drifted',
                plan: { add: 0, change: 1, destroy: 0 },
              }),
            ]),
          ];
        },
        checkDrift: async name => {
          checks.push(name);
          // The check runs, then its result is what the next read answers.
          devDrift = drift(
            'dev',
            inSync.map(s =>
              check(s, {
                checkedAt: LATER,
                trigger: 'manual',
                ...(s === 'cluster'
                  ? {
                      status: 'drifted',
                      plan: { add: 2, change: 0, destroy: 1 },
                    }
                  : {}),
              }),
            ),
          );
          return { ...devDrift, checking: true };
        },
      },
      <EnvironmentsCard entity={entity} />,
    );

    const dev = await screen.findByTestId('drift-dev');
    expect(within(dev).getByRole('status')).toHaveTextContent('in sync');
    expect(dev).toHaveTextContent(`checked ${time(CHECKED_AT)}`);
    const prod = screen.getByTestId('drift-prod');
    expect(within(prod).getByRole('status')).toHaveTextContent(
      'storage: drifted +0 ~1 -0',
    );
    expect(queries[0]).toEqual({
      entityRef: 'component:default/inference-service',
    });

    await userEvent.click(
      within(dev).getByRole('button', { name: 'Check dev for drift now' }),
    );
    await waitFor(() =>
      expect(
        within(screen.getByTestId('drift-dev')).getByRole('status'),
      ).toHaveTextContent('cluster: drifted +2 ~0 -1'),
    );
    expect(checks).toEqual(['dev']);
    expect(screen.getByTestId('drift-dev')).toHaveTextContent(
      `checked ${time(LATER)}`,
    );
  });

  it("shows a refused Check now's reason in the row", async () => {
    await render(
      {
        getDrift: async () => [drift('dev', []), drift('prod', [])],
        checkDrift: async () => {
          throw new Error(
            'Not allowed to check prod for drift: only those who may plan it may',
          );
        },
      },
      <EnvironmentsCard entity={entity} />,
    );
    const prod = await screen.findByTestId('drift-prod');
    expect(prod).toHaveTextContent('not checked');
    await userEvent.click(
      within(prod).getByRole('button', { name: 'Check prod for drift now' }),
    );
    expect(
      await within(screen.getByTestId('drift-prod')).findByRole('alert'),
    ).toHaveTextContent('Not allowed to check prod for drift');
    expect(screen.getByTestId('drift-dev')).not.toHaveTextContent(
      'Not allowed',
    );
  });

  it("lists each stack's latest check on the environment page, with the failure's reason", async () => {
    const queries: unknown[] = [];
    await render(
      {
        getDrift: async query => {
          queries.push(query);
          return [
            drift('dev', [
              check('cluster'),
              check('monitoring', {
                status: 'failed',
                error: 'terraform plan exited with 1: Error: state locked',
              }),
              check('storage'),
            ]),
          ];
        },
      },
      <DriftSection environment="dev" />,
    );
    const row = (await screen.findByText('monitoring')).closest('tr')!;
    expect(row).toHaveTextContent('failed');
    expect(row).toHaveTextContent('Error: state locked');
    expect(row).toHaveTextContent('aaaaaaaaaaaa');
    expect(queries[0]).toEqual({ environments: ['dev'] });
  });
});
