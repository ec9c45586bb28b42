import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  TERRAFORM_STACKS,
  TerraformRun,
  TerraformStackName,
} from '@devops-app/plugin-devops-app-common';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { git, GitCommandError } from '@devops-app/plugin-devops-app-node';
import { TerraformRunConfig } from './config';

/** Where a run's files come from, as recorded on the run. */
export interface RunSource {
  source: NonNullable<TerraformRun['source']>;
  commit?: string;
}

/** The environment's files of a run, written into its directory, and the backend it inits with. */
export interface RunInputs {
  varFile(stack: TerraformStackName): string;
  /** `-backend-config=...` arguments of `terraform init` for the stack. */
  backendConfig(stack: TerraformStackName): string[];
}

const COMMIT = /^[0-9a-f]{40}$/;
const MAX_FILE_BYTES = 64 * 1024;

/** The settings of the azurerm backend an environment's backend.hcl may set; `key` is the stack's. */
const AZURE_BACKEND_KEYS = [
  'resource_group_name',
  'storage_account_name',
  'container_name',
  'use_azuread_auth',
  'subscription_id',
  'tenant_id',
];

/**
 * A run's configuration, from the server only. With `devopsApp.gitops` configured: the environment's
 * `infra/environments/<env>/` in the GitOps repository, at the branch head when the run is asked for,
 * or at a commit the caller names (the one the new-environment template just pushed), which must be
 * on the branch and hold the environment's files. The commit is recorded on the run, and the
 * instance that executes the run reads the files at that commit, whatever the branch has become.
 * Without `devopsApp.gitops`: the backend's infra/ checkout.
 *
 * Where the state lives is derived here, never asked for: sandbox, `<stateDir>/<env>/<stack>.tfstate`;
 * azure, the settings of the environment's backend.hcl in the repository (reviewed with the rest of
 * the environment's code; prod's own state account is written there), accepted only when its
 * container is `tfstate-<env>` and it sets nothing but the account settings, and the stack's own key.
 */
export class EnvironmentInputs {
  private readonly cacheDir?: string;
  private fetching?: Promise<void>;

  constructor(
    private readonly options: {
      config: TerraformRunConfig;
      logger: LoggerService;
    },
  ) {
    const { gitops } = options.config;
    if (gitops) {
      const key = createHash('sha256')
        .update(repositoryLocation(gitops.repository))
        .digest('hex')
        .slice(0, 16);
      this.cacheDir = path.join(
        os.tmpdir(),
        `devops-app-terraform-inputs-${process.pid}-${key}.git`,
      );
    }
  }

  /** Resolves the commit a run of `environment` will use; refuses a commit or environment that cannot be. */
  async resolve(environment: string, commit?: string): Promise<RunSource> {
    if (commit !== undefined && !COMMIT.test(commit)) {
      throw new InputError('commit: must be a full 40-character commit id');
    }
    if (!this.cacheDir) {
      if (commit !== undefined) {
        throw new InputError(
          'commit: runs read the infra checkout here (devopsApp.gitops is not configured)',
        );
      }
      await this.checkoutFiles(environment);
      return { source: 'checkout', commit: await this.checkoutHead() };
    }
    await this.fetch();
    const branch = this.options.config.gitops!.branch;
    const at =
      commit ?? (await this.git(['rev-parse', `refs/heads/${branch}`])).trim();
    if (commit !== undefined) {
      const known = await this.git(['cat-file', '-t', commit], [0, 128]);
      const onBranch =
        known.trim() === 'commit' &&
        (await this.isAncestor(commit, `refs/heads/${branch}`));
      if (!onBranch) {
        throw new InputError(
          `commit: ${commit} is not on branch ${branch} of the GitOps repository`,
        );
      }
    }
    const files = await this.filesAt(at, environment);
    if (!files.includes('cluster.tfvars')) {
      throw new InputError(
        `environment: "${environment}" has no files in infra/environments at ${at.slice(
          0,
          12,
        )} of ${branch}`,
      );
    }
    return { source: 'gitops', commit: at };
  }

  /** Writes the run's files into `dir` (from the recorded commit, or the checkout). */
  async materialize(
    run: RunSource & { environment: string },
    dir: string,
  ): Promise<RunInputs> {
    const { config } = this.options;
    const read =
      run.source === 'gitops'
        ? await this.gitReader(run.commit!, run.environment)
        : await this.checkoutFiles(run.environment);
    await fs.mkdir(dir, { recursive: true });
    for (const stack of TERRAFORM_STACKS) {
      const text = await read(`${stack}.tfvars`);
      if (text === undefined) {
        throw new Error(
          `infra/environments/${run.environment}/${stack}.tfvars is missing`,
        );
      }
      if (Buffer.byteLength(text) > MAX_FILE_BYTES) {
        throw new Error(
          `${stack}.tfvars is larger than ${MAX_FILE_BYTES} bytes`,
        );
      }
      await fs.writeFile(path.join(dir, `${stack}.tfvars`), text);
    }
    let backendConfig: RunInputs['backendConfig'];
    if (config.target === 'sandbox') {
      await fs.mkdir(path.join(config.stateDir, run.environment), {
        recursive: true,
      });
      backendConfig = stack => [
        `-backend-config=path=${sandboxStatePath(
          config,
          run.environment,
          stack,
        )}`,
      ];
    } else {
      const hcl = await read('backend.hcl');
      const settings = azureBackendSettings(run.environment, hcl);
      backendConfig = stack => [
        ...Object.entries(settings).map(
          ([k, v]) => `-backend-config=${k}=${v}`,
        ),
        `-backend-config=key=${stack}.tfstate`,
      ];
    }
    return {
      varFile: stack => path.join(dir, `${stack}.tfvars`),
      backendConfig,
    };
  }

  /**
   * A sha256 over the environment's files a run reads (each stack's tfvars and backend.hcl), at the
   * run's commit or in the checkout: a plan approval compares the one it planned with to the branch
   * head's, so an edit of the files after the plan makes the plan stale.
   */
  async filesDigest(run: RunSource & { environment: string }): Promise<string> {
    const read =
      run.source === 'gitops'
        ? await this.gitReader(run.commit!, run.environment)
        : await this.checkoutFiles(run.environment);
    const hash = createHash('sha256');
    for (const name of [
      ...TERRAFORM_STACKS.map(s => `${s}.tfvars`),
      'backend.hcl',
    ]) {
      const text = await read(name);
      hash.update(`${name}\0${text === undefined ? '-' : `+${text}`}\0`);
    }
    return hash.digest('hex');
  }

  /** Removes the read cache. */
  async close(): Promise<void> {
    if (this.cacheDir)
      await fs.rm(this.cacheDir, { recursive: true, force: true });
  }

  private async checkoutFiles(environment: string) {
    const dir = path.join(
      this.options.config.infraDir,
      'environments',
      environment,
    );
    try {
      await fs.access(path.join(dir, 'cluster.tfvars'));
    } catch {
      throw new InputError(
        `environment: "${environment}" has no files in infra/environments`,
      );
    }
    return (name: string) =>
      fs.readFile(path.join(dir, name), 'utf8').catch(() => undefined);
  }

  /** HEAD of the infra checkout when it is a git work tree (recorded on the run), else nothing. */
  private async checkoutHead(): Promise<string | undefined> {
    try {
      const head = (
        await git(['rev-parse', 'HEAD'], this.options.config.infraDir)
      ).trim();
      return COMMIT.test(head) ? head : undefined;
    } catch {
      return undefined;
    }
  }

  private async gitReader(commit: string, environment: string) {
    // Another instance may have resolved the commit: bring this cache up to the branch first.
    await this.fetch();
    const dir = `infra/environments/${environment}`;
    const present = await this.filesAt(commit, environment);
    return async (name: string) =>
      present.includes(name)
        ? this.git(['show', `${commit}:${dir}/${name}`])
        : undefined;
  }

  private async filesAt(
    commit: string,
    environment: string,
  ): Promise<string[]> {
    const out = await this.git([
      'ls-tree',
      '--name-only',
      commit,
      `infra/environments/${environment}/`,
    ]);
    return out
      .split('\n')
      .filter(Boolean)
      .map(p => path.posix.basename(p));
  }

  private async isAncestor(commit: string, ref: string) {
    try {
      await this.git(['merge-base', '--is-ancestor', commit, ref]);
      return true;
    } catch (e) {
      if (e instanceof GitCommandError && e.code === 1) return false;
      throw e;
    }
  }

  private git(args: string[], okExitCodes?: number[]) {
    return git(['--git-dir', this.cacheDir!, ...args], undefined, okExitCodes);
  }

  /** Brings the cache up to the remote's branch; concurrent callers share one fetch. */
  private fetch(): Promise<void> {
    if (!this.fetching) {
      this.fetching = this.doFetch().finally(() => {
        this.fetching = undefined;
      });
    }
    return this.fetching;
  }

  private async doFetch() {
    const { repository, branch } = this.options.config.gitops!;
    await fs.mkdir(this.cacheDir!, { recursive: true });
    await git(['init', '--quiet', '--bare', this.cacheDir!]);
    await this.git([
      'fetch',
      '--quiet',
      '--no-tags',
      repositoryLocation(repository),
      `+refs/heads/${branch}:refs/heads/${branch}`,
    ]);
  }
}

/** The local state file of a sandbox stack: derived from the environment, never supplied. */
export function sandboxStatePath(
  config: Pick<TerraformRunConfig, 'stateDir'>,
  environment: string,
  stack: TerraformStackName,
): string {
  return path.join(config.stateDir, environment, `${stack}.tfstate`);
}

/**
 * The azurerm backend settings of an environment's backend.hcl: `name = "value"` or `name = true`
 * lines only, known settings only, and the container must be the environment's own.
 */
export function azureBackendSettings(
  environment: string,
  hcl: string | undefined,
): Record<string, string> {
  const file = `infra/environments/${environment}/backend.hcl`;
  if (hcl === undefined) throw new Error(`${file} is missing`);
  const settings: Record<string, string> = {};
  for (const raw of hcl.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const match = /^([a-z_]+)\s*=\s*(?:"([A-Za-z0-9._-]*)"|(true|false))$/.exec(
      line,
    );
    if (!match) throw new Error(`${file}: cannot read "${line}"`);
    const [, name, text, bool] = match;
    if (!AZURE_BACKEND_KEYS.includes(name)) {
      throw new Error(`${file}: ${name} may not be set there`);
    }
    settings[name] = text ?? bool;
  }
  if (settings.container_name !== `tfstate-${environment}`) {
    throw new Error(
      `${file}: container_name must be "tfstate-${environment}", the environment's own state container`,
    );
  }
  for (const name of ['resource_group_name', 'storage_account_name']) {
    if (!settings[name]) throw new Error(`${file}: ${name} is missing`);
  }
  return settings;
}

function repositoryLocation(repository: string) {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repository)
    ? repository
    : path.resolve(repository);
}
