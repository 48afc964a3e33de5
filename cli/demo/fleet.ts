/**
 * The demo's fleet: a real controller and real agents (`node bin/trainsafe.js ...` processes), each
 * agent guarding its own training directory with the pretend trainer, all inside one temporary
 * folder. Everything started is tracked; cleanup() stops it in order (agents, then the trainers they
 * leave running, then the controller) and removes the folder, and a synchronous last resort on
 * process exit kills what an interrupted cleanup could not reach.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { resolveLayout } from "../../agent/config/layout.js";
import { findDaemon } from "../../agent/lib/daemon.js";
import { listProcesses, readCmdline } from "../../agent/lib/proc.js";
import { killTree } from "../../agent/watchdog/kill.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The program that runs the demo's controller and agents: this one (sources through tsx, or the built bundle). */
export const CLI = /trainsafe\.(m?js)$/.test(process.argv[1] ?? "") ? path.resolve(process.argv[1]!) : path.resolve(HERE, "..", "..", "bin", "trainsafe.js");
export const TRAINER = path.join(HERE, "training_daemon.mjs");
/** The agents' daemonPattern: the trainer's command line must match it before anything signals it. */
const DAEMON_PATTERN = "training_daemon";

/** A fault the pretend trainer can be told to have (see training_daemon.mjs). */
export interface Fault {
  readonly fault: "cuda_oom" | "disk_full" | "hang";
  /** Remove the fault once it fired: the restarted trainer runs clean. */
  readonly once?: boolean;
  readonly afterSteps?: number;
}

export interface DemoHost {
  readonly hostId: string;
  readonly jobId: string;
  /** ROOT/hosts/HOST: agent.json, agent.log and the training directory. */
  readonly dir: string;
  readonly baseDir: string;
  readonly configFile: string;
  readonly logFile: string;
  child: ChildProcess | null;
}

export interface ControllerInfo {
  readonly address: string;
  /** Base URL of the fleet page and /metrics, when the controller reports one. */
  readonly httpUrl: string | null;
  readonly logFile: string;
}

export interface CleanupReport {
  /** Processes found by the final sweep (their command line names the demo folder): should be 0. */
  readonly strays: number;
  readonly removed: boolean;
}

const exited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;

/** Sends `signal` to a child and waits up to `ms` for its exit; SIGKILL after that. */
async function stopChild(child: ChildProcess, signal: NodeJS.Signals, ms: number): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  const timer = new Promise<"late">((resolve) => setTimeout(() => resolve("late"), ms).unref());
  if ((await Promise.race([gone, timer])) === "late" && !exited(child)) {
    child.kill("SIGKILL");
    await gone;
  }
}

/** Agent settings of one demo host: millisecond thresholds so that a whole scenario fits in a minute. */
export function agentSettings(host: { hostId: string; jobId: string; baseDir: string }, controller: string, noGpuDir: string): Record<string, unknown> {
  return {
    baseDir: host.baseDir,
    hostId: host.hostId,
    jobId: host.jobId,
    // The demo runs anywhere: no GPU tools are asked (they would describe this machine, not the
    // pretend trainers), and the thresholds of the host checks are off.
    checks: {
      minDiskFree: 0,
      minMemoryAvailable: 0,
      nvidiaSmi: path.join(noGpuDir, "nvidia-smi"),
      lspci: path.join(noGpuDir, "lspci"),
      kernelLog: path.join(noGpuDir, "kmsg"),
    },
    watchdog: {
      livenessPoll: "50ms",
      checkInterval: "200ms",
      trainingTimeout: "3s",
      evalTimeout: "10s",
      checkpointTimeout: "10s",
      killGrace: "300ms",
      backoffInitial: "100ms",
      backoffMax: "500ms",
      healthyReset: "2s",
      maxRestarts: 4,
      restartWindow: "5m",
      hangReportTimeout: "2s",
      cpuSample: "200ms",
      minDiskFreeForRestart: 0,
      daemonCommand: [process.execPath, TRAINER, "--base-dir", host.baseDir],
      daemonPattern: DAEMON_PATTERN,
    },
    agent: {
      controller,
      telemetryInterval: "250ms",
      healthCheckInterval: "1h",
      grantDeadline: "3s",
      reconnectInitial: "100ms",
      reconnectMax: "1s",
    },
  };
}

/** Controller settings of the demo: the per-host budget and the breaker set low enough to see them act. */
export function controllerSettings(stateDir: string): Record<string, unknown> {
  return {
    listen: "127.0.0.1:0",
    stateDir,
    httpPort: 0,
    shutdownGrace: "1s",
    budget: {
      hostMaxRestarts: 4,
      hostWindow: "5m",
      backoffInitial: "200ms",
      backoffMax: "1s",
      healthyReset: "2s",
      breakerThreshold: 2,
      breakerWindow: "10m",
    },
  };
}

const TRAINING_CONFIG = {
  base_model: "meta-llama/Llama-3.1-8B",
  training_type: "full",
  output_dir: "current_model",
  resume_from_checkpoint: true,
  learning_rate: 2e-5,
  per_device_train_batch_size: 4,
  gradient_accumulation_steps: 8,
  max_steps: 5000,
  save_steps: 500,
  bf16: true,
};

export class DemoFleet {
  readonly root: string;
  readonly hosts: DemoHost[] = [];
  private controllerChild: ChildProcess | null = null;
  private readonly children = new Set<ChildProcess>();
  private cleaned = false;
  private readonly lastResort = () => this.killSync();

  private constructor(root: string) {
    this.root = root;
    process.on("exit", this.lastResort);
  }

  /** A fresh demo folder under `tmpDir` (default: the system's temporary folder). */
  static create(tmpDir = os.tmpdir()): DemoFleet {
    return new DemoFleet(fs.mkdtempSync(path.join(tmpDir, "trainsafe-demo-")));
  }

  private spawnCli(args: string[], stdout: "pipe" | "ignore", logFile: string): ChildProcess {
    const log = fs.openSync(logFile, "a");
    try {
      // Own process group: a Ctrl-C in the terminal reaches only the demo, which stops the rest in order.
      const child = spawn(process.execPath, [CLI, ...args], { detached: true, stdio: ["ignore", stdout, log] });
      child.on("error", () => {});
      this.children.add(child);
      return child;
    } finally {
      fs.closeSync(log);
    }
  }

  /** Starts the controller and resolves once it listens (its HTTP URL read from its log). */
  async startController(timeoutMs: number): Promise<ControllerInfo> {
    const file = path.join(this.root, "controller.json");
    const logFile = path.join(this.root, "controller.log");
    fs.writeFileSync(file, JSON.stringify(controllerSettings(path.join(this.root, "controller")), null, 2) + "\n");
    const child = this.spawnCli(["controller", "--config", file, "--json"], "pipe", logFile);
    this.controllerChild = child;
    const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`the controller did not report its address within ${timeoutMs} ms (see ${logFile})`)), timeoutMs);
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf("\n");
        if (nl < 0) return;
        clearTimeout(timer);
        try {
          resolve(JSON.parse(out.slice(0, nl)) as Record<string, unknown>);
        } catch (err) {
          reject(new Error(`the controller printed something else than its address: ${out.slice(0, nl)}`));
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the controller exited (${signal ?? code}) before listening: ${tail(logFile, 5)}`));
      });
    });
    child.stdout!.resume();
    if (typeof first.listening !== "string") throw new Error(`the controller did not report its address: ${JSON.stringify(first)}`);
    return { address: first.listening, httpUrl: typeof first.http === "string" ? first.http : httpUrlFromLog(logFile), logFile };
  }

  /** Creates ROOT/hosts/HOST with a training directory and agent.json pointing at `controller`. */
  prepareHost(hostId: string, jobId: string, controller: string): DemoHost {
    const dir = path.join(this.root, "hosts", hostId);
    const baseDir = path.join(dir, "training");
    for (const d of ["logs", "status", "current_model", "core", "queue", "inbox"]) fs.mkdirSync(path.join(baseDir, d), { recursive: true });
    fs.writeFileSync(path.join(baseDir, "config.json"), JSON.stringify({ ...TRAINING_CONFIG, run_name: `${jobId}-${hostId}` }, null, 2) + "\n");
    const configFile = path.join(dir, "agent.json");
    const settings = agentSettings({ hostId, jobId, baseDir }, controller, path.join(this.root, "no-gpu"));
    fs.writeFileSync(configFile, JSON.stringify(settings, null, 2) + "\n");
    const host: DemoHost = { hostId, jobId, dir, baseDir, configFile, logFile: path.join(dir, "agent.log"), child: null };
    this.hosts.push(host);
    return host;
  }

  /** Starts `trainsafe agent` for a prepared host (its stderr goes to agent.log). */
  startAgent(host: DemoHost): void {
    host.child = this.spawnCli(["agent", "--config", host.configFile], "ignore", host.logFile);
  }

  /** Tells the host's trainer (the running one and every restarted one) to have `fault`. */
  inject(host: DemoHost, fault: Fault): void {
    const file = path.join(host.baseDir, "daemon_control.json");
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(fault));
    fs.renameSync(`${file}.tmp`, file);
  }

  /** Controller and agents that exited although nobody stopped them. */
  deadProcesses(): string[] {
    const out: string[] = [];
    if (this.controllerChild && exited(this.controllerChild)) out.push(`the controller (see ${path.join(this.root, "controller.log")})`);
    for (const h of this.hosts) if (h.child && exited(h.child)) out.push(`the agent of ${h.hostId} (see ${h.logFile})`);
    return out;
  }

  /**
   * Stops everything and removes the folder: agents first (they leave their trainers running, by
   * design), then each trainer proven by its PID file and command line, then the controller. A final
   * sweep kills anything else whose command line names the folder and reports how many it found.
   */
  async cleanup(): Promise<CleanupReport> {
    if (this.cleaned) return { strays: 0, removed: !fs.existsSync(this.root) };
    this.cleaned = true;
    await Promise.all(this.hosts.map((h) => (h.child ? stopChild(h.child, "SIGTERM", 5_000) : undefined)));
    await Promise.all(this.hosts.map((h) => this.killTrainer(h)));
    if (this.controllerChild) await stopChild(this.controllerChild, "SIGTERM", 4_000);
    for (const c of this.children) if (!exited(c)) await stopChild(c, "SIGKILL", 2_000);
    const strays = await this.sweep();
    let removed = true;
    try {
      fs.rmSync(this.root, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      removed = false;
    }
    process.off("exit", this.lastResort);
    return { strays, removed };
  }

  private async killTrainer(h: DemoHost): Promise<void> {
    const found = await findDaemon(resolveLayout(h.baseDir), DAEMON_PATTERN);
    if (found.state !== "running" || !found.identity.cmdline.includes(h.baseDir)) return;
    await killTree(found.identity, { graceMs: 500, maxAttempts: 3 });
  }

  /** Kills processes whose command line names the demo folder (only the demo's own can). */
  private async sweep(): Promise<number> {
    let found = 0;
    for (const p of await listProcesses()) {
      if (p.pid === process.pid || p.state === "Z") continue;
      const cmd = await readCmdline(p.pid);
      if (!cmd?.includes(this.root)) continue;
      found++;
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
    return found;
  }

  /** On an exit that skipped cleanup: kill children and trainers synchronously (nothing async runs here). */
  private killSync(): void {
    if (this.cleaned) return;
    for (const c of this.children) if (!exited(c) && c.pid) tryKill(c.pid);
    for (const h of this.hosts) {
      try {
        const pid = Number(fs.readFileSync(path.join(h.baseDir, ".daemon.pid"), "utf8").trim());
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
        if (pid > 0 && cmd.includes(DAEMON_PATTERN) && cmd.includes(h.baseDir)) tryKill(pid);
      } catch {
        /* no trainer */
      }
    }
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    /* gone */
  }
}

/** The controller logs `listening on ADDR {"http":"http://..."}` when it serves HTTP. */
function httpUrlFromLog(logFile: string): string | null {
  try {
    return /"http":"(http:\/\/[^"]+)"/.exec(fs.readFileSync(logFile, "utf8"))?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Last `n` lines of a log file, for error messages. */
export function tail(file: string, n: number): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-n).join("\n");
  } catch {
    return "";
  }
}
