import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  runTerraform,
  runTerraformOrThrow,
  terraformEnv,
  TerraformResult,
} from './cli';

/**
 * One sandbox stack for one environment, run the way infra/README.md's invocation contract says the
 * portal's terraform run service runs it: the configuration is used in place (-chdir), the working
 * data goes to a private TF_DATA_DIR, the state to <stateDir>/<environment>/<stack>.tfstate, and the
 * inputs come from infra/environments/<environment>/<stack>.tfvars plus TF_VAR_* variables.
 */
export interface SandboxRunOptions {
  infraRoot: string;
  /** Directory that holds every sandbox stack's state, as <environment>/<stack>.tfstate. */
  stateDir: string;
  /** Private scratch space of this run: TF_DATA_DIR and plan files go below it. */
  workDir: string;
  environment: string;
  stack: string;
  /** Extra TF_VAR_<name> values, e.g. secrets or sandbox_delay_seconds. */
  variables?: Record<string, string>;
}

export type TerraformOutputs = Record<
  string,
  { value: unknown; sensitive: boolean; type: unknown }
>;

export class SandboxStackRun {
  readonly configDir: string;
  readonly varFile: string;
  readonly statePath: string;
  readonly planPath: string;
  private readonly dataDir: string;

  constructor(private readonly options: SandboxRunOptions) {
    const { infraRoot, stateDir, workDir, environment, stack } = options;
    this.configDir = path.join(infraRoot, 'sandbox', stack);
    this.varFile = path.join(
      infraRoot,
      'environments',
      environment,
      `${stack}.tfvars`,
    );
    this.statePath = path.join(stateDir, environment, `${stack}.tfstate`);
    this.dataDir = path.join(workDir, environment, stack, 'terraform-data');
    this.planPath = path.join(workDir, environment, stack, 'run.tfplan');
  }

  /** The environment the run service gives terraform. */
  processEnv(): NodeJS.ProcessEnv {
    const variables = Object.entries(this.options.variables ?? {}).map(
      ([name, value]) => [`TF_VAR_${name}`, value] as const,
    );
    return terraformEnv({
      TF_DATA_DIR: this.dataDir,
      TF_VAR_sandbox_state_dir: this.options.stateDir,
      ...Object.fromEntries(variables),
    });
  }

  private async terraform(
    args: string[],
    check: boolean,
  ): Promise<TerraformResult> {
    const all = [`-chdir=${this.configDir}`, ...args];
    const env = this.processEnv();
    return check ? runTerraformOrThrow(all, env) : runTerraform(all, env);
  }

  async init(): Promise<TerraformResult> {
    await fs.mkdir(path.dirname(this.statePath), { recursive: true });
    await fs.mkdir(path.dirname(this.planPath), { recursive: true });
    return this.terraform(
      [
        'init',
        '-input=false',
        '-no-color',
        `-backend-config=path=${this.statePath}`,
      ],
      true,
    );
  }

  /** Plans into planPath; with `check` false a failing plan resolves instead of rejecting. */
  plan(extraArgs: string[] = [], check = true): Promise<TerraformResult> {
    return this.terraform(
      [
        'plan',
        '-input=false',
        '-no-color',
        `-var-file=${this.varFile}`,
        `-out=${this.planPath}`,
        ...extraArgs,
      ],
      check,
    );
  }

  apply(): Promise<TerraformResult> {
    return this.terraform(
      ['apply', '-input=false', '-no-color', this.planPath],
      true,
    );
  }

  async outputs(): Promise<TerraformOutputs> {
    const result = await this.terraform(['output', '-json', '-no-color'], true);
    return JSON.parse(result.stdout) as TerraformOutputs;
  }

  destroy(): Promise<TerraformResult> {
    return this.terraform(
      [
        'destroy',
        '-auto-approve',
        '-input=false',
        '-no-color',
        `-var-file=${this.varFile}`,
      ],
      true,
    );
  }
}

/** The plain values of `terraform output -json`. */
export function outputValues(
  outputs: TerraformOutputs,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(outputs).map(([k, v]) => [k, v.value]),
  );
}
