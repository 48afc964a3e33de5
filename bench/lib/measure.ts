/**
 * Measuring helpers shared by the controller and agent benchmarks: percentiles, and a process's
 * memory (VmRSS / VmHWM from /proc/PID/status) and CPU time (utime + stime from /proc/PID/stat).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseProcStat } from "../../agent/lib/proc.js";

/** The p-th percentile (0..100, nearest rank) of `xs`; NaN when empty. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))]!;
}

/** The median of `xs` (mean of the middle two for an even count); NaN when empty. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Milliseconds with one decimal below 10 ms, whole above; "-" for NaN. */
export function ms(x: number): string {
  if (!Number.isFinite(x)) return "-";
  return x < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x)} ms`;
}

/** Kibibytes as MB (10^6 bytes), one decimal. */
export function mbOfKb(kb: number): string {
  return `${((kb * 1024) / 1e6).toFixed(1)} MB`;
}

export interface MemKb {
  readonly rssKb: number;
  /** Peak RSS of the process's life so far. */
  readonly hwmKb: number;
  readonly rssAnonKb: number;
  readonly rssFileKb: number;
}

/** VmRSS, VmHWM, RssAnon and RssFile of `pid` in KiB; null when the process is gone. */
export function readMemKb(pid: number): MemKb | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return null;
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN);
  return { rssKb: field("VmRSS"), hwmKb: field("VmHWM"), rssAnonKb: field("RssAnon"), rssFileKb: field("RssFile") };
}

let clockTicks: number | null = null;

/** Clock ticks per second of /proc/PID/stat times (`getconf CLK_TCK`, 100 on Linux x86). */
export function clockTicksPerS(): number {
  if (clockTicks === null) {
    const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
    const n = Number(r.stdout?.trim());
    clockTicks = Number.isInteger(n) && n > 0 ? n : 100;
  }
  return clockTicks;
}

/** utime + stime of `pid` in milliseconds (its own threads, not its children); null when gone. */
export function readCpuMs(pid: number): number | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  const st = parseProcStat(text);
  return st ? (st.cpuTicks * 1000) / clockTicksPerS() : null;
}

/**
 * cutime + cstime of `pid` in milliseconds: CPU of its children that have exited and been waited for
 * (the shells and programs it runs); null when gone.
 */
export function readChildrenCpuMs(pid: number): number | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // Fields after the command name, which may itself hold spaces and parentheses: field n is [n - 3].
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(rest[16 - 3]) + Number(rest[17 - 3]);
  return Number.isFinite(ticks) ? (ticks * 1000) / clockTicksPerS() : null;
}

/** CPU use of `pid` between two reads, as a percentage of one core. */
export class CpuMeter {
  private startCpuMs: number;
  private startChildrenMs: number;
  private startWallMs: number;

  constructor(readonly pid: number) {
    this.startCpuMs = readCpuMs(pid) ?? NaN;
    this.startChildrenMs = readChildrenCpuMs(pid) ?? NaN;
    this.startWallMs = performance.now();
  }

  /** CPU ms used and % of one core since construction, the process's own and that of its reaped children. */
  read(): { cpuMs: number; wallMs: number; pctOfCore: number; childrenCpuMs: number; childrenPctOfCore: number } {
    const cpuMs = (readCpuMs(this.pid) ?? NaN) - this.startCpuMs;
    const childrenCpuMs = (readChildrenCpuMs(this.pid) ?? NaN) - this.startChildrenMs;
    const wallMs = performance.now() - this.startWallMs;
    return { cpuMs, wallMs, pctOfCore: (100 * cpuMs) / wallMs, childrenCpuMs, childrenPctOfCore: (100 * childrenCpuMs) / wallMs };
  }
}
