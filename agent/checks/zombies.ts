/** Zombie (defunct) children of the daemon: a trainer that does not reap its data-loader workers leaks them. */
import { listProcessesSync } from "../lib/proc.js";
import { daemonLookup } from "./daemon.js";
import { result, type Check } from "./types.js";

export const zombiesCheck: Check = {
  id: "zombies",
  title: "defunct daemon children",
  async run({ settings, shared }) {
    const found = await daemonLookup(settings, shared);
    if (found.state !== "running") return result("skip", "daemon not running");
    // Every process's stat, read synchronously: a stat read never waits on the process (lib/proc.ts), and
    // ~100 asynchronous reads cost ~10 ms of thread-pool round trips.
    const all = listProcessesSync();
    const byParent = new Map<number, typeof all>();
    for (const p of all) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
    const zombies: Array<{ pid: number; ppid: number; comm: string }> = [];
    const queue = [found.pid];
    while (queue.length) {
      for (const child of byParent.get(queue.shift()!) ?? []) {
        if (child.state === "Z") zombies.push({ pid: child.pid, ppid: child.ppid, comm: child.comm });
        else queue.push(child.pid);
      }
    }
    if (zombies.length === 0) return result("pass", `no defunct children under daemon PID ${found.pid}`);
    return result(
      "warn",
      `${zombies.length} defunct process${zombies.length === 1 ? "" : "es"} under daemon PID ${found.pid} (${zombies
        .slice(0, 5)
        .map((z) => `${z.pid} ${z.comm}`)
        .join(", ")}${zombies.length > 5 ? ", …" : ""}): their parent does not reap them`,
      { daemonPid: found.pid, zombies },
    );
  },
};
