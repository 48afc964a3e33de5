/**
 * Restart grants: reads the history the budget needs, decides with the pure function, and records
 * the decision, all in one IMMEDIATE transaction with nothing awaited inside, so two concurrent
 * requests can never both take the last unit of a budget.
 */
import { randomUUID } from "node:crypto";
import { decideRestart } from "../agent/watchdog/budget.js";
import { decideFleetRestart, fleetGrantsInWindow, hostHistory, type FleetPolicy } from "./budget.js";
import type { BudgetStatus, HostBudget, RestartAsk, RestartVerdict, StoredDecision } from "./domain.js";
import type { Store } from "./store/index.js";

/** Newest host records handed to the per-host rule: its back-off streak may reach past the window. */
const HOST_HISTORY_LIMIT = 64;

export interface GrantsOptions {
  readonly clock?: () => number;
  readonly newId?: () => string;
}

export class RestartGrants {
  private readonly clock: () => number;
  private readonly newId: () => string;
  private readonly changeListeners: Array<(signatures: string[]) => void> = [];
  private pending: Array<{ ask: RestartAsk; resolve: (v: RestartVerdict) => void; reject: (err: unknown) => void }> = [];
  private scheduled: NodeJS.Immediate | null = null;
  /** performance.now() when decidePending last answered. */
  private answeredAt = -Infinity;

  constructor(
    private readonly store: Store,
    private readonly policy: FleetPolicy,
    opts: GrantsOptions = {},
  ) {
    this.clock = opts.clock ?? Date.now;
    this.newId = opts.newId ?? randomUUID;
  }

  /**
   * Decides `ask` together with the other requests of this event-loop turn, in one transaction
   * (each in its own savepoint, in arrival order, so the decisions are those `decide` would give one
   * after another). A correlated crash brings hundreds of requests at once; one commit for all of
   * them instead of one each keeps the answers of the last ones from waiting behind the commits of
   * the first. A request that fails (its savepoint rolled back) fails alone.
   */
  decideSoon(ask: RestartAsk): Promise<RestartVerdict> {
    return new Promise((resolve, reject) => {
      this.pending.push({ ask, resolve, reject });
      this.scheduled ??= setImmediate(() => this.decidePending());
    });
  }

  /** Milliseconds since answers were last given (Infinity: never). */
  msSinceAnswered(): number {
    return performance.now() - this.answeredAt;
  }

  /**
   * Decides the waiting requests now (no-op when none). The ingest calls it before committing its
   * own batch, so requests that arrived in the same event-loop turn as a burst's crash events are
   * answered before those events' commit and incident regrouping instead of after it.
   */
  decidePending(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const results: Array<{ ok: true; verdict: RestartVerdict } | { ok: false; error: unknown }> = [];
    try {
      this.store.immediate(() => {
        for (const { ask } of batch) {
          try {
            // decide() inside this transaction runs in a savepoint of its own (better-sqlite3 nesting).
            results.push({ ok: true, verdict: this.decide(ask) });
          } catch (error) {
            results.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed: nothing of the batch was recorded.
      for (const item of batch) item.reject(error);
      return;
    }
    this.answeredAt = performance.now();
    batch.forEach((item, i) => {
      const r = results[i]!;
      if (r.ok) item.resolve(r.verdict);
      else item.reject(r.error);
    });
  }

  /** Decides and records one request; a repeated request_id returns the stored decision. */
  decide(ask: RestartAsk): RestartVerdict {
    return this.store.immediate(() => {
      const earlier = this.store.decisions.byRequestId(ask.requestId);
      if (earlier) return verdictOf(earlier);
      const nowMs = this.clock();
      const p = this.policy;
      this.store.hosts.ensure(ask.hostId, ask.jobId, nowMs);
      const breaker = ask.signature ? this.store.breakers.get(ask.signature) : null;
      // An open breaker decides alone (rule 1 of decideFleetRestart): in a correlated storm that is
      // most requests, and the history reads are most of a decision's cost.
      const decided = ask.signature !== "" && breaker?.open === true;
      const decisions = decided ? [] : this.store.decisions.forBudget({
        hostId: ask.hostId,
        jobId: ask.jobId,
        signature: ask.signature,
        hostLimit: HOST_HISTORY_LIMIT,
        jobSinceMs: nowMs - p.jobCoalesceWindowMs,
        fleetSinceMs: nowMs - p.fleetWindowMs,
        fleetLimit: p.fleetMaxRestarts,
        // An open breaker decides alone; its (possibly long) request history is not needed.
        signatureSinceMs: breaker?.open ? null : nowMs - p.breakerWindowMs,
      });
      const localRestarts = decided
        ? []
        : this.store.events
            .localRestartTimes(ask.hostId, HOST_HISTORY_LIMIT)
            .map((atMs) => ({ atMs, delayMs: 0, cause: "local_restart" }));
      const out = decideFleetRestart(
        { hostId: ask.hostId, jobId: ask.jobId, signature: ask.signature, crashUuid: ask.crashUuid, decisions, localRestarts, breaker },
        p,
        nowMs,
      );
      if (out.tripBreaker) this.store.breakers.open(ask.signature, nowMs, out.tripBreaker.hostIds, out.reason);
      const decision: StoredDecision = {
        decisionId: this.newId(),
        requestId: ask.requestId,
        hostId: ask.hostId,
        jobId: ask.jobId,
        signature: ask.signature,
        category: ask.category,
        requestReason: ask.reason,
        decidedMs: nowMs,
        allow: out.allow,
        reason: out.reason,
        delayMs: Math.max(0, Math.round(out.delayMs)),
        scope: out.scope,
        grantId: out.allow ? (out.coalescedInto ?? this.newId()) : "",
        coalesced: out.coalescedInto !== null,
      };
      this.store.decisions.insert({ ...decision, localRestarts: ask.localRestarts, crashUuid: ask.crashUuid });
      return verdictOf(decision);
    });
  }

  /** Budget usage now: per-host windows, the fleet window, breakers and recent decisions. */
  status(recentLimit = 20): BudgetStatus {
    const nowMs = this.clock();
    const p = this.policy;
    const hosts: HostBudget[] = this.store.decisions
      .hostsWithGrantsSince(nowMs - p.host.windowMs)
      .sort()
      .map((hostId) => {
        const history = hostHistory({
          hostId,
          decisions: this.store.decisions.hostGrants(hostId, HOST_HISTORY_LIMIT),
          localRestarts: this.store.events.localRestartTimes(hostId, HOST_HISTORY_LIMIT).map((atMs) => ({ atMs, delayMs: 0 })),
        });
        const d = decideRestart(history, p.host, nowMs);
        return { hostId, restartsInWindow: d.inWindow, nextAllowedMs: d.allow ? 0 : (d.retryAtMs ?? -1) };
      });
    return {
      nowMs,
      policy: {
        hostMaxRestarts: p.host.maxRestarts,
        hostWindowMs: p.host.windowMs,
        backoffInitialMs: p.host.backoffInitialMs,
        backoffMaxMs: p.host.backoffMaxMs,
        jobCoalesceWindowMs: p.jobCoalesceWindowMs,
        fleetMaxRestarts: p.fleetMaxRestarts,
        fleetWindowMs: p.fleetWindowMs,
        breakerThreshold: p.breakerThreshold,
        breakerWindowMs: p.breakerWindowMs,
      },
      // Fresh grants never exceed the cap, unless the cap was lowered since; count those too.
      fleetRestartsInWindow: fleetGrantsInWindow(
        this.store.decisions.fleetGrantsSince(nowMs - p.fleetWindowMs, Math.max(p.fleetMaxRestarts * 10, 1_000)),
        p,
        nowMs,
      ).length,
      hosts,
      breakers: this.store.breakers.list(),
      recentDecisions: this.store.decisions.recent(recentLimit),
    };
  }

  /** Closes the open breaker of `signature` (null: all); returns the signatures closed. */
  reset(signature: string | null): string[] {
    const nowMs = this.clock();
    const closed = this.store.immediate(() => this.store.breakers.reset(signature, nowMs));
    // After the commit: an agent told now and asking at once must find the breaker closed.
    if (closed.length > 0) for (const fn of this.changeListeners) fn(closed);
    return closed;
  }

  /** Calls `fn` with the signatures closed whenever breakers close (the agents are told). */
  onBudgetChanged(fn: (signatures: string[]) => void): void {
    this.changeListeners.push(fn);
  }
}

/**
 * The ingest's beforeCommit hook (IngestOptions.beforeCommit) that puts `grants` first: the waiting
 * restart requests are decided before the ingest commits, and while requests keep being answered
 * (a correlated crash brings hundreds within a few hundred ms) the commit waits until none was for
 * `quietMs`, so a burst's answers do not queue behind the commits of its crash and decision events.
 */
export function grantsFirst(grants: RestartGrants, quietMs = 10): () => number {
  return () => {
    grants.decidePending();
    const since = grants.msSinceAnswered();
    return since < quietMs ? Math.max(1, Math.ceil(quietMs - since)) : 0;
  };
}

function verdictOf(d: StoredDecision): RestartVerdict {
  return {
    decisionId: d.decisionId,
    allow: d.allow,
    reason: d.reason,
    delayMs: d.delayMs,
    scope: d.scope,
    grantId: d.grantId,
    coalesced: d.coalesced,
  };
}
