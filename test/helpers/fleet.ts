/**
 * A real fleet for integration tests: a controller process and agent processes (`node bin/trainsafe.js`),
 * each agent with its own training directory and test daemon. Everything started is tracked and
 * killed at cleanup, daemons included, even when a test failed.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { daemonCommand, makeBaseDir } from "../watchdog-helpers.js";
import { listDescendants, readCmdline } from "../../agent/lib/proc.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = path.join(ROOT, "bin", "trainsafe.js");

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes (then throws with `what`). */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 20_000, everyMs = 100): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Runs the CLI; resolves with exit code, stdout and stderr (never rejects on a non-zero exit). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `trainsafe fleet ...ARGS --controller ADDR --json` and parses stdout. */
export async function fleetJson<T = unknown>(address: string, args: string[]): Promise<T> {
  const r = await runCli(["fleet", ...args, "--controller", address, "--json"]);
  if (r.code !== 0 && r.code !== 1) throw new Error(`fleet ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export interface ControllerHandle {
  readonly child: ChildProcess;
  readonly address: string;
  readonly stateDir: string;
  output(): string;
}

export interface AgentHandle {
  readonly hostId: string;
  readonly baseDir: string;
  readonly configFile: string;
  child: ChildProcess;
  output(): string;
  /** stateDir/agent-status.json as last written by the agent. */
  status(): { connected: boolean; pendingEvents: number; published: number; daemonPid: number | null; daemonState: string } | null;
  daemonPid(): number | null;
}

export class Fleet {
  private readonly children = new Set<ChildProcess>();
  private readonly dirs: string[] = [];
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), "ts-fleet-"));

  constructor() {
    this.dirs.push(this.root);
  }

  /** Starts `trainsafe controller` (port 0 unless `listen` is given) and waits until it listens. */
  async controller(config: Record<string, unknown>, listen?: string, stateDir = path.join(this.root, "controller")): Promise<ControllerHandle> {
    const file = path.join(this.root, "controller.json");
    fs.writeFileSync(file, JSON.stringify({ listen: "127.0.0.1:0", stateDir, ...config }, null, 2));
    const args = [CLI, "controller", "--config", file, "--json", ...(listen ? ["--listen", listen] : [])];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.children.add(child);
    let out = "";
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const line = out.split("\n")[0];
        if (out.includes("\n") && line) resolve((JSON.parse(line) as { listening: string }).listening);
      });
      child.once("exit", (code) => reject(new Error(`controller exited (${code}) before listening: ${err}`)));
    });
    return { child, address, stateDir, output: () => err };
  }

  /** A training directory plus an agent settings file for `hostId`. */
  prepareAgent(hostId: string, jobId: string, controller: string, opts: { behaviour?: Record<string, unknown>; settings?: Record<string, unknown> } = {}) {
    const baseDir = makeBaseDir(`ts-fleet-${hostId}-`);
    this.dirs.push(baseDir);
    const configFile = path.join(baseDir, "..", `${path.basename(baseDir)}.agent.json`);
    this.dirs.push(configFile);
    const settings = {
      baseDir,
      hostId,
      jobId,
      checks: { minDiskFree: 0, minMemoryAvailable: 0, nvidiaSmi: "/nonexistent/nvidia-smi", lspci: "/nonexistent/lspci", kernelLog: "/nonexistent/kmsg" },
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
        maxRestarts: 20,
        restartWindow: "1m",
        hangReportTimeout: "2s",
        cpuSample: "100ms",
        minDiskFreeForRestart: 0,
        daemonCommand: daemonCommand({ stepMs: 50, ...(opts.behaviour ?? {}) }),
      },
      agent: { controller, telemetryInterval: "200ms", healthCheckInterval: "1h", grantDeadline: "1s", reconnectInitial: "100ms", reconnectMax: "500ms" },
      ...(opts.settings ?? {}),
    };
    fs.writeFileSync(configFile, JSON.stringify(settings, null, 2));
    return { baseDir, configFile };
  }

  /** Starts `trainsafe agent` for a prepared directory. */
  startAgent(hostId: string, baseDir: string, configFile: string): AgentHandle {
    let out = "";
    const spawnIt = () => {
      const child = spawn(process.execPath, [CLI, "agent", "--config", configFile], { stdio: ["ignore", "ignore", "pipe"] });
      this.children.add(child);
      child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
      return child;
    };
    const stateDir = path.join(baseDir, ".trainsafe", "agent");
    return {
      hostId,
      baseDir,
      configFile,
      child: spawnIt(),
      output: () => out,
      status: () => {
        try {
          return JSON.parse(fs.readFileSync(path.join(stateDir, "agent-status.json"), "utf8"));
        } catch {
          return null;
        }
      },
      daemonPid: () => {
        try {
          return Number(fs.readFileSync(path.join(baseDir, ".daemon.pid"), "utf8").trim()) || null;
        } catch {
          return null;
        }
      },
    };
  }

  /** Makes the running test daemon (and the next ones) behave differently: daemon_control.json. */
  control(baseDir: string, behaviour: Record<string, unknown>): void {
    const file = path.join(baseDir, "daemon_control.json");
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(behaviour));
    fs.renameSync(`${file}.tmp`, file);
  }

  /** Stops a child with `signal` and waits for its exit. */
  async stop(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill(signal);
    await exited;
  }

  /** Kills everything: agents, controller, and every daemon named by a PID file, with their trees. */
  async cleanup(): Promise<void> {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    for (const d of this.dirs) {
      let pid = 0;
      try {
        pid = Number(fs.readFileSync(path.join(d, ".daemon.pid"), "utf8").trim());
      } catch {
        continue;
      }
      // Only a test daemon: a PID file left over could name anything by now.
      if (!pid || !(await readCmdline(pid))?.includes("training_daemon")) continue;
      for (const p of [pid, ...(await listDescendants(pid))]) {
        try {
          process.kill(p, "SIGKILL");
        } catch {
          /* gone */
        }
      }
    }
    for (const d of this.dirs) fs.rmSync(d, { recursive: true, force: true });
  }
}
