import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  TERRAFORM_STACKS,
  TerraformStackName,
} from '@devops-app/plugin-devops-app-common';
import knexFactory, { Knex } from 'knex';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { git } from '@devops-app/plugin-devops-app-node';
import { TerraformRunConfig } from '../config';
import { TerraformRunManager } from '../TerraformRunManager';
import { TerraformRunStore } from '../TerraformRunStore';

/** The repository's infra/ directory: the tests run the real sandbox stacks in place. */
export const INFRA_DIR = resolvePackagePath(
  '@devops-app/plugin-devops-app-backend',
  '../../infra',
);

export async function migratedSqlite(): Promise<Knex> {
  const db = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  await db.migrate.latest({
    directory: resolvePackagePath(
      '@devops-app/plugin-devops-app-backend',
      'migrations',
    ),
    tableName: 'devops_app_knex_migrations',
    loadExtensions: ['.js'],
  });
  return db;
}

/** The files the new-environment template writes for `environment`, from dev's. */
export async function environmentFiles(environment: string): Promise<{
  tfvars: Record<TerraformStackName, string>;
}> {
  const tfvars = {} as Record<TerraformStackName, string>;
  for (const stack of TERRAFORM_STACKS) {
    const dev = await fs.readFile(
      path.join(INFRA_DIR, 'environments', 'dev', `${stack}.tfvars`),
      'utf8',
    );
    tfvars[stack] = dev
      .replace(/"dev"/g, `"${environment}"`)
      .replace(/tfstate-dev/g, `tfstate-${environment}`)
      .replace(
        /stdevopsappdev/g,
        `stdevopsapp${environment.replace(/-/g, '')}`,
      );
  }
  return { tfvars };
}

export async function tempDirs() {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tf-runs-'));
  return {
    root,
    cleanup: () => fs.rm(root, { recursive: true, force: true }),
  };
}

/**
 * A GitOps repository for runs to read from: a bare repository in `root` whose branch `main` gets a
 * commit per call of `commit` (the files the new-environment template writes, or edited ones).
 */
export async function gitopsFixture(root: string) {
  const repository = path.join(root, 'gitops.git');
  const work = path.join(root, 'gitops-work');
  const run = (args: string[], cwd?: string) =>
    git(
      ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args],
      cwd,
    );
  await run(['init', '--quiet', '--bare', '--initial-branch=main', repository]);
  await run(['clone', '--quiet', repository, work]);
  await run(['checkout', '--quiet', '-b', 'main'], work);
  return {
    repository,
    /** Commits the environment's files (edited by `edit`) and pushes; returns the commit. */
    async commit(
      environment: string,
      edit: (stack: TerraformStackName, text: string) => string = (_, t) => t,
    ): Promise<string> {
      const { tfvars } = await environmentFiles(environment);
      const dir = path.join(work, 'infra', 'environments', environment);
      await fs.mkdir(dir, { recursive: true });
      for (const stack of TERRAFORM_STACKS) {
        await fs.writeFile(
          path.join(dir, `${stack}.tfvars`),
          edit(stack, tfvars[stack]),
        );
      }
      await run(['add', '-A'], work);
      await run(
        ['commit', '--quiet', '--allow-empty', '-m', `files of ${environment}`],
        work,
      );
      await run(['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], work);
      return (await run(['rev-parse', 'HEAD'], work)).trim();
    },
  };
}

export function testConfig(
  root: string,
  overrides: Partial<TerraformRunConfig> = {},
): TerraformRunConfig {
  return {
    target: 'sandbox',
    infraDir: INFRA_DIR,
    stacksDir: path.join(INFRA_DIR, 'sandbox'),
    stateDir: path.join(root, 'state'),
    workDir: path.join(root, 'runs'),
    binary: process.env.TERRAFORM_BIN ?? 'terraform',
    stackTimeoutMs: 120_000,
    heartbeatMs: 200,
    staleRunMs: 60_000,
    recoveryIntervalMs: 1000,
    pollIntervalMs: 200,
    concurrency: 4,
    lockTimeoutSeconds: 10,
    ...overrides,
  };
}

export function createManager(
  db: Knex,
  config: TerraformRunConfig,
  options: {
    env?: NodeJS.ProcessEnv;
    instanceId?: string;
    signals?: SignalsService;
    logSignalIntervalMs?: number;
    outputs?: ConstructorParameters<typeof TerraformRunManager>[0]['outputs'];
  } = {},
) {
  return new TerraformRunManager({
    config,
    store: new TerraformRunStore(db),
    logger: mockServices.logger.mock(),
    ...options,
  });
}

/** A signals service that records what is published, with the time of each publish. */
export function recordingSignals() {
  const published: {
    channel: string;
    message: Record<string, unknown>;
    at: number;
  }[] = [];
  const signals: SignalsService = {
    publish: async signal => {
      published.push({
        channel: signal.channel,
        message: signal.message as Record<string, unknown>,
        at: Date.now(),
      });
    },
  };
  return { signals, published };
}

/**
 * A run an instance claimed and then stopped tending (as a killed backend leaves it): queued, claimed
 * by `instanceId`, its heartbeat `ageMs` old.
 */
export async function abandonedRun(
  db: Knex,
  run: { id: string; environment: string; instanceId: string; ageMs?: number },
) {
  const store = new TerraformRunStore(db);
  await store.createRun({
    id: run.id,
    environment: run.environment,
    mode: 'apply',
    createdBy: 'user:default/guest',
    source: 'checkout',
  });
  const claimed = await store.claimNext(run.instanceId);
  if (claimed?.id !== run.id) throw new Error(`${run.id} was not claimed`);
  await db('devops_app_terraform_runs')
    .where({ id: run.id })
    .update({ heartbeat_at: Date.now() - (run.ageMs ?? 0) });
}

/** Commits no outputs: where a test's runs read the GitOps fixture, a commit would move its branch. */
export const NO_OUTPUTS = {
  publish: async () => ({ status: 'unchanged' as const, files: [] }),
};

/**
 * A fresh migrated SQLite database and temporary directories for each test of the enclosing
 * describe block, removed after it: `const t = perTestDatabase();` then `t.db`, `t.dirs`.
 */
export function perTestDatabase() {
  const current = {} as {
    db: Knex;
    dirs: Awaited<ReturnType<typeof tempDirs>>;
  };
  beforeEach(async () => {
    current.db = await migratedSqlite();
    current.dirs = await tempDirs();
  });
  afterEach(async () => {
    await current.db.destroy();
    await current.dirs.cleanup();
  });
  return current;
}
