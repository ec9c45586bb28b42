import {
  discoveryApiRef,
  fetchApiRef,
  identityApiRef,
} from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { EnvironmentLifecycleCard } from './EnvironmentLifecycleCard';

const WAIT = { timeout: 10_000 };
const HOUR = 3_600_000;

const entity = (annotations: Record<string, string>) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'ttl-test', namespace: 'default', annotations },
  spec: { type: 'environment', owner: 'group:default/ml-team' },
});

async function renderCard(
  annotations: Record<string, string>,
  answer: (path: string, body: any) => { status: number; body: object },
) {
  const requests: { path: string; body: any }[] = [];
  const fetch = async (url: RequestInfo | URL, init?: RequestInit) => {
    const path = String(url).replace(
      'http://backend/api/devops-app/terraform',
      '',
    );
    const body = JSON.parse(String(init?.body));
    requests.push({ path, body });
    const { status, body: out } = answer(path, body);
    return new Response(JSON.stringify(out), {
      status,
      headers: { 'Content-Type': 'application/json' },
    });
  };
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [fetchApiRef, { fetch }],
        [
          discoveryApiRef,
          { getBaseUrl: async () => 'http://backend/api/devops-app' },
        ],
        [
          identityApiRef,
          {
            getBackstageIdentity: async () => ({
              type: 'user' as const,
              userEntityRef: 'user:default/guest',
              ownershipEntityRefs: [
                'user:default/guest',
                'group:default/ml-team',
              ],
            }),
          },
        ],
      ]}
    >
      <EntityProvider entity={entity(annotations)}>
        <EnvironmentLifecycleCard />
      </EntityProvider>
    </TestApiProvider>,
  );
  return requests;
}

describe('EnvironmentLifecycleCard', () => {
  it('shows the time left and extends it by the chosen duration (the time left grows)', async () => {
    const expiresAt = new Date(Date.now() + 2 * HOUR + 5 * 60_000);
    const requests = await renderCard(
      { 'devops-app.io/expires-at': expiresAt.toISOString() },
      (_, body) => ({
        status: 200,
        body: {
          environment: 'ttl-test',
          expiresAt: new Date(
            expiresAt.getTime() + (body.duration === '1d' ? 24 : 4) * HOUR,
          ).toISOString(),
          commit: 'c'.repeat(40),
        },
      }),
    );
    expect(
      (await screen.findByTestId('environment-expiry', {}, WAIT)).textContent,
    ).toMatch(/^Expires in 2 h [45] min/);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Extend' }, WAIT),
    );
    await waitFor(
      () =>
        expect(screen.getByTestId('environment-expiry').textContent).toMatch(
          /^Expires in 1 d 2 h/,
        ),
      WAIT,
    );
    expect(requests).toEqual([
      { path: '/environments/ttl-test/extend', body: { duration: '1d' } },
    ]);
  });

  it('removes only once the name is typed, sends it as the confirmation, and shows a refusal with its reason', async () => {
    let refuse = true;
    const requests = await renderCard({}, () =>
      refuse
        ? {
            status: 403,
            body: {
              // Backstage's error response body (backend-defaults' error handler).
              error: {
                name: 'NotAllowedError',
                message: 'not yours to remove',
              },
              request: { method: 'POST', url: '/remove' },
              response: { statusCode: 403 },
            },
          }
        : {
            status: 202,
            body: { id: 'run-9', environment: 'ttl-test', mode: 'destroy' },
          },
    );
    expect(
      (await screen.findByTestId('environment-expiry', {}, WAIT)).textContent,
    ).toBe('No expiry: kept until removed');
    fireEvent.click(
      await screen.findByRole('button', { name: 'Remove environment' }, WAIT),
    );
    const dialog = await screen.findByRole('dialog', {}, WAIT);
    const confirm = within(dialog).getByRole('button', {
      name: 'Remove ttl-test',
    });
    expect(confirm).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('Environment name'), {
      target: { value: 'ttl-tes' },
    });
    expect(confirm).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('Environment name'), {
      target: { value: 'ttl-test' },
    });
    fireEvent.click(confirm);
    expect((await screen.findByRole('alert', {}, WAIT)).textContent).toBe(
      'not yours to remove',
    );
    refuse = false;
    fireEvent.click(confirm);
    expect(
      (await screen.findByTestId('environment-removal', {}, WAIT)).textContent,
    ).toMatch(/^Removal started/);
    expect(
      await screen.findByRole('link', { name: 'destroy run' }, WAIT),
    ).toHaveAttribute('href', '/devops-app/terraform-runs/run-9');
    expect(requests.map(r => r.body)).toEqual([
      { confirm: 'ttl-test' },
      { confirm: 'ttl-test' },
    ]);
  });
});
