/**
 * Shared pieces of the fault-injection suite (test/faults/*.faults.ts): counting daemons by what
 * /proc says, checking SQLite files after a kill, SimAgents that reconnect and resend like the real
 * agent, seeded randomness, tmpfs mounts, and the figures each fault prints.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { credentials } from "@grpc/grpc-js";
import Database from "better-sqlite3";
import { AgentServiceClient } from "../../proto/gen/trainsafe/v1/agent.js";
import { SimAgent, type SimAgentOptions } from "../helpers/grpc-agent.js";

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Seconds from an environment variable (positive number), else `fallbackS`. */
export function envSeconds(name: string, fallbackS: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallbackS;
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32); the seed is printed with the figures. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seed of this run: FAULTS_SEED, else derived from the clock (printed, so a failure can be replayed). */
export function runSeed(): number {
  const v = Number(process.env.FAULTS_SEED);
  return Number.isInteger(v) ? v : Date.now() % 1_000_000;
}

/** One figure of a fault: printed as a TAP diagnostic and, with FAULTS_FIGURES=FILE, appended as a JSON line. */
export function figure(t: { diagnostic(msg: string): void }, name: string, values: Record<string, unknown>): void {
  t.diagnostic(`figure ${name}: ${JSON.stringify(values)}`);
  const file = process.env.FAULTS_FIGURES;
  if (file) fs.appendFileSync(file, JSON.stringify({ fault: name, at: new Date().toISOString(), ...values }) + "\n");
}

/**
 * PIDs of test daemons (training_daemon.mjs) whose working directory is `baseDir`: the supervisor
 * starts the daemon there, so this counts every daemon of one training directory, whoever started it.
 * Synchronous on purpose: a scan takes about a millisecond and can run in a tight loop.
 */
export function daemonPids(baseDir: string): number[] {
  const out: number[] = [];
  const want = fs.realpathSync(baseDir);
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!fs.readFileSync(`/proc/${name}/cmdline`).includes("training_daemon.mjs")) continue;
      // A zombie is not a running daemon (its parent has not reaped it yet).
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      if (state === "Z" || state === "X") continue;
      if (fs.readlinkSync(`/proc/${name}/cwd`) === want) out.push(Number(name));
    } catch {
      // exited while being read
    }
  }
  return out;
}

/** Kills the daemons of `baseDir` found by daemonPids (cleanup of a fault that may have left extras). */
export function killDaemons(baseDir: string): void {
  for (const pid of daemonPids(baseDir)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }
}

/** The PID in BASE_DIR/.daemon.pid, or null. */
export function pidFile(baseDir: string): number | null {
  try {
    return Number(fs.readFileSync(path.join(baseDir, ".daemon.pid"), "utf8").trim()) || null;
  } catch {
    return null;
  }
}

/** `PRAGMA integrity_check` of a database file no process has open (read-only, so nothing is changed). */
export function integrityCheck(dbFile: string): string {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma("integrity_check") as Array<{ integrity_check: string }>;
    return rows.map((r) => r.integrity_check).join("; ");
  } finally {
    db.close();
  }
}

/** Rows of the events table, read-only: uuid, host, kind and message of every stored event. */
export function storedEvents(dbFile: string): Array<{ uuid: string; host_id: string; kind: string; message: string }> {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT uuid, host_id, kind, message FROM events").all() as Array<{ uuid: string; host_id: string; kind: string; message: string }>;
  } finally {
    db.close();
  }
}

/** Counts for one host: what it sent against what the database holds. */
export function lossFigures(sent: ReadonlySet<string>, rows: ReadonlyArray<{ uuid: string }>) {
  const distinct = new Set(rows.map((r) => r.uuid));
  let stored = 0;
  for (const u of sent) if (distinct.has(u)) stored++;
  return {
    sent: sent.size,
    stored,
    lost: sent.size - stored,
    duplicated: rows.length - distinct.size,
    unexpected: [...distinct].filter((u) => !sent.has(u)).length,
  };
}

/** An agent client that retries its connection quickly (the default back-off grows to minutes). */
export function fastReconnectClient(address: string): AgentServiceClient {
  return new AgentServiceClient(address, credentials.createInsecure(), {
    "grpc.use_local_subchannel_pool": 1,
    "grpc.initial_reconnect_backoff_ms": 100,
    "grpc.max_reconnect_backoff_ms": 300,
    "grpc.min_reconnect_backoff_ms": 100,
  });
}

/**
 * A SimAgent that behaves like the real agent's link: every event it makes stays unacked (its spool)
 * until the controller acknowledges it, it reconnects whenever the stream is down, and resends every
 * unacked event after each reconnect. `made` holds the uuid of every event it ever made.
 */
export class ResendingSim {
  readonly sim: SimAgent;
  readonly made = new Set<string>();
  reconnects = 0;
  /** Status codes that ended this agent's streams (gRPC code -> count). */
  readonly endCodes = new Map<number, number>();
  private stopped = false;
  private loop: Promise<void> | null = null;
  private readonly client: AgentServiceClient;

  constructor(opts: Omit<SimAgentOptions, "client">) {
    this.client = fastReconnectClient(opts.address);
    this.sim = new SimAgent({ ...opts, client: this.client });
  }

  /** Starts the keep-connected loop. */
  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        if (!this.sim.connected) {
          const code = this.sim.streamError?.code;
          if (code !== undefined) this.endCodes.set(code, (this.endCodes.get(code) ?? 0) + 1);
          try {
            await this.sim.reconnect();
            this.reconnects++;
          } catch {
            await sleep(50);
          }
        }
        await sleep(20);
      }
    })();
  }

  /** Makes `n` events (sent now when connected, else kept for the next reconnect). */
  send(n: number, message = "flood"): void {
    for (let i = 0; i < n; i++) this.made.add(this.sim.sendEvent({ message: `${message} ${this.made.size}` }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    this.sim.close();
    this.client.close();
  }
}

/** True when this process may mount file systems (root in a sandbox that allows it). */
export function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ts-mount-probe-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stdio: "ignore" });
    execFileSync("umount", [dir], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Mounts a tmpfs of `sizeBytes` at `dir` (created); returns the unmount function. */
export function mountTmpfs(dir: string, sizeBytes: number): () => void {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeBytes}`, "tmpfs", dir]);
  return () => {
    try {
      execFileSync("umount", ["-l", dir], { stdio: "ignore" });
    } catch {
      /* already gone */
    }
  };
}

/** Free bytes of the file system holding `dir`. */
export function freeBytes(dir: string): number {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
}

/** Writes zeros to `file` until the file system refuses (ENOSPC); returns the bytes written. */
export function fillDisk(file: string): number {
  const fd = fs.openSync(file, "a");
  const chunk = Buffer.alloc(4096);
  let written = 0;
  try {
    for (;;) written += fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
  } finally {
    fs.closeSync(fd);
  }
  return written;
}
