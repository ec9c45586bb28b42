import { signalApiRef } from '@backstage/plugin-signals-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  PipelineResponse,
  PipelineStage,
} from '@devops-app/plugin-devops-app-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DevopsAppApi, devopsAppApiRef } from '../../api';
import { nextPipelineReadMs, PIPELINE_IDLE_POLL_MS } from './usePipeline';
import { PipelineSection } from './PipelineSection';

const ENTITY_REF = 'component:default/inference-service';
const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'inference-service', namespace: 'default' },
  spec: { type: 'service', owner: 'ml-team' },
};
const WAIT = { timeout: 10_000 };

const verified = {
  verified: true,
  windowSeconds: 300,
  checks: [
    {
      name: 'requests' as const,
      passed: true,
      message: 'requests 240 ≥ 50 minimum',
    },
    {
      name: 'error-ratio' as const,
      passed: true,
      message: 'error ratio 0.4 % ≤ 1 %',
    },
  ],
};

function stage(over: Partial<PipelineStage>): PipelineStage {
  return {
    environment: 'dev',
    title: 'Development',
    order: 1,
    production: false,
    gitVersion: '0.2.0',
    soakSeconds: 120,
    verification: verified,
    ...over,
  };
}

function pipeline(allowed: boolean): PipelineResponse {
  return {
    entityRef: ENTITY_REF,
    stages: [
      stage({ since: '2026-12-02T02:00:00Z' }),
      stage({
        environment: 'pre-prod',
        title: 'Pre-production',
        order: 2,
        gitVersion: '0.1.0',
        promotion: {
          version: '0.2.0',
          from: 'dev',
          allowed,
          soakSeconds: 120,
          ranSeconds: allowed ? 130 : 40,
          reason: allowed
            ? undefined
            : '0.2.0 has run in dev for 40 s of 2 min soak',
        },
      }),
    ],
  };
}

const signalApi = {
  subscribe: () => ({ unsubscribe: () => {} }),
};

async function render(api: Partial<DevopsAppApi>) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [devopsAppApiRef, api as DevopsAppApi],
        [signalApiRef, signalApi],
      ]}
    >
      <PipelineSection entity={entity} />
    </TestApiProvider>,
  );
}

describe('PipelineSection', () => {
  it('shows each stage with its checks and the promotion disabled with the reason', async () => {
    const promoteVersion = jest.fn();
    await render({
      getPipeline: async () => pipeline(false),
      promoteVersion,
    });
    const preProd = await screen.findByTestId(
      'pipeline-stage-pre-prod',
      {},
      WAIT,
    );
    const button = within(preProd).getByRole('button', {
      name: 'Promote 0.2.0 from dev',
    });
    expect(button).toBeDisabled();
    expect(
      within(preProd).getByText('0.2.0 has run in dev for 40 s of 2 min soak'),
    ).toBeInTheDocument();
    const dev = screen.getByTestId('pipeline-stage-dev');
    expect(
      within(dev).getByText('error ratio 0.4 % ≤ 1 %'),
    ).toBeInTheDocument();
    expect(within(dev).queryByRole('button')).toBeNull();
  });

  it('promotes when allowed and shows the backend refusal in its words', async () => {
    const promoteVersion = jest
      .fn()
      .mockResolvedValueOnce({ commit: 'abcdef1234', changed: true })
      .mockRejectedValueOnce(
        Object.assign(new Error('Request failed with 409 Conflict'), {
          cause: {
            message:
              'Promotion of 0.2.0 to pre-prod refused: requests 12 < 50 minimum',
          },
        }),
      );
    await render({ getPipeline: async () => pipeline(true), promoteVersion });
    const button = await screen.findByRole(
      'button',
      { name: 'Promote 0.2.0 from dev' },
      WAIT,
    );
    await waitFor(() => expect(button).toBeEnabled(), WAIT);
    await userEvent.click(button);
    expect(
      await screen.findByText(
        'Promoted 0.2.0 to pre-prod (commit abcdef12)',
        {},
        WAIT,
      ),
    ).toBeInTheDocument();
    expect(promoteVersion).toHaveBeenCalledWith({
      entityRef: ENTITY_REF,
      environment: 'pre-prod',
      version: '0.2.0',
    });
    await waitFor(() => expect(button).toBeEnabled(), WAIT);
    await userEvent.click(button);
    expect(
      await screen.findByText(
        'Promotion of 0.2.0 to pre-prod refused: requests 12 < 50 minimum',
        {},
        WAIT,
      ),
    ).toBeInTheDocument();
  });

  it('reads again when the first soak time ends, else at the idle interval', () => {
    expect(nextPipelineReadMs(pipeline(false))).toBe(15_000);
    const soon = pipeline(false);
    soon.stages[1].promotion!.ranSeconds = 115;
    expect(nextPipelineReadMs(soon)).toBe(5_500);
    expect(nextPipelineReadMs(pipeline(true))).toBe(PIPELINE_IDLE_POLL_MS);
  });
});
