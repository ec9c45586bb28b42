import { ConflictError } from '@backstage/errors';
import { execFile } from 'node:child_process';

/** A git command that failed, with git's own message (never the environment or credentials). */
export class GitCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
    readonly code: number | null,
  ) {
    super(
      `git ${args[0]} failed: ${stderr.trim().split('\n').slice(-3).join(' ')}`,
    );
    this.name = 'GitCommandError';
  }
}

/** A push the remote refused (a hook, branch protection, or someone pushed first). */
export class PushRejectedError extends ConflictError {}

/** Runs git (exit codes in `okExitCodes` count as success) with no prompt, no user or system config beyond identity passed in `-c`. */
export function git(
  args: string[],
  cwd?: string,
  okExitCodes: number[] = [0],
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? '/tmp',
          GIT_TERMINAL_PROMPT: '0',
          GIT_CONFIG_NOSYSTEM: '1',
          LANG: 'C',
        },
      },
      (error, stdout, stderr) => {
        const code =
          error && typeof error.code === 'number' ? error.code : null;
        if (error && !(code !== null && okExitCodes.includes(code))) {
          reject(new GitCommandError(args, String(stderr), code));
        } else {
          resolve(String(stdout));
        }
      },
    );
  });
}
