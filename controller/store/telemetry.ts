/**
 * telemetry: host samples. Recent ones are kept as they came; older ones are thinned to one per host
 * per bucket (the first of the bucket), and the oldest are deleted.
 */
import type { Db } from "./db.js";
import type { TelemetrySample } from "../domain.js";

export interface PruneResult {
  readonly expired: number;
  readonly thinned: number;
}

export class TelemetryRepo {
  private readonly insertStmt;
  private readonly expireStmt;
  private readonly thinStmt;
  private readonly countStmt;
  private readonly oldestStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO telemetry (host_id, ts_ms, cpu_pct, mem_used_bytes, mem_total_bytes, disk_free_bytes, step, step_rate, daemon_state, gpus_json)
       VALUES (@hostId, @tsMs, @cpuPct, @memUsedBytes, @memTotalBytes, @diskFreeBytes, @step, @stepRate, @daemonState, @gpusJson)`,
    );
    this.expireStmt = db.prepare(`DELETE FROM telemetry WHERE ts_ms < ?`);
    // Keeps the first sample of each (host, bucket) inside [from, to); both ends are bucket-aligned
    // so a bucket is never split between two runs.
    this.thinStmt = db.prepare(
      `DELETE FROM telemetry WHERE ts_ms >= @fromMs AND ts_ms < @toMs AND rowid NOT IN (
         SELECT min(rowid) FROM telemetry WHERE ts_ms >= @fromMs AND ts_ms < @toMs
         GROUP BY host_id, CAST(ts_ms / @bucketMs AS INTEGER))`,
    );
    this.countStmt = db.prepare(`SELECT count(*) AS n FROM telemetry WHERE (@hostId IS NULL OR host_id = @hostId)`);
    this.oldestStmt = db.prepare(`SELECT min(ts_ms) AS t FROM telemetry`);
  }

  insert(s: TelemetrySample, gpusJson: string): void {
    this.insertStmt.run({
      hostId: s.hostId,
      tsMs: s.tsMs,
      cpuPct: s.cpuPct,
      memUsedBytes: s.memUsedBytes,
      memTotalBytes: s.memTotalBytes,
      diskFreeBytes: s.diskFreeBytes,
      step: s.step,
      stepRate: s.stepRate,
      daemonState: s.daemonState,
      gpusJson,
    });
  }

  /** Deletes samples older than `expireBeforeMs`. */
  expire(expireBeforeMs: number): number {
    return this.expireStmt.run(expireBeforeMs).changes;
  }

  /** Thins samples in [fromMs, toMs) to one per host per `bucketMs` (bounds are aligned down). */
  thin(fromMs: number, toMs: number, bucketMs: number): number {
    const align = (t: number) => Math.floor(t / bucketMs) * bucketMs;
    const from = align(fromMs);
    const to = align(toMs);
    if (to <= from) return 0;
    return this.thinStmt.run({ fromMs: from, toMs: to, bucketMs }).changes;
  }

  oldestMs(): number | null {
    return (this.oldestStmt.get() as { t: number | null }).t;
  }

  count(hostId?: string): number {
    return (this.countStmt.get({ hostId: hostId ?? null }) as { n: number }).n;
  }
}
