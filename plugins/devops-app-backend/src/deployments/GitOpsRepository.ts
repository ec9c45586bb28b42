import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { git, GitCommandError, PushRejectedError } from './git';
import { GitOpsSnapshot } from './snapshot/GitOpsSnapshot';
import { readImageTag, setImageTag } from './valuesFile';

export interface GitOpsRepositoryOptions {
  /** Clone URL or path of the GitOps repository (a relative path is taken from the working directory). */
  repository: string;
  branch: string;
  logger: LoggerService;
  /**
   * Directory for the read cache and the writes' fresh clones (each removed afterwards); defaults to
   * the OS temporary directory.
   */
  cacheDir?: string;
  /**
   * How long status reads trust the branch head they last asked the remote for (see GitOpsSnapshot);
   * default 5000. 0 reads every values file from a fresh fetch (the path before the snapshot, kept
   * for bench/src/deploymentsStatus).
   */
  snapshotRefreshMs?: number;
  /** Opens pull requests (production deploys); without it, pull-request changes are refused. */
  pullRequests?: {
    open(request: {
      head: string;
      base: string;
      title: string;
      body: string;
    }): Promise<string>;
  };
}

export interface ImageTagChange {
  file: string;
  tag: string;
  /** Commit author: the Backstage user. */
  author: { name: string; email: string };
  message: string;
  /**
   * Push to this new branch and open a pull request into the tracked branch instead of pushing to it.
   */
  pullRequest?: { branch: string; title: string; body: string };
}

export interface ImageTagChangeResult {
  file: string;
  before?: string;
  after: string;
  diff: string;
  changed: boolean;
  commit?: string;
  pullRequestUrl?: string;
}

/** Several files edited in one commit (see {@link GitOpsRepository.commitFiles}). */
export interface FilesChange {
  /** Repository paths the edit reads; only these may be written. */
  files: string[];
  /** New texts of the files that change, from their texts at the branch tip (undefined: absent). */
  edit(
    texts: Record<string, string | undefined>,
  ): Record<string, string> | Promise<Record<string, string>>;
  /** Commit author: the Backstage user. */
  author: { name: string; email: string };
  message: string;
  /** Push to this new branch and open a pull request into the tracked branch instead. */
  pullRequest?: { branch: string; title: string; body: string };
}

/** Files and directories removed in one commit (see {@link GitOpsRepository.removePaths}). */
export interface PathsRemoval {
  /** Repository paths of files or directories (removed with everything under them). */
  paths: string[];
  author: { name: string; email: string };
  message: string;
  /** Push to this new branch and open a pull request into the tracked branch instead. */
  pullRequest?: { branch: string; title: string; body: string };
}

export interface FilesChangeResult {
  changed: boolean;
  /** The files the commit changed. */
  files: string[];
  commit?: string;
  pullRequestUrl?: string;
}

/**
 * The GitOps repository as the portal uses it: read a values file on the tracked branch, preview a
 * change of `image.tag`, and commit + push that change. Every write happens in a fresh clone in a
 * temporary directory that is removed afterwards, so a failed push leaves nothing behind, and writes
 * to one repository are serialised so two deploys never race on the branch.
 */
export class GitOpsRepository {
  readonly repository: string;
  readonly branch: string;
  private readonly logger: LoggerService;
  private readonly cacheDir: string;
  /** Where each write's fresh clone is made. */
  private readonly scratchDir: string;
  private readonly pullRequests?: GitOpsRepositoryOptions['pullRequests'];
  private queue: Promise<unknown> = Promise.resolve();
  private cacheReady?: Promise<void>;
  private fetching?: Promise<void>;
  private readonly pushListeners: Array<() => void> = [];
  private readonly snapshot?: GitOpsSnapshot;

  constructor(options: GitOpsRepositoryOptions) {
    this.repository = /^[a-z][a-z0-9+.-]*:\/\//i.test(options.repository)
      ? options.repository
      : resolve(options.repository);
    this.branch = options.branch;
    this.logger = options.logger;
    this.pullRequests = options.pullRequests;
    const key = createHash('sha256')
      .update(this.repository)
      .digest('hex')
      .slice(0, 16);
    this.scratchDir = options.cacheDir ?? tmpdir();
    this.cacheDir = join(
      this.scratchDir,
      `devops-app-gitops-${process.pid}-${key}.git`,
    );
    const refreshMs = options.snapshotRefreshMs ?? 5000;
    this.snapshot =
      refreshMs > 0 ? new GitOpsSnapshot(this, { refreshMs }) : undefined;
  }

  /** Text of a file at the tip of the branch (fetched now), or undefined when it does not exist. */
  async readFile(file: string): Promise<string | undefined> {
    await this.fetchCache();
    try {
      return await git([
        '--git-dir',
        this.cacheDir,
        'show',
        `refs/heads/${this.branch}:${file}`,
      ]);
    } catch (e) {
      if (isMissingPath(e)) return undefined;
      throw e;
    }
  }

  /** The commit the remote's branch points at now (`git ls-remote`: no objects are fetched). */
  async remoteHead(): Promise<string> {
    const out = await git([
      'ls-remote',
      '--heads',
      this.repository,
      `refs/heads/${this.branch}`,
    ]);
    const commit = out.split(/\s/)[0];
    if (!/^[0-9a-f]{40,64}$/.test(commit ?? '')) {
      throw new Error(`The GitOps remote has no branch ${this.branch}`);
    }
    return commit;
  }

  /**
   * Text of a file at `commit` (fetched into the read cache first when it is not there yet), or
   * undefined when the commit has no such file.
   */
  async readFileAt(commit: string, file: string): Promise<string | undefined> {
    // `git show <unknown commit>:<file>` says the path does not exist: ask for the commit first.
    const known = await this.cacheReady
      ?.then(() =>
        git([
          '--git-dir',
          this.cacheDir,
          'cat-file',
          '-e',
          `${commit}^{commit}`,
        ]),
      )
      .then(
        () => true,
        () => false,
      );
    if (!known) await this.fetchCache();
    try {
      return await git([
        '--git-dir',
        this.cacheDir,
        'show',
        `${commit}:${file}`,
      ]);
    } catch (e) {
      if (isMissingPath(e)) return undefined;
      throw e;
    }
  }

  /** Calls `listener` after every push this instance makes to the tracked branch. */
  onPush(listener: () => void): void {
    this.pushListeners.push(listener);
  }

  /**
   * `image.tag` of a values file at the branch's head, through the snapshot: the head is asked of the
   * remote at most every `snapshotRefreshMs` (and after every push of this instance), the file parsed
   * once per commit.
   */
  async readImageTag(file: string): Promise<string | undefined> {
    if (this.snapshot) return this.snapshot.readImageTag(file);
    const text = await this.readFile(file);
    return text === undefined ? undefined : readImageTag(text, file);
  }

  /** What {@link GitOpsRepository.commitImageTag} would change, without writing anything. */
  async previewImageTag(
    file: string,
    tag: string,
  ): Promise<ImageTagChangeResult> {
    const text = await this.readFile(file);
    if (text === undefined) {
      throw new InputError(`${file} does not exist on branch ${this.branch}`);
    }
    const edited = setImageTag(text, tag, file);
    return {
      file,
      before: edited.before,
      after: tag,
      changed: edited.text !== text,
      diff:
        edited.text === text ? '' : await diffTexts(file, text, edited.text),
    };
  }

  /** Commits the change of `image.tag` and pushes it to the branch. Serialised per repository. */
  commitImageTag(change: ImageTagChange): Promise<ImageTagChangeResult> {
    const run = this.queue.then(() => this.doCommit(change));
    this.queue = run.catch(() => undefined);
    return run;
  }

  get opensPullRequests(): boolean {
    return Boolean(this.pullRequests);
  }

  /**
   * Edits several files in one commit and pushes it (or opens a pull request), serialised with every
   * other write to this repository. `edit` gets the files' texts from a fresh clone of the branch tip
   * (undefined when a file does not exist) and returns the new texts of those that change; nothing
   * returned, nothing committed. If `edit` throws, or the push or the pull request fails, nothing is
   * pushed (a pull request's branch is removed again).
   */
  commitFiles(change: FilesChange): Promise<FilesChangeResult> {
    const run = this.queue.then(() => this.doCommitFiles(change));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Removes files and directories (`paths`, repository paths) in one commit and pushes it (or opens
   * a pull request), serialised with every other write. Paths the branch does not have are ignored;
   * nothing to remove, nothing committed. The result's `files` are every file the commit deleted.
   */
  removePaths(change: PathsRemoval): Promise<FilesChangeResult> {
    const run = this.queue.then(() =>
      this.inClone(async work => {
        for (const path of change.paths) {
          const target = resolve(work, path);
          if (!target.startsWith(`${work}/`)) {
            throw new InputError(`${path} is outside the repository`);
          }
          await rm(target, { recursive: true, force: true });
        }
        const files = (await git(['ls-files', '--deleted'], work))
          .split('\n')
          .filter(Boolean);
        if (files.length === 0) return { changed: false, files: [] };
        return {
          changed: true,
          files,
          ...(await this.commitAndPush(work, files, change)),
        };
      }),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async doCommit(
    change: ImageTagChange,
  ): Promise<ImageTagChangeResult> {
    return this.inClone(async work => {
      const path = join(work, change.file);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch {
        throw new InputError(
          `${change.file} does not exist on branch ${this.branch}`,
        );
      }
      const edited = setImageTag(text, change.tag, change.file);
      if (edited.text === text) {
        return {
          file: change.file,
          before: edited.before,
          after: change.tag,
          diff: '',
          changed: false,
        };
      }
      await writeFile(path, edited.text, 'utf8');
      const { commit, pullRequestUrl } = await this.commitAndPush(
        work,
        [change.file],
        change,
      );
      const diff = await git(
        ['show', '--format=', commit, '--', change.file],
        work,
      );
      return {
        pullRequestUrl,
        file: change.file,
        before: edited.before,
        after: change.tag,
        diff,
        changed: true,
        commit,
      };
    });
  }

  private async doCommitFiles(change: FilesChange): Promise<FilesChangeResult> {
    return this.inClone(async work => {
      const before: Record<string, string | undefined> = {};
      for (const file of change.files) {
        before[file] = await readFile(join(work, file), 'utf8').catch(
          () => undefined,
        );
      }
      const after = await change.edit(before);
      const files = Object.keys(after).filter(f => after[f] !== before[f]);
      const foreign = files.filter(f => !change.files.includes(f));
      if (foreign.length > 0) {
        throw new InputError(
          `The edit wrote ${foreign.join(', ')}, which it did not ask to read`,
        );
      }
      if (files.length === 0) return { changed: false, files: [] };
      for (const file of files) {
        await mkdir(dirname(join(work, file)), { recursive: true });
        await writeFile(join(work, file), after[file], 'utf8');
      }
      return {
        changed: true,
        files,
        ...(await this.commitAndPush(work, files, change)),
      };
    });
  }

  /** Runs `body` in a fresh clone of the branch, removed afterwards whatever happens. */
  private async inClone<T>(body: (work: string) => Promise<T>): Promise<T> {
    const work = await mkdtemp(join(this.scratchDir, 'devops-app-deploy-'));
    try {
      await git([
        'clone',
        '--quiet',
        '--single-branch',
        '--branch',
        this.branch,
        this.repository,
        work,
      ]);
      return await body(work);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** Commits `files` as the author and pushes to the branch, or to a new branch with a pull request. */
  private async commitAndPush(
    work: string,
    files: string[],
    change: {
      author: { name: string; email: string };
      message: string;
      pullRequest?: { branch: string; title: string; body: string };
    },
  ): Promise<{ commit: string; pullRequestUrl?: string }> {
    const identity = [
      '-c',
      `user.name=${change.author.name}`,
      '-c',
      `user.email=${change.author.email}`,
      '-c',
      'commit.gpgsign=false',
    ];
    await git(['add', '--', ...files], work);
    await git(
      [...identity, 'commit', '--quiet', '-m', change.message, '--', ...files],
      work,
    );
    const commit = (await git(['rev-parse', 'HEAD'], work)).trim();
    const target = change.pullRequest?.branch ?? this.branch;
    if (change.pullRequest && !this.pullRequests) {
      throw new InputError(
        'Pull requests are not configured (devopsApp.gitops.pullRequests.github)',
      );
    }
    try {
      await git(
        [
          'push',
          '--quiet',
          '--porcelain',
          'origin',
          `HEAD:refs/heads/${target}`,
        ],
        work,
      );
    } catch (e) {
      if (e instanceof GitCommandError) {
        const reason = e.stderr
          .split('\n')
          .map(l => l.replace(/^remote:\s*/, '').trim())
          .filter(l => l && !/^To |^Done$|^error: failed to push/.test(l))
          .slice(-3)
          .join(' ');
        throw new PushRejectedError(
          `The GitOps remote rejected the push to ${target}; nothing was changed: ${reason}`,
        );
      }
      throw e;
    }
    this.logger.info(
      `Pushed ${commit.slice(0, 12)} to ${target}: ${change.message}`,
    );
    if (target === this.branch) this.pushListeners.forEach(l => l());
    let pullRequestUrl: string | undefined;
    if (change.pullRequest && this.pullRequests) {
      try {
        pullRequestUrl = await this.pullRequests.open({
          head: target,
          base: this.branch,
          title: change.pullRequest.title,
          body: change.pullRequest.body,
        });
      } catch (e) {
        // Nothing half-done: take the pushed branch away again.
        await git(
          ['push', '--quiet', 'origin', `:refs/heads/${target}`],
          work,
        ).catch(() => undefined);
        throw e;
      }
    }
    return { commit, pullRequestUrl };
  }

  /** Brings the read cache up to the remote's branch; concurrent readers share one fetch. */
  private fetchCache(): Promise<void> {
    if (!this.fetching) {
      this.fetching = this.doFetch().finally(() => {
        this.fetching = undefined;
      });
    }
    return this.fetching;
  }

  private async doFetch(): Promise<void> {
    if (!this.cacheReady) {
      this.cacheReady = git(['init', '--quiet', '--bare', this.cacheDir]).then(
        () => undefined,
      );
      this.cacheReady.catch(() => {
        this.cacheReady = undefined;
      });
    }
    await this.cacheReady;
    await git([
      '--git-dir',
      this.cacheDir,
      'fetch',
      '--quiet',
      '--no-tags',
      this.repository,
      `+refs/heads/${this.branch}:refs/heads/${this.branch}`,
    ]);
  }

  /** Removes the read cache. */
  async close(): Promise<void> {
    await rm(this.cacheDir, { recursive: true, force: true });
  }
}

function isMissingPath(e: unknown): boolean {
  return (
    e instanceof GitCommandError &&
    /does not exist|exists on disk, but not in/.test(e.stderr)
  );
}

async function diffTexts(
  file: string,
  before: string,
  after: string,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'devops-app-diff-'));
  try {
    await writeFile(join(dir, 'a'), before);
    await writeFile(join(dir, 'b'), after);
    // `git diff --no-index` exits 1 when the files differ.
    const out = await git(
      ['diff', '--no-index', '--no-color', 'a', 'b'],
      dir,
      [0, 1],
    );
    return out
      .replace(/^--- a\/a$/m, `--- a/${file}`)
      .replace(/^\+\+\+ b\/b$/m, `+++ b/${file}`)
      .replace(/^diff --git a\/a b\/b$/m, `diff --git a/${file} b/${file}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
