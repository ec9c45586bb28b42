import {
  REDACTED,
  TerraformPlanSummary,
  TerraformRunMode,
  TerraformStackName,
  TerraformStackStatus,
} from '@devops-app/plugin-devops-app-common';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TerraformRunConfig } from './config';
import { RunInputs } from './EnvironmentInputs';
import { Redactor } from './Redactor';
import { RunLog } from './RunLog';
import { StackOutcome } from './StackGraph';
import {
  parsePlanSummary,
  runTerraformCommand,
  TerraformCommandResult,
} from './terraformProcess';
import { SavedPlan, TerraformRunStore } from './TerraformRunStore';
import { verifySavedPlan } from './PlanApproval';

class CommandFailure extends Error {}

/** A change of a stack, stored and (with a status) announced by the run's executor. */
export type StackUpdate = Parameters<TerraformRunStore['updateStack']>[2] & {
  status?: TerraformStackStatus;
};

/**
 * Runs the terraform commands of one stack of one run, in the stack's own TF_DATA_DIR under the
 * run's directory: `init` (the backend derived from the environment), `plan -out` (`-destroy` for a
 * destroy), the plan file kept with its checksum, then `apply` of that file unless plan-only, and
 * `output -json` after an apply. Every line is redacted before it reaches the log.
 */
export class StackExecutor {
  constructor(
    private readonly options: {
      config: TerraformRunConfig;
      store: TerraformRunStore;
      runId: string;
      mode: TerraformRunMode;
      runDir: string;
      inputs: RunInputs;
      env: NodeJS.ProcessEnv;
      redactor: Redactor;
      log: RunLog;
      signal: AbortSignal;
      update: (stack: TerraformStackName, update: StackUpdate) => Promise<void>;
      /**
       * Plan approval: `plan`, an apply's first phase, stops after the plan and keeps its redacted
       * `terraform show`; `apply`, the approved phase, applies the given saved plans (checksums
       * checked) instead of planning again.
       */
      approval?:
        | { phase: 'plan' }
        | { phase: 'apply'; plans: Map<TerraformStackName, SavedPlan> };
    },
  ) {}

  async run(stack: TerraformStackName): Promise<StackOutcome> {
    const { config, runDir, inputs, redactor, log, approval } = this.options;
    const mode = approval?.phase === 'plan' ? 'plan' : this.options.mode;
    const saved =
      approval?.phase === 'apply' ? approval.plans.get(stack) : undefined;
    if (approval?.phase === 'apply' && !saved) {
      log.line(stack, 'system', 'not applied: not in the approved plan');
      await this.options.update(stack, {
        status: 'skipped',
        error:
          'Not in the approved plan (it needed a stack applied first): start another apply to plan it',
      });
      return 'changes';
    }
    const stackDir = path.join(runDir, stack);
    await fs.mkdir(stackDir, { recursive: true });
    const env = {
      ...this.options.env,
      TF_DATA_DIR: path.join(stackDir, 'terraform-data'),
    };
    const chdir = `-chdir=${path.join(config.stacksDir, stack)}`;
    const planFile = path.join(stackDir, 'run.tfplan');
    const deadline = Date.now() + config.stackTimeoutMs;
    await this.options.update(stack, {
      status: 'running',
      startedAt: new Date().toISOString(),
    });

    let plan: TerraformPlanSummary | undefined;
    const command = async (
      label: string,
      args: string[],
      captureStdout = false,
    ) => {
      log.line(stack, 'system', `$ terraform ${label}`);
      const result = await runTerraformCommand({
        binary: config.binary,
        args: [chdir, ...args],
        env,
        timeoutMs: Math.max(deadline - Date.now(), 1),
        signal: this.options.signal,
        redactor,
        captureStdout,
        onLine: (stream, line) => {
          plan = plan ?? parsePlanSummary(line);
          log.line(stack, stream, line);
        },
      });
      if (result.exitCode !== 0) {
        throw new CommandFailure(
          failureReason(label, result, config.stackTimeoutMs),
        );
      }
      return result;
    };

    try {
      await command('init', [
        'init',
        '-input=false',
        '-no-color',
        '-reconfigure',
        ...inputs.backendConfig(stack),
      ]);
      if (saved) {
        await verifySavedPlan(saved, planFile);
        log.line(
          stack,
          'system',
          `applying the approved plan (sha256 ${saved.sha256}, checked)`,
        );
      } else {
        const summary = await this.plan(
          command,
          stack,
          planFile,
          mode,
          () => plan,
        );
        if (mode === 'plan') {
          await this.options.update(stack, {
            status: 'planned',
            finishedAt: new Date().toISOString(),
          });
          return summary.add + summary.change + summary.destroy > 0
            ? 'changes'
            : 'ready';
        }
      }
      await command('apply', [
        'apply',
        '-input=false',
        '-no-color',
        `-lock-timeout=${config.lockTimeoutSeconds}s`,
        planFile,
      ]);
      if (mode === 'destroy') {
        await this.options.update(stack, {
          status: 'destroyed',
          finishedAt: new Date().toISOString(),
        });
        return 'ready';
      }
      const output = await command(
        'output -json',
        ['output', '-json', '-no-color'],
        true,
      );
      const outputs = readOutputs(output.stdout, redactor);
      log.line(stack, 'system', `outputs: ${Object.keys(outputs).join(', ')}`);
      await this.options.update(stack, {
        status: 'applied',
        outputs,
        finishedAt: new Date().toISOString(),
      });
      return 'ready';
    } catch (e) {
      const cancelled = this.options.signal.aborted;
      const message = redactor.redact(
        e instanceof Error ? e.message : String(e),
      );
      log.line(stack, 'system', cancelled ? 'cancelled' : `failed: ${message}`);
      await this.options.update(stack, {
        status: cancelled ? 'cancelled' : 'failed',
        finishedAt: new Date().toISOString(),
        error: cancelled ? 'Cancelled' : message,
      });
      return 'failed';
    }
  }

  /** `plan -out`, the plan file kept with its checksum (and its `show` text for an approval). */
  private async plan(
    command: (
      label: string,
      args: string[],
      captureStdout?: boolean,
    ) => Promise<TerraformCommandResult>,
    stack: TerraformStackName,
    planFile: string,
    mode: TerraformRunMode,
    parsed: () => TerraformPlanSummary | undefined,
  ): Promise<TerraformPlanSummary> {
    const { config, store, runId, inputs, log, redactor } = this.options;
    await command(mode === 'destroy' ? 'plan -destroy' : 'plan', [
      'plan',
      '-input=false',
      '-no-color',
      `-lock-timeout=${config.lockTimeoutSeconds}s`,
      ...(mode === 'destroy' ? ['-destroy'] : []),
      `-var-file=${inputs.varFile(stack)}`,
      `-out=${planFile}`,
    ]);
    const summary = parsed() ?? { add: 0, change: 0, destroy: 0 };
    const sha256 = await store.savePlan(
      runId,
      stack,
      await fs.readFile(planFile),
    );
    log.line(stack, 'system', `plan saved (sha256 ${sha256})`);
    await this.options.update(stack, { plan: summary });
    if (this.options.approval?.phase === 'plan') {
      const shown = await command(
        'show',
        ['show', '-no-color', planFile],
        true,
      );
      await store.savePlanText(runId, stack, redactor.redact(shown.stdout));
    }
    return summary;
  }
}

function failureReason(
  label: string,
  result: TerraformCommandResult,
  timeoutMs: number,
): string {
  if (result.timedOut)
    return `terraform ${label} timed out (stack timeout ${timeoutMs / 1000} s)`;
  if (result.cancelled) return `terraform ${label} cancelled`;
  const how = result.killedBy
    ? `was killed by ${result.killedBy}`
    : `exited with ${result.exitCode}`;
  const detail = result.stderrTail
    .filter(l => l.trim())
    .slice(-3)
    .join(' ')
    .trim();
  return `terraform ${label} ${how}${detail ? `: ${detail}` : ''}`;
}

/** Output values, with sensitive ones replaced and remembered so no later line shows them. */
function readOutputs(
  stdout: string,
  redactor: Redactor,
): Record<string, unknown> {
  const parsed = JSON.parse(stdout) as Record<
    string,
    { value: unknown; sensitive: boolean }
  >;
  const outputs: Record<string, unknown> = {};
  for (const [name, output] of Object.entries(parsed)) {
    if (output.sensitive) {
      collectStrings(output.value).forEach(v => redactor.add(v));
      outputs[name] = REDACTED;
    } else {
      outputs[name] = output.value;
    }
  }
  return outputs;
}

function collectStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(collectStrings);
  if (value && typeof value === 'object')
    return Object.values(value).flatMap(collectStrings);
  return [];
}
