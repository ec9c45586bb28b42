import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TerraformResult {
  args: string[];
  code: number;
  stdout: string;
  stderr: string;
  /** Wall-clock duration of the command in milliseconds. */
  durationMs: number;
}

export class TerraformCommandError extends Error {
  constructor(readonly result: TerraformResult) {
    super(
      `terraform ${result.args.join(' ')} exited with ${result.code}\n${
        result.stderr || result.stdout
      }`,
    );
    this.name = 'TerraformCommandError';
  }
}

/** The real terraform: TERRAFORM_BIN if set, else the one on PATH. */
export function terraformBinary(): string {
  return process.env.TERRAFORM_BIN || 'terraform';
}

let emptyCliConfig: string | undefined;

/**
 * The process environment for terraform: no update checks, no prompts, and a CLI configuration file
 * that exists (nothing is downloaded, so an empty one will do when the configured one is absent).
 */
export function terraformEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    ...extra,
  };
  if (!env.TF_CLI_CONFIG_FILE || !existsSync(env.TF_CLI_CONFIG_FILE)) {
    if (!emptyCliConfig || !existsSync(emptyCliConfig)) {
      emptyCliConfig = path.join(
        mkdtempSync(path.join(os.tmpdir(), 'terraformrc-')),
        'terraformrc',
      );
      writeFileSync(emptyCliConfig, '');
    }
    env.TF_CLI_CONFIG_FILE = emptyCliConfig;
  }
  return env;
}

/** Runs terraform once; resolves with the result whatever the exit code. */
export function runTerraform(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<TerraformResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(terraformBinary(), args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', chunk => stdout.push(chunk));
    child.stderr.on('data', chunk => stderr.push(chunk));
    child.on('error', error =>
      reject(
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? new Error(
              `${terraformBinary()} not found: install Terraform >= 1.9 on PATH or set TERRAFORM_BIN`,
            )
          : error,
      ),
    );
    child.on('close', code =>
      resolve({
        args,
        code: code ?? -1,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        durationMs: Date.now() - started,
      }),
    );
  });
}

/** Like runTerraform, but rejects when terraform exits non-zero. */
export async function runTerraformOrThrow(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<TerraformResult> {
  const result = await runTerraform(args, env);
  if (result.code !== 0) throw new TerraformCommandError(result);
  return result;
}

/** Terraform wraps diagnostics to the terminal width; this folds all white space for comparisons. */
export function foldWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
