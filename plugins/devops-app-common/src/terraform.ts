/**
 * Terraform runs of the new-environment flow: the shapes the backend stores and serves and the
 * frontend and the scaffolder action read.
 */

/** The stacks of an environment, in apply order: cluster first, then the others in parallel. @public */
export const TERRAFORM_STACKS = ['cluster', 'monitoring', 'storage'] as const;

/** @public */
export type TerraformStackName = (typeof TERRAFORM_STACKS)[number];

/** Which stacks must have been applied before a stack may start. @public */
export const TERRAFORM_STACK_DEPENDENCIES: Record<
  TerraformStackName,
  TerraformStackName[]
> = {
  cluster: [],
  monitoring: ['cluster'],
  storage: ['cluster'],
};

/** The stacks in destroy order: the reverse of {@link TERRAFORM_STACK_DEPENDENCIES}. @public */
export function reverseStackDependencies(
  dependencies: Record<TerraformStackName, TerraformStackName[]>,
): Record<TerraformStackName, TerraformStackName[]> {
  const reversed = Object.fromEntries(
    Object.keys(dependencies).map(s => [s, [] as TerraformStackName[]]),
  ) as Record<TerraformStackName, TerraformStackName[]>;
  for (const [stack, needs] of Object.entries(dependencies)) {
    for (const need of needs) reversed[need].push(stack as TerraformStackName);
  }
  return reversed;
}

/**
 * `plan` stops after the plan of each stack; `apply` applies each plan; `destroy` plans and applies the
 * destruction of each stack, in reverse graph order. @public
 */
export type TerraformRunMode = 'plan' | 'apply' | 'destroy';

/** The modes a run may be started in. @public */
export const TERRAFORM_RUN_MODES: TerraformRunMode[] = [
  'plan',
  'apply',
  'destroy',
];

/**
 * `queued`: waiting for its environment (another run holds it) or for a worker on any instance;
 * `running`: claimed by an instance, which writes its heartbeat; `awaiting-approval`: an apply whose
 * plans are saved, holding its environment, claimed by no instance until a user approves (queued
 * again for its apply) or rejects (`rejected`) it; the others are final. @public
 */
export type TerraformRunStatus =
  | 'queued'
  | 'running'
  | 'awaiting-approval'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'interrupted'
  | 'rejected';

/** The statuses a run ends in. @public */
export const TERRAFORM_FINAL_STATUSES: TerraformRunStatus[] = [
  'succeeded',
  'failed',
  'cancelled',
  'interrupted',
  'rejected',
];

/**
 * The approval of an apply's saved plans: required for production-class environments and those whose
 * entity asks for it (`devops-app.io/requires-approval`). @public
 */
export interface TerraformRunApproval {
  /** When the plans were saved and the run began to wait. */
  plannedAt?: string;
  decision?: 'approved' | 'rejected';
  /** Entity ref of the user who approved or rejected. */
  decidedBy?: string;
  decidedAt?: string;
  comment?: string;
}

/** What the caller may do with a run, as the server decided it (buttons are enabled from it). @public */
export interface TerraformRunPermissions {
  approve: { allowed: boolean; reason?: string };
}

/** @public */
export type TerraformStackStatus =
  | 'pending'
  | 'running'
  | 'planned'
  | 'applied'
  | 'destroyed'
  | 'failed'
  | 'cancelled'
  | 'skipped';

/** What `terraform plan` said it would do. @public */
export interface TerraformPlanSummary {
  add: number;
  change: number;
  destroy: number;
}

/** @public */
export interface TerraformStackResult {
  stack: TerraformStackName;
  status: TerraformStackStatus;
  plan?: TerraformPlanSummary;
  /** sha256 of the saved plan file (the one an approved apply applies). */
  planSha256?: string;
  /** Output values after apply; sensitive outputs are replaced by a marker. */
  outputs?: Record<string, unknown>;
  startedAt?: string;
  finishedAt?: string;
  error?: string;
}

/** @public */
export interface TerraformRun {
  id: string;
  environment: string;
  mode: TerraformRunMode;
  status: TerraformRunStatus;
  /** Entity ref of the user who started the run. */
  createdBy: string;
  /** Scaffolder task that started the run, when one did. */
  taskId?: string;
  /**
   * Where the run's configuration comes from: `gitops`, the environment's files at {@link commit} of
   * the GitOps repository; `checkout`, the backend's infra/ directory (no GitOps repository
   * configured), with the checkout's HEAD as `commit` when it is a git work tree.
   */
  source?: 'gitops' | 'checkout';
  /** The commit the server resolved the environment's files at. */
  commit?: string;
  /** When the run was asked for (it may then have waited in the queue). */
  startedAt: string;
  /** When an instance claimed it and began executing its stacks. */
  claimedAt?: string;
  /** The instance executing (or that executed) the run. */
  instanceId?: string;
  /** A cancel was asked for and the instance running the run has not stopped it yet. */
  cancelRequested?: boolean;
  finishedAt?: string;
  error?: string;
  /** Set when the run's apply needs an approved plan. */
  approval?: TerraformRunApproval;
  /** The caller's permissions on this run (`GET /runs/:id`). */
  permissions?: TerraformRunPermissions;
  stacks: TerraformStackResult[];
}

/** `GET /runs/:id/plans/:stack`: the redacted `terraform show -no-color` of a stack's saved plan. @public */
export interface TerraformPlanText {
  stack: TerraformStackName;
  sha256: string;
  text: string;
}

/** One line of terraform output, secrets already removed. @public */
export interface TerraformLogLine {
  /** Increasing per run; ask for lines after the last one you have. */
  seq: number;
  stack: TerraformStackName;
  stream: 'stdout' | 'stderr' | 'system';
  line: string;
  at: string;
}

/** The marker that replaces a secret in logs and outputs. @public */
export const REDACTED = '***';

/** At most this many log lines come back from one `GET /runs/:id/log` read; ask again when full. @public */
export const TERRAFORM_LOG_PAGE_SIZE = 5000;

/**
 * The Backstage signal channel of one run: its state changes and new log lines (batched), so that an
 * open run page reads again at once.
 * @public
 */
export function terraformRunSignalChannel(runId: string): string {
  return `devops-app:terraform-run:${runId}`;
}

/**
 * The Backstage signal channel of an environment's runs list: a run of the environment started,
 * changed state or finished. Without an environment, the channel of the list of every run.
 * @public
 */
export function terraformRunsSignalChannel(environment?: string): string {
  return environment
    ? `devops-app:terraform-runs:${environment}`
    : 'devops-app:terraform-runs';
}

/**
 * The message of a terraform run signal. Names what changed, never how: no log text, error text,
 * output or variable, since every signed-in viewer of the channel receives it; the page then reads
 * the run and its lines through the routes.
 *
 * - `state`: the run or one of its stacks changed state (`stack` and `stackStatus` name the stack).
 * - `log`: lines up to `lastSeq` are stored (at most one such signal per run every 500 ms).
 * @public
 */
export interface TerraformRunSignal {
  [key: string]: string | number | undefined;
  kind: 'state' | 'log';
  runId: string;
  environment: string;
  status: TerraformRunStatus;
  stack?: TerraformStackName;
  stackStatus?: TerraformStackStatus;
  /** `log`: the highest `seq` stored so far. */
  lastSeq?: number;
}
