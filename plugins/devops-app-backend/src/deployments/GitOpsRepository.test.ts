import { mockServices } from '@backstage/backend-test-utils';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitOpsRepository } from './GitOpsRepository';
import { createGitRemote, GitRemote } from './__testUtils__/gitRemote';

const DEV = 'charts/inference/values.yaml';
const PROD = 'charts/inference/values-prod.yaml';
const author = {
  name: 'user:default/guest',
  email: 'guest@users.devops-app.local',
};

/** This test's own directory for the repository's cache and clones (other tests write to the OS one). */
let scratch: string;

async function deployDirs() {
  return (await readdir(scratch)).filter(d =>
    d.startsWith('devops-app-deploy-'),
  );
}

// Every test runs real git processes; on a loaded 2-core machine they can take seconds (not a speed check).
jest.setTimeout(60_000);

describe('GitOpsRepository (real git, bare remote)', () => {
  let remote: GitRemote;
  let repo: GitOpsRepository;

  beforeEach(async () => {
    remote = await createGitRemote();
    scratch = await mkdtemp(join(tmpdir(), 'gitops-repository-test-'));
    repo = new GitOpsRepository({
      repository: remote.remote,
      branch: 'main',
      logger: mockServices.logger.mock(),
      cacheDir: scratch,
    });
  });
  afterEach(async () => {
    await repo.close();
    await remote.cleanup();
    await rm(scratch, { recursive: true, force: true });
  });

  it('commits a change whose diff is exactly the image.tag line, comments kept', async () => {
    const before = await remote.show('main', DEV);
    const result = await repo.commitImageTag({
      file: DEV,
      tag: '0.2.0',
      author,
      message: 'deploy dev 0.2.0',
    });
    expect(result).toMatchObject({
      changed: true,
      before: '0.1.0',
      after: '0.2.0',
    });
    expect(result.commit).toBe(await remote.head());
    expect(await remote.count()).toBe(2);

    const after = await remote.show('main', DEV);
    const removed = before
      .split('\n')
      .filter(l => !after.split('\n').includes(l));
    const added = after
      .split('\n')
      .filter(l => !before.split('\n').includes(l));
    expect(removed).toEqual(['  tag: "0.1.0"']);
    expect(added).toEqual(['  tag: "0.2.0"']);
    expect(after.match(/^\s*#.*$/gm)).toEqual(before.match(/^\s*#.*$/gm));

    const patch = await remote.lastCommit();
    expect(patch).toContain(
      'user:default/guest <guest@users.devops-app.local>',
    );
    expect(patch.split('\n').filter(l => /^[+-][^+-]/.test(l))).toEqual([
      '-  tag: "0.1.0"',
      '+  tag: "0.2.0"',
    ]);
    expect(result.diff).toContain('+  tag: "0.2.0"');
    expect(await repo.readImageTag(DEV)).toBe('0.2.0');
  });

  it('edits values-<env>.yaml for other environments and leaves values.yaml alone', async () => {
    await repo.commitImageTag({
      file: PROD,
      tag: '2.0.0',
      author,
      message: 'deploy prod',
    });
    expect(await repo.readImageTag(PROD)).toBe('2.0.0');
    expect(await repo.readImageTag(DEV)).toBe('0.1.0');
  });

  it('makes no commit when the tag is already deployed', async () => {
    const result = await repo.commitImageTag({
      file: DEV,
      tag: '0.1.0',
      author,
      message: 'same',
    });
    expect(result.changed).toBe(false);
    expect(await remote.count()).toBe(1);
  });

  it('serialises concurrent deploys to one environment: every one lands, none is lost', async () => {
    const tags = ['1.0.1', '1.0.2', '1.0.3', '1.0.4'];
    const results = await Promise.all(
      tags.map(tag =>
        repo.commitImageTag({
          file: DEV,
          tag,
          author,
          message: `deploy ${tag}`,
        }),
      ),
    );
    expect(results.every(r => r.changed && r.commit)).toBe(true);
    expect(await remote.count()).toBe(1 + tags.length);
    // Each commit's parent is the previous one: in request order, on one line of history.
    const log = await remote.lastCommit();
    expect(log).toContain('deploy 1.0.4');
    expect(results.map(r => r.before)).toEqual([
      '0.1.0',
      '1.0.1',
      '1.0.2',
      '1.0.3',
    ]);
    expect(await repo.readImageTag(DEV)).toBe('1.0.4');
  });

  it('reports a push the remote rejects, and leaves the remote and the disk as they were', async () => {
    const head = await remote.head();
    const leftBefore = await deployDirs();
    await remote.rejectPushes('branch main is protected');
    await expect(
      repo.commitImageTag({
        file: DEV,
        tag: '0.3.0',
        author,
        message: 'deploy',
      }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringMatching(
        /rejected the push.*nothing was changed.*branch main is protected/,
      ),
    });
    expect(await remote.head()).toBe(head);
    expect(await repo.readImageTag(DEV)).toBe('0.1.0');
    expect(await deployDirs()).toEqual(leftBefore);
    // The queue keeps working after a failure.
    await expect(repo.previewImageTag(DEV, '0.3.0')).resolves.toMatchObject({
      changed: true,
      before: '0.1.0',
    });
  });

  it('reads several environments at once (one shared fetch of the read cache)', async () => {
    const tags = await Promise.all(
      [DEV, PROD, 'charts/inference/values-pre-prod.yaml', DEV, PROD].map(f =>
        repo.readImageTag(f),
      ),
    );
    expect(tags).toEqual(['0.1.0', '0.1.0', '0.1.0', '0.1.0', '0.1.0']);
  });

  it('previews the diff without writing', async () => {
    const preview = await repo.previewImageTag(PROD, '3.0.0');
    expect(preview.diff).toMatch(/^- {2}tag: "0\.1\.0"$/m);
    expect(preview.diff).toMatch(/^\+ {2}tag: "3\.0\.0"$/m);
    expect(preview.diff).toContain('charts/inference/values-prod.yaml');
    expect(await remote.count()).toBe(1);
  });

  it('says when the environment has no values file', async () => {
    await expect(
      repo.commitImageTag({
        file: 'charts/inference/values-qa.yaml',
        tag: '1.0.0',
        author,
        message: 'x',
      }),
    ).rejects.toMatchObject({ name: 'InputError' });
    expect(
      await repo.readImageTag('charts/inference/values-qa.yaml'),
    ).toBeUndefined();
  });
});
