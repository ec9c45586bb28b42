import {
  LoggerService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
// The drift checker and the run service themselves, in process.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports, @backstage/no-forbidden-package-imports
import { DriftChecker } from '@devops-app/plugin-devops-app-backend/src/terraform/DriftChecker';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports, @backstage/no-forbidden-package-imports
import { DriftStore } from '@devops-app/plugin-devops-app-backend/src/terraform/DriftStore';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports, @backstage/no-forbidden-package-imports
import { EnvironmentInputs } from '@devops-app/plugin-devops-app-backend/src/terraform/EnvironmentInputs';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports, @backstage/no-forbidden-package-imports
import { TerraformRunManager } from '@devops-app/plugin-devops-app-backend/src/terraform/TerraformRunManager';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports, @backstage/no-forbidden-package-imports
import { TerraformRunStore } from '@devops-app/plugin-devops-app-backend/src/terraform/TerraformRunStore';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports, @backstage/no-forbidden-package-imports
import { TerraformRunConfig } from '@devops-app/plugin-devops-app-backend/src/terraform/config';
import knexFactory, { Knex } from 'knex';
import { writeEnvironmentFiles } from '../terraformGraph/run';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BACKEND = '@devops-app/plugin-devops-app-backend';

const quietLogger: LoggerService = {
  info: () => {},
  warn: () => {},
  error: () => {},
  debug: () => {},
  child: () => quietLogger,
};

/** N sandbox environments applied once (state in a temporary directory), to check for drift. */
export interface DriftFixture {
  environments: string[];
  /** Checks `names` with at most `parallelism` at once; the total time and every stack's status. */
  check(
    names: string[],
    parallelism: number,
  ): Promise<{ totalMs: number; statuses: string[] }>;
  close(): Promise<void>;
}

/** Applies `count` new sandbox environments (four at a time) through the run service. */
export async function applyEnvironments(count: number): Promise<DriftFixture> {
  const infraDir = resolvePackagePath(BACKEND, '../../infra');
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-drift-'));
  const db: Knex = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  await db.migrate.latest({
    directory: resolvePackagePath(BACKEND, 'migrations'),
    tableName: 'devops_app_knex_migrations',
    loadExtensions: ['.js'],
  });
  const checkout = path.join(root, 'infra');
  const environments = Array.from({ length: count }, (_, i) => `drift-${i}`);
  for (const environment of environments) {
    await writeEnvironmentFiles(infraDir, checkout, environment);
  }
  const config: TerraformRunConfig = {
    target: 'sandbox',
    infraDir: checkout,
    stacksDir: path.join(infraDir, 'sandbox'),
    stateDir: path.join(root, 'state'),
    workDir: path.join(root, 'runs'),
    binary: process.env.TERRAFORM_BIN ?? 'terraform',
    stackTimeoutMs: 600_000,
    heartbeatMs: 2000,
    staleRunMs: 600_000,
    recoveryIntervalMs: 5000,
    pollIntervalMs: 500,
    concurrency: 4,
    lockTimeoutSeconds: 60,
  };
  const manager = new TerraformRunManager({
    config,
    store: new TerraformRunStore(db),
    logger: quietLogger,
  });
  const runs = await Promise.all(
    environments.map(
      async environment =>
        (
          await manager.startRun({
            environment,
            mode: 'apply',
            createdBy: 'user:default/bench',
          })
        ).done,
    ),
  );
  await manager.shutdown();
  const failed = runs.find(r => r.status !== 'succeeded');
  if (failed)
    throw new Error(`apply of ${failed.environment}: ${failed.error}`);

  const inputs = new EnvironmentInputs({ config, logger: quietLogger });
  const store = new DriftStore(db);
  return {
    environments,
    async check(names, parallelism) {
      const checker = new DriftChecker({
        config,
        parallelism,
        inputs,
        store,
        logger: quietLogger,
      });
      const statuses: string[] = [];
      const started = Date.now();
      await Promise.all(
        names.map(async name => {
          const checks = await checker.check(name, 'schedule');
          statuses.push(...checks.map(c => c.status));
        }),
      );
      return { totalMs: Date.now() - started, statuses };
    },
    async close() {
      await inputs.close();
      await db.destroy();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

export interface DriftBenchRow {
  environments: number;
  parallelism: number;
  parallelMs: number;
  sequentialMs: number;
}

export function formatDriftResult(rows: DriftBenchRow[]): string {
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const lines = [
    'environments | parallel (p) total | per env | one after another total | per env | parallel / sequential',
  ];
  for (const r of rows) {
    lines.push(
      [
        String(r.environments).padStart(12),
        `${secs(r.parallelMs)} (p=${r.parallelism})`.padStart(18),
        secs(r.parallelMs / r.environments).padStart(7),
        secs(r.sequentialMs).padStart(23),
        secs(r.sequentialMs / r.environments).padStart(7),
        (r.parallelMs / r.sequentialMs).toFixed(2).padStart(21),
      ].join(' | '),
    );
  }
  return lines.join('\n');
}
