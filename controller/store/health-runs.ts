/** health_runs: results of health-check runs (fleet `check` commands and the agents' periodic runs). */
import type { Db } from "./db.js";
import type { HealthRun } from "../domain.js";

interface HealthRow {
  host_id: string;
  ts_ms: number;
  source: string;
  ok: number;
  problems: number;
  summary: string;
}

export class HealthRunRepo {
  private readonly insertStmt;
  private readonly recentStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO health_runs (host_id, ts_ms, source, ok, problems, summary, output_json)
       VALUES (@hostId, @tsMs, @source, @ok, @problems, @summary, @outputJson)`,
    );
    this.recentStmt = db.prepare(
      `SELECT host_id, ts_ms, source, ok, problems, summary FROM health_runs WHERE host_id = ? ORDER BY ts_ms DESC, id DESC LIMIT ?`,
    );
  }

  insert(run: HealthRun, outputJson: string): void {
    this.insertStmt.run({ ...run, ok: run.ok ? 1 : 0, outputJson });
  }

  /** Newest first. */
  recent(hostId: string, limit: number): HealthRun[] {
    return (this.recentStmt.all(hostId, limit) as HealthRow[]).map((r) => ({
      hostId: r.host_id,
      tsMs: r.ts_ms,
      source: r.source === "command" ? "command" : "event",
      ok: r.ok === 1,
      problems: r.problems,
      summary: r.summary,
    }));
  }
}
