import { AuditRecord } from '@devops-app/plugin-devops-app-common';
import { MAX_CANDIDATES, rollbackCandidates } from './RollbackPlan';

let nextId = 1;
/** A successful audit entry of prod at minute `minute`. */
function entry(
  minute: number,
  action: string,
  before: string,
  after: string,
  extra: Partial<AuditRecord<string>> = {},
): AuditRecord<string> {
  return {
    id: nextId++,
    createdAt: new Date(Date.UTC(2026, 11, 2, 10, minute)).toISOString(),
    actor: 'user:default/pat.platform',
    entityRef: 'component:default/inference-service',
    environment: 'prod',
    action,
    before,
    after,
    result: 'success',
    commit: 'c'.repeat(40),
    ...extra,
  } as AuditRecord<string>;
}

describe('rollbackCandidates', () => {
  it('counts a break glass as a version change: the version it replaced is the newest candidate', () => {
    const records = [
      entry(1, 'promote-version', '0.1.0', '0.2.0'),
      entry(2, 'break-glass', '0.2.0', '0.2.1'),
    ];
    expect(rollbackCandidates(records, '0.2.1')).toEqual([
      {
        version: '0.2.0',
        replacedAt: records[1].createdAt,
        replacedBy: '0.2.1',
        replacedByFailed: undefined,
      },
      {
        version: '0.1.0',
        replacedAt: records[0].createdAt,
        replacedBy: '0.2.0',
        replacedByFailed: undefined,
      },
    ]);
  });

  it('marks the replacing version failed when a rollback away from it or an abort followed it', () => {
    const rolledBack = [
      entry(1, 'deploy', '0.1.0', '0.2.0'),
      entry(2, 'rollback', '0.2.0', '0.1.0'),
      entry(3, 'deploy', '0.1.0', '0.3.0'),
    ];
    const [first, second] = rollbackCandidates(rolledBack, '0.3.0');
    expect(first).toMatchObject({ version: '0.1.0', replacedBy: '0.3.0' });
    expect(first.replacedByFailed).toBeUndefined();
    // 0.1.0 is also the `before` of the first deploy: listed once, as the newest.
    expect(second).toMatchObject({ version: '0.2.0', replacedBy: '0.1.0' });

    const aborted = [
      entry(1, 'deploy', '0.1.0', '0.2.0'),
      entry(2, 'abort', '0.2.0', '0.2.0', { commit: undefined }),
    ];
    expect(rollbackCandidates(aborted, '0.2.0')[0]).toMatchObject({
      version: '0.1.0',
      replacedByFailed: `an abort followed 0.2.0 (${aborted[1].createdAt})`,
    });

    const rollbackAway = [
      entry(1, 'deploy', '0.1.0', '0.2.0'),
      entry(2, 'rollback', '0.2.0', '0.1.0'),
    ];
    // The current version (0.1.0) is no candidate; 0.2.0 was replaced by the rollback itself.
    expect(rollbackCandidates(rollbackAway, '0.1.0')).toEqual([
      expect.objectContaining({ version: '0.2.0', replacedBy: '0.1.0' }),
    ]);
  });

  it('leaves out denied, failed and uncommitted entries, and keeps at most MAX_CANDIDATES', () => {
    const records = [
      entry(1, 'deploy', '0.0.1', '0.0.2', { result: 'denied' }),
      entry(2, 'deploy', '0.0.3', '0.0.4', { result: 'failure' }),
      entry(3, 'deploy', '0.0.5', '0.0.6', { commit: undefined }),
      entry(4, 'sync', '0.0.7', '0.0.8'),
    ];
    expect(rollbackCandidates(records, '0.9.0')).toEqual([]);
    const many = Array.from({ length: MAX_CANDIDATES + 3 }, (_, i) =>
      entry(10 + i, 'deploy', `1.0.${i}`, `1.0.${i + 1}`),
    );
    const found = rollbackCandidates(many, `1.0.${MAX_CANDIDATES + 3}`);
    expect(found.map(c => c.version)).toEqual(
      Array.from(
        { length: MAX_CANDIDATES },
        (_, i) => `1.0.${MAX_CANDIDATES + 2 - i}`,
      ),
    );
  });
});
