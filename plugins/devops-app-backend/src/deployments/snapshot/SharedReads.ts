/**
 * Reads shared by concurrent callers: callers asking for the same key while a read is in flight, or
 * within `windowMs` after it answered, get that read's answer. A failed read is not kept (the next
 * caller reads again). Only data goes through here, never an authorization decision.
 */
export class SharedReads<T> {
  private readonly entries = new Map<
    string,
    { value: Promise<T>; settledAt?: number }
  >();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
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
    const value = read();
    const fresh: { value: Promise<T>; settledAt?: number } = { value };
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
}
