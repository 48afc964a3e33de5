/**
 * Issue 12, defect 1: an open correlated-failure breaker holds, with the shipped rate limits, for
 * two minutes: no restart anywhere (a refusal by the controller is an answer, never a reason to use
 * the local budget); `fleet budget reset` makes the waiting hosts restart within a second (the
 * controller pushes "budget changed" down the agents' streams). Real controller, real agents.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Fleet, fleetJson, runCli, waitFor, type AgentHandle } from "./helpers/fleet.js";

interface Host { hostId: string; connected: boolean; daemonState: string }
interface Stored { hostId: string; kind: string }
interface Budget { breakers: Array<{ signature: string; open: boolean }> }

const fleet = new Fleet();
after(() => fleet.cleanup());

const HOLD_MS = 120_000;

test("an open breaker holds for two minutes under the shipped rate limits; a reset restarts the waiting hosts within a second", { timeout: 300_000 }, async (t) => {
  // No `limits`: the shipped per-host grant rate (30 a minute, burst 10) applies.
  const ctl = await fleet.controller({ budget: { hostMaxRestarts: 20, backoffInitial: "100ms", backoffMax: "300ms", breakerThreshold: 2, breakerWindow: "10m" } });
  const addr = ctl.address;
  const agents: AgentHandle[] = [];
  for (const h of ["k1", "k2", "k3"]) {
    const { baseDir, configFile } = fleet.prepareAgent(h, `job-${h}`, addr);
    agents.push(fleet.startAgent(h, baseDir, configFile));
  }
  await waitFor("three running hosts", async () => {
    const hosts = await fleetJson<Host[]>(addr, ["hosts"]);
    return hosts.length === 3 && hosts.every((h) => h.connected && h.daemonState === "running");
  }, 60_000, 300);

  // The same crash on every host: the first may be granted, the breaker opens on the second.
  for (const a of agents) fleet.control(a.baseDir, { crashAtStep: 0, once: true });
  await waitFor("an open breaker", async () => (await fleetJson<Budget>(addr, ["budget"])).breakers.some((b) => b.open), 30_000, 200);
  await waitFor("every crash seen", () => agents.every((a) => !fs.existsSync(path.join(a.baseDir, "daemon_control.json"))), 30_000);
  await new Promise((r) => setTimeout(r, 2_000)); // let a grant that beat the breaker finish its restart
  const down = agents.filter((a) => a.daemonPid() === null);
  assert.ok(down.length >= 2, "at least two hosts wait on the breaker");
  const restartsBefore = (await fleetJson<Stored[]>(addr, ["events", "--kind", "restart", "--limit", "1000"])).length;

  // Two minutes: the waiting hosts stay down, no restart and no local restart anywhere.
  const end = Date.now() + HOLD_MS;
  while (Date.now() < end) {
    for (const a of down) assert.equal(a.daemonPid(), null, `${a.hostId} restarted while the breaker was open:\n${a.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const local = await fleetJson<Stored[]>(addr, ["events", "--kind", "local_restart", "--limit", "1000"]);
  assert.equal(local.length, 0, "no host fell back to its local budget");
  const restarts = await fleetJson<Stored[]>(addr, ["events", "--kind", "restart", "--limit", "1000"]);
  assert.equal(restarts.length, restartsBefore, "no restart while the breaker was open");
  assert.ok((await fleetJson<Budget>(addr, ["budget"])).breakers.some((b) => b.open), "the breaker is still open");
  for (const a of down) assert.doesNotMatch(a.output(), /local budget: restart/, `${a.hostId} never used the local budget`);

  const r = await runCli(["fleet", "budget", "reset", "--controller", addr]);
  assert.equal(r.code, 0, r.stderr);
  const resetAt = Date.now();
  await Promise.all(down.map((a) => waitFor(`${a.hostId} restarted after the reset`, () => a.daemonPid(), 10_000, 10)));
  const tookMs = Date.now() - resetAt;
  t.diagnostic(`${down.length} waiting hosts restarted ${tookMs} ms after fleet budget reset returned`);
  assert.ok(tookMs < 1_000, `the waiting hosts restarted ${tookMs} ms after the reset returned`);
});
