import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { REDACTED } from '@devops-app/plugin-devops-app-common';
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Knex } from 'knex';
import { parse, parseAllDocuments } from 'yaml';
import { git } from '../../deployments/git';
import {
  createManager,
  environmentFiles,
  migratedSqlite,
  tempDirs,
  testConfig,
} from '../__testUtils__/sandbox';

// Real terraform on the sandbox stacks, a real bare git remote and the real helm: slow on a small machine.
jest.setTimeout(240_000);

const ROOT = resolvePackagePath(
  '@devops-app/plugin-devops-app-backend',
  '../..',
);
const SKELETON = path.join(ROOT, 'templates/new-environment/skeleton');
const CHART = path.join(ROOT, 'charts/inference');
const ENV = 'load-test';
const CATALOG_FILE = `catalog/environments/${ENV}.yaml`;
const VALUES_FILE = `charts/inference/values-${ENV}.yaml`;
const USER = 'user:default/guest';

/** The skeleton's files as the template's fetch:template renders them for load-test. */
async function renderSkeleton(file: string): Promise<string> {
  const values: Record<string, string> = {
    name: ENV,
    basedOn: 'dev',
    owner: 'group:default/ml-team',
    production: 'false',
    imageTag: '0.1.0',
    replicas: '2',
    autoPromotion: 'false',
    compactName: 'loadtest',
    // No expiry: the catalog file's `{%- if values.expiresAt %}` block is left out.
    expiresAt: '',
  };
  const text = await fs.readFile(
    path.join(SKELETON, file.replace(ENV, '${{ values.name }}')),
    'utf8',
  );
  // nunjucks' `{%- if values.x %}…{%- endif %}`, with `-` eating the whitespace before the tag.
  const withBlocks = text.replace(
    /\s*\{%-? if values\.(\w+) %\}([\s\S]*?)\s*\{%-? endif %\}/g,
    (_, key: string, body: string) => {
      if (!(key in values))
        throw new Error(`skeleton value ${key} not rendered`);
      return values[key] ? body : '';
    },
  );
  return withBlocks.replace(/\$\{\{\s*values\.(\w+)\s*\}\}/g, (_, key) => {
    if (!(key in values)) throw new Error(`skeleton value ${key} not rendered`);
    return values[key];
  });
}

/** A bare GitOps remote holding what the template committed for load-test. */
async function createRemote(root: string) {
  const seed = path.join(root, 'seed');
  const remote = path.join(root, 'gitops.git');
  for (const file of [CATALOG_FILE, VALUES_FILE]) {
    await fs.mkdir(path.dirname(path.join(seed, file)), { recursive: true });
    await fs.writeFile(path.join(seed, file), await renderSkeleton(file));
  }
  // The environment's infra files, as the template commits them: the runs read them from here.
  const { tfvars } = await environmentFiles(ENV);
  const envDir = path.join(seed, 'infra', 'environments', ENV);
  await fs.mkdir(envDir, { recursive: true });
  for (const [stack, text] of Object.entries(tfvars)) {
    await fs.writeFile(path.join(envDir, `${stack}.tfvars`), text);
  }
  const id = ['-c', 'user.name=template', '-c', 'user.email=t@example.com'];
  await git(['init', '--quiet', '-b', 'main'], seed);
  await git([...id, 'add', '-A'], seed);
  await git(
    [
      ...id,
      '-c',
      'commit.gpgsign=false',
      'commit',
      '--quiet',
      '-m',
      'Add environment load-test',
    ],
    seed,
  );
  await git(['clone', '--quiet', '--bare', seed, remote]);
  const dir = ['--git-dir', remote];
  return {
    remote,
    show: (file: string, rev = 'refs/heads/main') =>
      git([...dir, 'show', `${rev}:${file}`]),
    count: async () =>
      Number(
        (await git([...dir, 'rev-list', '--count', 'refs/heads/main'])).trim(),
      ),
    head: async () =>
      (await git([...dir, 'rev-parse', 'refs/heads/main'])).trim(),
    lastCommit: () =>
      git([
        ...dir,
        'show',
        '--name-only',
        '--format=%an <%ae>%n%s',
        'refs/heads/main',
      ]),
    rejectPushes: async () => {
      const hook = path.join(remote, 'hooks', 'pre-receive');
      await fs.writeFile(
        hook,
        '#!/bin/sh\necho "branch is protected" >&2\nexit 1\n',
      );
      await fs.chmod(hook, 0o755);
    },
  };
}

interface KubeObject {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  data?: Record<string, string>;
  spec?: any;
}

/**
 * `helm template` as Argo CD renders the environment: the chart with the committed values-<env>.yaml
 * beside it (the chart reads its environments' files), this checkout's chart otherwise.
 */
async function helmTemplate(
  root: string,
  committedValues: string,
): Promise<KubeObject[]> {
  const chart = path.join(root, 'chart', 'inference');
  await fs.cp(CHART, chart, { recursive: true });
  const valuesFile = path.join(chart, `values-${ENV}.yaml`);
  await fs.writeFile(valuesFile, committedValues);
  const local = path.join(ROOT, '.tools/bin/helm');
  const helm = process.env.HELM_BIN ?? (existsSync(local) ? local : 'helm');
  const { stdout } = await promisify(execFile)(
    helm,
    ['template', 'inference', chart, '-f', valuesFile],
    {
      maxBuffer: 64 * 1024 * 1024,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        HELM_CACHE_HOME: '/tmp/outputs-test-helm/cache',
        HELM_CONFIG_HOME: '/tmp/outputs-test-helm/config',
        HELM_DATA_HOME: '/tmp/outputs-test-helm/data',
        KUBECONFIG: '/dev/null',
      },
    },
  );
  return parseAllDocuments(stdout)
    .map(d => d.toJS())
    .filter(Boolean);
}

/** The main container's environment: its env entries plus the ConfigMaps it takes whole (envFrom). */
function podEnvironment(objects: KubeObject[], workload: KubeObject) {
  const container = workload.spec.template.spec.containers[0];
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const map = objects.find(
      o =>
        o.kind === 'ConfigMap' && o.metadata.name === from.configMapRef?.name,
    );
    Object.assign(env, map?.data ?? {});
  }
  for (const entry of container.env ?? []) {
    if (typeof entry.value === 'string') env[entry.name] = entry.value;
  }
  return env;
}

/** A run manager on the sandbox stacks whose applied runs commit their outputs to `remote`. */
function managerCommittingTo(
  db: Knex,
  root: string,
  remote: { remote: string },
  env?: NodeJS.ProcessEnv,
) {
  return createManager(
    db,
    testConfig(root, { gitops: { repository: remote.remote, branch: 'main' } }),
    { env },
  );
}

/** Runs the environment's stacks to the end, as `createdBy`. */
async function runToEnd(
  manager: ReturnType<typeof createManager>,
  mode: 'apply' | 'plan',
  createdBy = USER,
) {
  const { done } = await manager.startRun({
    environment: ENV,
    mode,
    createdBy,
  });
  return done;
}

describe('Terraform outputs flow into the GitOps repository (real terraform, git and helm)', () => {
  let db: Knex;
  let dirs: Awaited<ReturnType<typeof tempDirs>>;

  beforeEach(async () => {
    db = await migratedSqlite();
    dirs = await tempDirs();
  });
  afterEach(async () => {
    await db.destroy();
    await dirs.cleanup();
  });

  it('commits the storage identity and account into values-<env>.yaml, which helm renders into the ServiceAccount and the pods', async () => {
    const remote = await createRemote(dirs.root);
    const ca = Buffer.from(
      '-----BEGIN CERTIFICATE-----\nstand-in CA of this test\n-----END CERTIFICATE-----\n',
    ).toString('base64');
    // The test's own endpoints, through the backend's environment only: no file is edited.
    const sandboxEnv = {
      TF_VAR_sandbox_prometheus_url: 'http://127.0.0.1:19090',
      TF_VAR_sandbox_argocd_url: 'http://127.0.0.1:18080',
      TF_VAR_sandbox_kube_api_url: 'http://127.0.0.1:16443',
      TF_VAR_sandbox_cluster_ca_certificate: ca,
    };
    const manager = managerCommittingTo(db, dirs.root, remote, {
      ...process.env,
      ...sandboxEnv,
    });
    const catalogBefore = await remote.show(CATALOG_FILE);
    const valuesBefore = await remote.show(VALUES_FILE);

    const run = await runToEnd(manager, 'apply');
    expect(run.status).toBe('succeeded');
    const outputs = Object.fromEntries(
      run.stacks.map(s => [s.stack, s.outputs!]),
    );
    const storage = outputs.storage;
    expect(storage.inference_identity_client_id).toMatch(/^[0-9a-f-]{36}$/);

    // One commit, authored by the requester, changing exactly the two files; the run's log names it.
    expect(await remote.count()).toBe(2);
    const head = await remote.head();
    const last = await remote.lastCommit();
    expect(last.split('\n').slice(0, 2)).toEqual([
      `${USER} <guest@users.devops-app.local>`,
      `environment(${ENV}): Terraform outputs of run ${run.id}`,
    ]);
    expect(last.trim().split('\n').slice(-2).sort()).toEqual([
      CATALOG_FILE,
      VALUES_FILE,
    ]);
    const log = (await manager.readLog(run.id, {})).map(l => l.line);
    expect(log).toContain(
      `outputs: committed ${head} (${CATALOG_FILE}, ${VALUES_FILE}) to main of ${remote.remote}`,
    );

    // The committed values hold the storage stack's outputs, comments kept.
    const committedValues = await remote.show(VALUES_FILE);
    const values = parse(committedValues);
    expect(values.azureWorkloadIdentity.clientId).toBe(
      storage.inference_identity_client_id,
    );
    expect(values.storage.accountUrl).toBe(storage.blob_endpoint);
    expect(values.storage.container).toBe(storage.container_name);
    expect(committedValues).toContain(
      "  # The portal's deploy action rewrites this line.",
    );
    expect(committedValues.startsWith(valuesBefore.split('\n')[0])).toBe(true);

    // The catalog file: the environment's endpoints and its cluster's API server and CA; no marker.
    const committedCatalog = await remote.show(CATALOG_FILE);
    expect(committedCatalog).not.toContain(REDACTED);
    expect(committedCatalog.split('\n').slice(0, 3)).toEqual(
      catalogBefore.split('\n').slice(0, 3),
    );
    const [environment, cluster] = parseAllDocuments(committedCatalog).map(d =>
      d.toJS(),
    );
    expect(environment.metadata.annotations).toMatchObject({
      'devops-app.io/prometheus-url': sandboxEnv.TF_VAR_sandbox_prometheus_url,
      'devops-app.io/argocd-url': sandboxEnv.TF_VAR_sandbox_argocd_url,
    });
    expect(cluster.metadata.name).toBe(`${ENV}-cluster`);
    expect(cluster.metadata.annotations).toEqual({
      'kubernetes.io/auth-provider': 'azure',
      'kubernetes.io/api-server': sandboxEnv.TF_VAR_sandbox_kube_api_url,
      'kubernetes.io/api-server-certificate-authority': ca,
    });

    // helm template of the chart with the committed values file.
    const objects = await helmTemplate(dirs.root, committedValues);
    const serviceAccount = objects.find(o => o.kind === 'ServiceAccount')!;
    expect(
      serviceAccount.metadata.annotations?.[
        'azure.workload.identity/client-id'
      ],
    ).toBe(storage.inference_identity_client_id);
    const workloads = objects.filter(
      o => o.kind === 'Rollout' || o.kind === 'Deployment',
    );
    expect(workloads.length).toBeGreaterThan(0);
    for (const workload of workloads) {
      const env = podEnvironment(objects, workload);
      expect(env.AZURE_CLIENT_ID).toBe(storage.inference_identity_client_id);
      expect(env.AZURE_STORAGE_ACCOUNT_URL).toBe(storage.blob_endpoint);
    }

    // Applying again changes nothing: no second commit.
    const again = await runToEnd(manager, 'apply', 'user:default/someone-else');
    expect(again.status).toBe('succeeded');
    expect(await remote.count()).toBe(2);
    expect((await manager.readLog(again.id, {})).map(l => l.line)).toContain(
      "outputs: the environment's files already hold these outputs; no commit",
    );
  });

  it('keeps the applied run succeeded and pushes nothing when the commit fails, saying so in the log', async () => {
    const remote = await createRemote(dirs.root);
    await remote.rejectPushes();
    const manager = managerCommittingTo(db, dirs.root, remote);
    const run = await runToEnd(manager, 'apply');
    expect(run.status).toBe('succeeded');
    expect(run.stacks.map(s => s.status)).toEqual([
      'applied',
      'applied',
      'applied',
    ]);
    expect(await remote.count()).toBe(1);
    const log = (await manager.readLog(run.id, {})).map(l => l.line);
    expect(log).toContainEqual(
      expect.stringMatching(
        /^outputs: NOT committed, nothing was pushed \(the stacks stay applied; apply again to retry\): The GitOps remote rejected the push to main; nothing was changed: .*branch is protected/,
      ),
    );
    // The sandbox defaults reached the edit that was not pushed: the local Prometheus.
    expect(log).toContain(
      `outputs: ${CATALOG_FILE} resource:default/${ENV} devops-app.io/prometheus-url <- monitoring.prometheus_url`,
    );
  });

  it('commits nothing for a plan-only run', async () => {
    const remote = await createRemote(dirs.root);
    const manager = managerCommittingTo(db, dirs.root, remote);
    const run = await runToEnd(manager, 'plan');
    expect(run.status).toBe('succeeded');
    expect(await remote.count()).toBe(1);
    expect(
      (await manager.readLog(run.id, {})).some(l =>
        l.line.startsWith('outputs: '),
      ),
    ).toBe(false);
  });
});
