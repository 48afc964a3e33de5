/**
 * incidents + incident_members: the crashes of one job grouped by controller/incidents.ts. Rows are
 * replaced (never patched) when a job's newest incidents are regrouped; a member row carries what
 * regrouping needs (host, times, role) so that it reads no crash excerpts.
 */
import type { Db } from "./db.js";
import type { EventKind, Incident, IncidentMember, IncidentQuery, IncidentRole } from "../domain.js";

export interface IncidentRow {
  incident_id: string;
  job_id: string;
  start_ms: number;
  end_ms: number;
  window_ms: number;
  origin_uuid: string;
  origin_known: number;
  host_count: number;
}

export interface MemberRow {
  uuid: string;
  incident_id: string;
  job_id: string;
  host_id: string;
  ts_ms: number;
  onset_ms: number;
  role: IncidentRole;
}

/** What grouping needs of a stored failure (rebuilds). */
export interface FailureRow {
  readonly uuid: string;
  readonly hostId: string;
  readonly jobId: string;
  readonly tsMs: number;
  readonly kind: EventKind;
  readonly category: string;
  readonly signature: string;
  readonly firstFatalLine: string;
}

/** An incident to store: what controller/incidents.ts computed. */
export interface IncidentWrite {
  readonly incidentId: string;
  readonly jobId: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly windowMs: number;
  readonly originUuid: string;
  readonly originKnown: boolean;
  readonly members: ReadonlyArray<{ uuid: string; hostId: string; tsMs: number; onsetMs: number; role: IncidentRole }>;
}

interface MemberViewRow extends MemberRow {
  kind: string;
  category: string;
  signature: string;
  first_fatal_line: string;
  suggestion: string;
  exit_code: number | null;
  signal: string;
}

/** Longest first fatal line and suggestion (characters) put into an incident. */
const LINE_CHARS = 1000;

export class IncidentRepo {
  private readonly membersFromStmt;
  private readonly deleteFromStmt;
  private readonly insertStmt;
  private readonly insertMemberStmt;
  private readonly queryStmt;
  private readonly membersOfStmt;
  private readonly staleStmt;
  private readonly clearStmt;
  private readonly failuresStmt;

  constructor(db: Db) {
    this.membersFromStmt = db.prepare(
      `SELECT m.* FROM incidents i JOIN incident_members m ON m.incident_id = i.incident_id
       WHERE i.job_id = ? AND i.start_ms >= ?`,
    );
    // Members go with their incident (ON DELETE CASCADE).
    this.deleteFromStmt = db.prepare(`DELETE FROM incidents WHERE job_id = ? AND start_ms >= ?`);
    this.insertStmt = db.prepare(
      `INSERT INTO incidents (incident_id, job_id, start_ms, end_ms, window_ms, origin_uuid, origin_known, host_count)
       VALUES (@incidentId, @jobId, @startMs, @endMs, @windowMs, @originUuid, @originKnown, @hostCount)`,
    );
    this.insertMemberStmt = db.prepare(
      `INSERT INTO incident_members (uuid, incident_id, job_id, host_id, ts_ms, onset_ms, role)
       VALUES (@uuid, @incidentId, @jobId, @hostId, @tsMs, @onsetMs, @role)`,
    );
    // One statement for every filter combination: a NULL parameter switches its filter off.
    this.queryStmt = db.prepare(
      `SELECT i.* FROM incidents i
       WHERE (@jobId IS NULL OR i.job_id = @jobId) AND i.end_ms >= @sinceMs
         AND (@hostId IS NULL OR EXISTS (SELECT 1 FROM incident_members m WHERE m.incident_id = i.incident_id AND m.host_id = @hostId))
         AND (@category IS NULL OR EXISTS (SELECT 1 FROM incident_members m JOIN crashes c ON c.uuid = m.uuid
                                           WHERE m.incident_id = i.incident_id AND c.category = @category))
       ORDER BY i.start_ms DESC, i.incident_id LIMIT @limit`,
    );
    this.membersOfStmt = db.prepare(
      `SELECT m.*, e.kind, c.category, c.signature, substr(c.first_fatal_line, 1, ${LINE_CHARS}) AS first_fatal_line,
              substr(c.suggestion, 1, ${LINE_CHARS}) AS suggestion, e.exit_code, e.signal
       FROM incident_members m JOIN crashes c ON c.uuid = m.uuid JOIN events e ON e.uuid = m.uuid
       WHERE m.incident_id = ? ORDER BY m.onset_ms, m.uuid`,
    );
    this.staleStmt = db.prepare(
      `SELECT EXISTS (SELECT 1 FROM incidents WHERE window_ms != ?)
           OR EXISTS (SELECT 1 FROM crashes c WHERE c.job_id != '' AND NOT EXISTS (SELECT 1 FROM incident_members m WHERE m.uuid = c.uuid)) AS stale`,
    );
    this.clearStmt = db.prepare(`DELETE FROM incidents`);
    this.failuresStmt = db.prepare(
      `SELECT c.uuid, c.host_id, c.job_id, c.ts_ms, e.kind, c.category, c.signature, c.first_fatal_line
       FROM crashes c JOIN events e ON e.uuid = c.uuid WHERE c.job_id != ''`,
    );
  }

  /** Members of the job's incidents that start at or after `fromMs`. */
  membersFrom(jobId: string, fromMs: number): MemberRow[] {
    return this.membersFromStmt.all(jobId, fromMs) as MemberRow[];
  }

  /** Deletes the job's incidents that start at or after `fromMs` and stores `incidents` instead. */
  replaceFrom(jobId: string, fromMs: number, incidents: readonly IncidentWrite[]): void {
    this.deleteFromStmt.run(jobId, fromMs);
    for (const i of incidents) {
      this.insertStmt.run({
        incidentId: i.incidentId,
        jobId: i.jobId,
        startMs: i.startMs,
        endMs: i.endMs,
        windowMs: i.windowMs,
        originUuid: i.originUuid,
        originKnown: i.originKnown ? 1 : 0,
        hostCount: new Set(i.members.map((m) => m.hostId)).size,
      });
      for (const m of i.members) {
        this.insertMemberStmt.run({ uuid: m.uuid, incidentId: i.incidentId, jobId: i.jobId, hostId: m.hostId, tsMs: m.tsMs, onsetMs: m.onsetMs, role: m.role });
      }
    }
  }

  /** True when incidents were made with another window, or a crash of a job is in none. */
  stale(windowMs: number): boolean {
    return (this.staleStmt.get(windowMs) as { stale: number }).stale === 1;
  }

  clear(): void {
    this.clearStmt.run();
  }

  /** Every stored crash and hang of a job (for a rebuild). */
  allJobFailures(): FailureRow[] {
    const rows = this.failuresStmt.all() as Array<{
      uuid: string;
      host_id: string;
      job_id: string;
      ts_ms: number;
      kind: EventKind;
      category: string;
      signature: string;
      first_fatal_line: string;
    }>;
    return rows.map((r) => ({
      uuid: r.uuid,
      hostId: r.host_id,
      jobId: r.job_id,
      tsMs: r.ts_ms,
      kind: r.kind,
      category: r.category,
      signature: r.signature,
      firstFatalLine: r.first_fatal_line,
    }));
  }

  /** Newest first (by start); `open` is judged on `nowMs`. */
  query(q: IncidentQuery, nowMs: number): Incident[] {
    const rows = this.queryStmt.all({
      jobId: q.jobId || null,
      hostId: q.hostId || null,
      category: q.category || null,
      sinceMs: q.sinceMs ?? 0,
      limit: q.limit ?? 100,
    }) as IncidentRow[];
    const out: Incident[] = [];
    for (const r of rows) {
      const members = (this.membersOfStmt.all(r.incident_id) as MemberViewRow[]).map(memberFromRow);
      const origin = members.find((m) => m.uuid === r.origin_uuid);
      // The origin's crash row is gone (deleted by hand): nothing trustworthy to show for it.
      if (!origin) continue;
      out.push({
        incidentId: r.incident_id,
        jobId: r.job_id,
        startMs: r.start_ms,
        endMs: r.end_ms,
        windowMs: r.window_ms,
        open: nowMs <= r.start_ms + r.window_ms,
        originKnown: r.origin_known === 1,
        origin,
        others: members.filter((m) => m !== origin),
      });
    }
    return out;
  }
}

function memberFromRow(r: MemberViewRow): IncidentMember {
  return {
    uuid: r.uuid,
    hostId: r.host_id,
    tsMs: r.ts_ms,
    onsetMs: r.onset_ms,
    role: r.role,
    kind: r.kind as EventKind,
    category: r.category,
    signature: r.signature,
    firstFatalLine: r.first_fatal_line,
    suggestion: r.suggestion,
    exitCode: r.exit_code,
    signal: r.signal,
  };
}
