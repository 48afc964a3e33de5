/**
 * Integration: `trainsafe fleet kill` through a real controller and a real agent whose daemon command
 * is a launcher chain (sh execs sh execs python3, itself a pyenv shim on some hosts) with a worker
 * child. The kill must leave no process of the launch running; the hold must survive a PID file
 * rewritten to name a trainer started by hand and an agent restart; `fleet restart` lifts it.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { listProcesses, readCwd, readEnvVar } from "../agent/lib/proc.js";
import { Fleet, fleetJson, runCli, waitFor } from "./helpers/fleet.js";

const CHAIN = path.join(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), "daemon", "exec-chain");
interface Host { hostId: string; connected: boolean; daemonState: string; daemonPid: number }

const fleet = new Fleet();
const mine = new Set<number>();
after(async () => {
  await fleet.cleanup().catch(() => {});
  for (const p of mine) {
    try {
      process.kill(p, "SIGKILL");
    } catch {
      /* gone */
    }
  }
});

/** Processes started in `dir`: by a trainsafe launch (launch id in the environment) or by this test. */
async function runningIn(dir: string): Promise<Array<{ pid: number; launched: boolean; cmdline: string }>> {
  const out: Array<{ pid: number; launched: boolean; cmdline: string }> = [];
  for (const st of await listProcesses()) {
    if (st.state === "Z" || st.state === "X") continue;
    if ((await readCwd(st.pid)) !== dir) continue;
    const launched = (await readEnvVar(st.pid, "TRAINSAFE_LAUNCH_ID")) !== null;
    const cmdline = (await fs.promises.readFile(`/proc/${st.pid}/cmdline`, "latin1").catch(() => "")).split("\0").join(" ");
    out.push({ pid: st.pid, launched, cmdline });
    if (launched) mine.add(st.pid);
  }
  return out;
}

test("fleet kill of an exec-chain trainer leaves nothing running and holds through PID file rewrites and an agent restart", { timeout: 120_000 }, async () => {
  const ctl = await fleet.controller({ budget: { hostMaxRestarts: 20, backoffInitial: "100ms", backoffMax: "500ms", breakerThreshold: 0 } });
  const { baseDir, configFile } = fleet.prepareAgent("h1", "job-x", ctl.address, {
    settings: {
      watchdog: {
        livenessPoll: "50ms",
        checkInterval: "200ms",
        trainingTimeout: "30s",
        killGrace: "2s",
        minDiskFreeForRestart: 0,
        daemonPattern: "trainer\\.py",
        daemonCommand: ["sh", path.join(CHAIN, "launch.sh"), "--hang-after", "0"],
      },
    },
  });
  let agent = fleet.startAgent("h1", baseDir, configFile);
  const trainer = await waitFor("the trainer and its worker behind the exec chain", async () => {
    const procs = (await runningIn(baseDir)).filter((p) => p.launched);
    const t = procs.find((p) => p.cmdline.includes("trainer.py"));
    return t && procs.some((p) => p.cmdline.includes("while True")) ? t : null;
  }, 30_000);
  await waitFor("h1 running at the controller", async () => (await fleetJson<Host[]>(ctl.address, ["hosts"])).some((h) => h.daemonState === "running"), 20_000);

  const kill = await runCli(["fleet", "kill", "h1", "--controller", ctl.address, "--reason", "maintenance", "--json"]);
  assert.equal(kill.code, 0, kill.stdout + kill.stderr);
  await new Promise((r) => setTimeout(r, 1000));
  assert.deepEqual((await runningIn(baseDir)).filter((p) => p.launched), [], "no process of the launch survived");

  // A trainer started by hand in the folder, named by a rewritten PID file: held, so never adopted.
  const out = fs.openSync(path.join(baseDir, "by-hand.log"), "a");
  const byHand = spawn("python3", [path.join(CHAIN, "trainer.py")], { cwd: baseDir, detached: true, stdio: ["ignore", out, out] });
  fs.closeSync(out);
  mine.add(byHand.pid!);
  byHand.unref();
  fs.writeFileSync(path.join(baseDir, ".daemon.pid"), `${byHand.pid}\n`);
  await new Promise((r) => setTimeout(r, 1500));
  let hosts = await fleetJson<Host[]>(ctl.address, ["hosts"]);
  assert.equal(hosts[0]?.daemonState, "held", JSON.stringify(hosts));

  // The agent restarts (systemd restart, upgrade): the hold is on disk, so it still holds.
  await fleet.stop(agent.child);
  fs.writeFileSync(path.join(baseDir, ".daemon.pid"), "4194000\n");
  agent = fleet.startAgent("h1", baseDir, configFile);
  await waitFor("h1 reconnected", async () => (await fleetJson<Host[]>(ctl.address, ["hosts"])).some((h) => h.connected && h.daemonState === "held"), 20_000);
  await new Promise((r) => setTimeout(r, 1000));
  hosts = await fleetJson<Host[]>(ctl.address, ["hosts"]);
  assert.equal(hosts[0]?.daemonState, "held");
  const launched = (await runningIn(baseDir)).filter((p) => p.launched);
  assert.deepEqual(launched, [], `nothing was started while held: ${JSON.stringify(launched)}`);
  assert.ok((await runningIn(baseDir)).some((p) => p.pid === byHand.pid), "the hand-started trainer was never signalled");
  assert.notEqual(trainer.pid, byHand.pid);

  // fleet restart lifts the hold: one daemon is launched (the hand-started one is not named any more).
  process.kill(byHand.pid!, "SIGKILL");
  const restart = await runCli(["fleet", "restart", "h1", "--controller", ctl.address, "--json"]);
  assert.equal(restart.code, 0, restart.stdout + restart.stderr);
  await waitFor("a new trainer", async () => (await runningIn(baseDir)).some((p) => p.launched && p.cmdline.includes("trainer.py")), 20_000);
  assert.equal(fs.existsSync(path.join(baseDir, ".trainsafe", "hold.json")), false);
});
