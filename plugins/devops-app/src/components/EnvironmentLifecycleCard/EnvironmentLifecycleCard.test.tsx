import {
  discoveryApiRef,
  fetchApiRef,
  identityApiRef,
} from '@backstage/core-plugin-api';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { EnvironmentLifecycleCard } from './EnvironmentLifecycleCard';

const WAIT = { timeout: 60_000 };
const HOUR = 3_600_000;

const entity = (annotations: Record<string, string>, name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'environment', owner: 'group:default/ml-team' },
});

async function renderCard(
  annotations: Record<string, string>,
  answer: (path: string, body: any) => { status: number; body: object },
  name = 'ttl-test',
) {
  const requests: { path: string; body: any }[] = [];
  const fetch = async (url: RequestInfo | URL, init?: RequestInit) => {
    const path = String(url).replace(
      'http://backend/api/devops-app/terraform',
      '',
    );
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
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
      <EntityProvider entity={entity(annotations, name)}>
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
            body: {
              id: 'run-9',
              environment: 'ttl-test',
              mode: 'destroy',
              status: 'queued',
            },
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

  it('follows the destroy run a removal started until it ends, and says what happens next', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    try {
      let status = 'running';
      const requests = await renderCard({}, path =>
        path.endsWith('/remove')
          ? {
              status: 202,
              body: { id: 'run-7', mode: 'destroy', status: 'queued' },
            }
          : { status: 200, body: { id: 'run-7', mode: 'destroy', status } },
      );
      fireEvent.click(
        await screen.findByRole('button', { name: 'Remove environment' }, WAIT),
      );
      const dialog = await screen.findByRole('dialog', {}, WAIT);
      fireEvent.change(within(dialog).getByLabelText('Environment name'), {
        target: { value: 'ttl-test' },
      });
      fireEvent.click(
        within(dialog).getByRole('button', { name: 'Remove ttl-test' }),
      );
      const removal = await screen.findByTestId(
        'environment-removal',
        {},
        WAIT,
      );
      expect(removal.textContent).toMatch(/being destroyed \(queued\)/);
      // What happens now is the removal, not the expiry.
      expect(screen.queryByTestId('environment-expiry')).toBeNull();
      await act(async () => {
        jest.advanceTimersByTime(5_000);
      });
      await waitFor(
        () =>
          expect(removal.textContent).toMatch(/being destroyed \(running\)/),
        WAIT,
      );
      status = 'succeeded';
      await act(async () => {
        jest.advanceTimersByTime(5_000);
      });
      await waitFor(
        () =>
          expect(removal.textContent).toMatch(
            /^The stacks are destroyed; its files are being removed from the GitOps repository and resource:default\/ttl-test leaves the catalog/,
          ),
        WAIT,
      );
      // Once the run ended, nothing is read again.
      const reads = requests.length;
      await act(async () => {
        jest.advanceTimersByTime(20_000);
      });
      expect(requests.length).toBe(reads);
      expect(requests.slice(1).map(r => r.path)).toEqual(
        Array(reads - 1).fill('/runs/run-7'),
      );
    } finally {
      jest.useRealTimers();
    }
  });

  it('offers a protected environment no removal and, without an expiry, no Extend; it says why', async () => {
    await renderCard(
      { 'devops-app.io/protected': 'true' },
      () => ({ status: 500, body: {} }),
      'dev',
    );
    expect(
      (await screen.findByTestId('environment-expiry', {}, WAIT)).textContent,
    ).toBe('No expiry: kept until removed');
    expect(
      screen.getByText('Protected: the portal never removes dev.'),
    ).toBeInTheDocument();
    // The ownership check is asynchronous: the buttons would show after it.
    await new Promise(r => setTimeout(r, 200));
    expect(
      screen.queryByRole('button', { name: 'Remove environment' }),
    ).toBeNull();
    expect(screen.queryByRole('button', { name: 'Extend' })).toBeNull();
  });

  it('says an expired environment expired, not "expires in expired", and still offers Extend', async () => {
    await renderCard(
      {
        'devops-app.io/expires-at': new Date(
          Date.now() - 10 * 60_000,
        ).toISOString(),
      },
      () => ({ status: 500, body: {} }),
    );
    expect(
      (await screen.findByTestId('environment-expiry', {}, WAIT)).textContent,
    ).toMatch(/^Expired at /);
    expect(
      screen.getByText(
        'The portal removes it at its next expiry check, unless it is extended.',
      ),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('button', { name: 'Extend' }, WAIT),
    ).toBeEnabled();
  });
});
