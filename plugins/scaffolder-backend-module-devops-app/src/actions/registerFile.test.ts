import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { locationSpecToMetadataName } from '@backstage/plugin-catalog-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRegisterFileAction } from './registerFile';

const entity = (kind: string, type: string, name = 'load-test') =>
  `apiVersion: backstage.io/v1alpha1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n  type: ${type}\n  owner: group:default/ml-team\n`;

describe('devops-app:catalog:register-file', () => {
  let root: string;
  let workspace: string;
  let catalogDir: string;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'register-file-'));
    workspace = path.join(root, 'workspace');
    catalogDir = path.join(root, 'catalog');
    await fs.mkdir(workspace, { recursive: true });
  });
  afterEach(() => fs.rm(root, { recursive: true, force: true }));

  it('keeps the file in the catalog directory and refreshes that location', async () => {
    await fs.writeFile(
      path.join(workspace, 'env.yaml'),
      entity('Resource', 'environment'),
    );
    const catalog = catalogServiceMock();
    const refresh = jest
      .spyOn(catalog, 'refreshEntity')
      .mockResolvedValue(undefined);
    const ctx = createMockActionContext({
      input: { sourcePath: 'env.yaml' },
      workspacePath: workspace,
    });
    await createRegisterFileAction({ catalog, catalogDir }).handler(ctx);
    expect(
      await fs.readFile(path.join(catalogDir, 'load-test.yaml'), 'utf8'),
    ).toContain('name: load-test');
    expect(refresh).toHaveBeenCalledWith(
      `location:default/${locationSpecToMetadataName({
        type: 'file',
        target: path.join(catalogDir, '*.yaml'),
      })}`,
      expect.anything(),
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'entityRef',
      'resource:default/load-test',
    );
    // A second registration of the same environment is refused.
    await expect(
      createRegisterFileAction({ catalog, catalogDir }).handler(ctx),
    ).rejects.toThrow(/already exists/);
  });

  it('refuses anything but one environment Resource, and removes the file when the location is missing', async () => {
    const catalog = catalogServiceMock();
    const action = createRegisterFileAction({ catalog, catalogDir });
    await fs.writeFile(
      path.join(workspace, 'component.yaml'),
      entity('Component', 'service'),
    );
    await expect(
      action.handler(
        createMockActionContext({
          input: { sourcePath: 'component.yaml' },
          workspacePath: workspace,
        }),
      ),
    ).rejects.toThrow(/one Resource of type environment/);
    await expect(
      action.handler(
        createMockActionContext({
          input: { sourcePath: '../x.yaml' },
          workspacePath: workspace,
        }),
      ),
    ).rejects.toThrow(/outside the workspace/);

    await fs.writeFile(
      path.join(workspace, 'env.yaml'),
      entity('Resource', 'environment'),
    );
    jest
      .spyOn(catalog, 'refreshEntity')
      .mockRejectedValue(new Error('NotFoundError'));
    await expect(
      action.handler(
        createMockActionContext({
          input: { sourcePath: 'env.yaml' },
          workspacePath: workspace,
        }),
      ),
    ).rejects.toThrow(/add it to catalog.locations/);
    await expect(
      fs.access(path.join(catalogDir, 'load-test.yaml')),
    ).rejects.toThrow();
  });
});
