import { RootConfigService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import path from 'node:path';
import { GitOpsRepositoryOptions } from '../deployments/GitOpsRepository';
import { GithubPullRequests } from '../deployments/GithubPullRequests';

/** Where and how the run service runs the stacks (`devopsApp.terraform` in config). */
export interface TerraformRunConfig {
  /** `sandbox`: the stand-in stacks with local state; `azure`: the real stacks with `backend.hcl`. */
  target: 'sandbox' | 'azure';
  /** The infra/ directory: environments/ and modules/ live below it. */
  infraDir: string;
  /** The directory holding one folder per stack. */
  stacksDir: string;
  /** Sandbox only: holds `<env>/<stack>.tfstate` for every environment. */
  stateDir: string;
  /** Each run gets `<workDir>/<runId>` for TF_DATA_DIR, plan files and its input files. */
  workDir: string;
  binary: string;
  stackTimeoutMs: number;
  /** Sandbox only: seconds each apply takes (benchmarks). */
  sandboxDelaySeconds?: number;
  /** A run whose backend has not written a heartbeat for this long is interrupted at start-up. */
  staleRunMs: number;
  /**
   * The GitOps repository (`devopsApp.gitops`) an applied run commits the environment's outputs to
   * (`outputs/`); without it nothing is committed. Pull requests when `devopsApp.gitops.pullRequests`
   * is configured, as for production deploys.
   */
  gitops?: Pick<
    GitOpsRepositoryOptions,
    'repository' | 'branch' | 'pullRequests'
  >;
}

export function readTerraformRunConfig(
  config: RootConfigService,
): TerraformRunConfig {
  const tf = config.getOptionalConfig('devopsApp.terraform');
  const resolve = (p: string) => path.resolve(p);
  const target = (tf?.getOptionalString('target') ??
    'sandbox') as TerraformRunConfig['target'];
  if (target !== 'sandbox' && target !== 'azure') {
    throw new InputError(
      `devopsApp.terraform.target must be "sandbox" or "azure", not "${target}"`,
    );
  }
  const infraDir = resolve(tf?.getOptionalString('infraDir') ?? '../../infra');
  return {
    target,
    infraDir,
    stacksDir: resolve(
      tf?.getOptionalString('stacksDir') ??
        path.join(infraDir, target === 'sandbox' ? 'sandbox' : 'stacks'),
    ),
    stateDir: resolve(
      tf?.getOptionalString('stateDir') ?? '../../.run/terraform/state',
    ),
    workDir: resolve(
      tf?.getOptionalString('workDir') ?? '../../.run/terraform/runs',
    ),
    binary: tf?.getOptionalString('binary') ?? 'terraform',
    stackTimeoutMs:
      (tf?.getOptionalNumber('stackTimeoutSeconds') ?? 1800) * 1000,
    sandboxDelaySeconds: tf?.getOptionalNumber('sandboxDelaySeconds'),
    staleRunMs: (tf?.getOptionalNumber('staleRunSeconds') ?? 60) * 1000,
    gitops: readGitops(config),
  };
}

function readGitops(config: RootConfigService): TerraformRunConfig['gitops'] {
  const gitops = config.getOptionalConfig('devopsApp.gitops');
  if (!gitops) return undefined;
  return {
    repository: gitops.getString('repository'),
    branch: gitops.getOptionalString('branch') ?? 'main',
    pullRequests: GithubPullRequests.fromConfig(config),
  };
}
