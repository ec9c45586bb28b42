import { isDeepStrictEqual } from 'node:util';
import { isObject, TerraformConfig } from '../hcl';
import { InfraTree, relative } from '../infraTree';

/** Variables only a stand-in has (its delay, where sandbox state lives) carry this prefix. */
export const SANDBOX_ONLY_PREFIX = 'sandbox_';

/** Role names a real stack assigns (azurerm_role_assignment role_definition_name). */
function assignedRoles(config: TerraformConfig): Set<string> {
  return new Set(
    config.resources
      .filter(r => r.type === 'azurerm_role_assignment')
      .map(r => r.block.role_definition_name)
      .filter((role): role is string => typeof role === 'string'),
  );
}

/** Role names a stand-in records (a terraform_data whose input has a literal `role`). */
function recordedRoles(config: TerraformConfig): Set<string> {
  const roles = new Set<string>();
  for (const resource of config.resources) {
    if (resource.type !== 'terraform_data') continue;
    const input = resource.block.input;
    if (isObject(input) && typeof input.role === 'string')
      roles.add(input.role);
  }
  return roles;
}

/**
 * A stand-in accepts exactly the real stack's variables, with the same types, defaults and
 * validations (so a tfvars file that passes the sandbox passes the real stack's validation), plus
 * optional sandbox_* ones; it has exactly the real stack's outputs; and it records (a terraform_data
 * with that `role`) every role the real stack assigns, and no other.
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
    const realRoles = assignedRoles(real);
    const standRoles = recordedRoles(stand);
    for (const role of realRoles) {
      if (!standRoles.has(role)) {
        problems.push(
          `${where}: records no role assignment "${role}" of stacks/${name}`,
        );
      }
    }
    for (const role of standRoles) {
      if (!realRoles.has(role)) {
        problems.push(
          `${where}: records the role "${role}", which stacks/${name} does not assign`,
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
