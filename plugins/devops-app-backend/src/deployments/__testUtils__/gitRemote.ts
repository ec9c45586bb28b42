import {
  mkdtemp,
  mkdir,
  readFile,
  rm,
  writeFile,
  chmod,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { git } from '../git';

const chart = resolvePackagePath(
  '@devops-app/plugin-devops-app-backend',
  '../../charts/inference',
);

/**
 * A real bare git repository in a temporary directory standing in for the GitOps remote, seeded with
 * this checkout's charts/inference values files (the files the portal edits).
 */
export async function createGitRemote() {
  const root = await mkdtemp(join(tmpdir(), 'devops-app-gitops-test-'));
  const seed = join(root, 'seed');
  const remote = join(root, 'remote.git');
  await mkdir(join(seed, 'charts/inference'), { recursive: true });
  for (const file of [
    'values.yaml',
    'values-pre-prod.yaml',
    'values-prod.yaml',
  ]) {
    await writeFile(
      join(seed, 'charts/inference', file),
      await readFile(join(chart, file)),
    );
  }
  await git(['init', '--quiet', '-b', 'main'], seed);
  await git(
    ['-c', 'user.name=seed', '-c', 'user.email=seed@example.com', 'add', '-A'],
    seed,
  );
  await git(
    [
      '-c',
      'user.name=seed',
      '-c',
      'user.email=seed@example.com',
      '-c',
      'commit.gpgsign=false',
      'commit',
      '--quiet',
      '-m',
      'seed',
    ],
    seed,
  );
  await git(['clone', '--quiet', '--bare', seed, remote]);
  return {
    remote,
    head: async () =>
      (await git(['--git-dir', remote, 'rev-parse', 'refs/heads/main'])).trim(),
    count: async () =>
      Number(
        (
          await git([
            '--git-dir',
            remote,
            'rev-list',
            '--count',
            'refs/heads/main',
          ])
        ).trim(),
      ),
    show: (rev: string, file: string) =>
      git(['--git-dir', remote, 'show', `${rev}:${file}`]),
    /** `git show` of the tip commit: message, author and patch. */
    lastCommit: () =>
      git([
        '--git-dir',
        remote,
        'show',
        '--format=%an <%ae>%n%s',
        'refs/heads/main',
      ]),
    /** Makes the remote refuse every push with the given message (a pre-receive hook). */
    rejectPushes: async (message: string) => {
      const hook = join(remote, 'hooks', 'pre-receive');
      await writeFile(hook, `#!/bin/sh\necho "${message}" >&2\nexit 1\n`);
      await chmod(hook, 0o755);
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

export type GitRemote = Awaited<ReturnType<typeof createGitRemote>>;
