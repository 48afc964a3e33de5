/** The controller's store: one SQLite database, one repository per table. */
import { configError, describeError } from "../../agent/lib/errors.js";
import { checkpointEveryMs, damagedDbError, isDamagedDbError, openDatabase, type Db, type OpenOptions } from "./db.js";
import { BreakerRepo } from "./breakers.js";
import { WalCheckpointer } from "./checkpointer.js";
import { CrashRepo } from "./crashes.js";
import { DecisionRepo } from "./decisions.js";
import { EventRepo } from "./events.js";
import { HealthRunRepo } from "./health-runs.js";
import { HostRepo } from "./hosts.js";
import { IncidentRepo } from "./incidents.js";
import { TelemetryRepo } from "./telemetry.js";

export class Store {
  readonly hosts: HostRepo;
  readonly events: EventRepo;
  readonly crashes: CrashRepo;
  readonly decisions: DecisionRepo;
  readonly breakers: BreakerRepo;
  readonly healthRuns: HealthRunRepo;
  readonly telemetry: TelemetryRepo;
  readonly incidents: IncidentRepo;

  private readonly run: ReturnType<Db["transaction"]>;
  private checkpointTimer: NodeJS.Timeout | null = null;
  /** The worker thread that checkpoints the WAL (null: none, or it failed and the timer does it). */
  checkpointer: WalCheckpointer | null = null;

  private constructor(readonly db: Db) {
    this.run = db.transaction((fn: () => unknown) => fn());
    this.hosts = new HostRepo(db);
    this.events = new EventRepo(db);
    this.crashes = new CrashRepo(db);
    this.decisions = new DecisionRepo(db);
    this.breakers = new BreakerRepo(db);
    this.healthRuns = new HealthRunRepo(db);
    this.telemetry = new TelemetryRepo(db);
    this.incidents = new IncidentRepo(db);
  }

  /** Opens (and migrates) the database file; see openDatabase for the errors. */
  static open(file: string, opts: OpenOptions = {}): Store {
    const db = openDatabase(file, opts);
    let store: Store;
    try {
      store = new Store(db);
    } catch (err) {
      // Preparing the statements reads the schema: any error here is the file's, and named as such.
      db.close();
      if (isDamagedDbError(err)) throw damagedDbError(file, describeError(err));
      throw configError(file, `cannot use the database (${describeError(err)})`);
    }
    const everyMs = checkpointEveryMs(opts);
    if (everyMs > 0) store.startCheckpoints(file, everyMs, opts.checkpointInWorker ?? true);
    return store;
  }

  /**
   * Checkpoints the WAL every `everyMs` outside the commits: in a worker thread (checkpointer.ts: the
   * page copies and their fsyncs never block the event loop), or from a timer on this thread when the
   * worker is not wanted or cannot run.
   */
  private startCheckpoints(file: string, everyMs: number, inWorker: boolean): void {
    const useTimer = () => {
      if (!this.db.open || this.checkpointTimer) return;
      this.checkpointTimer = setInterval(() => this.checkpoint(), everyMs);
      this.checkpointTimer.unref();
    };
    if (!inWorker) return useTimer();
    try {
      this.checkpointer = new WalCheckpointer(file, everyMs, () => {
        this.checkpointer = null;
        useTimer();
      });
    } catch {
      useTimer();
    }
  }

  /**
   * Copies the WAL's committed pages into the database file (PASSIVE: waits for no reader and
   * blocks no writer), so the next commit starts the WAL over. Returns the WAL's frames and how
   * many are now in the file; null when it could not run (closed, inside a transaction, an error:
   * a store that is unusable fails the next write, where the controller handles it).
   */
  checkpoint(): { walFrames: number; checkpointed: number } | null {
    if (!this.db.open || this.db.inTransaction) return null;
    try {
      const [r] = this.db.pragma("wal_checkpoint(PASSIVE)") as Array<{ busy: number; log: number; checkpointed: number }>;
      return r ? { walFrames: r.log, checkpointed: r.checkpointed } : null;
    } catch {
      return null;
    }
  }

  /** Runs `fn` in one IMMEDIATE transaction (the write lock is taken at BEGIN, so check-then-write is safe). */
  immediate<T>(fn: () => T): T {
    // One wrapper for every call (nested calls become savepoints as before): db.transaction(fn)
    // builds five functions each time, once per restart decision in a burst.
    return this.run.immediate(fn) as T;
  }

  /** Stops the checkpoint timer and closes the database (SQLite checkpoints the WAL on close). */
  close(): void {
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    this.checkpointTimer = null;
    // The worker's connection first: this one, closing last, checkpoints and removes the WAL.
    this.checkpointer?.close();
    this.checkpointer = null;
    if (this.db.open) this.db.close();
  }
}
