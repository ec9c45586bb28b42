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

/** `plan` stops after the plan of each stack; `apply` applies each plan. @public */
export type TerraformRunMode = 'plan' | 'apply';

/** @public */
export type TerraformRunStatus =
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'interrupted';

/** @public */
export type TerraformStackStatus =
  | 'pending'
  | 'running'
  | 'planned'
  | 'applied'
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
  startedAt: string;
  finishedAt?: string;
  error?: string;
  stacks: TerraformStackResult[];
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
