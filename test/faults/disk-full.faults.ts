/**
 * Fault: a full disk, made real with small tmpfs mounts (root only; skipped with a message otherwise).
 *
 * 1. The agent's spool on a full file system while the controller is away: events that cannot be
 *    written are reported (the agent's log names each one), kept in memory, and written and sent once
 *    space returns; the agent keeps running; the lines already on disk stay whole and readable.
 * 2. The controller's database on a full file system: the controller never acks what it could not
 *    store (SQLITE_FULL ends the agent's stream so the agent keeps and resends), keeps serving fleet
 *    queries, and after space returns stores everything exactly once; integrity_check stays "ok".
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { status } from "@grpc/grpc-js";
import { Fleet, fleetJson, waitFor } from "../helpers/fleet.js";
import { canMount, figure, fillDisk, freeBytes, integrityCheck, lossFigures, mountTmpfs, ResendingSim, sleep, storedEvents } from "./helpers.js";

const mountable = canMount();
const skip = mountable ? false : "needs root and permission to mount a tmpfs (mount -t tmpfs); skipped";
const fleet = new Fleet();
const unmounts: Array<() => void> = [];
after(async () => {
  await fleet.cleanup();
  for (const u of unmounts.splice(0)) u();
});

function mountSmall(prefix: string, sizeBytes: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const unmount = mountTmpfs(dir, sizeBytes);
  unmounts.push(() => {
    unmount();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Every line of a JSON-lines file parses and has a uuid; returns the uuids (throws naming the bad line). */
function wholeLines(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  assert.ok(text === "" || text.endsWith("\n"), `${file} ends with a whole line`);
  return text
    .split("\n")
    .filter(Boolean)
    .map((line, i) => {
      const ev = JSON.parse(line) as { uuid?: unknown };
      assert.equal(typeof ev.uuid, "string", `${file} line ${i + 1} has a uuid`);
      return ev.uuid as string;
    });
}

test("the agent's spool on a full disk: reported, kept in memory, written and sent once space returns", { skip, timeout: 120_000 }, async (t) => {
  const t0 = Date.now();
  const ctl = await fleet.controller({ budget: { hostMaxRestarts: 100, backoffInitial: "100ms", backoffMax: "300ms", breakerThreshold: 0 } });
  const mnt = mountSmall("ts-faults-spool-", 1024 * 1024);
  const { baseDir, configFile } = fleet.prepareAgent("disk-a", "job-d", ctl.address);
  const settings = JSON.parse(fs.readFileSync(configFile, "utf8"));
  settings.agent.stateDir = path.join(mnt, "agent");
  settings.agent.healthCheckInterval = "400ms";
  fs.writeFileSync(configFile, JSON.stringify(settings));
  const agent = fleet.startAgent("disk-a", baseDir, configFile);
  // The agent's state (and so its status file) lives on the small file system.
  const status = () => {
    try {
      return JSON.parse(fs.readFileSync(path.join(mnt, "agent", "agent-status.json"), "utf8")) as { connected: boolean; daemonState: string; pendingEvents: number; published: number; updatedAt: string };
    } catch {
      return null;
    }
  };
  await waitFor("the agent connected with its daemon running", () => status()?.connected && status()?.daemonState === "running", 30_000, 100);

  // The controller goes away: from now on every event must wait in the spool.
  await fleet.stop(ctl.child, "SIGKILL");
  const spoolFile = path.join(mnt, "agent", "spool", "events.jsonl");
  await waitFor("events spooled while the controller is away", () => fs.existsSync(spoolFile) && wholeLines(spoolFile).length >= 3, 20_000, 100);
  const filler = path.join(mnt, "filler");
  const filled = fillDisk(filler);
  const onDiskWhenFull = wholeLines(spoolFile);

  // Crashes and health checks while the disk is full.
  for (let i = 0; i < 2; i++) {
    fleet.control(baseDir, { crashAtStep: 0, once: true });
    await waitFor(`crash ${i + 1} handled`, () => !fs.existsSync(path.join(baseDir, "daemon_control.json")), 20_000, 50);
    await sleep(500);
  }
  const refused = () => [...agent.output().matchAll(/event ([0-9a-f-]{36}) kept in memory only: cannot write [^\n]*ENOSPC/g)].map((m) => m[1]!);
  await waitFor("events refused by the full disk, each reported", () => refused().length >= 5, 20_000, 100);
  assert.equal(agent.child.exitCode, null, "the agent keeps running");
  assert.equal(agent.child.signalCode, null, "the agent keeps running");
  // What was on disk before is intact: whole lines, the same events (none acked meanwhile).
  const onDiskFull = wholeLines(spoolFile);
  assert.deepEqual(onDiskFull.slice(0, onDiskWhenFull.length), onDiskWhenFull, "lines written before the disk filled are unchanged");
  for (const u of refused()) assert.ok(!onDiskFull.includes(u), `refused event ${u} is not half on disk`);

  // Space returns: the next event writes everything kept in memory.
  fs.rmSync(filler);
  await waitFor("the refused events written to the spool", () => {
    const lines = new Set(wholeLines(spoolFile));
    return refused().every((u) => lines.has(u));
  }, 20_000, 100);
  const refusedUuids = refused();

  const back = await fleet.controller({}, ctl.address, ctl.stateDir);
  await waitFor("the spool drained into the controller", () => status()?.connected && status()?.pendingEvents === 0, 60_000, 100);

  // The disk fills again while the controller is there: events the spool refuses are still sent, and
  // the controller's ack must clear them from memory too (no reconnect needed to forget them).
  const refusedBefore = refused().length;
  const connectsBefore = (agent.output().match(/connected to controller/g) ?? []).length;
  const filledAgain = fillDisk(filler);
  fleet.control(baseDir, { crashAtStep: 0, once: true });
  await waitFor("events refused while connected", () => refused().length >= refusedBefore + 3, 20_000, 100);
  const refusedConnected = refused().length - refusedBefore;
  fs.rmSync(filler);
  const freedAt = Date.now();
  // A status written after space returned (the one on disk may be from before the disk filled).
  const fresh = () => {
    const st = status();
    return st && Date.parse(st.updatedAt) > freedAt + 1_000 ? st : null;
  };
  await waitFor("nothing pending once space returned", () => fresh()?.connected && fresh()?.pendingEvents === 0, 30_000, 100).catch((err) => {
    throw new Error(`${(err as Error).message} (status: ${JSON.stringify(status())})`);
  });
  assert.equal((agent.output().match(/connected to controller/g) ?? []).length, connectsBefore, "without a reconnect");
  await fleet.stop(agent.child, "SIGTERM");
  const st = status()!;
  await fleet.stop(back.child, "SIGTERM");
  const dbFile = path.join(ctl.stateDir, "controller.db");
  const rows = storedEvents(dbFile).filter((r) => r.host_id === "disk-a");
  const stored = new Set(rows.map((r) => r.uuid));
  const refusedStored = refusedUuids.filter((u) => stored.has(u)).length;
  figure(t, "agent-spool-disk-full", {
    tmpfsBytes: 1024 * 1024,
    fillerBytes: filled,
    spooledBeforeFull: onDiskWhenFull.length,
    refusedWhileFull: refusedUuids.length,
    agentReport: (agent.output().match(/[^\n]*kept in memory only[^\n]*/)?.[0] ?? "").replace(/^\S+ /, "").slice(0, 220),
    refusedStoredLater: refusedStored,
    refusedWhileConnected: refusedConnected,
    fillerBytesAgain: filledAgain,
    published: st.published,
    stored: rows.length,
    lost: st.published - rows.length,
    duplicated: rows.length - stored.size,
    durationS: Math.round((Date.now() - t0) / 100) / 10,
  });
  assert.equal(refusedStored, refusedUuids.length, "every event the full disk refused reached the controller");
  assert.equal(st.pendingEvents, 0);
  assert.equal(rows.length, st.published, "every event the agent made is stored");
  assert.equal(stored.size, rows.length, "no duplicates");
  assert.equal(integrityCheck(dbFile), "ok");
});

test("the controller's database on a full disk: no ack without a commit, still serving, complete after space returns", { skip, timeout: 120_000 }, async (t) => {
  const t0 = Date.now();
  const mnt = mountSmall("ts-faults-db-", 4 * 1024 * 1024);
  const stateDir = path.join(mnt, "state");
  const ctl = await fleet.controller({}, undefined, stateDir);
  const dbFile = path.join(stateDir, "controller.db");
  const sims = [1, 2].map((i) => new ResendingSim({ address: ctl.address, hostId: `db-${i}`, jobId: "job-db" }));
  for (const s of sims) s.start();
  t.after(() => Promise.all(sims.map((s) => s.stop())));
  await waitFor("SimAgents connected", () => sims.every((s) => s.sim.connected), 30_000, 20);
  for (const s of sims) s.send(200, "before");
  for (const s of sims) await s.sim.waitForAcks(10_000);

  const filler = path.join(mnt, "filler");
  const filled = fillDisk(filler);
  const ackedAtFull = sims.reduce((n, s) => n + s.sim.ackedCount, 0);
  // Bulky events until the database refuses them: the streams end and events stay unacked.
  const pad = "x".repeat(2000);
  const floodUntil = Date.now() + 15_000;
  while (!/SQLITE_FULL|disk is full/i.test(ctl.output()) && Date.now() < floodUntil) {
    for (const s of sims) for (let i = 0; i < 20; i++) s.made.add(s.sim.sendEvent({ message: `while full ${s.made.size}`, detailsJson: JSON.stringify({ pad }) }));
    await sleep(20);
  }
  assert.match(ctl.output(), /SQLITE_FULL|disk is full/i, "the controller reports the full disk");
  for (const s of sims) s.send(100, "while full");
  await sleep(1_000);
  assert.equal(ctl.child.exitCode, null, "the controller keeps running");
  const unackedWhileFull = sims.reduce((n, s) => n + s.sim.unacked.size, 0);
  const endedWith = [...new Set(sims.flatMap((s) => [...s.endCodes.keys()]))].map((c) => status[c] ?? c);
  assert.ok(endedWith.includes("UNAVAILABLE"), `the controller ended the streams with UNAVAILABLE (saw ${endedWith.join(", ")})`);
  assert.ok(unackedWhileFull > 0, "events the database could not take stay unacked");
  // Nothing acked is missing from the database, even now.
  const storedWhileFull = new Set(storedEvents(dbFile).map((r) => r.uuid));
  const ackedMissing = sims.reduce((n, s) => n + [...s.made].filter((u) => !s.sim.unacked.has(u) && !storedWhileFull.has(u)).length, 0);
  assert.equal(ackedMissing, 0, "no event was acked without being stored");
  // Still serving: a fleet query answers.
  const hosts = await fleetJson<Array<{ hostId: string }>>(ctl.address, ["hosts"]);
  assert.deepEqual(hosts.map((h) => h.hostId).sort(), ["db-1", "db-2"]);

  fs.rmSync(filler);
  const freedAt = Date.now();
  for (const s of sims) await s.sim.waitForAcks(30_000);
  const catchUpMs = Date.now() - freedAt;
  for (const s of sims) await s.stop();
  await fleet.stop(ctl.child, "SIGTERM");
  assert.equal(ctl.child.exitCode, 0, `the controller stops cleanly: ${ctl.output().slice(-2000)}`);
  const integrity = integrityCheck(dbFile);
  const rows = storedEvents(dbFile);
  const figs = sims.map((s) => lossFigures(s.made, rows.filter((r) => r.host_id === s.sim.hostId)));
  figure(t, "controller-db-disk-full", {
    tmpfsBytes: 4 * 1024 * 1024,
    fillerBytes: filled,
    ackedBeforeFull: ackedAtFull,
    unackedWhileFull,
    streamsEndedWith: endedWith,
    controllerReport: (/ error ([^\n]*)\n(SqliteError: [^\n]*)/.exec(ctl.output())?.slice(1, 3).join(": ") ?? "").slice(0, 220),
    ackedButNotStored: ackedMissing,
    sent: figs.reduce((n, f) => n + f.sent, 0),
    stored: figs.reduce((n, f) => n + f.stored, 0),
    lost: figs.reduce((n, f) => n + f.lost, 0),
    duplicated: figs.reduce((n, f) => n + f.duplicated, 0),
    catchUpMs,
    integrity,
    freeBytesAfter: freeBytes(mnt),
    durationS: Math.round((Date.now() - t0) / 100) / 10,
  });
  assert.equal(integrity, "ok");
  for (const f of figs) {
    assert.equal(f.lost, 0, "lost");
    assert.equal(f.duplicated, 0, "duplicated");
    assert.equal(f.unexpected, 0);
  }
});

test("an agent starting on a full disk whose spool ends in a torn line starts and delivers what was spooled", { skip, timeout: 60_000 }, async (t) => {
  const ctl = await fleet.controller({});
  const address = ctl.address;
  await fleet.stop(ctl.child, "SIGKILL");
  const mnt = mountSmall("ts-faults-torn-", 256 * 1024);
  const spoolDir = path.join(mnt, "agent", "spool");
  fs.mkdirSync(spoolDir, { recursive: true });
  // What an agent killed mid-write on a filling disk leaves: whole events, then a fragment.
  const uuids = ["11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", "33333333-3333-4333-8333-333333333333"];
  const lines = uuids.map((uuid, i) => JSON.stringify({ uuid, tsMs: Date.now(), kind: "info", category: "spooled", signature: "", message: `spooled before the crash ${i}` }));
  fs.writeFileSync(path.join(spoolDir, "events.jsonl"), lines.join("\n") + '\n{"uuid":"44444444-4444-4444-8444-4444');
  const filled = fillDisk(path.join(mnt, "filler"));
  const { baseDir, configFile } = fleet.prepareAgent("disk-torn", "job-d", address);
  const settings = JSON.parse(fs.readFileSync(configFile, "utf8"));
  settings.agent.stateDir = path.join(mnt, "agent");
  fs.writeFileSync(configFile, JSON.stringify(settings));
  const agent = fleet.startAgent("disk-torn", baseDir, configFile);
  await waitFor("the agent supervising", () => /supervising/.test(agent.output()), 20_000, 50).catch((err) => {
    throw new Error(`${(err as Error).message}; exit ${agent.child.exitCode}; agent output:\n${agent.output().slice(-3000)}`);
  });
  await sleep(1_000);
  assert.equal(agent.child.exitCode, null, `the agent runs on the full disk: ${agent.output().slice(-2000)}`);
  fs.rmSync(path.join(mnt, "filler"));
  const back = await fleet.controller({}, address, ctl.stateDir);
  const stored = await waitFor("the spooled events at the controller", async () => {
    const evs = await fleetJson<Array<{ uuid: string }>>(back.address, ["events", "--host", "disk-torn", "--limit", "1000"]);
    return uuids.every((u) => evs.some((e) => e.uuid === u)) ? evs : null;
  }, 30_000, 300);
  figure(t, "agent-start-on-full-disk-with-torn-spool", { fillerBytes: filled, spooledWholeEvents: uuids.length, delivered: uuids.filter((u) => stored.some((e) => e.uuid === u)).length, tornFragmentStored: stored.some((e) => e.uuid.startsWith("44444444")) });
  assert.ok(!stored.some((e) => e.uuid.startsWith("44444444")), "the torn fragment is not an event");
});
