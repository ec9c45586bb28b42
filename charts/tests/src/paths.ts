import fs from 'node:fs';
import path from 'node:path';

/**
 * This package's directory. The tests always run from source (the package is never built), so
 * __dirname is where this file is.
 */
// eslint-disable-next-line no-restricted-syntax
export const packageDir = path.resolve(__dirname, '..');
/** The repository root: charts/tests is two levels below it. */
export const repoRoot = path.resolve(packageDir, '..', '..');
export const inferenceChartDir = path.join(repoRoot, 'charts', 'inference');
export const argocdAppsChartDir = path.join(repoRoot, 'charts', 'argocd-apps');
export const crdDir = path.join(packageDir, 'crds');

/**
 * A tool binary: the project's own install under .tools/bin first (scripts/install-helm.sh), then PATH.
 * Throws with the install step when it is nowhere, so a missing tool fails the tests instead of skipping.
 */
export function toolPath(name: string, installHint: string): string {
  const local = path.join(repoRoot, '.tools', 'bin', name);
  if (fs.existsSync(local)) {
    return local;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, name))) {
      return path.join(dir, name);
    }
  }
  throw new Error(`${name} not found in .tools/bin or PATH: ${installHint}`);
}
