/** crashes: the diagnosis part of crash and hang events (one row per such event, same uuid). */
import type { Db } from "./db.js";
import { eventFromRow, type EventRow } from "./events.js";
import type { AgentEvent, CrashQuery, StoredEvent } from "../domain.js";

export class CrashRepo {
  private readonly insertStmt;
  private readonly queryStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT OR IGNORE INTO crashes (uuid, host_id, job_id, ts_ms, category, signature, first_fatal_line, excerpt, suggestion, log_file)
       VALUES (@uuid, @hostId, @jobId, @tsMs, @category, @signature, @firstFatalLine, @excerpt, @suggestion, @logFile)`,
    );
    this.queryStmt = db.prepare(
      `SELECT e.*, c.first_fatal_line, c.excerpt, c.suggestion, c.log_file
       FROM crashes c JOIN events e ON e.uuid = c.uuid
       WHERE (@hostId IS NULL OR c.host_id = @hostId) AND (@jobId IS NULL OR c.job_id = @jobId)
         AND (@category IS NULL OR c.category = @category) AND c.ts_ms >= @sinceMs
       ORDER BY c.ts_ms DESC, c.uuid LIMIT @limit`,
    );
  }

  /** Stores the crash part of a failure event (the event row must exist). */
  insert(ev: AgentEvent): void {
    const c = ev.crash;
    this.insertStmt.run({
      uuid: ev.uuid,
      hostId: ev.hostId,
      jobId: ev.jobId,
      tsMs: ev.tsMs,
      category: ev.category,
      signature: ev.signature,
      firstFatalLine: c?.firstFatalLine ?? "",
      excerpt: c?.excerpt ?? "",
      suggestion: c?.suggestion ?? "",
      logFile: c?.logFile ?? "",
    });
  }

  /** Newest first. */
  query(q: CrashQuery): StoredEvent[] {
    const rows = this.queryStmt.all({
      hostId: q.hostId || null,
      jobId: q.jobId || null,
      category: q.category || null,
      sinceMs: q.sinceMs ?? 0,
      limit: q.limit ?? 100,
    }) as EventRow[];
    return rows.map(eventFromRow);
  }
}
