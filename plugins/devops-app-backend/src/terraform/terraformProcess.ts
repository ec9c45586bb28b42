import { spawn } from 'node:child_process';
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
const KILL_GRACE_MS = 5000;

/**
 * Runs one terraform command in its own process group, so a timeout or a cancellation stops
 * terraform and the providers or `local-exec` children it started.
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
    const child = spawn(binary, args, {
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let timedOut = false;
    let cancelled = false;
    let stdout = '';
    const stderrTail: string[] = [];
    let killTimer: NodeJS.Timeout | undefined;

    const stop = () => {
      if (child.exitCode !== null || child.pid === undefined) return;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(
        () => killGroup(child.pid!, 'SIGKILL'),
        KILL_GRACE_MS,
      );
    };
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
    child.on('close', (code, killedBy) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
      out.flush();
      err.flush();
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

function killGroup(pid: number, sig: NodeJS.Signals) {
  try {
    process.kill(-pid, sig);
  } catch {
    // Already gone.
  }
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
