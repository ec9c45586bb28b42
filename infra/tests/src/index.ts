/**
 * Checks of infra/: the structural checks (HCL parse), the stacks' apply order, and a reference
 * implementation of the terraform run service's invocation contract for the sandbox stacks.
 *
 * @packageDocumentation
 */
export { checkInfra } from './checks';
export { loadInfraTree, defaultInfraRoot } from './infraTree';
export type { Environment, InfraTree } from './infraTree';
export { applyOrder } from './order';
export { SandboxStackRun, outputValues } from './terraform/sandboxRun';
export type {
  SandboxRunOptions,
  TerraformOutputs,
} from './terraform/sandboxRun';
