import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { argocdAppsChartDir, inferenceChartDir, packageDir } from './paths';

/**
 * The storage stack's client id as the portal commits it after an apply (values/sandbox-identity.yaml).
 * Every real render of an environment needs one: the chart refuses a missing or all-zero client id unless
 * `local` is true.
 */
export const sandboxIdentityValues = path.join(
  packageDir,
  'values',
  'sandbox-identity.yaml',
);
export const SANDBOX_CLIENT_ID = '5f0c7c2e-8b1a-4d3e-9f6a-2b7c4d8e1a90';
export const ALL_ZERO_CLIENT_ID = '00000000-0000-0000-0000-000000000000';

/**
 * An environment of charts/inference and the value files that render it (relative to the chart, or
 * absolute): its own file, then the identity the portal writes into it after the storage stack's apply.
 */
export interface ChartEnvironment {
  name: string;
  valueFiles: string[];
}

export const colours = ['blue', 'green'] as const;
export type Colour = (typeof colours)[number];

function readYaml(file: string): Record<string, unknown> {
  return (parse(fs.readFileSync(file, 'utf8')) ?? {}) as Record<
    string,
    unknown
  >;
}

/**
 * The environments the chart knows, found the way the chart's own check finds them: the base environment
 * (values.yaml, named by a Chart.yaml annotation) and every values-<env>.yaml that declares
 * `environment: <env>`. Nothing here lists environments, so a file the portal adds is tested too.
 */
export function inferenceEnvironments(
  chartDir: string = inferenceChartDir,
): ChartEnvironment[] {
  const chart = readYaml(path.join(chartDir, 'Chart.yaml'));
  const annotations = (chart.annotations ?? {}) as Record<string, string>;
  const base = annotations['devops-app.io/base-environment'];
  const environments: ChartEnvironment[] = [
    { name: base, valueFiles: [sandboxIdentityValues] },
  ];
  for (const file of fs.readdirSync(chartDir).sort()) {
    const match = /^values-(.+)\.yaml$/.exec(file);
    if (match && readYaml(path.join(chartDir, file)).environment === match[1]) {
      environments.push({
        name: match[1],
        valueFiles: [file, sandboxIdentityValues],
      });
    }
  }
  return environments;
}

/** An environment file of charts/argocd-apps (environments/<name>.yaml). */
export interface AppEnvironment {
  name: string;
  colour: Colour;
  sync: 'automated' | 'manual';
  protected: boolean;
  production: boolean;
  /** The cluster whose Argo CD deploys it; the chart defaults it to `name`. */
  cluster?: string;
  targetRevision?: string;
  server?: string;
}

/** The cluster an environment file names (default: the environment's own name). */
export const clusterOf = (environment: AppEnvironment) =>
  environment.cluster ?? environment.name;

export function argocdEnvironments(
  chartDir: string = argocdAppsChartDir,
): AppEnvironment[] {
  const dir = path.join(chartDir, 'environments');
  return fs
    .readdirSync(dir)
    .filter(file => file.endsWith('.yaml'))
    .sort()
    .map(file => readYaml(path.join(dir, file)) as unknown as AppEnvironment);
}
