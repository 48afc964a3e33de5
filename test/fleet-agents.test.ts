/**
 * Integration: a real controller process and three real agent processes, each with its own training
 * directory and test daemon, talking gRPC over loopback, with the real fleet CLI on top.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Fleet, fleetJson, waitFor, type AgentHandle } from "./helpers/fleet.js";

interface Host { hostId: string; connected: boolean; daemonState: string; step: number; stepRate: number }
interface Stored { hostId: string; kind: string; category: string; signature: string; uuid: string; tsMs: number }
interface Decision { hostId: string; jobId: string; allow: boolean; coalesced: boolean; scope: string; reason: string; requestReason: string; decidedMs: number; grantId: string; signature: string }
interface Budget { breakers: Array<{ signature: string; open: boolean }>; recentDecisions: Decision[] }
interface Outcome { hostId: string; ok: boolean; connected: boolean; summary: string }

const fleet = new Fleet();
after(() => fleet.cleanup());

test("a fleet of three agents: crashes, job-wide grants, checks, controller kills, agent restarts", { timeout: 180_000 }, async (t) => {
  const ctl = await fleet.controller({
    budget: { hostMaxRestarts: 20, backoffInitial: "100ms", backoffMax: "500ms", jobCoalesceWindow: "5s", fleetMaxRestarts: 100, breakerThreshold: 0 },
  });
  const addr = ctl.address;
  const jobs: Record<string, string> = { h1: "job-a", h2: "job-a", h3: "job-b" };
  const agents: Record<string, AgentHandle> = {};
  for (const h of ["h1", "h2", "h3"]) {
    // A stream of events for the controller-kill part: every agent runs its health checks often.
    const { baseDir, configFile } = fleet.prepareAgent(h, jobs[h]!, addr, { settings: {} });
    agents[h] = fleet.startAgent(h, baseDir, configFile);
  }

  await t.test("every host connects and its daemon runs", async () => {
    await waitFor(
      "three connected hosts with running daemons and advancing steps",
      async () => {
        const hosts = await fleetJson<Host[]>(addr, ["hosts"]);
        return hosts.length === 3 && hosts.every((h) => h.connected && h.daemonState === "running" && h.step > 0);
      },
      30_000,
      300,
    );
  });

  await t.test("fleet check --all answers for every host", async () => {
    const outcomes = await fleetJson<Outcome[]>(addr, ["check", "--all"]);
    assert.deepEqual(outcomes.map((o) => o.hostId).sort(), ["h1", "h2", "h3"]);
    for (const o of outcomes) {
      assert.equal(o.connected, true, `${o.hostId} connected`);
      assert.match(o.summary, /\d+ pass/, `${o.hostId} ran its checks: ${o.summary}`);
    }
  });

  await t.test("a crash on one host shows in fleet crashes with its category and the daemon comes back", async () => {
    const h3 = agents.h3!;
    const before = h3.daemonPid();
    fleet.control(h3.baseDir, { crashAtStep: 0, once: true });
    const crashes = await waitFor("h3's crash at the controller", async () => {
      const { crashes: c } = await fleetJson<{ crashes: Stored[] }>(addr, ["crashes", "--host", "h3"]);
      return c.length > 0 ? c : null;
    });
    assert.equal(crashes[0]!.category, "cuda_oom");
    assert.equal(crashes[0]!.kind, "crash");
    await waitFor("a new h3 daemon", () => h3.daemonPid() !== null && h3.daemonPid() !== before);
    const events = await fleetJson<Stored[]>(addr, ["events", "--host", "h3", "--kind", "restart"]);
    assert.ok(events.length >= 1, "the restart was reported");
  });

  await t.test("a job-wide failure is one grant", async () => {
    const since = Date.now();
    fleet.control(agents.h1!.baseDir, { crashAtStep: 0, once: true });
    fleet.control(agents.h2!.baseDir, { crashAtStep: 0, once: true });
    const decisions = await waitFor("decisions for both hosts of job-a", async () => {
      const b = await fleetJson<Budget>(addr, ["budget"]);
      const mine = b.recentDecisions.filter((d) => d.jobId === "job-a" && d.decidedMs >= since && d.requestReason === "crash");
      return new Set(mine.map((d) => d.hostId)).size === 2 ? mine : null;
    });
    const granted = decisions.filter((d) => d.allow);
    assert.equal(granted.length, 2, "both hosts may restart");
    assert.equal(granted.filter((d) => !d.coalesced).length, 1, "but only one grant was spent");
    assert.equal(new Set(granted.map((d) => d.grantId)).size, 1, "both share the same grant id");
    for (const h of ["h1", "h2"]) {
      await waitFor(`${h} running again`, async () => (await fleetJson<Host[]>(addr, ["hosts"])).find((x) => x.hostId === h)?.daemonState === "running");
    }
  });

  await t.test("an agent killed and restarted adopts the running daemon", async () => {
    const h3 = agents.h3!;
    const pid = h3.daemonPid();
    assert.ok(pid);
    await fleet.stop(h3.child, "SIGKILL");
    const restartsBefore = (await fleetJson<Stored[]>(addr, ["events", "--host", "h3", "--kind", "restart"])).length;
    agents.h3 = fleet.startAgent("h3", h3.baseDir, h3.configFile);
    await waitFor("h3 back with its daemon adopted", async () => {
      const host = (await fleetJson<Host[]>(addr, ["hosts"])).find((x) => x.hostId === "h3");
      return host?.connected && host.daemonState === "running" && agents.h3!.status()?.daemonPid === pid;
    });
    assert.equal(agents.h3.daemonPid(), pid, "same daemon");
    const adopted = await fleetJson<Stored[]>(addr, ["events", "--host", "h3", "--kind", "info"]);
    assert.ok(adopted.some((e) => e.category === "adopt"), "the adoption was reported");
    assert.equal((await fleetJson<Stored[]>(addr, ["events", "--host", "h3", "--kind", "restart"])).length, restartsBefore, "no restart");
  });

  await t.test("the controller killed with SIGKILL under a stream of events loses and duplicates nothing", async () => {
    // Crashes on every host while the controller is killed twice: events pile up in the agents'
    // spools and must all arrive exactly once after it comes back on the same address.
    for (let round = 0; round < 2; round++) {
      // Each crash consumes its control file: wait for the previous round's before writing new ones.
      await waitFor("previous crashes done", () => ["h1", "h2", "h3"].every((h) => !fs.existsSync(path.join(agents[h]!.baseDir, "daemon_control.json"))));
      for (const h of ["h1", "h2", "h3"]) fleet.control(agents[h]!.baseDir, { crashAtStep: 2, once: true });
      await new Promise((r) => setTimeout(r, 150 + round * 200));
      await fleet.stop(ctl.child, "SIGKILL");
      await new Promise((r) => setTimeout(r, 1000));
      const again = await fleet.controller({}, addr, ctl.stateDir);
      Object.assign(ctl, { child: again.child });
    }
    for (const h of ["h1", "h2"]) {
      await waitFor(`${h}'s spool drained`, () => agents[h]!.status()?.pendingEvents === 0 && agents[h]!.status()?.connected, 30_000);
    }
    // Stop h1 and h2 (their whole life was on this controller) and compare what they made with what is stored.
    for (const h of ["h1", "h2"]) await fleet.stop(agents[h]!.child, "SIGTERM");
    for (const h of ["h1", "h2"]) {
      const st = agents[h]!.status();
      assert.ok(st, `${h} wrote its status`);
      assert.equal(st.pendingEvents, 0, `${h} has nothing left to send`);
      const stored = await fleetJson<Stored[]>(addr, ["events", "--host", h, "--limit", "10000"]);
      const uuids = new Set(stored.map((e) => e.uuid));
      assert.equal(uuids.size, stored.length, `${h}: no duplicates`);
      assert.equal(stored.length, st.published, `${h}: every event the agent made is stored (${stored.length} of ${st.published})`);
      const crashes = stored.filter((e) => e.kind === "crash").length;
      assert.ok(crashes >= 3, `${h}: its crashes are there (${crashes})`);
    }
  });
});
