import { mockServices } from '@backstage/backend-test-utils';
import { GitOpsRepository } from '../GitOpsRepository';
import { createGitRemote, GitRemote } from '../__testUtils__/gitRemote';
import { GitOpsSnapshot } from './GitOpsSnapshot';
import { SharedReads } from './SharedReads';

const DEV = 'charts/inference/values.yaml';
const PROD = 'charts/inference/values-prod.yaml';
const author = { name: 'user:default/guest', email: 'guest@example.com' };

// Real git processes; on a loaded 2-core machine they can take seconds (not a speed check).
jest.setTimeout(60_000);

describe('GitOpsSnapshot (real git, bare remote)', () => {
  let remote: GitRemote;
  let repo: GitOpsRepository;
  let other: GitOpsRepository;
  let clock: number;
  let snapshot: GitOpsSnapshot;

  beforeEach(async () => {
    remote = await createGitRemote();
    const options = {
      repository: remote.remote,
      branch: 'main',
      logger: mockServices.logger.mock(),
      snapshotRefreshMs: 0,
    };
    repo = new GitOpsRepository(options);
    other = new GitOpsRepository(options);
    clock = 0;
    snapshot = new GitOpsSnapshot(repo, { refreshMs: 5000, now: () => clock });
  });
  afterEach(async () => {
    await repo.close();
    await other.close();
    await remote.cleanup();
  });

  it('asks the remote for its head once for concurrent readers, and reads each file once per commit', async () => {
    const heads = jest.spyOn(repo, 'remoteHead');
    const reads = jest.spyOn(repo, 'readFileAt');
    const expected = await repo.readImageTag(DEV);
    const tags = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        snapshot.readImageTag(i % 2 ? DEV : PROD),
      ),
    );
    expect(new Set(tags.filter((_, i) => i % 2))).toEqual(new Set([expected]));
    expect(heads).toHaveBeenCalledTimes(1);
    expect(reads.mock.calls.map(c => c[1]).sort()).toEqual([PROD, DEV]);
    expect(reads.mock.calls[0][0]).toBe(await remote.head());

    // Within the refresh window: no further git at all.
    clock = 4999;
    await snapshot.readImageTag(DEV);
    expect(heads).toHaveBeenCalledTimes(1);
    // After it: the head is asked again, but an unchanged commit is not read again.
    clock = 5000;
    await snapshot.readImageTag(DEV);
    expect(heads).toHaveBeenCalledTimes(2);
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it("shows another writer's push after the refresh window, and this instance's push at once", async () => {
    expect(await snapshot.readImageTag(DEV)).not.toBe('9.9.1');
    await other.commitImageTag({
      file: DEV,
      tag: '9.9.1',
      author,
      message: 'elsewhere',
    });
    clock = 1000;
    expect(await snapshot.readImageTag(DEV)).not.toBe('9.9.1');
    clock = 6000;
    expect(await snapshot.readImageTag(DEV)).toBe('9.9.1');

    await repo.commitImageTag({
      file: DEV,
      tag: '9.9.2',
      author,
      message: 'here',
    });
    expect(await snapshot.readImageTag(DEV)).toBe('9.9.2');
  });

  it('answers undefined for a file the commit lacks, and reads again after a failure', async () => {
    expect(await snapshot.readImageTag('charts/inference/none.yaml')).toBe(
      undefined,
    );
    const reads = jest
      .spyOn(repo, 'readFileAt')
      .mockRejectedValueOnce(new Error('remote down'));
    await expect(snapshot.readImageTag(DEV)).rejects.toThrow('remote down');
    expect(await snapshot.readImageTag(DEV)).toBe(await repo.readImageTag(DEV));
    expect(reads).toHaveBeenCalledTimes(2);
  });
});

describe('SharedReads', () => {
  it('shares a read in flight and for the window after it, never a failure', async () => {
    let now = 0;
    const shared = new SharedReads<number>(1000, () => now);
    let calls = 0;
    const read = () => Promise.resolve(++calls);
    expect(
      await Promise.all([shared.get('a', read), shared.get('a', read)]),
    ).toEqual([1, 1]);
    expect(await shared.get('b', read)).toBe(2);
    now = 999;
    expect(await shared.get('a', read)).toBe(1);
    now = 1000;
    expect(await shared.get('a', read)).toBe(3);
    await expect(
      shared.get('c', () => Promise.reject(new Error('down'))),
    ).rejects.toThrow('down');
    expect(await shared.get('c', read)).toBe(4);
    shared.clear();
    expect(await shared.get('a', read)).toBe(5);
    const unshared = new SharedReads<number>(0);
    expect(
      await Promise.all([unshared.get('a', read), unshared.get('a', read)]),
    ).toEqual([6, 7]);
  });
});
