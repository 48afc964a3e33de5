/**
 * /metrics: the controller's Prometheus metrics, on a registry of its own (never prom-client's
 * global one, so two controllers in one process, as in tests, do not mix).
 *
 * Values are read at scrape time. Counters are derived from the database, so they survive a
 * controller restart and never double count a replayed event: crashes from the crashes table,
 * restart decisions from restart_decisions (counted once at start, then only rows newer than the
 * last scrape), stored events from a count at start plus what ingest stored since. Gauges come from
 * the live sessions and the latest telemetry on each host row.
 *
 * Label values are bounded: hosts (the fleet), GPU indexes (at most 64 per host), decision scopes
 * (an enum), daemon states (lower_snake_case, validated at ingest) and crash categories (at most
 * MAX_CATEGORIES names of the rules' form; anything else is counted as "other"). No free text
 * (signatures, crash lines, reasons) ever becomes a label.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import type { DecisionScope } from "../domain.js";
import type { Ingest } from "../ingest.js";
import type { SessionRegistry } from "../sessions.js";
import type { Store } from "../store/index.js";
import { FleetQueries, type CountRow } from "./queries.js";

/** Crash categories that get a label of their own; the rest are summed into "other". */
export const MAX_CATEGORIES = 50;
const CATEGORY_RE = /^[a-z][a-z0-9_]{0,63}$/;
const STATE_RE = /^[a-z][a-z0-9_]{0,31}$/;
export const OTHER_CATEGORY = "other";
/** Scopes a grant is decided by (budget.ts): a fresh grant under the host rule, or coalesced into a job's. */
const GRANT_SCOPES: readonly DecisionScope[] = ["host", "job"];
const DENIAL_SCOPES: readonly DecisionScope[] = ["host", "fleet", "breaker"];

export interface MetricsSources {
  readonly store: Store;
  readonly sessions: SessionRegistry;
  readonly ingest: Ingest;
  readonly controllerVersion: string;
}

/**
 * Maps crash counts per category to bounded labels: categories of the rules' form keep their name,
 * up to `max` of them (those seen first, so a label never moves once it exists), the rest become "other".
 */
export function boundCategories(rows: ReadonlyArray<CountRow>, max = MAX_CATEGORIES): Map<string, number> {
  const named = rows
    .filter((r) => CATEGORY_RE.test(r.key) && r.key !== OTHER_CATEGORY)
    .sort((a, b) => a.firstMs - b.firstMs || (a.key < b.key ? -1 : 1))
    .slice(0, max);
  const keep = new Set(named.map((r) => r.key));
  const out = new Map<string, number>();
  for (const r of rows) {
    const label = keep.has(r.key) ? r.key : OTHER_CATEGORY;
    out.set(label, (out.get(label) ?? 0) + r.count);
  }
  return out;
}

export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly queries: FleetQueries;
  /** Events in the database when the controller started; ingest counts the ones stored since. */
  private readonly eventsAtStart: number;
  private decisionsRowid = 0;
  private readonly decisionTotals = new Map<string, number>();

  private readonly agentsConnected;
  private readonly hostsKnown;
  private readonly hostConnected;
  private readonly hostDaemonState;
  private readonly hostStep;
  private readonly hostStepRate;
  private readonly hostTelemetryTs;
  private readonly gpuTempMax;
  private readonly gpuTemp;
  private readonly gpuMemUsed;
  private readonly gpuMemTotal;
  private readonly gpuUtil;
  private readonly crashes;
  private readonly hostCrashes;
  private readonly granted;
  private readonly denied;
  private readonly breakersOpen;
  private readonly eventsStored;

  constructor(private readonly src: MetricsSources) {
    this.queries = new FleetQueries(src.store.db);
    this.eventsAtStart = src.store.events.count() - src.ingest.storedEvents;
    const registers = [this.registry];
    const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers });
    const counter = (name: string, help: string, labelNames: string[] = []) => new Counter({ name, help, labelNames, registers });

    new Gauge({ name: "trainsafe_controller_info", help: "Controller version (always 1).", labelNames: ["version"], registers }).set(
      { version: src.controllerVersion },
      1,
    );
    this.agentsConnected = gauge("trainsafe_agents_connected", "Agents with an open stream to the controller.");
    this.hostsKnown = gauge("trainsafe_hosts_known", "Hosts the controller has ever seen.");
    this.hostConnected = gauge("trainsafe_host_connected", "1 while the host's agent has an open stream, else 0.", ["host"]);
    this.hostDaemonState = gauge(
      "trainsafe_host_daemon_state",
      "1 for the training daemon state the connected host reported last (running, not_running, hung, restarting, ...).",
      ["host", "state"],
    );
    this.hostStep = gauge("trainsafe_host_step", "Latest training step reported by a connected host.", ["host"]);
    this.hostStepRate = gauge("trainsafe_host_step_rate", "Training steps per second reported by a connected host.", ["host"]);
    this.hostTelemetryTs = gauge(
      "trainsafe_host_telemetry_timestamp_seconds",
      "When a connected host took its latest telemetry sample (agent clock, Unix seconds).",
      ["host"],
    );
    this.gpuTempMax = gauge("trainsafe_host_gpu_temperature_max_celsius", "Hottest GPU of a connected host.", ["host"]);
    this.gpuTemp = gauge("trainsafe_host_gpu_temperature_celsius", "GPU temperature per GPU index.", ["host", "gpu"]);
    this.gpuMemUsed = gauge("trainsafe_host_gpu_memory_used_bytes", "GPU memory in use per GPU index.", ["host", "gpu"]);
    this.gpuMemTotal = gauge("trainsafe_host_gpu_memory_total_bytes", "GPU memory per GPU index.", ["host", "gpu"]);
    this.gpuUtil = gauge("trainsafe_host_gpu_utilization_ratio", "GPU utilization per GPU index (0-1).", ["host", "gpu"]);
    this.crashes = counter(
      "trainsafe_crashes_total",
      `Crash and hang records stored, by category (at most ${MAX_CATEGORIES} named categories; the rest are "other"). From the database.`,
      ["category"],
    );
    this.hostCrashes = counter("trainsafe_host_crashes_total", "Crash and hang records stored, by host. From the database.", ["host"]);
    this.granted = counter(
      "trainsafe_restarts_granted_total",
      'Restart requests granted, by the rule that decided: "host" (a fresh grant), "job" (coalesced into another host\'s grant). From the database.',
      ["scope"],
    );
    this.denied = counter(
      "trainsafe_restarts_denied_total",
      'Restart requests denied, by the rule that denied them: "host" (window or back-off), "fleet" (fleet cap), "breaker" (signature stopped). From the database.',
      ["scope"],
    );
    this.breakersOpen = gauge("trainsafe_breakers_open", "Crash signatures whose restarts are stopped fleet-wide until reset.");
    this.eventsStored = counter("trainsafe_events_stored_total", "Events stored (a replayed event counts once). From the database.");
    collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Reads the store and sessions and renders every metric in the Prometheus text format. */
  async render(): Promise<string> {
    this.refresh();
    return this.registry.metrics();
  }

  private refresh(): void {
    const { sessions } = this.src;
    const q = this.queries;
    const hosts = q.hosts();
    this.agentsConnected.set(sessions.size);
    this.hostsKnown.set(hosts.length);

    // Series of hosts that went away must disappear, so every per-host gauge is rebuilt.
    for (const g of [this.hostConnected, this.hostDaemonState, this.hostStep, this.hostStepRate, this.hostTelemetryTs]) g.reset();
    for (const g of [this.gpuTempMax, this.gpuTemp, this.gpuMemUsed, this.gpuMemTotal, this.gpuUtil]) g.reset();
    for (const h of hosts) {
      const host = h.hostId;
      const connected = sessions.isConnected(host);
      this.hostConnected.set({ host }, connected ? 1 : 0);
      // A disconnected host's last sample is history, not its state: its series stop (Prometheus marks them stale).
      if (!connected || h.telemetryTsMs === 0) continue;
      if (STATE_RE.test(h.daemonState)) this.hostDaemonState.set({ host, state: h.daemonState }, 1);
      if (h.step >= 0) this.hostStep.set({ host }, h.step);
      this.hostStepRate.set({ host }, h.stepRate);
      this.hostTelemetryTs.set({ host }, h.telemetryTsMs / 1000);
      if (h.gpus.length > 0) this.gpuTempMax.set({ host }, Math.max(...h.gpus.map((g) => g.tempC)));
      for (const g of h.gpus) {
        const labels = { host, gpu: String(g.index) };
        this.gpuTemp.set(labels, g.tempC);
        this.gpuMemUsed.set(labels, g.memUsedBytes);
        this.gpuMemTotal.set(labels, g.memTotalBytes);
        this.gpuUtil.set(labels, g.utilPct / 100);
      }
    }

    this.crashes.reset();
    for (const [category, n] of boundCategories(q.crashesByCategory())) this.crashes.inc({ category }, n);
    this.hostCrashes.reset();
    for (const r of q.crashesByHost()) this.hostCrashes.inc({ host: r.key }, r.count);

    const d = q.decisionCounts(this.decisionsRowid);
    this.decisionsRowid = d.lastRowid;
    for (const r of d.rows) {
      const key = `${r.allow ? "granted" : "denied"}:${r.scope}`;
      this.decisionTotals.set(key, (this.decisionTotals.get(key) ?? 0) + r.count);
    }
    this.granted.reset();
    this.denied.reset();
    // The scopes each outcome can have are exported from the start, zeros included, so rate() and
    // alerts see a series before the first decision; the table's CHECK bounds any other scope.
    for (const scope of GRANT_SCOPES) this.granted.inc({ scope }, 0);
    for (const scope of DENIAL_SCOPES) this.denied.inc({ scope }, 0);
    for (const [key, n] of this.decisionTotals) {
      const [outcome, scope] = key.split(":") as [string, string];
      (outcome === "granted" ? this.granted : this.denied).inc({ scope }, n);
    }

    this.breakersOpen.set(q.openBreakerCount());
    this.eventsStored.reset();
    this.eventsStored.inc(this.eventsAtStart + this.src.ingest.storedEvents);
  }
}
