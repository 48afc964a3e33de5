/** Memory available to new allocations (MemAvailable in /proc/meminfo): fail under the minimum, warn under 2x. */
import { readFileSync } from "node:fs";
import { describeError } from "../lib/errors.js";
import { formatBytes } from "../lib/units.js";
import { result, type Check } from "./types.js";

export const MEMORY_WARN_FACTOR = 2;

/** Parses /proc/meminfo into bytes per key ("MemAvailable" -> bytes). */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^([\w()]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]) * (line.trimEnd().endsWith("kB") ? 1024 : 1));
  }
  return out;
}

export const memoryCheck: Check = {
  id: "memory",
  title: "memory available",
  async run({ settings }) {
    let text: string;
    try {
      // Synchronously: the kernel formats it on the spot and takes no lock a stuck process could hold,
      // and one read costs less than the four thread-pool round trips of an asynchronous one.
      text = readFileSync("/proc/meminfo", "utf8");
    } catch (err) {
      return result("skip", `cannot read /proc/meminfo (${describeError(err)})`);
    }
    const info = parseMeminfo(text);
    const totalBytes = info.get("MemTotal") ?? null;
    let availableBytes = info.get("MemAvailable");
    let estimated = false;
    if (availableBytes === undefined) {
      // Kernels before 3.14 lack MemAvailable; free + page cache is the usual stand-in.
      const free = info.get("MemFree");
      if (free === undefined) return result("fail", "/proc/meminfo has neither MemAvailable nor MemFree");
      availableBytes = free + (info.get("Buffers") ?? 0) + (info.get("Cached") ?? 0);
      estimated = true;
    }
    const minBytes = settings.checks.minMemoryAvailable;
    const details = { availableBytes, totalBytes, minBytes, estimated };
    const text2 = `${formatBytes(availableBytes)} available${totalBytes ? ` of ${formatBytes(totalBytes)}` : ""}${estimated ? " (estimated: no MemAvailable)" : ""}`;
    if (availableBytes < minBytes) return result("fail", `${text2} (need ${formatBytes(minBytes)})`, details);
    if (availableBytes < minBytes * MEMORY_WARN_FACTOR) return result("warn", `${text2} (under ${MEMORY_WARN_FACTOR}x the ${formatBytes(minBytes)} minimum)`, details);
    return result("pass", text2, details);
  },
};
