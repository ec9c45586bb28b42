import { TerraformConfig } from './hcl';

/**
 * Stacks grouped into the order they must be applied: each group reads remote state only from
 * earlier groups, and the stacks within a group may run in parallel. Destroy in reverse.
 */
export function applyOrder(layer: Map<string, TerraformConfig>): string[][] {
  const dependencies = new Map<string, Set<string>>();
  for (const [name, config] of layer) {
    const reads = config.remoteStates
      .map(
        r =>
          /([A-Za-z0-9_-]+)\.tfstate\}?$/.exec(
            String(r.config.key ?? r.config.path),
          )?.[1],
      )
      .filter(
        (n): n is string => n !== undefined && layer.has(n) && n !== name,
      );
    dependencies.set(name, new Set(reads));
  }
  const groups: string[][] = [];
  const placed = new Set<string>();
  while (placed.size < dependencies.size) {
    const ready = [...dependencies]
      .filter(
        ([name, deps]) =>
          !placed.has(name) && [...deps].every(d => placed.has(d)),
      )
      .map(([name]) => name)
      .sort();
    if (ready.length === 0) {
      const rest = [...dependencies.keys()].filter(n => !placed.has(n));
      throw new Error(
        `stacks read each other's state in a cycle: ${rest.join(', ')}`,
      );
    }
    ready.forEach(n => placed.add(n));
    groups.push(ready);
  }
  return groups;
}
