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
