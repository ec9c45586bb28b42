import { HclValue, TerraformConfig, unwrapExpression } from '../hcl';
import { Environment, InfraTree, relative } from '../infraTree';
import { attributesRead } from './references';

/** The stack a remote-state block reads: the state file's name, <stack>.tfstate. */
function targetStack(config: Record<string, HclValue>): string | undefined {
  const location = config.key ?? config.path;
  if (typeof location !== 'string') return undefined;
  const match = /([A-Za-z0-9_-]+)\.tfstate\}?$/.exec(location);
  return match?.[1];
}

/** A literal, or a variable as the environment's tfvars (or the default) sets it. */
function resolve(
  value: HclValue | undefined,
  stack: TerraformConfig,
  tfvars: Record<string, HclValue> | undefined,
): HclValue | undefined {
  const expression = unwrapExpression(value);
  if (expression === undefined) return value;
  const variable = /^var\.([A-Za-z_][\w-]*)$/.exec(expression.trim())?.[1];
  if (!variable) return undefined;
  if (tfvars && variable in tfvars) return tfvars[variable];
  return stack.variables.get(variable)?.defaultValue;
}

function checkRealLocation(
  tree: InfraTree,
  stackName: string,
  stack: TerraformConfig,
  config: Record<string, HclValue>,
  target: TerraformConfig,
  environments: Iterable<Environment>,
): string[] {
  const where = relative(tree, stack.dir);
  const problems: string[] = [];
  if (config.key !== target.backend?.settings.key) {
    problems.push(
      `${where}: reads state key ${JSON.stringify(config.key)}, but ${relative(
        tree,
        target.dir,
      )} writes ${JSON.stringify(target.backend?.settings.key)}`,
    );
  }
  for (const environment of environments) {
    const tfvars = environment.tfvars.get(stackName);
    for (const setting of [
      'resource_group_name',
      'storage_account_name',
      'container_name',
    ]) {
      const read = resolve(config[setting], stack, tfvars);
      const written = environment.backend?.[setting];
      if (read !== written) {
        problems.push(
          `${where}: in ${
            environment.name
          } the remote state's ${setting} is ${JSON.stringify(
            read,
          )}, but environments/${
            environment.name
          }/backend.hcl stores state in ${JSON.stringify(written)}`,
        );
      }
    }
  }
  return problems;
}

function checkLayer(
  tree: InfraTree,
  layer: Map<string, TerraformConfig>,
  sandbox: boolean,
): string[] {
  const problems: string[] = [];
  for (const [stackName, stack] of layer) {
    const where = relative(tree, stack.dir);
    for (const remote of stack.remoteStates) {
      const label = `data.terraform_remote_state.${remote.name}`;
      const targetName = targetStack(remote.config);
      const target = targetName ? layer.get(targetName) : undefined;
      if (!targetName || !target) {
        problems.push(
          `${where}: ${label} reads ${
            targetName ?? 'an unnamed state'
          }, which is not a stack beside it`,
        );
        continue;
      }
      if (targetName === stackName)
        problems.push(`${where}: ${label} reads its own state`);

      const read = attributesRead(stack, `${label}.outputs`);
      remote.selfOutputs.forEach(n => read.add(n));
      for (const output of read) {
        if (!target.outputs.has(output)) {
          problems.push(
            `${where}: ${label} reads output ${output}, which ${relative(
              tree,
              target.dir,
            )} does not declare`,
          );
        }
      }

      if (remote.backend !== target.backend?.type) {
        problems.push(
          `${where}: ${label} uses backend ${remote.backend}, but ${relative(
            tree,
            target.dir,
          )} keeps its state in ${target.backend?.type ?? 'no backend'}`,
        );
      } else if (sandbox) {
        const expected = `\${var.sandbox_state_dir}/\${var.environment}/${targetName}.tfstate`;
        if (remote.config.path !== expected) {
          problems.push(
            `${where}: ${label} path must be "${expected}", the layout the run service writes`,
          );
        }
      } else {
        problems.push(
          ...checkRealLocation(
            tree,
            stackName,
            stack,
            remote.config,
            target,
            tree.environments.values(),
          ),
        );
      }
    }
  }
  return problems;
}

/**
 * Every output a stack reads through terraform_remote_state is declared by the stack it names, and
 * the state it reads is where that stack writes it, in every environment.
 */
export function checkRemoteStateWiring(tree: InfraTree): string[] {
  return [
    ...checkLayer(tree, tree.stacks, false),
    ...checkLayer(tree, tree.sandbox, true),
  ];
}
