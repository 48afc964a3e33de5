/**
 * The restart budget: whether a restart may happen now, and after how long a delay.
 *
 * A pure function of the restart history, the policy and the time (no I/O, no clock), so that the
 * supervisor, the `--once` pass and later the controller decide identically and tests need no
 * sleeping. Two independent limits:
 *
 * - Window: at most `maxRestarts` grants in any sliding window of `windowMs` (the brief: 3 in 5 min).
 *   Two grants at times a <= b share a window when b - a < windowMs.
 * - Back-off (Kubernetes' crash-loop back-off): consecutive restarts form a streak; the first restart
 *   of a streak starts at once, the second waits `backoffInitialMs`, then the wait doubles up to
 *   `backoffMaxMs`. A daemon that ran for `healthyResetMs` after its start ends the streak.
 *
 * Durations of runs are derived from the records: restart i started at `atMs + delayMs` and ran until
 * the next decision was asked for (the next record's `atMs`, or `nowMs` for the last one).
 */
import { formatDurationMs as fmt } from "../lib/units.js";

/** One granted restart. */
export interface RestartRecord {
  /** When the grant was decided (ms since the epoch). */
  readonly atMs: number;
  /** Back-off the supervisor waited after the grant before starting the daemon. */
  readonly delayMs: number;
  /** Why a restart was needed (crash, hang, not_running...): for people, not for the decision. */
  readonly cause?: string;
}

export interface RestartPolicy {
  /** Most grants in any window; 0 disables restarts. */
  readonly maxRestarts: number;
  readonly windowMs: number;
  /** Wait before the second restart of a streak; doubled for each further one. */
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  /** A run at least this long since its start ends the streak (the next restart waits nothing). */
  readonly healthyResetMs: number;
}

export interface RestartDecision {
  readonly allow: boolean;
  /** One sentence for logs and the CLI. */
  readonly reason: string;
  /** Allowed: how long to wait before starting. Denied: how long until a request can be granted. */
  readonly delayMs: number;
  /** Denied: the earliest time a request can be granted, or null for never (maxRestarts 0). */
  readonly retryAtMs: number | null;
  /** Restarts in the streak before this one (0 = first restart after a healthy run). */
  readonly streak: number;
  /** Grants already inside the window at `nowMs`. */
  readonly inWindow: number;
}

/** Back-off before a restart that follows `streak` consecutive restarts. */
export function backoffMs(streak: number, policy: RestartPolicy): number {
  if (streak <= 0) return 0;
  // Capping the exponent keeps the product finite for absurd streaks.
  const factor = 2 ** Math.min(streak - 1, 52);
  return Math.min(policy.backoffInitialMs * factor, policy.backoffMaxMs);
}

/** Number of restarts in the current streak at `nowMs` (records sorted by time ascending). */
export function streakLength(sorted: ReadonlyArray<RestartRecord>, policy: RestartPolicy, nowMs: number): number {
  let streak = 0;
  let endMs = nowMs;
  for (let i = sorted.length - 1; i >= 0; i--) {
    const r = sorted[i]!;
    const ranMs = endMs - (r.atMs + r.delayMs);
    if (ranMs >= policy.healthyResetMs) break;
    streak++;
    endMs = r.atMs;
  }
  return streak;
}

/** Decides whether a restart may happen at `nowMs`, given earlier grants. Pure. */
export function decideRestart(history: ReadonlyArray<RestartRecord>, policy: RestartPolicy, nowMs: number): RestartDecision {
  const sorted = [...history].sort((a, b) => a.atMs - b.atMs);
  // Records from the future (clock stepped back) stay counted: erring towards fewer restarts.
  const inWindow = sorted.filter((r) => nowMs - r.atMs < policy.windowMs);
  const streak = streakLength(sorted, policy, nowMs);
  const base = { streak, inWindow: inWindow.length };
  if (policy.maxRestarts <= 0) {
    return { ...base, allow: false, reason: "restarts are disabled (maxRestarts is 0)", delayMs: 0, retryAtMs: null };
  }
  if (inWindow.length >= policy.maxRestarts) {
    // The grant whose leaving the window brings the count below the limit.
    const leaving = inWindow[inWindow.length - policy.maxRestarts]!;
    const retryAtMs = Math.max(nowMs, leaving.atMs + policy.windowMs);
    return {
      ...base,
      allow: false,
      reason: `restart budget exhausted: ${inWindow.length} restarts in the last ${fmt(policy.windowMs)} (limit ${policy.maxRestarts})`,
      delayMs: retryAtMs - nowMs,
      retryAtMs,
    };
  }
  const delayMs = backoffMs(streak, policy);
  const reason =
    streak === 0
      ? `restart ${inWindow.length + 1} of ${policy.maxRestarts} in ${fmt(policy.windowMs)}, no back-off (first restart after a healthy run)`
      : `restart ${inWindow.length + 1} of ${policy.maxRestarts} in ${fmt(policy.windowMs)}, back-off ${fmt(delayMs)} (restart ${streak + 1} in a row)`;
  return { ...base, allow: true, reason, delayMs, retryAtMs: null };
}
