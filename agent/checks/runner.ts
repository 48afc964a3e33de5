/**
 * Runs health checks concurrently, each under its own deadline, applies safe repairs when asked and
 * re-runs the repaired checks. Free of CLI concerns: the agent runs it periodically too.
 *
 * The registry's checks run in a worker thread: a check that times out may still have work queued
 * (20,000 checkpoint folders to stat) that no signal can cancel, and in this thread it would keep
 * the event loop busy and the command alive long after its deadline. The worker is terminated once
 * every check has an outcome, so the run ends when its slowest check times out.
 */
import { setMaxListeners } from "node:events";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
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
  /** The checks to choose from (default: the registry); tests pass their own (they run in this thread). */
  readonly checks?: readonly Check[];
  /** Run in this thread even for the registry's checks (the worker itself uses it). */
  readonly inThread?: boolean;
  /** Called with each first-round outcome as soon as it is known (the worker streams them). */
  readonly onOutcome?: (index: number, outcome: CheckOutcome) => void;
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
  // Injected checks and clocks are functions, which cannot cross into a worker.
  if (!opts.checks && !opts.now && !opts.inThread && selected.length > 0) return runInWorker(settings, selected, opts, started);
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
  const ran = await Promise.all(
    selected.map(async (c, i) => {
      const r = await runCheck(c, settings, runOpts);
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
  const checks = ran.map(outcome);
  const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) summary[c.status]++;
  return { checks, summary, fixes, ok: summary.fail === 0, durationMs: Math.round(performance.now() - started) };
}

// ---------- the worker ----------

const WORKER_MARK = "trainsafe-checks-worker";
/** Slack on the worker's own deadlines before this thread stops waiting for it. */
const WORKER_SLACK_MS = 250;
/** How long a cancelled worker gets to stop its checks' children before it is terminated. */
const WORKER_ABORT_GRACE_MS = 500;

type FromWorker =
  | { readonly type: "started" }
  | { readonly type: "outcome"; readonly index: number; readonly outcome: CheckOutcome }
  | { readonly type: "report"; readonly report: CheckReport }
  | { readonly type: "error"; readonly message: string };

/**
 * Loads this module in a worker. Under tsx (development: the module is a .ts file) the worker
 * registers tsx first; the bundle needs nothing.
 */
const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
(async () => {
  if (workerData.tsxApi) (await import(workerData.tsxApi)).register();
  await import(workerData.module);
})().catch((err) => { require("node:worker_threads").parentPort.postMessage({ type: "error", message: String(err && err.stack || err) }); });
`;

function tsxApiFor(): string | null {
  // Loader hooks of the parent (tsx's register(), or --import tsx) do not reach an eval worker.
  return import.meta.url.endsWith(".ts") ? import.meta.resolve("tsx/esm/api") : null;
}

function timedOut(check: Check, timeoutMs: number): CheckOutcome {
  return { id: check.id, title: check.title, status: "fail", message: `timed out after ${seconds(timeoutMs)}`, durationMs: timeoutMs };
}

/** Runs the registry's checks in a worker thread and terminates it when every outcome is known. */
async function runInWorker(settings: Settings, selected: Check[], opts: RunChecksOptions, started: number): Promise<CheckReport> {
  const timeoutMs = settings.checks.checkTimeout;
  const ids = selected.map((c) => c.id);
  const worker = new Worker(BOOTSTRAP, {
    eval: true,
    workerData: { [WORKER_MARK]: true, module: import.meta.url, tsxApi: tsxApiFor(), settings, ids, fix: opts.fix === true },
    // The worker's output is the checks' own (a stray console.log); results come as messages.
    stdout: false,
    stderr: false,
  });
  const outcomes: Array<CheckOutcome | undefined> = new Array(selected.length);
  let known = 0;
  let deadline: NodeJS.Timeout | undefined;
  let fixDeadline: NodeJS.Timeout | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  const finalReport = (fixes: FixOutcome[]): CheckReport => {
    const checks = outcomes.map((o, i) => o ?? timedOut(selected[i]!, timeoutMs));
    const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
    for (const c of checks) summary[c.status]++;
    return { checks, summary, fixes, ok: summary.fail === 0, durationMs: Math.round(performance.now() - started) };
  };
  try {
    return await new Promise<CheckReport>((resolve, reject) => {
      const firstRoundDone = () => {
        if (deadline) clearTimeout(deadline);
        deadline = undefined;
        if (!opts.fix) return resolve(finalReport([]));
        // Repairs run one at a time, each under the check deadline, followed by a re-run of the check.
        const bound = selected.length * 2 * (timeoutMs + WORKER_SLACK_MS) + WORKER_SLACK_MS;
        fixDeadline = setTimeout(() => resolve(finalReport([])), bound);
      };
      const onAbort = () => {
        worker.postMessage({ type: "abort" });
        graceTimer = setTimeout(() => resolve(finalReport([])), WORKER_ABORT_GRACE_MS);
      };
      if (opts.signal?.aborted) onAbort();
      else opts.signal?.addEventListener("abort", onAbort, { once: true });
      worker.on("message", (m: FromWorker) => {
        switch (m.type) {
          case "started":
            // Every check started now: none may end later than its deadline, whatever the worker does.
            deadline = setTimeout(() => {
              known = selected.length;
              firstRoundDone();
            }, timeoutMs + WORKER_SLACK_MS);
            return;
          case "outcome":
            if (known >= selected.length || outcomes[m.index]) return;
            outcomes[m.index] = m.outcome;
            opts.onOutcome?.(m.index, m.outcome);
            if (++known === selected.length) firstRoundDone();
            return;
          case "report":
            for (let i = 0; i < m.report.checks.length; i++) outcomes[i] = m.report.checks[i];
            return resolve(finalReport(m.report.fixes));
          case "error":
            return reject(new Error(`health checks worker failed: ${m.message}`));
        }
      });
      worker.on("error", reject);
      worker.on("exit", (code) => reject(new Error(`health checks worker exited (${code}) before reporting`)));
    });
  } finally {
    clearTimeout(deadline);
    clearTimeout(fixDeadline);
    clearTimeout(graceTimer);
    // Whatever a timed-out check still had queued goes with the worker.
    await worker.terminate();
  }
}

/** Worker side: runs the checks in its own thread and streams each outcome, then the report. */
async function workerMain(): Promise<void> {
  const port = parentPort!;
  const data = workerData as { settings: Settings; ids: string[]; fix: boolean };
  const ac = new AbortController();
  port.on("message", (m: { type: string }) => {
    if (m.type === "abort") ac.abort(new Error("cancelled"));
  });
  const post = (m: FromWorker) => port.postMessage(m);
  try {
    post({ type: "started" });
    const report = await runChecks(data.settings, {
      only: data.ids,
      fix: data.fix,
      inThread: true,
      signal: ac.signal,
      onOutcome: (index, outcome) => post({ type: "outcome", index, outcome }),
    });
    post({ type: "report", report });
  } catch (err) {
    post({ type: "error", message: describeError(err) });
  }
}

if (!isMainThread && (workerData as Record<string, unknown> | null)?.[WORKER_MARK] === true) void workerMain();
