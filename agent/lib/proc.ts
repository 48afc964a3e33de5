/**
 * Reading processes from /proc. Liveness is the process state, not kill(pid, 0): a zombie answers
 * kill(0) but is gone for our purposes.
 */
import fs, { readdirSync, readFileSync } from "node:fs";
import { asyncFiles as fsp } from "./fs-mode.js";

export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  /** R running, S sleeping, D uninterruptible (I/O), Z zombie, T stopped, X dead, I idle... */
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  readonly session: number;
  /** User + system CPU time in clock ticks. */
  readonly cpuTicks: number;
  /** Start time after boot in clock ticks: with the PID, a process identity that survives PID reuse. */
  readonly startTicks: number;
  readonly numThreads: number;
  /** The kernel's per-process flags (field 9; PF_KTHREAD marks a kernel thread). */
  readonly flags: number;
}

/** PF_KTHREAD (include/linux/sched.h): a kernel thread, which has no memory of its own and so no command line. */
export const PF_KTHREAD = 0x00200000;

/** Whether `st` is a kernel thread (kthreadd and its children: kworker, ksoftirqd, the NVIDIA driver's threads...). */
export function isKernelThread(st: ProcStat): boolean {
  return (st.flags & PF_KTHREAD) !== 0;
}

/** Parses the text of /proc/PID/stat (comm may contain spaces and parentheses). */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 2).split(" ");
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const f = (n: number) => Number(rest[n - 3]);
  if (!Number.isInteger(pid) || rest.length < 20) return null;
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0] ?? "?",
    ppid: f(4),
    pgrp: f(5),
    session: f(6),
    cpuTicks: f(14) + f(15),
    numThreads: f(20),
    startTicks: f(22),
    flags: f(9),
  };
}

/** /proc/PID/stat, or null when there is no such process. */
export async function readProcStat(pid: number): Promise<ProcStat | null> {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    return parseProcStat(await fsp.readFile(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return null;
  }
}

/**
 * /proc/PID/stat read synchronously, or null when there is no such process: for the supervisor's
 * liveness poll, four times a second. An async read goes through libuv's thread pool (open, fstat,
 * read, close: ~150-220 us of CPU each time, measured) where a synchronous one costs ~20 us, and
 * reading this file never waits on a disk or on the target process's memory lock (unlike
 * /proc/PID/cmdline or environ, which stay async).
 */
export function readProcStatSync(pid: number): ProcStat | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return null;
  }
}

/**
 * The whole content of a /proc file, or null when it cannot be read. Through fs callbacks (open, read
 * to the end, close): fs.promises.readFile also fstats the file (a /proc file reports size 0) and
 * wraps each step in a FileHandle and promises, ~0.3 ms of CPU per file against ~0.1 ms (a scan of
 * 100 processes' command lines: 30 -> 12 ms, measured). The read stays asynchronous on purpose: a read
 * of cmdline or environ waits on the process's memory lock (see readProcStatSync).
 *
 * Each thread-pool round trip costs context switches (`check`'s /proc scan of ~90 processes made ~360
 * round trips: docs/benchmarks.md, start-up, 2026-12-06 05:45), so only the read is one: a short read is
 * the end (the kernel's cmdline and environ readers fill the buffer up to the end of the content, looping
 * over the process's pages), the descriptor is closed synchronously (closing a /proc file waits on
 * nothing), and with `syncOpen` it is opened synchronously too: right for /proc/PID/cmdline, whose open
 * takes no lock of the process, not for environ, whose open takes the process's exec lock (mm_access),
 * held by a process stuck in exec.
 */
export function readProcFile(file: string, opts: { readonly syncOpen?: boolean } = {}): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const opened = (fd: number): void => {
      const parts: Buffer[] = [];
      let total = 0;
      const next = (): void => {
        const buf = Buffer.allocUnsafe(Math.max(4096, total));
        fs.read(fd, buf, 0, buf.length, null, (readErr, n) => {
          if (!readErr && n > 0) {
            parts.push(n === buf.length ? buf : buf.subarray(0, n));
            total += n;
          }
          if (readErr || n < buf.length) {
            try {
              fs.closeSync(fd);
            } catch {
              // closed or not, the content is what was read
            }
            resolve(readErr ? null : parts.length === 1 ? parts[0]! : Buffer.concat(parts, total));
            return;
          }
          next();
        });
      };
      next();
    };
    if (opts.syncOpen) {
      let fd: number;
      try {
        fd = fs.openSync(file, "r");
      } catch {
        return resolve(null);
      }
      opened(fd);
    } else {
      fs.open(file, "r", (openErr, fd) => (openErr ? resolve(null) : opened(fd)));
    }
  });
}

/** Command line as one string (arguments joined by spaces), or null when unreadable. */
export async function readCmdline(pid: number): Promise<string | null> {
  const raw = await readProcFile(`/proc/${pid}/cmdline`, { syncOpen: true });
  if (raw === null) return null;
  return raw.toString("utf8").replace(/\0+$/, "").split("\0").join(" ");
}

/** True when `st` (a /proc/PID/stat read, null when absent) is the process started at `startTicks`, not a zombie or dead. */
export function isSameLive(st: ProcStat | null, startTicks: number): boolean {
  return st !== null && st.startTicks === startTicks && st.state !== "Z" && st.state !== "X";
}

/** True when the process exists and is not a zombie or dead. */
export async function isRunning(pid: number): Promise<boolean> {
  const st = await readProcStat(pid);
  return st !== null && st.state !== "Z" && st.state !== "X";
}

/** What identifies one process across time: PID reuse changes startTicks or cmdline. */
export interface ProcessIdentity {
  readonly pid: number;
  readonly startTicks: number;
  readonly cmdline: string;
}

/** The identity of a running (non-zombie) process, or null. */
export async function readIdentity(pid: number): Promise<ProcessIdentity | null> {
  const st = await readProcStat(pid);
  if (!st || st.state === "Z" || st.state === "X") return null;
  const cmdline = await readCmdline(pid);
  if (cmdline === null) return null;
  return { pid, startTicks: st.startTicks, cmdline };
}

/**
 * Same process: same PID and same start time. The command line is deliberately not compared: exec
 * keeps the PID and the start time but replaces the command line, and real launchers exec (a pyenv
 * shim execs twice, `accelerate launch` and shell wrappers exec into python). A PID reused by another
 * process gets a new start time, so PID + start time stays a sound identity.
 */
export function sameProcess(a: ProcessIdentity, b: ProcessIdentity): boolean {
  return a.pid === b.pid && a.startTicks === b.startTicks;
}

/** The process's working directory (readlink of /proc/PID/cwd), or null when it cannot be read. */
export async function readCwd(pid: number): Promise<string | null> {
  try {
    return await fsp.readlink(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
}

/**
 * The value of environment variable `name` as the process was started (or last exec'd) with, from
 * /proc/PID/environ; null when it is not set or the file cannot be read (another user's process).
 */
export async function readEnvVar(pid: number, name: string): Promise<string | null> {
  const buf = await readProcFile(`/proc/${pid}/environ`);
  if (buf === null) return null;
  const raw = buf.toString("latin1");
  const prefix = `${name}=`;
  for (const entry of raw.split("\0")) if (entry.startsWith(prefix)) return entry.slice(prefix.length);
  return null;
}

/** All processes' stat lines (skips ones that vanish while reading). */
export async function listProcesses(): Promise<ProcStat[]> {
  const names = await fsp.readdir("/proc");
  const stats = await Promise.all(names.filter((n) => /^\d+$/.test(n)).map((n) => readProcStat(Number(n))));
  return stats.filter((s): s is ProcStat => s !== null);
}

/**
 * Every process's /proc/PID/stat, read synchronously: ~2 ms for 90 processes where the async listing
 * took 8-13 ms of thread-pool round trips, and reading stat never waits on the process (see
 * readProcStatSync). Command lines and environments stay async: those reads can wait on a process's
 * memory lock.
 */
export function listProcessesSync(): ProcStat[] {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    const st = readProcStatSync(Number(n));
    if (st) out.push(st);
  }
  return out;
}

/** PIDs of every descendant of `pid` (children, grandchildren...), from one /proc snapshot. */
export async function listDescendants(pid: number): Promise<number[]> {
  const all = await listProcesses();
  const byParent = new Map<number, number[]>();
  for (const p of all) {
    const list = byParent.get(p.ppid);
    if (list) list.push(p.pid);
    else byParent.set(p.ppid, [p.pid]);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of byParent.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}
