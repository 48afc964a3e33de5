/**
 * The health checks' module of their own (deploy/build.mjs bundles it as a script: the checks and what
 * they use). In the agent it is a worker thread (in-worker.ts starts it and calls workerMain), which runs
 * the registry's checks and streams each outcome, then the report; loading it starts nothing.
 * `trainsafe check` loads it in its main thread instead and runs `runChecks` there (in-worker.ts,
 * runChecksInThisThread), so that command's main thread still loads no check code before it needs it.
 */
import { describeError } from "../lib/errors.js";
import type { FromWorker, WorkerInput } from "./in-worker.js";
import { runChecks } from "./runner.js";

export { runChecks };

/** Runs the checks named in workerData and reports to the parent (in-worker.ts's worker calls it). */
export async function workerMain(): Promise<void> {
  // Here, not at load: `check` loads this module in its main thread, which needs no worker_threads.
  const { parentPort, workerData } = await import("node:worker_threads");
  const port = parentPort!;
  const data = workerData as WorkerInput;
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

