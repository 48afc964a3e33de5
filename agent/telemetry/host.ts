/**
 * Host metrics for telemetry: CPU and memory from systeminformation (it reads /proc, no child
 * process), disk from statfs on the training directory's filesystem (the one that fills up).
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

/** One sample of CPU, memory and the disk holding `dir`. Never throws. */
export async function sampleHost(dir: string): Promise<HostSample> {
  const problems: string[] = [];
  const [load, mem, disk] = await Promise.all([
    si.currentLoad().catch((err: unknown) => {
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
    // systeminformation leaves out zero values on some platforms: treat missing as unknown.
    cpuPct: typeof load?.currentLoad === "number" ? round1(load.currentLoad) : null,
    memUsedBytes: mem ? mem.total - mem.available : null,
    memTotalBytes: mem?.total ?? null,
    memAvailableBytes: mem?.available ?? null,
    diskFreeBytes: disk ? disk.bavail * disk.bsize : null,
    diskTotalBytes: disk ? disk.blocks * disk.bsize : null,
    problems,
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
