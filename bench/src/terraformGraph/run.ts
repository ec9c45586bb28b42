import {
  resolvePackagePath,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  TERRAFORM_STACKS,
  TerraformRun,
  TerraformStackName,
} from '@devops-app/plugin-devops-app-common';
// The run service itself, in process: what is compared is its scheduling of the stacks.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports, @backstage/no-forbidden-package-imports
import { TerraformRunManager } from '@devops-app/plugin-devops-app-backend/src/terraform/TerraformRunManager';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports, @backstage/no-forbidden-package-imports
import { TerraformRunStore } from '@devops-app/plugin-devops-app-backend/src/terraform/TerraformRunStore';
import knexFactory from 'knex';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type Order = 'graph' | 'sequential';

/** The apply graph (cluster, then monitoring and storage together) against the stacks in a line. */
export const ORDERS: Record<
  Order,
  Record<TerraformStackName, TerraformStackName[]>
> = {
  graph: { cluster: [], monitoring: ['cluster'], storage: ['cluster'] },
  sequential: { cluster: [], monitoring: ['cluster'], storage: ['monitoring'] },
};

const BACKEND = '@devops-app/plugin-devops-app-backend';

const quietLogger: LoggerService = {
  info: () => {},
  warn: () => {},
  error: () => {},
  debug: () => {},
  child: () => quietLogger,
};

/**
 * Provisions one new environment on the sandbox stacks (each apply takes `delaySeconds`) from
 * scratch with the real terraform, through the run service in the given order; resolves with the run.
 */
export async function provision(options: {
  order: Order;
  delaySeconds: number;
  environment: string;
}): Promise<{ run: TerraformRun; ms: number }> {
  const infraDir = resolvePackagePath(BACKEND, '../../infra');
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-tf-'));
  const db = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  try {
    await db.migrate.latest({
      directory: resolvePackagePath(BACKEND, 'migrations'),
      tableName: 'devops_app_knex_migrations',
      loadExtensions: ['.js'],
    });
    // The new environment's files in an infra checkout of its own (no GitOps repository: the run
    // service reads the checkout), next to the real sandbox stacks.
    const checkout = path.join(root, 'infra');
    await writeEnvironmentFiles(infraDir, checkout, options.environment);
    const manager = new TerraformRunManager({
      config: {
        target: 'sandbox',
        infraDir: checkout,
        stacksDir: path.join(infraDir, 'sandbox'),
        stateDir: path.join(root, 'state'),
        workDir: path.join(root, 'runs'),
        binary: process.env.TERRAFORM_BIN ?? 'terraform',
        stackTimeoutMs: 600_000,
        heartbeatMs: 2000,
        staleRunMs: 60_000,
        recoveryIntervalMs: 5000,
        pollIntervalMs: 1000,
        concurrency: 1,
        lockTimeoutSeconds: 60,
        sandboxDelaySeconds: options.delaySeconds,
      },
      store: new TerraformRunStore(db),
      logger: quietLogger,
      dependencies: ORDERS[options.order],
    });
    const started = Date.now();
    const { done } = await manager.startRun({
      environment: options.environment,
      mode: 'apply',
      createdBy: 'user:default/bench',
    });
    const run = await done;
    await manager.shutdown();
    const ms = Date.now() - started;
    if (run.status !== 'succeeded') {
      throw new Error(`${options.order} run ${run.status}: ${run.error}`);
    }
    return { run, ms };
  } finally {
    await db.destroy();
    await fs.rm(root, { recursive: true, force: true });
  }
}

/**
 * Writes a new environment's files into `checkout`/environments/<environment>, made from dev's as the
 * new-environment template makes them.
 */
export async function writeEnvironmentFiles(
  infraDir: string,
  checkout: string,
  environment: string,
) {
  const envDir = path.join(checkout, 'environments', environment);
  await fs.mkdir(envDir, { recursive: true });
  for (const stack of TERRAFORM_STACKS) {
    const dev = await fs.readFile(
      path.join(infraDir, 'environments/dev', `${stack}.tfvars`),
      'utf8',
    );
    await fs.writeFile(
      path.join(envDir, `${stack}.tfvars`),
      dev
        .replace(/"dev"/g, `"${environment}"`)
        .replace(/tfstate-dev/g, `tfstate-${environment}`)
        .replace(
          /stdevopsappdev/g,
          `stdevopsapp${environment.replace(/-/g, '')}`,
        ),
    );
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function formatResult(result: {
  delaySeconds: number;
  graph: number[];
  sequential: number[];
}): string {
  const g = median(result.graph);
  const s = median(result.sequential);
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    `sandbox stacks, ${result.delaySeconds} s per apply, ${result.graph.length} rounds each (medians)`,
    `graph (cluster, then monitoring + storage): ${secs(g)}   [${result.graph
      .map(secs)
      .join(', ')}]`,
    `sequential (cluster, monitoring, storage):  ${secs(
      s,
    )}   [${result.sequential.map(secs).join(', ')}]`,
    `graph / sequential: ${(g / s).toFixed(2)}`,
  ].join('\n');
}
