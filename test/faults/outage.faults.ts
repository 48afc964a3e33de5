/**
 * Fault: the controller is stopped for a long while (FAULTS_OUTAGE_S seconds, default 60: long enough
 * for several crashes, back-offs and reconnect attempts; set it to 120-180 for a longer run). Two real
 * agents and two SimAgents keep working: one agent's daemon crashes four times with a local budget of
 * three restarts, so the agent restarts it three times on its own and then refuses (and keeps
 * refusing: no daemon until the window passes). After the controller returns, everything made during
 * the outage reaches it exactly once, and the controller knows about the local restarts.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Fleet, fleetJson, waitFor, type AgentHandle } from "../helpers/fleet.js";
import { daemonPids, envSeconds, figure, lossFigures, ResendingSim, sleep, storedEvents } from "./helpers.js";

const OUTAGE_S = envSeconds("FAULTS_OUTAGE_S", 60);
const LOCAL_RESTARTS = 3;
const CRASHES = LOCAL_RESTARTS + 1;

const fleet = new Fleet();
after(() => fleet.cleanup());

interface Stored { uuid: string; kind: string; message: string; tsMs: number }

test(`the controller away for ${OUTAGE_S} s: local budget enforced, everything delivered after it returns`, { timeout: (OUTAGE_S + 120) * 1000 }, async (t) => {
  const ctl = await fleet.controller({ budget: { hostMaxRestarts: 100, backoffInitial: "100ms", backoffMax: "300ms", breakerThreshold: 0 } });
  const addr = ctl.address;
  const agents: Record<string, AgentHandle> = {};
  for (const h of ["out-1", "out-2"]) {
    const { baseDir, configFile } = fleet.prepareAgent(h, "job-out", addr);
    const s = JSON.parse(fs.readFileSync(configFile, "utf8"));
    // The first start uses one grant of the local window too.
    s.watchdog.maxRestarts = LOCAL_RESTARTS + 1;
    s.watchdog.restartWindow = "30m";
    s.watchdog.backoffInitial = "200ms";
    s.watchdog.backoffMax = "1s";
    s.agent.healthCheckInterval = "2s";
    fs.writeFileSync(configFile, JSON.stringify(s));
    agents[h] = fleet.startAgent(h, baseDir, configFile);
  }
  const sims = ["out-sim-1", "out-sim-2"].map((h) => new ResendingSim({ address: addr, hostId: h, jobId: "job-out" }));
  for (const s of sims) s.start();
  t.after(() => Promise.all(sims.map((s) => s.stop())));
  let producing = true;
  const producer = (async () => {
    while (producing) {
      for (const s of sims) s.send(1, "steady");
      await sleep(100);
    }
  })();
  for (const h of Object.keys(agents)) {
    await waitFor(`${h} connected with its daemon running`, () => agents[h]!.status()?.connected && agents[h]!.status()?.daemonState === "running", 30_000, 100);
  }

  const a1 = agents["out-1"]!;
  await fleet.stop(ctl.child, "SIGTERM");
  const outageStart = Date.now();
  const pendingAtStart = Object.fromEntries(Object.entries(agents).map(([h, a]) => [h, a.status()?.pendingEvents ?? 0]));
  const simUnackedAtStart = sims.reduce((n, s) => n + s.sim.unacked.size, 0);

  // Crashes spread over the outage; after the last one no daemon may run until the outage ends.
  const daemonsSeen = new Set<number>();
  let deniedAtMs: number | null = null;
  let daemonAfterDenial = 0;
  for (let i = 0; i < CRASHES; i++) {
    const at = outageStart + ((i + 1) * OUTAGE_S * 1000) / (CRASHES + 2);
    while (Date.now() < at) {
      for (const p of daemonPids(a1.baseDir)) daemonsSeen.add(p);
      await sleep(100);
    }
    const pid = await waitFor(`a running out-1 daemon before crash ${i + 1}`, () => daemonPids(a1.baseDir)[0], 20_000, 50);
    fleet.control(a1.baseDir, { crashAtStep: 0, once: true });
    await waitFor(`crash ${i + 1}`, () => !daemonPids(a1.baseDir).includes(pid), 20_000, 50);
    if (i < LOCAL_RESTARTS) await waitFor(`local restart ${i + 1}`, () => daemonPids(a1.baseDir).some((p) => p !== pid), 20_000, 50);
  }
  await waitFor("the local denial", () => /restart denied[^\n]*local budget/.test(a1.output()), 20_000, 100);
  deniedAtMs = Date.now();
  while (Date.now() < outageStart + OUTAGE_S * 1000) {
    const pids = daemonPids(a1.baseDir);
    daemonAfterDenial = Math.max(daemonAfterDenial, pids.length);
    for (const p of pids) daemonsSeen.add(p);
    await sleep(200);
  }
  const outageMs = Date.now() - outageStart;
  const pendingAtEnd = Object.fromEntries(Object.entries(agents).map(([h, a]) => [h, a.status()?.pendingEvents ?? 0]));
  const simUnackedAtEnd = sims.reduce((n, s) => n + s.sim.unacked.size, 0);
  assert.equal(agents["out-2"]!.status()?.daemonState, "running", "the other host kept training");

  const back = await fleet.controller({}, addr, ctl.stateDir);
  const backAt = Date.now();
  producing = false;
  await producer;
  const reconnectMs: Record<string, number> = {};
  await waitFor("both agents reconnected", () => {
    for (const [h, a] of Object.entries(agents)) if (reconnectMs[h] === undefined && a.status()?.connected) reconnectMs[h] = Date.now() - backAt;
    return Object.keys(reconnectMs).length === 2;
  }, 180_000, 20);
  for (const h of Object.keys(agents)) {
    await waitFor(`${h} drained`, () => agents[h]!.status()?.connected && agents[h]!.status()?.pendingEvents === 0, 60_000, 50);
  }
  for (const s of sims) await s.sim.waitForAcks(60_000);
  const catchUpMs = Date.now() - backAt;
  const simReconnects = sims.map((s) => s.reconnects);

  const local = await fleetJson<Stored[]>(back.address, ["events", "--host", "out-1", "--kind", "local_restart"]);
  const { crashes } = await fleetJson<{ crashes: Stored[] }>(back.address, ["crashes", "--host", "out-1"]);
  const denials = await fleetJson<Stored[]>(back.address, ["events", "--host", "out-1", "--kind", "denial"]);
  for (const a of Object.values(agents)) await fleet.stop(a.child, "SIGTERM");
  await fleet.stop(back.child, "SIGTERM");
  const rows = storedEvents(path.join(ctl.stateDir, "controller.db"));
  const real = Object.entries(agents).map(([h, a]) => {
    const st = a.status()!;
    const mine = rows.filter((r) => r.host_id === h);
    return { host: h, published: st.published, stored: mine.length, lost: st.published - mine.length, duplicated: mine.length - new Set(mine.map((r) => r.uuid)).size, pendingAtStop: st.pendingEvents };
  });
  const simFigs = sims.map((s) => ({ host: s.sim.hostId, ...lossFigures(s.made, rows.filter((r) => r.host_id === s.sim.hostId)) }));
  figure(t, "controller-outage", {
    outageS: OUTAGE_S,
    measuredOutageMs: outageMs,
    crashesDuringOutage: CRASHES,
    localRestarts: local.length,
    localBudget: LOCAL_RESTARTS,
    deniedLocally: denials.filter((d) => /local budget/.test(d.message)).length,
    daemonsStartedDuringOutage: daemonsSeen.size,
    daemonsRunningAfterDenial: daemonAfterDenial,
    deniedAfterS: Math.round((deniedAtMs - outageStart) / 100) / 10,
    spooledDuringOutage: Object.fromEntries(Object.keys(agents).map((h) => [h, (pendingAtEnd[h] ?? 0) - (pendingAtStart[h] ?? 0)])),
    simEventsWaiting: simUnackedAtEnd - simUnackedAtStart,
    catchUpMs,
    reconnectMs,
    realAgents: real,
    simAgents: simFigs,
  });
  assert.equal(local.length, LOCAL_RESTARTS, "the local restarts reached the controller");
  assert.equal(crashes.length, CRASHES, "every crash reached the controller");
  assert.ok(denials.some((d) => /local budget/.test(d.message)), "the local denial reached the controller");
  assert.equal(daemonAfterDenial, 0, "no daemon ran after the local budget said no");
  assert.equal(daemonsSeen.size, LOCAL_RESTARTS + 1, "the first daemon plus one per local restart");
  for (const r of real) {
    assert.ok((pendingAtEnd[r.host] ?? 0) > 0, `${r.host} spooled events during the outage`);
    assert.equal(r.pendingAtStop, 0, `${r.host}: nothing left`);
    assert.equal(r.lost, 0, `${r.host}: lost`);
    assert.equal(r.duplicated, 0, `${r.host}: duplicated`);
  }
  for (const f of simFigs) {
    assert.equal(f.lost, 0, `${f.host}: lost`);
    assert.equal(f.duplicated, 0, `${f.host}: duplicated`);
  }
});
