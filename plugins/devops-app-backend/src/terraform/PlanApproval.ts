import { ConflictError } from '@backstage/errors';
import { TerraformRun } from '@devops-app/plugin-devops-app-common';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { EnvironmentInputs } from './EnvironmentInputs';
import { ClaimedRun, SavedPlan, TerraformRunStore } from './TerraformRunStore';

/** The default of `devopsApp.terraform.approval.maxPlanAgeHours`. */
export const DEFAULT_MAX_PLAN_AGE_HOURS = 24;

/** A decision on a run awaiting approval. */
export interface ApprovalDecision {
  decision: 'approved' | 'rejected';
  by: string;
  comment: string;
}

/**
 * The approval of an apply's saved plans (HCP Terraform's confirm and apply, Atlantis' apply
 * requirements): the run stops after planning in `awaiting-approval`, claimed by no instance and
 * holding its environment's lock; a decision either queues it again for its apply phase or ends it
 * as `rejected`. Before the apply phase applies anything, {@link PlanApproval.staleness} refuses a
 * plan that is too old or that the environment has moved past.
 */
export class PlanApproval {
  constructor(
    private readonly options: {
      store: TerraformRunStore;
      inputs: Pick<EnvironmentInputs, 'filesDigest' | 'resolve'>;
      maxPlanAgeMs: number;
      now?: () => number;
    },
  ) {}

  /** Records the decision; 409 with the reason when the run does not await one (any more). */
  async decide(id: string, decision: ApprovalDecision): Promise<TerraformRun> {
    const { store } = this.options;
    if (!(await store.decide(id, decision))) {
      const run = await store.getRun(id);
      throw new ConflictError(
        `Run ${id} is ${run.status}, not awaiting approval${
          run.approval?.decision
            ? ` (${run.approval.decision} by ${run.approval.decidedBy})`
            : ''
        }: there is no plan to ${
          decision.decision === 'approved' ? 'approve' : 'reject'
        }`,
      );
    }
    return store.getRun(id);
  }

  /** The digest of the environment's files a run planned with (kept on the run while it waits). */
  filesDigest(run: ClaimedRun): Promise<string> {
    return this.options.inputs.filesDigest(run);
  }

  /**
   * Why the approved plans of `run` may no longer be applied, as `stale plan: ...`, or undefined:
   * they are older than the configured age; another apply or destroy of the environment succeeded
   * since they were made; or the environment's files at the GitOps branch head (the checkout for a
   * run of the checkout) differ from those at the run's recorded commit.
   */
  async staleness(run: ClaimedRun): Promise<string | undefined> {
    const { store, inputs, maxPlanAgeMs } = this.options;
    const now = this.options.now?.() ?? Date.now();
    if (!run.plannedAt || !run.filesDigest) {
      return 'stale plan: the run has no recorded plan time or files digest';
    }
    const age = now - Date.parse(run.plannedAt);
    if (age > maxPlanAgeMs) {
      return `stale plan: planned at ${run.plannedAt}, ${hours(
        age,
      )} h ago, older than the ${hours(maxPlanAgeMs)} h a plan may wait`;
    }
    const other = await store.changedSince(
      run.environment,
      run.plannedAt,
      run.id,
    );
    if (other) {
      return `stale plan: run ${other.id} changed ${run.environment} at ${other.finishedAt}, after this plan (${run.plannedAt})`;
    }
    const head = await inputs.resolve(run.environment);
    const headDigest = await inputs.filesDigest({
      ...head,
      environment: run.environment,
    });
    if (headDigest !== run.filesDigest) {
      return `stale plan: infra/environments/${
        run.environment
      } changed after the plan (${
        head.commit ? `branch head ${head.commit.slice(0, 12)}` : 'the checkout'
      } differs from ${
        run.commit ? run.commit.slice(0, 12) : 'the planned files'
      })`;
    }
    return undefined;
  }
}

function hours(ms: number): string {
  return (ms / 3_600_000).toFixed(1).replace(/\.0$/, '');
}

/**
 * Writes a saved plan to `planFile` and checks the written file against the checksum recorded at
 * plan time: only the exact plan that was reviewed is applied.
 */
export async function verifySavedPlan(
  saved: SavedPlan,
  planFile: string,
): Promise<void> {
  await fs.writeFile(planFile, saved.content);
  const written = createHash('sha256')
    .update(await fs.readFile(planFile))
    .digest('hex');
  if (written !== saved.sha256) {
    throw new Error(
      `the plan file of ${saved.stack} does not match the checksum recorded at plan time (sha256 ${saved.sha256}, file ${written}): not applied`,
    );
  }
}
