import { spawn } from 'node:child_process';
import os from 'node:os';
import { Redactor } from './Redactor';

export interface TerraformCommand {
  binary: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Kills the command when it runs longer; the result says `timedOut`. */
  timeoutMs: number;
  signal?: AbortSignal;
  redactor: Redactor;
  /** Each line of stdout and stderr, already redacted, as soon as it is complete. */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Keep stdout whole (for `output -json`) instead of streaming it. */
  captureStdout?: boolean;
}

export interface TerraformCommandResult {
  exitCode: number | null;
  killedBy?: NodeJS.Signals;
  timedOut: boolean;
  cancelled: boolean;
  stdout: string;
  /** Last lines of stderr, redacted, for the failure reason. */
  stderrTail: string[];
}

/** Time terraform gets after SIGTERM to release its state lock before SIGKILL. */
export const KILL_GRACE_SECONDS = 5;

/**
 * The guard every terraform command runs under (POSIX sh, as `sh -c GUARD guard <binary> <args>`).
 * Node cannot ask the kernel to kill a child when its parent dies (PR_SET_PDEATHSIG), so the guard
 * watches its stdin, a pipe from the backend: when the pipe closes (the backend ended the run, or
 * died, even by SIGKILL) it sends SIGTERM to terraform's process group, then SIGKILL after the grace.
 * `setsid` gives terraform its own process group (a background job of a non-interactive sh is not a
 * group leader, so setsid execs in place and `$!` is the group), which takes the providers and
 * `local-exec` children with it (the pipe is kept as fd 3 for the watcher: sh gives a background
 * job /dev/null as its stdin otherwise); the group is also killed when terraform exits, so nothing it
 * started outlives it. The watcher is a process group of its own too (killed, with its `cat` and
 * `sleep`, once terraform has exited) and holds none of the output pipes, so the output ends with
 * terraform.
 * The guard exits with terraform's status (128 + signal when it was killed).
 */
export const GUARD_SCRIPT = `exec 3<&0
setsid "$@" </dev/null &
child=$!
setsid sh -c 'cat >/dev/null; kill -TERM -"$1"; sleep ${KILL_GRACE_SECONDS}; kill -KILL -"$1"' watcher "$child" <&3 >/dev/null 2>&1 &
watcher=$!
wait "$child"
code=$?
kill -KILL -"$child" 2>/dev/null
kill -KILL -"$watcher" 2>/dev/null
exit "$code"`;

/**
 * Runs one terraform command under {@link GUARD_SCRIPT}: a timeout or a cancellation closes the
 * guard's stdin, which stops terraform and everything it started; so does the backend's death.
 */
export function runTerraformCommand(
  command: TerraformCommand,
): Promise<TerraformCommandResult> {
  const {
    binary,
    args,
    env,
    timeoutMs,
    signal,
    redactor,
    onLine,
    captureStdout,
  } = command;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      resolve({
        exitCode: null,
        timedOut: false,
        cancelled: true,
        stdout: '',
        stderrTail: [],
      });
      return;
    }
    const child = spawn(
      '/bin/sh',
      ['-c', GUARD_SCRIPT, 'guard', binary, ...args],
      {
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    // The guard's stdin only ever closes; an early close of it must not crash the backend.
    child.stdin.on('error', () => {});
    let timedOut = false;
    let cancelled = false;
    let stdout = '';
    const stderrTail: string[] = [];

    const stop = () => child.stdin.end();
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, timeoutMs);
    const onAbort = () => {
      cancelled = true;
      stop();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const lineReader = (stream: 'stdout' | 'stderr') => {
      let pending = '';
      return {
        push(chunk: string) {
          pending += chunk;
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) this.emit(line);
        },
        flush() {
          if (pending) this.emit(pending);
          pending = '';
        },
        emit(raw: string) {
          const line = redactor.redact(raw.replace(/\r$/, ''));
          if (stream === 'stderr') {
            stderrTail.push(line);
            if (stderrTail.length > 20) stderrTail.shift();
          }
          onLine?.(stream, line);
        },
      };
    };
    const out = lineReader('stdout');
    const err = lineReader('stderr');
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (captureStdout) stdout += chunk;
      else out.push(chunk);
    });
    child.stderr.on('data', (chunk: string) => err.push(chunk));
    child.on('error', error => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('close', code => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      child.stdin.destroy();
      out.flush();
      err.flush();
      // The guard reports a terraform killed by a signal as 128 + the signal's number.
      const killedBy =
        code !== null && code > 128 ? signalName(code - 128) : undefined;
      resolve({
        exitCode: code,
        ...(killedBy ? { killedBy } : {}),
        timedOut,
        cancelled,
        stdout,
        stderrTail,
      });
    });
  });
}

function signalName(signo: number): NodeJS.Signals | undefined {
  return (
    Object.entries(os.constants.signals) as [NodeJS.Signals, number][]
  ).find(([, n]) => n === signo)?.[0];
}

/** Reads "Plan: 1 to add, 2 to change, 0 to destroy." or "No changes." from plan output. */
export function parsePlanSummary(
  line: string,
): { add: number; change: number; destroy: number } | undefined {
  const match = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/.exec(
    line,
  );
  if (match) {
    return {
      add: Number(match[1]),
      change: Number(match[2]),
      destroy: Number(match[3]),
    };
  }
  if (/^No changes\./.test(line.trim())) {
    return { add: 0, change: 0, destroy: 0 };
  }
  return undefined;
}
