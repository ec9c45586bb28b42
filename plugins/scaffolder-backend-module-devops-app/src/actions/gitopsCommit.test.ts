import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGitopsCommitAction } from './gitopsCommit';

const git = (cwd: string, ...args: string[]) =>
  execFileSync(
    'git',
    ['-C', cwd, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args],
    {
      encoding: 'utf8',
    },
  ).trim();

describe('devops-app:gitops:commit', () => {
  let root: string;
  let remote: string;
  let workspace: string;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-commit-'));
    const seed = path.join(root, 'seed');
    await fs.mkdir(path.join(seed, 'charts/inference'), { recursive: true });
    await fs.writeFile(
      path.join(seed, 'charts/inference/values-dev.yaml'),
      'environment: dev\n',
    );
    git(root, 'init', '-q', '-b', 'main', seed);
    git(seed, 'add', '-A');
    git(seed, 'commit', '-q', '-m', 'seed');
    remote = path.join(root, 'remote.git');
    execFileSync('git', ['clone', '-q', '--bare', seed, remote]);
    workspace = path.join(root, 'workspace');
    await fs.mkdir(path.join(workspace, 'out/charts/inference'), {
      recursive: true,
    });
  });
  afterEach(() => fs.rm(root, { recursive: true, force: true }));

  it('commits and pushes the new files', async () => {
    await fs.writeFile(
      path.join(workspace, 'out/charts/inference/values-load-test.yaml'),
      'environment: load-test\n',
    );
    const action = createGitopsCommitAction({
      repository: remote,
      branch: 'main',
    });
    const ctx = createMockActionContext({
      input: { sourcePath: 'out', message: 'Add environment load-test' },
      workspacePath: workspace,
    });
    await action.handler(ctx);
    const head = git(remote, 'rev-parse', 'main');
    expect(ctx.output).toHaveBeenCalledWith('commitHash', head);
    expect(git(remote, 'log', '-1', '--format=%s', 'main')).toBe(
      'Add environment load-test',
    );
    expect(
      git(remote, 'show', 'main:charts/inference/values-load-test.yaml'),
    ).toBe('environment: load-test');
  });

  it('refuses to overwrite a file the repository has, and pushes nothing', async () => {
    await fs.writeFile(
      path.join(workspace, 'out/charts/inference/values-dev.yaml'),
      'environment: evil\n',
    );
    const before = git(remote, 'rev-parse', 'main');
    const action = createGitopsCommitAction({
      repository: remote,
      branch: 'main',
    });
    const ctx = createMockActionContext({
      input: { sourcePath: 'out', message: 'x' },
      workspacePath: workspace,
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      'already has charts/inference/values-dev.yaml',
    );
    expect(git(remote, 'rev-parse', 'main')).toBe(before);
  });

  it('pushes nothing in a dry run and refuses a path outside the workspace', async () => {
    await fs.writeFile(
      path.join(workspace, 'out/charts/inference/values-x.yaml'),
      'environment: x\n',
    );
    const before = git(remote, 'rev-parse', 'main');
    const action = createGitopsCommitAction({
      repository: remote,
      branch: 'main',
    });
    const ctx = {
      ...createMockActionContext({
        input: { sourcePath: 'out', message: 'x' },
        workspacePath: workspace,
      }),
      isDryRun: true,
    };
    await action.handler(ctx);
    expect(git(remote, 'rev-parse', 'main')).toBe(before);
    const outside = createMockActionContext({
      input: { sourcePath: '../..', message: 'x' },
      workspacePath: workspace,
    });
    await expect(action.handler(outside)).rejects.toThrow(
      /outside the workspace/,
    );
  });
});
