/**
 * The border between the wire and the domain: every incoming message is validated here (sizes,
 * ranges, enums, identifiers) and turned into a domain value, or rejected with an RpcError
 * "invalid_argument" naming the field. Outgoing domain values are turned into wire messages.
 * Only this folder imports proto/gen.
 */
import {
  CommandKind as WireCommandKind,
  DecisionScope as WireScope,
  EventKind as WireEventKind,
  type CommandArgs as WireCommandArgs,
  type CommandResult as WireCommandResult,
  type Event as WireEvent,
  type RestartDecision as WireDecision,
  type RestartRequest as WireRestartRequest,
  type Telemetry as WireTelemetry,
} from "../../proto/gen/trainsafe/v1/common.js";
import type { Hello as WireHello } from "../../proto/gen/trainsafe/v1/agent.js";
import {
  IncidentRole as WireIncidentRole,
  type BudgetStatus as WireBudgetStatus,
  type CommandOutcome as WireOutcome,
  type HostDetail as WireHostDetail,
  type HostSummary as WireHostSummary,
  type Incident as WireIncident,
  type IncidentMember as WireIncidentMember,
  type ListCrashesRequest,
  type ListEventsRequest,
  type ListIncidentsRequest,
  type RunCommandRequest,
  type StoredDecision as WireStoredDecision,
  type StoredEvent as WireStoredEvent,
} from "../../proto/gen/trainsafe/v1/fleet.js";
import { invalidArgument } from "../errors.js";
import {
  COMMAND_KINDS,
  DECISION_SCOPES,
  EVENT_KINDS,
  FAILURE_KINDS,
  INCIDENT_ROLES,
  type AgentEvent,
  type BudgetStatus,
  type CommandAnswer,
  type CommandArgs,
  type CommandKind,
  type CommandOutcome,
  type CrashQuery,
  type DecisionScope,
  type EventKind,
  type EventQuery,
  type Hello,
  type HostDetail,
  type HostSummary,
  type Incident,
  type IncidentMember,
  type IncidentQuery,
  type IncidentRole,
  type RestartAsk,
  type RestartVerdict,
  type StoredDecision,
  type StoredEvent,
  type TelemetrySample,
} from "../domain.js";

/** Field limits (bytes of UTF-8 unless noted); they match the comments in the .proto files. */
export const LIMITS = Object.freeze({
  id: 128,
  uuid: 64,
  agentVersion: 64,
  capabilities: 64,
  capability: 64,
  baseDir: 4096,
  category: 64,
  signature: 256,
  message: 4096,
  detailsJson: 64 * 1024,
  signal: 16,
  firstFatalLine: 4096,
  excerpt: 16 * 1024,
  suggestion: 4096,
  logFile: 1024,
  gpus: 64,
  daemonState: 32,
  outputJson: 1024 * 1024,
  error: 4096,
  summary: 1024,
  reason: 1024,
  names: 64,
  name: 64,
  extraJson: 16 * 1024,
  queryLimit: 10_000,
  commandTargets: 10_000,
});

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const UUID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{7,63}$/;
const STATE_RE = /^[a-z][a-z0-9_]*$/;
const SIGNAL_RE = /^[A-Z0-9+-]*$/;
const CHECK_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Printable text without control characters (what a CLI prints back must not move the terminal). */
const PRINTABLE_RE = /^[^\u0000-\u001f\u007f]*$/;
/** Timestamps outside [2000-01-01, 3000-01-01) are junk, not clock skew. */
const MIN_TS_MS = 946_684_800_000;
const MAX_TS_MS = 32_503_680_000_000;

function text(field: string, v: unknown, maxBytes: number): string {
  if (typeof v !== "string") throw invalidArgument(field, "must be a string");
  // Cheap bounds first: UTF-8 takes at least 1 and at most 3 bytes per UTF-16 unit.
  if (v.length > maxBytes || (v.length * 3 > maxBytes && Buffer.byteLength(v) > maxBytes)) {
    throw invalidArgument(field, `longer than ${maxBytes} bytes`);
  }
  return v;
}

function id(field: string, v: unknown, required: boolean): string {
  const s = text(field, v, LIMITS.id);
  if (s === "") {
    if (required) throw invalidArgument(field, "is required");
    return s;
  }
  if (!ID_RE.test(s)) throw invalidArgument(field, "may hold only letters, digits and . _ : - (starting with a letter or digit)");
  return s;
}

function uuid(field: string, v: unknown): string {
  const s = text(field, v, LIMITS.uuid);
  if (!UUID_RE.test(s)) throw invalidArgument(field, "must be a uuid (8-64 letters, digits, - or _)");
  return s;
}

function json(field: string, v: unknown, maxBytes: number): string {
  const s = text(field, v, maxBytes);
  if (s === "") return s;
  try {
    JSON.parse(s);
  } catch {
    throw invalidArgument(field, "is not valid JSON");
  }
  return s;
}

function printable(field: string, s: string): string {
  if (!PRINTABLE_RE.test(s)) throw invalidArgument(field, "must not contain control characters");
  return s;
}

function num(field: string, v: unknown, min: number, max: number, integer = false): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw invalidArgument(field, "must be a finite number");
  if (integer && !Number.isInteger(v)) throw invalidArgument(field, "must be an integer");
  if (v < min || v > max) throw invalidArgument(field, `must be between ${min} and ${max}, got ${v}`);
  return v;
}

const bytes = (field: string, v: unknown) => num(field, v, 0, Number.MAX_SAFE_INTEGER, true);
const tsMs = (field: string, v: unknown) => num(field, v, MIN_TS_MS, MAX_TS_MS, true);

function list<T>(field: string, v: unknown, max: number, each: (f: string, x: unknown) => T): T[] {
  if (!Array.isArray(v)) throw invalidArgument(field, "must be a list");
  if (v.length > max) throw invalidArgument(field, `has ${v.length} entries (at most ${max})`);
  return v.map((x, i) => each(`${field}[${i}]`, x));
}

// ---- enums ----

const EVENT_KIND_BY_WIRE = new Map<number, EventKind>(EVENT_KINDS.map((k, i) => [i + 1, k]));
const COMMAND_KIND_BY_WIRE = new Map<number, CommandKind>(COMMAND_KINDS.map((k, i) => [i + 1, k]));
const SCOPE_BY_WIRE = new Map<number, DecisionScope>(DECISION_SCOPES.map((k, i) => [i + 1, k]));
const ROLE_BY_WIRE = new Map<number, IncidentRole>(INCIDENT_ROLES.map((k, i) => [i + 1, k]));

// The domain lists and the proto enums must stay in the same order; checked once at load.
for (const [n, k] of EVENT_KIND_BY_WIRE) {
  if (WireEventKind[n] !== `EVENT_KIND_${k.toUpperCase()}`) throw new Error(`EventKind ${n} is ${WireEventKind[n]}, domain says ${k}`);
}
for (const [n, k] of COMMAND_KIND_BY_WIRE) {
  if (WireCommandKind[n] !== `COMMAND_KIND_${k.toUpperCase()}`) throw new Error(`CommandKind ${n} is ${WireCommandKind[n]}, domain says ${k}`);
}
for (const [n, k] of SCOPE_BY_WIRE) {
  if (WireScope[n] !== `DECISION_SCOPE_${k.toUpperCase()}`) throw new Error(`DecisionScope ${n} is ${WireScope[n]}, domain says ${k}`);
}
for (const [n, k] of ROLE_BY_WIRE) {
  if (WireIncidentRole[n] !== `INCIDENT_ROLE_${k.toUpperCase()}`) throw new Error(`IncidentRole ${n} is ${WireIncidentRole[n]}, domain says ${k}`);
}

export function eventKindFromWire(field: string, v: unknown): EventKind {
  const k = typeof v === "number" ? EVENT_KIND_BY_WIRE.get(v) : undefined;
  if (!k) throw invalidArgument(field, `unknown event kind ${String(v)}`);
  return k;
}

export function commandKindFromWire(field: string, v: unknown): CommandKind {
  const k = typeof v === "number" ? COMMAND_KIND_BY_WIRE.get(v) : undefined;
  if (!k) throw invalidArgument(field, `unknown command kind ${String(v)}`);
  return k;
}

export const eventKindToWire = (k: EventKind): WireEventKind => (EVENT_KINDS.indexOf(k) + 1) as WireEventKind;
export const commandKindToWire = (k: CommandKind): WireCommandKind => (COMMAND_KINDS.indexOf(k) + 1) as WireCommandKind;
export const scopeToWire = (s: DecisionScope): WireScope => (DECISION_SCOPES.indexOf(s) + 1) as WireScope;
export function scopeFromWire(v: number): DecisionScope {
  return SCOPE_BY_WIRE.get(v) ?? "host";
}

// ---- agent -> controller ----

export function helloFromWire(h: WireHello): Hello {
  return {
    hostId: id("hello.host_id", h.hostId, true),
    jobId: id("hello.job_id", h.jobId, false),
    agentVersion: text("hello.agent_version", h.agentVersion, LIMITS.agentVersion),
    capabilities: list("hello.capabilities", h.capabilities, LIMITS.capabilities, (f, x) => text(f, x, LIMITS.capability)),
    baseDir: text("hello.base_dir", h.baseDir, LIMITS.baseDir),
  };
}

/** Validates an event from the stream of `hello`'s host; host and job default to the hello's. */
export function eventFromWire(e: WireEvent, hello: Hello): AgentEvent {
  const hostId = e.hostId === "" ? hello.hostId : id("event.host_id", e.hostId, true);
  if (hostId !== hello.hostId) throw invalidArgument("event.host_id", `is "${hostId}" but this stream belongs to "${hello.hostId}"`);
  const kind = eventKindFromWire("event.kind", e.kind);
  const crash = e.crash
    ? {
        firstFatalLine: text("event.crash.first_fatal_line", e.crash.firstFatalLine, LIMITS.firstFatalLine),
        excerpt: text("event.crash.excerpt", e.crash.excerpt, LIMITS.excerpt),
        suggestion: text("event.crash.suggestion", e.crash.suggestion, LIMITS.suggestion),
        logFile: text("event.crash.log_file", e.crash.logFile, LIMITS.logFile),
      }
    : null;
  const signal = text("event.signal", e.signal, LIMITS.signal);
  if (!SIGNAL_RE.test(signal)) throw invalidArgument("event.signal", "must look like SIGKILL");
  return {
    uuid: uuid("event.uuid", e.uuid),
    tsMs: tsMs("event.ts_ms", e.tsMs),
    hostId,
    jobId: e.jobId === "" ? hello.jobId : id("event.job_id", e.jobId, false),
    kind,
    category: text("event.category", e.category, LIMITS.category),
    signature: text("event.signature", e.signature, LIMITS.signature),
    message: text("event.message", e.message, LIMITS.message),
    detailsJson: json("event.details_json", e.detailsJson, LIMITS.detailsJson),
    exitCode: e.exitCode === undefined ? null : num("event.exit_code", e.exitCode, -(2 ** 31), 2 ** 31 - 1, true),
    signal,
    crash: crash ?? (FAILURE_KINDS.has(kind) ? { firstFatalLine: "", excerpt: "", suggestion: "", logFile: "" } : null),
  };
}

export function telemetryFromWire(t: WireTelemetry, hello: Hello): TelemetrySample {
  const daemonState = text("telemetry.daemon_state", t.daemonState, LIMITS.daemonState);
  if (daemonState !== "" && !STATE_RE.test(daemonState)) throw invalidArgument("telemetry.daemon_state", "must be lower_snake_case");
  return {
    hostId: hello.hostId,
    tsMs: tsMs("telemetry.ts_ms", t.tsMs),
    cpuPct: num("telemetry.cpu_pct", t.cpuPct, 0, 100),
    memUsedBytes: bytes("telemetry.mem_used_bytes", t.memUsedBytes),
    memTotalBytes: bytes("telemetry.mem_total_bytes", t.memTotalBytes),
    diskFreeBytes: bytes("telemetry.disk_free_bytes", t.diskFreeBytes),
    gpus: list("telemetry.gpus", t.gpus, LIMITS.gpus, (f, x) => {
      const g = x as WireTelemetry["gpus"][number];
      return {
        index: num(`${f}.index`, g.index, 0, 1023, true),
        utilPct: num(`${f}.util_pct`, g.utilPct, 0, 100),
        memUsedBytes: bytes(`${f}.mem_used_bytes`, g.memUsedBytes),
        memTotalBytes: bytes(`${f}.mem_total_bytes`, g.memTotalBytes),
        tempC: num(`${f}.temp_c`, g.tempC, -100, 300),
        powerW: num(`${f}.power_w`, g.powerW, 0, 100_000),
      };
    }),
    step: num("telemetry.step", t.step, -1, Number.MAX_SAFE_INTEGER, true),
    stepRate: num("telemetry.step_rate", t.stepRate, 0, 1e9),
    daemonState,
  };
}

export function commandResultFromWire(r: WireCommandResult): { commandId: string; answer: CommandAnswer } {
  return {
    commandId: uuid("command_result.command_id", r.commandId),
    answer: {
      ok: r.ok === true,
      outputJson: json("command_result.output_json", r.outputJson, LIMITS.outputJson),
      error: text("command_result.error", r.error, LIMITS.error),
      summary: text("command_result.summary", r.summary, LIMITS.summary),
      problems: num("command_result.problems", r.problems, 0, 2 ** 32 - 1, true),
    },
  };
}

export function restartAskFromWire(r: WireRestartRequest): RestartAsk {
  return {
    requestId: uuid("request_id", r.requestId),
    hostId: id("host_id", r.hostId, true),
    jobId: id("job_id", r.jobId, false),
    signature: text("signature", r.signature, LIMITS.signature),
    category: text("category", r.category, LIMITS.category),
    reason: text("reason", r.reason, LIMITS.reason),
    localRestarts: num("local_restarts", r.localRestarts, 0, 1_000_000, true),
    crashUuid: r.crashUuid === "" ? "" : uuid("crash_uuid", r.crashUuid),
  };
}

export function verdictToWire(v: RestartVerdict): WireDecision {
  return {
    allow: v.allow,
    reason: v.reason,
    delayMs: v.delayMs,
    scope: scopeToWire(v.scope),
    grantId: v.grantId,
    decisionId: v.decisionId,
    coalesced: v.coalesced,
  };
}

export function commandArgsToWire(a: CommandArgs): WireCommandArgs {
  return { fix: a.fix, names: [...a.names], lastNLines: a.lastNLines, reason: a.reason, extraJson: a.extraJson };
}

// ---- CLI -> controller ----

/** A required host id from a fleet request (charset and length of hello.host_id). */
export function hostIdFromWire(field: string, v: unknown): string {
  return id(field, v, true);
}

/** ResetBudget's signature: "" (every open breaker) or a printable signature of at most 256 bytes. */
export function signatureFromWire(field: string, v: unknown): string {
  const s = text(field, v, LIMITS.signature);
  if (!PRINTABLE_RE.test(s)) throw invalidArgument(field, "must not contain control characters");
  return s;
}

function queryLimit(field: string, v: number): number {
  return v === 0 ? 100 : num(field, v, 1, LIMITS.queryLimit, true);
}

function since(field: string, v: number): number {
  return num(field, v, 0, MAX_TS_MS, true);
}

export function crashQueryFromWire(q: ListCrashesRequest): CrashQuery {
  return {
    hostId: id("host_id", q.hostId, false),
    jobId: id("job_id", q.jobId, false),
    category: text("category", q.category, LIMITS.category),
    sinceMs: since("since_ms", q.sinceMs),
    limit: queryLimit("limit", q.limit),
  };
}

/** ListIncidents' filters, validated like ListCrashes'. */
export function incidentQueryFromWire(q: ListIncidentsRequest): IncidentQuery {
  return {
    jobId: id("job_id", q.jobId, false),
    hostId: id("host_id", q.hostId, false),
    category: text("category", q.category, LIMITS.category),
    sinceMs: since("since_ms", q.sinceMs),
    limit: queryLimit("limit", q.limit),
  };
}

export function eventQueryFromWire(q: ListEventsRequest): EventQuery {
  const out: { -readonly [K in keyof EventQuery]: EventQuery[K] } = {
    hostId: id("host_id", q.hostId, false),
    jobId: id("job_id", q.jobId, false),
    sinceMs: since("since_ms", q.sinceMs),
    limit: queryLimit("limit", q.limit),
  };
  if (q.kind !== WireEventKind.EVENT_KIND_UNSPECIFIED) out.kind = eventKindFromWire("kind", q.kind);
  return out;
}

export interface CommandFanOut {
  readonly hostIds: readonly string[];
  readonly all: boolean;
  readonly kind: CommandKind;
  readonly args: CommandArgs;
  /** 0: the controller's default. */
  readonly timeoutMs: number;
}

export function fanOutFromWire(r: RunCommandRequest): CommandFanOut {
  const hostIds = list("host_ids", r.hostIds, LIMITS.commandTargets, (f, x) => id(f, x, true));
  if (!r.all && hostIds.length === 0) throw invalidArgument("host_ids", "name at least one host, or set all");
  if (r.all && hostIds.length > 0) throw invalidArgument("host_ids", "give hosts or all, not both");
  const a = r.args ?? { fix: false, names: [], lastNLines: 0, reason: "", extraJson: "" };
  return {
    hostIds: [...new Set(hostIds)],
    all: r.all === true,
    kind: commandKindFromWire("kind", r.kind),
    args: {
      fix: a.fix === true,
      names: list("args.names", a.names, LIMITS.names, (f, x) => {
        const n = text(f, x, LIMITS.name);
        if (!CHECK_NAME_RE.test(n)) throw invalidArgument(f, "a check id holds only letters, digits and . _ -");
        return n;
      }),
      lastNLines: num("args.last_n_lines", a.lastNLines, 0, 10_000_000, true),
      reason: printable("args.reason", text("args.reason", a.reason, LIMITS.reason)),
      extraJson: json("args.extra_json", a.extraJson, LIMITS.extraJson),
    },
    timeoutMs: num("timeout_ms", r.timeoutMs, 0, 2 ** 32 - 1, true),
  };
}

// ---- controller -> CLI ----

export function eventToWire(e: AgentEvent) {
  return {
    uuid: e.uuid,
    tsMs: e.tsMs,
    hostId: e.hostId,
    jobId: e.jobId,
    kind: eventKindToWire(e.kind),
    category: e.category,
    signature: e.signature,
    message: e.message,
    detailsJson: e.detailsJson,
    exitCode: e.exitCode ?? undefined,
    signal: e.signal,
    crash: e.crash ? { ...e.crash } : undefined,
  } satisfies WireEvent;
}

export function storedEventToWire(e: StoredEvent): WireStoredEvent {
  return { event: eventToWire(e), receivedMs: e.receivedMs };
}

export function hostToWire(h: HostSummary): WireHostSummary {
  return { ...h, capabilities: [...h.capabilities], gpus: { ...h.gpus } };
}

export function decisionToWire(d: StoredDecision): WireStoredDecision {
  return {
    decisionId: d.decisionId,
    requestId: d.requestId,
    hostId: d.hostId,
    jobId: d.jobId,
    signature: d.signature,
    category: d.category,
    requestReason: d.requestReason,
    decidedMs: d.decidedMs,
    decision: verdictToWire(d),
  };
}

export function hostDetailToWire(d: HostDetail): WireHostDetail {
  return {
    host: hostToWire(d.host),
    recentEvents: d.recentEvents.map(storedEventToWire),
    recentCrashes: d.recentCrashes.map(storedEventToWire),
    recentDecisions: d.recentDecisions.map(decisionToWire),
    recentHealthRuns: d.recentHealthRuns.map((r) => ({ ...r })),
  };
}

function incidentMemberToWire(m: IncidentMember): WireIncidentMember {
  const { exitCode, kind, role, ...rest } = m;
  return { ...rest, kind: eventKindToWire(kind), role: (INCIDENT_ROLES.indexOf(role) + 1) as WireIncidentRole, exitCode: exitCode ?? undefined };
}

/** An incident for the wire (roles and kinds as enums). */
export function incidentToWire(i: Incident): WireIncident {
  return { ...i, origin: incidentMemberToWire(i.origin), others: i.others.map(incidentMemberToWire) };
}

export function outcomeToWire(o: CommandOutcome): WireOutcome {
  return { ...o, durationMs: Math.min(Math.round(o.durationMs), 2 ** 32 - 1) };
}

export function budgetToWire(b: BudgetStatus): WireBudgetStatus {
  return {
    nowMs: b.nowMs,
    policy: { ...b.policy },
    fleetRestartsInWindow: b.fleetRestartsInWindow,
    hosts: b.hosts.map((h) => ({ ...h })),
    breakers: b.breakers.map((x) => ({ ...x, hostIds: [...x.hostIds] })),
    recentDecisions: b.recentDecisions.map(decisionToWire),
  };
}

// ---- wire -> domain on the CLI side (the fleet client) ----

export function eventFromStoredWire(s: WireStoredEvent): StoredEvent {
  const e = s.event;
  return {
    uuid: e?.uuid ?? "",
    tsMs: e?.tsMs ?? 0,
    receivedMs: s.receivedMs,
    hostId: e?.hostId ?? "",
    jobId: e?.jobId ?? "",
    kind: (e && EVENT_KIND_BY_WIRE.get(e.kind)) || "info",
    category: e?.category ?? "",
    signature: e?.signature ?? "",
    message: e?.message ?? "",
    detailsJson: e?.detailsJson ?? "",
    exitCode: e?.exitCode ?? null,
    signal: e?.signal ?? "",
    crash: e?.crash ? { ...e.crash } : null,
  };
}

const NO_GPUS = { count: 0, utilAvgPct: 0, tempMaxC: 0, memUsedBytes: 0, memTotalBytes: 0, powerW: 0 };

export function hostFromWire(h: WireHostSummary): HostSummary {
  return { ...h, gpus: h.gpus ? { ...h.gpus } : NO_GPUS };
}

export function decisionFromWire(d: WireStoredDecision): StoredDecision {
  const v = d.decision;
  return {
    decisionId: d.decisionId,
    requestId: d.requestId,
    hostId: d.hostId,
    jobId: d.jobId,
    signature: d.signature,
    category: d.category,
    requestReason: d.requestReason,
    decidedMs: d.decidedMs,
    allow: v?.allow ?? false,
    reason: v?.reason ?? "",
    delayMs: v?.delayMs ?? 0,
    scope: scopeFromWire(v?.scope ?? 0),
    grantId: v?.grantId ?? "",
    coalesced: v?.coalesced ?? false,
  };
}

export function hostDetailFromWire(d: WireHostDetail): HostDetail {
  if (!d.host) throw new Error("controller answered a host detail without a host");
  return {
    host: hostFromWire(d.host),
    recentEvents: d.recentEvents.map(eventFromStoredWire),
    recentCrashes: d.recentCrashes.map(eventFromStoredWire),
    recentDecisions: d.recentDecisions.map(decisionFromWire),
    recentHealthRuns: d.recentHealthRuns.map((r) => ({ ...r, source: r.source === "command" ? "command" : "event" })),
  };
}

function incidentMemberFromWire(m: WireIncidentMember): IncidentMember {
  return {
    ...m,
    kind: EVENT_KIND_BY_WIRE.get(m.kind) ?? "crash",
    role: ROLE_BY_WIRE.get(m.role) ?? "symptom",
    exitCode: m.exitCode ?? null,
  };
}

/** An incident from the controller's answer (the CLI side). */
export function incidentFromWire(i: WireIncident): Incident {
  if (!i.origin) throw new Error("controller answered an incident without an origin");
  return { ...i, origin: incidentMemberFromWire(i.origin), others: i.others.map(incidentMemberFromWire) };
}

export function outcomeFromWire(o: WireOutcome): CommandOutcome {
  return { ...o };
}

export function budgetFromWire(b: WireBudgetStatus): BudgetStatus {
  const p = b.policy;
  return {
    nowMs: b.nowMs,
    policy: {
      hostMaxRestarts: p?.hostMaxRestarts ?? 0,
      hostWindowMs: p?.hostWindowMs ?? 0,
      backoffInitialMs: p?.backoffInitialMs ?? 0,
      backoffMaxMs: p?.backoffMaxMs ?? 0,
      jobCoalesceWindowMs: p?.jobCoalesceWindowMs ?? 0,
      fleetMaxRestarts: p?.fleetMaxRestarts ?? 0,
      fleetWindowMs: p?.fleetWindowMs ?? 0,
      breakerThreshold: p?.breakerThreshold ?? 0,
      breakerWindowMs: p?.breakerWindowMs ?? 0,
    },
    fleetRestartsInWindow: b.fleetRestartsInWindow,
    hosts: b.hosts.map((h) => ({ ...h })),
    breakers: b.breakers.map((x) => ({ ...x })),
    recentDecisions: b.recentDecisions.map(decisionFromWire),
  };
}
