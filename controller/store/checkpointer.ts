/**
 * The WAL checkpoint off the event loop. A checkpoint copies the WAL's pages into the database file
 * and, with synchronous NORMAL or FULL, fsyncs the WAL and the file: at 5,000 agents a second's
 * telemetry and crashes are 1,400-2,900 pages, and the checkpoint blocked the controller's event
 * loop for 54-650 ms on a machine whose disk other work shared (a trace of a bench run, 2026-12-05),
 * the grants of any burst behind it waiting that long. Here a worker thread with its own connection
 * to the file runs PRAGMA wal_checkpoint(PASSIVE) every interval: PASSIVE takes no lock a writer
 * waits for, so the controller's commits go on appending to the WAL meanwhile, and the next commit
 * after a complete checkpoint starts the WAL over as before. Crash safety is SQLite's own (which
 * connection checkpoints does not change what a commit has made durable). What stays on the event
 * loop's thread is that first commit's sync of the restarted WAL's header (one small fsync a cycle:
 * 15 in a 25 s in-process run, median 1.9 ms, against the worker's 28 fsyncs of 12-18 ms).
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** One checkpoint's result, as PRAGMA wal_checkpoint reports it. */
export interface CheckpointResult {
  readonly walFrames: number;
  readonly checkpointed: number;
}

/**
 * The worker's code, plain CommonJS (evaluated, so it runs the same under tsx and in the shipped
 * bundle): opens the file, checkpoints every interval, reports each result, and on "close" closes its
 * connection and says so through the shared flag (the main thread may be waiting in Atomics.wait).
 */
const WORKER_CODE = `
const { workerData, parentPort } = require("node:worker_threads");
const done = new Int32Array(workerData.flag);
let db = null;
let timer = null;
const finish = () => {
  if (timer) clearInterval(timer);
  timer = null;
  try { if (db && db.open) db.close(); } catch {}
  db = null;
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
  parentPort.close();
};
parentPort.on("message", (m) => { if (m === "close") finish(); });
try {
  const Database = require(workerData.sqlite);
  db = new Database(workerData.file, { fileMustExist: true });
  db.pragma("busy_timeout = 1000");
  timer = setInterval(() => {
    try {
      const r = db.pragma("wal_checkpoint(PASSIVE)")[0];
      if (r) parentPort.postMessage({ walFrames: r.log, checkpointed: r.checkpointed });
    } catch {
      // A store that is unusable fails the main thread's next write, where the controller handles it.
    }
  }, workerData.intervalMs);
} catch (err) {
  parentPort.postMessage({ failed: String((err && err.message) || err) });
  finish();
}
`;

/** How long close() waits for the worker to close its connection (it waits for at most one checkpoint). */
const CLOSE_WAIT_MS = 5_000;

/** A worker thread checkpointing the WAL of `file` every `intervalMs`. */
export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private closed = false;
  /** Checkpoints the worker ran, and the newest one's result (for tests and diagnostics). */
  runs = 0;
  last: CheckpointResult | null = null;

  /**
   * Starts the worker; `onFailure` is called once if it cannot open the file or stops unexpectedly
   * (the Store then checkpoints on its own thread as before).
   */
  constructor(file: string, intervalMs: number, onFailure: (reason: string) => void) {
    const sqlite = createRequire(import.meta.url).resolve("better-sqlite3");
    this.worker = new Worker(WORKER_CODE, {
      eval: true,
      workerData: { file, intervalMs, sqlite, flag: this.flag.buffer },
      stdout: false,
      stderr: false,
    });
    // Like the timer it replaces, it must not keep the process alive.
    this.worker.unref();
    let failed = false;
    const fail = (reason: string) => {
      if (failed || this.closed) return;
      failed = true;
      this.closed = true;
      onFailure(reason);
    };
    this.worker.on("message", (m: { walFrames?: number; checkpointed?: number; failed?: string }) => {
      if (m.failed !== undefined) return fail(m.failed);
      if (m.walFrames !== undefined && m.checkpointed !== undefined) {
        this.runs++;
        this.last = { walFrames: m.walFrames, checkpointed: m.checkpointed };
      }
    });
    this.worker.on("error", (err) => fail(err.message));
    this.worker.on("exit", () => fail("the checkpoint worker exited"));
  }

  /**
   * Stops the worker and waits (synchronously, at most CLOSE_WAIT_MS) until its connection is closed,
   * so that the Store's own close is the last one and checkpoints and removes the WAL as before.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.worker.postMessage("close");
    Atomics.wait(this.flag, 0, 0, CLOSE_WAIT_MS);
    void this.worker.terminate();
  }
}
