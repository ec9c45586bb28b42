import path from 'node:path';
import { InfraTree, relative } from '../infraTree';

const LOCATION_SETTINGS = [
  'resource_group_name',
  'storage_account_name',
  'container_name',
];

/**
 * Real stacks keep state in azurerm under their own key; backend.hcl gives the environment's account
 * and container and never a key; no two (environment, stack) pairs share a state blob. Stand-ins use
 * the local backend with the path given at init.
 */
export function checkBackends(tree: InfraTree): string[] {
  const problems: string[] = [];
  for (const [name, stack] of tree.stacks) {
    const where = relative(tree, stack.dir);
    if (stack.backend?.type !== 'azurerm') {
      problems.push(
        `${where}: backend must be azurerm, found ${
          stack.backend?.type ?? 'none'
        }`,
      );
    } else if (stack.backend.settings.key !== `${name}.tfstate`) {
      problems.push(`${where}: backend key must be "${name}.tfstate"`);
    }
  }
  for (const stand of tree.sandbox.values()) {
    const where = relative(tree, stand.dir);
    if (stand.backend?.type !== 'local') {
      problems.push(
        `${where}: backend must be local, found ${
          stand.backend?.type ?? 'none'
        }`,
      );
    } else if (Object.keys(stand.backend.settings).length > 0) {
      problems.push(
        `${where}: the local backend's path must come from -backend-config at init`,
      );
    }
  }

  const owners = new Map<string, string>();
  for (const environment of tree.environments.values()) {
    const file = relative(tree, path.join(environment.dir, 'backend.hcl'));
    const backend = environment.backend;
    if (!backend) {
      problems.push(`${file}: missing`);
      continue;
    }
    for (const setting of LOCATION_SETTINGS) {
      if (typeof backend[setting] !== 'string')
        problems.push(`${file}: ${setting} is not set`);
    }
    for (const [stackName, stack] of tree.stacks) {
      const settings = { ...stack.backend?.settings, ...backend };
      const blob = [...LOCATION_SETTINGS, 'key']
        .map(s => String(settings[s]))
        .join('/');
      const owner = `${environment.name}/${stackName}`;
      const other = owners.get(blob);
      if (other) {
        problems.push(
          `${file}: ${owner} and ${other} share the state blob ${blob}`,
        );
      } else {
        owners.set(blob, owner);
      }
    }
  }
  return problems;
}
