import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TerraformConfig } from '../hcl';
import { InfraTree, relative } from '../infraTree';

const REQUIRED_FILES = [
  'main.tf',
  'variables.tf',
  'outputs.tf',
  'terraform.tf',
  'README.md',
];

async function readme(dir: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path.join(dir, 'README.md'), 'utf8');
  } catch {
    return undefined;
  }
}

async function checkConfig(
  tree: InfraTree,
  config: TerraformConfig,
): Promise<string[]> {
  const where = relative(tree, config.dir);
  const problems: string[] = [];
  const present = new Set(await fs.readdir(config.dir));
  for (const file of REQUIRED_FILES) {
    if (!present.has(file)) problems.push(`${where}: ${file} is missing`);
  }
  for (const variable of config.variables.values()) {
    if (!variable.type)
      problems.push(`${where}: variable ${variable.name} has no type`);
    if (!variable.description) {
      problems.push(`${where}: variable ${variable.name} has no description`);
    }
  }
  for (const output of config.outputs.values()) {
    if (!output.description)
      problems.push(`${where}: output ${output.name} has no description`);
  }
  if (!config.requiredVersion)
    problems.push(`${where}: terraform.required_version is not set`);
  for (const [name, requirement] of config.requiredProviders) {
    if (!requirement.source || !requirement.version) {
      problems.push(
        `${where}: provider ${name} is not pinned with a source and a version`,
      );
    }
  }
  const text = await readme(config.dir);
  if (text !== undefined) {
    const names = [...config.variables.keys(), ...config.outputs.keys()];
    for (const name of names) {
      if (!text.includes(`\`${name}\``)) {
        problems.push(`${where}: README.md does not document \`${name}\``);
      }
    }
  }
  return problems;
}

/**
 * Every stack, module and stand-in has the standard files, typed and described variables, described
 * outputs, pinned providers and a README that names each input and output; the sandbox uses nothing
 * but Terraform's built-in features.
 */
export async function checkLayout(tree: InfraTree): Promise<string[]> {
  const problems: string[] = [];
  const layers = [tree.stacks, tree.modules, tree.sandbox];
  for (const layer of layers) {
    for (const config of layer.values()) {
      problems.push(...(await checkConfig(tree, config)));
    }
  }
  if (tree.stacks.size === 0) problems.push('stacks: no stack found');
  for (const [name, stand] of tree.sandbox) {
    const where = relative(tree, stand.dir);
    if (stand.requiredProviders.size > 0) {
      problems.push(
        `${where}: requires providers, but the sandbox may use only built-in features`,
      );
    }
    for (const type of stand.resourceTypes) {
      if (type !== 'terraform_data') {
        problems.push(
          `${where}: resource type ${type} is not built in (only terraform_data is)`,
        );
      }
    }
    for (const type of stand.dataSourceTypes) {
      if (type !== 'terraform_remote_state') {
        problems.push(`${where}: data source ${type} is not built in`);
      }
    }
    if (stand.modules.length > 0) {
      problems.push(
        `${where}: calls modules; a stand-in must be self-contained`,
      );
    }
    if (!tree.stacks.has(name))
      problems.push(`${where}: no real stack stacks/${name}`);
  }
  for (const name of tree.stacks.keys()) {
    if (!tree.sandbox.has(name))
      problems.push(`stacks/${name}: no stand-in sandbox/${name}`);
  }
  return problems;
}
