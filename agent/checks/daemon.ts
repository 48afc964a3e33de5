/** Daemon alive: the PID file names a live process that is provably the training daemon. */
import { promises as fsp } from "node:fs";
import { findDaemon, readPidFile } from "../lib/daemon.js";
import { readIdentity } from "../lib/proc.js";
import { result, type Check } from "./types.js";
import { rel } from "./util.js";

export const daemonCheck: Check = {
  id: "daemon",
  title: "training daemon alive",
  async run({ settings }) {
    const { layout } = settings;
    const found = await findDaemon(layout, settings.watchdog.daemonPattern);
    switch (found.state) {
      case "running":
        return result("pass", found.message, { pid: found.pid, cmdline: found.identity.cmdline, startTicks: found.identity.startTicks });
      case "no_pid_file":
        return result("fail", `daemon not running: ${found.message}`);
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
        return result("fail", `stale PID file: ${found.message}`, { pid }, {
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
