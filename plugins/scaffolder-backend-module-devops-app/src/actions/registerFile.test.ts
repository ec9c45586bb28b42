import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { locationSpecToMetadataName } from '@backstage/plugin-catalog-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRegisterFileAction } from './registerFile';

const entity = (kind: string, type: string, name = 'load-test', extra = '') =>
  `apiVersion: backstage.io/v1alpha1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${extra}spec:\n  type: ${type}\n  owner: group:default/ml-team\n`;

/** The file the new-environment template writes: the environment and its cluster. */
const environmentFile = (
  name = 'load-test',
  clusterName = `${name}-cluster`,
  extra = '',
) =>
  `# ${name} and its cluster\n${entity(
    'Resource',
    'environment',
    name,
    `  annotations:\n    devops-app.io/kubernetes-cluster: resource:default/${clusterName}\n${extra}`,
  )}---\n${entity('Resource', 'kubernetes-cluster', clusterName)}`;

// Real git processes; slow on a loaded machine.
jest.setTimeout(60_000);

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

  /** A bare GitOps remote whose main holds `files`; returns its path and the commit. */
  async function gitRemote(files: Record<string, string>) {
    const seed = path.join(root, 'seed');
    for (const [file, text] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(seed, file)), { recursive: true });
      await fs.writeFile(path.join(seed, file), text);
    }
    const git = (...args: string[]) =>
      execFileSync(
        'git',
        ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args],
        {
          cwd: seed,
          encoding: 'utf8',
        },
      );
    git('init', '--quiet', '-b', 'main');
    git('add', '-A');
    git(
      '-c',
      'commit.gpgsign=false',
      'commit',
      '--quiet',
      '--allow-empty',
      '-m',
      'seed',
    );
    const remote = path.join(root, 'gitops.git');
    execFileSync('git', ['clone', '--quiet', '--bare', seed, remote]);
    return { remote, commit: git('rev-parse', 'HEAD').trim() };
  }

  const run = (
    action: ReturnType<typeof createRegisterFileAction>,
    sourcePath: string,
    isDryRun = false,
  ) => {
    const ctx = {
      ...createMockActionContext({
        input: { sourcePath },
        workspacePath: workspace,
      }),
      isDryRun,
    };
    return { ctx, done: action.handler(ctx) };
  };

  it('keeps the file in the catalog directory and refreshes that location', async () => {
    await fs.writeFile(path.join(workspace, 'env.yaml'), environmentFile());
    const catalog = catalogServiceMock();
    const refresh = jest
      .spyOn(catalog, 'refreshEntity')
      .mockResolvedValue(undefined);
    const action = createRegisterFileAction({ catalog, catalogDir });
    const { ctx, done } = run(action, 'env.yaml');
    await done;
    expect(
      await fs.readFile(path.join(catalogDir, 'load-test.yaml'), 'utf8'),
    ).toBe(environmentFile());
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
    expect(ctx.output).toHaveBeenCalledWith(
      'clusterEntityRef',
      'resource:default/load-test-cluster',
    );
    // A second registration of the same environment is refused.
    await expect(run(action, 'env.yaml').done).rejects.toThrow(
      /already exists/,
    );
  });

  it('registers the file as committed at the tip of the GitOps branch, with the outputs the run committed', async () => {
    const committed = environmentFile(
      'load-test',
      'load-test-cluster',
      '    devops-app.io/prometheus-url: http://127.0.0.1:19090\n',
    );
    const { remote, commit } = await gitRemote({
      'catalog/environments/load-test.yaml': committed,
    });
    await fs.mkdir(path.join(workspace, 'repo/catalog/environments'), {
      recursive: true,
    });
    await fs.writeFile(
      path.join(workspace, 'repo/catalog/environments/load-test.yaml'),
      environmentFile(),
    );
    const catalog = catalogServiceMock();
    jest.spyOn(catalog, 'refreshEntity').mockResolvedValue(undefined);
    const action = createRegisterFileAction({
      catalog,
      catalogDir,
      gitops: { repository: remote, branch: 'main' },
    });
    const { ctx, done } = run(
      action,
      'repo/catalog/environments/load-test.yaml',
    );
    await done;
    expect(
      await fs.readFile(path.join(catalogDir, 'load-test.yaml'), 'utf8'),
    ).toBe(committed);
    expect(ctx.output).toHaveBeenCalledWith('commit', commit);
  });

  it('refuses when the GitOps branch lacks the file or holds another environment there', async () => {
    await fs.writeFile(path.join(workspace, 'env.yaml'), environmentFile());
    const catalog = catalogServiceMock();
    const refresh = jest.spyOn(catalog, 'refreshEntity');
    const empty = await gitRemote({ 'README.md': 'x\n' });
    await expect(
      run(
        createRegisterFileAction({
          catalog,
          catalogDir,
          gitops: { repository: empty.remote, branch: 'main' },
        }),
        'env.yaml',
      ).done,
    ).rejects.toThrow(
      'sourcePath: "env.yaml": catalog/environments/load-test.yaml is not on branch main of the GitOps repository; commit it first',
    );
    await fs.rm(path.join(root, 'seed'), { recursive: true, force: true });
    await fs.rm(empty.remote, { recursive: true, force: true });

    const other = await gitRemote({
      'catalog/environments/load-test.yaml': entity('Component', 'service'),
    });
    await expect(
      run(
        createRegisterFileAction({
          catalog,
          catalogDir,
          gitops: { repository: other.remote, branch: 'main' },
        }),
        'env.yaml',
      ).done,
    ).rejects.toThrow(
      /^catalog\/environments\/load-test\.yaml on branch main \(for sourcePath: "env\.yaml"\) must hold two Resources/,
    );
    expect(refresh).not.toHaveBeenCalled();
    await expect(fs.access(catalogDir)).rejects.toThrow();
  });

  it.each([
    ['one environment alone', entity('Resource', 'environment')],
    ['a Component', entity('Component', 'service')],
    [
      'a cluster not named <env>-cluster',
      environmentFile('load-test', 'other-cluster'),
    ],
    [
      'a third document',
      `${environmentFile()}---\n${entity('Resource', 'environment', 'more')}`,
    ],
    [
      'the cluster first',
      `${entity(
        'Resource',
        'kubernetes-cluster',
        'load-test-cluster',
      )}---\n${entity('Resource', 'environment')}`,
    ],
    ['an invalid environment name', environmentFile('Load_Test')],
    ['not YAML', 'kind: [unclosed\n'],
  ])('refuses %s, naming sourcePath', async (_, content) => {
    await fs.writeFile(path.join(workspace, 'env.yaml'), content);
    const action = createRegisterFileAction({
      catalog: catalogServiceMock(),
      catalogDir,
    });
    await expect(run(action, 'env.yaml').done).rejects.toThrow(
      /^sourcePath: "env\.yaml" must hold two Resources, an environment <env> and its kubernetes-cluster <env>-cluster: /,
    );
    await expect(fs.access(catalogDir)).rejects.toThrow();
  });

  it('refuses a path outside the workspace, writes nothing in a dry run, and removes the file when the location is missing', async () => {
    const catalog = catalogServiceMock();
    const action = createRegisterFileAction({ catalog, catalogDir });
    await expect(run(action, '../x.yaml').done).rejects.toThrow(
      /outside the workspace/,
    );

    await fs.writeFile(path.join(workspace, 'env.yaml'), environmentFile());
    const refresh = jest.spyOn(catalog, 'refreshEntity');
    await run(action, 'env.yaml', true).done;
    expect(refresh).not.toHaveBeenCalled();
    await expect(fs.access(catalogDir)).rejects.toThrow();

    refresh.mockRejectedValue(new Error('NotFoundError'));
    await expect(run(action, 'env.yaml').done).rejects.toThrow(
      /add it to catalog.locations/,
    );
    await expect(
      fs.access(path.join(catalogDir, 'load-test.yaml')),
    ).rejects.toThrow();
  });
});
