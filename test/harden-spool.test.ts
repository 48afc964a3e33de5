/**
 * Issue 12, defect 4: the agent's spool folder deleted under a running agent while the controller
 * is away. The agent notices (inode check on append and periodically), recreates the folder with
 * every unacknowledged event, warns, and everything reaches the controller after an agent SIGKILL
 * and restart. Real controller, real agent, real daemon.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Fleet, fleetJson, waitFor } from "./helpers/fleet.js";

const fleet = new Fleet();
after(() => fleet.cleanup());

interface Stored { hostId: string; kind: string; category: string; uuid: string }

test("a deleted spool folder is recreated with the unacknowledged events; none is lost", { timeout: 150_000 }, async () => {
  const ctl = await fleet.controller({ budget: { hostMaxRestarts: 20 } });
  const { baseDir, configFile } = fleet.prepareAgent("sp1", "job-sp", ctl.address);
  const settings = JSON.parse(fs.readFileSync(configFile, "utf8"));
  settings.watchdog.restartWindow = "10m";
  fs.writeFileSync(configFile, JSON.stringify(settings));
  const agent = fleet.startAgent("sp1", baseDir, configFile);
  await waitFor("sp1 connected with a running daemon", () => agent.status()?.connected && agent.daemonPid() !== null, 30_000);
  await fleet.stop(ctl.child, "SIGKILL");
  const spoolDir = path.join(baseDir, ".trainsafe", "agent", "spool");

  const crash = async (n: number) => {
    const pid = await waitFor(`a running daemon before crash ${n}`, () => agent.daemonPid());
    fleet.control(baseDir, { crashAtStep: 0, once: true });
    await waitFor(`crash ${n}`, () => !fs.existsSync(path.join(baseDir, "daemon_control.json")), 20_000);
    await waitFor(`restart ${n}`, () => agent.daemonPid() !== null && agent.daemonPid() !== pid, 20_000);
  };
  // Crash 1 while the controller is away: its events wait in the spool.
  await crash(1);
  await waitFor("crash 1's events spooled", () => (agent.status()?.pendingEvents ?? 0) >= 3, 10_000);
  fs.rmSync(spoolDir, { recursive: true, force: true });
  // Found by the periodic check, before any new event.
  await waitFor("the agent recreated its spool", () => fs.existsSync(path.join(spoolDir, "events.jsonl")), 10_000).catch((err) => {
    throw new Error(`${(err as Error).message}\n${agent.output()}`);
  });
  assert.match(agent.output(), /spool .* was deleted or replaced under the running agent: recreated with the \d+ unacknowledged event/);
  // Crash 2 appends to the recreated files.
  await crash(2);
  // Both crashes and both local restarts in the spool (the restart event follows the new daemon's start, so a
  // count of lines alone could be reached before it, and the SIGKILL below would then lose it).
  const spooled = (kind: string) => (fs.readFileSync(path.join(spoolDir, "events.jsonl"), "utf8").match(new RegExp(`"kind":"${kind}"`, "g")) ?? []).length;
  await waitFor("crash 2 and its local restart spooled", () => spooled("crash") >= 2 && spooled("local_restart") >= 2, 10_000);
  const firstOutput = agent.output();
  await fleet.stop(agent.child, "SIGKILL");

  // Everything spooled reaches a controller after the agent's restart: nothing was in memory only.
  const back = await fleet.controller({ budget: { hostMaxRestarts: 20 } }, ctl.address, ctl.stateDir);
  const again = fleet.startAgent("sp1", baseDir, configFile);
  await waitFor("spool drained", () => again.status()?.connected && again.status()?.pendingEvents === 0, 30_000);
  const crashes = await fleetJson<{ crashes: Stored[] }>(back.address, ["crashes", "--host", "sp1"]);
  assert.equal(crashes.crashes.length, 2, `both crashes reached the controller\n${firstOutput}`);
  const local = await fleetJson<Stored[]>(back.address, ["events", "--host", "sp1", "--kind", "local_restart"]);
  assert.equal(local.length, 2, "both local restarts reached the controller");
});
