/**
 * Reads shared by concurrent callers: callers asking for the same key while a read is in flight, or
 * within `windowMs` after it answered, get that read's answer. A failed read is not kept (the next
 * caller reads again). Keys are kept at most `maxEntries` at once (expired answers go first, then the
 * oldest), so keys made of callers' credentials cannot grow without bound.
 */
export class SharedReads<T> {
  private readonly entries = new Map<
    string,
    { value: Promise<T>; settledAt?: number }
  >();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  /** `windowMs` 0 shares nothing, not even a read in flight. */
  get(key: string, read: () => Promise<T>): Promise<T> {
    if (this.windowMs <= 0) return read();
    const entry = this.entries.get(key);
    if (
      entry &&
      (entry.settledAt === undefined ||
        this.now() - entry.settledAt < this.windowMs)
    ) {
      return entry.value;
    }
    this.evict();
    const value = read();
    const fresh: { value: Promise<T>; settledAt?: number } = { value };
    this.entries.delete(key);
    this.entries.set(key, fresh);
    value.then(
      () => {
        fresh.settledAt = this.now();
      },
      () => {
        if (this.entries.get(key) === fresh) this.entries.delete(key);
      },
    );
    return value;
  }

  /** Forgets every answer (the next caller of each key reads again). */
  clear(): void {
    this.entries.clear();
  }

  /** How many keys are kept (for tests). */
  get size(): number {
    return this.entries.size;
  }

  private evict() {
    if (this.entries.size < this.maxEntries) return;
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.settledAt !== undefined && now - entry.settledAt >= this.windowMs)
        this.entries.delete(key);
    }
    // Still full: the oldest first (a Map iterates in insertion order).
    for (const key of this.entries.keys()) {
      if (this.entries.size < this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}
