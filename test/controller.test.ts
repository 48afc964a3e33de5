/** A real controller on 127.0.0.1:0 with a real SQLite store, driven by real gRPC clients. */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { status } from "@grpc/grpc-js";
import { resolveControllerConfig } from "../controller/config.js";
import { silentLogger } from "../controller/log.js";
import { FleetClient } from "../controller/rpc/fleet-client.js";
import { Controller } from "../controller/server.js";
import { CommandKind, DecisionScope, EventKind, makeCrash, makeEvent, makeTelemetry, rawStream, rawUnary, scriptedStream, SimAgent } from "./helpers/grpc-agent.js";

async function startController(t: { after(fn: () => unknown): void }, raw: Record<string, unknown> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-ctl-"));
  const controller = new Controller(resolveControllerConfig({ listen: "127.0.0.1:0", stateDir: dir, ...raw }), { log: silentLogger });
  const { address } = await controller.start();
  const fleet = new FleetClient({ address, callTimeoutMs: 5_000 });
  const agents: SimAgent[] = [];
  const agent = async (hostId: string, jobId = "", opts: Partial<ConstructorParameters<typeof SimAgent>[0]> = {}) => {
    const a = new SimAgent({ address, hostId, jobId, ...opts });
    agents.push(a);
    await a.connect();
    return a;
  };
  t.after(async () => {
    for (const a of agents) a.close();
    fleet.close();
    await controller.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { controller, address, fleet, agent, dir };
}

test("the server binds port 0 to a real port and welcomes an agent", async (t) => {
  const { controller, agent } = await startController(t);
  assert.ok(controller.port > 0);
  const a = await agent("gpu-01", "job-a");
  assert.ok(a.welcome?.sessionId);
  assert.ok(Math.abs(a.welcome!.serverTimeMs - Date.now()) < 5_000);
});

test("a crash event is acked after it is stored and is listed with its category; telemetry shows in hosts", async (t) => {
  const { fleet, agent } = await startController(t);
  const a = await agent("gpu-01", "job-a");
  a.sendEvent(makeCrash({ category: "cuda_oom", firstFatalLine: "torch.OutOfMemoryError: CUDA out of memory", suggestion: "lower the batch size" }));
  a.sendTelemetry({ step: 4242, stepRate: 1.5, daemonState: "not_running" });
  await a.waitForAcks();
  const crashes = await fleet.listCrashes({ category: "cuda_oom" });
  assert.equal(crashes.length, 1);
  assert.equal(crashes[0]!.hostId, "gpu-01");
  assert.equal(crashes[0]!.jobId, "job-a", "job filled in from the hello");
  assert.equal(crashes[0]!.crash?.firstFatalLine, "torch.OutOfMemoryError: CUDA out of memory");
  assert.equal((await fleet.listCrashes({ category: "nccl_timeout" })).length, 0);
  const hosts = await fleet.listHosts();
  assert.equal(hosts.length, 1);
  assert.equal(hosts[0]!.connected, true);
  assert.equal(hosts[0]!.step, 4242);
  assert.equal(hosts[0]!.daemonState, "not_running");
  assert.equal(hosts[0]!.gpus.count, 1);
  a.close();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await fleet.listHosts())[0]!.connected, false, "a closed stream shows as not connected");
});

test("replaying the same events twice stores them once, and every copy is acked", async (t) => {
  const { controller, fleet, agent } = await startController(t);
  const a = await agent("gpu-01");
  const events = Array.from({ length: 50 }, (_, i) => makeEvent({ hostId: "gpu-01", message: `e${i}` }));
  for (const round of [1, 2]) {
    for (const ev of events) {
      a.unacked.set(ev.uuid, ev);
      a.write({ body: { $case: "event", event: ev } });
    }
    await a.waitForAcks();
    assert.equal(a.ackedCount, 50 * round);
  }
  await a.reconnect();
  for (const ev of events) {
    a.unacked.set(ev.uuid, ev);
    a.write({ body: { $case: "event", event: ev } });
  }
  await a.waitForAcks();
  assert.equal(controller.parts!.store.events.count("gpu-01"), 50);
  assert.equal((await fleet.listEvents({ hostId: "gpu-01", limit: 1000 })).length, 50);
});

test("a job-wide failure is one grant: the other hosts of the job are coalesced into it", async (t) => {
  const { fleet, agent } = await startController(t);
  const hosts = await Promise.all(["n1", "n2", "n3", "n4"].map((h) => agent(h, "llama-70b")));
  const decisions = await Promise.all(hosts.map((a) => a.requestRestart({ signature: "nccl:timeout", category: "nccl_timeout" })));
  const fresh = decisions.filter((d) => d.allow && !d.coalesced);
  assert.equal(fresh.length, 1, "exactly one fresh grant");
  assert.ok(decisions.every((d) => d.allow));
  assert.ok(decisions.every((d) => d.grantId === fresh[0]!.grantId), "everyone shares the grant id");
  const coalesced = decisions.filter((d) => d.coalesced);
  assert.equal(coalesced.length, 3);
  assert.ok(coalesced.every((d) => d.scope === DecisionScope.DECISION_SCOPE_JOB && d.reason.includes(`coalesced into grant ${fresh[0]!.grantId}`)));
  const budget = await fleet.budget();
  assert.equal(budget.fleetRestartsInWindow, 1);
  assert.equal(budget.recentDecisions.length, 4);
  assert.ok(budget.recentDecisions.every((d) => d.reason.length > 0), "every decision is stored with its reason");
});

test("the fleet cap denies with a reason, and a retried request gets the same decision", async (t) => {
  const { agent } = await startController(t, { budget: { fleetMaxRestarts: 2, fleetWindow: "10m" } });
  const [a, b, c] = await Promise.all(["h1", "h2", "h3"].map((h) => agent(h)));
  assert.equal((await a!.requestRestart()).allow, true);
  assert.equal((await b!.requestRestart()).allow, true);
  const denied = await c!.requestRestart({ requestId: "retry-me-0001" });
  assert.equal(denied.allow, false);
  assert.equal(denied.scope, DecisionScope.DECISION_SCOPE_FLEET);
  assert.match(denied.reason, /fleet cap: 2 restarts granted fleet-wide in the last 10m \(limit 2\)/);
  assert.ok(denied.delayMs > 9 * 60_000 && denied.delayMs <= 10 * 60_000);
  assert.deepEqual(await c!.requestRestart({ requestId: "retry-me-0001" }), denied);
});

test("the breaker trips on one signature from several hosts and a reset clears it", async (t) => {
  const { fleet, agent } = await startController(t, { budget: { breakerThreshold: 3 } });
  const hosts = await Promise.all(["h1", "h2", "h3", "h4"].map((h) => agent(h)));
  const sig = "ImportError:flash_attn";
  assert.equal((await hosts[0]!.requestRestart({ signature: sig })).allow, true);
  assert.equal((await hosts[1]!.requestRestart({ signature: sig })).allow, true);
  const trip = await hosts[2]!.requestRestart({ signature: sig });
  assert.equal(trip.allow, false);
  assert.equal(trip.scope, DecisionScope.DECISION_SCOPE_BREAKER);
  const other = await hosts[3]!.requestRestart({ signature: sig });
  assert.equal(other.allow, false, "a fourth host is stopped too");
  assert.equal((await hosts[3]!.requestRestart({ signature: "cuda_oom:x" })).allow, true, "other signatures are not");
  const budget = await fleet.budget();
  const open = budget.breakers.filter((b) => b.open);
  assert.deepEqual(open.map((b) => [b.signature, b.hostIds]), [[sig, ["h1", "h2", "h3"]]]);
  assert.deepEqual(await fleet.resetBudget(sig), [sig]);
  assert.deepEqual(await fleet.resetBudget(sig), [], "nothing left to reset");
  assert.equal((await hosts[2]!.requestRestart({ signature: sig })).allow, true);
});

test("garbage and oversized input is rejected with INVALID_ARGUMENT and the controller keeps serving", async (t) => {
  const { address, fleet, agent } = await startController(t, { maxMessageSize: "256KiB" });
  // Bytes that are not a message at all.
  const junk = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);
  const unaryJunk = await rawUnary(address, "/trainsafe.v1.AgentService/RequestRestart", junk);
  assert.equal(unaryJunk.code, status.INVALID_ARGUMENT);
  assert.match(unaryJunk.details, /cannot decode/);
  assert.equal((await rawUnary(address, "/trainsafe.v1.FleetService/ListCrashes", junk)).code, status.INVALID_ARGUMENT);
  const streamJunk = await rawStream(address, [Buffer.from([0x0a, 0xff, 0xff])]);
  assert.equal(streamJunk.code, status.INVALID_ARGUMENT);
  // Well-formed streams that break the protocol: no hello first, or hello twice.
  const noHello = await scriptedStream(address, [{ body: { $case: "telemetry", telemetry: makeTelemetry() } }]);
  assert.equal(noHello.code, status.INVALID_ARGUMENT);
  assert.match(noHello.details, /first message must be hello, got telemetry/);
  const hello = { body: { $case: "hello" as const, hello: { hostId: "twice", jobId: "", agentVersion: "1", capabilities: [], baseDir: "" } } };
  const twice = await scriptedStream(address, [hello, hello]);
  assert.equal(twice.code, status.INVALID_ARGUMENT);
  assert.match(twice.details, /hello was already sent/);
  assert.equal(twice.received[0]?.body?.$case, "welcome");
  const badHello = await scriptedStream(address, [{ body: { $case: "hello", hello: { ...hello.body.hello, hostId: "../../etc" } } }]);
  assert.equal(badHello.code, status.INVALID_ARGUMENT);
  assert.match(badHello.details, /hello\.host_id/);
  // Invalid fields of a unary request.
  const a = await agent("gpu-01");
  for (const bad of [{ hostId: "" }, { hostId: "bad host!" }, { requestId: "x" }, { reason: "r".repeat(5_000) }, { signature: "s".repeat(300) }]) {
    await assert.rejects(a.requestRestart(bad), (err: { code: number }) => err.code === status.INVALID_ARGUMENT, JSON.stringify(bad).slice(0, 60));
  }
  // An invalid event is rejected by uuid on an open stream, which stays usable.
  const tooBig = a.sendEvent({ detailsJson: JSON.stringify({ blob: "x".repeat(70_000) }) });
  const badKind = a.sendEvent({ kind: 99 as EventKind });
  const notJson = a.sendEvent({ detailsJson: "{not json" });
  const otherHost = a.sendEvent({ hostId: "someone-else" });
  const badTs = a.sendEvent({ tsMs: -5 });
  a.sendTelemetry({ cpuPct: Number.NaN });
  const good = a.sendEvent({ message: "still here" });
  await a.waitForAcks();
  const rejected = new Map(a.rejected.map((r) => [r.uuid, r]));
  assert.match(rejected.get(tooBig)!.message, /event\.details_json: longer than 65536 bytes/);
  assert.match(rejected.get(badKind)!.message, /event\.kind: unknown event kind 99/);
  assert.match(rejected.get(notJson)!.message, /not valid JSON/);
  assert.match(rejected.get(otherHost)!.message, /this stream belongs to "gpu-01"/);
  assert.match(rejected.get(badTs)!.message, /event\.ts_ms/);
  assert.match(rejected.get("")!.message, /telemetry\.cpu_pct/);
  assert.ok(a.rejected.every((r) => r.code === status.INVALID_ARGUMENT));
  assert.equal(a.ackedCount, 1);
  assert.ok(!a.unacked.has(good));
  assert.equal(a.connected, true);
  // A message above the configured maximum is refused by gRPC itself (RESOURCE_EXHAUSTED).
  const huge = await rawUnary(address, "/trainsafe.v1.AgentService/RequestRestart", Buffer.alloc(300 * 1024, 1));
  assert.equal(huge.code, status.RESOURCE_EXHAUSTED);
  // Still serving.
  assert.deepEqual((await fleet.listHosts()).map((h) => h.hostId), ["gpu-01", "twice"]);
  assert.equal((await a.requestRestart()).allow, true);
});

test("commands fan out to connected agents; a missing host answers not connected and a slow one times out", async (t) => {
  const { controller, fleet, agent } = await startController(t);
  await agent("ok-1", "", { onCommand: () => ({ ok: true, summary: "10 pass", problems: 0, outputJson: '{"checks":[]}' }) });
  await agent("sick-1", "", { onCommand: () => ({ ok: true, summary: "1 fail", problems: 1, outputJson: "{}" }) });
  await agent("slow-1", "", { onCommand: () => new Promise((r) => setTimeout(() => r({ ok: true }), 5_000)) });
  const gone = await agent("gone-1");
  gone.close();
  await new Promise((r) => setTimeout(r, 100));
  const targets: string[] = [];
  const seen: string[] = [];
  const started = Date.now();
  const outcomes = await fleet.runCommand(
    { all: true, kind: "run_checks", args: { fix: true }, timeoutMs: 700 },
    { onTargets: (ids) => targets.push(...ids), onOutcome: (o) => seen.push(o.hostId) },
  );
  assert.ok(Date.now() - started < 3_000, "the slow agent does not hold the others");
  assert.deepEqual(targets, ["gone-1", "ok-1", "sick-1", "slow-1"]);
  assert.equal(seen.length, 4);
  const by = new Map(outcomes.map((o) => [o.hostId, o]));
  assert.equal(by.get("ok-1")!.ok, true);
  assert.equal(by.get("ok-1")!.summary, "10 pass");
  assert.equal(by.get("sick-1")!.problems, 1);
  assert.equal(by.get("gone-1")!.connected, false);
  assert.equal(by.get("gone-1")!.error, "not connected");
  assert.match(by.get("slow-1")!.error, /timed out/);
  // The agents got the command with its arguments; check results are kept as health runs.
  const runs = controller.parts!.store.healthRuns.recent("sick-1", 5);
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.ok, false);
  const detail = await fleet.getHost("ok-1");
  assert.equal(detail.recentHealthRuns[0]?.summary, "10 pass");
  const unknown = await fleet.runCommand({ hostIds: ["nobody"], kind: "kill_daemon" });
  assert.equal(unknown[0]!.error, "unknown host (it never connected)");
});

test("restart and kill reach the agent with their kind and reason", async (t) => {
  const { fleet, agent } = await startController(t);
  const a = await agent("gpu-07");
  const [r] = await fleet.runCommand({ hostIds: ["gpu-07"], kind: "restart_daemon", args: { reason: "operator" } });
  assert.equal(r!.ok, true);
  await fleet.runCommand({ hostIds: ["gpu-07"], kind: "kill_daemon" });
  assert.deepEqual(a.commands.map((c) => c.kind), [CommandKind.COMMAND_KIND_RESTART_DAEMON, CommandKind.COMMAND_KIND_KILL_DAEMON]);
  assert.equal(a.commands[0]!.args?.reason, "operator");
  assert.ok(a.commands[0]!.deadlineMs > Date.now() - 60_000);
});

test("a second stream of the same host replaces the first", async (t) => {
  const { fleet, agent } = await startController(t);
  const first = await agent("gpu-01");
  const second = await agent("gpu-01");
  await first.waitForEnd();
  assert.equal(first.streamError?.code, status.ABORTED);
  assert.equal(second.connected, true);
  second.sendEvent();
  await second.waitForAcks();
  const [r] = await fleet.runCommand({ hostIds: ["gpu-01"], kind: "scan_crashes" });
  assert.equal(r!.ok, true);
  assert.equal(first.commands.length, 0);
  assert.equal(second.commands.length, 1);
});

test("the fleet client maps an unknown host to a usage error and a dead address to unreachable", async (t) => {
  const { fleet } = await startController(t);
  await assert.rejects(fleet.getHost("nope"), (err: { kind: string; message: string }) => err.kind === "usage" && /unknown host "nope"/.test(err.message));
  const sleeps: number[] = [];
  const dead = new FleetClient({ address: "127.0.0.1:1", callTimeoutMs: 2_000, attempts: 3, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 });
  t.after(() => dead.close());
  await assert.rejects(dead.listHosts(), (err: { kind: string; message: string }) => err.kind === "unreachable" && /cannot reach the controller at 127\.0\.0\.1:1/.test(err.message));
  assert.deepEqual(sleeps, [50, 100], "two retries with jittered exponential back-off");
});

test("restarts an agent did alone while disconnected count against its host budget", async (t) => {
  const { agent } = await startController(t);
  const a = await agent("gpu-09");
  const now = Date.now();
  for (const ago of [200_000, 120_000, 30_000]) a.sendEvent({ kind: EventKind.EVENT_KIND_LOCAL_RESTART, tsMs: now - ago, message: "restarted without the controller" });
  await a.waitForAcks();
  const d = await a.requestRestart();
  assert.equal(d.allow, false);
  assert.equal(d.scope, DecisionScope.DECISION_SCOPE_HOST);
  assert.match(d.reason, /3 restarts in the last 5m/);
});

test("an unexpected failure answers INTERNAL, is logged with its stack, and other calls keep working", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-ctl-"));
  const logged: string[] = [];
  const log = { info() {}, warn() {}, error: (msg: string, err?: unknown) => void logged.push(`${msg} ${err instanceof Error ? err.stack : ""}`) };
  const controller = new Controller(resolveControllerConfig({ listen: "127.0.0.1:0", stateDir: dir }), { log });
  const { address } = await controller.start();
  const fleet = new FleetClient({ address, callTimeoutMs: 5_000 });
  t.after(async () => {
    fleet.close();
    await controller.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  // Break one repository behind the service's back.
  const store = controller.parts!.store as unknown as { crashes: { query(): never } };
  store.crashes.query = () => {
    throw new TypeError("boom in the store");
  };
  await assert.rejects(fleet.listCrashes(), (err: { kind: string; message: string }) => err.kind === "internal" && /INTERNAL: internal error/.test(err.message) && !/boom/.test(err.message));
  assert.equal(logged.length, 1);
  assert.match(logged[0]!, /ListCrashes: unexpected error TypeError: boom in the store\n\s+at /);
  assert.deepEqual(await fleet.listHosts(), []);
});

test("restart requests arriving together are decided in one transaction, in order, each as if alone; one that fails fails alone", async (t) => {
  const { controller, agent } = await startController(t, { budget: { fleetMaxRestarts: 3, fleetWindow: "10m" } });
  const hosts = await Promise.all(Array.from({ length: 10 }, (_, i) => agent(`b${i}`, `job-${i}`)));
  // Count top-level transactions (decide's own, nested in the batch's, are savepoints).
  const store = controller.parts!.store as unknown as { immediate<T>(fn: () => T): T };
  const original = store.immediate.bind(store);
  let depth = 0;
  let topLevel = 0;
  store.immediate = <T>(fn: () => T): T => {
    if (depth === 0) topLevel++;
    depth++;
    try {
      return original(fn);
    } finally {
      depth--;
    }
  };
  const decisions = controller.parts!.store.decisions as unknown as { byRequestId(id: string): unknown };
  const byRequestId = decisions.byRequestId.bind(decisions);
  decisions.byRequestId = (id: string) => {
    if (id === "poisoned-request-0001") throw new TypeError("boom in one decision");
    return byRequestId(id);
  };
  const verdicts = await Promise.allSettled(hosts.map((a, i) => a.requestRestart(i === 4 ? { requestId: "poisoned-request-0001" } : {})));
  assert.equal(verdicts[4]!.status, "rejected", "the poisoned request fails");
  const answered = verdicts.filter((v): v is PromiseFulfilledResult<Awaited<ReturnType<SimAgent["requestRestart"]>>> => v.status === "fulfilled");
  assert.equal(answered.length, 9, "the others are answered");
  assert.equal(answered.filter((v) => v.value.allow).length, 3, "the fleet cap holds inside one batch");
  t.diagnostic(`${topLevel} transactions for 10 requests`);
  assert.ok(topLevel < 10, `fewer commits than requests (${topLevel} for 10 requests)`);
  assert.equal(controller.parts!.store.decisions.recent(50).length, 9, "every answered decision is stored, the failed one is not");
});
