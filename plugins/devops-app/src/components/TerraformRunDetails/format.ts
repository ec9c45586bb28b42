import {
  TerraformPlanSummary,
  TerraformRun,
} from '@devops-app/plugin-devops-app-common';

export function formatPlan(plan?: TerraformPlanSummary): string {
  if (!plan) return '—';
  if (plan.add + plan.change + plan.destroy === 0) return 'no changes';
  return `+${plan.add} ~${plan.change} -${plan.destroy}`;
}

export function formatDuration(
  run: Pick<TerraformRun, 'startedAt' | 'finishedAt'>,
  now = Date.now(),
): string {
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  const seconds = Math.max(
    0,
    Math.round((end - Date.parse(run.startedAt)) / 1000),
  );
  return seconds < 60
    ? `${seconds} s`
    : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
