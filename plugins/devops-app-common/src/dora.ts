/** The periods the DORA metrics are computed over, in days. @public */
export const DORA_PERIODS = [30, 90] as const;

/** @public */
export type DoraPeriod = (typeof DORA_PERIODS)[number];

/** One UTC day of the period: successful deploys and those that failed (rolled back or aborted). @public */
export interface DoraDay {
  /** YYYY-MM-DD (UTC). */
  date: string;
  deploys: number;
  failures: number;
}

/** A deploy's lead time: from the version's first GitOps commit to this environment's deploy. @public */
export interface DoraLeadTime {
  version: string;
  commit?: string;
  committedAt: string;
  deployedAt: string;
  seconds: number;
}

/** A failed deploy and when the environment was restored (undefined: not yet). @public */
export interface DoraRestore {
  version: string;
  deployedAt: string;
  /** The rollback or abort that marked the deploy as failed. */
  failedBy: 'rollback' | 'abort';
  failedAt: string;
  restoredAt?: string;
  restoredVersion?: string;
  seconds?: number;
}

/** What each metric means, stated next to the charts. @public */
export const DORA_DEFINITIONS = {
  deploymentFrequency:
    'Successful deploys to the environment recorded by the portal (deploys, promotions, rollbacks and break-glass deploys that committed a new image.tag), per week of the period.',
  leadTime:
    "Median time from the commit that produced the version to its deploy here. Images record no source commit, so the version's first GitOps commit (its first deploy to any environment of the service) stands for it.",
  changeFailureRate:
    'Deploys followed by a rollback or an abort in the same environment within the failure window, before the next deploy, divided by all deploys of the period.',
  timeToRestore:
    'Median time from a failed deploy to the next successful deploy of the environment (the portal records no per-deploy verification yet).',
} as const;

/** `GET /deployments/dora`: the DORA metrics of one service in one environment. @public */
export interface DoraMetricsResponse {
  entityRef: string;
  environment: string;
  production: boolean;
  days: DoraPeriod;
  /** The period, ISO times: from (inclusive) to (inclusive, the time of the request). */
  from: string;
  to: string;
  failureWindowHours: number;
  deploymentFrequency: { deploys: number; perWeek: number; days: DoraDay[] };
  leadTime: { medianSeconds?: number; items: DoraLeadTime[] };
  changeFailureRate: { deploys: number; failures: number; rate?: number };
  timeToRestore: {
    medianSeconds?: number;
    unrestored: number;
    items: DoraRestore[];
  };
  definitions: typeof DORA_DEFINITIONS;
}
