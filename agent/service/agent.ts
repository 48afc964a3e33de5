/**
 * The agent: one per GPU host. Runs the watchdog supervisor, periodic health checks and telemetry,
 * and streams events to the controller through a durable spool. Restart grants come from the
 * controller; when it does not answer within the deadline, the local budget decides and the restart
 * is reported later as a local restart.
 *
 * Life cycle: start() opens the spool, imports the legacy crash history once, connects, starts the
 * supervisor and the timers; stop() undoes them in reverse order and never stops the daemon.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import type { Settings } from "../config/settings.js";
import { runChecks } from "../checks/runner.js";
import { describeError } from "../lib/errors.js";
import { writeFileAtomic } from "../lib/files.js";
import { timerDelayMs } from "../lib/units.js";
import { ControllerLink, ControllerRefused, ControllerUnavailable } from "../rpc/link.js";
import { Spool } from "../rpc/spool.js";
import { decideRestart, type RestartDecision } from "../watchdog/budget.js";
import { describeEvent, type WatchdogEvent } from "../watchdog/events.js";
import { Supervisor, type GrantContext } from "../watchdog/supervisor.js";
import { executeCommand } from "./commands.js";
import { importLegacyHistory } from "./legacy.js";
import { TelemetryCollector } from "./telemetry.js";
import type { AgentEvent, AgentEventKind } from "./types.js";

export const AGENT_VERSION = "0.1.0";

/**
 * A host denied by an open breaker asks again this often (the controller also pushes "budget
 * changed" when an operator resets it, and the agent asks at once then): a safety net for a push
 * lost with the stream, well under the per-host grant rate limit.
 */
const BREAKER_RECHECK_MS = 30_000;
/** A refused request (rate limit, permission) is asked again after this long, plus jitter. */
const REFUSED_RETRY_MS = 15_000;

export interface AgentOptions {
  readonly settings: Settings;
  readonly log?: (line: string) => void;
}

export class Agent {
  readonly settings: Settings;
  readonly hostId: string;
  readonly jobId: string;
  private readonly log: (line: string) => void;
  private spool: Spool | null = null;
  private link: ControllerLink | null = null;
  private supervisor: Supervisor | null = null;
  private timers: NodeJS.Timeout[] = [];
  /** Signature and category of the last crash or hang, for the grant request that follows it. */
  private lastCause: { signature: string; category: string; uuid: string } | null = null;
  /** Set when the local budget granted a restart because the controller was unreachable. */
  private localGrantPending = false;
  private telemetryBusy = false;
  private readonly telemetry: TelemetryCollector;
  /** Events this agent made since it started (spooled; the controller stores each once). */
  published = 0;
  private checksBusy = false;

  constructor(opts: AgentOptions) {
    this.settings = opts.settings;
    this.hostId = opts.settings.hostId ?? (process.env.HOSTNAME || "localhost");
    this.jobId = opts.settings.jobId ?? "";
    this.telemetry = new TelemetryCollector(opts.settings);
    this.log = opts.log ?? ((line) => process.stderr.write(`${new Date().toISOString()} agent: ${line}\n`));
  }

  get stateDir(): string {
    return this.settings.agent.stateDir ?? path.join(this.settings.layout.baseDir, ".trainsafe", "agent");
  }

  /** Whether the controller link is up (false when running without a controller). */
  get connected(): boolean {
    return this.link?.connected ?? false;
  }

  /** Events waiting for the controller. */
  get pendingEvents(): number {
    return this.spool?.size ?? 0;
  }

  async start(): Promise<void> {
    const spool = new Spool({ dir: path.join(this.stateDir, "spool"), log: this.log });
    for (const p of spool.open()) this.log(p);
    this.spool = spool;

    const imported = await importLegacyHistory(this.settings.layout, this.stateDir, (ev) => this.publish(ev));
    if (imported.message) this.log(imported.message);

    const controller = this.settings.agent.controller;
    if (controller) {
      this.link = new ControllerLink({
        address: controller,
        hostId: this.hostId,
        jobId: this.jobId,
        version: AGENT_VERSION,
        capabilities: ["command:run_checks", "command:scan_crashes", "command:verify_resume", "command:validate_config", "command:kill_daemon", "command:restart_daemon"],
        baseDir: this.settings.layout.baseDir,
        spool,
        reconnectInitialMs: this.settings.agent.reconnectInitial,
        reconnectMaxMs: this.settings.agent.reconnectMax,
        onCommand: (cmd) => executeCommand(cmd, this.settings, this.daemonControl()),
        log: this.log,
        tls: this.settings.agent.tls,
        insecure: this.settings.agent.insecure,
        settingsSource: this.settings.source,
        onBudgetMayHaveChanged: () => this.supervisor?.retryGrantNow(),
      });
      this.link.start();
    } else {
      this.log("no controller configured: running alone with the local restart budget");
    }

    this.supervisor = new Supervisor({
      settings: this.settings,
      onEvent: (e) => this.onWatchdogEvent(e),
      requestGrant: (ctx) => this.requestGrant(ctx),
      log: (line) => this.log(line),
    });
    await this.supervisor.start();

    // One wake-up per telemetry interval for everything due then. The spool is verified first, so
    // that a spool folder deleted under us is found within one interval even when no event is appended.
    this.every(this.settings.agent.telemetryInterval, async () => {
      this.spool?.verify();
      await this.sendTelemetry();
      await this.writeStatus();
    });
    this.every(this.settings.agent.healthCheckInterval, () => this.runHealthChecks("periodic"));
    void this.sendTelemetry();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.supervisor?.stop("agent stopping");
    // A graceful stop lets the last events (the supervisor's own stop among them) reach the
    // controller; whatever does not make it stays in the spool for the next start.
    if (this.link?.connected) await this.drain(2_000);
    this.link?.stop();
    await this.writeStatus();
    this.spool?.close();
  }

  private async drain(timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while ((this.spool?.size ?? 0) > 0 && this.link?.connected && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  }

  /** What an operator (or a test) reads to see the agent's state: stateDir/agent-status.json. */
  status() {
    return {
      hostId: this.hostId,
      jobId: this.jobId,
      controller: this.settings.agent.controller ?? null,
      connected: this.connected,
      daemonState: this.daemonState(),
      daemonPid: this.supervisor?.daemonPid ?? null,
      pendingEvents: this.pendingEvents,
      published: this.published,
      spoolError: this.spool?.lastError ?? null,
      updatedAt: new Date().toISOString(),
    };
  }

  private async writeStatus(): Promise<void> {
    try {
      await writeFileAtomic(path.join(this.stateDir, "agent-status.json"), JSON.stringify(this.status(), null, 2) + "\n");
    } catch (err) {
      this.log(`cannot write agent status: ${describeError(err)}`);
    }
  }

  private every(ms: number, fn: () => Promise<void>): void {
    const t = setInterval(() => void fn(), timerDelayMs(ms));
    t.unref();
    this.timers.push(t);
  }

  /** Spools (and sends) an event; false when the spool could not write it (kept in memory, reported). */
  private publish(ev: AgentEvent): boolean {
    this.published++;
    // Alone: the spool still keeps events, so that a controller configured later receives them.
    const spooled = this.link ? this.link.publish(ev) : (this.spool?.append(ev as unknown as { uuid: string }) ?? false);
    if (!spooled) this.log(`event ${ev.uuid} kept in memory only: ${this.spool?.lastError}`);
    return spooled;
  }

  private async sendTelemetry(): Promise<void> {
    if (this.telemetryBusy || !this.link?.connected) return;
    this.telemetryBusy = true;
    try {
      this.link.sendTelemetry(await this.telemetry.collect(this.daemonState()));
    } catch (err) {
      this.log(`telemetry failed: ${describeError(err)}`);
    } finally {
      this.telemetryBusy = false;
    }
  }

  private async runHealthChecks(source: string): Promise<void> {
    if (this.checksBusy) return;
    this.checksBusy = true;
    try {
      const report = await runChecks(this.settings, {});
      const s = report.summary;
      const failing = report.checks.filter((c) => c.status === "fail").map((c) => c.id);
      const summary = `${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.skip} skip${failing.length ? ` (failing: ${failing.join(", ")})` : ""}`;
      this.publish({
        uuid: randomUUID(),
        tsMs: Date.now(),
        kind: "health_check",
        category: failing.length ? "fail" : s.warn ? "warn" : "pass",
        signature: "",
        message: `${source} health check: ${summary}`,
        details: {
          ok: report.ok,
          problems: s.fail + s.warn,
          summary,
          counts: s,
          checks: report.checks.map((c) => ({ id: c.id, status: c.status, message: c.message })),
        },
      });
    } catch (err) {
      this.log(`health checks failed: ${describeError(err)}`);
    } finally {
      this.checksBusy = false;
    }
  }

  private daemonState(): string {
    const st = this.supervisor?.state ?? "stopped";
    return st === "watching" ? "running" : st;
  }

  private daemonControl() {
    return {
      killDaemon: (reason: string) => this.requireSupervisor().killDaemon(reason),
      restartDaemon: (reason: string) => this.requireSupervisor().restartDaemon(reason),
    };
  }

  private requireSupervisor(): Supervisor {
    if (!this.supervisor) throw new Error("the supervisor is not running");
    return this.supervisor;
  }

  /** Controller first; on no answer within the deadline, the local budget (reported later). */
  private async requestGrant(ctx: GrantContext): Promise<RestartDecision> {
    const local = decideRestart(ctx.history, ctx.policy, ctx.nowMs);
    if (!this.link) return local;
    // A death's grant is asked before its crash event is published (that waits for the launch): the
    // supervisor names the crash here. A later retry of the same crash finds it in lastCause.
    const cause = ctx.crash ? { signature: ctx.crash.signature, category: ctx.crash.category, uuid: ctx.crash.id } : this.lastCause;
    try {
      const d = await this.link.requestGrant(
        {
          requestId: randomUUID(),
          signature: cause?.signature ?? "",
          category: cause?.category ?? "",
          reason: ctx.cause,
          localRestarts: local.inWindow,
          crashUuid: cause?.uuid ?? "",
        },
        this.settings.agent.grantDeadline,
      );
      this.localGrantPending = false;
      // An open breaker stays open until an operator resets it, and the controller says so when it
      // happens: no need to ask every second (which the per-host rate limit would refuse anyway).
      const waitMs = d.scope === "breaker" ? Math.max(d.delayMs, BREAKER_RECHECK_MS) : Math.max(d.delayMs, 1000);
      return {
        allow: d.allow,
        reason: `controller (${d.scope}${d.coalesced ? `, coalesced into grant ${d.grantId}` : ""}): ${d.reason}`,
        delayMs: d.delayMs,
        retryAtMs: d.allow ? null : ctx.nowMs + waitMs,
        streak: local.streak,
        inWindow: local.inWindow,
      };
    } catch (err) {
      if (err instanceof ControllerRefused) {
        // The controller answered: no restart, and no local budget either; ask again later.
        this.localGrantPending = false;
        const waitMs = Math.round(REFUSED_RETRY_MS * (1 + Math.random() / 2));
        return {
          allow: false,
          reason: `controller refused the request (${err.message}); asking again in ${Math.round(waitMs / 1000)}s`,
          delayMs: 0,
          retryAtMs: ctx.nowMs + waitMs,
          streak: local.streak,
          inWindow: local.inWindow,
        };
      }
      if (!(err instanceof ControllerUnavailable)) throw err;
      this.localGrantPending = local.allow;
      return { ...local, reason: `controller did not answer (${err.message}); local budget: ${local.reason}` };
    }
  }

  private onWatchdogEvent(e: WatchdogEvent): void {
    const ev = this.toAgentEvent(e);
    if (ev) this.publish(ev);
  }

  private toAgentEvent(e: WatchdogEvent): AgentEvent | null {
    const base = { uuid: randomUUID(), tsMs: Date.parse(e.time) || Date.now(), message: describeEvent(e) };
    const plain = (kind: AgentEventKind, category = "", details?: unknown): AgentEvent => ({ ...base, kind, category, signature: "", details });
    switch (e.type) {
      case "crash": {
        // The crash id is the one the grant request already named (a retry names it again).
        const uuid = e.crashId ?? base.uuid;
        this.lastCause = { signature: e.signature, category: e.category, uuid };
        return {
          ...base,
          uuid,
          kind: "crash",
          category: e.category,
          signature: e.signature,
          exitCode: e.exitCode,
          signal: e.signal,
          details: { pid: e.pid, ranMs: e.ranMs, line: e.line },
          crash: { firstFatalLine: e.text ?? "", excerpt: e.text ?? "", suggestion: e.suggestion ?? "", logFile: e.file ?? "" },
        };
      }
      case "hang": {
        const category = `hang_${e.kind}`;
        const signature = `hang:${e.kind}:${e.phase}`;
        this.lastCause = { signature, category, uuid: base.uuid };
        return {
          ...base,
          kind: "hang",
          category,
          signature,
          details: { pid: e.pid, phase: e.phase, step: e.step, quietMs: e.quietMs, limitMs: e.limitMs, reasons: e.reasons, report: e.report },
          crash: { firstFatalLine: e.reasons[0] ?? "", excerpt: e.reasons.join("\n"), suggestion: "", logFile: this.settings.layout.antiStuckLog },
        };
      }
      case "kill":
        return plain("kill", e.ok ? "killed" : "kill_failed", { pid: e.pid, members: e.members, attempts: e.attempts, durationMs: e.durationMs });
      case "unkillable":
        return plain("warning", "unkillable", { pid: e.pid, survivors: e.survivors });
      case "grant":
        return plain("grant", e.cause, e.decision);
      case "denied":
        return plain("denial", e.cause, e.decision);
      case "blocked":
        return plain("block", e.cause, { reasons: e.reasons });
      case "restart": {
        const local = this.localGrantPending;
        this.localGrantPending = false;
        return plain(local ? "local_restart" : "restart", e.cause, { pid: e.pid, latencyMs: e.latencyMs });
      }
      case "start_failed":
      case "error":
      case "not_daemon":
        return plain("warning", e.type);
      case "held":
      case "unheld":
      case "adopt":
      case "unblocked":
      case "supervisor_start":
      case "supervisor_stop":
        return plain("info", e.type);
    }
  }
}
