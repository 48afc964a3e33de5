/**
 * GET /api/fleet: what the fleet page shows, in one JSON document. Texts that agents sent (crash
 * lines, suggestions, reasons) are cut to a length a table row can show; they stay untrusted data
 * that the page inserts as text, never as markup.
 */
import type { DecisionScope, Incident, IncidentMember } from "../domain.js";
import type { SessionRegistry } from "../sessions.js";
import type { Store } from "../store/index.js";
import { FleetQueries, type CrashRow, type OpenBreakerRow } from "./queries.js";

/** Longest agent text (characters) put into the page's JSON. */
export const LINE_CHARS = 400;
export const TIMELINE_CRASHES = 50;
export const RECENT_DECISIONS = 15;
export const MAX_BREAKERS = 50;
export const RECENT_INCIDENTS = 20;

export interface FleetHostView {
  readonly hostId: string;
  readonly jobId: string;
  readonly connected: boolean;
  readonly agentVersion: string;
  readonly daemonState: string;
  /** -1: unknown. */
  readonly step: number;
  readonly stepRate: number;
  /** 0: no telemetry yet. */
  readonly telemetryTsMs: number;
  readonly lastSeenMs: number;
  readonly gpuCount: number;
  /** Hottest GPU; null without GPUs. */
  readonly gpuTempMaxC: number | null;
  readonly gpuMemUsedBytes: number;
  readonly gpuMemTotalBytes: number;
  readonly crashes: number;
  readonly lastCrash: CrashRow | null;
}

export interface FleetDecisionView {
  readonly decidedMs: number;
  readonly hostId: string;
  readonly allow: boolean;
  readonly scope: DecisionScope;
  readonly coalesced: boolean;
  readonly delayMs: number;
  readonly reason: string;
}

export interface FleetIncidentView {
  readonly incidentId: string;
  readonly jobId: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly open: boolean;
  readonly originKnown: boolean;
  readonly origin: IncidentMember;
  /** The other hosts, in onset order: the first 20 (the store's cap; hostCount counts all). */
  readonly others: readonly IncidentMember[];
  readonly hostCount: number;
}

export interface FleetView {
  /** Controller clock, for ages shown in the browser. */
  readonly nowMs: number;
  readonly controllerVersion: string;
  readonly summary: {
    readonly hosts: number;
    readonly connected: number;
    readonly crashes: number;
    readonly openBreakers: number;
  };
  readonly hosts: readonly FleetHostView[];
  /** Newest first. */
  readonly crashes: readonly CrashRow[];
  readonly breakers: readonly OpenBreakerRow[];
  /** Newest first: the crashes of one job's hosts grouped, each with its origin. */
  readonly incidents: readonly FleetIncidentView[];
  /** Newest first. */
  readonly decisions: readonly FleetDecisionView[];
}

const cut = (s: string, n = LINE_CHARS): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

const memberView = (m: IncidentMember): IncidentMember => ({ ...m, firstFatalLine: cut(m.firstFatalLine), suggestion: cut(m.suggestion), signature: cut(m.signature) });

function incidentView(i: Incident): FleetIncidentView {
  return {
    incidentId: i.incidentId,
    jobId: i.jobId,
    startMs: i.startMs,
    endMs: i.endMs,
    open: i.open,
    originKnown: i.originKnown,
    origin: memberView(i.origin),
    others: i.others.map(memberView),
    hostCount: i.hostCount,
  };
}

/** Builds the fleet page's data from the store and the live sessions. */
export class FleetViewSource {
  private readonly queries: FleetQueries;

  constructor(
    private readonly store: Store,
    private readonly sessions: SessionRegistry,
    private readonly clock: () => number,
    private readonly controllerVersion: string,
  ) {
    this.queries = new FleetQueries(store.db);
  }

  /** The page's data now. */
  view(): FleetView {
    const q = this.queries;
    const crashCounts = new Map(q.crashesByHost().map((r) => [r.key, r.count]));
    const hosts: FleetHostView[] = q.hosts().map((h) => {
      const crashes = crashCounts.get(h.hostId) ?? 0;
      const temps = h.gpus.map((g) => g.tempC);
      return {
        hostId: h.hostId,
        jobId: h.jobId,
        connected: this.sessions.isConnected(h.hostId),
        agentVersion: h.agentVersion,
        daemonState: h.daemonState,
        step: h.step,
        stepRate: h.stepRate,
        telemetryTsMs: h.telemetryTsMs,
        lastSeenMs: h.lastSeenMs,
        gpuCount: h.gpus.length,
        gpuTempMaxC: temps.length ? Math.max(...temps) : null,
        gpuMemUsedBytes: h.gpus.reduce((s, g) => s + g.memUsedBytes, 0),
        gpuMemTotalBytes: h.gpus.reduce((s, g) => s + g.memTotalBytes, 0),
        crashes,
        lastCrash: crashes > 0 ? q.lastCrash(h.hostId, LINE_CHARS) : null,
      };
    });
    const nowMs = this.clock();
    const breakers = q.openBreakers(MAX_BREAKERS).map((b) => ({ ...b, reason: cut(b.reason), hostIds: b.hostIds.slice(0, 100) }));
    return {
      nowMs,
      controllerVersion: this.controllerVersion,
      summary: {
        hosts: hosts.length,
        connected: hosts.filter((h) => h.connected).length,
        crashes: [...crashCounts.values()].reduce((s, n) => s + n, 0),
        openBreakers: q.openBreakerCount(),
      },
      hosts,
      crashes: q.recentCrashes(TIMELINE_CRASHES, LINE_CHARS),
      breakers,
      incidents: this.store.incidents.query({ limit: RECENT_INCIDENTS }, nowMs).map(incidentView),
      decisions: this.store.decisions.recent(RECENT_DECISIONS).map((d) => ({
        decidedMs: d.decidedMs,
        hostId: d.hostId,
        allow: d.allow,
        scope: d.scope,
        coalesced: d.coalesced,
        delayMs: d.delayMs,
        reason: cut(d.reason),
      })),
    };
  }
}
