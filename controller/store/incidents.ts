/**
 * incidents + incident_members: the crashes of one job grouped by controller/incidents.ts. A member
 * row carries what regrouping needs (host, times, role), so regrouping reads no crash excerpts. An
 * incident has an internal key that survives regrouping (the incident most of a new group's members
 * were in keeps it), so a late report that becomes an incident's new first member rewrites one
 * incident row and adds one member row, not every member row of a 1000-host incident.
 */
import type { Db } from "./db.js";
import type { EventKind, Incident, IncidentMember, IncidentQuery, IncidentRole } from "../domain.js";

export interface IncidentRow {
  incident_key: number;
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
  incident_key: number;
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

export interface MemberWrite {
  readonly uuid: string;
  readonly hostId: string;
  readonly tsMs: number;
  readonly onsetMs: number;
  readonly role: IncidentRole;
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
  readonly members: readonly MemberWrite[];
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

/** Longest first fatal line and suggestion (characters) of an incident's origin; of the others. */
const ORIGIN_CHARS = 1000;
const OTHER_CHARS = 300;
/** Other members returned per incident by default (a 1000-host job's timeouts would fill the message). */
export const DEFAULT_MAX_OTHERS = 20;

const MEMBER_VIEW = `SELECT m.*, e.kind, c.category, c.signature, substr(c.first_fatal_line, 1, @chars) AS first_fatal_line,
    substr(c.suggestion, 1, @chars) AS suggestion, e.exit_code, e.signal
  FROM incident_members m JOIN crashes c ON c.uuid = m.uuid JOIN events e ON e.uuid = m.uuid`;

export class IncidentRepo {
  private readonly membersFromStmt;
  private readonly keysFromStmt;
  private readonly deleteKeyStmt;
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly insertMemberStmt;
  private readonly moveMemberStmt;
  private readonly queryStmt;
  private readonly othersStmt;
  private readonly memberViewStmt;
  private readonly staleStmt;
  private readonly clearStmt;
  private readonly failuresStmt;
  private readonly lastStmt;
  private readonly hasHostStmt;
  private readonly memberStmt;
  private readonly joinStmt;
  private readonly previousStmt;
  private readonly lastMemberStmt;
  private readonly prependStmt;
  private readonly hostsOfStmt;

  constructor(db: Db) {
    this.membersFromStmt = db.prepare(
      `SELECT m.* FROM incidents i JOIN incident_members m ON m.incident_key = i.incident_key
       WHERE i.job_id = ? AND i.start_ms >= ?`,
    );
    this.keysFromStmt = db.prepare(`SELECT incident_key FROM incidents WHERE job_id = ? AND start_ms >= ?`);
    // Members go with their incident (ON DELETE CASCADE); regroup moves them away first.
    this.deleteKeyStmt = db.prepare(`DELETE FROM incidents WHERE incident_key = ?`);
    this.insertStmt = db.prepare(
      `INSERT INTO incidents (incident_id, job_id, start_ms, end_ms, window_ms, origin_uuid, origin_known, host_count)
       VALUES (@incidentId, @jobId, @startMs, @endMs, @windowMs, @originUuid, @originKnown, @hostCount)`,
    );
    this.updateStmt = db.prepare(
      `UPDATE incidents SET incident_id = @incidentId, start_ms = @startMs, end_ms = @endMs, window_ms = @windowMs,
         origin_uuid = @originUuid, origin_known = @originKnown, host_count = @hostCount
       WHERE incident_key = @key`,
    );
    this.insertMemberStmt = db.prepare(
      `INSERT INTO incident_members (uuid, incident_key, job_id, host_id, ts_ms, onset_ms, role)
       VALUES (@uuid, @key, @jobId, @hostId, @tsMs, @onsetMs, @role)`,
    );
    this.moveMemberStmt = db.prepare(`UPDATE incident_members SET incident_key = ? WHERE uuid = ?`);
    // One statement for every filter combination: a NULL parameter switches its filter off.
    this.queryStmt = db.prepare(
      `SELECT i.* FROM incidents i
       WHERE (@jobId IS NULL OR i.job_id = @jobId) AND i.end_ms >= @sinceMs
         AND (@hostId IS NULL OR EXISTS (SELECT 1 FROM incident_members m WHERE m.incident_key = i.incident_key AND m.host_id = @hostId))
         AND (@category IS NULL OR EXISTS (SELECT 1 FROM incident_members m JOIN crashes c ON c.uuid = m.uuid
                                           WHERE m.incident_key = i.incident_key AND c.category = @category))
       ORDER BY i.start_ms DESC, i.incident_id LIMIT @limit`,
    );
    this.othersStmt = db.prepare(`${MEMBER_VIEW} WHERE m.incident_key = @key AND m.uuid != @originUuid ORDER BY m.onset_ms, m.uuid LIMIT @limit`);
    this.memberViewStmt = db.prepare(`${MEMBER_VIEW} WHERE m.uuid = @uuid`);
    this.staleStmt = db.prepare(
      `SELECT EXISTS (SELECT 1 FROM incidents WHERE window_ms != ?)
           OR EXISTS (SELECT 1 FROM crashes c WHERE c.job_id != '' AND NOT EXISTS (SELECT 1 FROM incident_members m WHERE m.uuid = c.uuid)) AS stale`,
    );
    this.clearStmt = db.prepare(`DELETE FROM incidents`);
    this.failuresStmt = db.prepare(
      `SELECT c.uuid, c.host_id, c.job_id, c.ts_ms, e.kind, c.category, c.signature, c.first_fatal_line
       FROM crashes c JOIN events e ON e.uuid = c.uuid WHERE c.job_id != ''`,
    );
    this.lastStmt = db.prepare(`SELECT * FROM incidents WHERE job_id = ? ORDER BY start_ms DESC, incident_id DESC LIMIT 1`);
    this.hasHostStmt = db.prepare(`SELECT 1 FROM incident_members WHERE host_id = ? AND incident_key = ?`);
    this.memberStmt = db.prepare(`SELECT * FROM incident_members WHERE uuid = ?`);
    this.joinStmt = db.prepare(
      `UPDATE incidents SET end_ms = @endMs, host_count = @hostCount, origin_uuid = @originUuid, origin_known = @originKnown
       WHERE incident_key = @key`,
    );
    this.previousStmt = db.prepare(
      `SELECT * FROM incidents WHERE job_id = @jobId AND (start_ms < @startMs OR (start_ms = @startMs AND incident_id < @incidentId))
       ORDER BY start_ms DESC, incident_id DESC LIMIT 1`,
    );
    this.hostsOfStmt = db.prepare(`SELECT host_id FROM incident_members WHERE incident_key = ?`).pluck();
    this.lastMemberStmt = db.prepare(`SELECT * FROM incident_members WHERE incident_key = ? ORDER BY onset_ms DESC, uuid DESC LIMIT 1`);
    this.prependStmt = db.prepare(
      `UPDATE incidents SET incident_id = @incidentId, start_ms = @startMs, end_ms = @endMs, host_count = @hostCount,
         origin_uuid = @originUuid, origin_known = @originKnown
       WHERE incident_key = @key`,
    );
  }

  /** The job's incident just before `incident` (by start, then id). */
  previousOf(incident: IncidentRow): IncidentRow | undefined {
    return this.previousStmt.get({ jobId: incident.job_id, startMs: incident.start_ms, incidentId: incident.incident_id }) as IncidentRow | undefined;
  }

  /** The incident's member that comes last (by onset, then uuid). */
  lastMember(incidentKey: number): MemberRow | undefined {
    return this.lastMemberStmt.get(incidentKey) as MemberRow | undefined;
  }

  /** Makes `m` the first member of `incident` (a host not in it yet); `origin` set: it becomes the origin. */
  prepend(incident: IncidentRow, m: MemberWrite, origin: { originUuid: string; originKnown: boolean } | null): void {
    this.insertMember(incident.incident_key, incident.job_id, m);
    this.prependStmt.run({
      key: incident.incident_key,
      incidentId: m.uuid,
      startMs: m.onsetMs,
      endMs: Math.max(incident.end_ms, m.tsMs),
      hostCount: incident.host_count + 1,
      originUuid: origin?.originUuid ?? incident.origin_uuid,
      originKnown: origin ? (origin.originKnown ? 1 : 0) : incident.origin_known,
    });
  }

  /** The job's incident that starts last (by start, then id). */
  lastOf(jobId: string): IncidentRow | undefined {
    return this.lastStmt.get(jobId) as IncidentRow | undefined;
  }

  /** Whether a failure of `hostId` is in the incident. */
  hasHost(incidentKey: number, hostId: string): boolean {
    return this.hasHostStmt.get(hostId, incidentKey) !== undefined;
  }

  /** The member row of a crash, if it is in an incident. */
  member(uuid: string): MemberRow | undefined {
    return this.memberStmt.get(uuid) as MemberRow | undefined;
  }

  /** Adds a member to `incident` (a host not in it yet, not its first member); `origin` set: it becomes the origin. */
  join(incident: IncidentRow, m: MemberWrite, origin: { originUuid: string; originKnown: boolean } | null): void {
    this.insertMember(incident.incident_key, incident.job_id, m);
    this.joinStmt.run({
      key: incident.incident_key,
      endMs: Math.max(incident.end_ms, m.tsMs),
      hostCount: incident.host_count + 1,
      originUuid: origin?.originUuid ?? incident.origin_uuid,
      originKnown: origin ? (origin.originKnown ? 1 : 0) : incident.origin_known,
    });
  }

  /** Members of the job's incidents that start at or after `fromMs`. */
  membersFrom(jobId: string, fromMs: number): MemberRow[] {
    return this.membersFromStmt.all(jobId, fromMs) as MemberRow[];
  }

  /** Stores new incidents with their members; returns their keys, in order. */
  insert(incidents: readonly IncidentWrite[]): number[] {
    const keys: number[] = [];
    for (const i of incidents) {
      const key = Number(this.insertStmt.run(incidentParams(i)).lastInsertRowid);
      for (const m of i.members) this.insertMember(key, i.jobId, m);
      keys.push(key);
    }
    return keys;
  }

  /** The hosts of an incident's members. */
  hostsOf(incidentKey: number): string[] {
    return this.hostsOfStmt.all(incidentKey) as string[];
  }

  /**
   * Replaces the job's incidents that start at or after `fromMs` (whose members are `old`, as read
   * by membersFrom) with `incidents`, which hold those members and new ones. Each new incident keeps
   * the key of the old incident most of its members were in, so only members that change incident
   * are rewritten; old incidents left without a successor are deleted.
   */
  regroup(jobId: string, fromMs: number, old: readonly MemberRow[], incidents: readonly IncidentWrite[]): void {
    const oldKey = new Map(old.map((m) => [m.uuid, m.incident_key]));
    const used = new Set<number>();
    for (const i of incidents) {
      const votes = new Map<number, number>();
      for (const m of i.members) {
        const k = oldKey.get(m.uuid);
        if (k !== undefined && !used.has(k)) votes.set(k, (votes.get(k) ?? 0) + 1);
      }
      let key: number | undefined;
      for (const [k, n] of votes) if (key === undefined || n > votes.get(key)! || (n === votes.get(key)! && k < key)) key = k;
      if (key === undefined) key = Number(this.insertStmt.run(incidentParams(i)).lastInsertRowid);
      else this.updateStmt.run({ ...incidentParams(i), key });
      used.add(key);
      for (const m of i.members) {
        const was = oldKey.get(m.uuid);
        if (was === undefined) this.insertMember(key, jobId, m);
        else if (was !== key) this.moveMemberStmt.run(key, m.uuid);
      }
    }
    for (const { incident_key } of this.keysFromStmt.all(jobId, fromMs) as Array<{ incident_key: number }>) {
      if (!used.has(incident_key)) this.deleteKeyStmt.run(incident_key);
    }
  }

  /** True when incidents were made with another window, or a crash of a job is in none. */
  stale(windowMs: number): boolean {
    return (this.staleStmt.get(windowMs) as { stale: number }).stale === 1;
  }

  /** Deletes every incident (their members go with them). */
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

  /** Newest first (by start); `open` is judged on `nowMs`; at most `maxOthers` other members each. */
  query(q: IncidentQuery, nowMs: number, maxOthers = DEFAULT_MAX_OTHERS): Incident[] {
    const rows = this.queryStmt.all({
      jobId: q.jobId || null,
      hostId: q.hostId || null,
      category: q.category || null,
      sinceMs: q.sinceMs ?? 0,
      limit: q.limit ?? 100,
    }) as IncidentRow[];
    const out: Incident[] = [];
    for (const r of rows) {
      const origin = this.memberViewStmt.get({ uuid: r.origin_uuid, chars: ORIGIN_CHARS }) as MemberViewRow | undefined;
      // The origin's crash row is gone (deleted by hand): nothing trustworthy to show for it.
      if (!origin) continue;
      const others = this.othersStmt.all({ key: r.incident_key, originUuid: r.origin_uuid, chars: OTHER_CHARS, limit: maxOthers }) as MemberViewRow[];
      out.push({
        incidentId: r.incident_id,
        jobId: r.job_id,
        startMs: r.start_ms,
        endMs: r.end_ms,
        windowMs: r.window_ms,
        open: nowMs <= r.start_ms + r.window_ms,
        originKnown: r.origin_known === 1,
        hostCount: r.host_count,
        origin: memberFromRow(origin),
        others: others.map(memberFromRow),
      });
    }
    return out;
  }

  private insertMember(key: number, jobId: string, m: MemberWrite): void {
    this.insertMemberStmt.run({ uuid: m.uuid, key, jobId, hostId: m.hostId, tsMs: m.tsMs, onsetMs: m.onsetMs, role: m.role });
  }
}

function incidentParams(i: IncidentWrite) {
  return {
    incidentId: i.incidentId,
    jobId: i.jobId,
    startMs: i.startMs,
    endMs: i.endMs,
    windowMs: i.windowMs,
    originUuid: i.originUuid,
    originKnown: i.originKnown ? 1 : 0,
    // One member per host (groupIncidents), so members count hosts.
    hostCount: i.members.length,
  };
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
