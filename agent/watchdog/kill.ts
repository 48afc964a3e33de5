/**
 * Killing the daemon's whole process tree without ever hitting a recycled PID.
 *
 * The tree is collected from /proc before the first signal (a child reparented to init after its
 * parent dies could no longer be found), each member with its start time. Before every signal the
 * member's start time is read again: a PID whose start time changed belongs to another process now
 * and is never signalled. (A PID can still be reused between that read and kill(2); Node has no
 * pidfd API to close that window, but it is microseconds wide against the seconds a PID takes to be
 * reused.) This is why the tree-kill package is not used: it signals the PIDs `ps` listed, with no
 * identity check in between.
 *
 * The tree is more than the root's descendants: a trainer's workers can be reparented to init when
 * a launcher in between exits, so every process of the daemon's session (the daemon leads its own
 * session when trainsafe started it) and every process carrying the daemon's launch id
 * (TRAINSAFE_LAUNCH_ID, inherited through fork and exec) is a member too. Nothing outside those sets
 * is ever signalled.
 *
 * Attempt 1 is SIGTERM followed by SIGCONT (as systemd does: a stopped process cannot act on SIGTERM
 * until it runs again), `graceMs` to exit, then SIGKILL to the survivors; attempts 2.. are SIGKILL
 * again. When every member was stopped (state T, e.g. SIGSTOP or a debugger), the grace is skipped:
 * a frozen trainer has no clean-up worth waiting for and SIGKILL ends it at once. Each SIGKILL waits
 * `graceMs` for /proc to confirm the processes are gone (a zombie counts as gone: it runs no code and
 * holds no GPU memory). A process in uninterruptible sleep (D) can outlive SIGKILL; after
 * `maxAttempts` attempts it is reported as unkillable.
 */
import { LAUNCH_ID_ENV, type DaemonIdentity } from "../lib/daemon.js";
import { isSameLive, listProcesses, readCmdline, readEnvVar, readIdentity, readProcStat, sameProcess, type ProcStat, type ProcessIdentity } from "../lib/proc.js";
import { timerDelayMs } from "../lib/units.js";

export interface KillDeps {
  /** Sends a signal (process.kill). Injected so that tests can count and refuse signals. */
  readonly signal: (pid: number, sig: NodeJS.Signals) => void;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

export interface KillOptions {
  readonly graceMs: number;
  readonly maxAttempts: number;
  /** How often /proc is read while waiting for processes to go. */
  readonly pollMs?: number;
}

export interface SignalRecord {
  readonly pid: number;
  readonly signal: NodeJS.Signals;
  readonly atMs: number;
  /** Set when kill(2) failed for a reason other than the process being gone (e.g. EPERM). */
  readonly error?: string;
}

export interface KillResult {
  /** Every member of the tree is gone. */
  readonly ok: boolean;
  readonly attempts: number;
  /** The tree as collected before signalling (root first). */
  readonly members: ReadonlyArray<ProcessIdentity>;
  readonly signals: ReadonlyArray<SignalRecord>;
  /** PIDs never signalled because they turned out to be a different process. */
  readonly skipped: ReadonlyArray<{ readonly pid: number; readonly reason: string }>;
  /** Members still alive after the last attempt, with their state (D = stuck in I/O). */
  readonly survivors: ReadonlyArray<{ readonly pid: number; readonly state: string; readonly cmdline: string }>;
  readonly durationMs: number;
}

/** Default dependencies: real signals and the real clock. */
export const realKillDeps: KillDeps = {
  signal: (pid, sig) => process.kill(pid, sig),
  sleep: (ms) => new Promise((r) => setTimeout(r, timerDelayMs(ms))),
  now: () => Date.now(),
};

/** Identities of `pid`'s descendants, read now (members that vanish while reading are left out). */
export async function collectTree(pid: number): Promise<ProcessIdentity[]> {
  const all = await listProcesses();
  const root = all.find((p) => p.pid === pid);
  if (!root) return [];
  return identities(descendantsIn(all, [root.pid]));
}

/** PIDs below `roots` in one /proc snapshot (the roots themselves excluded). */
function descendantsIn(all: ReadonlyArray<ProcStat>, roots: ReadonlyArray<number>): ProcStat[] {
  const byParent = new Map<number, ProcStat[]>();
  for (const p of all) {
    const list = byParent.get(p.ppid);
    if (list) list.push(p);
    else byParent.set(p.ppid, [p]);
  }
  const out: ProcStat[] = [];
  const seen = new Set(roots);
  const queue = [...roots];
  while (queue.length) {
    for (const child of byParent.get(queue.shift()!) ?? []) {
      if (seen.has(child.pid)) continue;
      seen.add(child.pid);
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/** Identities of the listed processes, keeping the start time read with the list. */
async function identities(stats: ReadonlyArray<ProcStat>): Promise<ProcessIdentity[]> {
  const ids = await Promise.all(
    stats.map(async (st) => {
      const cmdline = await readCmdline(st.pid);
      return cmdline === null ? null : { pid: st.pid, startTicks: st.startTicks, cmdline };
    }),
  );
  return ids.filter((x): x is ProcessIdentity => x !== null);
}

/**
 * Every process that belongs to the daemon `root`, read now: the root itself when it is still the
 * same process, its descendants, the members of its session when it leads one, and every process
 * carrying its launch id, with their descendants. The caller (this supervisor) and zombies are never
 * members.
 */
export async function collectDaemonTree(root: DaemonIdentity): Promise<ProcessIdentity[]> {
  const all = (await listProcesses()).filter((p) => p.pid !== process.pid && p.state !== "Z" && p.state !== "X");
  const picked = new Map<number, ProcStat>();
  const rootStat = all.find((p) => p.pid === root.pid && p.startTicks === root.startTicks);
  if (rootStat) {
    picked.set(rootStat.pid, rootStat);
    // A session whose id is the root's PID was created by the root (setsid): all of it is the daemon's.
    if (rootStat.session === rootStat.pid) for (const p of all) if (p.session === rootStat.pid) picked.set(p.pid, p);
  }
  if (root.launchId) {
    const carriers = await Promise.all(all.map(async (p) => ((await readEnvVar(p.pid, LAUNCH_ID_ENV)) === root.launchId ? p : null)));
    for (const p of carriers) if (p) picked.set(p.pid, p);
  }
  for (const p of descendantsIn(all, [...picked.keys()])) picked.set(p.pid, p);
  const members = await identities([...picked.values()]);
  // Root first (reports and tests read members[0] as the daemon).
  return members.sort((a, b) => (a.pid === root.pid ? -1 : b.pid === root.pid ? 1 : a.pid - b.pid));
}

/** Members stopped by a signal or a tracer (state T or t), read now. */
async function stoppedMembers(members: ReadonlyArray<ProcessIdentity>): Promise<ProcessIdentity[]> {
  const states = await Promise.all(members.map((m) => readProcStat(m.pid)));
  return members.filter((m, i) => {
    const st = states[i];
    return st !== null && st !== undefined && st.startTicks === m.startTicks && (st.state === "T" || st.state === "t");
  });
}

/** True while `member` is still the same running (non-zombie) process (same PID and start time). */
export async function stillAlive(member: ProcessIdentity): Promise<boolean> {
  return isSameLive(await readProcStat(member.pid), member.startTicks);
}

/**
 * Terminates the daemon `root` (which must be the proven daemon identity) and every process that
 * belongs to it (see collectDaemonTree). When the root itself is gone or its PID was reused, the
 * members left behind (found by launch id) are still killed, and the reused PID never is.
 */
export async function killTree(root: DaemonIdentity, opts: KillOptions, deps: KillDeps = realKillDeps): Promise<KillResult> {
  const t0 = deps.now();
  const pollMs = opts.pollMs ?? 50;
  const signals: SignalRecord[] = [];
  const skipped: Array<{ pid: number; reason: string }> = [];

  const current = await readIdentity(root.pid);
  if (current && !sameProcess(current, root)) skipped.push({ pid: root.pid, reason: "PID now belongs to a different process" });
  const members: ProcessIdentity[] = await collectDaemonTree(root);
  if (members.length === 0) return { ok: true, attempts: 0, members, signals, skipped, survivors: [], durationMs: deps.now() - t0 };
  const known = new Set(members.map((m) => m.pid));

  const send = async (sig: NodeJS.Signals, targets: ProcessIdentity[]) => {
    for (const m of targets) {
      const st = await readProcStat(m.pid);
      if (!st || st.state === "Z" || st.state === "X") continue;
      if (st.startTicks !== m.startTicks) {
        if (!skipped.some((s) => s.pid === m.pid)) skipped.push({ pid: m.pid, reason: "start time changed: PID was recycled" });
        continue;
      }
      try {
        deps.signal(m.pid, sig);
        signals.push({ pid: m.pid, signal: sig, atMs: deps.now() });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== "ESRCH") signals.push({ pid: m.pid, signal: sig, atMs: deps.now(), error: code ?? String(err) });
      }
    }
  };
  const alive = async () => {
    const flags = await Promise.all(members.map(stillAlive));
    return members.filter((_, i) => flags[i]);
  };
  const waitGone = async (ms: number) => {
    const until = deps.now() + ms;
    let left = await alive();
    // Most processes are gone within milliseconds of the signal: look again soon, then back off to pollMs.
    let step = Math.min(5, pollMs);
    while (left.length > 0 && deps.now() < until) {
      await deps.sleep(Math.min(step, Math.max(1, until - deps.now())));
      step = Math.min(pollMs, step * 2);
      left = await alive();
    }
    return left;
  };

  let attempts = 0;
  let left = [...members];
  while (left.length > 0 && attempts < opts.maxAttempts) {
    attempts++;
    if (attempts > 1) {
      // Children forked while we were waiting are part of the tree too.
      for (const m of [...left]) {
        for (const child of await collectTree(m.pid)) {
          if (!known.has(child.pid)) {
            known.add(child.pid);
            members.push(child);
            left.push(child);
          }
        }
      }
    } else {
      const stopped = await stoppedMembers(left);
      await send("SIGTERM", left);
      await send("SIGCONT", stopped);
      // A frozen tree gets no grace: nothing in it was running to clean up.
      left = stopped.length === left.length ? await alive() : await waitGone(opts.graceMs);
      if (left.length === 0) break;
    }
    await send("SIGKILL", left);
    left = await waitGone(opts.graceMs);
  }
  const survivors = await Promise.all(
    left.map(async (m) => ({ pid: m.pid, state: (await readProcStat(m.pid))?.state ?? "?", cmdline: m.cmdline })),
  );
  return { ok: left.length === 0, attempts, members, signals, skipped, survivors, durationMs: deps.now() - t0 };
}
