import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { argocdAppsChartDir, inferenceChartDir } from './paths';

/** An environment of charts/inference and the value files that render it (relative to the chart). */
export interface ChartEnvironment {
  name: string;
  valueFiles: string[];
}

export const colours = ['blue', 'green'] as const;
export type Colour = (typeof colours)[number];

function readYaml(file: string): Record<string, unknown> {
  return (parse(fs.readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
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
  const environments: ChartEnvironment[] = [{ name: base, valueFiles: [] }];
  for (const file of fs.readdirSync(chartDir).sort()) {
    const match = /^values-(.+)\.yaml$/.exec(file);
    if (match && readYaml(path.join(chartDir, file)).environment === match[1]) {
      environments.push({ name: match[1], valueFiles: [file] });
    }
  }
  return environments;
}

/** An environment file of charts/argocd-apps (environments/<name>.yaml). */
export interface AppEnvironment {
  name: string;
  colour: Colour;
  sync: 'automated' | 'manual';
  server?: string;
}

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
