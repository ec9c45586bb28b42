import path from 'node:path';
import {
  HclObject,
  HclValue,
  isObject,
  ResourceBlock,
  TerraformConfig,
} from '../hcl';
import { InfraTree, relative } from '../infraTree';

/**
 * The Azure baseline the real stacks must keep, as Azure Verified Modules set it
 * (avm-res-containerservice-managedcluster, avm-res-storage-storageaccount), and the access that makes
 * a first apply usable: people, the portal and the kubelet can reach the cluster and its registry.
 * These are structural checks of the HCL as written; what Azure does with it is not checked here.
 */

/** The cluster stack's variable that makes an environment production-class. */
export const PRODUCTION_CLASS = 'production_class';
/** The Entra ID admin groups a production-class environment must name. */
export const ADMIN_GROUPS = 'admin_group_object_ids';

function blocks(value: HclValue | undefined): HclObject[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

/** A nested block, written out or as a `dynamic` block (its content). */
function nested(block: HclObject, name: string): HclObject[] {
  const dynamic = blocks(block.dynamic).flatMap(d => blocks(d[name]));
  return [...blocks(block[name]), ...dynamic.flatMap(d => blocks(d.content))];
}

function ofType(config: TerraformConfig, type: string): ResourceBlock[] {
  return config.resources.filter(r => r.type === type);
}

/** Whether an attribute's expression mentions `reference` (e.g. azurerm_storage_account.this.id). */
function refers(value: HclValue | undefined, reference: string): boolean {
  return JSON.stringify(value ?? null).includes(reference);
}

function address(resource: ResourceBlock): string {
  return `${resource.type}.${resource.name}`;
}

/** Resources of `type` whose `attribute` refers to `target` (its id). */
function targeting(
  config: TerraformConfig,
  type: string,
  attribute: string,
  target: ResourceBlock,
): ResourceBlock[] {
  return ofType(config, type).filter(r =>
    refers(r.block[attribute], `${address(target)}.id`),
  );
}

function checkCluster(where: string, config: TerraformConfig): string[] {
  const problems: string[] = [];
  for (const cluster of ofType(config, 'azurerm_kubernetes_cluster')) {
    const name = address(cluster);
    const block = cluster.block;
    const expectTrue = (attribute: string, why: string) => {
      if (block[attribute] !== true)
        problems.push(
          `${where}: ${name} does not set ${attribute} = true (${why})`,
        );
    };
    expectTrue('azure_policy_enabled', 'the Azure Policy add-on');
    for (const [child, why] of [
      ['key_vault_secrets_provider', 'the Key Vault secrets provider'],
      ['microsoft_defender', 'Defender for Containers'],
      ['maintenance_window_auto_upgrade', 'auto-upgrades need a window'],
      ['maintenance_window_node_os', 'node image upgrades need a window'],
      ['api_server_access_profile', 'authorized IP ranges'],
    ]) {
      if (nested(block, child).length === 0)
        problems.push(`${where}: ${name} has no ${child} block (${why})`);
    }
    if (!('private_cluster_enabled' in block)) {
      problems.push(
        `${where}: ${name} does not set private_cluster_enabled (the private API server option)`,
      );
    }
    const pool = nested(block, 'default_node_pool')[0] ?? {};
    if (pool.auto_scaling_enabled !== true) {
      problems.push(`${where}: ${name}'s system node pool does not autoscale`);
    }
    const aad = nested(
      block,
      'azure_active_directory_role_based_access_control',
    );
    if (
      !aad.some(a => refers(a.admin_group_object_ids, `var.${ADMIN_GROUPS}`))
    ) {
      problems.push(
        `${where}: ${name} does not pass var.${ADMIN_GROUPS} as its Entra ID admin groups`,
      );
    }
    if (
      targeting(
        config,
        'azurerm_monitor_diagnostic_setting',
        'target_resource_id',
        cluster,
      ).length === 0
    ) {
      problems.push(
        `${where}: ${name} has no diagnostic setting (its control-plane logs go nowhere)`,
      );
    }

    // Images: the kubelet identity pulls from the stack's registry.
    const registries = ofType(config, 'azurerm_container_registry');
    if (registries.length === 0) {
      problems.push(`${where}: has ${name} but no azurerm_container_registry`);
    }
    for (const registry of registries) {
      if (registry.block.admin_enabled !== false) {
        problems.push(
          `${where}: ${address(registry)} does not set admin_enabled = false`,
        );
      }
      const pull = targeting(
        config,
        'azurerm_role_assignment',
        'scope',
        registry,
      )
        .filter(r => r.block.role_definition_name === 'AcrPull')
        .filter(r => refers(r.block.principal_id, `${name}.kubelet_identity`));
      if (pull.length === 0) {
        problems.push(
          `${where}: no AcrPull role assignment for ${name}'s kubelet identity on ${address(
            registry,
          )}: the cluster could not pull its images`,
        );
      }
    }

    // People: the deploying principal is a cluster admin (it applies the monitoring stack next).
    if (!config.dataSourceTypes.has('azurerm_client_config')) {
      problems.push(
        `${where}: reads no azurerm_client_config, so the deploying principal gets no role on ${name}`,
      );
    }
    const admins = ofType(config, 'azurerm_role_assignment').filter(
      r =>
        r.block.role_definition_name ===
          'Azure Kubernetes Service RBAC Cluster Admin' &&
        refers(r.block.scope, `${name}.id`),
    );
    if (admins.length === 0) {
      problems.push(
        `${where}: no RBAC Cluster Admin role assignment on ${name}`,
      );
    }
  }
  return problems;
}

function checkStorage(where: string, config: TerraformConfig): string[] {
  const problems: string[] = [];
  for (const account of ofType(config, 'azurerm_storage_account')) {
    const name = address(account);
    const block = account.block;
    if (block.public_network_access_enabled !== false) {
      problems.push(
        `${where}: ${name} does not set public_network_access_enabled = false`,
      );
    }
    if (block.shared_access_key_enabled !== false) {
      problems.push(
        `${where}: ${name} does not set shared_access_key_enabled = false`,
      );
    }
    const blob = nested(block, 'blob_properties')[0] ?? {};
    for (const attribute of ['versioning_enabled', 'change_feed_enabled']) {
      if (blob[attribute] !== true) {
        problems.push(
          `${where}: ${name} does not set blob_properties ${attribute} = true`,
        );
      }
    }
    const endpoints = ofType(config, 'azurerm_private_endpoint').filter(e =>
      nested(e.block, 'private_service_connection').some(c =>
        refers(c.private_connection_resource_id, `${name}.id`),
      ),
    );
    if (endpoints.length === 0) {
      problems.push(`${where}: ${name} has no private endpoint`);
    }
    if (
      ofType(config, 'azurerm_monitor_diagnostic_setting').filter(d =>
        refers(d.block.target_resource_id, `${name}.id`),
      ).length === 0
    ) {
      problems.push(`${where}: ${name} has no diagnostic setting`);
    }
    const locks = targeting(
      config,
      'azurerm_management_lock',
      'scope',
      account,
    ).filter(l => l.block.lock_level === 'CanNotDelete');
    if (locks.length === 0) {
      problems.push(
        `${where}: ${name} has no CanNotDelete management lock (production-class environments)`,
      );
    }
  }
  // Data roles are granted on one container, never on the whole account.
  for (const assignment of ofType(config, 'azurerm_role_assignment')) {
    const role = String(assignment.block.role_definition_name ?? '');
    if (
      role.startsWith('Storage Blob Data') &&
      !refers(assignment.block.scope, 'azurerm_storage_container.')
    ) {
      problems.push(
        `${where}: ${address(
          assignment,
        )} grants ${role} beyond a single container`,
      );
    }
  }
  return problems;
}

/**
 * A production-class environment names an Entra ID admin group (the cluster stack's validation says
 * so too) and keeps its Terraform state in a state account of its own; prod is production-class.
 */
function checkEnvironments(tree: InfraTree): string[] {
  const problems: string[] = [];
  const cluster = tree.stacks.get('cluster');
  const groups = cluster?.variables.get(ADMIN_GROUPS);
  if (!cluster?.variables.has(PRODUCTION_CLASS) || !groups) {
    return [
      `stacks/cluster: does not declare ${PRODUCTION_CLASS} and ${ADMIN_GROUPS}`,
    ];
  }
  if (
    !groups.validations.some(
      v =>
        v.condition.includes(`var.${PRODUCTION_CLASS}`) &&
        v.condition.includes(`length(var.${ADMIN_GROUPS})`),
    )
  ) {
    problems.push(
      `stacks/cluster: no validation requires ${ADMIN_GROUPS} when ${PRODUCTION_CLASS} is true`,
    );
  }
  const accounts = new Map<string, string[]>();
  for (const environment of tree.environments.values()) {
    const account = String(environment.backend?.storage_account_name);
    accounts.set(account, [...(accounts.get(account) ?? []), environment.name]);
  }
  for (const environment of tree.environments.values()) {
    const file = relative(tree, path.join(environment.dir, 'cluster.tfvars'));
    const values = environment.tfvars.get('cluster') ?? {};
    const production = values[PRODUCTION_CLASS] === true;
    if (environment.name === 'prod' && !production) {
      problems.push(`${file}: prod does not set ${PRODUCTION_CLASS} = true`);
    }
    if (!production) continue;
    const admins = values[ADMIN_GROUPS];
    if (!Array.isArray(admins) || admins.length === 0) {
      problems.push(
        `${file}: production-class environment without an Entra ID admin group (${ADMIN_GROUPS})`,
      );
    }
    const account = String(environment.backend?.storage_account_name);
    const sharing = (accounts.get(account) ?? []).filter(
      e => e !== environment.name,
    );
    if (sharing.length > 0) {
      problems.push(
        `${relative(
          tree,
          path.join(environment.dir, 'backend.hcl'),
        )}: production-class ${
          environment.name
        } shares the state account ${account} with ${sharing.join(', ')}`,
      );
    }
  }
  return problems;
}

export function checkAzureBaseline(tree: InfraTree): string[] {
  const problems: string[] = [];
  for (const config of tree.stacks.values()) {
    const where = relative(tree, config.dir);
    problems.push(
      ...checkCluster(where, config),
      ...checkStorage(where, config),
    );
  }
  return [...problems, ...checkEnvironments(tree)];
}
