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
 * Attempt 1 is SIGTERM, `graceMs` to exit, then SIGKILL to the survivors; attempts 2.. are SIGKILL
 * again. Each SIGKILL waits `graceMs` for /proc to confirm the processes are gone (a zombie counts as
 * gone: it runs no code and holds no GPU memory). A process in uninterruptible sleep (D) can outlive
 * SIGKILL; after `maxAttempts` attempts it is reported as unkillable.
 */
import { listDescendants, readIdentity, readProcStat, sameProcess, type ProcessIdentity } from "../lib/proc.js";
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
  const ids = await Promise.all((await listDescendants(pid)).map((p) => readIdentity(p)));
  return ids.filter((x): x is ProcessIdentity => x !== null);
}

/** True while `member` is still the same running (non-zombie) process (same PID and start time). */
export async function stillAlive(member: ProcessIdentity): Promise<boolean> {
  const st = await readProcStat(member.pid);
  return st !== null && st.startTicks === member.startTicks && st.state !== "Z" && st.state !== "X";
}

/** Terminates `root` (which must be the proven daemon identity) and all its descendants. */
export async function killTree(root: ProcessIdentity, opts: KillOptions, deps: KillDeps = realKillDeps): Promise<KillResult> {
  const t0 = deps.now();
  const pollMs = opts.pollMs ?? 50;
  const signals: SignalRecord[] = [];
  const skipped: Array<{ pid: number; reason: string }> = [];

  const current = await readIdentity(root.pid);
  if (!current || !sameProcess(current, root)) {
    if (current) skipped.push({ pid: root.pid, reason: "PID now belongs to a different process" });
    return { ok: true, attempts: 0, members: [], signals, skipped, survivors: [], durationMs: deps.now() - t0 };
  }
  const members: ProcessIdentity[] = [root, ...(await collectTree(root.pid))];
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
    while (left.length > 0 && deps.now() < until) {
      await deps.sleep(Math.min(pollMs, Math.max(1, until - deps.now())));
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
      await send("SIGTERM", left);
      left = await waitGone(opts.graceMs);
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
