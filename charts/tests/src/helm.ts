import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { toolPath } from './paths';

/** A rendered Kubernetes object, as plain data. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Options of a lint or render: value files (relative to the chart) and --set overrides. */
export interface ValuesOptions {
  valueFiles?: string[];
  set?: Record<string, string>;
}

let helmBinary: string | undefined;

function helm(args: string[], cwd: string): HelmResult {
  helmBinary ??= toolPath(
    'helm',
    'run scripts/install-helm.sh (make installs it)',
  );
  const result = spawnSync(helmBinary, args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // Keep helm from reading the developer's repositories, plugins or kube config.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      HELM_CACHE_HOME: '/tmp/chart-tests-helm/cache',
      HELM_CONFIG_HOME: '/tmp/chart-tests-helm/config',
      HELM_DATA_HOME: '/tmp/chart-tests-helm/data',
      KUBECONFIG: '/dev/null',
    },
  });
  if (result.error) {
    throw result.error;
  }
  return {
    status: result.status ?? -1,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

function valuesArgs({ valueFiles = [], set = {} }: ValuesOptions): string[] {
  return [
    ...valueFiles.flatMap(file => ['--values', file]),
    ...Object.entries(set).flatMap(([key, value]) => [
      '--set',
      `${key}=${value}`,
    ]),
  ];
}

export function helmLint(chartDir: string, options: ValuesOptions = {}) {
  return helm(['lint', '--strict', '.', ...valuesArgs(options)], chartDir);
}

export function helmTemplate(
  chartDir: string,
  releaseName: string,
  options: ValuesOptions = {},
) {
  return helm(['template', releaseName, '.', ...valuesArgs(options)], chartDir);
}

/** Renders a chart and parses every document; throws with helm's message when the render fails. */
export function renderObjects(
  chartDir: string,
  releaseName: string,
  options: ValuesOptions = {},
): KubeObject[] {
  const result = helmTemplate(chartDir, releaseName, options);
  if (result.status !== 0) {
    throw new Error(`helm template failed: ${result.stderr}`);
  }
  return parseManifests(result.stdout);
}

export function parseManifests(text: string): KubeObject[] {
  return parseAllDocuments(text).flatMap(document => {
    if (document.errors.length > 0) {
      throw new Error(
        `rendered YAML does not parse: ${document.errors[0].message}`,
      );
    }
    const object = document.toJS({ maxAliasCount: -1 }) as KubeObject | null;
    return object ? [object] : [];
  });
}
