import { InfraTree } from '../infraTree';
import { checkArgocdPortalAccount, checkKubernetesRoles } from './access';
import { checkAzureBaseline } from './baseline';
import { checkBackends } from './backends';
import { checkEnvironmentInputs } from './inputs';
import { checkLayout } from './layout';
import { checkModuleWiring } from './modules';
import { checkRemoteStateWiring } from './remoteState';
import { checkSandboxTwins } from './twins';

export {
  checkArgocdPortalAccount,
  checkAzureBaseline,
  checkKubernetesRoles,
  checkBackends,
  checkEnvironmentInputs,
  checkLayout,
  checkModuleWiring,
  checkRemoteStateWiring,
  checkSandboxTwins,
};

/** Every structural problem of the tree; empty when the stacks are wired consistently. */
export async function checkInfra(tree: InfraTree): Promise<string[]> {
  return [
    ...(await checkLayout(tree)),
    ...checkEnvironmentInputs(tree),
    ...checkBackends(tree),
    ...checkRemoteStateWiring(tree),
    ...checkModuleWiring(tree),
    ...checkSandboxTwins(tree),
    ...checkKubernetesRoles(tree),
    ...checkArgocdPortalAccount(tree),
    ...checkAzureBaseline(tree),
  ];
}
