/**
 * Shared pieces of the watchdog tests: fresh training directories, the test daemon, and teardown that
 * kills every process group a test started, even when the test failed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { listDescendants, readProcStat } from "../agent/lib/proc.js";

export const DAEMON_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "daemon", "training_daemon.mjs");

/** argv that starts the test daemon with `behaviour`. */
export function daemonCommand(behaviour: Record<string, unknown> = {}): string[] {
  return [process.execPath, DAEMON_SCRIPT, "--behaviour", JSON.stringify(behaviour)];
}

/** A fresh BASE_DIR with a valid config.json (and nothing else). */
export function makeBaseDir(prefix = "ts-wd-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const d of ["logs", "status", "current_model", "core", "queue", "inbox"]) fs.mkdirSync(path.join(dir, d));
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ base_model: "org/base-7b", learning_rate: 1e-5 }, null, 2));
  return dir;
}

/**
 * What one test started: processes (and the process groups they lead), training directories and
 * supervisors. `cleanup()` (from afterEach) stops the supervisors, SIGKILLs every group, process,
 * descendant and daemon named by a directory's PID file, and removes the directories, even when
 * the test failed.
 */
export class ProcessJanitor {
  private readonly pgids = new Set<number>();
  private readonly pids = new Set<number>();
  private readonly dirs: string[] = [];
  private readonly stoppers: Array<{ stop(): Promise<void> }> = [];

  /** Remembers `pid` (a group leader when spawned detached). */
  track(pid: number | undefined): void {
    if (pid === undefined) return;
    this.pids.add(pid);
    this.pgids.add(pid);
  }

  /** A fresh training directory, removed (and its daemon killed) at cleanup. */
  baseDir(prefix?: string): string {
    const dir = makeBaseDir(prefix);
    this.dirs.push(dir);
    return dir;
  }

  /** Remembers a supervisor to stop at cleanup; returns it. */
  stopAtEnd<T extends { stop(): Promise<void> }>(s: T): T {
    this.stoppers.push(s);
    return s;
  }

  async cleanup(): Promise<void> {
    for (const s of this.stoppers.splice(0)) await s.stop().catch(() => {});
    for (const d of this.dirs) {
      try {
        this.track(Number(fs.readFileSync(path.join(d, ".daemon.pid"), "utf8").trim()));
      } catch {
        /* no PID file */
      }
    }
    const all = new Set<number>(this.pids);
    for (const p of this.pids) for (const d of await listDescendants(p)) all.add(d);
    for (const g of this.pgids) {
      try {
        process.kill(-g, "SIGKILL");
      } catch {
        /* group gone */
      }
    }
    for (const p of all) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        /* gone */
      }
    }
    this.pids.clear();
    this.pgids.clear();
    for (const d of this.dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  }
}

/** Starts the test daemon directly (not through a supervisor), detached in its own group. */
export function startDaemon(baseDir: string, behaviour: Record<string, unknown>, janitor: ProcessJanitor): ChildProcess {
  const [cmd, ...args] = daemonCommand(behaviour);
  const out = fs.openSync(path.join(baseDir, "training_output.log"), "a");
  const child = spawn(cmd!, args, { cwd: baseDir, detached: true, stdio: ["ignore", out, out] });
  fs.closeSync(out);
  janitor.track(child.pid);
  child.unref();
  return child;
}

/** Polls `fn` every 20 ms until it returns a truthy value or `timeoutMs` passes (then throws). */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 5000): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** True when `pid` is a live (non-zombie) process. */
export async function alive(pid: number): Promise<boolean> {
  const st = await readProcStat(pid);
  return st !== null && st.state !== "Z" && st.state !== "X";
}

/** Current step written by the test daemon, or null. */
export function currentStep(baseDir: string): number | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(baseDir, "status", "training_status.json"), "utf8")).current_step as number;
  } catch {
    return null;
  }
}

/** Parsed JSON lines of a log file (missing file: none). */
export function jsonLines(file: string): Array<Record<string, unknown>> {
  try {
    return fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return [];
  }
}
