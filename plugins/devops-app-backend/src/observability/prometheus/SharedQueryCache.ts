/**
 * Shares identical queries while they are in flight and keeps their results for a short time, so that
 * many people watching the same panel cost the upstream one query per refresh. Failures are not cached.
 */
export class SharedQueryCache<T> {
  private readonly inFlight = new Map<string, Promise<T>>();
  private readonly results = new Map<string, { value: T; expiresAt: number }>();

  constructor(
    private readonly options: { maxEntries: number; now?: () => number } = {
      maxEntries: 500,
    },
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Returns the cached value of `key`, joins a query in flight, or runs `load` and keeps its value for `ttlMs`. */
  async get(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const cached = this.results.get(key);
    if (cached && cached.expiresAt > this.now()) {
      return cached.value;
    }
    const running = this.inFlight.get(key);
    if (running) {
      return running;
    }
    const promise = load().then(
      value => {
        this.inFlight.delete(key);
        this.store(key, value, ttlMs);
        return value;
      },
      error => {
        this.inFlight.delete(key);
        throw error;
      },
    );
    this.inFlight.set(key, promise);
    return promise;
  }

  private store(key: string, value: T, ttlMs: number) {
    if (ttlMs <= 0) return;
    const now = this.now();
    if (this.results.size >= this.options.maxEntries) {
      for (const [k, entry] of this.results) {
        if (entry.expiresAt <= now) this.results.delete(k);
      }
      // Still full of live entries: drop the oldest inserted.
      while (this.results.size >= this.options.maxEntries) {
        const oldest = this.results.keys().next().value;
        if (oldest === undefined) break;
        this.results.delete(oldest);
      }
    }
    this.results.set(key, { value, expiresAt: now + ttlMs });
  }
}
