/** restart_decisions: every restart request and the decision, with its reason (allowed or not). */
import type { Db } from "./db.js";
import type { PastDecision } from "../budget.js";
import type { DecisionScope, StoredDecision } from "../domain.js";

interface DecisionRow {
  decision_id: string;
  request_id: string;
  host_id: string;
  job_id: string;
  signature: string;
  category: string;
  request_reason: string;
  local_restarts: number;
  crash_uuid: string;
  decided_ms: number;
  allow: number;
  scope: string;
  reason: string;
  delay_ms: number;
  grant_id: string;
  coalesced: number;
}

export interface DecisionInsert extends StoredDecision {
  readonly localRestarts: number;
  readonly crashUuid: string;
}

function fromRow(r: DecisionRow): StoredDecision {
  return {
    decisionId: r.decision_id,
    requestId: r.request_id,
    hostId: r.host_id,
    jobId: r.job_id,
    signature: r.signature,
    category: r.category,
    requestReason: r.request_reason,
    decidedMs: r.decided_ms,
    allow: r.allow === 1,
    scope: r.scope as DecisionScope,
    reason: r.reason,
    delayMs: r.delay_ms,
    grantId: r.grant_id,
    coalesced: r.coalesced === 1,
  };
}

/** Columns the budget reads: fewer columns, cheaper rows on the grant path. */
const PAST = "decision_id, host_id, job_id, signature, decided_ms, allow, coalesced, grant_id, delay_ms, crash_uuid";
type PastRow = Pick<DecisionRow, "decision_id" | "host_id" | "job_id" | "signature" | "decided_ms" | "allow" | "coalesced" | "grant_id" | "delay_ms" | "crash_uuid">;

function toPast(r: PastRow): PastDecision {
  return {
    hostId: r.host_id,
    jobId: r.job_id,
    signature: r.signature,
    atMs: r.decided_ms,
    allow: r.allow === 1,
    coalesced: r.coalesced === 1,
    grantId: r.grant_id,
    delayMs: r.delay_ms,
    crashUuid: r.crash_uuid,
  };
}

/** How far back each rule of the budget looks, for one request. */
export interface BudgetWindows {
  readonly hostId: string;
  readonly jobId: string;
  readonly signature: string;
  /** The host's newest grants considered (the back-off streak may reach past the window). */
  readonly hostLimit: number;
  readonly jobSinceMs: number;
  readonly fleetSinceMs: number;
  /** Newest fresh grants considered: the fleet cap (more cannot change the decision). */
  readonly fleetLimit: number;
  /** null: skip the signature's history (no signature, or its breaker is already open). */
  readonly signatureSinceMs: number | null;
}

export class DecisionRepo {
  private readonly insertStmt;
  private readonly byRequestStmt;
  private readonly hostGrantsStmt;
  private readonly jobGrantsStmt;
  private readonly fleetGrantsStmt;
  private readonly signatureStmt;
  private readonly recentStmt;
  private readonly hostsSinceStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO restart_decisions (decision_id, request_id, host_id, job_id, signature, category, request_reason,
         local_restarts, crash_uuid, decided_ms, allow, scope, reason, delay_ms, grant_id, coalesced)
       VALUES (@decisionId, @requestId, @hostId, @jobId, @signature, @category, @requestReason,
         @localRestarts, @crashUuid, @decidedMs, @allow, @scope, @reason, @delayMs, @grantId, @coalesced)`,
    );
    this.byRequestStmt = db.prepare(`SELECT * FROM restart_decisions WHERE request_id = ?`);
    this.hostGrantsStmt = db.prepare(
      `SELECT ${PAST} FROM restart_decisions WHERE host_id = ? AND allow = 1 ORDER BY decided_ms DESC LIMIT ?`,
    );
    // The job rule coalesces into fresh grants only (a host's own coalesced grants come with its history).
    this.jobGrantsStmt = db.prepare(
      `SELECT ${PAST} FROM restart_decisions WHERE job_id = ? AND job_id != '' AND decided_ms > ? AND allow = 1 AND coalesced = 0`,
    );
    // Newest first, limited: the fleet rule only needs the newest `fleetMaxRestarts` grants.
    this.fleetGrantsStmt = db.prepare(
      `SELECT ${PAST} FROM restart_decisions WHERE decided_ms > ? AND allow = 1 AND coalesced = 0 ORDER BY decided_ms DESC LIMIT ?`,
    );
    this.signatureStmt = db.prepare(
      `SELECT ${PAST} FROM restart_decisions WHERE signature = ? AND signature != '' AND decided_ms > ?`,
    );
    this.recentStmt = db.prepare(
      `SELECT * FROM restart_decisions WHERE (@hostId IS NULL OR host_id = @hostId) ORDER BY decided_ms DESC, decision_id LIMIT @limit`,
    );
    this.hostsSinceStmt = db.prepare(`SELECT DISTINCT host_id FROM restart_decisions WHERE decided_ms > ? AND allow = 1`);
  }

  insert(d: DecisionInsert): void {
    this.insertStmt.run({
      decisionId: d.decisionId,
      requestId: d.requestId,
      hostId: d.hostId,
      jobId: d.jobId,
      signature: d.signature,
      category: d.category,
      requestReason: d.requestReason,
      localRestarts: d.localRestarts,
      crashUuid: d.crashUuid,
      decidedMs: d.decidedMs,
      allow: d.allow ? 1 : 0,
      scope: d.scope,
      reason: d.reason,
      delayMs: Math.round(d.delayMs),
      grantId: d.grantId,
      coalesced: d.coalesced ? 1 : 0,
    });
  }

  /** The decision already made for this request id (a retried request), if any. */
  byRequestId(requestId: string): StoredDecision | undefined {
    const r = this.byRequestStmt.get(requestId) as DecisionRow | undefined;
    return r ? fromRow(r) : undefined;
  }

  /** Every earlier decision any budget rule may look at for one request (deduplicated). */
  forBudget(w: BudgetWindows): PastDecision[] {
    const rows = new Map<string, PastRow>();
    const add = (list: unknown[]) => {
      for (const r of list as PastRow[]) rows.set(r.decision_id, r);
    };
    add(this.hostGrantsStmt.all(w.hostId, w.hostLimit));
    if (w.jobId) add(this.jobGrantsStmt.all(w.jobId, w.jobSinceMs));
    add(this.fleetGrantsStmt.all(w.fleetSinceMs, w.fleetLimit));
    if (w.signature && w.signatureSinceMs !== null) add(this.signatureStmt.all(w.signature, w.signatureSinceMs));
    return [...rows.values()].map(toPast);
  }

  /** The host's newest grants, for the per-host rule. */
  hostGrants(hostId: string, limit: number): PastDecision[] {
    return (this.hostGrantsStmt.all(hostId, limit) as PastRow[]).map(toPast);
  }

  fleetGrantsSince(sinceMs: number, limit: number): PastDecision[] {
    return (this.fleetGrantsStmt.all(sinceMs, limit) as PastRow[]).map(toPast);
  }

  /** Hosts with a grant after `sinceMs`. */
  hostsWithGrantsSince(sinceMs: number): string[] {
    return (this.hostsSinceStmt.all(sinceMs) as Array<{ host_id: string }>).map((r) => r.host_id);
  }

  /** Newest first. */
  recent(limit: number, hostId?: string): StoredDecision[] {
    return (this.recentStmt.all({ hostId: hostId ?? null, limit }) as DecisionRow[]).map(fromRow);
  }
}
