import path from 'node:path';
import { InfraTree, relative } from '../infraTree';
import { attributesRead } from './references';

/**
 * Each module call points at a module under infra/modules, passes only variables the module declares
 * and every one it requires, and reads only outputs the module declares.
 */
export function checkModuleWiring(tree: InfraTree): string[] {
  const problems: string[] = [];
  const byDir = new Map(
    [...tree.modules.values()].map(m => [path.resolve(m.dir), m]),
  );
  for (const config of [...tree.stacks.values(), ...tree.modules.values()]) {
    const where = relative(tree, config.dir);
    for (const call of config.modules) {
      const label = `module.${call.name}`;
      const module = byDir.get(path.resolve(config.dir, call.source));
      if (!module) {
        problems.push(
          `${where}: ${label} source ${call.source} is not a module under modules/`,
        );
        continue;
      }
      const moduleWhere = relative(tree, module.dir);
      for (const input of Object.keys(call.inputs)) {
        if (!module.variables.has(input)) {
          problems.push(
            `${where}: ${label} passes ${input}, which ${moduleWhere} does not declare`,
          );
        }
      }
      for (const variable of module.variables.values()) {
        if (!variable.hasDefault && !(variable.name in call.inputs)) {
          problems.push(
            `${where}: ${label} does not pass ${variable.name}, which ${moduleWhere} requires`,
          );
        }
      }
      for (const output of attributesRead(config, label)) {
        if (!module.outputs.has(output)) {
          problems.push(
            `${where}: reads ${label}.${output}, which ${moduleWhere} does not declare`,
          );
        }
      }
    }
  }
  return problems;
}
