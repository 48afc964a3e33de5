/**
 * The health-check contract: a check is an id, a title and one async `run`. It returns a status, a
 * one-line message, optional details, and optionally a safe repair that `--fix` may apply.
 */
import type { Settings } from "../config/settings.js";

export type CheckStatus = "pass" | "warn" | "fail" | "skip";

export interface CheckFix {
  /** What the repair will do, shown before it is applied ("create missing folder logs/"). */
  readonly description: string;
  /** Applies the repair and says what was done; throws when it could not be done. */
  apply(): Promise<string>;
}

export interface CheckResult {
  readonly status: CheckStatus;
  readonly message: string;
  readonly details?: Record<string, unknown>;
  readonly fix?: CheckFix;
}

export interface CheckContext {
  readonly settings: Settings;
  /** Milliseconds since the epoch; injected so that tests control time. */
  now(): number;
  /** Aborted when the check times out or the whole run is cancelled: stop work, kill children. */
  readonly signal: AbortSignal;
  /**
   * What the checks of one run share (a scan of /proc that two of them need): one map for the checks
   * of a run, a new one for the next run and for the re-runs after repairs. Absent: nothing shared.
   */
  readonly shared?: Map<string, unknown>;
}

export interface Check {
  readonly id: string;
  readonly title: string;
  run(ctx: CheckContext): Promise<CheckResult>;
}

/** Builds a result; keeps check files short. */
export function result(status: CheckStatus, message: string, details?: Record<string, unknown>, fix?: CheckFix): CheckResult {
  const r: { status: CheckStatus; message: string; details?: Record<string, unknown>; fix?: CheckFix } = { status, message };
  if (details !== undefined) r.details = details;
  if (fix !== undefined) r.fix = fix;
  return r;
}

/** The worse of two statuses (fail > warn > pass > skip). */
export function worst(a: CheckStatus, b: CheckStatus): CheckStatus {
  const rank: Record<CheckStatus, number> = { skip: 0, pass: 1, warn: 2, fail: 3 };
  return rank[b] > rank[a] ? b : a;
}
