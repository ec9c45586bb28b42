import { Entity } from '@backstage/catalog-model';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  AuditRecord,
  DeploymentStatusResponse,
  EntityEnvironmentsResponse,
  EnvironmentDeploymentStatus,
} from '@devops-app/plugin-devops-app-common';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  environment,
  environmentsResponse,
  setPageVisibility,
} from '../../__testUtils__/environments';
import { DevopsAppApi, devopsAppApiRef } from '../../api';
import { EntityEnvironmentsProvider } from '../../hooks';
import { EnvironmentsCard } from './EnvironmentsCard';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'inference-service',
    namespace: 'default',
    annotations: {
      'devops-app.io/prometheus-selector': 'service="inference-service"',
    },
  },
  spec: {
    type: 'service',
    owner: 'group:default/ml-team',
    lifecycle: 'production',
  },
};
const ENTITY_REF = 'component:default/inference-service';
const allowed = { allowed: true };
const denied = {
  allowed: false,
  reason: 'Production also needs membership of group:default/prod-deployers',
};

function env(
  name: string,
  overrides: Partial<EnvironmentDeploymentStatus> = {},
): EnvironmentDeploymentStatus {
  return {
    environment: name,
    title: name === 'dev' ? 'Development' : 'Production',
    production: name === 'prod',
    valuesFile:
      name === 'dev'
        ? 'charts/inference/values.yaml'
        : `charts/inference/values-${name}.yaml`,
    gitTag: '0.1.0',
    argocd: {
      state: 'connected',
      instance: 'main',
      application: `inference-${name}`,
      syncStatus: 'Synced',
      healthStatus: 'Suspended',
      syncPolicy: name === 'prod' ? 'manual' : 'automated',
      liveTag: '0.1.0, 0.2.0',
      rollout: {
        name: 'inference',
        phase: 'Paused',
        pausedForPromotion: true,
        aborted: false,
        activeRevision: '5f6d4c8b7',
        previewRevision: '7c9d8f6b5',
        activeColour: 'blue',
        previewColour: 'green',
      },
    },
    permissions: {
      deploy: allowed,
      sync: allowed,
      promote: allowed,
      abort: allowed,
    },
    ...overrides,
  };
}

const deployRecord: AuditRecord = {
  id: 1,
  createdAt: '2026-11-25T14:00:00Z',
  actor: 'user:default/guest',
  entityRef: ENTITY_REF,
  environment: 'dev',
  action: 'deploy',
  before: '0.0.9',
  after: '0.1.0',
  result: 'success',
  commit: 'abcdef1234567',
};

function status(
  items: EnvironmentDeploymentStatus[],
): DeploymentStatusResponse {
  return {
    entityRef: ENTITY_REF,
    repository: { configured: true, branch: 'main' },
    items,
  };
}

/** Subscribers of the fake signal API, by channel. */
const signalSubscribers = new Map<string, (message: any) => void>();
const signalApi = {
  subscribe(channel: string, onMessage: (message: any) => void) {
    signalSubscribers.set(channel, onMessage);
    return { unsubscribe: () => signalSubscribers.delete(channel) };
  },
};

/** `environmentsRefreshMs`: the card under the tab's shared list, polled that often. */
async function render(
  api: Partial<DevopsAppApi>,
  options: { environmentsRefreshMs?: number } = {},
) {
  const full: Partial<DevopsAppApi> = {
    getEntityEnvironments: async () =>
      environmentsResponse([environment('dev'), environment('prod')]),
    getAuditLog: async () => [deployRecord],
    getDrift: async () => [],
    getImageVersions: async () => ({ configured: false, versions: [] }),
    getRollbackOffers: async () => ({ entityRef: ENTITY_REF, items: [] }),
    ...api,
  };
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [devopsAppApiRef, full as DevopsAppApi],
        [signalApiRef, signalApi],
      ]}
    >
      {options.environmentsRefreshMs ? (
        <EntityEnvironmentsProvider
          entityRef={ENTITY_REF}
          refreshMs={options.environmentsRefreshMs}
        >
          <EnvironmentsCard entity={entity} />
        </EntityEnvironmentsProvider>
      ) : (
        <EnvironmentsCard entity={entity} />
      )}
    </TestApiProvider>,
    // The owner and environment links need the catalog's entity route.
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

/** The row of an environment in the Environments table (the first table; History is the second). */
const rowOf = async (name: string) => {
  const cell = await waitFor(() => {
    const table = document.querySelector('table');
    if (!table) throw new Error('no table yet');
    // The environment's name, in bold in its cell (beside its stage, above its catalog link).
    return within(table as HTMLElement).getAllByText(name, {
      selector: 'td strong',
    })[0];
  });
  return cell.closest('tr') as HTMLElement;
};

/** The open dialog (role queries over the whole page are slow with the table rendered). */
const openDialog = () =>
  waitFor(() => {
    const dialog = document.querySelector('[role="dialog"]');
    if (!dialog) throw new Error('no dialog');
    return dialog as HTMLElement;
  });
const noDialog = () =>
  waitFor(() => expect(document.querySelector('[role="dialog"]')).toBeNull());

describe('EnvironmentsCard', () => {
  it('shows git and live tags, Argo CD, the Rollout, the last deploy and why buttons are disabled', async () => {
    await render({
      getDeploymentStatus: async () =>
        status([
          env('dev', { lastDeploy: deployRecord }),
          env('prod', {
            permissions: {
              deploy: denied,
              sync: denied,
              promote: denied,
              abort: denied,
            },
          }),
        ]),
    });
    const dev = await rowOf('dev');
    await within(dev).findByText('0.1.0');
    // The environment's facts, from the resolver
    expect(within(dev).getByTestId('stage-dev').textContent).toBe('1.');
    expect(dev.textContent).toContain('Development');
    expect(dev.textContent).toContain('inference-dev');
    expect(dev.textContent).toContain('non-production');
    expect(dev.textContent).toContain('protected');
    expect(
      within(dev).getByRole('link', { name: 'Development' }),
    ).toHaveAttribute('href', '/catalog/default/resource/dev');
    expect(
      within(dev)
        .getAllByRole('link')
        .map(a => a.getAttribute('href')),
    ).toContain('/catalog/default/group/ml-team');
    expect(dev.textContent).toContain('live: 0.1.0, 0.2.0');
    expect(dev.textContent).toContain('Synced');
    expect(dev.textContent).toContain('inference-dev · automated sync');
    expect(dev.textContent).toContain('Paused · waiting for promotion');
    expect(dev.textContent).toContain(
      'active blue 5f6d4c8b7 · preview green 7c9d8f6b5',
    );
    expect(within(dev).getByTestId('last-deploy-dev').textContent).toContain(
      '0.1.0 by guest',
    );
    expect(
      within(dev).getByRole('button', { name: 'Deploy tag' }),
    ).toBeEnabled();

    const prod = await rowOf('prod');
    expect(within(prod).getByTestId('stage-prod').textContent).toBe('3.');
    expect(prod.textContent).toMatch(/inference-prod.*production/);
    expect(
      within(prod).getByRole('button', { name: 'Deploy tag' }),
    ).toBeDisabled();
    expect(
      within(prod).getByLabelText(`Deploy tag: ${denied.reason}`),
    ).toBeInTheDocument();
    expect(
      within(prod).getByLabelText(`Promote: ${denied.reason}`),
    ).toBeInTheDocument();

    // history from the audit log
    expect(screen.getByText('0.0.9 → 0.1.0')).toBeInTheDocument();
    expect(screen.getByText('success (abcdef1)')).toBeInTheDocument();
  });

  it("reloads on another viewer's deploy (signal), and keeps the rows when a reload fails", async () => {
    const getDeploymentStatus = jest
      .fn<Promise<DeploymentStatusResponse>, []>()
      .mockResolvedValueOnce(status([env('dev'), env('prod')]))
      .mockResolvedValueOnce(
        status([env('dev', { gitTag: '0.3.0' }), env('prod')]),
      )
      .mockRejectedValue(
        new Error('Request failed with 503 Service Unavailable'),
      );
    await render({ getDeploymentStatus });
    await rowOf('dev');
    await waitFor(() =>
      expect(screen.getByTestId('refresh-line').textContent).toMatch(
        /^Last updated /,
      ),
    );
    const signal = (name: string) =>
      act(() =>
        signalSubscribers.get(
          'devops-app:deployments:component:default/inference-service',
        )!({
          entityRef: ENTITY_REF,
          environment: name,
          action: 'deploy',
          result: 'success',
          auditId: 2,
        }),
      );

    signal('dev');
    await waitFor(() =>
      expect(screen.getByTestId('git-tag-dev').textContent).toBe('0.3.0'),
    );
    signal('prod');
    await waitFor(() =>
      expect(screen.getByTestId('refresh-line').textContent).toMatch(
        /^Refresh failed at .*: Request failed with 503 Service Unavailable · showing the state of /,
      ),
    );
    expect(getDeploymentStatus).toHaveBeenCalledTimes(3);
    // The rows of the last good read stay, and no error panel replaces them.
    expect(screen.getByTestId('git-tag-dev').textContent).toBe('0.3.0');
    expect(
      screen.queryByText('Could not read the deployment status'),
    ).toBeNull();
  });

  it('says Argo CD is not connected, with the configuration it needs', async () => {
    const message =
      'No Argo CD instance is configured for this environment: set devopsApp.argocd.instances';
    await render({
      getDeploymentStatus: async () =>
        status([
          env('dev', { argocd: { state: 'not-connected', message } }),
          env('prod', { argocd: { state: 'not-connected', message } }),
        ]),
    });
    const dev = await rowOf('dev');
    await within(dev).findByText('not connected');
    expect(screen.getByText(/Argo CD not connected/)).toBeInTheDocument();
    expect(screen.getByText(message, { exact: false })).toBeInTheDocument();
    expect(
      within(dev).getByLabelText('Sync: Argo CD not connected'),
    ).toBeInTheDocument();
    expect(
      within(dev).getByRole('button', { name: 'Deploy tag' }),
    ).toBeEnabled();
  });

  it('deploys a tag after showing the values-file diff, then reloads the row', async () => {
    let tag = '0.1.0';
    const getDeploymentStatus = jest.fn(async () =>
      status([env('dev', { gitTag: tag }), env('prod')]),
    );
    const previewDeployment = jest.fn(async (r: { tag: string }) => ({
      environment: 'dev',
      valuesFile: 'charts/inference/values.yaml',
      before: '0.1.0',
      after: r.tag,
      changed: true,
      diff: `--- a/charts/inference/values.yaml\n+++ b/charts/inference/values.yaml\n@@ -24 +24 @@\n-  tag: "0.1.0"\n+  tag: "${r.tag}"\n`,
    }));
    const deploy = jest.fn(async (r: { tag: string }) => {
      tag = r.tag;
      return { ...(await previewDeployment(r)), commit: 'f00' };
    });
    await render({ getDeploymentStatus, previewDeployment, deploy });

    await userEvent.click(
      within(await rowOf('dev')).getByRole('button', { name: 'Deploy tag' }),
    );
    const dialog = await openDialog();
    const input = within(dialog).getByLabelText('Image tag');
    await userEvent.type(input, 'bad;tag');
    expect(
      within(dialog).getByText(/The tag may only hold/),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: 'Show change' }),
    ).toBeDisabled();

    await userEvent.clear(input);
    await userEvent.type(input, '0.2.0');
    expect(
      within(dialog).getByRole('button', { name: 'Deploy 0.2.0' }),
    ).toBeDisabled();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Show change' }),
    );
    const diff = await within(dialog).findByLabelText(
      'Change to the values file',
    );
    expect(diff.textContent).toContain('-  tag: "0.1.0"+  tag: "0.2.0"');

    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Deploy 0.2.0' }),
    );
    expect(deploy).toHaveBeenCalledWith({
      entityRef: ENTITY_REF,
      environment: 'dev',
      tag: '0.2.0',
    });
    await noDialog();
    await waitFor(() =>
      expect(screen.getByTestId('git-tag-dev').textContent).toBe('0.2.0'),
    );
  });

  it('asks for the environment name before a production deploy and shows a refusal', async () => {
    const deploy = jest.fn(async () => {
      throw new Error('Only members of group:default/ml-team may do this');
    });
    await render({
      getDeploymentStatus: async () => status([env('dev'), env('prod')]),
      previewDeployment: async () => ({
        environment: 'prod',
        valuesFile: 'v',
        after: '1.0.0',
        changed: true,
        diff: '+  tag: "1.0.0"',
      }),
      deploy,
    });
    await userEvent.click(
      within(await rowOf('prod')).getByRole('button', { name: 'Deploy tag' }),
    );
    const dialog = await openDialog();
    await userEvent.type(within(dialog).getByLabelText('Image tag'), '1.0.0');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Show change' }),
    );
    const confirm = await within(dialog).findByLabelText(
      'Confirm environment name',
    );
    const button = within(dialog).getByRole('button', { name: 'Deploy 1.0.0' });
    expect(button).toBeDisabled();
    await userEvent.type(confirm, 'pro');
    expect(button).toBeDisabled();
    await userEvent.type(confirm, 'd');
    expect(button).toBeEnabled();
    await userEvent.click(button);
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Only members of group:default/ml-team',
    );
  });

  it('promotes and aborts with a description of what changes', async () => {
    const promoteRollout = jest.fn(async () => deployRecord);
    const abortRollout = jest.fn(async () => deployRecord);
    await render({
      getDeploymentStatus: async () => status([env('dev'), env('prod')]),
      promoteRollout,
      abortRollout,
    });

    await userEvent.click(
      within(await rowOf('dev')).getByRole('button', { name: 'Promote' }),
    );
    let dialog = await openDialog();
    expect(dialog.textContent).toContain(
      'The preview (green, revision 7c9d8f6b5) becomes active',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Promote' }),
    );
    expect(promoteRollout).toHaveBeenCalledWith({
      entityRef: ENTITY_REF,
      environment: 'dev',
    });
    await noDialog();

    await userEvent.click(
      within(await rowOf('prod')).getByRole('button', { name: 'Abort' }),
    );
    dialog = await openDialog();
    expect(dialog.textContent).toContain(
      'traffic stays on the active (blue, revision 5f6d4c8b7)',
    );
    const abort = within(dialog).getByRole('button', { name: 'Abort' });
    expect(abort).toBeDisabled();
    await userEvent.type(
      within(dialog).getByLabelText('Confirm environment name'),
      'prod',
    );
    await userEvent.click(abort);
    expect(abortRollout).toHaveBeenCalledWith({
      entityRef: ENTITY_REF,
      environment: 'prod',
    });
  });

  it('shows the problems of a malformed environment in its row, disables its actions, and the other rows work', async () => {
    const problem = {
      annotation: 'devops-app.io/namespace',
      message:
        '"Bad_NS" is not a DNS label (a-z, 0-9, "-", at most 63 characters)',
    };
    const previewDeployment = jest.fn(async () => ({
      environment: 'dev',
      valuesFile: 'charts/inference/values.yaml',
      after: '0.2.0',
      changed: true,
      diff: '+  tag: "0.2.0"',
    }));
    await render({
      getEntityEnvironments: async () =>
        environmentsResponse([
          environment('dev'),
          environment('prod'),
          environment('load-test', { problems: [problem] }),
        ]),
      // The status answers for every environment, even with every permission: the problem still wins.
      getDeploymentStatus: async () =>
        status([env('dev'), env('prod'), env('load-test')]),
      previewDeployment,
    });

    const bad = await rowOf('load-test');
    const reason = `devops-app.io/namespace: ${problem.message}`;
    expect(within(bad).getByTestId('problems-load-test').textContent).toBe(
      reason,
    );
    expect(within(bad).getByText('invalid annotation')).toBeInTheDocument();
    for (const label of ['Deploy tag', 'Sync', 'Promote', 'Abort']) {
      expect(within(bad).getByRole('button', { name: label })).toBeDisabled();
      expect(
        within(bad).getByLabelText(`${label}: ${reason}`),
      ).toBeInTheDocument();
    }
    // Not in the promotion line: no stage
    expect(within(bad).queryByTestId('stage-load-test')).toBeNull();

    // The other rows are whole, say they have no problem, and act.
    const dev = await rowOf('dev');
    expect(within(dev).getByTestId('git-tag-dev').textContent).toBe('0.1.0');
    expect(dev.textContent).toContain('inference-dev');
    expect(within(dev).queryByTestId('problems-dev')).toBeNull();
    expect(
      within(await rowOf('prod')).getByTestId('git-tag-prod').textContent,
    ).toBe('0.1.0');
    const deploy = within(dev).getByRole('button', { name: 'Deploy tag' });
    expect(deploy).toBeEnabled();
    await userEvent.click(deploy);
    const dialog = await openDialog();
    await userEvent.type(within(dialog).getByLabelText('Image tag'), '0.2.0');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Show change' }),
    );
    await waitFor(() =>
      expect(previewDeployment).toHaveBeenCalledWith({
        entityRef: ENTITY_REF,
        environment: 'dev',
        tag: '0.2.0',
      }),
    );
  });

  it('lists an environment registered while the page is open at the next refresh, with its status', async () => {
    let environments = [environment('dev'), environment('prod')];
    let statuses = [env('dev'), env('prod')];
    const getEntityEnvironments = jest.fn(
      async (): Promise<EntityEnvironmentsResponse> =>
        environmentsResponse(environments),
    );
    const getDeploymentStatus = jest.fn(async () => status(statuses));
    await render({ getEntityEnvironments, getDeploymentStatus });
    await rowOf('prod');
    expect(
      screen.queryAllByText('load-test', { selector: 'td strong' }),
    ).toHaveLength(0);

    // The template registers load-test; the user comes back to the tab.
    environments = [...environments, environment('load-test')];
    statuses = [...statuses, env('load-test', { gitTag: '0.2.0' })];
    const statusReads = getDeploymentStatus.mock.calls.length;
    act(() => setPageVisibility('hidden'));
    act(() => setPageVisibility('visible'));

    const row = await rowOf('load-test');
    expect(row.textContent).toContain('inference-load-test');
    // Its status is read at once, not at the next 15 s poll.
    await waitFor(() =>
      expect(screen.getByTestId('git-tag-load-test').textContent).toBe('0.2.0'),
    );
    expect(getDeploymentStatus.mock.calls.length).toBeGreaterThan(statusReads);
    expect(getEntityEnvironments).toHaveBeenCalledWith(ENTITY_REF);
    // The rows already shown stay, in the resolver's order
    const names = Array.from(
      document.querySelector('table')!.querySelectorAll('tbody tr'),
    ).map(
      r =>
        within(r as HTMLElement).queryAllByText(/^(dev|prod|load-test)$/, {
          selector: 'td strong',
        })[0]?.textContent,
    );
    expect(names).toEqual(['dev', 'prod', 'load-test']);
  });

  it("polls the list while the page is visible, and reads the new environment's status at once", async () => {
    let environments = [environment('dev')];
    let statuses = [env('dev')];
    const getEntityEnvironments = jest.fn(
      async (): Promise<EntityEnvironmentsResponse> =>
        environmentsResponse(environments),
    );
    const getDeploymentStatus = jest.fn(async () => status(statuses));
    await render(
      { getEntityEnvironments, getDeploymentStatus },
      { environmentsRefreshMs: 200 },
    );
    await rowOf('dev');
    await waitFor(() =>
      expect(getEntityEnvironments.mock.calls.length).toBeGreaterThanOrEqual(2),
    );
    const statusReads = getDeploymentStatus.mock.calls.length;

    environments = [environment('dev'), environment('load-test')];
    statuses = [env('dev'), env('load-test', { gitTag: '0.2.0' })];
    await rowOf('load-test');
    // The status poll is 15 s: this read is the card's answer to the new name.
    await waitFor(() =>
      expect(screen.getByTestId('git-tag-load-test').textContent).toBe('0.2.0'),
    );
    expect(getDeploymentStatus.mock.calls.length).toBe(statusReads + 1);

    // Hidden: no more reads.
    act(() => setPageVisibility('hidden'));
    const reads = getEntityEnvironments.mock.calls.length;
    await new Promise(resolve => setTimeout(resolve, 600));
    expect(getEntityEnvironments.mock.calls.length).toBe(reads);
    act(() => setPageVisibility('visible'));
    await waitFor(() =>
      expect(getEntityEnvironments.mock.calls.length).toBeGreaterThan(reads),
    );
  });

  it('keeps the rows when a refresh of the list fails', async () => {
    const getEntityEnvironments = jest
      .fn<Promise<EntityEnvironmentsResponse>, [string]>()
      .mockResolvedValueOnce(environmentsResponse([environment('dev')]))
      .mockRejectedValue(
        new Error('Request failed with 503 Service Unavailable'),
      );
    await render({
      getEntityEnvironments,
      getDeploymentStatus: async () => status([env('dev')]),
    });
    await rowOf('dev');
    act(() => setPageVisibility('hidden'));
    act(() => setPageVisibility('visible'));
    expect(
      await screen.findByText(
        /Could not refresh the list of environments: Request failed with 503/,
      ),
    ).toBeInTheDocument();
    expect(
      within(await rowOf('dev')).getByTestId('git-tag-dev').textContent,
    ).toBe('0.1.0');
  });

  it('says why when the environments cannot be read', async () => {
    const notFound = Object.assign(
      new Error('Entity component:default/inference-service not found'),
      {
        name: 'NotFoundError',
      },
    );
    await render({
      getEntityEnvironments: async () => {
        throw notFound;
      },
      getDeploymentStatus: async () => status([]),
    });
    expect(
      await screen.findByText(/Could not read the environments/),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(
        /Entity component:default\/inference-service not found/,
      ).length,
    ).toBeGreaterThan(0);
    // No environment rows (the deployment history below is a table of its own)
    expect(screen.queryByRole('button', { name: 'Deploy tag' })).toBeNull();
    expect(screen.queryByText('No environments')).toBeNull();
  });

  it('shows an empty state when no environment is related to the service', async () => {
    await render({
      getEntityEnvironments: async () => environmentsResponse([]),
      getDeploymentStatus: async () => status([]),
    });
    expect(await screen.findByText('No environments')).toBeInTheDocument();
    expect(
      screen.getByText(/names this service in its spec.dependencyOf/),
    ).toBeInTheDocument();
  });
});
