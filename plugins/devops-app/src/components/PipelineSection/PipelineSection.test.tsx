import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  AuditRecord,
  PipelineResponse,
  PipelineStage,
  ProductionRequestsResponse,
  ProductionRequestView,
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
const WAIT = { timeout: 60_000 };

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
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
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

  it('shows a freeze window of a stage (name, until) and offers no promotion into it', async () => {
    const frozen = pipeline(true);
    frozen.stages[1] = {
      ...frozen.stages[1],
      freeze: { name: 'Release week', until: '2026-12-04T17:00:00.000Z' },
    };
    await render({
      getPipeline: async () => frozen,
      promoteVersion: jest.fn(),
    });
    const preProd = await screen.findByTestId(
      'pipeline-stage-pre-prod',
      {},
      WAIT,
    );
    expect(
      within(preProd).getByTestId('pipeline-freeze-pre-prod'),
    ).toHaveTextContent(
      `Frozen: Release week until ${new Date(
        '2026-12-04T17:00:00.000Z',
      ).toLocaleString()}: promotions are refused until then`,
    );
    expect(
      within(preProd).getByRole('button', { name: 'Promote 0.2.0 from dev' }),
    ).toBeDisabled();
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

  describe('the production stage', () => {
    const PROD_WAIT = { timeout: 30_000 };
    const withProd: PipelineResponse = {
      entityRef: ENTITY_REF,
      stages: [
        ...pipeline(true).stages,
        stage({
          environment: 'prod',
          title: 'Production',
          order: 3,
          production: true,
          gitVersion: '0.1.0',
          promotion: {
            version: '0.2.0',
            from: 'pre-prod',
            allowed: true,
            soakSeconds: 0,
            ranSeconds: 300,
          },
        }),
      ],
    };
    const pending: ProductionRequestView = {
      id: 7,
      entityRef: ENTITY_REF,
      environment: 'prod',
      version: '0.2.0',
      digest: 'sha256:abc',
      fromEnvironment: 'pre-prod',
      requestedBy: 'user:default/ana.ml',
      requestedAt: '2026-12-02T05:00:00Z',
      expiresAt: '2026-12-03T05:00:00Z',
      comment: 'ready for users',
      status: 'pending',
      evidence: {
        promotion: {
          version: '0.2.0',
          from: 'pre-prod',
          allowed: true,
          soakSeconds: 0,
          ranSeconds: 300,
        },
        verification: verified,
      },
      decide: { allowed: true },
    };
    const requests = (
      over: Partial<ProductionRequestsResponse>,
    ): ProductionRequestsResponse => ({
      entityRef: ENTITY_REF,
      items: [],
      request: { prod: { allowed: true } },
      breakGlass: { prod: { allowed: false, reason: 'not a prod deployer' } },
      ...over,
    });
    const breakGlassEntry: AuditRecord = {
      id: 12,
      createdAt: '2026-12-02T04:00:00Z',
      actor: 'user:default/pat.platform',
      entityRef: ENTITY_REF,
      environment: 'prod',
      action: 'break-glass',
      before: '0.0.9',
      after: '0.1.0',
      result: 'success',
      commit: 'feedbeef00',
      message: 'reason: prod serves 500s since 03:50',
    };

    it('offers the owner "Request promotion of 0.2.0", and requests it', async () => {
      const requestProductionPromotion = jest.fn().mockResolvedValue({
        ...pending,
        decide: undefined,
      });
      await render({
        getPipeline: async () => withProd,
        getProductionRequests: async () => requests({}),
        getAuditLog: async () => [],
        requestProductionPromotion,
      });
      const prod = await screen.findByTestId(
        'pipeline-stage-prod',
        {},
        PROD_WAIT,
      );
      const button = await within(prod).findByRole(
        'button',
        { name: 'Request promotion of 0.2.0' },
        PROD_WAIT,
      );
      // No direct promotion and no break glass for an owner in production.
      expect(
        within(prod).queryByRole('button', { name: /^Promote/ }),
      ).toBeNull();
      expect(
        within(prod).queryByRole('button', { name: /Break glass/ }),
      ).toBeNull();
      await waitFor(() => expect(button).toBeEnabled(), PROD_WAIT);
      await userEvent.click(button);
      expect(
        await screen.findByText(
          /Requested 0.2.0 for prod \(request #7\)/,
          {},
          PROD_WAIT,
        ),
      ).toBeInTheDocument();
      expect(requestProductionPromotion).toHaveBeenCalledWith({
        entityRef: ENTITY_REF,
        environment: 'prod',
        version: '0.2.0',
      });
      expect(
        await screen.findByText('No production history', {}, PROD_WAIT),
      ).toBeInTheDocument();
    });

    it('shows the requester the pending request with its evidence, and Approve disabled with the reason', async () => {
      const approveProductionRequest = jest.fn();
      await render({
        getPipeline: async () => withProd,
        getProductionRequests: async () =>
          requests({
            items: [
              {
                ...pending,
                decide: {
                  allowed: false,
                  reason:
                    'you requested this promotion: another prod deployer must approve it (four-eyes)',
                },
              },
            ],
          }),
        getAuditLog: async () => [],
        approveProductionRequest,
      });
      const card = await screen.findByTestId(
        'production-request-prod',
        {},
        PROD_WAIT,
      );
      expect(
        within(card).getByText('Request #7: 0.2.0 from pre-prod'),
      ).toBeInTheDocument();
      expect(within(card).getByText('user:default/ana.ml')).toBeInTheDocument();
      expect(
        within(card).getByText(/requests 240 ≥ 50 minimum/),
      ).toBeInTheDocument();
      expect(
        within(card).getByRole('button', { name: 'Approve and deploy 0.2.0' }),
      ).toBeDisabled();
      expect(within(card).queryByRole('button', { name: 'Reject' })).toBeNull();
      expect(
        within(card).getByTestId('approve-reason-prod').textContent,
      ).toMatch(/you requested this promotion/);
      // The request replaces the request button while it is pending.
      expect(
        screen.queryByRole('button', { name: 'Request promotion of 0.2.0' }),
      ).toBeNull();
    });

    it('lets another prod deployer approve it, or reject it only with a comment', async () => {
      const approveProductionRequest = jest.fn().mockResolvedValue({
        ...pending,
        status: 'executed',
        commit: '0123456789ab',
      });
      const rejectProductionRequest = jest
        .fn()
        .mockResolvedValue({ ...pending, status: 'rejected' });
      await render({
        getPipeline: async () => withProd,
        getProductionRequests: async () =>
          requests({
            items: [pending],
            request: { prod: { allowed: false, reason: 'not an owner' } },
            breakGlass: { prod: { allowed: true } },
          }),
        getAuditLog: async () => [],
        approveProductionRequest,
        rejectProductionRequest,
      });
      const card = await screen.findByTestId(
        'production-request-prod',
        {},
        PROD_WAIT,
      );
      const reject = within(card).getByRole('button', { name: 'Reject' });
      expect(reject).toBeDisabled();
      await userEvent.type(
        within(card).getByLabelText('Comment (required to reject)'),
        'wait for the load test',
      );
      await waitFor(() => expect(reject).toBeEnabled(), PROD_WAIT);
      await userEvent.click(reject);
      await waitFor(
        () =>
          expect(rejectProductionRequest).toHaveBeenCalledWith(
            7,
            'wait for the load test',
          ),
        PROD_WAIT,
      );
      const approve = within(
        await screen.findByTestId('production-request-prod', {}, PROD_WAIT),
      ).getByRole('button', { name: 'Approve and deploy 0.2.0' });
      await waitFor(() => expect(approve).toBeEnabled(), PROD_WAIT);
      await userEvent.click(approve);
      expect(
        await screen.findByText(
          'Approved request #7: 0.2.0 deployed to prod (commit 01234567)',
          {},
          PROD_WAIT,
        ),
      ).toBeInTheDocument();
      expect(approveProductionRequest).toHaveBeenCalledWith(
        7,
        'wait for the load test',
      );
    });

    it('breaks glass only with a reason of 20 characters, and shows break glass as such in the history', async () => {
      const breakGlass = jest
        .fn()
        .mockResolvedValue({ commit: 'cafe0000beef', changed: true });
      await render({
        getPipeline: async () => withProd,
        getProductionRequests: async () =>
          requests({
            request: { prod: { allowed: false, reason: 'not an owner' } },
            breakGlass: { prod: { allowed: true } },
          }),
        getAuditLog: async () => [breakGlassEntry],
        breakGlass,
      });
      const entry = await screen.findByTestId(
        'production-history-break-glass',
        {},
        PROD_WAIT,
      );
      expect(within(entry).getByText('BREAK GLASS')).toBeInTheDocument();
      expect(
        within(entry).getByText('reason: prod serves 500s since 03:50'),
      ).toBeInTheDocument();

      await userEvent.click(
        screen.getByRole('button', { name: 'Break glass…' }),
      );
      const dialog = await screen.findByRole('dialog', {}, PROD_WAIT);
      const confirm = within(dialog).getByRole('button', {
        name: 'Break glass and deploy 0.2.0',
      });
      await userEvent.type(
        within(dialog).getByLabelText(/Reason/),
        'too short',
      );
      expect(confirm).toBeDisabled();
      await userEvent.type(
        within(dialog).getByLabelText(/Reason/),
        ': prod is down for everyone',
      );
      await waitFor(() => expect(confirm).toBeEnabled(), PROD_WAIT);
      await userEvent.click(confirm);
      expect(
        await screen.findByText(
          'Break glass: 0.2.0 deployed to prod (commit cafe0000)',
          {},
          PROD_WAIT,
        ),
      ).toBeInTheDocument();
      expect(breakGlass).toHaveBeenCalledWith({
        entityRef: ENTITY_REF,
        environment: 'prod',
        version: '0.2.0',
        reason: 'too short: prod is down for everyone',
      });
    });
  });
});
