/**
 * Domain types of the controller and the fleet CLI. The wire (proto/gen) is converted to and from
 * these in controller/rpc only; everything else, the CLI included, works with these.
 */

export const EVENT_KINDS = [
  "crash",
  "hang",
  "kill",
  "restart",
  "grant",
  "denial",
  "block",
  "health_check",
  "info",
  "warning",
  "local_restart",
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Event kinds that describe a failure and are kept as crash records. */
export const FAILURE_KINDS: ReadonlySet<EventKind> = new Set(["crash", "hang"]);

export const COMMAND_KINDS = [
  "run_checks",
  "scan_crashes",
  "verify_resume",
  "validate_config",
  "kill_daemon",
  "restart_daemon",
] as const;
export type CommandKind = (typeof COMMAND_KINDS)[number];

export const DECISION_SCOPES = ["host", "job", "fleet", "breaker"] as const;
export type DecisionScope = (typeof DECISION_SCOPES)[number];

export interface Hello {
  readonly hostId: string;
  readonly jobId: string;
  readonly agentVersion: string;
  readonly capabilities: readonly string[];
  readonly baseDir: string;
}

export interface CrashInfo {
  readonly firstFatalLine: string;
  readonly excerpt: string;
  readonly suggestion: string;
  readonly logFile: string;
}

/** An event as the agent made it (uuid from the agent; ts on the agent's clock). */
export interface AgentEvent {
  readonly uuid: string;
  readonly tsMs: number;
  readonly hostId: string;
  readonly jobId: string;
  readonly kind: EventKind;
  readonly category: string;
  readonly signature: string;
  readonly message: string;
  readonly detailsJson: string;
  readonly exitCode: number | null;
  readonly signal: string;
  readonly crash: CrashInfo | null;
}

export interface StoredEvent extends AgentEvent {
  /** When the controller stored it (controller clock). */
  readonly receivedMs: number;
}

export interface GpuSample {
  readonly index: number;
  readonly utilPct: number;
  readonly memUsedBytes: number;
  readonly memTotalBytes: number;
  readonly tempC: number;
  readonly powerW: number;
}

export interface TelemetrySample {
  readonly hostId: string;
  readonly tsMs: number;
  readonly cpuPct: number;
  readonly memUsedBytes: number;
  readonly memTotalBytes: number;
  readonly diskFreeBytes: number;
  readonly gpus: readonly GpuSample[];
  /** -1: unknown. */
  readonly step: number;
  readonly stepRate: number;
  readonly daemonState: string;
}

export interface GpuSummary {
  readonly count: number;
  readonly utilAvgPct: number;
  readonly tempMaxC: number;
  readonly memUsedBytes: number;
  readonly memTotalBytes: number;
  readonly powerW: number;
}

export interface CommandArgs {
  readonly fix: boolean;
  readonly names: readonly string[];
  readonly lastNLines: number;
  readonly reason: string;
  readonly extraJson: string;
}

export interface CommandAnswer {
  readonly ok: boolean;
  readonly outputJson: string;
  readonly error: string;
  readonly summary: string;
  readonly problems: number;
}

export interface CommandOutcome extends CommandAnswer {
  readonly hostId: string;
  readonly durationMs: number;
  /** False: the host had no open stream, nothing was sent. */
  readonly connected: boolean;
}

export interface RestartAsk {
  readonly requestId: string;
  readonly hostId: string;
  readonly jobId: string;
  readonly signature: string;
  readonly category: string;
  readonly reason: string;
  readonly localRestarts: number;
  readonly crashUuid: string;
}

export interface RestartVerdict {
  readonly decisionId: string;
  readonly allow: boolean;
  readonly reason: string;
  readonly delayMs: number;
  readonly scope: DecisionScope;
  /** Allowed: the grant (shared by every host coalesced into it); denied: "". */
  readonly grantId: string;
  readonly coalesced: boolean;
}

export interface StoredDecision extends RestartVerdict {
  readonly requestId: string;
  readonly hostId: string;
  readonly jobId: string;
  readonly signature: string;
  readonly category: string;
  readonly requestReason: string;
  readonly decidedMs: number;
}

export interface HostSummary {
  readonly hostId: string;
  readonly jobId: string;
  readonly connected: boolean;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly agentVersion: string;
  readonly capabilities: readonly string[];
  readonly baseDir: string;
  readonly daemonState: string;
  readonly step: number;
  readonly stepRate: number;
  readonly cpuPct: number;
  readonly memUsedBytes: number;
  readonly memTotalBytes: number;
  readonly diskFreeBytes: number;
  readonly gpus: GpuSummary;
  /** 0: no telemetry yet. */
  readonly telemetryTsMs: number;
}

export interface HealthRun {
  readonly hostId: string;
  readonly tsMs: number;
  readonly source: "command" | "event";
  readonly ok: boolean;
  readonly problems: number;
  readonly summary: string;
}

export interface HostDetail {
  readonly host: HostSummary;
  readonly recentEvents: readonly StoredEvent[];
  readonly recentCrashes: readonly StoredEvent[];
  readonly recentDecisions: readonly StoredDecision[];
  readonly recentHealthRuns: readonly HealthRun[];
}

export interface CrashQuery {
  readonly hostId?: string;
  readonly jobId?: string;
  readonly category?: string;
  readonly sinceMs?: number;
  readonly limit?: number;
}

export interface EventQuery {
  readonly hostId?: string;
  readonly jobId?: string;
  readonly kind?: EventKind;
  readonly sinceMs?: number;
  readonly limit?: number;
}

export interface BudgetPolicyView {
  readonly hostMaxRestarts: number;
  readonly hostWindowMs: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly jobCoalesceWindowMs: number;
  readonly fleetMaxRestarts: number;
  readonly fleetWindowMs: number;
  readonly breakerThreshold: number;
  readonly breakerWindowMs: number;
}

export interface HostBudget {
  readonly hostId: string;
  readonly restartsInWindow: number;
  /** 0: a restart could be granted now. */
  readonly nextAllowedMs: number;
}

export interface BreakerView {
  readonly signature: string;
  readonly open: boolean;
  readonly openedMs: number;
  readonly resetMs: number;
  readonly hostIds: readonly string[];
  readonly reason: string;
}

export interface BudgetStatus {
  readonly nowMs: number;
  readonly policy: BudgetPolicyView;
  readonly fleetRestartsInWindow: number;
  readonly hosts: readonly HostBudget[];
  readonly breakers: readonly BreakerView[];
  readonly recentDecisions: readonly StoredDecision[];
}

/**
 * The part a failure plays in an incident: a cause (an OOM, an exception, a hardware fault), a
 * possible cause (a network-level NCCL error: also what a rank sees when its peer died) or a
 * symptom (a collective timeout, a kill by the launcher).
 */
export const INCIDENT_ROLES = ["cause", "possible_cause", "symptom"] as const;
export type IncidentRole = (typeof INCIDENT_ROLES)[number];

/** One host's crash or hang within an incident. */
export interface IncidentMember {
  readonly uuid: string;
  readonly hostId: string;
  /** When the agent reported it (agent clock). */
  readonly tsMs: number;
  /** When it began: tsMs, or earlier for a timeout that states how long it waited. */
  readonly onsetMs: number;
  readonly role: IncidentRole;
  readonly kind: EventKind;
  readonly category: string;
  readonly signature: string;
  readonly firstFatalLine: string;
  readonly suggestion: string;
  readonly exitCode: number | null;
  readonly signal: string;
}

/** The failures of the hosts of one job that belong together, the origin first. */
export interface Incident {
  readonly incidentId: string;
  readonly jobId: string;
  /** Onset of its first member (agent clock). */
  readonly startMs: number;
  /** Latest report of a member (agent clock). */
  readonly endMs: number;
  readonly windowMs: number;
  /** True while reports may still join (the window after startMs has not passed). */
  readonly open: boolean;
  /** False: only symptoms were reported; the origin is then the earliest of them. */
  readonly originKnown: boolean;
  /** Hosts in it (one failure each), the origin's included. */
  readonly hostCount: number;
  readonly origin: IncidentMember;
  /** The other members in onset order; the first 20 (hostCount counts them all). */
  readonly others: readonly IncidentMember[];
}

export interface IncidentQuery {
  readonly jobId?: string;
  /** Incidents with a member on this host. */
  readonly hostId?: string;
  /** Incidents with a member of this category. */
  readonly category?: string;
  /** Incidents with a report at or after this time. */
  readonly sinceMs?: number;
  readonly limit?: number;
}
