/**
 * Acceptance (issue 10): a real controller process and three real agent processes of one job, each
 * supervising a real daemon that dies with real log output. Two hosts time out in NCCL's watchdog
 * first (their reports arrive before the cause's), then the third dies of a CUDA OOM:
 * `fleet crashes --job J --json` returns one incident with the OOM host as origin, the human view
 * puts the origin first, and the fleet page's data shows the same incident.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { Fleet, fleetJson, runCli, waitFor, type AgentHandle } from "./helpers/fleet.js";

interface Member { hostId: string; category: string; role: string; kind: string; signature: string; firstFatalLine: string; onsetMs: number; tsMs: number }
interface Incident { incidentId: string; jobId: string; originKnown: boolean; open: boolean; origin: Member; others: Member[] }
interface Crashes { incidents: Incident[]; crashes: Array<{ hostId: string; category: string; kind: string }> }

/** Real NCCL watchdog output (format of pytorch 2.4+, as in test/fixtures/crash/nccl_error/), with a 5 s collective timeout. */
function watchdogTimeout(rank: number): string {
  const p = `[rank${rank}]:[E1205 07:52:10.408271257 ProcessGroupNCCL.cpp`;
  return [
    `${p}:607] [Rank ${rank}] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=1580, OpType=ALLREDUCE, NumelIn=466119168, NumelOut=466119168, Timeout(ms)=5000) ran for 5012 milliseconds before timing out.`,
    `${p}:1664] [PG 1 Rank ${rank}] Exception (either an error or timeout) detected by watchdog at work: 1580, last enqueued NCCL work: 1582, last completed NCCL work: 1579.`,
    `${p}:621] [Rank ${rank}] Some NCCL operations have failed or timed out. Due to the asynchronous nature of CUDA kernels, subsequent GPU operations might run on corrupted/incomplete data.`,
    `${p}:627] [Rank ${rank}] To avoid data inconsistency, we are taking the entire process down.`,
  ].join("\n");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const fleet = new Fleet();
after(() => fleet.cleanup());

test("three hosts of one job: one OOMs, two time out in NCCL: one incident, the OOM host its origin", { timeout: 180_000 }, async () => {
  const httpPort = await freePort();
  const ctl = await fleet.controller({
    httpPort,
    budget: { hostMaxRestarts: 20, backoffInitial: "100ms", backoffMax: "500ms", fleetMaxRestarts: 100, breakerThreshold: 0 },
  });
  const addr = ctl.address;
  const agents: Record<string, AgentHandle> = {};
  for (const h of ["h1", "h2", "h3"]) {
    const { baseDir, configFile } = fleet.prepareAgent(h, "job-llm", addr);
    agents[h] = fleet.startAgent(h, baseDir, configFile);
  }
  await waitFor(
    "three connected hosts with running daemons",
    async () => {
      const hosts = await fleetJson<Array<{ connected: boolean; daemonState: string; step: number }>>(addr, ["hosts"]);
      return hosts.length === 3 && hosts.every((h) => h.connected && h.daemonState === "running" && h.step > 0);
    },
    30_000,
    300,
  );

  // The waiting ranks time out first and their agents report first.
  fleet.control(agents.h2!.baseDir, { crashAtStep: 0, once: true, crashText: watchdogTimeout(2) });
  fleet.control(agents.h3!.baseDir, { crashAtStep: 0, once: true, crashText: watchdogTimeout(3) });
  const early = await waitFor("h2's and h3's timeouts at the controller", async () => {
    const r = await fleetJson<Crashes>(addr, ["crashes", "--job", "job-llm"]);
    return r.crashes.length === 2 ? r : null;
  });
  assert.deepEqual(early.crashes.map((c) => c.category), ["nccl_error", "nccl_error"]);
  assert.equal(early.incidents.length, 1, "the two timeouts are one incident already");
  assert.equal(early.incidents[0]!.originKnown, false, "only symptoms so far: origin unknown");

  // Then the OOM host's report (its agent was slower).
  fleet.control(agents.h1!.baseDir, { crashAtStep: 0, once: true });
  const r = await waitFor("h1's OOM at the controller", async () => {
    const x = await fleetJson<Crashes>(addr, ["crashes", "--job", "job-llm"]);
    return x.crashes.length === 3 ? x : null;
  });
  assert.equal(r.incidents.length, 1, `one incident: ${JSON.stringify(r.incidents)}`);
  const i = r.incidents[0]!;
  assert.equal(i.jobId, "job-llm");
  assert.equal(i.originKnown, true);
  assert.equal(i.open, true, "within the default 5-minute window");
  assert.equal(i.origin.hostId, "h1");
  assert.equal(i.origin.category, "cuda_oom");
  assert.equal(i.origin.role, "cause");
  assert.match(i.origin.signature, /^cuda_oom\/cuda_oom_alloc\//);
  assert.match(i.origin.firstFatalLine, /CUDA out of memory\. Tried to allocate 2\.00 GiB/);
  assert.deepEqual(
    i.others.map((m) => [m.hostId, m.category, m.role]).sort(),
    [["h2", "nccl_error", "symptom"], ["h3", "nccl_error", "symptom"]],
  );
  for (const m of i.others) {
    assert.match(m.firstFatalLine, /Watchdog caught collective operation timeout/);
    assert.ok(m.tsMs - m.onsetMs >= 5_000 && m.tsMs - m.onsetMs < 5_100, "the timeout began when the collective did");
  }

  // The same incident with another filter, and the human view: origin first, then the others.
  const byHost = await fleetJson<Crashes>(addr, ["crashes", "--host", "h3"]);
  assert.deepEqual(byHost.incidents.map((x) => x.incidentId), [i.incidentId]);
  const human = await runCli(["fleet", "crashes", "--job", "job-llm", "--controller", addr]);
  assert.equal(human.code, 1, human.stderr);
  const lines = human.stdout.split("\n");
  const originAt = lines.findIndex((l) => /^ {2}origin {2}h1 {2}cuda_oom {2}cuda_oom\/cuda_oom_alloc\//.test(l));
  assert.ok(originAt > 0, human.stdout);
  assert.match(lines[originAt + 1]!, /CUDA out of memory/);
  assert.deepEqual(
    lines.slice(originAt + 2, originAt + 4).map((l) => /^ {2}then {4}(h\d) {2}nccl_error \(symptom, began [+-]/.exec(l)?.[1]).sort(),
    ["h2", "h3"],
    human.stdout,
  );

  // The fleet page's data: the same incident, origin first.
  const res = await fetch(`http://127.0.0.1:${httpPort}/api/fleet`);
  assert.equal(res.status, 200);
  const view = (await res.json()) as { incidents: Array<Incident & { hostCount: number }> };
  assert.equal(view.incidents.length, 1);
  const v = view.incidents[0]!;
  assert.deepEqual([v.incidentId, v.origin.hostId, v.origin.category, v.originKnown, v.hostCount], [i.incidentId, "h1", "cuda_oom", true, 3]);
  assert.deepEqual(v.others.map((m) => m.hostId).sort(), ["h2", "h3"]);
});
