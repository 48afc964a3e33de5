/**
 * Write path of everything agents stream: events, telemetry and health-check runs are queued and
 * committed in one transaction per event-loop turn (thousands of agents would otherwise mean
 * thousands of commits a second); telemetry alone, which nobody waits for, at most every 100 ms.
 * Each event's callback runs after its commit, so the agent's ack always follows a durable write; a
 * replayed uuid is ignored by the store and acked again.
 * A new crash or hang also regroups its job's newest incidents (controller/incidents.ts) in the
 * same transaction, so a replay changes nothing and an acked crash is never missing from them.
 */
import { FAILURE_KINDS, type AgentEvent, type HealthRun, type TelemetrySample } from "./domain.js";
import { IncidentTracker } from "./incidents.js";
import type { Logger } from "./log.js";
import type { Store } from "./store/index.js";

type Item =
  | { readonly type: "event"; readonly event: AgentEvent; readonly done: (err: Error | null) => void }
  | { readonly type: "telemetry"; readonly sample: TelemetrySample }
  | { readonly type: "health"; readonly run: HealthRun; readonly outputJson: string };

export interface IngestOptions {
  readonly clock?: () => number;
  /** Most items per transaction; the rest go in the next turn. */
  readonly maxBatch?: number;
  /** Failures of one job that began within this long of an incident's first one join it (default 5 minutes). */
  readonly incidentWindowMs?: number;
  /**
   * Runs before each scheduled commit (the controller decides the waiting restart requests there)
   * and returns how many ms the commit should wait (0: commit now): work that answers a waiting
   * caller goes ahead of writes whose only reader is an ack. A commit waits at most maxHoldMs in all.
   */
  readonly beforeCommit?: () => number;
  /** Longest a queued item waits for its commit because of beforeCommit (default 250 ms). */
  readonly maxHoldMs?: number;
  /**
   * Telemetry alone (nothing waiting for an ack) is committed at most this often (default 100 ms):
   * thousands of agents' samples then cost a few commits a second instead of one per event-loop
   * turn (each commit writes its touched pages to the WAL again). An event commits what is queued
   * in its own turn, telemetry included, and stop() flushes.
   */
  readonly telemetryDelayMs?: number;
}

export const DEFAULT_INCIDENT_WINDOW_MS = 5 * 60_000;

/**
 * A host's last_seen_ms written by an event commit is not written again within this long: a
 * crash's grant or denial event follows it within a second, each commit otherwise rewriting the host
 * row's page to the WAL. The stored value is then at most this far behind the host's last event, a
 * tenth of the telemetry interval (10 s) that otherwise keeps it fresh; a stream's end is always written.
 */
export const TOUCH_COALESCE_MS = 1_000;

/** Health-check events carry {problems, summary} at the top of details_json (both optional). */
export function healthRunFromEvent(ev: AgentEvent): HealthRun {
  let problems = 0;
  let summary = ev.message;
  try {
    const d = JSON.parse(ev.detailsJson || "{}") as { problems?: unknown; summary?: unknown };
    if (typeof d.problems === "number" && Number.isInteger(d.problems) && d.problems >= 0) problems = d.problems;
    if (typeof d.summary === "string" && !summary) summary = d.summary.slice(0, 1024);
  } catch {
    // details were validated as JSON on arrival; nothing to recover here
  }
  return { hostId: ev.hostId, tsMs: ev.tsMs, source: "event", ok: problems === 0, problems, summary };
}

export class Ingest {
  private queue: Item[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly telemetryDelayMs: number;
  private readonly clock: () => number;
  private readonly maxBatch: number;
  private readonly incidents: IncidentTracker;
  private readonly beforeCommit: () => number;
  private readonly maxHoldMs: number;
  /** last_seen_ms this ingest wrote per host (committed, or in the open transaction: cleared on rollback). */
  private readonly touchedAt = new Map<string, number>();
  /** When the current hold began (performance.now()); null: not holding. */
  private heldSince: number | null = null;
  /** Events committed (new or replayed) since start; for logs and tests. */
  committedEvents = 0;
  storedEvents = 0;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    opts: IngestOptions = {},
  ) {
    this.clock = opts.clock ?? Date.now;
    this.maxBatch = opts.maxBatch ?? 2_000;
    this.beforeCommit = opts.beforeCommit ?? (() => 0);
    this.maxHoldMs = opts.maxHoldMs ?? 250;
    this.telemetryDelayMs = opts.telemetryDelayMs ?? 100;
    this.incidents = new IncidentTracker(store, opts.incidentWindowMs ?? DEFAULT_INCIDENT_WINDOW_MS);
    // Crashes stored before incidents existed, or grouped with another window, are grouped now (once).
    if (this.incidents.rebuildIfStale()) this.log.info("incidents regrouped", { windowMs: this.incidents.windowMs });
  }

  /** Queues an event; `done(null)` runs once it is committed, `done(err)` if it cannot be. */
  event(event: AgentEvent, done: (err: Error | null) => void): void {
    this.push({ type: "event", event, done });
  }

  telemetry(sample: TelemetrySample): void {
    this.push({ type: "telemetry", sample });
  }

  healthRun(run: HealthRun, outputJson: string): void {
    this.push({ type: "health", run, outputJson });
  }

  get pending(): number {
    return this.queue.length;
  }

  private push(item: Item): void {
    this.queue.push(item);
    if (item.type === "telemetry" && this.telemetryDelayMs > 0) {
      if (!this.scheduled) this.timer ??= setTimeout(this.onTurn, this.telemetryDelayMs);
      return;
    }
    this.scheduled ??= setImmediate(this.onTurn);
  }

  private readonly onTurn = (): void => {
    this.scheduled = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const waitMs = this.beforeCommit();
    if (waitMs > 0) {
      const now = performance.now();
      this.heldSince ??= now;
      // Continuous grant traffic cannot starve acks: the hold ends maxHoldMs after it began.
      const leftMs = this.maxHoldMs - (now - this.heldSince);
      if (leftMs > 0) {
        this.timer = setTimeout(this.onTurn, Math.min(waitMs, leftMs));
        return;
      }
    }
    this.heldSince = null;
    this.flush();
  };

  /** Commits everything queued now (also called on stop). */
  flush(): void {
    while (this.queue.length > 0) {
      const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
      this.queue = this.queue.length <= this.maxBatch ? [] : this.queue.slice(this.maxBatch);
      this.commit(batch);
    }
    if (this.scheduled) {
      clearImmediate(this.scheduled);
      this.scheduled = null;
    }
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private commit(batch: Item[]): void {
    const nowMs = this.clock();
    let stored = 0;
    try {
      this.store.immediate(() => {
        const touched = new Set<string>();
        for (const item of batch) stored += this.apply(item, nowMs, touched);
        this.touch(touched, nowMs);
      });
    } catch (err) {
      // Rolled back: what the incident tracker keeps in memory may describe the undone writes.
      this.incidents.forget();
      this.touchedAt.clear();
      // One bad item must not sink the others: retry them one by one and fail only the culprits.
      this.log.error("ingest batch failed; retrying items one by one", err, { items: batch.length });
      for (const item of batch) this.commitOne(item, nowMs);
      return;
    }
    this.storedEvents += stored;
    for (const item of batch) {
      if (item.type === "event") {
        this.committedEvents++;
        item.done(null);
      }
    }
  }

  private commitOne(item: Item, nowMs: number): void {
    try {
      const stored = this.store.immediate(() => {
        const touched = new Set<string>();
        const n = this.apply(item, nowMs, touched);
        this.touch(touched, nowMs);
        return n;
      });
      this.storedEvents += stored;
      if (item.type === "event") {
        this.committedEvents++;
        item.done(null);
      }
    } catch (err) {
      this.incidents.forget();
      this.touchedAt.clear();
      this.log.error(`ingest: cannot store ${item.type}`, err);
      if (item.type === "event") item.done(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Raises the hosts' last_seen_ms to nowMs, except where this ingest wrote it under TOUCH_COALESCE_MS ago. */
  private touch(hostIds: Iterable<string>, nowMs: number): void {
    if (this.touchedAt.size > 200_000) this.touchedAt.clear(); // a bound on memory; a cleared host is just written
    for (const hostId of hostIds) {
      const last = this.touchedAt.get(hostId);
      if (last !== undefined && nowMs >= last && nowMs - last < TOUCH_COALESCE_MS) continue;
      this.store.hosts.touch(hostId, nowMs);
      this.touchedAt.set(hostId, nowMs);
    }
  }

  /** Writes one item; returns 1 for a newly stored event. */
  private apply(item: Item, nowMs: number, touched: Set<string>): number {
    switch (item.type) {
      case "event": {
        const ev = item.event;
        touched.add(ev.hostId);
        if (!this.store.events.insert(ev, nowMs)) return 0;
        if (FAILURE_KINDS.has(ev.kind)) {
          this.store.crashes.insert(ev);
          // Same transaction as the crash: an acked crash is always in its incident.
          this.incidents.add(ev);
        }
        if (ev.kind === "health_check") this.store.healthRuns.insert(healthRunFromEvent(ev), ev.detailsJson);
        return 1;
      }
      case "telemetry": {
        const gpusJson = JSON.stringify(item.sample.gpus);
        this.store.telemetry.insert(item.sample, gpusJson);
        this.store.hosts.updateTelemetry(item.sample, gpusJson, nowMs);
        return 0;
      }
      case "health":
        this.store.healthRuns.insert(item.run, item.outputJson);
        touched.add(item.run.hostId);
        return 0;
    }
  }
}
