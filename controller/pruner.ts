/**
 * Periodic telemetry pruning: samples past the retention are deleted; samples older than the raw
 * window are thinned to one per host per bucket. Each run thins only what became old since the
 * last run (bucket-aligned), so the work stays proportional to new data, not to the whole table.
 */
import { timerDelayMs } from "../agent/lib/units.js";
import type { Logger } from "./log.js";
import type { Store } from "./store/index.js";

export interface PrunePolicy {
  readonly keepRawMs: number;
  readonly downsampleMs: number;
  readonly retentionMs: number;
  readonly pruneIntervalMs: number;
}

export class TelemetryPruner {
  private timer: NodeJS.Timeout | null = null;
  /** Samples before this time are already thinned. */
  private thinnedToMs: number | null = null;

  constructor(
    private readonly store: Store,
    private readonly policy: PrunePolicy,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.runOnce();
      } catch (err) {
        this.log.error("telemetry pruning failed", err);
      }
    }, timerDelayMs(this.policy.pruneIntervalMs));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pruning pass at `nowMs`; returns the rows deleted by each step. */
  runOnce(nowMs = this.clock()): { expired: number; thinned: number } {
    const p = this.policy;
    const expireBeforeMs = nowMs - p.retentionMs;
    const thinBeforeMs = nowMs - p.keepRawMs;
    return this.store.immediate(() => {
      const expired = this.store.telemetry.expire(expireBeforeMs);
      // After a restart the whole old range is thinned once; later runs continue where it stopped.
      const fromMs = this.thinnedToMs ?? Math.max(expireBeforeMs, this.store.telemetry.oldestMs() ?? thinBeforeMs);
      const thinned = this.store.telemetry.thin(fromMs, thinBeforeMs, p.downsampleMs);
      this.thinnedToMs = Math.max(fromMs, Math.floor(thinBeforeMs / p.downsampleMs) * p.downsampleMs);
      return { expired, thinned };
    });
  }
}
