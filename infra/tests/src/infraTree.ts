import { promises as fs } from 'node:fs';
import path from 'node:path';
import { HclObject, loadConfig, parseAttributes, TerraformConfig } from './hcl';

/** One directory under infra/environments: its backend settings and one tfvars file per stack. */
export interface Environment {
  name: string;
  dir: string;
  backend?: HclObject;
  /** stack name -> attributes of <stack>.tfvars */
  tfvars: Map<string, HclObject>;
}

/** The three layers of infra/ plus the environments' inputs, parsed. */
export interface InfraTree {
  root: string;
  stacks: Map<string, TerraformConfig>;
  sandbox: Map<string, TerraformConfig>;
  modules: Map<string, TerraformConfig>;
  environments: Map<string, Environment>;
}

/** infra/ of this checkout (this file lives in infra/tests/src). */
export function defaultInfraRoot(): string {
  // These checks run only from source, inside the checkout whose infra/ they check.
  // eslint-disable-next-line no-restricted-syntax
  return path.resolve(__dirname, '..', '..');
}

async function subdirectories(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    return entries
      .filter(e => e.isDirectory() && !e.name.startsWith('.'))
      .map(e => e.name)
      .sort();
  } catch {
    return [];
  }
}

async function loadLayer(dir: string): Promise<Map<string, TerraformConfig>> {
  const layer = new Map<string, TerraformConfig>();
  for (const name of await subdirectories(dir)) {
    layer.set(name, await loadConfig(path.join(dir, name)));
  }
  return layer;
}

async function loadEnvironment(dir: string): Promise<Environment> {
  const environment: Environment = {
    name: path.basename(dir),
    dir,
    tfvars: new Map(),
  };
  for (const file of (await fs.readdir(dir)).sort()) {
    if (file === 'backend.hcl') {
      environment.backend = await parseAttributes(path.join(dir, file));
    } else if (file.endsWith('.tfvars')) {
      environment.tfvars.set(
        file.slice(0, -'.tfvars'.length),
        await parseAttributes(path.join(dir, file)),
      );
    }
  }
  return environment;
}

export async function loadInfraTree(
  root: string = defaultInfraRoot(),
): Promise<InfraTree> {
  const environments = new Map<string, Environment>();
  for (const name of await subdirectories(path.join(root, 'environments'))) {
    environments.set(
      name,
      await loadEnvironment(path.join(root, 'environments', name)),
    );
  }
  return {
    root,
    stacks: await loadLayer(path.join(root, 'stacks')),
    sandbox: await loadLayer(path.join(root, 'sandbox')),
    modules: await loadLayer(path.join(root, 'modules')),
    environments,
  };
}

/** Path of a file or directory relative to infra/, for readable problem reports. */
export function relative(tree: InfraTree, target: string): string {
  return path.relative(tree.root, target) || '.';
}
