import path from 'node:path';
import { InfraTree, relative } from '../infraTree';

/**
 * Each environment has one tfvars file per stack; every variable a file sets is declared; every
 * required variable is set, except secrets, which must come from TF_VAR_* and never from a file; and
 * each file's environment is its directory's name.
 */
export function checkEnvironmentInputs(tree: InfraTree): string[] {
  const problems: string[] = [];
  if (tree.environments.size === 0)
    problems.push('environments: no environment found');
  for (const environment of tree.environments.values()) {
    for (const stack of environment.tfvars.keys()) {
      if (!tree.stacks.has(stack)) {
        const file = relative(
          tree,
          path.join(environment.dir, `${stack}.tfvars`),
        );
        problems.push(`${file}: there is no stack stacks/${stack}`);
      }
    }
    for (const [stackName, stack] of tree.stacks) {
      const file = relative(
        tree,
        path.join(environment.dir, `${stackName}.tfvars`),
      );
      const values = environment.tfvars.get(stackName);
      if (!values) {
        problems.push(
          `${file}: missing; every environment needs one tfvars file per stack`,
        );
        continue;
      }
      for (const name of Object.keys(values)) {
        const variable = stack.variables.get(name);
        if (!variable) {
          problems.push(
            `${file}: sets ${name}, which stacks/${stackName} does not declare`,
          );
        } else if (variable.sensitive) {
          problems.push(
            `${file}: sets the secret ${name}; pass it as TF_VAR_${name} instead`,
          );
        }
      }
      for (const variable of stack.variables.values()) {
        if (
          !variable.hasDefault &&
          !variable.sensitive &&
          !(variable.name in values)
        ) {
          problems.push(
            `${file}: does not set ${variable.name}, which stacks/${stackName} requires`,
          );
        }
      }
      if (
        stack.variables.has('environment') &&
        values.environment !== environment.name
      ) {
        problems.push(
          `${file}: environment is ${JSON.stringify(
            values.environment,
          )}, not the directory's name "${environment.name}"`,
        );
      }
    }
  }
  return problems;
}
