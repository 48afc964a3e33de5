/**
 * The health checks' worker thread (in-worker.ts starts it): runs the registry's checks in this thread
 * and streams each outcome, then the report. Loaded by any other worker, it does nothing.
 */
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { describeError } from "../lib/errors.js";
import { WORKER_MARK, type FromWorker, type WorkerInput } from "./in-worker.js";
import { runChecks } from "./runner.js";

/** Runs the checks named in workerData and reports to the parent. */
async function workerMain(): Promise<void> {
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

if (!isMainThread && (workerData as Record<string, unknown> | null)?.[WORKER_MARK] === true) void workerMain();
