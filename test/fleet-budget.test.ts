/**
 * Integration: fleet-wide restart budgets with real agents: the correlated-failure breaker, its reset,
 * the fleet cap, and the local budget while the controller is away.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Fleet, fleetJson, runCli, waitFor, type AgentHandle } from "./helpers/fleet.js";

interface Host { hostId: string; connected: boolean; daemonState: string }
interface Stored { hostId: string; kind: string; category: string; message: string }
interface Decision { hostId: string; allow: boolean; scope: string; reason: string; requestReason: string; decidedMs: number; signature: string }
interface Budget { breakers: Array<{ signature: string; open: boolean; hostIds: string[] }>; recentDecisions: Decision[] }

const fleet = new Fleet();
after(() => fleet.cleanup());

test("breaker, reset and fleet cap with real agents", { timeout: 180_000 }, async (t) => {
  // Three initial starts use three grants; the fleet allows six per window. Two hosts crashing with
  // the same signature trip the breaker.
  const ctl = await fleet.controller({
    budget: { hostMaxRestarts: 20, backoffInitial: "100ms", backoffMax: "300ms", fleetMaxRestarts: 5, fleetWindow: "10m", breakerThreshold: 2, breakerWindow: "10m" },
  });
  const addr = ctl.address;
  const agents: Record<string, AgentHandle> = {};
  for (const h of ["b1", "b2", "b3"]) {
    const { baseDir, configFile } = fleet.prepareAgent(h, `job-${h}`, addr);
    agents[h] = fleet.startAgent(h, baseDir, configFile);
  }
  await waitFor("three running hosts", async () => {
    const hosts = await fleetJson<Host[]>(addr, ["hosts"]);
    return hosts.length === 3 && hosts.every((h) => h.connected && h.daemonState === "running");
  }, 30_000, 300);

  await t.test("the same crash on two hosts trips the breaker and stops restarts for that signature", async () => {
    fleet.control(agents.b1!.baseDir, { crashAtStep: 0, once: true });
    await waitFor("b1 restarted", async () => (await fleetJson<Budget>(addr, ["budget"])).recentDecisions.some((d) => d.hostId === "b1" && d.requestReason === "crash" && d.allow));
    fleet.control(agents.b2!.baseDir, { crashAtStep: 0, once: true });
    const b = await waitFor("an open breaker", async () => {
      const s = await fleetJson<Budget>(addr, ["budget"]);
      return s.breakers.some((x) => x.open) ? s : null;
    });
    const denied = b.recentDecisions.find((d) => d.hostId === "b2" && d.requestReason === "crash" && !d.allow);
    assert.ok(denied, "b2's restart was denied");
    assert.equal(denied.scope, "breaker");
    assert.match(denied.reason, /breaker|signature/i);
    const hosts = await fleetJson<Host[]>(addr, ["hosts"]);
    assert.notEqual(hosts.find((h) => h.hostId === "b2")?.daemonState, "running", "b2 stays down");
    const r = await runCli(["fleet", "budget", "--controller", addr]);
    assert.equal(r.code, 1, "fleet budget exits 1 while a breaker is open");
  });

  await t.test("budget reset clears the breaker and the waiting host restarts", async () => {
    const reset = await fleetJson<{ reset: string[] }>(addr, ["budget", "reset"]);
    assert.equal(reset.reset.length, 1);
    await waitFor("b2 running again", async () => (await fleetJson<Host[]>(addr, ["hosts"])).find((h) => h.hostId === "b2")?.daemonState === "running", 20_000, 200);
    const b = await fleetJson<Budget>(addr, ["budget"]);
    assert.ok(!b.breakers.some((x) => x.open), "no open breaker");
  });

  await t.test("the fleet cap denies with its reason", async () => {
    // Grants so far: 3 starts + b1 + b2 = 5 = the cap. A crash with another signature is denied by the cap.
    const segv = "Fatal Python error: Segmentation fault\n\nCurrent thread 0x00007f3b2a1fd740 (most recent call first):\n  File \"/data/training/core/train.py\", line 88 in collate";
    fleet.control(agents.b3!.baseDir, { crashAtStep: 0, crashSignal: "SIGSEGV", crashText: segv, once: true });
    const d = await waitFor("b3's denial", async () =>
      (await fleetJson<Budget>(addr, ["budget"])).recentDecisions.find((x) => x.hostId === "b3" && x.requestReason === "crash" && !x.allow),
    );
    assert.equal(d.scope, "fleet");
    assert.match(d.reason, /fleet/i);
    const denials = await fleetJson<Stored[]>(addr, ["events", "--host", "b3", "--kind", "denial"]);
    assert.ok(denials.length >= 1, "the agent reported the denial");
  });
});

test("with the controller away the agent restarts within its local budget and reports it later", { timeout: 120_000 }, async () => {
  const ctl = await fleet.controller({ budget: { hostMaxRestarts: 20 } });
  const { baseDir, configFile } = fleet.prepareAgent("l1", "job-l", ctl.address);
  const settings = JSON.parse(fs.readFileSync(configFile, "utf8"));
  settings.watchdog.maxRestarts = 3; // the first start plus two restarts
  settings.watchdog.restartWindow = "10m";
  fs.writeFileSync(configFile, JSON.stringify(settings));
  const agent = fleet.startAgent("l1", baseDir, configFile);
  await waitFor("l1 running", async () => (await fleetJson<Host[]>(ctl.address, ["hosts"])).find((h) => h.hostId === "l1")?.daemonState === "running", 30_000, 200);
  await fleet.stop(ctl.child, "SIGKILL");

  // Three crashes while the controller is away: two restarts fit the local budget, the third is denied.
  for (let i = 0; i < 3; i++) {
    const pid = await waitFor(`a running daemon before crash ${i + 1}`, () => agent.daemonPid());
    fleet.control(baseDir, { crashAtStep: 0, once: true });
    // The daemon removes the control file as it crashes ("once").
    await waitFor(`crash ${i + 1}`, () => !fs.existsSync(path.join(baseDir, "daemon_control.json")), 20_000);
    if (i < 2) await waitFor(`restart ${i + 1}`, () => agent.daemonPid() !== null && agent.daemonPid() !== pid, 20_000);
  }
  await waitFor("the local denial", () => /restart denied[^\n]*local budget/.test(agent.output()), 20_000).catch((err) => {
    throw new Error(`${(err as Error).message}\nagent output:\n${agent.output()}`);
  });

  const back = await fleet.controller({}, ctl.address, ctl.stateDir);
  await waitFor("spool drained", () => agent.status()?.connected && agent.status()?.pendingEvents === 0, 30_000);
  const local = await fleetJson<Stored[]>(back.address, ["events", "--host", "l1", "--kind", "local_restart"]);
  assert.equal(local.length, 2, "both local restarts reached the controller");
  const { crashes } = await fleetJson<{ crashes: Stored[] }>(back.address, ["crashes", "--host", "l1"]);
  assert.equal(crashes.length, 3, "all three crashes reached the controller");
  const denials = await fleetJson<Stored[]>(back.address, ["events", "--host", "l1", "--kind", "denial"]);
  assert.ok(denials.some((d) => /local budget/.test(d.message)), "the local denial was reported");
});
