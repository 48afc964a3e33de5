/**
 * Read-only aggregate queries behind /metrics and the fleet page. They run on the controller's
 * connection, on the event loop, at every scrape and page refresh, so each one reads an index only
 * (counts per category or host come from the crashes indexes, never from the rows with their
 * excerpts) or a bounded number of rows. The write path lives in store/; nothing here writes.
 */
import type { Db } from "../store/db.js";
import type { HostRow as StoredHostRow } from "../store/hosts.js";
import type { DecisionScope, GpuSample } from "../domain.js";

export interface HostRow {
  readonly hostId: string;
  readonly jobId: string;
  readonly agentVersion: string;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  /** 0: no telemetry yet. */
  readonly telemetryTsMs: number;
  readonly daemonState: string;
  /** -1: unknown. */
  readonly step: number;
  readonly stepRate: number;
  readonly gpus: readonly GpuSample[];
}

export interface CrashRow {
  readonly uuid: string;
  readonly tsMs: number;
  readonly hostId: string;
  readonly jobId: string;
  readonly kind: string;
  readonly category: string;
  readonly signature: string;
  readonly firstFatalLine: string;
  readonly suggestion: string;
}

export interface CountRow {
  readonly key: string;
  readonly count: number;
  /** Smallest ts_ms among the counted rows (agent clock). */
  readonly firstMs: number;
}

export interface DecisionCounts {
  /** rowid of the newest decision counted; pass it back to count only newer ones. */
  readonly lastRowid: number;
  readonly rows: ReadonlyArray<{ readonly allow: boolean; readonly scope: DecisionScope; readonly count: number }>;
}

export interface OpenBreakerRow {
  readonly signature: string;
  readonly openedMs: number;
  readonly hostIds: readonly string[];
  readonly reason: string;
}

const finite = (v: unknown, fallback = 0): number => (typeof v === "number" && Number.isFinite(v) ? v : fallback);

/** gpus_json as stored on the host row; entries that are not GPU samples are dropped, not trusted. */
export function parseGpus(text: string): GpuSample[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(v)) return [];
  const out: GpuSample[] = [];
  for (const g of v as unknown[]) {
    if (!g || typeof g !== "object") continue;
    const o = g as Record<string, unknown>;
    const index = o.index;
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index > 1023) continue;
    out.push({
      index,
      utilPct: finite(o.utilPct),
      memUsedBytes: finite(o.memUsedBytes),
      memTotalBytes: finite(o.memTotalBytes),
      tempC: finite(o.tempC),
      powerW: finite(o.powerW),
    });
  }
  return out;
}

function stringList(text: string): string[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

interface RawCrash {
  uuid: string;
  ts_ms: number;
  host_id: string;
  job_id: string;
  kind: string | null;
  category: string;
  signature: string;
  first_fatal_line: string;
  suggestion: string;
}

const CRASH_COLUMNS = `c.uuid, c.ts_ms, c.host_id, c.job_id, e.kind, c.category, c.signature,
  substr(c.first_fatal_line, 1, @lineChars) AS first_fatal_line, substr(c.suggestion, 1, @lineChars) AS suggestion`;

function crashFromRaw(r: RawCrash): CrashRow {
  return {
    uuid: r.uuid,
    tsMs: r.ts_ms,
    hostId: r.host_id,
    jobId: r.job_id,
    kind: r.kind ?? "crash",
    category: r.category,
    signature: r.signature,
    firstFatalLine: r.first_fatal_line,
    suggestion: r.suggestion,
  };
}

export class FleetQueries {
  private readonly hostsStmt;
  private readonly crashesByCategoryStmt;
  private readonly crashesByHostStmt;
  private readonly lastCrashStmt;
  private readonly recentCrashesStmt;
  private readonly decisionCountsStmt;
  private readonly openBreakersStmt;
  private readonly openBreakerCountStmt;

  constructor(db: Db) {
    this.hostsStmt = db.prepare(
      `SELECT host_id, job_id, agent_version, first_seen_ms, last_seen_ms, telemetry_ts_ms, daemon_state, step, step_rate, gpus_json
       FROM hosts ORDER BY host_id`,
    );
    // Both GROUP BYs are answered from crashes_category_ts / crashes_host_ts alone (covering indexes).
    this.crashesByCategoryStmt = db.prepare(`SELECT category AS key, count(*) AS n, min(ts_ms) AS first FROM crashes GROUP BY category`);
    this.crashesByHostStmt = db.prepare(`SELECT host_id AS key, count(*) AS n, min(ts_ms) AS first FROM crashes GROUP BY host_id`);
    // uuid DESC matches the index order (host_id, ts_ms, uuid): a tie-break that needs no sort.
    this.lastCrashStmt = db.prepare(
      `SELECT ${CRASH_COLUMNS} FROM crashes c LEFT JOIN events e ON e.uuid = c.uuid
       WHERE c.host_id = @hostId ORDER BY c.ts_ms DESC, c.uuid DESC LIMIT 1`,
    );
    this.recentCrashesStmt = db.prepare(
      `SELECT ${CRASH_COLUMNS} FROM crashes c LEFT JOIN events e ON e.uuid = c.uuid
       ORDER BY c.ts_ms DESC, c.uuid DESC LIMIT @limit`,
    );
    // Decisions are never deleted, so rowids only grow: later scrapes count only the new rows.
    this.decisionCountsStmt = db.prepare(
      `SELECT allow, scope, count(*) AS n, max(rowid) AS last FROM restart_decisions WHERE rowid > ? GROUP BY allow, scope`,
    );
    this.openBreakersStmt = db.prepare(
      `SELECT signature, opened_ms, host_ids_json, reason FROM breakers WHERE open = 1 ORDER BY opened_ms DESC, signature LIMIT ?`,
    );
    this.openBreakerCountStmt = db.prepare(`SELECT count(*) AS n FROM breakers WHERE open = 1`);
  }

  /** Every host ever seen with its latest telemetry, by host id. */
  hosts(): HostRow[] {
    const rows = this.hostsStmt.all() as Array<
      Pick<StoredHostRow, "host_id" | "job_id" | "agent_version" | "first_seen_ms" | "last_seen_ms" | "telemetry_ts_ms" | "daemon_state" | "step" | "step_rate" | "gpus_json">
    >;
    return rows.map((r) => ({
      hostId: r.host_id,
      jobId: r.job_id,
      agentVersion: r.agent_version,
      firstSeenMs: r.first_seen_ms,
      lastSeenMs: r.last_seen_ms,
      telemetryTsMs: r.telemetry_ts_ms,
      daemonState: r.daemon_state,
      step: r.step,
      stepRate: r.step_rate,
      gpus: parseGpus(r.gpus_json),
    }));
  }

  /** Crash and hang records per category (all time). */
  crashesByCategory(): CountRow[] {
    return (this.crashesByCategoryStmt.all() as Array<{ key: string; n: number; first: number }>).map((r) => ({ key: r.key, count: r.n, firstMs: r.first }));
  }

  /** Crash and hang records per host (all time). */
  crashesByHost(): CountRow[] {
    return (this.crashesByHostStmt.all() as Array<{ key: string; n: number; first: number }>).map((r) => ({ key: r.key, count: r.n, firstMs: r.first }));
  }

  /** The host's newest crash or hang (by agent time), texts cut to `lineChars`. */
  lastCrash(hostId: string, lineChars: number): CrashRow | null {
    const r = this.lastCrashStmt.get({ hostId, lineChars }) as RawCrash | undefined;
    return r ? crashFromRaw(r) : null;
  }

  /** Newest crashes and hangs of the fleet, texts cut to `lineChars`. */
  recentCrashes(limit: number, lineChars: number): CrashRow[] {
    return (this.recentCrashesStmt.all({ limit, lineChars }) as RawCrash[]).map(crashFromRaw);
  }

  /** Decisions with rowid > `afterRowid`, counted by outcome and scope. */
  decisionCounts(afterRowid: number): DecisionCounts {
    const rows = this.decisionCountsStmt.all(afterRowid) as Array<{ allow: number; scope: DecisionScope; n: number; last: number }>;
    let lastRowid = afterRowid;
    for (const r of rows) lastRowid = Math.max(lastRowid, r.last);
    return { lastRowid, rows: rows.map((r) => ({ allow: r.allow === 1, scope: r.scope, count: r.n })) };
  }

  /** Open breakers, most recently opened first. */
  openBreakers(limit: number): OpenBreakerRow[] {
    const rows = this.openBreakersStmt.all(limit) as Array<{ signature: string; opened_ms: number; host_ids_json: string; reason: string }>;
    return rows.map((r) => ({ signature: r.signature, openedMs: r.opened_ms, hostIds: stringList(r.host_ids_json), reason: r.reason }));
  }

  /** How many breakers are open now. */
  openBreakerCount(): number {
    return (this.openBreakerCountStmt.get() as { n: number }).n;
  }
}
