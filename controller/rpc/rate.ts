/**
 * Token buckets: one per agent stream bounds the events and telemetry one agent can push
 * (TokenBucket); one per host id bounds its restart requests (KeyedBuckets).
 */

export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.lastMs = clock();
  }

  private refill(): void {
    const now = this.clock();
    if (now > this.lastMs) this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastMs) * this.perSecond) / 1000);
    this.lastMs = now;
  }

  /** Takes a token when one is there (what may be dropped: telemetry). */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /**
   * Takes a token even when there is none (what must not be lost: events) and returns how long the
   * caller should stop reading until the debt is paid, in ms (0: no debt).
   */
  take(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.perSecond);
  }

  /** Tokens available now (may be negative while in debt). */
  get available(): number {
    this.refill();
    return this.tokens;
  }
}

/**
 * A TokenBucket per key (a host id), made on first use. Keys are whatever callers send, so the map
 * is bounded: past `maxKeys`, buckets that have refilled to their burst (idle hosts, the same as a
 * fresh bucket) are dropped.
 */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly clock: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes a token for `key` when one is there; false: over the rate. */
  tryTake(key: string): boolean {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.sweep();
      b = new TokenBucket(this.perSecond, this.burst, this.clock);
      this.buckets.set(key, b);
    }
    return b.tryTake();
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(): void {
    for (const [key, b] of this.buckets) if (b.available >= this.burst) this.buckets.delete(key);
  }
}

/** Counts refusals and says when one should be logged: the first at once, then at most once per `everyMs`. */
export class RefusalLog {
  private lastMs = -Infinity;
  /** Refusals so far. */
  count = 0;

  constructor(
    private readonly clock: () => number,
    private readonly everyMs = 60_000,
  ) {}

  /** Counts one refusal; true when it is time to log (a looping caller must not flood the log). */
  due(): boolean {
    this.count++;
    const now = this.clock();
    if (now - this.lastMs < this.everyMs) return false;
    this.lastMs = now;
    return true;
  }
}
