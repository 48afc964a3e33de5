/** A token bucket per agent stream: bounds the events and telemetry one agent can push. */

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
