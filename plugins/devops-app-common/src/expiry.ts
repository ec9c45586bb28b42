/**
 * Expiry of environments: the durations the New environment form and the Extend button offer, and
 * how the time left is shown. The expiry itself is the `devops-app.io/expires-at` annotation
 * (`Environment.expiresAt`).
 */

const HOUR_MS = 3_600_000;

/** The durations an environment may be given or extended by. @public */
export const EXPIRY_DURATIONS = {
  '4h': 4 * HOUR_MS,
  '1d': 24 * HOUR_MS,
  '3d': 72 * HOUR_MS,
  '7d': 168 * HOUR_MS,
} as const;

/** @public */
export type ExpiryDuration = keyof typeof EXPIRY_DURATIONS;

/** @public */
export const EXPIRY_DURATION_LABELS: Record<ExpiryDuration, string> = {
  '4h': '4 hours',
  '1d': '1 day',
  '3d': '3 days',
  '7d': '7 days',
};

/**
 * The new expiry of an environment extended by `duration`: from its current expiry, or from now
 * when that has passed (an extension never leaves an environment already expired).
 * @public
 */
export function extendedExpiry(
  current: string | undefined,
  duration: ExpiryDuration,
  now: Date,
): string {
  const from = Math.max(
    current ? Date.parse(current) : now.getTime(),
    now.getTime(),
  );
  return new Date(from + EXPIRY_DURATIONS[duration]).toISOString();
}

/** "2 d 3 h", "3 h 12 min", "12 min", or "expired" once the time has passed. @public */
export function formatTimeLeft(expiresAt: string, now: Date): string {
  const ms = Date.parse(expiresAt) - now.getTime();
  if (ms <= 0) return 'expired';
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes % 60} min`;
  return `${Math.max(minutes, 1)} min`;
}

/** The answer of `POST /terraform/environments/:environment/extend`. @public */
export interface ExpiryExtension {
  environment: string;
  expiresAt: string;
  /** The GitOps commit that moved the annotation. */
  commit?: string;
  /** In production: the pull request that moves it. */
  pullRequestUrl?: string;
}

/** The repository paths of an environment the removal commit deletes. @public */
export function environmentRepositoryPaths(environment: string): string[] {
  return [
    `infra/environments/${environment}`,
    `charts/inference/values-${environment}.yaml`,
    `charts/argocd-apps/environments/${environment}.yaml`,
    `catalog/environments/${environment}.yaml`,
  ];
}
