import { randomUUID } from 'node:crypto';
import { promises as fs, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultInfraRoot, InfraTree, loadInfraTree } from './infraTree';
import { applyOrder } from './order';
import { outputValues, SandboxStackRun } from './terraform/sandboxRun';

/**
 * The sandbox stacks with the real terraform, for every environment under infra/environments: init,
 * plan, apply and output in dependency order, checks that the outputs flow from the cluster into
 * monitoring and storage through remote state, then destroy in reverse order.
 */
const infraRoot = defaultInfraRoot();
const environments = readdirSync(path.join(infraRoot, 'environments'), {
  withFileTypes: true,
})
  .filter(e => e.isDirectory())
  .map(e => e.name)
  .sort();

async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, {
    recursive: true,
    withFileTypes: true,
  });
  return entries
    .filter(e => e.isFile())
    .map(e => path.join(e.parentPath, e.name))
    .sort();
}

describe('sandbox stacks', () => {
  let scratch: string;
  let tree: InfraTree;

  beforeAll(async () => {
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'infra-sandbox-'));
    tree = await loadInfraTree(infraRoot);
  });
  afterAll(async () => {
    await fs.rm(scratch, { recursive: true, force: true });
  });

  function runner(
    environment: string,
    stack: string,
    dir: string,
    variables = {},
  ) {
    return new SandboxStackRun({
      infraRoot,
      stateDir: path.join(dir, 'state'),
      workDir: path.join(dir, 'work'),
      environment,
      stack,
      variables,
    });
  }

  it('applies the cluster first, then monitoring and storage together', () => {
    expect(applyOrder(tree.sandbox)).toEqual([
      ['cluster'],
      ['monitoring', 'storage'],
    ]);
    expect(applyOrder(tree.stacks)).toEqual(applyOrder(tree.sandbox));
  });

  it.each(environments)(
    'provisions %s end to end and tears it down again',
    async environment => {
      const dir = path.join(scratch, environment);
      const secrets = {
        datadog_api_key: randomUUID(),
        datadog_app_key: randomUUID(),
      };
      const sandboxFilesBefore = await listFiles(
        path.join(infraRoot, 'sandbox'),
      );
      const outputs: Record<string, Record<string, unknown>> = {};
      const sensitive: Record<string, string[]> = {};

      for (const group of applyOrder(tree.sandbox)) {
        await Promise.all(
          group.map(async stack => {
            const run = runner(environment, stack, dir, secrets);
            await run.init();
            await run.plan();
            await run.apply();
            const raw = await run.outputs();
            outputs[stack] = outputValues(raw);
            sensitive[stack] = Object.keys(raw)
              .filter(name => raw[name].sensitive)
              .sort();
          }),
        );
      }
      const { cluster, monitoring, storage } = outputs;
      const tfvars = (stack: string) =>
        tree.environments.get(environment)!.tfvars.get(stack)!;

      // Every declared output exists after apply, and none is null.
      for (const [stack, values] of Object.entries(outputs)) {
        expect(Object.keys(values).sort()).toEqual(
          [...tree.sandbox.get(stack)!.outputs.keys()].sort(),
        );
        expect(
          Object.entries(values).filter(([, v]) => v === null || v === ''),
        ).toEqual([]);
      }

      // The cluster's outputs come from the environment's tfvars.
      expect(cluster.environment).toBe(environment);
      expect(cluster.location).toBe(tfvars('cluster').location);
      expect(cluster.cluster_name).toBe(`aks-devops-app-${environment}`);
      // Where a local client can reach it: the defaults of the sandbox_* variables (local, obviously).
      expect(cluster.kube_api_host).toBe('https://127.0.0.1:6443');
      expect(cluster.cluster_ca_certificate_public).toBe(
        cluster.cluster_ca_certificate,
      );
      expect(
        Buffer.from(
          String(cluster.cluster_ca_certificate_public),
          'base64',
        ).toString(),
      ).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
      expect(monitoring.prometheus_url).toBe('http://127.0.0.1:9090');
      expect(monitoring.argocd_url).toBe('https://127.0.0.1:8080');
      // The issuer embeds an ID that exists only after apply, so equality below proves it flowed.
      expect(cluster.oidc_issuer_url).toMatch(
        /^https:\/\/.+\/[0-9a-f-]{36}\/$/,
      );

      // Monitoring and storage read it through remote state.
      expect(monitoring.cluster_name).toBe(cluster.cluster_name);
      expect(monitoring.datadog_site).toBe(tfvars('monitoring').datadog_site);

      // The portal's read access: no token anywhere (it signs in with short-lived Entra ID tokens);
      // the backstage-reader ClusterRole is bound to the Entra object IDs the cluster stack was given.
      expect(monitoring.backstage_reader_cluster_role).toBe('backstage-reader');
      expect(monitoring.argocd_portal_account).toBe('backstage');
      const portalReaders = tfvars('cluster').portal_reader_principal_ids ?? [];
      expect(cluster.portal_reader_principal_ids).toEqual(portalReaders);
      expect(monitoring.backstage_reader_subjects).toEqual(portalReaders);
      expect(Object.keys(monitoring).filter(n => /token/.test(n))).toEqual([]);
      expect(sensitive.monitoring).toEqual([]);
      expect(sensitive.cluster).toEqual(['cluster_ca_certificate']);
      expect(sensitive.storage).toEqual([]);

      // The registry: its login server (for the chart's image repositories) and the kubelet identity
      // that has AcrPull on it, which exists only after the cluster does.
      expect(cluster.acr_login_server).toBe(
        `acrdevopsapp${environment.replace(/-/g, '')}.azurecr.io`,
      );
      expect(cluster.container_registry_id).toMatch(
        /\/providers\/Microsoft\.ContainerRegistry\/registries\/acrdevopsapp[a-z0-9]+$/,
      );
      expect(cluster.kubelet_identity_object_id).toMatch(/^[0-9a-f-]{36}$/);

      // Production-class environments lock their storage against deletion; the others do not.
      const productionClass = tfvars('cluster').production_class === true;
      expect(cluster.production_class).toBe(productionClass);
      expect(storage.deletion_locked).toBe(productionClass);
      expect(productionClass).toBe(environment === 'prod');

      // The models container and the training identity, federated with the training service account.
      expect(storage.models_container_name).toBe('models');
      expect(storage.training_identity_client_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(storage.training_identity_client_id).not.toBe(
        storage.inference_identity_client_id,
      );
      expect(storage.training_federated_subject).toBe(
        `system:serviceaccount:inference-${environment}:inference-training`,
      );
      expect(storage.federated_issuer).toBe(cluster.oidc_issuer_url);
      expect(storage.resource_group_name).toBe(
        `${cluster.resource_group_name}-storage`,
      );
      expect(storage.federated_subject).toBe(
        `system:serviceaccount:inference-${environment}:inference`,
      );
      expect(storage.storage_account_name).toBe(
        tfvars('storage').storage_account_name,
      );
      expect(storage.blob_endpoint).toBe(
        `https://${
          tfvars('storage').storage_account_name
        }.blob.core.windows.net/`,
      );

      // State went to <state dir>/<environment>/<stack>.tfstate, secrets never into it, and the
      // checkout gained no working files.
      const stateFiles = await listFiles(path.join(dir, 'state'));
      expect(stateFiles.map(f => path.relative(dir, f))).toEqual(
        ['cluster', 'monitoring', 'storage'].map(s =>
          path.join('state', environment, `${s}.tfstate`),
        ),
      );
      for (const file of stateFiles) {
        const text = await fs.readFile(file, 'utf8');
        expect(text).not.toContain(secrets.datadog_api_key);
        expect(text).not.toContain(secrets.datadog_app_key);
      }
      expect(await listFiles(path.join(infraRoot, 'sandbox'))).toEqual(
        sandboxFilesBefore,
      );

      // The grants as recorded: AcrPull for the kubelet on the registry, the training identity's
      // contributor role on the models container and nothing wider.
      const recorded = async (stack: string, name: string) => {
        const state = JSON.parse(
          await fs.readFile(
            path.join(dir, 'state', environment, `${stack}.tfstate`),
            'utf8',
          ),
        );
        const resource = state.resources.find(
          (r: { type: string; name: string }) =>
            r.type === 'terraform_data' && r.name === name,
        );
        return resource?.instances[0].attributes.output.value;
      };
      expect(await recorded('cluster', 'kubelet_acr_pull')).toEqual({
        scope: cluster.container_registry_id,
        role: 'AcrPull',
        principal_id: cluster.kubelet_identity_object_id,
      });
      const training = await recorded('storage', 'training_models_contributor');
      expect(training).toEqual({
        scope: `${storage.storage_account_id}/blobServices/default/containers/models`,
        role: 'Storage Blob Data Contributor',
        principal_id: storage.training_identity_client_id,
      });
      expect(
        (await recorded('storage', 'blob_private_endpoint')).subnet_id,
      ).toBe(cluster.private_endpoint_subnet_id);

      for (const group of [...applyOrder(tree.sandbox)].reverse()) {
        await Promise.all(
          group.map(stack =>
            runner(environment, stack, dir, secrets).destroy(),
          ),
        );
      }
      for (const stack of ['cluster', 'monitoring', 'storage']) {
        const state = JSON.parse(
          await fs.readFile(
            path.join(dir, 'state', environment, `${stack}.tfstate`),
            'utf8',
          ),
        );
        expect(state.resources).toEqual([]);
      }
    },
  );

  it('will not plan a stack before the cluster stack of its environment exists', async () => {
    const dir = path.join(scratch, 'no-cluster');
    const run = runner('dev', 'storage', dir);
    await run.init();
    const result = await run.plan([], false);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Unable to find remote state');
  });

  it("will not build on another environment's cluster state", async () => {
    const dir = path.join(scratch, 'crossed');
    const cluster = runner('dev', 'cluster', dir);
    await cluster.init();
    await cluster.plan();
    await cluster.apply();
    await fs.mkdir(path.join(dir, 'state', 'pre-prod'), { recursive: true });
    await fs.copyFile(
      cluster.statePath,
      path.join(dir, 'state', 'pre-prod', 'cluster.tfstate'),
    );

    const storage = runner('pre-prod', 'storage', dir);
    await storage.init();
    const result = await storage.plan([], false);
    expect(result.code).not.toBe(0);
    expect(result.stderr.replace(/\s+/g, ' ')).toContain(
      'apply the cluster stack of the same environment first',
    );
  });

  it('points its endpoints at whatever TF_VAR_sandbox_* names, for tests with their own stand-ins', async () => {
    const dir = path.join(scratch, 'endpoints');
    const ca = Buffer.from(
      '-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----\n',
    ).toString('base64');
    const variables = {
      sandbox_kube_api_url: 'http://127.0.0.1:16443',
      sandbox_cluster_ca_certificate: ca,
      sandbox_prometheus_url: 'http://127.0.0.1:19090',
      sandbox_argocd_url: 'http://127.0.0.1:18080',
      datadog_api_key: 'k',
      datadog_app_key: 'k',
    };
    const outputs: Record<string, Record<string, unknown>> = {};
    for (const stack of ['cluster', 'monitoring']) {
      const run = runner('dev', stack, dir, variables);
      await run.init();
      await run.plan();
      await run.apply();
      outputs[stack] = outputValues(await run.outputs());
    }
    expect(outputs.cluster).toMatchObject({
      kube_api_host: variables.sandbox_kube_api_url,
      cluster_ca_certificate: ca,
      cluster_ca_certificate_public: ca,
    });
    expect(outputs.monitoring).toMatchObject({
      prometheus_url: variables.sandbox_prometheus_url,
      argocd_url: variables.sandbox_argocd_url,
    });

    // A value that is no URL fails the plan with the variable's own message.
    const bad = runner('dev', 'monitoring', dir, {
      ...variables,
      sandbox_prometheus_url: 'prometheus:9090',
    });
    await bad.init();
    const result = await bad.plan([], false);
    expect(result.code).not.toBe(0);
    expect(result.stderr.replace(/\s+/g, ' ')).toContain(
      'sandbox_prometheus_url must be an http or https URL without credentials',
    );
  });

  it('takes sandbox_delay_seconds to apply', async () => {
    const dir = path.join(scratch, 'delay');
    const fast = runner('dev', 'cluster', path.join(dir, 'fast'));
    const slow = runner('dev', 'cluster', path.join(dir, 'slow'), {
      sandbox_delay_seconds: '2',
    });
    for (const run of [fast, slow]) {
      await run.init();
      await run.plan();
    }
    const fastApply = await fast.apply();
    const slowApply = await slow.apply();
    expect(slowApply.durationMs).toBeGreaterThanOrEqual(2000);
    expect(slowApply.durationMs - fastApply.durationMs).toBeGreaterThanOrEqual(
      1500,
    );
  });
});
