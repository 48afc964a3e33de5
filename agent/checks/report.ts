/** What a run of health checks reports, shared by the runner, its worker and the CLI (no check code here). */
import type { CheckStatus } from "./types.js";

export interface CheckOutcome {
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  readonly message: string;
  readonly details?: Record<string, unknown>;
  readonly durationMs: number;
  /** Description of the repair `--fix` would apply, when one is offered. */
  readonly fix?: string;
}

export interface FixOutcome {
  readonly id: string;
  readonly description: string;
  readonly applied: boolean;
  /** What the repair did, or why it failed. */
  readonly message: string;
  readonly statusBefore: CheckStatus;
  /** Status of the check re-run after the repair. */
  readonly statusAfter: CheckStatus;
}

export interface CheckReport {
  readonly checks: CheckOutcome[];
  readonly summary: Record<CheckStatus, number>;
  readonly fixes: FixOutcome[];
  /** False when any check failed. */
  readonly ok: boolean;
  readonly durationMs: number;
}

/**
 * Milliseconds on a monotonic clock, for durations. Not performance.now(): the global `performance`
 * loads node's perf_hooks (ten built-in modules, ~2 ms of `trainsafe check`'s CPU) on first use.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The report of these outcomes and repairs, timed from `startedMs` (monotonicMs()). */
export function reportOf(checks: CheckOutcome[], fixes: FixOutcome[], startedMs: number): CheckReport {
  const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) summary[c.status]++;
  return { checks, summary, fixes, ok: summary.fail === 0, durationMs: Math.round(monotonicMs() - startedMs) };
}

/** "1.5s" as the runner words a deadline ("timed out after 1.5s"). */
export function seconds(ms: number): string {
  return `${+(ms / 1000).toFixed(3)}s`;
}
