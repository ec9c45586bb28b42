import { createHash } from 'node:crypto';
import {
  EnvironmentResolver,
  requireEnvironment,
} from '@devops-app/plugin-devops-app-node';
import {
  EntityEnvironmentForCaller,
  EntityRequest,
  loadEntityForCaller,
} from '../request';
import { SharedEntityReads } from '../request/SharedEntityReads';

/** A read request of one caller: its credentials and the raw credential it presented. */
export interface CallerEntityRequest extends EntityRequest {
  /**
   * The `Authorization` header the credentials were verified from. Reads are shared only between
   * requests that presented the very same credential: never across callers.
   */
  authorization: string | undefined;
  environment: string;
  blocking?: string[];
}

/**
 * `loadEntityForCaller` once per caller, entity and environment within a short window. A viewer's
 * Metrics section sends its five panels (and the colour overlay) at once, and each read is two catalog
 * requests on the caller's behalf (the entity, its environments), each with its own permission check:
 * 200 concurrent panel requests were 400 catalog requests queued on the one event loop. Within the
 * window the same caller's requests share the read in flight and its result; a different credential
 * (another user, or the same user's next token) reads on its own, so no caller ever gets what the
 * catalog's permission decided for another. A failed read is not kept.
 *
 * With `shared` (the default wiring, `devopsApp.readShareMs` > 0), the read is `SharedEntityReads`:
 * the entity read once for every caller with the plugin's own credentials, and per credential one
 * permission request (the catalog's read permission on the entity and its environments) instead of
 * the two catalog requests with their own permission checks (issue 17: 40 viewers with their own
 * tokens queued 40 such reads).
 */
export class CallerEntityReads {
  private readonly reads = new Map<
    string,
    { at: number; read: Promise<EntityEnvironmentForCaller> }
  >();

  constructor(
    private readonly resolver: EnvironmentResolver,
    private readonly options: {
      windowMs: number;
      maxEntries: number;
      now?: () => number;
      shared?: SharedEntityReads;
    } = { windowMs: 2000, maxEntries: 5000 },
  ) {}

  load(request: CallerEntityRequest): Promise<EntityEnvironmentForCaller> {
    const { shared } = this.options;
    if (shared) {
      return shared.load(request).then(({ decisions: _, ...resolved }) => ({
        ...resolved,
        environment: requireEnvironment(resolved, request.environment, {
          blocking: request.blocking,
        }),
      }));
    }
    const { authorization, ...forCaller } = request;
    const read = () => loadEntityForCaller(this.resolver, forCaller);
    if (!authorization) return read();
    const now = this.options.now?.() ?? Date.now();
    const key = [
      createHash('sha256').update(authorization).digest('base64url'),
      request.entityRef,
      request.environment,
      ...(request.blocking ?? []),
    ].join('\n');
    const kept = this.reads.get(key);
    if (kept && now - kept.at < this.options.windowMs) return kept.read;
    this.evict(now);
    const entry = { at: now, read: read() };
    this.reads.set(key, entry);
    entry.read.catch(() => {
      if (this.reads.get(key) === entry) this.reads.delete(key);
    });
    return entry.read;
  }

  /** Drops expired reads; when still full, the oldest (a Map iterates in insertion order). */
  private evict(now: number) {
    if (this.reads.size < this.options.maxEntries) return;
    for (const [key, entry] of this.reads) {
      if (now - entry.at >= this.options.windowMs) this.reads.delete(key);
    }
    while (this.reads.size >= this.options.maxEntries) {
      const oldest = this.reads.keys().next().value;
      if (oldest === undefined) break;
      this.reads.delete(oldest);
    }
  }
}
