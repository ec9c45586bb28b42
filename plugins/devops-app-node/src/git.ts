import { execFile } from 'node:child_process';

/**
 * A git command that failed, with git's own message (never the environment or credentials).
 * @public
 */
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

/**
 * The one way the portal's packages run git (the backend's GitOps repository, the scaffolder module's
 * commit and register-file actions): `git args` in `cwd`, with no prompt and no system config, only
 * PATH, HOME and LANG of the environment (identity is passed in `-c`). Exit codes in `okExitCodes`
 * count as success. Resolves to stdout; a failure is a `GitCommandError`.
 * @public
 */
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
