/**
 * Finding the training daemon and proving it is the daemon before anything signals it.
 * Proof = the PID file names a live process whose command line matches the daemon pattern and,
 * once trainsafe has recorded the daemon's identity, whose start time and command line match it.
 */
import { promises as fsp } from "node:fs";
import { z } from "zod";
import type { Layout } from "../config/layout.js";
import { readJsonFile, writeFileAtomic } from "./files.js";
import { readIdentity, type ProcessIdentity } from "./proc.js";

export type DaemonLookup =
  | { readonly state: "no_pid_file"; readonly message: string }
  | { readonly state: "bad_pid_file"; readonly message: string }
  | { readonly state: "not_running"; readonly pid: number; readonly message: string }
  | { readonly state: "not_daemon"; readonly pid: number; readonly message: string }
  | { readonly state: "running"; readonly pid: number; readonly identity: ProcessIdentity; readonly message: string };

export type PidRead =
  | { ok: true; pid: number }
  | { ok: false; missing: boolean; message: string };

/** Reads the PID file: one positive integer, surrounding whitespace allowed. */
export async function readPidFile(file: string): Promise<PidRead> {
  let text: string;
  try {
    const st = await fsp.stat(file);
    if (!st.isFile()) return { ok: false, missing: false, message: `${file}: is not a regular file` };
    if (st.size > 64) return { ok: false, missing: false, message: `${file}: ${st.size} bytes is not a PID` };
    text = await fsp.readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { ok: false, missing: true, message: `${file}: does not exist` };
    return { ok: false, missing: false, message: `${file}: cannot read (${code ?? String(err)})` };
  }
  const t = text.trim();
  if (!/^\d{1,10}$/.test(t) || Number(t) <= 1 || Number(t) > 2 ** 22) {
    return { ok: false, missing: false, message: `${file}: "${t.slice(0, 40)}" is not a valid PID` };
  }
  return { ok: true, pid: Number(t) };
}

const identitySchema = z.object({
  pid: z.number().int().positive(),
  startTicks: z.number().int().nonnegative(),
  cmdline: z.string(),
  recordedAt: z.string().optional(),
});

/** The identity trainsafe recorded for the daemon, or null when none (or unreadable). */
export async function readRecordedIdentity(layout: Layout): Promise<ProcessIdentity | null> {
  const r = await readJsonFile(layout.identityFile, identitySchema);
  return r.ok ? { pid: r.value.pid, startTicks: r.value.startTicks, cmdline: r.value.cmdline } : null;
}

/** Records the daemon's identity (the supervisor does this the first time it sees the daemon). */
export async function recordIdentity(layout: Layout, id: ProcessIdentity): Promise<void> {
  await writeFileAtomic(layout.identityFile, JSON.stringify({ ...id, recordedAt: new Date().toISOString() }, null, 2) + "\n");
}

/** Looks up the daemon named by the PID file and says whether it is provably the daemon. */
export async function findDaemon(layout: Layout, daemonPattern: string): Promise<DaemonLookup> {
  const pidRead = await readPidFile(layout.pidFile);
  if (!pidRead.ok) {
    return pidRead.missing
      ? { state: "no_pid_file", message: `no PID file at ${layout.pidFile}` }
      : { state: "bad_pid_file", message: pidRead.message };
  }
  const pid = pidRead.pid;
  const id = await readIdentity(pid);
  if (!id) return { state: "not_running", pid, message: `PID ${pid} from ${layout.pidFile} is not running` };
  const recorded = await readRecordedIdentity(layout);
  if (recorded && recorded.pid === pid) {
    if (recorded.startTicks !== id.startTicks || recorded.cmdline !== id.cmdline) {
      return {
        state: "not_daemon",
        pid,
        message: `PID ${pid} was recycled: start time or command line differs from the daemon recorded in ${layout.identityFile} (now: ${truncate(id.cmdline)})`,
      };
    }
  }
  let re: RegExp;
  try {
    re = new RegExp(daemonPattern);
  } catch {
    return { state: "not_daemon", pid, message: `daemon pattern /${daemonPattern}/ is not a valid regex` };
  }
  if (!re.test(id.cmdline)) {
    return {
      state: "not_daemon",
      pid,
      message: `PID ${pid} is "${truncate(id.cmdline)}", which does not match the daemon pattern /${daemonPattern}/`,
    };
  }
  return { state: "running", pid, identity: id, message: `daemon PID ${pid} running (${truncate(id.cmdline)})` };
}

function truncate(s: string, n = 120): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
