import { StepRefusal } from './StepRefusal';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { git as runGit } from '@devops-app/plugin-devops-app-node';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gitopsCommitExamples } from './gitopsCommit.examples';

/**
 * `devops-app:gitops:commit`: the local stand-in for `publish:github:pull-request`. Commits the files
 * of a workspace directory to the GitOps repository (`devopsApp.gitops.repository`, a bare repository
 * `make start` creates) and pushes the branch. Refuses to overwrite a file the repository already has,
 * so a template can only add an environment, never change another. A dry run pushes nothing.
 */
export function createGitopsCommitAction(options: {
  repository: string;
  branch: string;
}) {
  const { repository, branch } = options;
  return createTemplateAction({
    id: 'devops-app:gitops:commit',
    description:
      'Commits new files from the workspace to the GitOps repository and pushes them (local stand-in for a pull request).',
    examples: gitopsCommitExamples,
    supportsDryRun: true,
    schema: {
      input: {
        sourcePath: z =>
          z
            .string({
              description:
                'Workspace directory whose files are committed (default: root)',
            })
            .optional(),
        message: z => z.string({ description: 'Commit message' }),
      },
      output: {
        commitHash: z => z.string({ description: 'The pushed commit' }),
        repository: z =>
          z.string({ description: 'The repository it was pushed to' }),
        branch: z => z.string(),
        files: z =>
          z.array(z.string(), {
            description: 'Paths added, relative to the repository',
          }),
      },
    },
    async handler(ctx) {
      const source = path.resolve(
        ctx.workspacePath,
        ctx.input.sourcePath ?? '.',
      );
      if (
        source !== ctx.workspacePath &&
        !source.startsWith(`${ctx.workspacePath}${path.sep}`)
      ) {
        throw new StepRefusal(
          `sourcePath: "${ctx.input.sourcePath}" is outside the workspace`,
        );
      }
      const files = await listFiles(source);
      if (files.length === 0) {
        throw new StepRefusal(
          `sourcePath: no files to commit in "${ctx.input.sourcePath ?? '.'}"`,
        );
      }
      const clone = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-'));
      try {
        const git = (...args: string[]) => runGit(['-C', clone, ...args]);
        await runGit([
          'clone',
          '-q',
          '--depth',
          '1',
          '--branch',
          branch,
          repository,
          clone,
        ]);
        const existing: string[] = [];
        for (const file of files) {
          if (await exists(path.join(clone, file))) existing.push(file);
        }
        if (existing.length > 0) {
          throw new StepRefusal(
            `The GitOps repository already has ${existing.join(', ')}`,
          );
        }
        for (const file of files) {
          await fs.mkdir(path.dirname(path.join(clone, file)), {
            recursive: true,
          });
          await fs.copyFile(path.join(source, file), path.join(clone, file));
        }
        const user = ctx.user?.entity?.metadata?.name ?? 'portal';
        await git('add', '--', ...files);
        await git(
          '-c',
          `user.name=${user} via Devops-app portal`,
          '-c',
          'user.email=portal@devops-app.local',
          'commit',
          '-q',
          '-m',
          ctx.input.message,
        );
        const commitHash = (await git('rev-parse', 'HEAD')).trim();
        if (ctx.isDryRun) {
          ctx.logger.info(
            `Dry run: would push ${files.length} files to ${branch}`,
          );
        } else {
          await git('push', '-q', 'origin', `HEAD:${branch}`);
          ctx.logger.info(
            `Pushed ${commitHash} (${files.length} files) to ${branch}`,
          );
        }
        ctx.output('commitHash', commitHash);
        ctx.output('repository', repository);
        ctx.output('branch', branch);
        ctx.output('files', files);
      } finally {
        await fs.rm(clone, { recursive: true, force: true });
      }
    },
  });
}

async function listFiles(root: string, prefix = ''): Promise<string[]> {
  const entries = await fs
    .readdir(path.join(root, prefix), { withFileTypes: true })
    .catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const relative = path.posix.join(prefix, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(root, relative)));
    else if (entry.isFile()) files.push(relative);
  }
  return files.sort();
}

async function exists(file: string) {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
