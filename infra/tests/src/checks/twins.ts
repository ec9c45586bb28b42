import { isDeepStrictEqual } from 'node:util';
import { InfraTree, relative } from '../infraTree';

/** Variables only a stand-in has (its delay, where sandbox state lives) carry this prefix. */
export const SANDBOX_ONLY_PREFIX = 'sandbox_';

/**
 * A stand-in accepts exactly the real stack's variables, with the same types, defaults and
 * validations (so a tfvars file that passes the sandbox passes the real stack's validation), plus
 * optional sandbox_* ones; and it has exactly the real stack's outputs.
 */
export function checkSandboxTwins(tree: InfraTree): string[] {
  const problems: string[] = [];
  for (const [name, real] of tree.stacks) {
    const stand = tree.sandbox.get(name);
    if (!stand) continue;
    const where = relative(tree, stand.dir);
    for (const variable of real.variables.values()) {
      if (variable.name.startsWith(SANDBOX_ONLY_PREFIX)) {
        problems.push(
          `stacks/${name}: variable ${variable.name} uses the sandbox-only prefix`,
        );
      }
      const twin = stand.variables.get(variable.name);
      if (!twin) {
        problems.push(
          `${where}: lacks variable ${variable.name} of stacks/${name}`,
        );
      } else if (!isDeepStrictEqual(twin.block, variable.block)) {
        problems.push(
          `${where}: variable ${variable.name} differs from stacks/${name} (type, description, default, sensitivity or validation)`,
        );
      }
    }
    for (const variable of stand.variables.values()) {
      if (
        !real.variables.has(variable.name) &&
        !variable.name.startsWith(SANDBOX_ONLY_PREFIX)
      ) {
        problems.push(
          `${where}: variable ${variable.name} is not in stacks/${name}; sandbox-only variables start with ${SANDBOX_ONLY_PREFIX}`,
        );
      }
      if (
        variable.name.startsWith(SANDBOX_ONLY_PREFIX) &&
        variable.validations.length === 0
      ) {
        problems.push(
          `${where}: sandbox-only variable ${variable.name} has no validation`,
        );
      }
    }
    for (const output of real.outputs.values()) {
      const twin = stand.outputs.get(output.name);
      if (!twin) {
        problems.push(
          `${where}: lacks output ${output.name} of stacks/${name}`,
        );
      } else if (
        twin.description !== output.description ||
        twin.sensitive !== output.sensitive
      ) {
        problems.push(
          `${where}: output ${output.name} differs from stacks/${name} in description or sensitivity`,
        );
      }
    }
    for (const output of stand.outputs.keys()) {
      if (!real.outputs.has(output)) {
        problems.push(
          `${where}: output ${output} is not an output of stacks/${name}`,
        );
      }
    }
  }
  return problems;
}
