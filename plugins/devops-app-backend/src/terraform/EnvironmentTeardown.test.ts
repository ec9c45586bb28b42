import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { git } from '@devops-app/plugin-devops-app-node';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { AuditStore } from '../deployments/AuditStore';
import { GitOpsRepository } from '../deployments/GitOpsRepository';
import { environmentEntity } from '../__testUtils__/environmentEntities';
import { EnvironmentTeardown, withExpiry } from './EnvironmentTeardown';
import {
  createManager,
  gitopsFixture,
  NO_OUTPUTS,
  perTestDatabase,
  testConfig,
} from './__testUtils__/sandbox';

/**
 * The teardown on the real sandbox stacks with the real terraform and a real GitOps remote: an
 * applied environment is destroyed in reverse graph order, then one commit removes its files, then
 * its entities leave the catalog and the local catalog directory; its runs stay.
 */
jest.setTimeout(180_000);

const ENV = 'ttl-test';
const OWNER = 'user:default/guest';

/** The files the New environment template writes besides the tfvars, and one of another environment. */
const OTHER_FILES: Record<string, string> = {
  [`charts/inference/values-${ENV}.yaml`]: 'image:\n  tag: 0.1.0\n',
  [`charts/argocd-apps/environments/${ENV}.yaml`]: `name: ${ENV}\n`,
  [`catalog/environments/${ENV}.yaml`]: [
    'apiVersion: backstage.io/v1alpha1',
    'kind: Resource',
    'metadata:',
    `  name: ${ENV}`,
    '  # kept by an extension',
    '  annotations:',
    "    devops-app.io/protected: 'false'",
    'spec:',
    '  type: environment',
    '---',
    'apiVersion: backstage.io/v1alpha1',
    'kind: Resource',
    'metadata:',
    `  name: ${ENV}-cluster`,
    'spec:',
    '  type: kubernetes-cluster',
    '',
  ].join('\n'),
  'charts/inference/values-pre-prod.yaml': 'image:\n  tag: 0.1.0\n',
};

describe('EnvironmentTeardown', () => {
  const t = perTestDatabase();

  async function setup() {
    const fixture = await gitopsFixture(t.dirs.root);
    const work = path.join(t.dirs.root, 'gitops-work');
    for (const [file, text] of Object.entries(OTHER_FILES)) {
      await fs.mkdir(path.dirname(path.join(work, file)), { recursive: true });
      await fs.writeFile(path.join(work, file), text);
    }
    await fixture.commit(ENV);
    const manager = createManager(
      t.db,
      testConfig(t.dirs.root, {
        gitops: { repository: fixture.repository, branch: 'main' },
      }),
      { outputs: NO_OUTPUTS },
    );
    manager.startWorker();
    const catalog = catalogServiceMock({
      entities: [
        {
          ...environmentEntity(ENV),
          metadata: { ...environmentEntity(ENV).metadata, uid: 'uid-env' },
        },
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Resource',
          metadata: {
            name: `${ENV}-cluster`,
            namespace: 'default',
            uid: 'uid-cluster',
          },
          spec: { type: 'kubernetes-cluster' },
        },
        environmentEntity('pre-prod'),
      ],
    });
    const localCatalogDir = path.join(t.dirs.root, 'catalog');
    await fs.mkdir(localCatalogDir);
    await fs.writeFile(
      path.join(localCatalogDir, `${ENV}.yaml`),
      OTHER_FILES[`catalog/environments/${ENV}.yaml`],
    );
    const logger = mockServices.logger.mock();
    const audit = new AuditStore(t.db);
    const teardown = new EnvironmentTeardown({
      runs: manager,
      catalog,
      audit,
      logger,
      gitops: new GitOpsRepository({
        repository: fixture.repository,
        branch: 'main',
        logger,
        cacheDir: t.dirs.root,
      }),
      localCatalogDir,
      pollIntervalMs: 100,
    });
    const remoteGit = (...args: string[]) =>
      git(['--git-dir', fixture.repository, ...args]);
    return { manager, catalog, teardown, audit, localCatalogDir, remoteGit };
  }

  it('destroys monitoring and storage before the cluster, then one commit removes exactly its files, then the catalog lets it go; its runs stay', async () => {
    const { manager, catalog, teardown, audit, localCatalogDir, remoteGit } =
      await setup();
    const applied = await manager.startRun({
      environment: ENV,
      mode: 'apply',
      createdBy: OWNER,
    });
    expect((await applied.done).status).toBe('succeeded');
    const before = (await remoteGit('rev-parse', 'main')).trim();

    const credentials = mockCredentials.user(OWNER);
    const queued = await teardown.start(
      {
        environment: ENV,
        entityRef: `resource:default/${ENV}`,
        production: false,
      },
      { actor: OWNER, credentials },
    );
    expect(queued).toMatchObject({ mode: 'destroy', createdBy: OWNER });
    await teardown.settled();

    const destroyed = await manager.getRun(queued.id);
    expect(destroyed.status).toBe('succeeded');
    const times = Object.fromEntries(
      destroyed.stacks.map(s => [
        s.stack,
        { start: Date.parse(s.startedAt!), end: Date.parse(s.finishedAt!) },
      ]),
    );
    for (const stack of ['monitoring', 'storage']) {
      expect(times[stack].end).toBeLessThanOrEqual(times.cluster.start);
    }
    // Monitoring and storage ran at the same time (each started before the other finished).
    expect(times.monitoring.start).toBeLessThan(times.storage.end);
    expect(times.storage.start).toBeLessThan(times.monitoring.end);

    // One commit on top of the branch, removing the environment's files and nothing else.
    const log = (await remoteGit('log', '--format=%H', `${before}..main`))
      .trim()
      .split('\n');
    expect(log).toHaveLength(1);
    const removed = (
      await remoteGit('show', '--name-status', '--format=', 'main')
    )
      .trim()
      .split('\n')
      .sort();
    expect(removed).toEqual(
      [
        `D\tcatalog/environments/${ENV}.yaml`,
        `D\tcharts/argocd-apps/environments/${ENV}.yaml`,
        `D\tcharts/inference/values-${ENV}.yaml`,
        `D\tinfra/environments/${ENV}/cluster.tfvars`,
        `D\tinfra/environments/${ENV}/monitoring.tfvars`,
        `D\tinfra/environments/${ENV}/storage.tfvars`,
      ].sort(),
    );
    expect(
      await remoteGit('show', 'main:charts/inference/values-pre-prod.yaml'),
    ).toBe(OTHER_FILES['charts/inference/values-pre-prod.yaml']);

    // The entities are gone from the catalog and the local catalog file with them; pre-prod stays.
    for (const ref of [
      `resource:default/${ENV}`,
      `resource:default/${ENV}-cluster`,
    ]) {
      expect(
        await catalog.getEntityByRef(ref, { credentials }),
      ).toBeUndefined();
    }
    expect(
      await catalog.getEntityByRef('resource:default/pre-prod', {
        credentials,
      }),
    ).toBeDefined();
    await expect(
      fs.access(path.join(localCatalogDir, `${ENV}.yaml`)),
    ).rejects.toThrow();

    // Its runs and their logs are still there.
    expect(
      (await manager.listRuns({ environments: [ENV] })).map(r => r.id).sort(),
    ).toEqual([applied.run.id, queued.id].sort());
    expect((await manager.readLog(queued.id, {})).length).toBeGreaterThan(0);
    expect(
      await audit.list<string>({ environment: ENV, action: 'remove' }),
    ).toEqual([
      expect.objectContaining({
        actor: OWNER,
        result: 'success',
        runId: queued.id,
        commit: log[0],
      }),
    ]);
    await manager.shutdown();
  });

  it('keeps the files and the entity when the destroy does not succeed', async () => {
    const { manager, catalog, teardown, audit, remoteGit } = await setup();
    const before = (await remoteGit('rev-parse', 'main')).trim();
    const credentials = mockCredentials.user(OWNER);
    const queued = await teardown.start(
      {
        environment: ENV,
        entityRef: `resource:default/${ENV}`,
        production: false,
      },
      { actor: OWNER, credentials },
    );
    await manager.cancelRun(queued.id);
    await teardown.settled();
    expect((await manager.getRun(queued.id)).status).toBe('cancelled');
    expect((await remoteGit('rev-parse', 'main')).trim()).toBe(before);
    expect(
      await catalog.getEntityByRef(`resource:default/${ENV}`, { credentials }),
    ).toBeDefined();
    expect(
      await audit.list<string>({ environment: ENV, action: 'remove' }),
    ).toEqual([
      expect.objectContaining({
        result: 'failure',
        message: expect.stringContaining('cancelled'),
      }),
    ]);
    await manager.shutdown();
  });
});

describe('withExpiry', () => {
  it('sets the annotation of the environment document only, keeping comments and the cluster document', () => {
    const text = withExpiry(
      OTHER_FILES[`catalog/environments/${ENV}.yaml`],
      ENV,
      '2026-12-03T10:00:00.000Z',
    );
    expect(text).toContain('# kept by an extension');
    const [environment, cluster] = yaml
      .parseAllDocuments(text)
      .map(d => d.toJS());
    expect(environment.metadata.annotations).toEqual({
      'devops-app.io/protected': 'false',
      'devops-app.io/expires-at': '2026-12-03T10:00:00.000Z',
    });
    expect(cluster.metadata).toEqual({ name: `${ENV}-cluster` });
  });
});
