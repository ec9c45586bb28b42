import {
  createServiceFactory,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  catalogServiceRef,
  locationSpecToMetadataName,
} from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
// The template needs the real run service behind its action: the whole flow, test only.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import devopsAppPlugin from '@devops-app/plugin-devops-app-backend';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import yaml from 'yaml';
import {
  ENTRA_OBJECT_ID_PATTERN,
  ENVIRONMENT_NAME_MAX_LENGTH,
  ENVIRONMENT_NAME_PATTERN,
  IMAGE_TAG_MAX_LENGTH,
  IMAGE_TAG_PATTERN,
  PINNED_REVISION_PATTERN,
} from '@devops-app/plugin-devops-app-common';
// The backend's hostile corpus, so the template's inputs get the same values as its routes (a test
// helper of that package, not part of its API).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports, @backstage/no-forbidden-package-imports
import { HOSTILE_VALUES } from '@devops-app/plugin-devops-app-backend/src/request/__testUtils__/hostileValues';
import { scaffolderModule } from '../module';

/**
 * The new-environment template run through the real scaffolder backend, the real devops-app backend
 * (terraform run service on the sandbox stacks with the real terraform) and a real bare git
 * repository standing in for the GitOps remote. The catalog is the in-memory catalog mock.
 */
jest.setTimeout(240_000);

const REPO_ROOT = resolvePackagePath(
  '@devops-app/plugin-scaffolder-backend-module-devops-app',
  '../..',
);
const TEMPLATE_DIR = path.join(REPO_ROOT, 'templates/new-environment');

const resource = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name, namespace: 'default' },
  spec: { type: 'environment', owner: 'group:default/platform-team' },
});

const values = (overrides: Record<string, unknown> = {}) => ({
  name: 'load-test',
  basedOn: 'pre-prod',
  owner: 'group:default/ml-team',
  location: 'westeurope',
  nodeCount: 3,
  vmSize: 'Standard_D4ds_v5',
  replicas: 2,
  imageTag: '0.2.0',
  autoPromotion: false,
  mode: 'apply',
  publishTarget: 'local',
  ...overrides,
});

describe('templates/new-environment through the scaffolder backend', () => {
  let root: string;
  let remote: string;
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  let catalog: ReturnType<typeof catalogServiceMock>;
  let template: any;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'new-env-'));
    remote = path.join(root, 'gitops.git');
    execFileSync(path.join(REPO_ROOT, 'scripts/init-gitops-remote.sh'), {
      env: { ...process.env, GITOPS_REMOTE_DIR: remote },
    });
    template = yaml.parse(
      await fs.readFile(path.join(TEMPLATE_DIR, 'template.yaml'), 'utf8'),
    );
    template.metadata.namespace = 'default';
    template.metadata.annotations = {
      'backstage.io/managed-by-location': `file:${path.join(
        TEMPLATE_DIR,
        'template.yaml',
      )}`,
    };
    catalog = catalogServiceMock({
      entities: [
        template,
        resource('dev'),
        resource('pre-prod'),
        resource('prod'),
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Group',
          metadata: { name: 'ml-team', namespace: 'default' },
          spec: { type: 'team', children: [] },
        },
      ],
    });
    jest.spyOn(catalog, 'refreshEntity').mockResolvedValue(undefined);
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        scaffolderModule,
        devopsAppPlugin,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://portal.test' },
            devopsApp: {
              environments: { dev: {}, 'pre-prod': {}, prod: {} },
              gitops: {
                repository: remote,
                branch: 'main',
                localCatalogDir: path.join(root, 'catalog'),
              },
              terraform: {
                infraDir: path.join(REPO_ROOT, 'infra'),
                stateDir: path.join(root, 'state'),
                workDir: path.join(root, 'runs'),
              },
            },
          },
        }),
        // The scaffolder and the devops-app plugin read this catalog.
        createServiceFactory({
          service: catalogServiceRef,
          deps: {},
          factory: () => catalog,
        }),
      ],
    });
    server = backend.server;
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  async function runTask(body: object) {
    const created = await request(server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', mockCredentials.user.header())
      .send(body);
    if (created.status !== 201) return { created, task: undefined, log: '' };
    const id = created.body.id;
    let task;
    for (;;) {
      task = (
        await request(server)
          .get(`/api/scaffolder/v2/tasks/${id}`)
          .set('Authorization', mockCredentials.user.header())
      ).body;
      if (['completed', 'failed', 'cancelled'].includes(task.status)) break;
      await new Promise(r => setTimeout(r, 500));
    }
    const events = await request(server)
      .get(`/api/scaffolder/v2/tasks/${id}/events`)
      .set('Authorization', mockCredentials.user.header());
    const log = events.body
      .filter((e: any) => e.type === 'log')
      .map((e: any) => e.body.message)
      .join('\n');
    return { created, task, log };
  }

  const git = (...args: string[]) =>
    execFileSync('git', ['-C', remote, ...args], { encoding: 'utf8' }).trim();

  /** The template's dry run (the skeleton sent as the editor sends it), with a file's text by path. */
  async function dryRun(vals: Record<string, unknown>) {
    const directoryContents: { path: string; base64Content: string }[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else
          directoryContents.push({
            path: path.relative(TEMPLATE_DIR, full),
            base64Content: (await fs.readFile(full)).toString('base64'),
          });
      }
    };
    await walk(path.join(TEMPLATE_DIR, 'skeleton'));
    const res = await request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', mockCredentials.user.header())
      .send({ template, values: vals, directoryContents });
    const fileText = (file: string) => {
      const found = res.body.directoryContents?.find(
        (f: any) => f.path === file,
      );
      return found
        ? Buffer.from(found.base64Content, 'base64').toString('utf8')
        : undefined;
    };
    return { res, fileText };
  }

  it('dry run: writes the files, pushes, runs and registers nothing', async () => {
    const before = git('rev-parse', 'main');
    const { res } = await dryRun(values({ name: 'dry-env' }));
    expect(res.body.error ?? null).toBeNull();
    expect(res.status).toBe(200);
    const log = res.body.log.map((l: any) => l.body.message).join('\n');
    expect(res.body.steps.filter((s: any) => s.status === 'failed')).toEqual(
      [],
    );
    const files = res.body.directoryContents.map((f: any) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'repo/charts/inference/values-dry-env.yaml',
        'repo/charts/argocd-apps/environments/dry-env.yaml',
        'repo/infra/environments/dry-env/backend.hcl',
        'repo/infra/environments/dry-env/cluster.tfvars',
        'repo/infra/environments/dry-env/monitoring.tfvars',
        'repo/infra/environments/dry-env/storage.tfvars',
        'repo/catalog/environments/dry-env.yaml',
      ]),
    );
    expect(log).toMatch(
      /Dry run: would apply the stacks of dry-env at [0-9a-f]{40} once the files are pushed; no terraform run starts/,
    );
    expect(log).not.toMatch(/Apply complete/);
    expect(git('rev-parse', 'main')).toBe(before);
    expect(catalog.refreshEntity).not.toHaveBeenCalled();
    await expect(
      fs.access(path.join(root, 'state/dry-env/cluster.tfstate')),
    ).rejects.toThrow();
  });

  it('dry run of a production-class environment: admin group, private API server, production state account', async () => {
    const adminGroup = '01592e78-3447-48cb-91b9-b3e971f10a68';
    const { res, fileText } = await dryRun(
      values({
        name: 'prod-eu',
        basedOn: 'resource:default/prod',
        pinnedRevision: 'v1.2.0',
        adminGroupObjectId: adminGroup,
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body.steps.filter((s: any) => s.status === 'failed')).toEqual(
      [],
    );
    const cluster = fileText('repo/infra/environments/prod-eu/cluster.tfvars');
    expect(cluster).toMatch(/^production_class\s+= true$/m);
    expect(cluster).toContain(`admin_group_object_ids  = ["${adminGroup}"]`);
    expect(cluster).toMatch(/^private_cluster_enabled = true$/m);
    expect(fileText('repo/infra/environments/prod-eu/backend.hcl')).toMatch(
      /^storage_account_name = "stdevopsapptfstateprod"$/m,
    );
  });

  it('real run: commits the files, applies the sandbox stacks, registers the environment', async () => {
    const { created, task, log } = await runTask({
      templateRef: 'template:default/new-environment',
      values: values(),
    });
    expect(created.status).toBe(201);
    expect(task.status).toBe('completed');
    // The template's commit, then the run's commit of the Terraform outputs into the environment's files.
    expect(git('log', '-2', '--format=%s', 'main').split('\n')).toEqual([
      expect.stringMatching(
        /^environment\([a-z0-9-]+\): Terraform outputs of run /,
      ),
      'Add environment load-test (based on pre-prod)',
    ]);
    const show = (file: string) => git('show', `main:${file}`);
    expect(
      yaml.parse(show('charts/inference/values-load-test.yaml')),
    ).toMatchObject({
      environment: 'load-test',
      namespace: 'inference-load-test',
      image: { tag: '0.2.0' },
      replicaCount: 2,
      rollout: { autoPromotionEnabled: false },
    });
    expect(
      yaml.parse(show('charts/argocd-apps/environments/load-test.yaml')),
    ).toEqual({
      name: 'load-test',
      colour: 'blue',
      sync: 'automated',
      protected: false,
      production: false,
      cluster: 'load-test',
    });
    expect(show('infra/environments/load-test/cluster.tfvars')).toMatch(
      /user_node_max_count = 3/,
    );
    expect(show('infra/environments/load-test/backend.hcl')).toMatch(
      /tfstate-load-test/,
    );
    // The environment, related to the service, and its cluster; the run committed the sandbox stacks'
    // outputs into their annotations.
    const [environmentDoc, clusterDoc] = yaml
      .parseAllDocuments(show('catalog/environments/load-test.yaml'))
      .map(d => d.toJSON());
    expect(environmentDoc).toMatchObject({
      kind: 'Resource',
      metadata: {
        name: 'load-test',
        annotations: {
          'devops-app.io/namespace': 'inference-load-test',
          'devops-app.io/production': 'false',
          'devops-app.io/kubernetes-cluster':
            'resource:default/load-test-cluster',
          'devops-app.io/prometheus-url': expect.stringMatching(
            /^http:\/\/127\.0\.0\.1:\d+$/,
          ),
        },
      },
      spec: {
        type: 'environment',
        owner: 'group:default/ml-team',
        dependencyOf: ['component:default/inference-service'],
      },
    });
    expect(clusterDoc).toMatchObject({
      metadata: {
        name: 'load-test-cluster',
        annotations: {
          'kubernetes.io/auth-provider': 'azure',
          'kubernetes.io/api-server': expect.stringMatching(/^https:\/\//),
        },
      },
      spec: { type: 'kubernetes-cluster' },
    });
    for (const stack of ['cluster', 'monitoring', 'storage']) {
      await fs.access(path.join(root, 'state/load-test', `${stack}.tfstate`));
    }
    expect(log).toMatch(/\[cluster\] Apply complete!/);
    expect(log).toMatch(/\[storage\] Apply complete!/);
    // The file lands in the directory the catalog's file location globs, which is refreshed.
    // As committed, outputs included.
    expect(
      await fs.readFile(path.join(root, 'catalog/load-test.yaml'), 'utf8'),
    ).toBe(`${show('catalog/environments/load-test.yaml')}\n`);
    expect(catalog.refreshEntity).toHaveBeenCalledWith(
      `location:default/${locationSpecToMetadataName({
        type: 'file',
        target: path.join(root, 'catalog', '*.yaml'),
      })}`,
      expect.anything(),
    );
    const runs = await request(server)
      .get('/api/devops-app/terraform/runs?environment=load-test')
      .set('Authorization', mockCredentials.user.header());
    expect(runs.body.items).toHaveLength(1);
    expect(runs.body.items[0]).toMatchObject({
      status: 'succeeded',
      taskId: task.id,
    });
  });

  it('commits chart files that render load-test on its own cluster, with the storage stack identity', async () => {
    const checkout = await fs.mkdtemp(path.join(root, 'checkout-'));
    execFileSync('sh', [
      '-c',
      `git -C '${remote}' archive main charts | tar -x -C '${checkout}'`,
    ]);
    const helmBinary = path.join(REPO_ROOT, '.tools/bin/helm');
    const helm = (...args: string[]) =>
      execFileSync(helmBinary, args, {
        cwd: checkout,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH ?? '',
          HOME: root,
          KUBECONFIG: '/dev/null',
        },
      });
    const objects = (text: string) =>
      yaml
        .parseAllDocuments(text)
        .map(d => d.toJS())
        .filter(Boolean);

    const apps = objects(
      helm(
        'template',
        'argocd-apps',
        'charts/argocd-apps',
        '--set',
        'cluster=load-test',
      ),
    ).filter((o: any) => o.kind === 'Application');
    expect(apps.map((a: any) => a.metadata.name).sort()).toEqual([
      'devops-app-environments',
      'inference-load-test',
    ]);
    const app = apps.find(
      (a: any) => a.metadata.name === 'inference-load-test',
    );
    expect(app.spec.source.targetRevision).toBe('main');
    expect(app.metadata.finalizers).toEqual([
      'resources-finalizer.argocd.argoproj.io',
    ]);
    expect(app.metadata.annotations['devops-app.io/values-file']).toBe(
      'charts/inference/values-load-test.yaml',
    );
    // The other clusters' Argo CDs do not deploy it.
    const onDev = objects(
      helm(
        'template',
        'argocd-apps',
        'charts/argocd-apps',
        '--set',
        'cluster=dev',
      ),
    );
    expect(
      onDev.filter((o: any) => o.metadata.name === 'inference-load-test'),
    ).toEqual([]);

    // The client id the sandbox storage stack output for load-test.
    const state = JSON.parse(
      await fs.readFile(
        path.join(root, 'state/load-test/storage.tfstate'),
        'utf8',
      ),
    );
    const clientId: string = state.outputs.inference_identity_client_id.value;
    expect(clientId).toMatch(/^[0-9a-f-]{36}$/);
    const release = objects(
      helm(
        'template',
        'inference',
        'charts/inference',
        ...app.spec.source.helm.valueFiles.flatMap((f: string) => [
          '-f',
          `charts/inference/${f}`,
        ]),
        '--set',
        `azureWorkloadIdentity.clientId=${clientId}`,
      ),
    );
    const serviceAccount = release.find(
      (o: any) => o.kind === 'ServiceAccount',
    );
    expect(
      serviceAccount.metadata.annotations['azure.workload.identity/client-id'],
    ).toBe(clientId);
    const rollout = release.find((o: any) => o.kind === 'Rollout');
    expect(rollout.metadata.namespace).toBe('inference-load-test');
    expect(
      rollout.spec.template.spec.containers[0].env.find(
        (e: any) => e.name === 'AZURE_CLIENT_ID',
      ).value,
    ).toBe(clientId);
  });

  /**
   * Every parameter of the template gets the backend's hostile corpus. Each value is refused before
   * anything is written or run, naming the parameter: by the scaffolder's JSON-schema check of the
   * form's parameters (400, `errors[].property` `instance.<parameter>`) or, for values that fit the
   * schema but not the catalog (`x` as a base environment or owner), by the template's first step,
   * whose message starts with the parameter's name.
   */
  const PARAMETERS: Record<string, string> = {
    name: 'load-test',
    basedOn: 'pre-prod',
    pinnedRevision: 'v1.2.0',
    adminGroupObjectId: '01592e78-3447-48cb-91b9-b3e971f10a68',
    owner: 'group:default/ml-team',
    imageTag: '0.2.0',
    location: 'westeurope',
    nodeCount: '3',
    vmSize: 'Standard_D4ds_v5',
    replicas: '2',
    autoPromotion: 'true',
    mode: 'apply',
    publishTarget: 'local',
  };
  const REF_LIKE = ['basedOn', 'owner'];
  const hostileCases = Object.entries(PARAMETERS).flatMap(([field, valid]) =>
    HOSTILE_VALUES.filter(
      ([, , only]) => !only || REF_LIKE.includes(field),
    ).map(
      ([what, value]) => [`${field}: ${what}`, field, value(valid)] as const,
    ),
  );

  const listDir = (dir: string) => fs.readdir(dir).catch(() => [] as string[]);

  it.each(hostileCases)(
    'refuses %s before anything is written or run, naming the parameter',
    async (_, field, hostile) => {
      const before = git('rev-parse', 'main');
      const runsBefore = (
        await request(server)
          .get('/api/devops-app/terraform/runs')
          .set('Authorization', mockCredentials.user.header())
      ).body.items.length;
      const catalogFiles = await listDir(path.join(root, 'catalog'));

      const { created, task, log } = await runTask({
        templateRef: 'template:default/new-environment',
        values: values({ [field]: hostile }),
      });
      // Refused by the scaffolder's schema check (400 naming the parameter) or by the first step (its
      // message starts with the parameter's name, without a stack trace: StepRefusal).
      const refusal =
        created.status === 400
          ? {
              by: 'schema',
              named: created.body.errors.some(
                (e: any) => e.property === `instance.${field}`,
              ),
              stackTrace: false,
            }
          : {
              by: `first step (${task?.status})`,
              named:
                task?.status === 'failed' &&
                new RegExp(`(^|\\n)InputError: ${field}: `).test(log),
              stackTrace: /\n\s+at /.test(log),
            };
      expect(refusal).toMatchObject({ named: true, stackTrace: false });
      expect(JSON.stringify(created.body)).not.toMatch(/\.ts:\d+|node_modules/);
      expect(git('rev-parse', 'main')).toBe(before);
      const runsAfter = (
        await request(server)
          .get('/api/devops-app/terraform/runs')
          .set('Authorization', mockCredentials.user.header())
      ).body.items.length;
      expect(runsAfter).toBe(runsBefore);
      expect(await listDir(path.join(root, 'catalog'))).toEqual(catalogFiles);
    },
  );

  it("mirrors the backend's grammar in its parameters' patterns", () => {
    const properties = Object.assign(
      {},
      ...template.spec.parameters.map((p: any) => p.properties),
    );
    expect(properties.name.pattern).toBe(ENVIRONMENT_NAME_PATTERN.source);
    expect(properties.name.maxLength).toBe(ENVIRONMENT_NAME_MAX_LENGTH);
    expect(properties.imageTag.pattern).toBe(IMAGE_TAG_PATTERN.source);
    expect(properties.imageTag.maxLength).toBe(IMAGE_TAG_MAX_LENGTH);
    expect(properties.pinnedRevision.pattern).toBe(
      PINNED_REVISION_PATTERN.source,
    );
    expect(properties.adminGroupObjectId.pattern).toBe(
      ENTRA_OBJECT_ID_PATTERN.source,
    );
  });

  it('refuses an owner that is not a group in the catalog in its first step', async () => {
    const before = git('rev-parse', 'main');
    const { task, log } = await runTask({
      templateRef: 'template:default/new-environment',
      values: values({ owner: 'group:default/nobody' }),
    });
    expect(task.status).toBe('failed');
    expect(log).toMatch(
      /owner: "group:default\/nobody" is not a group in the catalog/,
    );
    expect(git('rev-parse', 'main')).toBe(before);
  });

  it('refuses an existing environment in its first step', async () => {
    const before = git('rev-parse', 'main');
    const { task, log } = await runTask({
      templateRef: 'template:default/new-environment',
      values: values({ name: 'pre-prod' }),
    });
    expect(task.status).toBe('failed');
    expect(log).toMatch(/name: environment "pre-prod" already exists/);
    expect(git('rev-parse', 'main')).toBe(before);
    await expect(
      fs.access(path.join(root, 'state/pre-prod')),
    ).rejects.toThrow();
  });
});
