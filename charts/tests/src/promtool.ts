import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { toolPath } from './paths';

let promtoolBinary: string | undefined;

/**
 * Runs the real promtool (Debian package `prometheus`) on files written to a fresh directory, so
 * rules and rule tests are judged by Prometheus' own parser and evaluator.
 */
export function promtool(
  args: string[],
  files: Record<string, unknown>,
): { status: number; output: string } {
  promtoolBinary ??= toolPath(
    'promtool',
    'install the Debian package prometheus',
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promtool-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      fs.writeFileSync(
        path.join(dir, name),
        stringify(content, { lineWidth: 0 }),
      );
    }
    const result = spawnSync(promtoolBinary, args, {
      cwd: dir,
      encoding: 'utf8',
    });
    if (result.error) {
      throw result.error;
    }
    return {
      status: result.status ?? -1,
      output: result.stdout + result.stderr,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
