/**
 * Fault: the controller is killed with SIGKILL several times while several agents flood it with
 * events. SimAgents (each keeps what was not acknowledged and resends it after every reconnect, as
 * the real agent's spool does) and one real agent process (crash-looping daemon, frequent health
 * checks) stream the whole time. After each kill the database file is checked with
 * `PRAGMA integrity_check` before the controller is started again on the same address and state.
 * At the end every event must be stored exactly once: lost = made - stored, duplicated = rows -
 * distinct uuids.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Fleet, waitFor, type ControllerHandle } from "../helpers/fleet.js";
import { figure, integrityCheck, lossFigures, ResendingSim, runSeed, seededRandom, sleep, storedEvents } from "./helpers.js";

const KILLS = Number(process.env.FAULTS_KILLS) || 5;
const SIM_AGENTS = 4;
/** Events each SimAgent makes at least; it keeps making them until the last kill is done. */
const EVENTS_PER_SIM = 2_500;

const fleet = new Fleet();
after(() => fleet.cleanup());

test(`the controller SIGKILLed ${KILLS} times during a flood of events: every event stored exactly once`, { timeout: 150_000 }, async (t) => {
  const seed = runSeed();
  const rand = seededRandom(seed);
  const t0 = Date.now();
  let ctl: ControllerHandle = await fleet.controller({ budget: { hostMaxRestarts: 1000, backoffInitial: "100ms", backoffMax: "300ms", fleetMaxRestarts: 10_000, breakerThreshold: 0 } });
  const addr = ctl.address;
  const dbFile = path.join(ctl.stateDir, "controller.db");

  // The real agent: its daemon crashes every ~1.5 s and its health checks run twice a second, so it
  // makes crash, grant, restart and health_check events throughout.
  const { baseDir, configFile } = fleet.prepareAgent("real-1", "job-real", addr, { behaviour: { crashAtStep: 30 } });
  const settings = JSON.parse(fs.readFileSync(configFile, "utf8"));
  settings.agent.healthCheckInterval = "500ms";
  settings.watchdog.maxRestarts = 1000;
  fs.writeFileSync(configFile, JSON.stringify(settings));
  const real = fleet.startAgent("real-1", baseDir, configFile);

  const sims = Array.from({ length: SIM_AGENTS }, (_, i) => new ResendingSim({ address: addr, hostId: `sim-${i + 1}`, jobId: "job-flood" }));
  for (const s of sims) s.start();
  t.after(() => Promise.all(sims.map((s) => s.stop())));
  await waitFor("SimAgents connected", () => sims.every((s) => s.sim.connected), 30_000, 20);
  await waitFor("the real agent connected", () => real.status()?.connected, 30_000, 100);

  // The flood: each SimAgent makes 10 events every 10 ms, connected or not.
  let killsDone = false;
  const flood = (async () => {
    while (!killsDone || sims.some((s) => s.made.size < EVENTS_PER_SIM)) {
      for (const s of sims) s.send(10);
      await sleep(10);
    }
  })();

  const kills: Array<{ upMs: number; downMs: number; unackedAtKill: number; integrity: string; storedAtKill: number; ackedAtKill: number }> = [];
  for (let k = 0; k < KILLS; k++) {
    // Up for a random while, and until the controller has acked part of the flood on this run.
    const upMs = 400 + Math.floor(rand() * 1200);
    const ackedBefore = sims.reduce((n, s) => n + s.sim.ackedCount, 0);
    await sleep(upMs);
    await waitFor("acks on this controller run", () => sims.reduce((n, s) => n + s.sim.ackedCount, 0) > ackedBefore + 100, 20_000, 10);
    // A burst written in the same turn as the kill: these are on the wire, or in the controller's
    // ingest queue, or committed but not yet acked when it dies.
    for (const s of sims) s.send(50, "burst");
    const ackedAtKill = sims.reduce((n, s) => n + s.sim.ackedCount, 0);
    const unackedAtKill = sims.reduce((n, s) => n + s.sim.unacked.size, 0);
    await fleet.stop(ctl.child, "SIGKILL");
    const integrity = integrityCheck(dbFile);
    const storedAtKill = storedEvents(dbFile).length;
    assert.equal(integrity, "ok", `integrity_check after kill ${k + 1}`);
    // Down for a random while: the flood goes on into the agents' spools.
    const downMs = 100 + Math.floor(rand() * 600);
    await sleep(downMs);
    ctl = await fleet.controller({}, addr, ctl.stateDir);
    kills.push({ upMs, downMs, unackedAtKill, integrity, storedAtKill, ackedAtKill });
  }
  // The real agent's crash loop makes an event every few hundred ms, slower on a loaded machine:
  // go on (flood included) until it has made a fair share, so the check below is about its events
  // arriving exactly once, not about how fast this machine is.
  await waitFor("the real agent made events throughout", () => (real.status()?.published ?? 0) > 20, 60_000, 100);
  killsDone = true;
  await flood;

  // Let everything drain, then stop the crash loop and the real agent (its status then holds the
  // number of events it made over its whole life, all on this controller).
  for (const s of sims) await s.sim.waitForAcks(60_000).catch(() => {});
  fs.rmSync(path.join(baseDir, "daemon_control.json"), { force: true });
  fleet.control(baseDir, {});
  await waitFor("the real agent's spool drained", () => real.status()?.connected && real.status()?.pendingEvents === 0, 60_000, 100);
  await fleet.stop(real.child, "SIGTERM");
  const realStatus = real.status();
  assert.ok(realStatus, "the real agent wrote its status");
  await fleet.stop(ctl.child, "SIGTERM");
  assert.equal(integrityCheck(dbFile), "ok", "integrity_check at the end");

  const rows = storedEvents(dbFile);
  const byHost = new Map<string, Array<{ uuid: string }>>();
  for (const r of rows) (byHost.get(r.host_id) ?? byHost.set(r.host_id, []).get(r.host_id)!).push(r);
  const simFigures = sims.map((s) => ({ host: s.sim.hostId, writes: s.sim.sentCount, reconnects: s.reconnects, ...lossFigures(s.made, byHost.get(s.sim.hostId) ?? []) }));
  const realRows = byHost.get("real-1") ?? [];
  const realFig = {
    host: "real-1",
    published: realStatus.published,
    stored: realRows.length,
    lost: realStatus.published - realRows.length,
    duplicated: realRows.length - new Set(realRows.map((r) => r.uuid)).size,
    pendingAtStop: realStatus.pendingEvents,
  };
  const total = simFigures.reduce(
    (a, f) => ({ sent: a.sent + f.sent, stored: a.stored + f.stored, lost: a.lost + f.lost, duplicated: a.duplicated + f.duplicated, writes: a.writes + f.writes }),
    { sent: 0, stored: 0, lost: 0, duplicated: 0, writes: 0 },
  );
  figure(t, "controller-sigkill", {
    seed,
    kills: kills.length,
    simAgents: SIM_AGENTS,
    eventsMade: total.sent + realFig.published,
    eventWrites: total.writes,
    stored: total.stored + realFig.stored,
    lost: total.lost + realFig.lost,
    duplicated: total.duplicated + realFig.duplicated,
    integrityChecks: kills.map((k) => k.integrity),
    unackedAtEachKill: kills.map((k) => k.unackedAtKill),
    realAgent: realFig,
    durationS: Math.round((Date.now() - t0) / 100) / 10,
  });
  for (const [i, k] of kills.entries()) {
    assert.ok(k.unackedAtKill > 0, `kill ${i + 1} happened with events in flight`);
    assert.ok(k.storedAtKill >= k.ackedAtKill, `kill ${i + 1}: every acked event was in the database (${k.storedAtKill} >= ${k.ackedAtKill})`);
  }
  for (const f of simFigures) {
    assert.ok(f.sent >= EVENTS_PER_SIM, `${f.host} made its events`);
    assert.equal(f.lost, 0, `${f.host}: lost`);
    assert.equal(f.duplicated, 0, `${f.host}: duplicated`);
    assert.equal(f.unexpected, 0, `${f.host}: rows nobody sent`);
  }
  assert.equal(realFig.pendingAtStop, 0, "the real agent has nothing left to send");
  assert.ok(realFig.published > 20, `the real agent made events throughout (${realFig.published})`);
  assert.equal(realFig.lost, 0, "real agent: lost");
  assert.equal(realFig.duplicated, 0, "real agent: duplicated");
});
