import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkInfra } from './checks';
import { defaultInfraRoot, loadInfraTree } from './infraTree';

/**
 * Structural checks of infra/ with an HCL parser: first on the tree as committed, then on copies
 * with one wire broken each, to show each check notices what it is meant to.
 */
describe('infra structure', () => {
  it('has no structural problems', async () => {
    const tree = await loadInfraTree();
    expect(tree.stacks.size).toBeGreaterThanOrEqual(3);
    expect(tree.environments.size).toBeGreaterThanOrEqual(3);
    await expect(checkInfra(tree)).resolves.toEqual([]);
  });

  describe('on a copy with one wire broken', () => {
    let scratch: string;

    beforeAll(async () => {
      scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'infra-structure-'));
    });
    afterAll(async () => {
      await fs.rm(scratch, { recursive: true, force: true });
    });

    /** Copies infra/ (without tests and working data), applies `edit` to one file, returns the problems. */
    async function problemsAfter(
      file: string,
      edit: (text: string) => string,
    ): Promise<string[]> {
      const root = await fs.mkdtemp(path.join(scratch, 'infra-'));
      await fs.cp(defaultInfraRoot(), root, {
        recursive: true,
        filter: source =>
          !/[\\/](tests|node_modules|\.terraform)([\\/]|$)/.test(
            path.relative(defaultInfraRoot(), source),
          ) && !source.endsWith(`${path.sep}tests`),
      });
      const target = path.join(root, file);
      const before = await fs.readFile(target, 'utf8');
      const after = edit(before);
      expect(after).not.toEqual(before);
      await fs.writeFile(target, after);
      return checkInfra(await loadInfraTree(root));
    }

    it('notices a stack reading an output the cluster stack no longer has', async () => {
      const problems = await problemsAfter('stacks/cluster/outputs.tf', t =>
        t.replace('output "oidc_issuer_url"', 'output "issuer_url"'),
      );
      expect(problems).toContainEqual(
        expect.stringMatching(
          /^stacks\/storage: .*reads output oidc_issuer_url, which stacks\/cluster does not declare/,
        ),
      );
    });

    it('notices a stand-in reading an output its cluster stand-in lacks', async () => {
      const problems = await problemsAfter('sandbox/monitoring/main.tf', t =>
        t.replace(
          'local.cluster.kube_api_host',
          'local.cluster.kube_api_server',
        ),
      );
      expect(problems).toContainEqual(
        expect.stringMatching(
          /^sandbox\/monitoring: .*reads output kube_api_server/,
        ),
      );
    });

    it('notices a tfvars file setting an undeclared variable', async () => {
      const problems = await problemsAfter(
        'environments/dev/storage.tfvars',
        t => t.concat('\nretention_weeks = 4\n'),
      );
      expect(problems).toContainEqual(
        'environments/dev/storage.tfvars: sets retention_weeks, which stacks/storage does not declare',
      );
    });

    it('notices an environment that leaves a required variable unset', async () => {
      const problems = await problemsAfter(
        'environments/prod/cluster.tfvars',
        t => t.replace(/^location\s*=.*$/m, ''),
      );
      expect(problems).toContainEqual(
        'environments/prod/cluster.tfvars: does not set location, which stacks/cluster requires',
      );
    });

    it('notices a secret written into a tfvars file', async () => {
      const problems = await problemsAfter(
        'environments/dev/monitoring.tfvars',
        t => t.concat('\ndatadog_api_key = "not-a-real-key"\n'),
      );
      expect(problems).toContainEqual(
        'environments/dev/monitoring.tfvars: sets the secret datadog_api_key; pass it as TF_VAR_datadog_api_key instead',
      );
    });

    it('notices remote state read from another container than the one the cluster writes to', async () => {
      const problems = await problemsAfter(
        'environments/pre-prod/storage.tfvars',
        t => t.replace('"tfstate-pre-prod"', '"tfstate-prod"'),
      );
      expect(problems).toContainEqual(
        expect.stringMatching(
          /^stacks\/storage: in pre-prod the remote state's container_name is "tfstate-prod"/,
        ),
      );
    });

    it('notices a backend.hcl that puts every stack into one state blob', async () => {
      const problems = await problemsAfter('environments/dev/backend.hcl', t =>
        t.concat('\nkey = "dev.tfstate"\n'),
      );
      expect(problems).toContainEqual(
        expect.stringMatching(
          /^environments\/dev\/backend\.hcl: dev\/\w+ and dev\/\w+ share the state blob/,
        ),
      );
    });

    it('notices two environments sharing a state container', async () => {
      const problems = await problemsAfter(
        'environments/pre-prod/backend.hcl',
        t => t.replace('"tfstate-pre-prod"', '"tfstate-dev"'),
      );
      expect(problems).toContainEqual(
        expect.stringMatching(
          /^environments\/pre-prod\/backend\.hcl: pre-prod\/cluster and dev\/cluster share the state blob/,
        ),
      );
    });

    it('notices a real stack variable that its stand-in lacks', async () => {
      const problems = await problemsAfter('stacks/cluster/variables.tf', t =>
        t.concat(
          '\nvariable "node_os" {\n  type        = string\n  description = "OS."\n  default     = "AzureLinux"\n}\n',
        ),
      );
      expect(problems).toContainEqual(
        'sandbox/cluster: lacks variable node_os of stacks/cluster',
      );
    });

    it('notices a stand-in whose validation drifted from the real one', async () => {
      const problems = await problemsAfter('sandbox/cluster/variables.tf', t =>
        t.replace('var.system_node_count >= 1', 'var.system_node_count >= 0'),
      );
      expect(problems).toContainEqual(
        'sandbox/cluster: variable system_node_count differs from stacks/cluster (type, description, default, sensitivity or validation)',
      );
    });

    it('notices an output the stand-in does not have', async () => {
      const problems = await problemsAfter('stacks/storage/outputs.tf', t =>
        t.concat(
          '\noutput "container_url" {\n  description = "URL."\n  value       = "x"\n}\n',
        ),
      );
      expect(problems).toContainEqual(
        'sandbox/storage: lacks output container_url of stacks/storage',
      );
    });

    it('notices a module call passing a variable the module does not declare', async () => {
      const problems = await problemsAfter('stacks/monitoring/main.tf', t =>
        t.replace(
          'high_availability           = var.argocd_high_availability',
          'replicas = 2',
        ),
      );
      expect(problems).toEqual(
        expect.arrayContaining([
          'stacks/monitoring: module.argocd passes replicas, which modules/argocd does not declare',
        ]),
      );
    });

    it("notices the portal's ClusterRole granting secrets", async () => {
      const problems = await problemsAfter(
        'stacks/monitoring/backstage_reader.tf',
        t =>
          t.replace('["pods", "services",', '["pods", "secrets", "services",'),
      );
      expect(problems).toEqual(
        expect.arrayContaining([
          'stacks/monitoring: kubernetes_cluster_role_v1.backstage_reader grants access to secrets',
          "stacks/monitoring: kubernetes_cluster_role_v1.backstage_reader grants secrets, which the portal's Kubernetes tab does not read",
        ]),
      );
    });

    it("notices the portal's ClusterRole granting a write verb or a wildcard", async () => {
      const problems = await problemsAfter(
        'stacks/monitoring/backstage_reader.tf',
        t =>
          t
            .replace(
              'verbs      = ["get", "list", "watch"]',
              'verbs      = ["get", "list", "watch", "patch"]',
            )
            .replace('["rollouts", "analysisruns"]', '["*"]'),
      );
      expect(problems).toEqual(
        expect.arrayContaining([
          'stacks/monitoring: kubernetes_cluster_role_v1.backstage_reader grants the write verb patch; roles created here may only get, list and watch',
          'stacks/monitoring: kubernetes_cluster_role_v1.backstage_reader grants the wildcard "*"',
          "stacks/monitoring: kubernetes_cluster_role_v1.backstage_reader does not grant rollouts.argoproj.io, which the portal's Kubernetes tab reads",
        ]),
      );
    });

    it("notices the portal's ClusterRole missing what the Kubernetes tab reads", async () => {
      const problems = await problemsAfter(
        'stacks/monitoring/backstage_reader.tf',
        t => t.replace('["rollouts", "analysisruns"]', '["rollouts"]'),
      );
      expect(problems).toEqual([
        "stacks/monitoring: kubernetes_cluster_role_v1.backstage_reader does not grant analysisruns.argoproj.io, which the portal's Kubernetes tab reads",
      ]);
    });

    it('notices the Argo CD portal account granted more than get, sync and Rollout actions', async () => {
      const problems = await problemsAfter('modules/argocd/main.tf', t =>
        t
          .replace(
            '"p, ${var.portal_account}, applications, sync, ${var.portal_project}/*, allow",',
            '"p, ${var.portal_account}, applications, sync, ${var.portal_project}/*, allow",\n    "p, ${var.portal_account}, applications, delete, ${var.portal_project}/*, allow",\n    "p, ${var.portal_account}, applications, get, */*, allow",',
          )
          .replace(
            '"accounts.${var.portal_account}" = "apiKey"',
            '"accounts.${var.portal_account}" = "apiKey, login"',
          ),
      );
      expect(problems).toEqual([
        'modules/argocd: portal_policy line "p, ${var.portal_account}, applications, get, */*, allow" is not "p, <portal_account>, applications, <action>, <portal_project>/*, allow"',
        'modules/argocd: portal_policy grants the portal account delete, beyond get, sync and the Rollout actions',
        'modules/argocd: helm_release.argocd values do not set configs.cm "accounts.<portal_account>" = "apiKey"',
      ]);
    });

    it('notices the Argo CD policy falling back to a default role', async () => {
      const problems = await problemsAfter('modules/argocd/main.tf', t =>
        t.replace(
          '"policy.default" = ""',
          '"policy.default" = "role:readonly"',
        ),
      );
      expect(problems).toEqual([
        'modules/argocd: helm_release.argocd values do not set configs.rbac "policy.default" = ""',
      ]);
    });

    it('notices a production-class environment without an Entra ID admin group', async () => {
      const problems = await problemsAfter(
        'environments/prod/cluster.tfvars',
        t => t.replace(/^admin_group_object_ids\s*=.*$/m, ''),
      );
      expect(problems).toEqual([
        'environments/prod/cluster.tfvars: production-class environment without an Entra ID admin group (admin_group_object_ids)',
      ]);
    });

    it('notices an environment made production-class without an admin group, and prod made ordinary', async () => {
      const madeProduction = await problemsAfter(
        'environments/pre-prod/cluster.tfvars',
        t => t.concat('\nproduction_class = true\n'),
      );
      expect(madeProduction).toContainEqual(
        'environments/pre-prod/cluster.tfvars: production-class environment without an Entra ID admin group (admin_group_object_ids)',
      );
      // Its state shares dev's account, which a production-class environment may not.
      expect(madeProduction).toContainEqual(
        'environments/pre-prod/backend.hcl: production-class pre-prod shares the state account stdevopsapptfstate with dev',
      );
      const madeOrdinary = await problemsAfter(
        'environments/prod/cluster.tfvars',
        t => t.replace('production_class = true', 'production_class = false'),
      );
      expect(madeOrdinary).toEqual([
        'environments/prod/cluster.tfvars: prod does not set production_class = true',
      ]);
    });

    it('notices the admin group no longer required for production-class environments', async () => {
      const problems = await problemsAfter('stacks/cluster/variables.tf', t =>
        t.replace(
          'condition     = !var.production_class || length(var.admin_group_object_ids) > 0',
          'condition     = length(var.admin_group_object_ids) >= 0',
        ),
      );
      expect(problems).toContainEqual(
        'stacks/cluster: no validation requires admin_group_object_ids when production_class is true',
      );
    });

    it('notices a cluster whose kubelet identity has no AcrPull on the registry', async () => {
      const problems = await problemsAfter('stacks/cluster/registry.tf', t =>
        t.replace(
          'role_definition_name = "AcrPull"',
          'role_definition_name = "Reader"',
        ),
      );
      expect(problems).toEqual([
        'sandbox/cluster: records no role assignment "Reader" of stacks/cluster',
        'sandbox/cluster: records the role "AcrPull", which stacks/cluster does not assign',
        "stacks/cluster: no AcrPull role assignment for azurerm_kubernetes_cluster.this's kubelet identity on azurerm_container_registry.this: the cluster could not pull its images",
      ]);
      const removed = await problemsAfter('stacks/cluster/registry.tf', t =>
        t.replace(
          /resource "azurerm_role_assignment" "kubelet_acr_pull" \{[\s\S]*?\n\}\n/,
          '',
        ),
      );
      expect(removed).toEqual([
        'sandbox/cluster: records the role "AcrPull", which stacks/cluster does not assign',
        "stacks/cluster: no AcrPull role assignment for azurerm_kubernetes_cluster.this's kubelet identity on azurerm_container_registry.this: the cluster could not pull its images",
      ]);
    });

    it('notices the AcrPull assignment removed from the stand-in', async () => {
      const problems = await problemsAfter('sandbox/cluster/main.tf', t =>
        t.replace('role         = "AcrPull"', 'role         = "AcrPush"'),
      );
      expect(problems).toEqual([
        'sandbox/cluster: records no role assignment "AcrPull" of stacks/cluster',
        'sandbox/cluster: records the role "AcrPush", which stacks/cluster does not assign',
      ]);
    });

    it('notices a storage account with public network access on', async () => {
      const turnedOn = await problemsAfter('stacks/storage/main.tf', t =>
        t.replace(
          'public_network_access_enabled = false',
          'public_network_access_enabled = true',
        ),
      );
      expect(turnedOn).toEqual([
        'stacks/storage: azurerm_storage_account.this does not set public_network_access_enabled = false',
      ]);
      // Left out, the provider's default is on.
      const leftOut = await problemsAfter('stacks/storage/main.tf', t =>
        t.replace(/^\s*public_network_access_enabled\s*=\s*false\n/m, ''),
      );
      expect(leftOut).toEqual([
        'stacks/storage: azurerm_storage_account.this does not set public_network_access_enabled = false',
      ]);
    });

    it('notices the storage baseline broken: no versioning, no private endpoint, no lock', async () => {
      const problems = await problemsAfter('stacks/storage/network.tf', t =>
        t
          .replace(
            'resource "azurerm_private_endpoint" "blob"',
            'resource "azurerm_private_endpoint" "other"',
          )
          .replace(
            'private_connection_resource_id = azurerm_storage_account.this.id',
            'private_connection_resource_id = "elsewhere"',
          )
          .replace('lock_level = "CanNotDelete"', 'lock_level = "ReadOnly"'),
      );
      expect(problems).toEqual([
        'stacks/storage: azurerm_storage_account.this has no private endpoint',
        'stacks/storage: azurerm_storage_account.this has no CanNotDelete management lock (production-class environments)',
      ]);
      const unversioned = await problemsAfter('stacks/storage/main.tf', t =>
        t.replace(
          'versioning_enabled            = true',
          'versioning_enabled            = false',
        ),
      );
      expect(unversioned).toEqual([
        'stacks/storage: azurerm_storage_account.this does not set blob_properties versioning_enabled = true',
      ]);
    });

    it('notices a storage data role granted on the whole account', async () => {
      const problems = await problemsAfter('stacks/storage/models.tf', t =>
        t.replace(
          'scope                = azurerm_storage_container.models.id',
          'scope                = azurerm_storage_account.this.id',
        ),
      );
      expect(problems).toEqual([
        'stacks/storage: azurerm_role_assignment.training_models_contributor grants Storage Blob Data Contributor beyond a single container',
      ]);
    });

    it('notices the cluster baseline broken: no Defender, no policy add-on, fixed system pool, no window', async () => {
      const problems = await problemsAfter('stacks/cluster/main.tf', t =>
        t
          .replace(
            'azure_policy_enabled = true',
            'azure_policy_enabled = false',
          )
          .replace('microsoft_defender {', 'microsoft_defender_disabled {')
          .replace(
            'auto_scaling_enabled         = true',
            'auto_scaling_enabled         = false',
          )
          .replace(
            'maintenance_window_node_os {',
            'maintenance_window_node_os_disabled {',
          ),
      );
      expect(problems).toEqual([
        'stacks/cluster: azurerm_kubernetes_cluster.this does not set azure_policy_enabled = true (the Azure Policy add-on)',
        'stacks/cluster: azurerm_kubernetes_cluster.this has no microsoft_defender block (Defender for Containers)',
        'stacks/cluster: azurerm_kubernetes_cluster.this has no maintenance_window_node_os block (node image upgrades need a window)',
        "stacks/cluster: azurerm_kubernetes_cluster.this's system node pool does not autoscale",
      ]);
    });

    it('notices prod state moved back into the shared state account', async () => {
      const problems = await problemsAfter('environments/prod/backend.hcl', t =>
        t
          .replace('"rg-devops-app-tfstate-prod"', '"rg-devops-app-tfstate"')
          .replace('"stdevopsapptfstateprod"', '"stdevopsapptfstate"'),
      );
      expect(problems).toContainEqual(
        'environments/prod/backend.hcl: production-class prod shares the state account stdevopsapptfstate with dev, pre-prod',
      );
    });

    it('notices a stand-in that needs a provider download', async () => {
      const problems = await problemsAfter('sandbox/storage/main.tf', t =>
        t.concat('\nresource "random_id" "suffix" {\n  byte_length = 4\n}\n'),
      );
      expect(problems).toContainEqual(
        'sandbox/storage: resource type random_id is not built in (only terraform_data is)',
      );
    });
  });
});
