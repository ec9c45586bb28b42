import { AuditRecord } from '@devops-app/plugin-devops-app-common';
import { FAILURE_ACTIONS, VERSION_CHANGE_ACTIONS } from '../versionChanges';

/**
 * Which version a rollback of an environment goes to. The definition (docs/architecture.md says the
 * same):
 *
 * The environment's version history is its successful audit entries that committed a new image.tag
 * (deploy, promote-version, rollback, break-glass: `before` -> `after` with a commit), newest first. Each entry's
 * `before` is a version the environment ran until that entry; these are the candidates, newest
 * first, without the current version and without repeats.
 *
 * A candidate V, replaced at time T by version W, is verified when either
 *  (a) the portal's verification (VerificationService: requests, error ratio and p95 latency on
 *      Prometheus against `devopsApp.promotion.verification`) passes for V in the environment over
 *      the window that ended at T (the environment's soak time, at least the minimum window); or
 *  (b) W failed there: a rollback away from W or an abort of W's Rollout followed W's deploy (before
 *      the next version), or W is the current version and its verification now ran and failed a
 *      check (a verification that could not run at all is no failure).
 * The rollback target is the newest verified candidate; with none, there is nothing to roll back to
 * (409 with each candidate's reason). Only the `MAX_CANDIDATES` newest candidates are looked at.
 */

export const MAX_CANDIDATES = 5;

/** A version the environment ran before the current one. */
export interface RollbackCandidate {
  version: string;
  /** When it stopped running: the entry that replaced it. */
  replacedAt: string;
  /** The version that replaced it. */
  replacedBy: string;
  /** Why `replacedBy` counts as failed, from the audit log (rule b); undefined: not known to. */
  replacedByFailed?: string;
}

const isVersionChange = (r: AuditRecord<string>) =>
  VERSION_CHANGE_ACTIONS.has(r.action) &&
  r.result === 'success' &&
  Boolean(r.commit) &&
  Boolean(r.after) &&
  r.before !== r.after;

/**
 * The candidates of one environment from its audit entries (any order, this environment only),
 * newest first, for an environment that now runs `current`.
 */
export function rollbackCandidates(
  records: AuditRecord<string>[],
  current: string | undefined,
): RollbackCandidate[] {
  const sorted = [...records].sort(
    (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id,
  );
  const seen = new Set<string>(current ? [current] : []);
  const candidates: RollbackCandidate[] = [];
  sorted.forEach((r, i) => {
    if (!isVersionChange(r) || !r.before || seen.has(r.before)) return;
    if (candidates.length >= MAX_CANDIDATES) return;
    seen.add(r.before);
    // What followed this entry, up to the next version change (newer entries come before it).
    let failed: string | undefined;
    for (let j = i - 1; j >= 0; j--) {
      const later = sorted[j];
      if (later.result !== 'success') continue;
      if (FAILURE_ACTIONS.has(later.action)) {
        if (later.action === 'abort' || later.before === r.after) {
          failed = `${
            later.action === 'abort' ? 'an abort' : 'a rollback'
          } followed ${r.after} (${later.createdAt})`;
        }
        break;
      }
      if (isVersionChange(later)) break;
    }
    candidates.push({
      version: r.before,
      replacedAt: r.createdAt,
      replacedBy: r.after!,
      replacedByFailed: failed,
    });
  });
  return candidates;
}
