import { TerraformPlanSummary, TerraformStackName } from './terraform';

/**
 * Drift detection of an environment's Terraform stacks (issue 13): a scheduled
 * `terraform plan -detailed-exitcode` that never applies. Exit 0 is `in-sync`, exit 2 `drifted` (the
 * plan's add/change/destroy counts), anything else `failed` (with the reason).
 * @public
 */
export type DriftStatus = 'in-sync' | 'drifted' | 'failed';

/** What started a drift check: the scheduled task, or a user's "Check now". @public */
export type DriftTrigger = 'schedule' | 'manual';

/** The result of one drift check of one stack. @public */
export interface DriftStackCheck {
  stack: TerraformStackName;
  status: DriftStatus;
  /** The plan's counts; only when `drifted`. */
  plan?: TerraformPlanSummary;
  /** Why the check failed (redacted); only when `failed`. */
  error?: string;
  /** When the check of this stack ended (ISO 8601). */
  checkedAt: string;
  /** The commit of the environment's files the plan ran on (GitOps repository, or the checkout's HEAD). */
  commit?: string;
  trigger: DriftTrigger;
}

/** The latest drift check of every stack of an environment. @public */
export interface EnvironmentDrift {
  environment: string;
  /**
   * The worst of the stacks' latest results (`failed` over `drifted` over `in-sync`), or `unchecked`
   * when no check has ended yet.
   */
  status: DriftStatus | 'unchecked';
  /** The time of the newest stack result. */
  checkedAt?: string;
  stacks: DriftStackCheck[];
  /** A check of this environment is queued or running on the instance that answered. */
  checking: boolean;
}

/** The answer of `GET /terraform/drift`. @public */
export interface DriftResponse {
  items: EnvironmentDrift[];
}

/** The worst status of `stacks`, as {@link EnvironmentDrift.status}. @public */
export function worstDriftStatus(
  stacks: Pick<DriftStackCheck, 'status'>[],
): EnvironmentDrift['status'] {
  if (stacks.length === 0) return 'unchecked';
  if (stacks.some(s => s.status === 'failed')) return 'failed';
  if (stacks.some(s => s.status === 'drifted')) return 'drifted';
  return 'in-sync';
}
