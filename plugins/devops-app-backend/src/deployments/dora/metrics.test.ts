import { AuditRecord } from '@devops-app/plugin-devops-app-common';
import { computeDora, DoraInput } from './metrics';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let nextId = 1;
/** An audit entry `msAgo` before NOW. */
function entry(
  msAgo: number,
  environment: string,
  action: string,
  after?: string,
  extra: Partial<AuditRecord<string>> = {},
): AuditRecord<string> {
  const id = nextId++;
  return {
    id,
    createdAt: new Date(NOW.getTime() - msAgo).toISOString(),
    actor: 'user:default/guest',
    entityRef: 'component:default/inference-service',
    environment,
    action,
    after,
    result: 'success',
    commit: ['deploy', 'promote-version', 'rollback', 'break-glass'].includes(
      action,
    )
      ? `c${id}`.padEnd(40, '0')
      : undefined,
    ...extra,
  };
}

function dora(
  records: AuditRecord<string>[],
  overrides: Partial<DoraInput> = {},
) {
  return computeDora({
    entityRef: 'component:default/inference-service',
    environment: 'prod',
    production: true,
    days: 30,
    now: NOW,
    failureWindowHours: 24,
    records,
    ...overrides,
  });
}

describe('computeDora', () => {
  it('counts deploys inside the period only, both edges inclusive', () => {
    const records = [
      entry(30 * DAY + 1, 'prod', 'deploy', '0.0.9'), // 1 ms before the period
      entry(30 * DAY, 'prod', 'deploy', '0.1.0'), // exactly its start
      entry(10 * DAY, 'prod', 'deploy', '0.1.1'),
      entry(10 * DAY - 1000, 'prod', 'deploy', '0.1.1', { commit: undefined }), // nothing committed
      entry(5 * DAY, 'prod', 'deploy', '0.1.2', { result: 'failure' }),
      entry(4 * DAY, 'prod', 'deploy', '0.1.3', { result: 'denied' }),
      entry(3 * DAY, 'pre-prod', 'deploy', '0.1.4'), // another environment
      entry(0, 'prod', 'promote-version', '0.1.4'), // exactly now
      entry(-1, 'prod', 'deploy', '0.1.5'), // in the future of the request
    ];
    const result = dora(records);
    expect(result.deploymentFrequency.deploys).toBe(3);
    expect(result.deploymentFrequency.perWeek).toBe(0.7);
    expect(result.from).toBe('2026-11-01T12:00:00.000Z');
    expect(result.to).toBe(NOW.toISOString());
    const days = result.deploymentFrequency.days;
    expect(days[0]).toEqual({ date: '2026-11-01', deploys: 1, failures: 0 });
    expect(days[days.length - 1]).toEqual({
      date: '2026-12-01',
      deploys: 1,
      failures: 0,
    });
    expect(days).toHaveLength(31);
    expect(days.reduce((n, d) => n + d.deploys, 0)).toBe(3);

    expect(dora(records, { days: 90 }).deploymentFrequency.deploys).toBe(4);
  });

  it('counts a break glass as a deploy of production, and not its request or approval decisions', () => {
    const records = [
      entry(3 * DAY, 'pre-prod', 'deploy', '0.2.0'),
      entry(2 * DAY, 'prod', 'request-production', '0.2.0'),
      entry(DAY + HOUR, 'prod', 'approve-production', '0.2.0'),
      entry(DAY, 'prod', 'promote-version', '0.2.0'),
      entry(HOUR, 'prod', 'break-glass', '0.2.1'),
      entry(HOUR - 1000, 'prod', 'break-glass', '0.2.2', { result: 'denied' }),
    ];
    const result = dora(records);
    expect(result.deploymentFrequency.deploys).toBe(2);
    // 0.2.1's first commit is its break glass: a lead time of 0.
    expect(result.leadTime.items.map(l => [l.version, l.seconds])).toEqual([
      ['0.2.0', (2 * DAY) / 1000],
      ['0.2.1', 0],
    ]);
  });

  it("measures lead time from the version's first GitOps commit in any environment", () => {
    const dev = entry(10 * DAY, 'dev', 'deploy', '0.2.0');
    const records = [
      dev,
      entry(8 * DAY, 'pre-prod', 'promote-version', '0.2.0'),
      entry(5 * DAY, 'prod', 'promote-version', '0.2.0'),
      entry(2 * DAY, 'dev', 'deploy', '0.3.0'),
      entry(1 * DAY, 'prod', 'deploy', '0.3.0'),
      entry(12 * HOUR, 'dev', 'deploy', '0.4.0'),
      entry(9 * HOUR, 'prod', 'deploy', '0.4.0'),
    ];
    const { leadTime } = dora(records);
    expect(leadTime.items.map(l => [l.version, l.seconds])).toEqual([
      ['0.2.0', (5 * DAY) / 1000],
      ['0.3.0', DAY / 1000],
      ['0.4.0', (3 * HOUR) / 1000],
    ]);
    expect(leadTime.items[0].commit).toBe(dev.commit);
    expect(leadTime.medianSeconds).toBe(DAY / 1000);
  });

  it('counts a deploy as failed when a rollback or abort follows within the window and before the next deploy', () => {
    const records = [
      entry(20 * DAY, 'prod', 'deploy', '0.1.0'),
      entry(19 * DAY, 'prod', 'deploy', '0.2.0'), // rolled back 2 h later: failed
      entry(19 * DAY - 2 * HOUR, 'prod', 'rollback', '0.1.0'),
      entry(15 * DAY, 'prod', 'deploy', '0.2.1'), // aborted exactly at the window's end: failed
      entry(14 * DAY, 'prod', 'abort'),
      entry(13 * DAY, 'prod', 'deploy', '0.2.2'), // restores 0.2.1's failure
      entry(10 * DAY, 'prod', 'deploy', '0.2.3'), // aborted 1 ms after the window: not failed
      entry(9 * DAY - 1, 'prod', 'abort'),
      entry(8 * DAY, 'prod', 'deploy', '0.2.4'),
      entry(7 * DAY, 'prod', 'deploy', '0.2.5'), // the abort comes after the next deploy: only 0.2.6 failed
      entry(7 * DAY - HOUR, 'prod', 'deploy', '0.2.6'),
      entry(7 * DAY - 2 * HOUR, 'prod', 'abort'),
      entry(6 * DAY, 'prod', 'abort', undefined, { result: 'failure' }), // a failed abort marks nothing
      entry(2 * DAY, 'prod', 'deploy', '0.2.7'), // aborted, never restored
      entry(2 * DAY - HOUR, 'prod', 'abort'),
      entry(DAY, 'pre-prod', 'deploy', '0.2.8'), // another environment restores nothing here
    ];
    const { changeFailureRate, timeToRestore, deploymentFrequency } =
      dora(records);
    // Deploys: 0.1.0, 0.2.0, rollback 0.1.0, 0.2.1, 0.2.2, 0.2.3, 0.2.4, 0.2.5, 0.2.6, 0.2.7.
    expect(changeFailureRate).toEqual({ deploys: 10, failures: 4, rate: 0.4 });
    expect(
      timeToRestore.items.map(r => [
        r.version,
        r.failedBy,
        r.restoredVersion,
        r.seconds,
      ]),
    ).toEqual([
      ['0.2.0', 'rollback', '0.1.0', (2 * HOUR) / 1000],
      ['0.2.1', 'abort', '0.2.2', (2 * DAY) / 1000],
      ['0.2.6', 'abort', '0.2.7', (5 * DAY - HOUR) / 1000],
      ['0.2.7', 'abort', undefined, undefined],
    ]);
    expect(timeToRestore.unrestored).toBe(1);
    // Median of 2 h, 2 d and 4 d 23 h.
    expect(timeToRestore.medianSeconds).toBe((2 * DAY) / 1000);
    const failuresByDay = deploymentFrequency.days.filter(d => d.failures);
    expect(failuresByDay.map(d => d.date)).toEqual([
      '2026-11-12',
      '2026-11-16',
      '2026-11-24',
      '2026-11-29',
    ]);
  });

  it('counts a failure marked before the period starts only if its deploy is in the period', () => {
    const records = [
      entry(30 * DAY + HOUR, 'prod', 'deploy', '0.1.0'),
      entry(30 * DAY - HOUR, 'prod', 'abort'),
      entry(29 * DAY, 'prod', 'deploy', '0.1.1'),
    ];
    const result = dora(records);
    expect(result.changeFailureRate).toEqual({
      deploys: 1,
      failures: 0,
      rate: 0,
    });
    expect(result.timeToRestore.items).toEqual([]);
    expect(dora([]).changeFailureRate.rate).toBeUndefined();
    expect(dora([]).leadTime.medianSeconds).toBeUndefined();
  });
});
