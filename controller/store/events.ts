/** events: everything agents report, keyed by the uuid the agent made (so a replay is a no-op). */
import type { Db } from "./db.js";
import type { AgentEvent, CrashInfo, EventKind, EventQuery, StoredEvent } from "../domain.js";

export interface EventRow {
  uuid: string;
  host_id: string;
  job_id: string;
  ts_ms: number;
  received_ms: number;
  kind: string;
  category: string;
  signature: string;
  message: string;
  details_json: string;
  exit_code: number | null;
  signal: string;
  first_fatal_line?: string | null;
  excerpt?: string | null;
  suggestion?: string | null;
  log_file?: string | null;
}

/** Row (events, optionally joined with crashes) to domain event. */
export function eventFromRow(r: EventRow): StoredEvent {
  const crash: CrashInfo | null =
    r.first_fatal_line === undefined || r.first_fatal_line === null
      ? null
      : { firstFatalLine: r.first_fatal_line, excerpt: r.excerpt ?? "", suggestion: r.suggestion ?? "", logFile: r.log_file ?? "" };
  return {
    uuid: r.uuid,
    tsMs: r.ts_ms,
    receivedMs: r.received_ms,
    hostId: r.host_id,
    jobId: r.job_id,
    kind: r.kind as EventKind,
    category: r.category,
    signature: r.signature,
    message: r.message,
    detailsJson: r.details_json,
    exitCode: r.exit_code,
    signal: r.signal,
    crash,
  };
}

const SELECT = `SELECT e.*, c.first_fatal_line, c.excerpt, c.suggestion, c.log_file
  FROM events e LEFT JOIN crashes c ON c.uuid = e.uuid`;

export class EventRepo {
  private readonly insertStmt;
  private readonly queryStmt;
  private readonly localRestartsStmt;
  private readonly countStmt;
  private readonly countAllStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT OR IGNORE INTO events (uuid, host_id, job_id, ts_ms, received_ms, kind, category, signature, message, details_json, exit_code, signal)
       VALUES (@uuid, @hostId, @jobId, @tsMs, @receivedMs, @kind, @category, @signature, @message, @detailsJson, @exitCode, @signal)`,
    );
    // One statement for every filter combination: a NULL parameter switches its filter off.
    this.queryStmt = db.prepare(
      `${SELECT}
       WHERE (@hostId IS NULL OR e.host_id = @hostId) AND (@jobId IS NULL OR e.job_id = @jobId)
         AND (@kind IS NULL OR e.kind = @kind) AND e.ts_ms >= @sinceMs
       ORDER BY e.ts_ms DESC, e.uuid LIMIT @limit`,
    );
    this.localRestartsStmt = db.prepare(
      `SELECT ts_ms FROM events WHERE host_id = ? AND kind = 'local_restart' ORDER BY ts_ms DESC LIMIT ?`,
    );
    this.countStmt = db.prepare(`SELECT count(*) AS n FROM events WHERE host_id = ?`);
    // Without a filter SQLite counts the smallest index (events_ts), not the table's rows.
    this.countAllStmt = db.prepare(`SELECT count(*) AS n FROM events`);
  }

  /** Stores the event unless its uuid is already stored; true when it was new. */
  insert(ev: AgentEvent, receivedMs: number): boolean {
    const r = this.insertStmt.run({
      uuid: ev.uuid,
      hostId: ev.hostId,
      jobId: ev.jobId,
      tsMs: ev.tsMs,
      receivedMs,
      kind: ev.kind,
      category: ev.category,
      signature: ev.signature,
      message: ev.message,
      detailsJson: ev.detailsJson,
      exitCode: ev.exitCode,
      signal: ev.signal,
    });
    return r.changes > 0;
  }

  /** Newest first. */
  query(q: EventQuery): StoredEvent[] {
    const rows = this.queryStmt.all({
      hostId: q.hostId || null,
      jobId: q.jobId || null,
      kind: q.kind ?? null,
      sinceMs: q.sinceMs ?? 0,
      limit: q.limit ?? 100,
    }) as EventRow[];
    return rows.map(eventFromRow);
  }

  /** Times (agent clock) of the newest restarts the host did on its own. */
  localRestartTimes(hostId: string, limit: number): number[] {
    return (this.localRestartsStmt.all(hostId, limit) as Array<{ ts_ms: number }>).map((r) => r.ts_ms);
  }

  /** Stored events, of one host when given. */
  count(hostId?: string): number {
    const row = hostId === undefined ? this.countAllStmt.get() : this.countStmt.get(hostId);
    return (row as { n: number }).n;
  }
}
