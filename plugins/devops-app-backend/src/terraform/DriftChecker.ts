import { LoggerService } from '@backstage/backend-plugin-api';
import {
  DriftStackCheck,
  DriftTrigger,
  TERRAFORM_STACKS,
  TerraformPlanSummary,
  TerraformStackName,
} from '@devops-app/plugin-devops-app-common';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TerraformRunConfig } from './config';
import { DriftStore } from './DriftStore';
import { EnvironmentInputs, RunInputs } from './EnvironmentInputs';
import { Redactor } from './Redactor';
import { terraformEnvironment } from './RunExecutor';
import {
  parsePlanSummary,
  runTerraformCommand,
  TerraformCommandResult,
} from './terraformProcess';

/** `terraform plan -detailed-exitcode`: 0 no changes, 1 error, 2 changes. */
const EXIT_CHANGES = 2;

/**
 * Checks environments for drift: for each stack, `terraform init` and
 * `terraform plan -detailed-exitcode -lock=false` on the environment's files at the commit the server
 * resolves (as a run would, through {@link EnvironmentInputs}), never `apply`, never `-out`.
 *
 * The lock: a drift check takes neither the portal's environment lock (the run queue) nor terraform's
 * state lock. `plan` writes no state (its refresh stays in memory), so a lock would protect nothing
 * of the check's; taking it would make an apply that starts meanwhile wait in its `-lock-timeout` for
 * a plan that may take minutes against the real providers, or fail the apply when the wait runs out.
 * The price: a check that reads the state while an apply writes it may see the old state or fail;
 * the scheduled check skips an environment with a run executing, and the next check corrects it.
 *
 * At most `parallelism` environments are checked at once (their three stacks in parallel: plans are
 * independent, the dependents read the cluster's state as it is); a check asked for while the same
 * environment's is queued or running joins it.
 */
export class DriftChecker {
  private readonly pending = new Map<string, Promise<DriftStackCheck[]>>();
  private readonly waiting: (() => void)[] = [];
  private active = 0;
  private readonly stopping = new AbortController();

  constructor(
    private readonly options: {
      config: TerraformRunConfig;
      parallelism: number;
      inputs: Pick<EnvironmentInputs, 'resolve' | 'materialize'>;
      store: DriftStore;
      logger: LoggerService;
      /** The process environment secrets are read from; the backend's own by default. */
      env?: NodeJS.ProcessEnv;
    },
  ) {}

  /** Whether a check of the environment is queued or running here. */
  checking(environment: string): boolean {
    return this.pending.has(environment);
  }

  /** Queues a check of the environment (or joins the one queued); resolves with its stored results. */
  check(
    environment: string,
    trigger: DriftTrigger,
  ): Promise<DriftStackCheck[]> {
    const existing = this.pending.get(environment);
    if (existing) return existing;
    const done = this.slot(() => this.execute(environment, trigger)).finally(
      () => this.pending.delete(environment),
    );
    this.pending.set(environment, done);
    return done;
  }

  /** Checks every environment, `parallelism` at a time. */
  checkAll(
    environments: string[],
    trigger: DriftTrigger,
  ): Promise<DriftStackCheck[][]> {
    return Promise.all(environments.map(e => this.check(e, trigger)));
  }

  /** Stops running checks (their terraform processes end with them); nothing is recorded for them. */
  stop() {
    this.stopping.abort();
  }

  private async slot<T>(work: () => Promise<T>): Promise<T> {
    while (this.active >= this.options.parallelism) {
      await new Promise<void>(resolve => this.waiting.push(resolve));
    }
    this.active += 1;
    try {
      return await work();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }

  private async execute(
    environment: string,
    trigger: DriftTrigger,
  ): Promise<DriftStackCheck[]> {
    const { config, inputs, store, logger } = this.options;
    const dir = path.join(config.workDir, `drift-${randomUUID()}`);
    const redactor = new Redactor();
    let checks: DriftStackCheck[];
    let commit: string | undefined;
    try {
      const env = await terraformEnvironment({
        config,
        source: this.options.env ?? process.env,
        runDir: dir,
        redactor,
      });
      const source = await inputs.resolve(environment);
      commit = source.commit;
      const files = await inputs.materialize(
        { ...source, environment },
        path.join(dir, 'environment'),
      );
      checks = await Promise.all(
        TERRAFORM_STACKS.map(stack =>
          this.checkStack(stack, {
            dir,
            env,
            files,
            redactor,
            commit,
            trigger,
          }),
        ),
      );
    } catch (e) {
      const reason = redactor.redact(
        e instanceof Error ? e.message : String(e),
      );
      const checkedAt = new Date().toISOString();
      checks = TERRAFORM_STACKS.map(stack => ({
        stack,
        status: 'failed',
        error: reason,
        checkedAt,
        ...(commit ? { commit } : {}),
        trigger,
      }));
    } finally {
      await fs.rm(dir, { recursive: true, force: true }).catch(() => {});
    }
    if (this.stopping.signal.aborted) return checks;
    await store.record(environment, checks);
    const summary = checks.map(c => `${c.stack} ${c.status}`).join(', ');
    logger.info(`Drift check of ${environment}: ${summary}`);
    return checks;
  }

  private async checkStack(
    stack: TerraformStackName,
    context: {
      dir: string;
      env: NodeJS.ProcessEnv;
      files: RunInputs;
      redactor: Redactor;
      commit?: string;
      trigger: DriftTrigger;
    },
  ): Promise<DriftStackCheck> {
    const { config } = this.options;
    const { dir, files, redactor, commit, trigger } = context;
    const env = {
      ...context.env,
      TF_DATA_DIR: path.join(dir, stack, 'terraform-data'),
    };
    const deadline = Date.now() + config.stackTimeoutMs;
    let plan: TerraformPlanSummary | undefined;
    const terraform = (args: string[]) =>
      runTerraformCommand({
        binary: config.binary,
        args: [`-chdir=${path.join(config.stacksDir, stack)}`, ...args],
        env,
        timeoutMs: Math.max(deadline - Date.now(), 1),
        signal: this.stopping.signal,
        redactor,
        onLine: (_stream, line) => {
          plan = plan ?? parsePlanSummary(line);
        },
      });
    const result = (
      fields: Pick<DriftStackCheck, 'status' | 'plan' | 'error'>,
    ): DriftStackCheck => ({
      stack,
      ...fields,
      checkedAt: new Date().toISOString(),
      ...(commit ? { commit } : {}),
      trigger,
    });

    const init = await terraform([
      'init',
      '-input=false',
      '-no-color',
      '-reconfigure',
      '-lock=false',
      ...files.backendConfig(stack),
    ]);
    if (init.exitCode !== 0) {
      return result({
        status: 'failed',
        error: whyFailed('init', init),
      });
    }
    plan = undefined;
    const checked = await terraform([
      'plan',
      '-detailed-exitcode',
      '-lock=false',
      '-input=false',
      '-no-color',
      `-var-file=${files.varFile(stack)}`,
    ]);
    if (checked.exitCode === 0) return result({ status: 'in-sync' });
    if (checked.exitCode === EXIT_CHANGES) {
      // Only outputs changed: exit 2 without a "Plan:" line.
      return result({
        status: 'drifted',
        plan: plan ?? { add: 0, change: 0, destroy: 0 },
      });
    }
    return result({
      status: 'failed',
      error: whyFailed('plan', checked),
    });
  }
}

/** The reason of a failed check: how terraform ended, with its last error line. */
function whyFailed(command: string, result: TerraformCommandResult): string {
  if (result.timedOut) return `terraform ${command} timed out`;
  if (result.cancelled)
    return `terraform ${command} stopped: the backend is stopping`;
  const error = result.stderrTail.filter(l => /\S/.test(l));
  const last = error.find(l => /^Error:/.test(l.trim())) ?? error.at(-1);
  return `terraform ${command} exited with ${result.exitCode}${
    last ? `: ${last.trim()}` : ''
  }`;
}
