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
export async function environmentFiles(environment: string) {
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
    staleRunMs: 60_000,
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
