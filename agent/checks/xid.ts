/**
 * NVIDIA Xid errors in the kernel log (/dev/kmsg) within checks.recentCrashWindow. Hardware and driver
 * Xids (fallen off the bus, double-bit ECC, NVLink, GSP) fail; application-caused ones warn.
 * Skipped when the kernel log cannot be read (not root with kernel.dmesg_restrict=1, containers).
 */
import fs, { constants } from "node:fs";
import { describeError } from "../lib/errors.js";
import { formatDurationMs } from "../lib/units.js";
import { result, type Check } from "./types.js";

/**
 * Xids that mean the GPU or its driver is in trouble (NVIDIA's Xid catalog): the node needs a GPU
 * reset, a reboot or a drain. Others (13 graphics exception, 31 page fault, 43 stopped processing,
 * 45 preemptive cleanup) usually come from the application and are warnings.
 */
export const HARDWARE_XIDS: ReadonlyMap<number, string> = new Map([
  [48, "double-bit ECC error"],
  [61, "internal micro-controller breakpoint"],
  [62, "internal micro-controller halt"],
  [64, "ECC page retirement or row remapping failure"],
  [74, "NVLink error"],
  [79, "GPU has fallen off the bus"],
  [92, "high single-bit ECC error rate"],
  [94, "contained ECC error"],
  [95, "uncontained ECC error"],
  [119, "GSP RPC timeout"],
  [120, "GSP error"],
  [140, "unrecovered ECC error"],
  [154, "GPU recovery action changed (reset or reboot required)"],
]);

export interface KernelRecord {
  /** Microseconds since boot. */
  readonly tsUs: number;
  readonly text: string;
}

export interface XidEvent {
  readonly xid: number;
  readonly device: string;
  readonly text: string;
  readonly ageMs: number;
  readonly hardware: boolean;
}

/** A /dev/kmsg record's first line: "prio,seq,ts_us,flags;message" (continuation lines start with a space). */
const KMSG_RECORD = /^\d+,\d+,(\d+),[^;]*;(.*)$/;

/** What every Xid line of the NVIDIA driver holds (findXids). */
const XID_MARK = "NVRM: Xid";

/**
 * The /dev/kmsg records ("prio,seq,ts_us,flags;message") of the lines that hold "NVRM: Xid", found with native
 * searches: no other record can hold an Xid (findXids), and a kernel log is thousands of other records (345 here:
 * every line split and matched cost ~0.25 ms of `check`'s CPU, this ~0.02 ms). findXids of these records is findXids
 * of every record's (test/checks-xid-read.test.ts, against a parse of every line).
 */
export function parseXidRecords(text: string): KernelRecord[] {
  const out: KernelRecord[] = [];
  for (let at = text.indexOf(XID_MARK); at >= 0; ) {
    const start = text.lastIndexOf("\n", at) + 1;
    let end = text.indexOf("\n", at);
    if (end < 0) end = text.length;
    const m = KMSG_RECORD.exec(text.slice(start, end));
    if (m) out.push({ tsUs: Number(m[1]), text: m[2]! });
    at = text.indexOf(XID_MARK, end);
  }
  return out;
}

/** Xid events among kernel records, with their age given the current uptime. */
export function findXids(records: readonly KernelRecord[], uptimeS: number): XidEvent[] {
  const out: XidEvent[] = [];
  for (const r of records) {
    const m = /NVRM: Xid \(([^)]*)\): (\d+)/.exec(r.text);
    if (!m) continue;
    const xid = Number(m[2]);
    out.push({ xid, device: m[1]!, text: r.text.trim(), ageMs: Math.max(0, uptimeS * 1000 - r.tsUs / 1000), hardware: HARDWARE_XIDS.has(xid) });
  }
  return out;
}

/** Most kernel log read; the ring buffer is a few MB at most. */
const MAX_KMSG_BYTES = 32 * 1024 * 1024;
/** Records read between two turns of the event loop, so that a long log does not hold up the other checks. */
const KMSG_RECORDS_PER_TURN = 1024;
/** Room each read is given at least: a /dev/kmsg record is at most 8 KB, and a read into less room than a record fails (EINVAL). */
const KMSG_READ_BYTES = 16 * 1024;

/**
 * Reads the whole kernel log without blocking: /dev/kmsg gives one record per read, then EAGAIN. The
 * reads are synchronous, in batches: an asynchronous read per record went through the thread pool
 * and a promise each (340 records: 28 ms of CPU against 4 ms), and a GPU host logs thousands. The
 * records are read back to back into one buffer (doubled when less than a read's room is left) and
 * decoded once: no copy, Buffer and array slot per record, no concatenation (345 records: ~1.7 ms of
 * CPU in a fresh process against ~1.25; docs/benchmarks.md, start-up, 2026-12-07, 02:50-03:50).
 */
export async function readKernelLog(file: string, signal: AbortSignal, initialBytes = 256 * 1024): Promise<string> {
  const fd = fs.openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  let buf = Buffer.allocUnsafe(Math.max(initialBytes, KMSG_READ_BYTES));
  let total = 0;
  try {
    let inTurn = 0;
    while (total < MAX_KMSG_BYTES && !signal.aborted) {
      if (buf.length - total < KMSG_READ_BYTES) {
        const grown = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(grown, 0, 0, total);
        buf = grown;
      }
      let n: number;
      try {
        // At most KMSG_READ_BYTES past the cap, as one read of that size each did before.
        n = fs.readSync(fd, buf, total, Math.min(buf.length - total, MAX_KMSG_BYTES + KMSG_READ_BYTES - total), null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") break; // end of the ring buffer
        if (code === "EPIPE") continue; // a record was overwritten while reading: skip it
        throw err;
      }
      if (n === 0) break;
      total += n;
      if (++inTurn === KMSG_RECORDS_PER_TURN) {
        inTurn = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return buf.toString("utf8", 0, total);
}

export const xidCheck: Check = {
  id: "xid",
  title: "GPU Xid errors (kernel log)",
  async run({ settings, signal }) {
    const file = settings.checks.kernelLog;
    let text: string;
    let uptimeS: number;
    try {
      text = await readKernelLog(file, signal);
      // Synchronously, as /proc/meminfo (memory.ts): formatted on the spot, no lock to wait on.
      uptimeS = Number(fs.readFileSync("/proc/uptime", "utf8").split(" ")[0]);
    } catch (err) {
      return result("skip", `kernel log ${file} not readable (${describeError(err)})`);
    }
    const windowMs = settings.checks.recentCrashWindow;
    const all = findXids(parseXidRecords(text), uptimeS);
    const recent = all.filter((x) => x.ageMs <= windowMs);
    const details = { file, windowMs, recent, olderCount: all.length - recent.length };
    if (recent.length === 0) return result("pass", `no Xid errors in the last ${formatDurationMs(windowMs)}${all.length ? ` (${all.length} older)` : ""}`, details);
    const hw = recent.filter((x) => x.hardware);
    const latest = (hw.length ? hw : recent).at(-1)!;
    const what = HARDWARE_XIDS.get(latest.xid) ?? "usually raised by the application";
    const msg = `${recent.length} Xid error${recent.length === 1 ? "" : "s"} in the last ${formatDurationMs(windowMs)}; latest${hw.length ? " hardware" : ""}: Xid ${latest.xid} on ${latest.device} (${what}) ${formatDurationMs(latest.ageMs)} ago`;
    return result(hw.length ? "fail" : "warn", msg, details);
  },
};
