/**
 * Daemon alive: the PID file names a live process that is provably the training daemon.
 *
 * Without a PID file the check says what that means for this folder, since "not running" is a
 * problem only when something says it should run: a trainer started by hand that no PID file names
 * (trainsafe does not supervise it, and a supervisor's start is blocked while it runs)
 * and a supervisor that watches the folder without a daemon (waiting for its budget, or blocked) fail;
 * an operator's hold (fleet kill) and a folder nothing was started in yet (before the first start, or
 * a job that ended) warn, saying what starts it.
 */
import { asyncFiles as fsp, files } from "../lib/fs-mode.js";
import path from "node:path";
import type { Settings } from "../config/settings.js";
import { findDaemon, readPidFile, unnamedTrainers as findUnnamedTrainers, type DaemonLookup, type UnnamedTrainer } from "../lib/daemon.js";
import { formatDurationMs } from "../lib/units.js";
import { isSameLive, readIdentity, readProcStat } from "../lib/proc.js";
import { holdFile, loadHold, stateDir } from "../watchdog/state.js";
import { result, type Check, type CheckResult } from "./types.js";
import { rel } from "./util.js";

export type { UnnamedTrainer };

/** The supervisor (agent or `trainsafe watchdog`) holding BASE_DIR's lock, when it is alive. */
export async function liveSupervisor(settings: Settings): Promise<number | null> {
  const file = path.join(stateDir(settings.layout), "supervisor.lock");
  let v: { pid?: unknown; startTicks?: unknown; baseDir?: unknown };
  try {
    // A file of BASE_DIR: read as the other checks read theirs (synchronously where no mount can hang).
    v = JSON.parse(await files.readFile(file, "utf8")) as typeof v;
  } catch {
    return null;
  }
  if (typeof v.pid !== "number" || typeof v.startTicks !== "number") return null;
  // A lock copied with a run folder names the supervisor of the original folder.
  if (typeof v.baseDir === "string" && v.baseDir !== path.resolve(settings.layout.baseDir)) return null;
  return isSameLive(await readProcStat(v.pid), v.startTicks) ? v.pid : null;
}

/**
 * Trainers of this folder that the PID file does not name (agent/lib/daemon.ts `unnamedTrainers`). With
 * `shared` (one run's checks, CheckContext.shared), one scan answers the daemon check and the progress
 * check's jobRunning: without a PID file both ask, and a scan reads every process's command line
 * (~25-45 ms of CPU with 100 processes, the largest part of `trainsafe check` on such a folder).
 */
export function unnamedTrainers(settings: Settings, shared?: Map<string, unknown>): Promise<UnnamedTrainer[]> {
  const key = `unnamedTrainers\0${settings.layout.baseDir}\0${settings.watchdog.daemonPattern}`;
  const known = shared?.get(key) as Promise<UnnamedTrainer[]> | undefined;
  if (known) return known;
  const scan = findUnnamedTrainers(settings.layout, settings.watchdog.daemonPattern);
  shared?.set(key, scan);
  return scan;
}

/**
 * findDaemon (agent/lib/daemon.ts), once per run with `shared` (CheckContext.shared): the daemon, progress,
 * crashes and zombies checks each ask, and with a daemon running each lookup reads the PID file, the
 * process's stat and command line and the identity file (docs/benchmarks.md, start-up, 2026-12-06 05:45).
 * One lookup answers the whole run, as one /proc scan does (unnamedTrainers above); re-runs after repairs
 * have no shared map and look again.
 */
export function daemonLookup(settings: Settings, shared?: Map<string, unknown>): Promise<DaemonLookup> {
  const key = `findDaemon\0${settings.layout.pidFile}\0${settings.layout.baseDir}\0${settings.watchdog.daemonPattern}`;
  const known = shared?.get(key) as Promise<DaemonLookup> | undefined;
  if (known) return known;
  const lookup = findDaemon(settings.layout, settings.watchdog.daemonPattern);
  shared?.set(key, lookup);
  return lookup;
}

/** Whether this folder's job runs: the daemon the PID file names, or a trainer no PID file names. */
export async function jobRunning(settings: Settings, shared?: Map<string, unknown>): Promise<boolean> {
  const found = await daemonLookup(settings, shared);
  if (found.state === "running") return true;
  if (found.state !== "no_pid_file" && found.state !== "not_running") return false;
  return (await unnamedTrainers(settings, shared)).length > 0;
}

const short = (s: string, n = 100) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** What a missing PID file means here (see the file comment). */
async function noPidFile(settings: Settings, now: number, found: Extract<DaemonLookup, { state: "no_pid_file" }>, shared: Map<string, unknown> | undefined): Promise<CheckResult> {
  const { layout } = settings;
  const pidName = rel(layout, layout.pidFile);
  const trainers = await unnamedTrainers(settings, shared);
  if (trainers.length > 0) {
    const t = trainers[0]!;
    const more = trainers.length > 1 ? ` (and ${trainers.length - 1} more: PID ${trainers.slice(1).map((x) => x.pid).join(", ")})` : "";
    if (t.launched && t.sessionLeader) {
      return result(
        "fail",
        `this folder's daemon, started by trainsafe, runs as PID ${t.pid} ("${short(t.cmdline)}")${more}, but ${pidName} is missing: ` +
          `nothing supervises it until an agent or \`trainsafe watchdog\` adopts it (they do, rewriting the PID file). Or: echo ${t.pid} > ${pidName}`,
        { pidFile: layout.pidFile, trainers },
      );
    }
    const what = t.launched
      ? `PID ${t.pid} ("${short(t.cmdline)}")${more} is left over from this folder's last launch (it carries its launch id) but is not its daemon, and no PID file names it`
      : `a trainer started by hand runs in this folder: PID ${t.pid} ("${short(t.cmdline)}")${more}, and no PID file names it`;
    return result(
      "fail",
      `${what}. trainsafe does not supervise it, and an agent or \`trainsafe watchdog\` will not start this folder's daemon beside it (the start is blocked until it is gone). ` +
        (t.launched ? `Stop it (kill ${t.pid}) or wait for it to exit` : `To have it adopted: echo ${t.pid} > ${pidName}`),
      { pidFile: layout.pidFile, trainers },
    );
  }
  const hold = await loadHold(layout);
  if (hold) {
    const since = hold.atMs > 0 ? ` since ${new Date(hold.atMs).toISOString()} (${formatDurationMs(Math.max(0, now - hold.atMs))} ago)` : "";
    return result(
      "warn",
      `not running, on purpose: held by an operator${since}: ${hold.reason}. Nothing starts it until \`trainsafe fleet restart HOST\` or \`trainsafe watchdog\` lifts the hold (${rel(layout, holdFile(layout))})`,
      { pidFile: layout.pidFile, held: true, reason: hold.reason },
    );
  }
  const supervisor = await liveSupervisor(settings);
  if (supervisor !== null) {
    return result(
      "fail",
      `daemon not running: ${found.message}, though a supervisor (PID ${supervisor}) watches this folder: it is waiting for its restart budget or a restart is blocked (see ${rel(layout, layout.watchdogLog)})`,
      { pidFile: layout.pidFile, supervisorPid: supervisor },
    );
  }
  return result(
    "warn",
    `job not running: no daemon was started in this folder (${found.message}) and no trainsafe supervisor watches it. ` +
      `Expected before the first start: \`trainsafe agent\` or \`trainsafe watchdog\` starts it (${short(settings.watchdog.daemonCommand.join(" "), 80)}). ` +
      `If training should be running here, it is not`,
    { pidFile: layout.pidFile, supervisorPid: null },
  );
}

export const daemonCheck: Check = {
  id: "daemon",
  title: "training daemon alive",
  async run({ settings, now, shared }) {
    const { layout } = settings;
    const found = await daemonLookup(settings, shared);
    switch (found.state) {
      case "running":
        return result("pass", found.message, { pid: found.pid, cmdline: found.identity.cmdline, startTicks: found.identity.startTicks });
      case "no_pid_file":
        return noPidFile(settings, now(), found, shared);
      case "bad_pid_file":
        return result("fail", `${found.message} (fix or remove it by hand; trainsafe removes only PID files of dead processes)`);
      case "not_daemon":
        if (found.reason === "foreign") {
          // Another job's trainer (a copied run folder, a PID file of another BASE_DIR) or not a
          // trainer at all: never signalled, and the daemon of this folder is not running.
          return result(
            "fail",
            `foreign process: ${found.message}. trainsafe will never signal it; this folder's daemon is not running. ` +
              `Fix ${rel(layout, layout.pidFile)} (it should name this folder's trainer) or remove it.`,
            { pid: found.pid, foreign: true },
          );
        }
        // The PID was reused by another process: removing the file is harmless, but the process must
        // never be signalled, and a human should see that the daemon died without cleaning up.
        return result(
          "fail",
          `${found.message}. The daemon is gone and its PID now belongs to another process (PID recycling); ` +
            `trainsafe will not touch that process. Check that nothing else runs the daemon, then remove ${rel(layout, layout.pidFile)}.`,
          { pid: found.pid },
        );
      case "not_running": {
        const pid = found.pid;
        return result("fail", `stale PID file: ${found.message}: the daemon died (a crash, a kill, a reboot) and nothing restarted it`, { pid }, {
          description: `remove stale PID file ${rel(layout, layout.pidFile)} (PID ${pid} is gone)`,
          async apply() {
            // Re-prove at repair time: the daemon may have been restarted (new PID written) or the PID
            // reused since the check ran. Only the same file content naming a dead PID is removed.
            const again = await readPidFile(layout.pidFile);
            if (!again.ok || again.pid !== pid) throw new Error(`${layout.pidFile} changed since the check; left alone`);
            if ((await readIdentity(pid)) !== null) throw new Error(`PID ${pid} is alive again; left ${layout.pidFile} alone`);
            await fsp.unlink(layout.pidFile);
            return `removed ${layout.pidFile} (PID ${pid} was not running)`;
          },
        });
      }
    }
  },
};
