/**
 * Finding the training daemon and proving it is the daemon before anything signals it.
 *
 * The PID file is a hint, never a proof: anything can write it (the trainer itself, a copied run
 * folder, a stale file whose PID was reused by another job's trainer). A process it names is the
 * daemon only when one of these holds:
 * - it is the process trainsafe recorded (same PID and start time: exec keeps both, so a launcher
 *   that execs through shims is still the same process, while a reused PID has a new start time);
 * - it carries the launch id trainsafe gave the daemon it started (TRAINSAFE_LAUNCH_ID in
 *   /proc/PID/environ, inherited by every child: torchrun ranks, DataLoader workers);
 * - it was started by hand (no launch id at all), its command line matches the daemon pattern, and
 *   it runs in BASE_DIR (cwd inside BASE_DIR, or BASE_DIR named in its command line).
 * A process carrying another launch's id belongs to another supervisor's job and is foreign.
 */
// The PID file and BASE_DIR are read as the other files of BASE_DIR are (synchronously in `check` where no
// mount can hang a call); what may wait on another process (/proc/PID/cmdline, environ) is read by
// proc.ts, always asynchronously.
import { files } from "./fs-mode.js";
import path from "node:path";
import { z } from "zod";
import type { Layout } from "../config/layout.js";
import { readJsonFile, writeFileAtomic } from "./files.js";
import { fast, lazySchema, strippedObject, type Unusual } from "./schema.js";
import { isKernelThread, listProcessesSync, readCmdline, readCwd, readEnvVar, readIdentity, type ProcessIdentity } from "./proc.js";

/** Environment variable holding the id of the launch that started a daemon. */
export const LAUNCH_ID_ENV = "TRAINSAFE_LAUNCH_ID";

/** The daemon's identity as trainsafe records it: the process plus the launch id it was started with. */
export interface DaemonIdentity extends ProcessIdentity {
  /** Set when trainsafe launched the daemon (the value of TRAINSAFE_LAUNCH_ID in its environment). */
  readonly launchId?: string;
}

/** The announcement of a launch whose PID file is not written yet (BASE_DIR/.trainsafe/launch.json). */
export function launchFile(layout: Layout): string {
  return path.join(layout.baseDir, ".trainsafe", "launch.json");
}

// Checked by hand in the common case (lib/schema.ts), the zod schema built only for anything else: a
// running daemon has an identity file, and loading zod to read it cost `trainsafe check` 50-75 ms of CPU
// (docs/benchmarks.md, start-up).
export const launchSchema = lazySchema(
  (raw) => strippedObject(raw, { launchId: fast.uuidV4, atMs: fast.number, baseDir: fast.string }, ["launchId", "atMs"]) as { launchId: string; atMs: number; baseDir?: string } | Unusual,
  () => z.object({ launchId: z.string().uuid(), atMs: z.number(), baseDir: z.string().optional() }),
);

/**
 * True when a record written for `recordedBaseDir` belongs to this BASE_DIR. Records name their
 * folder because run folders get copied (cp -a, rsync of a run to a new experiment): a copied
 * identity or launch file names another folder's daemon, which must never be adopted from here.
 * Records without a folder (written by older versions) are taken as this folder's.
 */
export async function recordedHere(layout: Layout, recordedBaseDir: string | undefined): Promise<boolean> {
  if (recordedBaseDir === undefined) return true;
  const forms = await baseDirForms(layout);
  return forms.includes(path.resolve(recordedBaseDir));
}

/** The launch announced in BASE_DIR/.trainsafe/launch.json for this folder, or null. */
export async function readPendingLaunch(layout: Layout): Promise<z.infer<ReturnType<typeof launchSchema.schema>> | null> {
  const r = await readJsonFile(launchFile(layout), launchSchema);
  return r.ok && (await recordedHere(layout, r.value.baseDir)) ? r.value : null;
}

export type DaemonLookup =
  | { readonly state: "no_pid_file"; readonly message: string }
  | { readonly state: "bad_pid_file"; readonly message: string }
  | { readonly state: "not_running"; readonly pid: number; readonly message: string }
  | {
      readonly state: "not_daemon";
      readonly pid: number;
      /**
       * recycled: the recorded daemon's PID now belongs to another process; foreign: a process that
       * is not this BASE_DIR's trainer (another launch's, another folder's, or no trainer at all).
       */
      readonly reason: "recycled" | "foreign";
      readonly message: string;
    }
  | { readonly state: "running"; readonly pid: number; readonly identity: DaemonIdentity; readonly message: string };

export type PidRead =
  | { ok: true; pid: number }
  | { ok: false; missing: boolean; message: string };

/** Reads the PID file: one positive integer, surrounding whitespace allowed. */
export async function readPidFile(file: string): Promise<PidRead> {
  let text: string;
  try {
    const st = await files.stat(file);
    if (!st.isFile()) return { ok: false, missing: false, message: `${file}: is not a regular file` };
    if (st.size > 64) return { ok: false, missing: false, message: `${file}: ${st.size} bytes is not a PID` };
    text = await files.readFile(file, "utf8");
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

export const identitySchema = lazySchema(
  (raw) =>
    strippedObject(raw, { pid: fast.positiveInt, startTicks: fast.nonNegativeInt, cmdline: fast.string, launchId: fast.string, baseDir: fast.string, recordedAt: fast.string }, ["pid", "startTicks", "cmdline"]) as
      | { pid: number; startTicks: number; cmdline: string; launchId?: string; baseDir?: string; recordedAt?: string }
      | Unusual,
  () =>
    z.object({
      pid: z.number().int().positive(),
      startTicks: z.number().int().nonnegative(),
      cmdline: z.string(),
      launchId: z.string().optional(),
      baseDir: z.string().optional(),
      recordedAt: z.string().optional(),
    }),
);

/** The identity trainsafe recorded for the daemon, or null when none (or unreadable). */
export async function readRecordedIdentity(layout: Layout): Promise<DaemonIdentity | null> {
  const r = await readJsonFile(layout.identityFile, identitySchema);
  if (!r.ok || !(await recordedHere(layout, r.value.baseDir))) return null;
  const { pid, startTicks, cmdline, launchId } = r.value;
  return launchId ? { pid, startTicks, cmdline, launchId } : { pid, startTicks, cmdline };
}

/** Records the daemon's identity (at launch, at adoption, and when its command line settles after exec). */
export async function recordIdentity(layout: Layout, id: DaemonIdentity): Promise<void> {
  const body = {
    pid: id.pid,
    startTicks: id.startTicks,
    cmdline: id.cmdline,
    ...(id.launchId ? { launchId: id.launchId } : {}),
    baseDir: path.resolve(layout.baseDir),
  };
  await writeFileAtomic(layout.identityFile, JSON.stringify({ ...body, recordedAt: new Date().toISOString() }, null, 2) + "\n");
}

/** The launch id of a launch announced but not finished (its PID file not written yet), or null. */
export async function pendingLaunchId(layout: Layout): Promise<string | null> {
  return (await readPendingLaunch(layout))?.launchId ?? null;
}

/** True when `file` is `dir` or lies inside it (both absolute). */
function within(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/** BASE_DIR as the kernel reports it in /proc/PID/cwd (symlinks resolved), and as configured. */
async function baseDirForms(layout: Layout): Promise<string[]> {
  const forms = [path.resolve(layout.baseDir)];
  const real = await files.realpath(layout.baseDir).catch(() => null);
  if (real && real !== forms[0]) forms.push(real);
  return forms;
}

/**
 * Where a hand-started process runs, judged against BASE_DIR: null when it runs in BASE_DIR (cwd
 * inside it, or BASE_DIR named in its command line), else a sentence saying where it runs.
 */
export async function foreignPlace(layout: Layout, id: ProcessIdentity): Promise<string | null> {
  const forms = await baseDirForms(layout);
  const cwd = await readCwd(id.pid);
  if (cwd !== null && forms.some((b) => within(b, cwd))) return null;
  const args = id.cmdline.split(" ");
  if (forms.some((b) => args.some((a) => path.isAbsolute(a) && within(b, a)))) return null;
  return cwd === null
    ? `its working directory cannot be read, so it cannot be shown to run in ${layout.baseDir}`
    : `it runs in ${cwd}, not in ${layout.baseDir}`;
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
    if (recorded.startTicks !== id.startTicks) {
      return {
        state: "not_daemon",
        pid,
        reason: "recycled",
        message: `PID ${pid} was recycled: its start time differs from the daemon recorded in ${layout.identityFile} (now: ${truncate(id.cmdline)})`,
      };
    }
    // The recorded process itself; its command line may have changed since (exec through a shim).
    const identity: DaemonIdentity = recorded.launchId ? { ...id, launchId: recorded.launchId } : id;
    return { state: "running", pid, identity, message: `daemon PID ${pid} running (${truncate(id.cmdline)})` };
  }
  const launchId = await readEnvVar(pid, LAUNCH_ID_ENV);
  if (launchId !== null) {
    const ours = [recorded?.launchId, await pendingLaunchId(layout)].filter((x): x is string => !!x);
    if (ours.includes(launchId)) {
      return { state: "running", pid, identity: { ...id, launchId }, message: `daemon PID ${pid} running (${truncate(id.cmdline)})` };
    }
    return {
      state: "not_daemon",
      pid,
      reason: "foreign",
      message: `PID ${pid} ("${truncate(id.cmdline)}") was started by another trainsafe launch (${LAUNCH_ID_ENV}=${launchId}), not by this BASE_DIR's: it belongs to another job`,
    };
  }
  let re: RegExp;
  try {
    re = new RegExp(daemonPattern);
  } catch {
    return { state: "not_daemon", pid, reason: "foreign", message: `daemon pattern /${daemonPattern}/ is not a valid regex` };
  }
  if (!re.test(id.cmdline)) {
    return {
      state: "not_daemon",
      pid,
      reason: "foreign",
      message: `PID ${pid} is "${truncate(id.cmdline)}", which does not match the daemon pattern /${daemonPattern}/`,
    };
  }
  const elsewhere = await foreignPlace(layout, id);
  if (elsewhere) {
    return { state: "not_daemon", pid, reason: "foreign", message: `PID ${pid} ("${truncate(id.cmdline)}") is a trainer of another folder: ${elsewhere}` };
  }
  return { state: "running", pid, identity: id, message: `daemon PID ${pid} running (${truncate(id.cmdline)})` };
}

/** A trainer of this folder that no PID file names: started by hand, or by trainsafe with its PID file lost. */
export interface UnnamedTrainer extends ProcessIdentity {
  /** Set when it carries this folder's launch id (trainsafe started it): the id. */
  readonly launchId?: string;
  /** True when it carries this folder's launch id (trainsafe started it). */
  readonly launched: boolean;
  /**
   * True when it leads its own session. trainsafe starts its daemon in a session of its own, so a
   * process with this folder's launch id that leads one is the daemon itself; one that does not is a
   * child left over from it (a worker whose trainer died).
   */
  readonly sessionLeader: boolean;
}

/** trainsafe's own processes (`trainsafe check`, an agent) match loose patterns such as "train". */
const TRAINSAFE_ARG = /(^|\/)trainsafe(\.c?m?js)?$/;

/**
 * Trainers of this folder that the PID file does not name: processes matching the daemon pattern that
 * run in BASE_DIR (and carry no other launch's id), or that carry this folder's launch id. Only the
 * top of each tree is listed (torchrun, not its ranks). The calling process and its ancestors are
 * never listed. Reads /proc; never signals anything. An invalid pattern finds only launched ones.
 */
export async function unnamedTrainers(layout: Layout, daemonPattern: string): Promise<UnnamedTrainer[]> {
  let re: RegExp | null;
  try {
    re = new RegExp(daemonPattern);
  } catch {
    re = null;
  }
  const ours = [(await readRecordedIdentity(layout))?.launchId, await pendingLaunchId(layout)].filter((x): x is string => !!x);
  const all = listProcessesSync();
  const parentOf = new Map(all.map((p) => [p.pid, p.ppid]));
  // This process and its ancestors (the shell that ran `trainsafe check`, the agent) are never the trainer.
  const mine = new Set<number>();
  for (let p: number | undefined = process.pid; p && p > 1 && !mine.has(p); p = parentOf.get(p)) mine.add(p);
  // Every process is looked at concurrently: this runs before each launch, on the way from a crash to
  // the new daemon, and one read after another took 10-20 ms on a host of 80 processes.
  const judged = await Promise.all(
    all.map(async (st): Promise<UnnamedTrainer | null> => {
      // A kernel thread has no command line (its read gives nothing): not read, one thread-pool round trip
      // less each (63 of 88 processes on the development machine, hundreds on a GPU host).
      if (mine.has(st.pid) || st.state === "Z" || st.state === "X" || isKernelThread(st)) return null;
      const cmdline = await readCmdline(st.pid);
      if (!cmdline) return null; // kernel threads, or gone
      const matches = re !== null && re.test(cmdline) && !cmdline.split(" ").slice(0, 2).some((a) => TRAINSAFE_ARG.test(a));
      // The environment is read only where it can decide something.
      if (!matches && ours.length === 0) return null;
      const id: ProcessIdentity = { pid: st.pid, startTicks: st.startTicks, cmdline };
      const sessionLeader = st.session === st.pid;
      const launchId = await readEnvVar(st.pid, LAUNCH_ID_ENV);
      if (launchId !== null) return ours.includes(launchId) ? { ...id, launchId, launched: true, sessionLeader } : null; // else another job's
      return matches && (await foreignPlace(layout, id)) === null ? { ...id, launched: false, sessionLeader } : null;
    }),
  );
  const found = new Map<number, UnnamedTrainer>();
  for (const t of judged) if (t) found.set(t.pid, t);
  // The top of each tree: a match whose parent (or grandparent...) is a match too is part of it.
  const top = [...found.values()].filter((t) => {
    for (let p = parentOf.get(t.pid); p && p > 1; p = parentOf.get(p)) if (found.has(p)) return false;
    return true;
  });
  return top.sort((a, b) => a.pid - b.pid);
}

function truncate(s: string, n = 120): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
