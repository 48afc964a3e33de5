/**
 * Runs health checks concurrently, each under its own deadline, applies safe repairs when asked and
 * re-runs the repaired checks. Free of CLI concerns: the agent runs it periodically too.
 */
import { setMaxListeners } from "node:events";
import type { Settings } from "../config/settings.js";
import { describeError, usageError } from "../lib/errors.js";
import { CHECKS } from "./registry.js";
import { result, type Check, type CheckResult, type CheckStatus } from "./types.js";

export interface RunChecksOptions {
  /** Apply the safe repairs that failing or warning checks offer, then re-run those checks. */
  readonly fix?: boolean;
  /** Check ids to run (default: all). */
  readonly only?: readonly string[];
  /** Check ids to leave out. */
  readonly skip?: readonly string[];
  readonly signal?: AbortSignal;
  /** Clock in epoch milliseconds (default Date.now). */
  readonly now?: () => number;
  /** The checks to choose from (default: the registry); tests pass their own. */
  readonly checks?: readonly Check[];
}

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

/** Picks checks by id; unknown ids are a usage error that lists the known ones. */
export function selectChecks(all: readonly Check[], only?: readonly string[], skip?: readonly string[]): Check[] {
  const known = new Set(all.map((c) => c.id));
  for (const id of [...(only ?? []), ...(skip ?? [])]) {
    if (!known.has(id)) throw usageError(`unknown check "${id}" (known: ${[...known].join(", ")})`);
  }
  const wanted = only && only.length > 0 ? new Set(only) : null;
  const dropped = new Set(skip ?? []);
  return all.filter((c) => (!wanted || wanted.has(c.id)) && !dropped.has(c.id));
}

interface Ran {
  readonly check: Check;
  readonly result: CheckResult;
  readonly durationMs: number;
}

function seconds(ms: number): string {
  return `${+(ms / 1000).toFixed(3)}s`;
}

/**
 * Runs one check with a deadline. On timeout (or cancellation) its signal is aborted, which kills any
 * child process it started, and the check is reported without waiting for it to notice.
 */
export async function runCheck(check: Check, settings: Settings, opts: { timeoutMs: number; signal?: AbortSignal; now?: () => number }): Promise<Ran> {
  const now = opts.now ?? Date.now;
  const started = performance.now();
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const stopped = new Promise<CheckResult>((resolve) => {
    const onOuterAbort = () => {
      ac.abort(new Error("cancelled"));
      resolve(result("skip", "cancelled"));
    };
    if (opts.signal?.aborted) onOuterAbort();
    else opts.signal?.addEventListener("abort", onOuterAbort, { once: true });
    timer = setTimeout(() => {
      ac.abort(new Error("timed out"));
      resolve(result("fail", `timed out after ${seconds(opts.timeoutMs)}`));
    }, opts.timeoutMs);
  });
  const running = Promise.resolve()
    .then(() => check.run({ settings, now, signal: ac.signal }))
    .catch((err: unknown) => result("fail", `check crashed: ${describeError(err)}`));
  try {
    const r = await Promise.race([running, stopped]);
    return { check, result: r, durationMs: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
    // Whatever the check still has running (a child process) is stopped once we stop waiting for it.
    if (!ac.signal.aborted) ac.abort(new Error("done"));
  }
}

function outcome(r: Ran): CheckOutcome {
  const o: { -readonly [K in keyof CheckOutcome]: CheckOutcome[K] } = {
    id: r.check.id,
    title: r.check.title,
    status: r.result.status,
    message: r.result.message,
    durationMs: r.durationMs,
  };
  if (r.result.details) o.details = r.result.details;
  if (r.result.fix) o.fix = r.result.fix.description;
  return o;
}

/** Applies one repair under the same deadline as a check; never throws. */
async function applyFix(r: Ran, timeoutMs: number): Promise<{ applied: boolean; message: string }> {
  const fix = r.result.fix!;
  let timer: NodeJS.Timeout | undefined;
  try {
    const message = await Promise.race([
      fix.apply(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`repair timed out after ${seconds(timeoutMs)}`)), timeoutMs);
      }),
    ]);
    return { applied: true, message };
  } catch (err) {
    return { applied: false, message: describeError(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the selected checks; with `fix`, repairs what is safe and reports the re-run status. */
export async function runChecks(settings: Settings, opts: RunChecksOptions = {}): Promise<CheckReport> {
  const started = performance.now();
  const selected = selectChecks(opts.checks ?? CHECKS, opts.only, opts.skip);
  const timeoutMs = settings.checks.checkTimeout;
  // One internal signal that every check listens to (more than the default 10 listeners), following
  // the caller's; the caller's own signal then carries a single listener of ours.
  const cancel = new AbortController();
  setMaxListeners(selected.length + 10, cancel.signal);
  const onAbort = () => cancel.abort(opts.signal?.reason);
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await runSelected(settings, selected, opts, { timeoutMs, signal: cancel.signal, ...(opts.now ? { now: opts.now } : {}) }, started);
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
  }
}

async function runSelected(
  settings: Settings,
  selected: Check[],
  opts: RunChecksOptions,
  runOpts: { timeoutMs: number; signal: AbortSignal; now?: () => number },
  started: number,
): Promise<CheckReport> {
  const timeoutMs = runOpts.timeoutMs;
  const ran = await Promise.all(selected.map((c) => runCheck(c, settings, runOpts)));
  const fixes: FixOutcome[] = [];
  if (opts.fix) {
    // Repairs run one at a time in registry order: two repairs never race on the same folder.
    for (let i = 0; i < ran.length; i++) {
      const r = ran[i]!;
      if (!r.result.fix || r.result.status === "pass" || r.result.status === "skip") continue;
      if (runOpts.signal.aborted) break;
      const applied = await applyFix(r, timeoutMs);
      const again = await runCheck(r.check, settings, runOpts);
      ran[i] = again;
      fixes.push({
        id: r.check.id,
        description: r.result.fix.description,
        applied: applied.applied,
        message: applied.message,
        statusBefore: r.result.status,
        statusAfter: again.result.status,
      });
    }
  }
  const checks = ran.map(outcome);
  const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) summary[c.status]++;
  return { checks, summary, fixes, ok: summary.fail === 0, durationMs: Math.round(performance.now() - started) };
}
