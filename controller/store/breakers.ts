/** breakers: the correlated-failure breaker of each crash signature that ever tripped. */
import type { Db } from "./db.js";
import type { BreakerState } from "../budget.js";
import type { BreakerView } from "../domain.js";

interface BreakerRow {
  signature: string;
  open: number;
  opened_ms: number;
  reset_ms: number;
  host_ids_json: string;
  reason: string;
}

function toView(r: BreakerRow): BreakerView {
  let hostIds: string[] = [];
  try {
    const v = JSON.parse(r.host_ids_json) as unknown;
    if (Array.isArray(v)) hostIds = v.filter((x): x is string => typeof x === "string");
  } catch {
    // a damaged list only loses the display of hosts, never the breaker itself
  }
  return { signature: r.signature, open: r.open === 1, openedMs: r.opened_ms, resetMs: r.reset_ms, hostIds, reason: r.reason };
}

export class BreakerRepo {
  private readonly getStmt;
  private readonly openStmt;
  private readonly resetOneStmt;
  private readonly resetAllStmt;
  private readonly listStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare(`SELECT * FROM breakers WHERE signature = ?`);
    this.openStmt = db.prepare(
      `INSERT INTO breakers (signature, open, opened_ms, reset_ms, host_ids_json, reason)
       VALUES (@signature, 1, @nowMs, 0, @hostIds, @reason)
       ON CONFLICT(signature) DO UPDATE SET open = 1, opened_ms = excluded.opened_ms,
         host_ids_json = excluded.host_ids_json, reason = excluded.reason`,
    );
    this.resetOneStmt = db.prepare(`UPDATE breakers SET open = 0, reset_ms = ? WHERE open = 1 AND signature = ? RETURNING signature`);
    this.resetAllStmt = db.prepare(`UPDATE breakers SET open = 0, reset_ms = ? WHERE open = 1 RETURNING signature`);
    this.listStmt = db.prepare(`SELECT * FROM breakers ORDER BY open DESC, opened_ms DESC LIMIT ?`);
  }

  get(signature: string): BreakerState | null {
    const r = this.getStmt.get(signature) as BreakerRow | undefined;
    return r ? { open: r.open === 1, openedMs: r.opened_ms, resetMs: r.reset_ms, reason: r.reason } : null;
  }

  open(signature: string, nowMs: number, hostIds: readonly string[], reason: string): void {
    this.openStmt.run({ signature, nowMs, hostIds: JSON.stringify(hostIds), reason });
  }

  /** Closes the open breaker of `signature` (or every open one); returns the signatures closed. */
  reset(signature: string | null, nowMs: number): string[] {
    const rows = (signature === null ? this.resetAllStmt.all(nowMs) : this.resetOneStmt.all(nowMs, signature)) as Array<{ signature: string }>;
    return rows.map((r) => r.signature).sort();
  }

  /** Open breakers first, then the most recently opened. */
  list(limit = 100): BreakerView[] {
    return (this.listStmt.all(limit) as BreakerRow[]).map(toView);
  }
}
