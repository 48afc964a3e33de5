/**
 * Supervisor events: each is one JSON line in logs/watchdog.log (or logs/anti_stuck.log for the hang
 * path: hang reports, kills, unkillable processes, like the two scripts it replaces) and one
 * readable line on stderr. The same objects go to the `onEvent` hook (the agent forwards them).
 */
import { appendLine } from "../lib/files.js";
import { formatDurationMs } from "../lib/units.js";
import type { Layout } from "../config/layout.js";
import type { RestartDecision } from "./budget.js";
import type { HangKind } from "./diagnose.js";
import type { Phase } from "./progress.js";
import type { SignalRecord } from "./kill.js";

/** The crash scanner's first fatal finding, as far as the supervisor and its events use it. */
export interface CrashFinding {
  readonly category: string;
  readonly signature: string;
  readonly suggestion: string | null;
  readonly file: string | null;
  readonly line: number | null;
  readonly text: string | null;
}

/** Why the supervisor wants the daemon (re)started. */
export type RestartCause = "crash" | "hang" | "not_running" | "operator";

interface Base {
  /** ISO time of the event. */
  readonly time: string;
}

export type WatchdogEvent = Base &
  (
    | { readonly type: "supervisor_start"; readonly baseDir: string; readonly pid: number }
    | { readonly type: "supervisor_stop"; readonly baseDir: string; readonly reason: string }
    | { readonly type: "adopt"; readonly pid: number; readonly cmdline: string; readonly identityRecorded: boolean }
    | { readonly type: "not_daemon"; readonly pid: number | null; readonly message: string }
    | ({
        readonly type: "crash";
        /** The id the restart grant request named this crash by (GrantContext.crash). */
        readonly crashId?: string;
        readonly pid: number;
        /** Known only when this supervisor spawned the daemon; null for an adopted one. */
        readonly exitCode: number | null;
        readonly signal: string | null;
        readonly ranMs: number | null;
      } & CrashFinding)
    | {
        readonly type: "hang";
        readonly pid: number;
        readonly phase: Phase;
        readonly step: number | null;
        readonly quietMs: number;
        readonly limitMs: number;
        readonly adaptiveLimit: boolean;
        readonly kind: HangKind;
        readonly reasons: string[];
        readonly report: unknown;
      }
    | {
        readonly type: "kill";
        readonly pid: number;
        readonly ok: boolean;
        readonly attempts: number;
        readonly members: number[];
        readonly signals: ReadonlyArray<SignalRecord>;
        readonly skipped: ReadonlyArray<{ pid: number; reason: string }>;
        readonly durationMs: number;
        /** Why the daemon was killed: "hang", or an operator's reason. */
        readonly reason?: string;
      }
    | { readonly type: "held"; readonly reason: string }
    | { readonly type: "unheld"; readonly reason: string }
    | { readonly type: "unkillable"; readonly pid: number; readonly attempts: number; readonly survivors: ReadonlyArray<{ pid: number; state: string; cmdline: string }> }
    | { readonly type: "grant"; readonly cause: RestartCause; readonly decision: RestartDecision }
    | { readonly type: "denied"; readonly cause: RestartCause; readonly decision: RestartDecision }
    | {
        readonly type: "blocked";
        readonly cause: RestartCause;
        readonly reasons: string[];
        /** Trainers of this folder that no PID file names, when they are what blocks the start (never signalled). */
        readonly trainers?: ReadonlyArray<{ readonly pid: number; readonly cmdline: string; readonly launched: boolean }>;
      }
    | { readonly type: "unblocked"; readonly cause: RestartCause }
    | { readonly type: "restart"; readonly pid: number; readonly cause: RestartCause; readonly command: string[]; readonly latencyMs: number | null }
    | { readonly type: "start_failed"; readonly cause: RestartCause; readonly message: string }
    | { readonly type: "error"; readonly message: string }
  );

export type WatchdogEventType = WatchdogEvent["type"];

/** Distributes `Omit` over the union so each event keeps its own fields. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type WatchdogEventInput = DistributiveOmit<WatchdogEvent, "time">;

/** Events of the hang path go to anti_stuck.log, the rest to watchdog.log. */
export function logFileFor(type: WatchdogEventType, layout: Layout): string {
  return type === "hang" || type === "kill" || type === "unkillable" ? layout.antiStuckLog : layout.watchdogLog;
}

/** One readable line for a person watching stderr. */
export function describeEvent(e: WatchdogEvent): string {
  switch (e.type) {
    case "supervisor_start":
      return `supervising ${e.baseDir} (supervisor PID ${e.pid})`;
    case "supervisor_stop":
      return `supervisor stopped (${e.reason}); the daemon keeps running`;
    case "adopt":
      return `adopted running daemon PID ${e.pid} (${e.cmdline.slice(0, 100)})${e.identityRecorded ? "; identity recorded" : ""}`;
    case "not_daemon":
      return `not acting: ${e.message}`;
    case "crash": {
      const how = e.signal ? `killed by ${e.signal}` : e.exitCode !== null ? `exit code ${e.exitCode}` : "exit status unknown (adopted daemon)";
      return `daemon PID ${e.pid} died (${how}): ${e.category}${e.text ? ` "${e.text.slice(0, 120)}"` : ""}${e.suggestion ? ` - ${e.suggestion}` : ""}`;
    }
    case "hang":
      return `daemon PID ${e.pid} hung: no progress for ${formatDurationMs(e.quietMs)} in ${e.phase} (limit ${formatDurationMs(e.limitMs)}${e.adaptiveLimit ? ", adaptive" : ""}) at step ${e.step ?? "?"}: ${e.kind} (${e.reasons.join("; ")})`;
    case "held":
      return `daemon held by an operator (${e.reason}); nothing is adopted, signalled or restarted until a restart is asked for`;
    case "unheld":
      return `operator hold lifted (${e.reason})`;
    case "kill":
      return (e.reason && e.reason !== "hang" ? `[${e.reason}] ` : "") + (e.ok
        ? `killed daemon PID ${e.pid} and ${e.members.length - 1} other member(s) in ${formatDurationMs(e.durationMs)} (${e.signals.map((s) => `${s.signal}->${s.pid}`).join(", ") || "no signal needed"})`
        : `could not kill daemon PID ${e.pid} tree after ${e.attempts} attempts`);
    case "unkillable":
      return `UNKILLABLE after ${e.attempts} attempts: ${e.survivors.map((s) => `PID ${s.pid} state ${s.state}`).join(", ")}; giving up (needs an operator)`;
    case "grant":
      return `restart granted (${e.cause}): ${e.decision.reason}`;
    case "denied":
      return `restart denied (${e.cause}): ${e.decision.reason}${e.decision.retryAtMs !== null ? `; next try at ${new Date(e.decision.retryAtMs).toISOString()}` : ""}`;
    case "blocked":
      return `restart blocked (${e.cause}): ${e.reasons.join("; ")}`;
    case "unblocked":
      return `nothing blocks the start any more; restarting (${e.cause})`;
    case "restart":
      return `daemon started, PID ${e.pid} (${e.cause}${e.latencyMs !== null ? `, ${formatDurationMs(e.latencyMs)} after it stopped` : ""})`;
    case "start_failed":
      return `daemon failed to start (${e.cause}): ${e.message}`;
    case "error":
      return `error: ${e.message}`;
  }
}

/** Appends the event as one JSON line to its log file; a failing write is reported, not thrown. */
export async function writeEventLog(layout: Layout, e: WatchdogEvent): Promise<string | null> {
  try {
    await appendLine(logFileFor(e.type, layout), JSON.stringify(e));
    return null;
  } catch (err) {
    return `cannot write ${logFileFor(e.type, layout)}: ${(err as Error).message}`;
  }
}
