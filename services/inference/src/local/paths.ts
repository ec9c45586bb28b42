import { dirname, join, resolve } from 'node:path';

/** This package's directory, found through its own package.json (works from src/ and from dist/). */
export function packageDir(): string {
  return dirname(require.resolve('@devops-app/inference/package.json'));
}

/** The compiled service entry point, as the container image runs it. */
export function serviceEntryPoint(): string {
  return join(packageDir(), 'dist', 'main.js');
}

/** The repository's run-state directory (.run/, git-ignored). */
export function runStateDir(): string {
  return resolve(packageDir(), '..', '..', '.run');
}
