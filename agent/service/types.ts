/** Domain types the agent works with; agent/rpc converts them to and from the wire (proto/gen). */

export type AgentEventKind =
  | "crash"
  | "hang"
  | "kill"
  | "restart"
  | "grant"
  | "denial"
  | "block"
  | "health_check"
  | "info"
  | "warning"
  | "local_restart";

export interface CrashDetails {
  readonly firstFatalLine: string;
  readonly excerpt: string;
  readonly suggestion: string;
  readonly logFile: string;
}

/** One event of this host, spooled on disk until the controller acknowledges its uuid. */
export interface AgentEvent {
  readonly uuid: string;
  readonly tsMs: number;
  readonly kind: AgentEventKind;
  readonly category: string;
  readonly signature: string;
  readonly message: string;
  readonly details?: unknown;
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  readonly crash?: CrashDetails;
}

export interface GpuTelemetry {
  readonly index: number;
  readonly utilPct: number;
  readonly memUsedBytes: number;
  readonly memTotalBytes: number;
  readonly tempC: number;
  readonly powerW: number;
}

export interface TelemetrySample {
  readonly tsMs: number;
  readonly cpuPct: number;
  readonly memUsedBytes: number;
  readonly memTotalBytes: number;
  readonly diskFreeBytes: number;
  readonly gpus: GpuTelemetry[];
  /** -1 when unknown. */
  readonly step: number;
  /** Steps per second; 0 when unknown. */
  readonly stepRate: number;
  readonly daemonState: string;
}

export type AgentCommandKind = "run_checks" | "scan_crashes" | "verify_resume" | "validate_config" | "kill_daemon" | "restart_daemon";

export interface AgentCommand {
  readonly id: string;
  readonly kind: AgentCommandKind;
  readonly fix: boolean;
  readonly names: readonly string[];
  readonly lastNLines: number;
  readonly reason: string;
}

export interface AgentCommandResult {
  /** The command ran (false: `error` says why it could not). */
  readonly ok: boolean;
  readonly output: unknown;
  readonly error: string;
  readonly summary: string;
  /** Findings that need attention; 0 = healthy / nothing found. */
  readonly problems: number;
}

export interface GrantRequest {
  readonly requestId: string;
  readonly signature: string;
  readonly category: string;
  readonly reason: string;
  readonly localRestarts: number;
  readonly crashUuid: string;
}

export interface GrantDecision {
  readonly allow: boolean;
  readonly reason: string;
  readonly delayMs: number;
  readonly scope: "host" | "job" | "fleet" | "breaker" | "local";
  readonly grantId: string;
  readonly coalesced: boolean;
}
