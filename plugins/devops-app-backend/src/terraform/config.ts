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
  /** The instance running a run writes its heartbeat this often (and reads a cancel then). */
  heartbeatMs: number;
  /** A running run whose heartbeat is older than this is interrupted by recovery. */
  staleRunMs: number;
  /** Recovery runs this often on one live instance (a global scheduler task). */
  recoveryIntervalMs: number;
  /** Each instance looks for queued runs this often (and at once when it queues one itself). */
  pollIntervalMs: number;
  /** Runs one instance executes at once (each of another environment). */
  concurrency: number;
  /** `-lock-timeout` of plan and apply: how long a run waits for the state lock. */
  lockTimeoutSeconds: number;
  /** An approved plan older than this is refused as stale (`approval.maxPlanAgeHours`, 24 h). */
  maxPlanAgeMs?: number;
  /**
   * The GitOps repository (`devopsApp.gitops`): runs read the environment's files from it at a commit
   * the server resolves, and an applied run commits the environment's outputs to it (`outputs/`);
   * without it runs read the infra checkout and nothing is committed. Pull requests when `devopsApp.gitops.pullRequests`
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
    heartbeatMs: (tf?.getOptionalNumber('heartbeatSeconds') ?? 2) * 1000,
    staleRunMs: (tf?.getOptionalNumber('staleRunSeconds') ?? 15) * 1000,
    recoveryIntervalMs:
      (tf?.getOptionalNumber('recoveryIntervalSeconds') ?? 5) * 1000,
    pollIntervalMs: (tf?.getOptionalNumber('pollIntervalSeconds') ?? 1) * 1000,
    concurrency: tf?.getOptionalNumber('concurrency') ?? 4,
    lockTimeoutSeconds: tf?.getOptionalNumber('lockTimeoutSeconds') ?? 60,
    maxPlanAgeMs:
      (tf?.getOptionalNumber('approval.maxPlanAgeHours') ?? 24) * 3_600_000,
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
