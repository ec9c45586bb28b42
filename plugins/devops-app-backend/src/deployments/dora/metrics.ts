import {
  AuditRecord,
  DoraDay,
  DoraLeadTime,
  DoraMetricsResponse,
  DoraPeriod,
  DoraRestore,
  DORA_DEFINITIONS,
} from '@devops-app/plugin-devops-app-common';
import { FAILURE_ACTIONS, VERSION_CHANGE_ACTIONS } from '../versionChanges';

const DAY_MS = 86_400_000;

export interface DoraInput {
  entityRef: string;
  environment: string;
  production: boolean;
  days: DoraPeriod;
  now: Date;
  failureWindowHours: number;
  /** The service's audit entries in every environment (any order), reaching back before the period. */
  records: AuditRecord<string>[];
}

interface Deploy {
  /** Position in the environment's entries, oldest first. */
  index: number;
  at: number;
  version: string;
  commit?: string;
  action: string;
}

const time = (r: AuditRecord<string>) => Date.parse(r.createdAt);

function isDeploy(r: AuditRecord<string>): boolean {
  return (
    VERSION_CHANGE_ACTIONS.has(r.action) &&
    r.result === 'success' &&
    Boolean(r.commit) &&
    Boolean(r.after)
  );
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? sorted[mid]
    : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}

/**
 * The DORA metrics of one environment over `days` days ending at `now` (both ends inclusive), from the
 * portal's audit entries:
 * - deploys: successful deploy, promote-version, rollback and break-glass entries with a commit (a pull request not
 *   yet merged, or a deploy that changed nothing, is not a deploy);
 * - a deploy failed when a successful rollback or abort of the environment follows it within
 *   `failureWindowHours` and before the next deploy;
 * - lead time: from the version's first GitOps commit (its earliest deploy entry in any environment
 *   of the service) to the deploy;
 * - time to restore: from the failed deploy to the first deploy at or after the rollback/abort.
 */
export function computeDora(input: DoraInput): DoraMetricsResponse {
  const to = input.now.getTime();
  const from = to - input.days * DAY_MS;
  const windowMs = input.failureWindowHours * 3_600_000;
  const records = input.records
    .filter(r => Number.isFinite(time(r)) && time(r) <= to)
    .sort((a, b) => time(a) - time(b) || a.id - b.id);

  const firstCommit = new Map<string, { at: number; commit?: string }>();
  for (const r of records) {
    if (isDeploy(r) && !firstCommit.has(r.after!)) {
      firstCommit.set(r.after!, { at: time(r), commit: r.commit });
    }
  }

  const here = records.filter(r => r.environment === input.environment);
  const deploys: Deploy[] = [];
  const markers: Array<{ index: number; record: AuditRecord<string> }> = [];
  here.forEach((r, index) => {
    if (isDeploy(r)) {
      deploys.push({
        index,
        at: time(r),
        version: r.after!,
        commit: r.commit,
        action: r.action,
      });
    }
    if (FAILURE_ACTIONS.has(r.action) && r.result === 'success') {
      markers.push({ index, record: r });
    }
  });

  const inPeriod = deploys.filter(d => d.at >= from);
  const restores: DoraRestore[] = [];
  const failed = new Set<Deploy>();
  for (const deploy of inPeriod) {
    const next = deploys.find(d => d.index > deploy.index);
    // A rollback is itself the next deploy: the marker may be that very entry.
    const found = markers.find(
      m =>
        m.index > deploy.index &&
        time(m.record) - deploy.at <= windowMs &&
        (!next || m.index <= next.index),
    );
    if (!found) continue;
    const marker = found.record;
    failed.add(deploy);
    const restore = deploys.find(d => d.index >= found.index);
    restores.push({
      version: deploy.version,
      deployedAt: new Date(deploy.at).toISOString(),
      failedBy: marker.action as DoraRestore['failedBy'],
      failedAt: marker.createdAt,
      restoredAt: restore && new Date(restore.at).toISOString(),
      restoredVersion: restore?.version,
      seconds: restore && Math.round((restore.at - deploy.at) / 1000),
    });
  }

  const leadTimes: DoraLeadTime[] = inPeriod
    .filter(d => d.action !== 'rollback')
    .map(d => {
      const first = firstCommit.get(d.version)!;
      return {
        version: d.version,
        commit: first.commit,
        committedAt: new Date(first.at).toISOString(),
        deployedAt: new Date(d.at).toISOString(),
        seconds: Math.round((d.at - first.at) / 1000),
      };
    });

  const days: DoraDay[] = [];
  const byDate = new Map<string, DoraDay>();
  for (let t = from; t <= to + DAY_MS - 1; t += DAY_MS) {
    const date = new Date(Math.min(t, to)).toISOString().slice(0, 10);
    if (byDate.has(date)) continue;
    const day = { date, deploys: 0, failures: 0 };
    byDate.set(date, day);
    days.push(day);
  }
  for (const d of inPeriod) {
    const day = byDate.get(new Date(d.at).toISOString().slice(0, 10))!;
    day.deploys += 1;
    if (failed.has(d)) day.failures += 1;
  }

  const restored = restores.filter(r => r.seconds !== undefined);
  return {
    entityRef: input.entityRef,
    environment: input.environment,
    production: input.production,
    days: input.days,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    failureWindowHours: input.failureWindowHours,
    deploymentFrequency: {
      deploys: inPeriod.length,
      perWeek: Math.round((inPeriod.length / input.days) * 7 * 100) / 100,
      days,
    },
    leadTime: {
      medianSeconds: median(leadTimes.map(l => l.seconds)),
      items: leadTimes,
    },
    changeFailureRate: {
      deploys: inPeriod.length,
      failures: failed.size,
      rate:
        inPeriod.length > 0
          ? Math.round((failed.size / inPeriod.length) * 10_000) / 10_000
          : undefined,
    },
    timeToRestore: {
      medianSeconds: median(restored.map(r => r.seconds!)),
      unrestored: restores.length - restored.length,
      items: restores,
    },
    definitions: DORA_DEFINITIONS,
  };
}
