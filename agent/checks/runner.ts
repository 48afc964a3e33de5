/**
 * Runs health checks concurrently, each under its own deadline, applies safe repairs when asked and
 * re-runs the repaired checks. Free of CLI concerns: the agent runs it periodically too.
 *
 * The registry's checks run in a worker thread by default (in-worker.ts, worker.ts): a check that times
 * out may still have work queued that no signal can cancel, and in a process that lives on (the agent)
 * it would keep running after its deadline. `trainsafe check` runs them in its own thread (inThread)
 * and exits once it has reported (in-worker.ts, runChecksInThisThread).
 */
import { setMaxListeners } from "node:events";
import type { Settings } from "../config/settings.js";
import { describeError } from "../lib/errors.js";
import { useSynchronousReadsFor } from "../lib/fs-mode.js";
import { noMountMayHang, readMountInfo } from "../lib/mounts.js";
import { selectChecks } from "./catalog.js";
import { runInWorker } from "./in-worker.js";
import { CHECKS } from "./registry.js";
import { monotonicMs, reportOf, seconds, type CheckOutcome, type CheckReport, type FixOutcome } from "./report.js";
import { result, type Check, type CheckContext, type CheckResult, type CheckStatus } from "./types.js";

export { selectChecks };
export type { CheckOutcome, CheckReport, FixOutcome };

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
  /** The checks to choose from (default: the registry); tests pass their own (they run in this thread). */
  readonly checks?: readonly Check[];
  /** Run in this thread even for the registry's checks (the worker itself uses it). */
  readonly inThread?: boolean;
  /** Called with each first-round outcome as soon as it is known (the worker streams them). */
  readonly onOutcome?: (index: number, outcome: CheckOutcome) => void;
  /**
   * Read files synchronously during the run (lib/fs-mode.ts, useSynchronousReadsFor: no thread-pool
   * round trip per call, timers still fire between reads) when no mount of this process can hang a call
   * (lib/mounts.ts). For `trainsafe check`, which exits once it has reported; the agent leaves it off.
   */
  readonly synchronousReadsIfLocal?: boolean;
  /** The mount table to judge by (default /proc/self/mountinfo): a seam for the tests. */
  readonly mountInfo?: () => string | null;
}

/** How long synchronous reads may run back to back before timers get a turn (a check's deadline). */
const READ_SLICE_MS = 5;

interface Ran {
  readonly check: Check;
  readonly result: CheckResult;
  readonly durationMs: number;
}

/**
 * A check's signal, made when the check first reads it: most checks never do (12 of the 15 in the
 * registry), and an AbortController made, aborted and its abort event dispatched for each cost `check`
 * ~1 ms of CPU (docs/benchmarks.md, start-up, 2026-12-07 18:40). Read after the check was stopped, it
 * is already aborted with the reason it would have had.
 */
class LazySignal {
  private ac: AbortController | undefined;
  private why: string | undefined;

  get signal(): AbortSignal {
    if (!this.ac) {
      this.ac = new AbortController();
      if (this.why !== undefined) this.ac.abort(new Error(this.why));
    }
    return this.ac.signal;
  }

  /** Aborts the signal (once: the first reason stays), or records why for a signal read later. */
  stop(why: "cancelled" | "timed out" | "done"): void {
    if (this.why !== undefined) return;
    this.why = why;
    this.ac?.abort(new Error(why));
  }
}

/**
 * Runs one check with a deadline. On timeout (or cancellation) its signal is aborted, which kills any
 * child process it started, and the check is reported without waiting for it to notice.
 */
export async function runCheck(check: Check, settings: Settings, opts: { timeoutMs: number; signal?: AbortSignal; now?: () => number; shared?: Map<string, unknown> }): Promise<Ran> {
  const now = opts.now ?? Date.now;
  const started = monotonicMs();
  const own = new LazySignal();
  let timer: NodeJS.Timeout | undefined;
  const stopped = new Promise<CheckResult>((resolve) => {
    const onOuterAbort = () => {
      own.stop("cancelled");
      resolve(result("skip", "cancelled"));
    };
    if (opts.signal?.aborted) onOuterAbort();
    else opts.signal?.addEventListener("abort", onOuterAbort, { once: true });
    timer = setTimeout(() => {
      own.stop("timed out");
      resolve(result("fail", `timed out after ${seconds(opts.timeoutMs)}`));
    }, opts.timeoutMs);
  });
  const ctx: CheckContext = {
    settings,
    now,
    get signal() {
      return own.signal;
    },
    ...(opts.shared ? { shared: opts.shared } : {}),
  };
  const running = Promise.resolve()
    .then(() => check.run(ctx))
    .catch((err: unknown) => result("fail", `check crashed: ${describeError(err)}`));
  try {
    const r = await Promise.race([running, stopped]);
    return { check, result: r, durationMs: Math.round(monotonicMs() - started) };
  } finally {
    clearTimeout(timer);
    // Whatever the check still has running (a child process) is stopped once we stop waiting for it.
    own.stop("done");
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
  const started = monotonicMs();
  const selected = selectChecks(opts.checks ?? CHECKS, opts.only, opts.skip);
  // Injected checks and clocks are functions, which cannot cross into a worker.
  if (!opts.checks && !opts.now && !opts.inThread && selected.length > 0) return runInWorker(settings, selected, opts, started);
  const timeoutMs = settings.checks.checkTimeout;
  // A thread-pool round trip costs more CPU than the read it carries on a small folder (~3 ms of
  // `check`'s ~40, docs/benchmarks.md, start-up, 2026-12-06 18:30); only where no call can hang.
  const restoreReads = opts.synchronousReadsIfLocal && noMountMayHang((opts.mountInfo ?? readMountInfo)()) ? useSynchronousReadsFor(READ_SLICE_MS) : undefined;
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
    restoreReads?.();
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
  // The first round's checks share what more than one of them reads (types.ts, CheckContext.shared).
  const shared = new Map<string, unknown>();
  const ran = await Promise.all(
    selected.map(async (c, i) => {
      const r = await runCheck(c, settings, { ...runOpts, shared });
      opts.onOutcome?.(i, outcome(r));
      return r;
    }),
  );
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
  return reportOf(ran.map(outcome), fixes, started);
}
