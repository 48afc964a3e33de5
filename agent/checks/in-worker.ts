/**
 * Where the registry's checks run, without their code: this module knows the checks by the catalog
 * (ids and titles) and loads their module (worker.ts) only to run them, so `check --list` and the
 * CLI's option handling load none of it. In the shipped form that module is a script of its own
 * (deploy/build.mjs: only the checks and what they use), loaded with a code cache of its own.
 *
 * A check that times out may still have work queued (20,000 checkpoint folders to stat) that no signal
 * can cancel. Two ways keep that from outliving its deadline:
 * - the agent (a process that lives on) runs them in a worker thread (runInWorker), terminated once
 *   every check has an outcome, so a run ends when its slowest check times out;
 * - `trainsafe check` (a process that ends when it has reported) runs them in its main thread
 *   (runChecksInThisThread): each check's own deadline (runner.ts, runCheck) settles its outcome, the
 *   command reports, and then exits (exitOnceReported) whatever the timed-out checks still have queued.
 *   A worker thread cost that command about half of `node -e 0` in CPU (node boots a second
 *   environment and loads its built-in modules again; docs/benchmarks.md, start-up). What only a
 *   worker bounds is a check stuck in synchronous JavaScript (an endless loop in our own code): the
 *   main thread's deadline cannot fire during it. A program that hangs is killed at the deadline
 *   (the check's signal), and a file system call that hangs in the thread pool holds the process in
 *   either form (a worker is not terminated before its thread-pool requests return; process.exit
 *   waits for them too).
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Settings } from "../config/settings.js";
import { CHECK_CATALOG, selectChecks, type CheckInfo } from "./catalog.js";
import { monotonicMs, reportOf, seconds, type CheckOutcome, type CheckReport, type FixOutcome } from "./report.js";

/** Slack on the worker's own deadlines before this thread stops waiting for it. */
const WORKER_SLACK_MS = 250;
/** How long a cancelled worker gets to stop its checks' children before it is terminated. */
const WORKER_ABORT_GRACE_MS = 500;

/** What the worker sends: "started" once its checks are loaded and running, then outcomes, then the report. */
export type FromWorker =
  | { readonly type: "started" }
  | { readonly type: "outcome"; readonly index: number; readonly outcome: CheckOutcome }
  | { readonly type: "report"; readonly report: CheckReport }
  | { readonly type: "error"; readonly message: string };

/** What the worker is given. */
export interface WorkerInput {
  readonly settings: Settings;
  readonly ids: readonly string[];
  readonly fix: boolean;
}

/** Options of a run in the worker. */
export interface InWorkerOptions {
  /** Apply the safe repairs, then re-run the repaired checks. */
  readonly fix?: boolean;
  readonly signal?: AbortSignal;
  /** Called with each first-round outcome as soon as it is known. */
  readonly onOutcome?: (index: number, outcome: CheckOutcome) => void;
}

/** The worker's module, named by deploy/build.mjs in each bundle (its own script beside this one). */
declare const TRAINSAFE_CHECKS_WORKER: string | undefined;

function workerModule(): string {
  return new URL(typeof TRAINSAFE_CHECKS_WORKER === "string" ? TRAINSAFE_CHECKS_WORKER : "./worker.ts", import.meta.url).href;
}

/**
 * Loads the worker module and starts it (its workerMain: loading it alone starts nothing, so `check`,
 * which loads it in its main thread, never loads node:worker_threads, ~0.4 ms and six built-in modules).
 * Under tsx (development: the module is a .ts file) the worker registers tsx first. The shipped CommonJS
 * script is required: import() would first load node's ES module loader into the worker (~10 ms of CPU).
 */
const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
(async () => {
  if (workerData.tsxApi) (await import(workerData.tsxApi)).register();
  const checks = workerData.module.endsWith(".cjs") ? require(require("node:url").fileURLToPath(workerData.module)) : await import(workerData.module);
  await checks.workerMain();
})().catch((err) => { require("node:worker_threads").parentPort.postMessage({ type: "error", message: String(err && err.stack || err) }); });
`;

function tsxApiFor(module: string): string | null {
  // Loader hooks of the parent (tsx's register(), or --import tsx) do not reach an eval worker.
  return module.endsWith(".ts") ? import.meta.resolve("tsx/esm/api") : null;
}

function timedOut(check: CheckInfo, timeoutMs: number): CheckOutcome {
  return { id: check.id, title: check.title, status: "fail", message: `timed out after ${seconds(timeoutMs)}`, durationMs: timeoutMs };
}

/** The checks' module (worker.ts): required where it is a CommonJS script (the shipped `check`), else imported. */
async function loadChecks(): Promise<typeof import("./worker.js")> {
  const module = workerModule();
  if (module.endsWith(".cjs")) return createRequire(import.meta.url)(fileURLToPath(module)) as typeof import("./worker.js");
  return (await import(module)) as typeof import("./worker.js");
}

/**
 * Runs the catalog's checks (all, or those --only/--skip leave) in this thread: the way of a command
 * that ends once it has reported, which must then call exitOnceReported (a timed-out check may still
 * have work queued). See the file comment.
 */
export async function runChecksInThisThread(settings: Settings, opts: InWorkerOptions & { readonly only?: readonly string[]; readonly skip?: readonly string[] } = {}): Promise<CheckReport> {
  const started = monotonicMs();
  const selected = selectChecks(CHECK_CATALOG, opts.only, opts.skip);
  if (selected.length === 0) return reportOf([], [], started);
  const { runChecks } = await loadChecks();
  const report = await runChecks(settings, {
    only: selected.map((c) => c.id),
    fix: opts.fix === true,
    inThread: true,
    // This process exits once it has reported: where no mount can hang a call, reads are synchronous.
    synchronousReadsIfLocal: true,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onOutcome ? { onOutcome: opts.onOutcome } : {}),
  });
  // The run's own start, as the worker's report counts it from before the worker started.
  return { ...report, durationMs: Math.round(monotonicMs() - started) };
}

/**
 * Ends the process once what it has written is flushed (`afterOutput`: the caller's way of knowing,
 * by default process.stdout's), when anything is still pending then (the work a timed-out check left
 * queued); a process with nothing pending ends by itself, with its exit code.
 */
export function exitOnceReported(afterOutput: (done: () => void) => void = (done) => process.stdout.write("", done)): void {
  // An unref'd timer fires only while something else keeps the event loop alive.
  setTimeout(() => afterOutput(() => process.exit()), 0).unref();
}

/** Runs these checks (by id, in catalog order) in a worker thread and terminates it when every outcome is known. */
export async function runInWorker(settings: Settings, selected: readonly CheckInfo[], opts: InWorkerOptions, started: number): Promise<CheckReport> {
  const timeoutMs = settings.checks.checkTimeout;
  const module = workerModule();
  const input: WorkerInput = { settings, ids: selected.map((c) => c.id), fix: opts.fix === true };
  const { Worker } = await import("node:worker_threads");
  const worker = new Worker(BOOTSTRAP, {
    eval: true,
    workerData: { module, tsxApi: tsxApiFor(module), ...input },
    // The worker's output is the checks' own (a stray console.log); results come as messages.
    stdout: false,
    stderr: false,
  });
  const outcomes: Array<CheckOutcome | undefined> = new Array(selected.length);
  let known = 0;
  let deadline: NodeJS.Timeout | undefined;
  let fixDeadline: NodeJS.Timeout | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  const finalReport = (fixes: FixOutcome[]): CheckReport =>
    reportOf(
      outcomes.map((o, i) => o ?? timedOut(selected[i]!, timeoutMs)),
      fixes,
      started,
    );
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
