/**
 * Which audit entries change an environment's version, and which mark the version before them as
 * failed: one definition for the rollback plan, the promotion's "has run in the previous stage" and
 * the DORA measures, so that they agree on what a deploy is.
 */

/**
 * Audit actions that put a new version into an environment: a deploy, a promotion, a rollback, and a
 * break glass (a production deploy with a reason instead of an approval).
 */
export const VERSION_CHANGE_ACTIONS: ReadonlySet<string> = new Set([
  'deploy',
  'promote-version',
  'rollback',
  'break-glass',
]);

/** Audit actions that mark the version they follow as failed. */
export const FAILURE_ACTIONS: ReadonlySet<string> = new Set([
  'rollback',
  'abort',
]);
