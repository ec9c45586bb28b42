import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { ResponseError } from '@backstage/errors';
import {
  EnvironmentDeploymentStatus,
  ImageVersionsResponse,
} from '@devops-app/plugin-devops-app-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DevopsAppApi, devopsAppApiRef } from '../../api';
import { DeployDialog } from './DeployDialog';

const ENTITY_REF = 'component:default/inference-service';
const row = {
  environment: 'dev',
  title: 'Development',
  production: false,
  valuesFile: 'charts/inference/values.yaml',
  gitTag: '0.1.0',
  argocd: { state: 'not-configured' },
  permissions: {},
} as unknown as EnvironmentDeploymentStatus;

const versions: ImageVersionsResponse = {
  configured: true,
  registry: 'local-registry',
  repository: 'inference',
  versions: [
    {
      tag: '0.2.0',
      digest: `sha256:${'b'.repeat(64)}`,
      created: '2026-12-02T02:00:00Z',
    },
    {
      tag: '0.1.0',
      digest: `sha256:${'a'.repeat(64)}`,
      created: '2026-12-01T02:00:00Z',
    },
  ],
};

function preview(r: { tag: string }) {
  return {
    environment: 'dev',
    valuesFile: 'charts/inference/values.yaml',
    before: '0.1.0',
    after: r.tag,
    changed: true,
    diff: `-  tag: "0.1.0"\n+  tag: "${r.tag}"\n`,
  };
}

async function render(api: Partial<DevopsAppApi>) {
  const onDone = jest.fn();
  await renderInTestApp(
    <TestApiProvider apis={[[devopsAppApiRef, api as DevopsAppApi]]}>
      <DeployDialog
        entityRef={ENTITY_REF}
        row={row}
        onClose={() => {}}
        onDone={onDone}
      />
    </TestApiProvider>,
  );
  return {
    onDone,
    dialog: await screen.findByRole('dialog', {}, { timeout: 60_000 }),
  };
}

async function responseError(status: number, message: string) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'Error', message },
        response: { statusCode: status },
      }),
      {
        status,
        headers: { 'Content-Type': 'application/json' },
      },
    ),
  );
}

describe('DeployDialog with the registry', () => {
  it('lists the registry versions newest first; picking one deploys it', async () => {
    const deploy = jest.fn(async (r: { tag: string }) => ({
      ...preview(r),
      commit: 'f00',
    }));
    const { dialog, onDone } = await render({
      getImageVersions: async () => versions,
      previewDeployment: async r => preview(r),
      deploy,
    });
    const list = await within(dialog).findByTestId(
      'registry-versions',
      {},
      { timeout: 60_000 },
    );
    expect(
      within(dialog).getByText(
        'Versions in local-registry/inference, newest first',
      ),
    ).toBeInTheDocument();
    expect(
      within(list)
        .getAllByRole('button')
        .map(b => b.getAttribute('aria-label')),
    ).toEqual(['Version 0.2.0', 'Version 0.1.0']);
    await userEvent.click(
      within(list).getByRole('button', { name: 'Version 0.2.0' }),
    );
    expect(within(dialog).getByLabelText('Image tag')).toHaveValue('0.2.0');
    expect(
      within(dialog).getByText(versions.versions[0].digest, { exact: false }),
    ).toBeInTheDocument();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Show change' }),
    );
    const button = within(dialog).getByRole('button', { name: 'Deploy 0.2.0' });
    await waitFor(() => expect(button).toBeEnabled(), { timeout: 60_000 });
    await userEvent.click(button);
    await waitFor(() => expect(onDone).toHaveBeenCalled(), { timeout: 60_000 });
    expect(deploy).toHaveBeenCalledWith({
      entityRef: ENTITY_REF,
      environment: 'dev',
      tag: '0.2.0',
    });
  });

  it('keeps free text, and shows the server refusal of a tag not in the registry', async () => {
    const message = 'tag: "0.9.9" is not in local-registry/inference';
    const { dialog, onDone } = await render({
      getImageVersions: async () => versions,
      previewDeployment: async r => preview(r),
      deploy: async () => {
        throw await responseError(400, message);
      },
    });
    await within(dialog).findByTestId(
      'registry-versions',
      {},
      { timeout: 60_000 },
    );
    await userEvent.type(within(dialog).getByLabelText('Image tag'), '0.9.9');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Show change' }),
    );
    const button = within(dialog).getByRole('button', { name: 'Deploy 0.9.9' });
    await waitFor(() => expect(button).toBeEnabled(), { timeout: 60_000 });
    await userEvent.click(button);
    expect(
      await within(dialog).findByText(
        message,
        { exact: false },
        { timeout: 60_000 },
      ),
    ).toBeInTheDocument();
    expect(onDone).not.toHaveBeenCalled();
  });

  it('says the registry is unreachable and offers no deploy while it answers 503', async () => {
    const message =
      'The image registry local-registry is unreachable (no answer); deploys are refused until it answers';
    const previewDeployment = jest.fn(async (r: { tag: string }) => preview(r));
    const { dialog } = await render({
      getImageVersions: async () => {
        throw await responseError(503, message);
      },
      previewDeployment,
    });
    const alert = await within(dialog).findByTestId(
      'registry-error',
      {},
      { timeout: 60_000 },
    );
    expect(alert.textContent).toContain(message);
    await userEvent.type(within(dialog).getByLabelText('Image tag'), '0.2.0');
    expect(
      within(dialog).getByRole('button', { name: 'Show change' }),
    ).toBeDisabled();
    expect(
      within(dialog).getByRole('button', { name: 'Deploy 0.2.0' }),
    ).toBeDisabled();
    expect(previewDeployment).not.toHaveBeenCalled();
  });
});
