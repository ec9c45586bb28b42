import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  AuditRecord,
  EnvironmentDeploymentStatus,
  RollbackOffersResponse,
} from '@devops-app/plugin-devops-app-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DevopsAppApi, devopsAppApiRef } from '../../api';
import { DeployDialog } from './DeployDialog';
import { DeploymentHistory } from './DeploymentHistory';

/**
 * The Environments card's freeze windows and rollbacks: the Deploy dialog of a frozen environment
 * names the window and offers no deploy; the history offers "Roll back to <version>" as the server
 * plans it, says why not when there is nothing (or a freeze), and rolls back through the API.
 */
const ENTITY_REF = 'component:default/inference-service';
const WAIT = { timeout: 30_000 };
const FREEZE = {
  name: 'Release week',
  until: '2026-12-04T17:00:00.000Z',
  description: 'the release is being cut',
};

const frozenRow = {
  environment: 'pre-prod',
  title: 'Pre-production',
  production: false,
  valuesFile: 'charts/inference/values-pre-prod.yaml',
  gitTag: '0.1.0',
  argocd: { state: 'not-connected' },
  permissions: {},
  freeze: FREEZE,
} as unknown as EnvironmentDeploymentStatus;

const records: AuditRecord[] = [
  {
    id: 7,
    createdAt: '2026-12-02T05:00:00Z',
    actor: 'user:default/guest',
    entityRef: ENTITY_REF,
    environment: 'dev',
    action: 'deploy',
    before: '0.1.0',
    after: '0.2.0',
    result: 'success',
    commit: 'a'.repeat(40),
  },
];

const offers: RollbackOffersResponse = {
  entityRef: ENTITY_REF,
  items: [
    {
      environment: 'dev',
      current: '0.2.0',
      available: true,
      version: '0.1.0',
      verifiedBy:
        'verified in dev until 2026-12-02T05:00:00Z: requests 240 ≥ 50 minimum',
      abortsRollout: true,
      permission: { allowed: true },
    },
    {
      environment: 'prod',
      current: '0.1.0',
      available: false,
      reason: 'no version before 0.1.0 is recorded in prod',
      permission: { allowed: true },
    },
    {
      environment: 'pre-prod',
      current: '0.1.0',
      available: true,
      version: '0.0.9',
      verifiedBy: 'x',
      freeze: FREEZE,
      permission: { allowed: true },
    },
  ],
};

describe('a freeze window in the Deploy dialog', () => {
  it('names the window and its end, and the Deploy button says why it is disabled', async () => {
    const api: Partial<DevopsAppApi> = {
      getImageVersions: async () => ({ configured: false, versions: [] }),
      previewDeployment: jest.fn(async (r: { tag: string }) => ({
        environment: 'pre-prod',
        valuesFile: 'charts/inference/values-pre-prod.yaml',
        before: '0.1.0',
        after: r.tag,
        changed: true,
        diff: '-  tag: "0.1.0"\n+  tag: "0.2.0"\n',
      })),
      deploy: jest.fn(),
    };
    await renderInTestApp(
      <TestApiProvider apis={[[devopsAppApiRef, api as DevopsAppApi]]}>
        <DeployDialog
          entityRef={ENTITY_REF}
          row={frozenRow}
          onClose={() => {}}
          onDone={() => {}}
        />
      </TestApiProvider>,
    );
    const dialog = await screen.findByRole('dialog', {}, WAIT);
    const until = new Date(FREEZE.until).toLocaleString();
    // WarningPanel's title reads "Error: <title>".
    expect(dialog.textContent).toContain(`Frozen: Release week until ${until}`);
    expect(dialog.textContent).toContain('the release is being cut');
    await userEvent.type(within(dialog).getByLabelText('Image tag'), '0.2.0');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Show change' }),
    );
    const preview = jest.mocked(api.previewDeployment!);
    await waitFor(() => expect(preview).toHaveBeenCalled(), WAIT);
    // The change is shown (the preview answered), and still no Deploy.
    await waitFor(
      () => expect(dialog.textContent).toContain('tag: "0.2.0"'),
      WAIT,
    );
    const reason = within(dialog).getByLabelText(
      `Deploy: pre-prod is frozen by Release week until ${until}`,
    );
    expect(within(reason).getByRole('button')).toBeDisabled();
    expect(api.deploy).not.toHaveBeenCalled();
  });
});

describe('rollbacks in the deployment history', () => {
  async function render(api: Partial<DevopsAppApi>) {
    const onRolledBack = jest.fn();
    await renderInTestApp(
      <TestApiProvider apis={[[devopsAppApiRef, api as DevopsAppApi]]}>
        <DeploymentHistory
          records={records}
          entityRef={ENTITY_REF}
          production={{ dev: false, prod: true, 'pre-prod': false }}
          onRolledBack={onRolledBack}
        />
      </TestApiProvider>,
      // The history's user links need the catalog's entity route.
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    return onRolledBack;
  }

  it('offers each environment its rollback as the server plans it, or why not', async () => {
    await render({ getRollbackOffers: async () => offers });
    const dev = await screen.findByTestId('rollback-dev', {}, WAIT);
    expect(
      within(dev).getByRole('button', { name: 'Roll back to 0.1.0' }),
    ).toBeEnabled();
    const prod = screen.getByTestId('rollback-prod');
    expect(within(prod).getByRole('button')).toBeDisabled();
    expect(prod.textContent).toContain(
      'no version before 0.1.0 is recorded in prod',
    );
    const preProd = screen.getByTestId('rollback-pre-prod');
    expect(within(preProd).getByRole('button')).toBeDisabled();
    expect(preProd.textContent).toContain(
      `Frozen: Release week until ${new Date(FREEZE.until).toLocaleString()}`,
    );
  });

  it('says who may roll back instead of offering it to a person the server would refuse', async () => {
    const rollback = jest.fn();
    const prodOnly =
      'Only production deployers (group:default/prod-deployers) may roll back production';
    await render({
      getRollbackOffers: async () => ({
        entityRef: ENTITY_REF,
        items: [
          { ...offers.items[0], permission: { allowed: true } },
          {
            environment: 'prod',
            current: '0.2.0',
            available: true,
            version: '0.1.0',
            verifiedBy: 'verified in prod',
            permission: { allowed: false, reason: prodOnly },
          },
        ],
      }),
      rollback,
    });
    const prod = await screen.findByTestId('rollback-prod', {}, WAIT);
    const button = within(prod).getByRole('button', {
      name: 'Roll back to 0.1.0',
    });
    expect(button).toBeDisabled();
    expect(
      within(prod).getByLabelText(`Roll back to 0.1.0: ${prodOnly}`),
    ).toBeInTheDocument();
    expect(prod.textContent).toContain(prodOnly);
    // The environment the caller may roll back stays offered.
    expect(
      within(screen.getByTestId('rollback-dev')).getByRole('button', {
        name: 'Roll back to 0.1.0',
      }),
    ).toBeEnabled();
    expect(rollback).not.toHaveBeenCalled();
  });

  it('rolls back after the confirmation that says which version, why and that the Rollout is aborted', async () => {
    const rollback = jest.fn(async () => ({
      environment: 'dev',
      before: '0.2.0',
      after: '0.1.0',
      changed: true,
      aborted: true,
      commit: 'b'.repeat(40),
    }));
    const onRolledBack = await render({
      getRollbackOffers: async () => offers,
      rollback,
    });
    const dev = await screen.findByTestId('rollback-dev', {}, WAIT);
    await userEvent.click(
      within(dev).getByRole('button', { name: 'Roll back to 0.1.0' }),
    );
    const dialog = await screen.findByRole('dialog', {}, WAIT);
    expect(dialog.textContent).toContain(
      'Why 0.1.0: verified in dev until 2026-12-02T05:00:00Z: requests 240 ≥ 50 minimum',
    );
    expect(dialog.textContent).toContain('it is aborted first');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Roll back to 0.1.0' }),
    );
    await waitFor(() => expect(onRolledBack).toHaveBeenCalled(), WAIT);
    // The body names the environment only: the server picks the version.
    expect(rollback).toHaveBeenCalledWith({
      entityRef: ENTITY_REF,
      environment: 'dev',
    });
    expect(
      await screen.findByText(
        'Rolled dev back from 0.2.0 to 0.1.0 (Rollout aborted)',
        {},
        WAIT,
      ),
    ).toBeInTheDocument();
  });

  it("shows the server's refusal in the dialog", async () => {
    const refused = Object.assign(new Error('Nothing to roll back to'), {});
    await render({
      getRollbackOffers: async () => offers,
      rollback: async () => {
        throw refused;
      },
    });
    const dev = await screen.findByTestId('rollback-dev', {}, WAIT);
    await userEvent.click(within(dev).getByRole('button'));
    const dialog = await screen.findByRole('dialog', {}, WAIT);
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Roll back to 0.1.0' }),
    );
    expect(
      await within(dialog).findByRole('alert', {}, WAIT),
    ).toHaveTextContent('Nothing to roll back to');
  });
});
