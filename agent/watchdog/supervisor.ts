/**
 * The supervisor: one loop that watches the training daemon for death (an adopted daemon polled
 * every livenessPoll, a spawned child's at once through its exit event) and for hangs (status file
 * progress against per-phase limits), diagnoses, kills the whole tree, and restarts within a budget
 * after pre-flight checks.
 *
 * It replaces two scripts that could fight each other (daemon_watchdog and anti_stuck_monitor) with
 * one owner of the daemon per BASE_DIR, enforced by a lock file. It never stops training itself:
 * stopping the supervisor leaves the daemon running, and a new supervisor adopts it.
 *
 * Decisions take their time from the injected clock; spawn and kill are injected as well, and the
 * restart grant is a pluggable function (default: the local budget) so the agent can ask the
 * controller first and embed this class unchanged.
 */
import { spawn as nodeSpawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promises as fsp, statSync } from "node:fs";
import path from "node:path";
import type { Settings } from "../config/settings.js";
import { findDaemon, LAUNCH_ID_ENV, readPidFile, readRecordedIdentity, recordIdentity, unnamedTrainers, type DaemonIdentity, type UnnamedTrainer } from "../lib/daemon.js";
import { writeFileAtomic } from "../lib/files.js";
import { describeError, TrainsafeError } from "../lib/errors.js";
import { isSameLive, readCmdline, readIdentity, readProcStat, readProcStatSync, type ProcessIdentity } from "../lib/proc.js";
import { formatDurationMs, timerDelayMs } from "../lib/units.js";
import { decideRestart, type RestartDecision, type RestartPolicy, type RestartRecord } from "./budget.js";
import { diagnoseHang, type HangKind, type HangReport } from "./diagnose.js";
import { describeEvent, writeEventLog, type CrashFinding, type RestartCause, type WatchdogEvent, type WatchdogEventInput } from "./events.js";
import { killTree, realKillDeps, stillAlive, type KillDeps } from "./kill.js";
import { launchDaemon, recoverLaunch, type ExitInfo, type Launched, type SpawnFn } from "./launch.js";
import { crashModule, guardPreflight } from "./integrations.js";
import { runPreflight, type PreflightDeps, type PreflightResult } from "./preflight.js";
import { ProgressTracker, type ProgressPolicy } from "./progress.js";
import { processStartedAtMs, ProgressSources, type ProgressReading } from "./sources.js";
import { clearHold, loadHold, loadProgress, loadRestartHistory, saveHold, saveProgress, saveRestartHistory, stateDir } from "./state.js";

/** What a grant function is asked. */
export interface GrantContext {
  readonly cause: RestartCause;
  /** Restarts granted so far (local, persisted history). */
  readonly history: ReadonlyArray<RestartRecord>;
  readonly policy: RestartPolicy;
  readonly nowMs: number;
  readonly settings: Settings;
  /**
   * The crash behind a restart asked for on a death: its id (the crash event's `crashId`, sent later)
   * and what the scan named. The crash event is published after the launch, so a grant function that
   * needs the signature (the controller's correlated-failure breaker) takes it from here.
   */
  readonly crash?: CrashRef;
}

/** A crash as a grant request names it. */
export interface CrashRef {
  readonly id: string;
  readonly category: string;
  readonly signature: string;
}

export type RequestGrant = (ctx: GrantContext) => Promise<RestartDecision>;

/** The default grant: the local budget. */
export const localGrant: RequestGrant = async (ctx) => decideRestart(ctx.history, ctx.policy, ctx.nowMs);


export interface CrashHistoryInput {
  readonly source: "watchdog" | "hang";
  readonly category: string;
  readonly signature: string;
  readonly file?: string;
  readonly line?: number;
  readonly text?: string;
  readonly suggestion?: string;
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  readonly hangKind?: string;
  readonly details?: Record<string, unknown>;
}

/** Crash scanning and the crash history (agent/crash), injected so the supervisor stays testable. */
export interface CrashApi {
  /** `exit`: how the daemon ended, when seen; a failed exit makes the logs' last exception a finding. */
  readonly scan: (settings: Settings, exit?: { exitCode: number | null; signal: string | null }) => Promise<CrashFinding | null>;
  /** Records one entry in the crash history; returns a problem to report, or null. */
  readonly record: (settings: Settings, entry: CrashHistoryInput) => Promise<string | null>;
}

export type DiagnoseFn = (root: ProcessIdentity, opts: { timeoutMs: number; cpuSampleMs: number; nvidiaSmi?: string }) => Promise<HangReport>;

export interface SupervisorOptions {
  readonly settings: Settings;
  /** Called with every event after it was logged (the agent forwards them to the controller). */
  readonly onEvent?: (e: WatchdogEvent) => void | Promise<void>;
  readonly requestGrant?: RequestGrant;
  readonly clock?: () => number;
  readonly spawn?: SpawnFn;
  readonly kill?: KillDeps["signal"];
  /** Default: the guard's config validation and resume verification, and statfs. */
  readonly preflight?: PreflightDeps;
  /** Default: agent/crash's scanner and crash history. */
  readonly crash?: CrashApi;
  readonly diagnose?: DiagnoseFn;
  /** Readable event lines (default: stderr). */
  readonly log?: (line: string) => void;
  /**
   * Lift an operator's hold (BASE_DIR/.trainsafe/hold.json) at start: a person who runs
   * `trainsafe watchdog` asks for supervision. The agent's supervisor never sets this, so a hold
   * survives agent restarts until `fleet restart` lifts it.
   */
  readonly releaseHold?: boolean;
}

/** Resolved restart policy from the watchdog settings. */
export function restartPolicyOf(w: Settings["watchdog"]): RestartPolicy {
  return {
    maxRestarts: w.maxRestarts,
    windowMs: w.restartWindow,
    backoffInitialMs: w.backoffInitial,
    backoffMaxMs: w.backoffMax,
    healthyResetMs: w.healthyReset,
  };
}

/** Resolved progress policy from the watchdog settings. */
export function progressPolicyOf(w: Settings["watchdog"]): ProgressPolicy {
  return {
    trainingTimeoutMs: w.trainingTimeout,
    evalTimeoutMs: w.evalTimeout,
    checkpointTimeoutMs: w.checkpointTimeout,
    startupGraceMs: w.startupGrace,
    evalPhaseWords: w.evalPhaseWords,
    checkpointPhaseWords: w.checkpointPhaseWords,
    adaptive: { enabled: w.adaptive.enabled, minSteps: w.adaptive.minSteps, multiplier: w.adaptive.multiplier, floorMs: w.adaptive.floor },
  };
}

/** The daemon being watched. */
interface Watched {
  /** Replaced (same PID and start time) when the command line settles after the launcher's exec. */
  identity: DaemonIdentity;
  readonly launched: Launched | null;
  exit: ExitInfo | null;
  readonly startedAtMs: number;
  readonly tracker: ProgressTracker;
  /** mtime/size/inode of the status file at the last read: a change means something to read. */
  statusSig: string | null;
  lastReadAtMs: number;
  lastSavedAtMs: number;
  /** Consecutive failed status reads after the deadline passed (a half-written file is retried). */
  failedReadsPastDeadline: number;
  /** When the progress signature was last computed (it is compared at most every PROGRESS_EVERY_MS). */
  lastSigAtMs: number;
  /** comm from /proc/PID/stat when the command line was last read, and when: exec changes comm. */
  comm: string | null;
  cmdlineReadAtMs: number;
}

/** What the supervisor does while no daemon is watched. */
type Idle =
  | { readonly kind: "lookup" }
  | { readonly kind: "pending"; readonly cause: RestartCause }
  | { readonly kind: "waiting"; readonly cause: RestartCause; readonly retryAtMs: number | null }
  | {
      readonly kind: "blocked";
      readonly cause: RestartCause;
      readonly reasons: string[];
      checkedAtMs: number;
      /** Trainers of this folder that no PID file names, when they block the start: watched until they exit. */
      readonly trainers?: ReadonlyArray<UnnamedTrainer>;
      /** The PID file's stat signature when they were found: a PID file written since may name one (adoption). */
      pidFileSig?: string;
    }
  | { readonly kind: "foreign"; readonly pid: number | null; readonly message: string }
  | { readonly kind: "unkillable"; readonly survivors: ReadonlyArray<ProcessIdentity> }
  /** An operator killed the daemon: nothing restarts it until an operator asks (restartDaemon). */
  | { readonly kind: "held"; readonly reason: string };

/** Result of an operator action (fleet kill / restart). */
export interface ActionResult {
  readonly ok: boolean;
  readonly message: string;
  readonly details?: unknown;
}

export type SupervisorState = "watching" | Idle["kind"] | "stopped";

/** Progress sources of each watched daemon and their last reading (for the hang report). */
interface WatchedSources {
  readonly sources: ProgressSources;
  last: ProgressReading | null;
}
const watchedSources = new WeakMap<Watched, WatchedSources>();

/** Failed status reads past the deadline before the hang is declared on the last good data. */
const MAX_FAILED_READS_PAST_DEADLINE = 3;

/**
 * The progress sources are compared at most this often (or checkInterval, when shorter), not at
 * every liveness poll: hang limits are minutes, and stat-ing the status file and every log four
 * times a second was most of the idle agent's CPU. Past the deadline they are read at every poll,
 * the loop wakes at the deadline, and a change is dated by the sources' mtimes (checkProgress), so
 * a hang is found as promptly as before. (5 s was tried: the hang bench's hang -> kill went from
 * 0.7 s to 3.1 s, as a change is dated by the newest mtime of any source, and a log still written
 * by a trainer stuck in its step moves that date. Not kept.)
 * (A file-system watch was not used: a trainer's log grows several times a second, and each write
 * would wake the agent.)
 */
const PROGRESS_EVERY_MS = 2000;
/**
 * For this long after a daemon is launched or adopted its command line is read at every poll: a
 * launcher (pyenv shim, shell wrapper, `accelerate launch`) execs into the trainer within moments.
 * After that only when /proc/PID/stat's comm changes (an exec), and every checkInterval.
 */
const EXEC_SETTLE_MS = 10_000;
/**
 * An adopted daemon is not our child, so only the /proc poll sees it die. Past EXEC_SETTLE_MS after
 * the adoption it is polled every ADOPTED_POLL_FACTOR x livenessPoll (1 s by default) instead of every
 * livenessPoll: each wake of node costs 0.1-0.3 ms of CPU, and four a second were most of what an agent
 * with an adopted daemon spent over one with a launched daemon. The price: on average 3/8 s more from
 * such a death to the restart. (Node 20 has no way to wait on a non-child without a native module:
 * no pidfd, waitid only for children.)
 */
const ADOPTED_POLL_FACTOR = 4;

export class Supervisor {
  private readonly settings: Settings;
  private readonly w: Settings["watchdog"];
  private readonly clock: () => number;
  private readonly spawn: SpawnFn;
  private readonly killDeps: KillDeps;
  private readonly requestGrant: RequestGrant;
  private readonly diagnose: DiagnoseFn;
  private readonly log: (line: string) => void;
  private readonly crash: CrashApi;
  private readonly preflightDeps: PreflightDeps;
  private history: RestartRecord[] = [];
  private watched: Watched | null = null;
  private idle: Idle = { kind: "lookup" };
  private lastLookupAtMs = -Infinity;
  /** When the last daemon stopped (for the restart latency in the restart event). */
  private stoppedAtMs: number | null = null;
  private stopping = false;
  private started = false;
  private loopDone: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private lockHeld = false;
  private lastForeignMessage: string | null = null;
  /** Events of the current runOnce pass. */
  private collected: WatchdogEvent[] | null = null;
  private stopped = false;
  /** Operator actions, run by the loop between steps so they never race a step. */
  private actions: Array<() => Promise<void>> = [];

  constructor(private readonly opts: SupervisorOptions) {
    this.settings = opts.settings;
    this.w = opts.settings.watchdog;
    this.clock = opts.clock ?? Date.now;
    this.spawn = opts.spawn ?? nodeSpawn;
    this.killDeps = { ...realKillDeps, now: this.clock, ...(opts.kill ? { signal: opts.kill } : {}) };
    this.requestGrant = opts.requestGrant ?? localGrant;
    this.diagnose = opts.diagnose ?? ((root, o) => diagnoseHang(root, o));
    this.log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.crash = opts.crash ?? crashModule;
    this.preflightDeps = opts.preflight ?? guardPreflight;
  }

  /** Current state, for status displays and tests. */
  get state(): SupervisorState {
    if (this.stopped) return "stopped";
    return this.watched ? "watching" : this.idle.kind;
  }

  /** PID of the watched daemon, or null. */
  get daemonPid(): number | null {
    return this.watched?.identity.pid ?? null;
  }

  /** Takes the BASE_DIR lock, adopts or (re)starts the daemon, and starts the watch loop. */
  async start(): Promise<void> {
    if (this.started) return;
    await this.init();
    // A running daemon is adopted before start() returns; anything else (a death to handle, a start
    // that may wait out a back-off) is the loop's work, so start() never blocks for long.
    if (this.idle.kind !== "held") await this.lookup(true);
    this.started = true;
    this.loopDone = this.loop();
  }

  /** Stops watching (never the daemon), persists state and releases the lock. */
  async stop(reason = "stopped"): Promise<void> {
    if (!this.started) return;
    if (this.stopping) {
      await this.loopDone;
      return;
    }
    this.stopping = true;
    this.wake?.();
    await this.loopDone;
    await this.finish(reason);
  }

  /** One pass (for cron): adopt or handle the daemon's death, check for a hang, restart if needed. */
  async runOnce(): Promise<{ state: SupervisorState; events: WatchdogEvent[] }> {
    const events: WatchdogEvent[] = [];
    this.collected = events;
    await this.init();
    try {
      // First step: find the daemon (adopt it, or handle its death). Second: check the adopted
      // daemon's progress against the state the previous pass saved, or start a missing daemon.
      await this.step();
      await this.step();
      return { state: this.state, events };
    } finally {
      this.stopping = true;
      await this.finish("one pass done");
      this.collected = null;
    }
  }

  /**
   * Operator kill (fleet `kill HOST`): kills the daemon's tree through the identity guard and holds
   * it down: no restart until restartDaemon() is asked for.
   */
  killDaemon(reason: string): Promise<ActionResult> {
    return this.enqueue(async () => {
      const w = this.watched;
      if (!w) {
        if (this.idle.kind === "foreign") return { ok: false, message: `not killing: ${this.idle.message}` };
        // No daemon watched (waiting for a grant, blocked, already held...): the hold still stops
        // any restart, and members of the last launch still running (orphaned workers) are killed.
        const before = this.state;
        await this.hold(reason);
        const recorded = await readRecordedIdentity(this.settings.layout);
        const k = recorded?.launchId ? await this.killIdentity(recorded, reason) : null;
        if (k && !k.ok) return { ok: false, message: `could not kill what is left of the last daemon (PID ${recorded!.pid})`, details: k };
        const leftovers = k && k.members.length > 0 ? `; killed ${k.members.length} leftover process(es) of the last launch` : "";
        return { ok: true, message: `no daemon was running (state ${before})${leftovers}; held until a restart is asked for` };
      }
      // Held before the kill: a kill that fails (a survivor in D state) must not end in a restart
      // once the survivor finally goes.
      await this.hold(reason);
      const k = await this.killWatched(w, reason);
      if (!k.ok) return { ok: false, message: `could not kill daemon PID ${w.identity.pid} after ${k.attempts} attempts`, details: k };
      return { ok: true, message: `killed daemon PID ${w.identity.pid} and ${k.members.length - 1} other member(s); held until a restart is asked for`, details: k };
    });
  }

  /**
   * Operator restart (fleet `restart HOST`): kills the running daemon if any, then restarts it through
   * the pre-flight checks and the restart budget, like any other restart.
   */
  restartDaemon(reason: string): Promise<ActionResult> {
    return this.enqueue(async () => {
      const w = this.watched;
      if (!w && this.idle.kind === "foreign") return { ok: false, message: `not restarting: ${this.idle.message}` };
      if (w) {
        const k = await this.killWatched(w, reason);
        if (!k.ok) return { ok: false, message: `could not kill daemon PID ${w.identity.pid} before the restart`, details: k };
      }
      await this.releaseHold("operator restart");
      await this.restart("operator");
      if (this.watched) return { ok: true, message: `daemon restarted, PID ${this.watched.identity.pid}` };
      const idle = this.idle;
      const why =
        idle.kind === "blocked" ? `blocked: ${idle.reasons.join("; ")}` : idle.kind === "waiting" ? "denied by the restart budget" : `state ${idle.kind}`;
      return { ok: false, message: `daemon not restarted (${why})` };
    });
  }

  /** Asks for the awaited restart grant again now (the controller said its budget changed); no-op otherwise. */
  retryGrantNow(): void {
    const idle = this.idle;
    if (idle.kind !== "waiting" || idle.retryAtMs === null) return;
    this.idle = { ...idle, retryAtMs: this.clock() };
    this.wake?.();
  }

  private enqueue(action: () => Promise<ActionResult>): Promise<ActionResult> {
    if (!this.started || this.stopping) return Promise.resolve({ ok: false, message: "the supervisor is not running" });
    return new Promise((resolve, reject) => {
      this.actions.push(() => action().then(resolve, reject));
      this.wake?.();
    });
  }

  private async runActions(): Promise<void> {
    while (this.actions.length) await this.actions.shift()!();
  }

  /** Holds the daemon down (persisted): nothing adopts, signals or restarts it until released. */
  private async hold(reason: string): Promise<void> {
    this.idle = { kind: "held", reason };
    try {
      await saveHold(this.settings.layout, { reason, atMs: this.clock() });
    } catch (err) {
      await this.emit({ type: "error", message: `cannot persist the hold (it holds until this supervisor stops): ${describeError(err)}` });
    }
    await this.emit({ type: "held", reason });
  }

  private async releaseHold(why: string): Promise<void> {
    if (this.idle.kind === "held") this.idle = { kind: "lookup" };
    const had = await loadHold(this.settings.layout);
    if (!had) return;
    await clearHold(this.settings.layout);
    await this.emit({ type: "unheld", reason: why });
  }

  private async killWatched(w: Watched, reason: string) {
    this.watched = null;
    return this.killIdentity(w.identity, reason);
  }

  private async killIdentity(identity: DaemonIdentity, reason: string) {
    const k = await killTree(identity, { graceMs: this.w.killGrace, maxAttempts: this.w.maxKillAttempts }, this.killDeps);
    this.stoppedAtMs = this.clock();
    await this.emit({
      type: "kill",
      pid: identity.pid,
      ok: k.ok,
      attempts: k.attempts,
      members: k.members.map((m) => m.pid),
      signals: k.signals,
      skipped: k.skipped,
      durationMs: k.durationMs,
      reason,
    });
    if (k.ok) await this.removeStalePidFile(identity.pid);
    else this.idle = { kind: "unkillable", survivors: k.members.filter((m) => k.survivors.some((s) => s.pid === m.pid)) };
    return k;
  }

  // ---------- life cycle ----------

  private async init(): Promise<void> {
    await this.acquireLock();
    const h = await loadRestartHistory(this.settings.layout);
    this.history = h.records;
    await this.emit({ type: "supervisor_start", baseDir: this.settings.layout.baseDir, pid: process.pid });
    if (h.problem) await this.emit({ type: "error", message: `restart history unusable, starting empty: ${h.problem}` });
    if (this.opts.releaseHold) await this.releaseHold("trainsafe watchdog started by hand");
    const held = await loadHold(this.settings.layout);
    if (held) {
      this.idle = { kind: "held", reason: held.reason };
      await this.emit({ type: "held", reason: `${held.reason} (held since ${new Date(held.atMs).toISOString()}; lifted by fleet restart or trainsafe watchdog)` });
    }
  }

  private async finish(reason: string): Promise<void> {
    if (this.watched) await this.saveProgressNow(this.watched);
    await this.emit({ type: "supervisor_stop", baseDir: this.settings.layout.baseDir, reason });
    await this.releaseLock();
    this.stopped = true;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.runActions();
        if (this.stopping) break;
        await this.step();
      } catch (err) {
        await this.emit({ type: "error", message: `supervisor step failed: ${describeError(err)}` });
      }
      if (this.stopping) break;
      await this.pause(this.pollMs());
    }
  }

  /**
   * How long the loop sleeps. A daemon this supervisor launched is its child: its death wakes the
   * loop at once (the exit event), so polling /proc for it every livenessPoll finds nothing the
   * event does not; it is looked at once per progress interval, and at its progress deadline when
   * that comes sooner (so a hang is found as promptly as before). An adopted daemon is polled every
   * livenessPoll while its adoption settles, then every ADOPTED_POLL_FACTOR x livenessPoll (or at its
   * progress deadline when sooner). No daemon: every livenessPoll.
   */
  private pollMs(): number {
    const w = this.watched;
    const poll = this.w.livenessPoll;
    if (!w || w.exit) return poll;
    const now = this.clock();
    if (!w.launched && now - w.startedAtMs < EXEC_SETTLE_MS) return poll;
    // Never slower than the progress comparisons (checkProgress), so a hang is found as before.
    const progress = Math.max(poll, Math.min(PROGRESS_EVERY_MS, this.w.checkInterval));
    const slow = w.launched ? progress : Math.min(ADOPTED_POLL_FACTOR * poll, progress);
    return Math.max(poll, Math.min(slow, w.tracker.deadlineMs() - now));
  }

  /** Sleeps `ms`, cut short by stop() and, unless `onlyStop`, by the watched child's exit. */
  private pause(ms: number, onlyStop = false): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timerDelayMs(ms));
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.wake === wake) self.wake = null;
        resolve();
      }
      const wake = () => {
        if (onlyStop && !self.stopping) return;
        done();
      };
      this.wake = wake;
    });
  }

  // ---------- one step ----------

  private async step(): Promise<void> {
    if (this.watched) return this.watch(this.watched);
    const now = this.clock();
    const idle = this.idle;
    switch (idle.kind) {
      case "lookup":
      case "foreign":
        if (idle.kind === "lookup" || now - this.lastLookupAtMs >= this.w.checkInterval) await this.lookup(false);
        return;
      case "pending":
        return this.restart(idle.cause);
      case "waiting":
        if (await this.adoptIfRunning(now)) return;
        if (idle.retryAtMs !== null && now >= idle.retryAtMs) return this.restart(idle.cause);
        return;
      case "blocked":
        if (await this.adoptIfRunning(now)) return;
        if (idle.trainers) return this.recheckTrainers(idle, now);
        if (now - idle.checkedAtMs >= this.w.checkInterval) {
          // Re-checked quietly: no event, no grant, no start until the operator fixed the cause.
          idle.checkedAtMs = now;
          const pre = await this.preflight();
          if (pre.ok) {
            await this.emit({ type: "unblocked", cause: idle.cause });
            return this.restart(idle.cause, { checked: pre });
          }
        }
        return;
      case "held":
        // Held by an operator: whatever the PID file says now, nothing is adopted, signalled or
        // started until a restart is asked for (restartDaemon) or a person runs the watchdog.
        return;
      case "unkillable": {
        const alive = await Promise.all(idle.survivors.map((s) => stillAlive(s)));
        if (!alive.some(Boolean)) {
          const held = await loadHold(this.settings.layout);
          if (held) {
            this.idle = { kind: "held", reason: held.reason };
            return;
          }
          this.idle = { kind: "pending", cause: "hang" };
          return this.restart("hang");
        }
        return;
      }
    }
  }

  /** Reads the PID file and decides what the daemon's state means (`quiet`: only adopt). */
  private async lookup(quiet: boolean): Promise<void> {
    const { layout } = this.settings;
    this.lastLookupAtMs = this.clock();
    const r = await findDaemon(layout, this.w.daemonPattern);
    if (r.state === "running") return this.adopt(r.identity);
    if (r.state === "no_pid_file" || r.state === "not_running") {
      // A supervisor that died between starting a daemon and writing its PID file left it running.
      const orphan = await recoverLaunch(layout).catch(async (err: unknown) => {
        await this.emit({ type: "error", message: `cannot look for the daemon of an unfinished launch: ${describeError(err)}` });
        return null;
      });
      if (orphan) return this.adopt(orphan);
    }
    if (quiet) return;
    switch (r.state) {
      case "no_pid_file":
        this.idle = { kind: "pending", cause: "not_running" };
        return;
      case "not_running": {
        if (this.idle.kind === "foreign" && this.idle.pid === r.pid) {
          // The stranger the PID file named has exited: still no daemon, but no daemon crash either.
          await this.removeStalePidFile(r.pid);
          this.idle = { kind: "pending", cause: "not_running" };
          return;
        }
        // The daemon died while nobody watched: a crash whose exit status nobody saw.
        const recorded = await readRecordedIdentity(layout);
        const identity = recorded && recorded.pid === r.pid ? recorded : { pid: r.pid, startTicks: 0, cmdline: "" };
        return this.onDeath(identity, null, null);
      }
      case "not_daemon": {
        const recorded = await readRecordedIdentity(layout);
        if (recorded && recorded.pid === r.pid) {
          // The PID file names the daemon we recorded, but that PID now belongs to another process:
          // the daemon is gone. The other process is never signalled.
          await this.emit({ type: "not_daemon", pid: r.pid, message: `${r.message}; treating the daemon as dead` });
          return this.onDeath(recorded, null, null);
        }
        return this.foreign(r.pid, r.message);
      }
      case "bad_pid_file":
        return this.foreign(null, r.message);
    }
  }

  private async foreign(pid: number | null, message: string): Promise<void> {
    this.idle = { kind: "foreign", pid, message };
    if (this.lastForeignMessage === message) return;
    this.lastForeignMessage = message;
    await this.emit({ type: "not_daemon", pid, message: `${message}; not signalling or restarting anything until the PID file names the daemon` });
  }

  private async adoptIfRunning(now: number): Promise<boolean> {
    if (now - this.lastLookupAtMs < this.w.checkInterval) return false;
    await this.lookup(true);
    return this.watched !== null;
  }

  private async adopt(identity: DaemonIdentity): Promise<void> {
    const { layout } = this.settings;
    const recorded = await readRecordedIdentity(layout);
    let identityRecorded = false;
    if (!recorded || recorded.pid !== identity.pid || recorded.startTicks !== identity.startTicks || recorded.cmdline !== identity.cmdline) {
      await recordIdentity(layout, identity);
      identityRecorded = true;
    }
    const saved = await loadProgress(layout);
    const restored = saved && saved.pid === identity.pid && saved.startTicks === identity.startTicks ? saved : null;
    this.watch0(identity, null, restored ? { step: restored.step, phaseText: restored.phase, changedAtMs: restored.changedAtMs } : undefined);
    this.lastForeignMessage = null;
    await this.emit({ type: "adopt", pid: identity.pid, cmdline: identity.cmdline, identityRecorded });
  }

  private watch0(identity: DaemonIdentity, launched: Launched | null, restored?: { step: number | null; phaseText: string | null; changedAtMs: number }): void {
    const now = this.clock();
    const w: Watched = {
      identity,
      launched,
      exit: null,
      startedAtMs: now,
      tracker: new ProgressTracker(progressPolicyOf(this.w), now, restored),
      statusSig: null,
      lastReadAtMs: -Infinity,
      lastSavedAtMs: -Infinity,
      failedReadsPastDeadline: 0,
      lastSigAtMs: -Infinity,
      comm: null,
      cmdlineReadAtMs: -Infinity,
    };
    if (launched) {
      void launched.exited.then((info) => {
        w.exit = info;
        if (this.watched === w) this.wake?.();
      });
    }
    this.watched = w;
    this.idle = { kind: "lookup" };
  }

  // ---------- watching ----------

  private async watch(w: Watched): Promise<void> {
    if (w.exit) return this.onDeath(w.identity, w.exit, w);
    // One read of /proc/PID/stat a poll: alive, the same process (start time), and its comm.
    const st = readProcStatSync(w.identity.pid);
    if (!st || !isSameLive(st, w.identity.startTicks)) {
      // Our own child: its exit status arrives with the exit event, moments after /proc shows it gone.
      if (w.launched && !w.exit) w.exit = await Promise.race([w.launched.exited, new Promise<null>((r) => setTimeout(() => r(null), 500))]);
      return this.onDeath(w.identity, w.exit, w);
    }
    if (w.exit) return this.onDeath(w.identity, w.exit, w);
    await this.followExec(w, st.comm);
    await this.checkProgress(w);
  }

  /**
   * A launcher that execs (pyenv shim, `accelerate launch`, a wrapper script) changes the daemon's
   * command line after it was recorded; the process (PID, start time, launch id) stays the same.
   * The recorded identity follows, so that status displays and the next supervisor see the trainer.
   * The command line is read while the launch may still be settling, when comm changed (an exec),
   * and every checkInterval (an exec into a program of the same name).
   */
  private async followExec(w: Watched, comm: string): Promise<void> {
    const now = this.clock();
    if (now - w.startedAtMs >= EXEC_SETTLE_MS && comm === w.comm && now - w.cmdlineReadAtMs < this.w.checkInterval) return;
    w.comm = comm;
    w.cmdlineReadAtMs = now;
    const cmdline = await readCmdline(w.identity.pid);
    if (cmdline === null || cmdline === w.identity.cmdline) return;
    w.identity = { ...w.identity, cmdline };
    await recordIdentity(this.settings.layout, w.identity).catch((err: unknown) =>
      this.emit({ type: "error", message: `cannot record the daemon's identity: ${describeError(err)}` }),
    );
  }

  /** The progress sources of a watched daemon (agent/watchdog/sources.ts), made at its first check. */
  private async sourcesOf(w: Watched): Promise<WatchedSources> {
    let ws = watchedSources.get(w);
    if (!ws) {
      // An adopted daemon's progress since its own start is its progress (the status file written an
      // hour ago by a daemon running for two); a launched one starts now.
      const sinceMs = w.launched ? w.startedAtMs : ((await processStartedAtMs(w.identity.startTicks)) ?? w.startedAtMs);
      const sources = new ProgressSources(this.settings.layout, this.w.phaseField, sinceMs, Math.min(1000, this.w.checkInterval), !w.launched);
      ws = { sources, last: null };
      watchedSources.set(w, ws);
    }
    return ws;
  }

  private async checkProgress(w: Watched): Promise<void> {
    const now = this.clock();
    const overdue = now >= w.tracker.deadlineMs();
    const readDue = overdue || now - w.lastReadAtMs >= this.w.checkInterval;
    // 0.9: a timer that fires a little early must not skip a whole interval.
    if (!readDue && now - w.lastSigAtMs < 0.9 * Math.min(PROGRESS_EVERY_MS, this.w.checkInterval)) return;
    const previousSigAtMs = w.lastSigAtMs;
    w.lastSigAtMs = now;
    const ws = await this.sourcesOf(w);
    const sig = await ws.sources.signature();
    let readFailed = false;
    const changed = sig !== w.statusSig;
    if (changed || readDue) {
      const r = await ws.sources.read();
      w.lastReadAtMs = now;
      if (r.ok) {
        w.statusSig = sig;
        ws.last = r.reading;
        // A change is dated by the sources' mtimes when they fall after the previous comparison (the
        // first one: after the watch began, so nothing written before it counts).
        const datedMs = changed ? ws.sources.changedAtMs(Math.max(previousSigAtMs, w.startedAtMs), now) : now;
        const change = w.tracker.observe(r.reading, datedMs);
        if (change !== "unchanged" && now - w.lastSavedAtMs >= this.w.checkInterval) await this.saveProgressNow(w);
      } else {
        // Half-written or missing: neither progress nor a hang. Not remembering the signature makes
        // the next tick read it again.
        readFailed = r.reason !== "missing";
      }
    }
    if (now < w.tracker.deadlineMs()) {
      w.failedReadsPastDeadline = 0;
      return;
    }
    if (readFailed && ++w.failedReadsPastDeadline <= MAX_FAILED_READS_PAST_DEADLINE) return;
    await this.onHang(w, now);
  }

  private async saveProgressNow(w: Watched): Promise<void> {
    const s = w.tracker.snapshot;
    w.lastSavedAtMs = this.clock();
    await saveProgress(this.settings.layout, {
      pid: w.identity.pid,
      startTicks: w.identity.startTicks,
      step: s.step,
      phase: s.phaseText ?? s.phase,
      changedAtMs: s.changedAtMs,
    }).catch((err: unknown) => this.emit({ type: "error", message: `cannot save progress state: ${describeError(err)}` }));
  }

  // ---------- crash path ----------

  /**
   * A death: the crash scan of the logs' tail and the pre-flight checks run at the same time (both
   * only read), then the restart decision and the launch. What only reports the crash (its crash
   * history entry, the crash event) waits until the new daemon is started: the daemon is down until
   * then, and a report is as good a few milliseconds later. Every safety step (identity, pre-flight,
   * budget) still comes before the launch.
   */
  private async onDeath(identity: ProcessIdentity, exit: ExitInfo | null, w: Watched | null): Promise<void> {
    this.watched = null;
    this.stoppedAtMs = exit?.atMs ?? this.clock();
    const ranMs = w ? this.clock() - w.startedAtMs : null;
    const scanning = this.crash.scan(this.settings, exit ? { exitCode: exit.exitCode, signal: exit.signal } : undefined).then(
      (finding) => ({ finding, error: null }),
      (err: unknown) => ({ finding: null, error: describeError(err) }),
    );
    // The pre-flight's answer and the look for trainers no PID file names are only used if nothing
    // adopts a daemon first (restart() looks again); both start now, beside the crash scan.
    const checking = this.preflight();
    const trainers = this.scanTrainers();
    await this.removeStalePidFile(identity.pid);
    const { finding, error } = await scanning;
    const exitCode = exit?.exitCode ?? null;
    const signal = exit?.signal ?? null;
    // Without a log finding, a SIGKILL is most often the kernel's OOM killer.
    const category = finding?.category ?? (signal === "SIGKILL" ? "process_killed" : "unknown");
    const signature = finding?.signature ?? `exit:${signal ?? exitCode ?? "unknown"}`;
    const crashId = randomUUID();
    const report = async () => {
      if (error) await this.emit({ type: "error", message: `crash scan failed: ${error}` });
      await this.recordCrash({
        source: "watchdog",
        category,
        signature,
        ...(finding?.file ? { file: finding.file } : {}),
        ...(finding?.line != null ? { line: finding.line } : {}),
        ...(finding?.text ? { text: finding.text } : {}),
        ...(finding?.suggestion ? { suggestion: finding.suggestion } : {}),
        exitCode,
        signal,
        details: { pid: identity.pid, ranMs },
      });
      await this.emit({
        type: "crash",
        crashId,
        pid: identity.pid,
        exitCode,
        signal,
        category,
        signature,
        suggestion: finding?.suggestion ?? null,
        file: finding?.file ?? null,
        line: finding?.line ?? null,
        text: finding?.text ?? null,
        ranMs,
      });
    };
    return this.restart("crash", { checking, trainers, crash: { id: crashId, category, signature }, report });
  }

  private async recordCrash(entry: CrashHistoryInput): Promise<void> {
    try {
      const problem = await this.crash.record(this.settings, entry);
      if (problem) await this.emit({ type: "error", message: `crash history: ${problem}` });
    } catch (err) {
      await this.emit({ type: "error", message: `cannot record the crash in ${this.settings.layout.crashHistoryFile}: ${describeError(err)}` });
    }
  }

  /** The PID file of a dead daemon would make the next lookup handle the same death again. */
  private async removeStalePidFile(pid: number): Promise<void> {
    const r = await readPidFile(this.settings.layout.pidFile);
    if (r.ok && r.pid === pid) await fsp.rm(this.settings.layout.pidFile, { force: true }).catch(() => {});
  }

  // ---------- hang path ----------

  private async onHang(w: Watched, now: number): Promise<void> {
    const limit = w.tracker.limit();
    const snap = w.tracker.snapshot;
    const quietMs = w.tracker.quietMs(now);
    const diagnosed = await this.diagnose(w.identity, {
      timeoutMs: this.w.hangReportTimeout,
      cpuSampleMs: this.w.cpuSample,
      nvidiaSmi: this.settings.checks.nvidiaSmi,
    });
    const reading = watchedSources.get(w)?.last ?? null;
    const progress = reading
      ? { source: reading.source, step: reading.step, file: reading.file, format: reading.format, line: reading.text, tried: reading.tried }
      : { source: "none", tried: [] as string[] };
    // Before the first step, what the process does (sleeping in imports, a deadlock) is evidence, but
    // the hang is the startup that never finished: its own kind, with the sources that were tried.
    const startup = limit.phase === "startup";
    const kind: HangKind = startup ? "startup" : diagnosed.kind;
    const reasons = startup
      ? [
          `no step was ever seen in ${formatDurationMs(now - snap.sinceMs)} since the daemon started (startup grace ${formatDurationMs(limit.limitMs)}); sources tried: ${progress.tried.join("; ") || "none"}`,
          `the process: ${diagnosed.kind} (${diagnosed.reasons.join("; ")})`,
        ]
      : diagnosed.reasons;
    const report = { ...diagnosed, kind, reasons, diagnosedKind: diagnosed.kind, progress };
    await this.emit({
      type: "hang",
      pid: w.identity.pid,
      phase: limit.phase,
      step: snap.step,
      quietMs,
      limitMs: limit.limitMs,
      adaptiveLimit: limit.adaptive,
      kind,
      reasons,
      report,
    });
    await this.recordCrash({
      source: "hang",
      category: "hang",
      signature: `hang:${kind}:${limit.phase}`,
      text: reasons.join("; "),
      hangKind: kind,
      details: { pid: w.identity.pid, phase: limit.phase, step: snap.step, quietMs, limitMs: limit.limitMs, adaptiveLimit: limit.adaptive, diagnosedKind: diagnosed.kind, progressSource: progress.source },
    });
    // The kill makes our own child exit; that exit is part of this hang, not a new crash.
    const k = await this.killWatched(w, "hang");
    if (!k.ok) {
      await this.emit({ type: "unkillable", pid: w.identity.pid, attempts: k.attempts, survivors: k.survivors });
      return;
    }
    return this.restart("hang");
  }

  // ---------- trainers no PID file names ----------

  /**
   * Before any launch: a trainer of this folder that no PID file names. One that carries this
   * folder's launch id and leads its session is the daemon trainsafe started, its PID file lost: it
   * is adopted (PID file rewritten, identity recorded). Any other (started by hand, or a worker left
   * over from the last launch) blocks the start: two trainers writing the same checkpoints is the
   * worst outcome. Nothing is signalled. True when the start must not go on (adopted or blocked).
   */
  private async blockedByTrainers(cause: RestartCause, report: () => Promise<void>, scanned?: Promise<UnnamedTrainer[]>): Promise<boolean> {
    const trainers = await this.lookForTrainers(scanned);
    if (this.watched) return true;
    if (trainers.length === 0) return false;
    await report();
    await this.blockOnTrainers(cause, trainers);
    return true;
  }

  /** This folder's trainers that no PID file names (agent/lib/daemon.ts); a failed look is reported and finds none. */
  private scanTrainers(): Promise<UnnamedTrainer[]> {
    const { layout } = this.settings;
    return unnamedTrainers(layout, this.w.daemonPattern).catch(async (err: unknown) => {
      await this.emit({ type: "error", message: `cannot look for trainers of ${layout.baseDir} that no PID file names: ${describeError(err)}` });
      return [];
    });
  }

  /**
   * Finds this folder's unnamed trainers (`scanned`: a look already under way) and adopts the daemon
   * of this folder's launch among them; returns the ones that block a start (see blockedByTrainers).
   */
  private async lookForTrainers(scanned?: Promise<UnnamedTrainer[]>): Promise<UnnamedTrainer[]> {
    const { layout } = this.settings;
    const found = await (scanned ?? this.scanTrainers());
    const ours = found.find((t) => t.launched && t.sessionLeader);
    if (ours) {
      const identity: DaemonIdentity = { pid: ours.pid, startTicks: ours.startTicks, cmdline: ours.cmdline, ...(ours.launchId ? { launchId: ours.launchId } : {}) };
      await writeFileAtomic(layout.pidFile, `${ours.pid}\n`).catch((err: unknown) =>
        this.emit({ type: "error", message: `adopting PID ${ours.pid}: cannot rewrite ${layout.pidFile} (watched from memory): ${describeError(err)}` }),
      );
      await this.adopt(identity);
      return [];
    }
    return found;
  }

  private async blockOnTrainers(cause: RestartCause, trainers: ReadonlyArray<UnnamedTrainer>): Promise<void> {
    const reasons = trainers.map((t) => this.trainerReason(t));
    this.idle = { kind: "blocked", cause, reasons, checkedAtMs: this.clock(), trainers, pidFileSig: pidFileSig(this.settings.layout.pidFile) };
    await this.emit({ type: "blocked", cause, reasons, trainers: trainers.map((t) => ({ pid: t.pid, cmdline: t.cmdline, launched: t.launched })) });
  }

  /** Why `t` blocks the start, and what a person can do about it. */
  private trainerReason(t: UnnamedTrainer): string {
    const { layout } = this.settings;
    const cmd = t.cmdline.length > 120 ? `${t.cmdline.slice(0, 119)}…` : t.cmdline;
    if (t.launched) {
      return (
        `PID ${t.pid} ("${cmd}") is left over from this folder's last launch (${LAUNCH_ID_ENV}=${t.launchId}) but is not its daemon (its trainer is gone); ` +
        `not starting a second job beside it. Stop it (kill ${t.pid}) or wait for it to exit; the start goes on once it is gone`
      );
    }
    return (
      `a trainer started by hand runs in ${layout.baseDir} and no PID file names it: PID ${t.pid} ("${cmd}"); not starting a second job beside it. ` +
      `To have it supervised, write its PID to the PID file (echo ${t.pid} > ${layout.pidFile}); or stop it, and the daemon starts once it is gone`
    );
  }

  /**
   * Blocked by unnamed trainers: whether they still run is looked at every tick (one /proc/PID/stat
   * read each), so a trainer stopped by hand unblocks the start at once; the whole process table is
   * looked at again when they are gone and every checkInterval (another may have started); and the
   * PID file's stat at every tick, so that a PID written to it as the reason says is adopted at once.
   */
  private async recheckTrainers(idle: Extract<Idle, { kind: "blocked" }>, now: number): Promise<void> {
    // A person did as the reason says and wrote a trainer's PID to the PID file: adopt it now.
    const sig = pidFileSig(this.settings.layout.pidFile);
    if (sig !== idle.pidFileSig) {
      idle.pidFileSig = sig;
      await this.lookup(true);
      if (this.watched) return;
    }
    const running = (idle.trainers ?? []).some((t) => isSameLive(readProcStatSync(t.pid), t.startTicks));
    if (running && now - idle.checkedAtMs < this.w.checkInterval) return;
    idle.checkedAtMs = now;
    const trainers = await this.lookForTrainers();
    if (this.watched) return;
    if (trainers.length > 0) {
      const same = trainers.length === idle.trainers?.length && trainers.every((t, i) => t.pid === idle.trainers?.[i]?.pid);
      if (!same) await this.blockOnTrainers(idle.cause, trainers);
      return;
    }
    await this.emit({ type: "unblocked", cause: idle.cause });
    return this.restart(idle.cause);
  }

  // ---------- restart ----------

  private preflight(): Promise<PreflightResult> {
    return runPreflight(this.settings, this.preflightDeps);
  }

  /**
   * Restarts the daemon after the safety steps, in this order: adopt a daemon someone else started
   * (never a second one), the pre-flight checks, the restart grant. `checked`/`checking`: pre-flight
   * results already at hand or under way. `report`: what reports the death behind this restart (the
   * crash history entry and event); it runs once the outcome is known, after the launch when there is
   * one, so the daemon's down time does not include it, and always before the grant's own event.
   */
  private async restart(
    cause: RestartCause,
    opts: {
      checked?: PreflightResult;
      checking?: Promise<PreflightResult>;
      trainers?: Promise<UnnamedTrainer[]>;
      crash?: CrashRef;
      report?: () => Promise<void>;
    } = {},
  ): Promise<void> {
    let reported = false;
    const report = async () => {
      if (reported || !opts.report) return;
      reported = true;
      await opts.report();
    };
    try {
      // Someone may have started a daemon meanwhile (an operator, by hand): adopt it, never start a second.
      await this.lookup(true);
      if (this.watched) return;
      if (await this.blockedByTrainers(cause, report, opts.trainers)) return;
      const pre = opts.checked ?? (await (opts.checking ?? this.preflight()));
      if (!pre.ok) {
        this.idle = { kind: "blocked", cause, reasons: pre.blockers, checkedAtMs: this.clock() };
        await report();
        await this.emit({ type: "blocked", cause, reasons: pre.blockers });
        return;
      }
      const nowMs = this.clock();
      let decision: RestartDecision;
      try {
        decision = await this.requestGrant({
          cause,
          history: this.history,
          policy: restartPolicyOf(this.w),
          nowMs,
          settings: this.settings,
          ...(opts.crash ? { crash: opts.crash } : {}),
        });
      } catch (err) {
        // A failing grant function must not turn into a restart without a grant.
        await report();
        await this.emit({ type: "error", message: `restart grant failed: ${describeError(err)}` });
        this.idle = { kind: "waiting", cause, retryAtMs: nowMs + this.w.checkInterval };
        return;
      }
      if (!decision.allow) {
        this.idle = { kind: "waiting", cause, retryAtMs: decision.retryAtMs };
        await report();
        await this.emit({ type: "denied", cause, decision });
        return;
      }
      this.history.push({ atMs: nowMs, delayMs: decision.delayMs, cause });
      // The grant is counted in memory now; its record on disk (for the next supervisor) is written
      // while the daemon starts, and a write that fails is reported, as it always was, not a blocker.
      const persisted = saveRestartHistory(this.settings.layout, this.history).then(
        () => null,
        (err: unknown) => `cannot persist the restart history: ${describeError(err)}`,
      );
      const grantEvent = async () => {
        const problem = await persisted;
        if (problem) await this.emit({ type: "error", message: problem });
        await this.emit({ type: "grant", cause, decision });
      };
      if (decision.delayMs > 0) {
        // No hurry while the back-off runs: report first.
        await report();
        await grantEvent();
        this.idle = { kind: "waiting", cause, retryAtMs: null };
        await this.pause(decision.delayMs, true);
        if (this.stopping) return;
        // Someone may have started the daemon during the back-off; and the config may have changed.
        await this.lookup(true);
        if (this.watched) return;
        if (await this.blockedByTrainers(cause, report)) return;
        const again = await this.preflight();
        if (!again.ok) {
          this.idle = { kind: "blocked", cause, reasons: again.blockers, checkedAtMs: this.clock() };
          await this.emit({ type: "blocked", cause, reasons: again.blockers });
          return;
        }
      }
      let launched: Launched;
      try {
        launched = await launchDaemon(this.settings.layout, this.w.daemonCommand, this.spawn);
      } catch (err) {
        this.idle = { kind: "pending", cause };
        await report();
        if (decision.delayMs === 0) await grantEvent();
        await this.emit({ type: "start_failed", cause, message: describeError(err) });
        return;
      }
      const latencyMs = this.stoppedAtMs !== null ? this.clock() - this.stoppedAtMs : null;
      this.stoppedAtMs = null;
      this.watch0(launched.identity, launched);
      await report();
      if (decision.delayMs === 0) await grantEvent();
      await this.saveProgressNow(this.watched!);
      await this.emit({ type: "restart", pid: launched.identity.pid, cause, command: [...this.w.daemonCommand], latencyMs });
    } finally {
      // Adopted, stopped, or thrown: the death is still reported.
      await report();
    }
  }

  // ---------- events ----------

  private async emit(input: WatchdogEventInput): Promise<void> {
    const e = { time: new Date(this.clock()).toISOString(), ...input } as WatchdogEvent;
    const problem = await writeEventLog(this.settings.layout, e);
    this.log(`trainsafe watchdog: ${describeEvent(e)}`);
    if (problem) this.log(`trainsafe watchdog: ${problem}`);
    this.collected?.push(e);
    try {
      await this.opts.onEvent?.(e);
    } catch (err) {
      this.log(`trainsafe watchdog: onEvent hook failed: ${describeError(err)}`);
    }
  }

  // ---------- lock ----------

  private lockFile(): string {
    return path.join(stateDir(this.settings.layout), "supervisor.lock");
  }

  /** One supervisor per BASE_DIR: two would both restart a dead daemon. */
  private async acquireLock(): Promise<void> {
    const file = this.lockFile();
    await fsp.mkdir(path.dirname(file), { recursive: true });
    const me = await readIdentity(process.pid);
    const baseDir = path.resolve(this.settings.layout.baseDir);
    const body = JSON.stringify({ pid: process.pid, startTicks: me?.startTicks ?? 0, baseDir }) + "\n";
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await fsp.writeFile(file, body, { flag: "wx" });
        this.lockHeld = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const holder = await readLockHolder(file);
      // A lock copied along with a run folder names the supervisor of the original folder.
      if (holder && (holder.baseDir === undefined || holder.baseDir === baseDir)) {
        const st = await readProcStat(holder.pid);
        if (st && st.startTicks === holder.startTicks && st.state !== "Z") {
          throw new TrainsafeError(
            "usage",
            `another supervisor (PID ${holder.pid}) is already supervising ${this.settings.layout.baseDir} (lock ${file})`,
            file,
          );
        }
      }
      // The holder is gone (or the lock is junk): take it over.
      await fsp.rm(file, { force: true });
    }
    throw new TrainsafeError("usage", `could not take the supervisor lock ${file}`, file);
  }

  private async releaseLock(): Promise<void> {
    if (!this.lockHeld) return;
    this.lockHeld = false;
    const holder = await readLockHolder(this.lockFile());
    if (holder?.pid === process.pid) await fsp.rm(this.lockFile(), { force: true }).catch(() => {});
  }
}

/** mtime, size and inode of `file` ("missing" when absent), read synchronously: it is looked at every tick. */
function pidFileSig(file: string): string {
  try {
    const st = statSync(file);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch {
    return "missing";
  }
}

async function readLockHolder(file: string): Promise<{ pid: number; startTicks: number; baseDir?: string } | null> {
  try {
    const v = JSON.parse(await fsp.readFile(file, "utf8")) as { pid?: unknown; startTicks?: unknown; baseDir?: unknown };
    if (typeof v.pid !== "number" || typeof v.startTicks !== "number") return null;
    return { pid: v.pid, startTicks: v.startTicks, ...(typeof v.baseDir === "string" ? { baseDir: v.baseDir } : {}) };
  } catch {
    return null;
  }
}
