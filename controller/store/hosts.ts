/** hosts: one row per agent ever seen, with its latest telemetry denormalised for fast listing. */
import type { Db } from "./db.js";
import type { GpuSample, GpuSummary, Hello, HostSummary, TelemetrySample } from "../domain.js";

/** A row of the hosts table, as SQLite returns it. */
export interface HostRow {
  host_id: string;
  job_id: string;
  agent_version: string;
  capabilities_json: string;
  base_dir: string;
  first_seen_ms: number;
  last_seen_ms: number;
  telemetry_ts_ms: number;
  daemon_state: string;
  step: number;
  step_rate: number;
  cpu_pct: number;
  mem_used_bytes: number;
  mem_total_bytes: number;
  disk_free_bytes: number;
  gpus_json: string;
}

/** Aggregate of a host's GPU samples for one-line display. */
export function summarizeGpus(gpus: ReadonlyArray<GpuSample>): GpuSummary {
  const n = gpus.length;
  let util = 0;
  let temp = 0;
  let used = 0;
  let total = 0;
  let power = 0;
  for (const g of gpus) {
    util += g.utilPct;
    temp = Math.max(temp, g.tempC);
    used += g.memUsedBytes;
    total += g.memTotalBytes;
    power += g.powerW;
  }
  return { count: n, utilAvgPct: n ? util / n : 0, tempMaxC: temp, memUsedBytes: used, memTotalBytes: total, powerW: power };
}

function parseJsonArray<T>(text: string): T[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
}

function toSummary(r: HostRow): HostSummary {
  return {
    hostId: r.host_id,
    jobId: r.job_id,
    connected: false,
    firstSeenMs: r.first_seen_ms,
    lastSeenMs: r.last_seen_ms,
    agentVersion: r.agent_version,
    capabilities: parseJsonArray<string>(r.capabilities_json),
    baseDir: r.base_dir,
    daemonState: r.daemon_state,
    step: r.step,
    stepRate: r.step_rate,
    cpuPct: r.cpu_pct,
    memUsedBytes: r.mem_used_bytes,
    memTotalBytes: r.mem_total_bytes,
    diskFreeBytes: r.disk_free_bytes,
    gpus: summarizeGpus(parseJsonArray<GpuSample>(r.gpus_json)),
    telemetryTsMs: r.telemetry_ts_ms,
  };
}

/** Most hosts whose job id is kept in memory; past it the map starts over (a cache, never the record). */
const MAX_KNOWN_JOBS = 200_000;

export class HostRepo {
  /**
   * Job id of each host as committed, kept because the controller is the hosts table's only writer
   * and the job binding check reads it on every restart request and hello. Filled only outside a
   * transaction (what a rollback could undo is never cached); a host's job changes only by hello.
   */
  private readonly jobs = new Map<string, string>();
  private readonly upsertStmt;
  private readonly ensureStmt;
  private readonly touchStmt;
  private readonly telemetryStmt;
  private readonly listStmt;
  private readonly getStmt;
  private readonly jobStmt;

  constructor(private readonly db: Db) {
    this.upsertStmt = db.prepare(
      `INSERT INTO hosts (host_id, job_id, agent_version, capabilities_json, base_dir, first_seen_ms, last_seen_ms)
       VALUES (@hostId, @jobId, @agentVersion, @capabilities, @baseDir, @nowMs, @nowMs)
       ON CONFLICT(host_id) DO UPDATE SET job_id = excluded.job_id, agent_version = excluded.agent_version,
         capabilities_json = excluded.capabilities_json, base_dir = excluded.base_dir,
         last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)`,
    );
    this.ensureStmt = db.prepare(
      `INSERT OR IGNORE INTO hosts (host_id, job_id, first_seen_ms, last_seen_ms) VALUES (?, ?, ?, ?)`,
    );
    this.touchStmt = db.prepare(`UPDATE hosts SET last_seen_ms = max(last_seen_ms, ?) WHERE host_id = ?`);
    this.telemetryStmt = db.prepare(
      `UPDATE hosts SET telemetry_ts_ms = @tsMs, daemon_state = @daemonState, step = @step, step_rate = @stepRate,
         cpu_pct = @cpuPct, mem_used_bytes = @memUsedBytes, mem_total_bytes = @memTotalBytes,
         disk_free_bytes = @diskFreeBytes, gpus_json = @gpusJson, last_seen_ms = max(last_seen_ms, @nowMs)
       WHERE host_id = @hostId AND telemetry_ts_ms <= @tsMs`,
    );
    this.listStmt = db.prepare(`SELECT * FROM hosts ORDER BY host_id`);
    this.getStmt = db.prepare(`SELECT * FROM hosts WHERE host_id = ?`);
    this.jobStmt = db.prepare(`SELECT job_id FROM hosts WHERE host_id = ?`).pluck();
  }

  /** Records an agent's hello (creating the host on first sight). */
  upsertHello(hello: Hello, nowMs: number): void {
    this.upsertStmt.run({
      hostId: hello.hostId,
      jobId: hello.jobId,
      agentVersion: hello.agentVersion,
      capabilities: JSON.stringify(hello.capabilities),
      baseDir: hello.baseDir,
      nowMs,
    });
    if (this.db.inTransaction) this.jobs.delete(hello.hostId);
    else this.remember(hello.hostId, hello.jobId);
  }

  /** Creates a bare host row when missing (a restart request before any hello). */
  ensure(hostId: string, jobId: string, nowMs: number): void {
    // A host whose committed row is known exists (rows are never deleted): nothing to insert.
    if (this.jobs.has(hostId)) return;
    this.ensureStmt.run(hostId, jobId, nowMs, nowMs);
  }

  /** Raises a host's last_seen_ms to nowMs (never lowers it). */
  touch(hostId: string, nowMs: number): void {
    this.touchStmt.run(nowMs, hostId);
  }

  /** Keeps the newest sample on the host row (older samples arriving late are ignored here). */
  updateTelemetry(s: TelemetrySample, gpusJson: string, nowMs: number): void {
    this.telemetryStmt.run({
      hostId: s.hostId,
      tsMs: s.tsMs,
      daemonState: s.daemonState,
      step: s.step,
      stepRate: s.stepRate,
      cpuPct: s.cpuPct,
      memUsedBytes: s.memUsedBytes,
      memTotalBytes: s.memTotalBytes,
      diskFreeBytes: s.diskFreeBytes,
      gpusJson,
      nowMs,
    });
  }

  /** Every host, by host id. */
  list(): HostSummary[] {
    return (this.listStmt.all() as HostRow[]).map(toSummary);
  }

  /** The job id a host is recorded with (null: never seen); one column, for the per-request job binding check. */
  jobOf(hostId: string): string | null {
    const known = this.jobs.get(hostId);
    if (known !== undefined) return known;
    const job = (this.jobStmt.get(hostId) as string | undefined) ?? null;
    if (job !== null && !this.db.inTransaction) this.remember(hostId, job);
    return job;
  }

  private remember(hostId: string, jobId: string): void {
    if (this.jobs.size >= MAX_KNOWN_JOBS && !this.jobs.has(hostId)) this.jobs.clear();
    this.jobs.set(hostId, jobId);
  }

  /** One host, or undefined when never seen. */
  get(hostId: string): HostSummary | undefined {
    const r = this.getStmt.get(hostId) as HostRow | undefined;
    return r ? toSummary(r) : undefined;
  }
}
