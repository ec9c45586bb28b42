import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot, resultsDir, RunningPortal, startPortal } from './portal';

/** A throwaway GitOps remote: a bare repository made by scripts/init-gitops-remote.sh in a temp dir. */
export interface GitOpsRemote {
  /** The temp directory that holds the remote; a test may keep its own files there. */
  dir: string;
  /** The bare repository's path, what devopsApp.gitops.repository names. */
  path: string;
  /** git with `--git-dir` the remote; the output trimmed. */
  git(...args: string[]): string;
  /** Removes the temp directory; can be called twice. */
  remove(): Promise<void>;
}

/** Makes a GitOps remote in a new temp dir named devops-app-e2e-<name>-…, seeded as the real one is. */
export async function createGitOpsRemote(name: string): Promise<GitOpsRemote> {
  const dir = await mkdtemp(join(tmpdir(), `devops-app-e2e-${name}-`));
  const path = join(dir, 'devops-app.git');
  execFileSync(resolve(repoRoot, 'scripts/init-gitops-remote.sh'), {
    env: { ...process.env, GITOPS_REMOTE_DIR: path },
    stdio: 'ignore',
  });
  return {
    dir,
    path,
    git: (...args) =>
      execFileSync('git', ['--git-dir', path, ...args], {
        encoding: 'utf8',
      }).trim(),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The real backend and built frontend pushing to a GitOps remote of their own. */
export interface DeploymentsPortal extends RunningPortal {
  remote: GitOpsRemote;
}

/**
 * Starts the portal (startPortal) with its own GitOps remote (createGitOpsRemote). `env` adds a test's
 * own upstreams; `terraform` points the terraform state and run directories into the remote's temp dir.
 * The backend's output goes to test-results/e2e/<logFile>, default backend.log. stop() stops the
 * backend and removes the temp dir; it is safe in an afterAll after a failed start-up (call it as
 * `portal?.stop()`), and a failed start-up removes the temp dir itself.
 */
export async function startDeploymentsPortal(options: {
  /** Names the temp dir: devops-app-e2e-<name>-…. */
  name: string;
  /** Extra environment for the backend, e.g. APP_CONFIG_* of the test's stand-ins. */
  env?: Record<string, string>;
  /** The log file's name in test-results/e2e; default backend.log. */
  logFile?: string;
  /** Terraform state and run directories in the temp dir (for tests that run terraform). */
  terraform?: boolean;
}): Promise<DeploymentsPortal> {
  const remote = await createGitOpsRemote(options.name);
  let portal: RunningPortal;
  try {
    portal = await startPortal({
      logFile: resolve(resultsDir, options.logFile ?? 'backend.log'),
      env: {
        APP_CONFIG_devopsApp_gitops_repository: JSON.stringify(remote.path),
        ...(options.terraform
          ? {
              APP_CONFIG_devopsApp_terraform_stateDir: JSON.stringify(
                join(remote.dir, 'state'),
              ),
              APP_CONFIG_devopsApp_terraform_workDir: JSON.stringify(
                join(remote.dir, 'runs'),
              ),
            }
          : {}),
        ...options.env,
      },
    });
  } catch (error) {
    await remote.remove();
    throw error;
  }
  return {
    baseUrl: portal.baseUrl,
    remote,
    stop: async () => {
      await portal.stop();
      await remote.remove();
    },
  };
}
