/**
 * Host metrics for telemetry: memory from systeminformation (it reads /proc/meminfo), CPU from our
 * own /proc/stat deltas (systeminformation's currentLoad runs `cat /proc/stat | grep cpu` through a
 * synchronous shell on every call, blocking the agent for that moment), and disk from statfs on the
 * training directory's filesystem (the one that fills up).
 */
import { promises as fsp } from "node:fs";
import si from "systeminformation";
import { describeError } from "../lib/errors.js";

export interface HostSample {
  readonly cpuPct: number | null;
  readonly memUsedBytes: number | null;
  readonly memTotalBytes: number | null;
  readonly memAvailableBytes: number | null;
  readonly diskFreeBytes: number | null;
  readonly diskTotalBytes: number | null;
  readonly problems: string[];
}

/** Busy and total jiffies of all CPUs from the first line of /proc/stat, or null when unreadable. */
export function parseProcStatCpu(text: string): { busy: number; total: number } | null {
  const line = text.split("\n", 1)[0] ?? "";
  const m = /^cpu\s+(.*)$/.exec(line);
  if (!m) return null;
  const f = m[1]!.trim().split(/\s+/).map(Number);
  if (f.length < 4 || f.some((x) => !Number.isFinite(x))) return null;
  // user nice system idle iowait irq softirq steal (guest time is already in user/nice).
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Samples the host; CPU use is measured between consecutive samples (the first one has none). */
export class HostSampler {
  private lastCpu: { busy: number; total: number } | null = null;

  /** One sample of CPU, memory and the disk holding `dir`. Never throws. */
  async sample(dir: string): Promise<HostSample> {
    const problems: string[] = [];
    const [stat, mem, disk] = await Promise.all([
      fsp.readFile("/proc/stat", "utf8").catch((err: unknown) => {
        problems.push(`cpu: ${describeError(err)}`);
        return null;
      }),
      si.mem().catch((err: unknown) => {
        problems.push(`memory: ${describeError(err)}`);
        return null;
      }),
      fsp.statfs(dir).catch((err: unknown) => {
        problems.push(`disk ${dir}: ${describeError(err)}`);
        return null;
      }),
    ]);
    return {
      cpuPct: this.cpuPct(stat),
      memUsedBytes: mem ? mem.total - mem.available : null,
      memTotalBytes: mem?.total ?? null,
      memAvailableBytes: mem?.available ?? null,
      diskFreeBytes: disk ? disk.bavail * disk.bsize : null,
      diskTotalBytes: disk ? disk.blocks * disk.bsize : null,
      problems,
    };
  }

  private cpuPct(stat: string | null): number | null {
    const now = stat === null ? null : parseProcStatCpu(stat);
    if (!now) return null;
    const prev = this.lastCpu;
    this.lastCpu = now;
    if (!prev || now.total <= prev.total) return null;
    return Math.round((1000 * (now.busy - prev.busy)) / (now.total - prev.total)) / 10;
  }
}
