import type { GitOpsRepository } from '../GitOpsRepository';
import { readImageTag } from '../valuesFile';
import { SharedReads } from './SharedReads';

/** The values files' `image.tag`s of one commit of the GitOps branch, each parsed once. */
interface CommitView {
  commit: string;
  tags: Map<string, Promise<string | undefined>>;
}

/**
 * The GitOps branch as status reads see it: keyed by the branch's head commit, which is asked of the
 * remote (`git ls-remote`, no objects) at most every `refreshMs` and shared by every caller in the
 * meantime (one `ls-remote` in flight). A values file is read and parsed once per commit; a new head
 * fetches once (GitOpsRepository shares the fetch) and starts a new view. A push by this instance
 * makes the next read ask the remote again, so a deploy's status shows its commit at once; a push by
 * anyone else shows within `refreshMs`.
 */
export class GitOpsSnapshot {
  private readonly heads: SharedReads<string>;
  private view?: CommitView;

  constructor(
    private readonly repository: GitOpsRepository,
    options: { refreshMs?: number; now?: () => number } = {},
  ) {
    this.heads = new SharedReads(options.refreshMs ?? 5000, options.now);
    repository.onPush(() => this.heads.clear());
  }

  get branch(): string {
    return this.repository.branch;
  }

  /** The head commit of the branch, as of at most `refreshMs` ago. */
  head(): Promise<string> {
    return this.heads.get('head', () => this.repository.remoteHead());
  }

  /** `image.tag` of a values file at the branch's head, or undefined when the file or the key is absent. */
  async readImageTag(file: string): Promise<string | undefined> {
    const commit = await this.head();
    if (this.view?.commit !== commit) {
      this.view = { commit, tags: new Map() };
    }
    const view = this.view;
    let tag = view.tags.get(file);
    if (!tag) {
      tag = this.repository
        .readFileAt(commit, file)
        .then(text =>
          text === undefined ? undefined : readImageTag(text, file),
        );
      view.tags.set(file, tag);
      // A failed read (remote down, unparsable file) is read again by the next caller.
      tag.catch(() => {
        if (view.tags.get(file) === tag) view.tags.delete(file);
      });
    }
    return tag;
  }
}
