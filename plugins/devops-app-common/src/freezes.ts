/**
 * Freeze windows and rollback (issue 14): what the Environments card, the Deploy dialog and the
 * Pipeline view show of them.
 */

import type { ActionPermission } from './deployments';

/** A freeze window in force for an environment: deploys, promotions and rollbacks are refused. @public */
export interface FreezeNotice {
  /** The window's name in `devopsApp.promotion.freezes`. */
  name: string;
  /** When it ends (ISO instant). */
  until: string;
  description?: string;
}

/**
 * What "Roll back" would do in an environment now: deploy `version` (the last verified version
 * before the current one) and, while a blue/green Rollout is paused on the new version, abort it
 * first. `available: false` says why there is nothing to roll back to. @public
 */
export interface RollbackOffer {
  environment: string;
  /** The version the environment runs now (git). */
  current?: string;
  available: boolean;
  /** The version a rollback deploys. */
  version?: string;
  /** Why `version` counts as verified, e.g. "verified in dev: requests 240 ≥ 50 minimum, ...". */
  verifiedBy?: string;
  /** The Rollout is paused on the new version: the rollback aborts it first. */
  abortsRollout?: boolean;
  /** Why there is nothing to roll back to. */
  reason?: string;
  /** A freeze window in force: the rollback would be refused until it ends. */
  freeze?: FreezeNotice;
  /**
   * Whether the signed-in caller may roll this environment back (the owners; in production, its
   * production deployers), and why not. The rollback route decides again when asked.
   */
  permission: ActionPermission;
}

/** `GET /deployments/rollback?entityRef=`: each environment's rollback. @public */
export interface RollbackOffersResponse {
  entityRef: string;
  items: RollbackOffer[];
}

/** The answer of `POST /deployments/rollback`. @public */
export interface RollbackResult {
  environment: string;
  before?: string;
  after: string;
  commit?: string;
  changed: boolean;
  /** The Rollout was paused on the new version and was aborted. */
  aborted: boolean;
  pullRequestUrl?: string;
  message?: string;
}
