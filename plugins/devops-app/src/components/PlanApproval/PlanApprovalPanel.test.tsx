import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { TerraformRun } from '@devops-app/plugin-devops-app-common';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { PlanApprovalPanel } from './PlanApprovalPanel';

const WAIT = { timeout: 60_000 };
const SHA = 'a'.repeat(64);

const awaitingRun = (permissions: TerraformRun['permissions']) =>
  ({
    id: 'run-1',
    environment: 'prod',
    mode: 'apply',
    status: 'awaiting-approval',
    createdBy: 'user:default/alice',
    startedAt: '2026-12-02T02:00:00.000Z',
    approval: { plannedAt: '2026-12-02T02:01:00.000Z' },
    permissions,
    stacks: [
      {
        stack: 'cluster',
        status: 'planned',
        plan: { add: 2, change: 0, destroy: 0 },
        planSha256: SHA,
      },
      {
        stack: 'monitoring',
        status: 'skipped',
        error: 'Not planned: needs cluster applied first',
      },
      {
        stack: 'storage',
        status: 'skipped',
        error: 'Not planned: needs cluster applied first',
      },
    ],
  } as TerraformRun);

async function renderPanel(run: TerraformRun) {
  const requests: { method: string; path: string; body?: unknown }[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = String(input).replace(
      'http://backend/api/devops-app/terraform',
      '',
    );
    const method = init?.method ?? 'GET';
    requests.push({
      method,
      path,
      ...(init?.body ? { body: JSON.parse(String(init.body)) } : {}),
    });
    const body =
      method === 'GET'
        ? { stack: 'cluster', sha256: SHA, text: '  + resource "x" "y" {' }
        : { ...run, status: 'queued' };
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
    });
  };
  const onDecided = jest.fn();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [fetchApiRef, { fetch }],
        [
          discoveryApiRef,
          { getBaseUrl: async () => 'http://backend/api/devops-app' },
        ],
      ]}
    >
      <PlanApprovalPanel run={run} onDecided={onDecided} />
    </TestApiProvider>,
    // The requester is a link to the user's entity page.
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
  return { requests, onDecided };
}

describe('PlanApprovalPanel', () => {
  it("shows each planned stack's summary and plan text, and approves with the comment", async () => {
    const { requests, onDecided } = await renderPanel(
      awaitingRun({ approve: { allowed: true } }),
    );
    expect(await screen.findByText(/resource "x" "y"/, {}, WAIT)).toBeTruthy();
    expect(screen.getByText(/cluster: \+2 ~0 -0/)).toBeTruthy();
    // Who asked, as a link to the user, and what the approval leaves out.
    expect(
      screen.getByTestId('plan-requested').querySelector('a')?.textContent,
    ).toMatch(/alice/);
    expect(screen.getByTestId('plan-unplanned').textContent).toMatch(
      /^Not in this plan: monitoring \(Not planned: needs cluster applied first\); storage \(Not planned: needs cluster applied first\)\. Approving applies only the stacks above/,
    );
    const approve = screen.getByRole('button', { name: 'Approve' });
    // No decision without a comment.
    expect(approve).toHaveProperty('disabled', true);
    fireEvent.change(screen.getByLabelText('Approval comment'), {
      target: { value: 'reviewed' },
    });
    fireEvent.click(approve);
    await waitFor(() => expect(onDecided).toHaveBeenCalled(), WAIT);
    expect(requests).toEqual([
      { method: 'GET', path: '/runs/run-1/plans/cluster' },
      {
        method: 'POST',
        path: '/runs/run-1/approve',
        body: { comment: 'reviewed' },
      },
    ]);
  });

  it("disables the decision with the backend's reason for a caller who may not approve", async () => {
    const reason =
      'Not allowed to approve run run-1 of prod: you requested it, and a plan needs another approver';
    const { requests } = await renderPanel(
      awaitingRun({ approve: { allowed: false, reason } }),
    );
    expect(await screen.findByText(reason, {}, WAIT)).toBeTruthy();
    // At the top of the panel, before the plan.
    expect(screen.getByTestId('plan-cannot-approve').textContent).toBe(reason);
    expect(
      screen.getByText('You may not decide on this run (the reason is above)'),
    ).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Approve' })).toHaveProperty(
      'disabled',
      true,
    );
    expect(screen.getByRole('button', { name: 'Reject' })).toHaveProperty(
      'disabled',
      true,
    );
    await waitFor(() => expect(requests).toHaveLength(1), WAIT);
    expect(requests[0].method).toBe('GET');
  });
});
