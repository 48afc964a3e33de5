/**
 * Security on plain-text loopback (TLS is in security-tls.test.ts): fleet roles from tokens, what a
 * read-only caller may not do (and that the agent then hears nothing), plain text refused off
 * loopback, fleet request validation, the per-stream rate limit, and the agent refusing a command
 * kind it does not know.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { credentials, Metadata, Server, ServerCredentials, status, type ServerDuplexStream, type ServiceError } from "@grpc/grpc-js";
import { TrainsafeError } from "../agent/lib/errors.js";
import { resolveSettings } from "../agent/config/settings.js";
import { ControllerLink, isLoopbackAddress } from "../agent/rpc/link.js";
import type { AgentCommand } from "../agent/service/types.js";
import { isLoopbackHost, resolveControllerConfig } from "../controller/config.js";
import { createLogger, silentLogger } from "../controller/log.js";
import { tokenSha256Hex, certificateHostIds } from "../controller/rpc/auth.js";
import { FleetClient } from "../controller/rpc/fleet-client.js";
import { KeyedBuckets, TokenBucket } from "../controller/rpc/rate.js";
import { Controller } from "../controller/server.js";
import { AgentServiceService, type AgentMessage, type ControllerMessage } from "../proto/gen/trainsafe/v1/agent.js";
import { CommandKind, type EventKind } from "../proto/gen/trainsafe/v1/common.js";
import { FleetServiceClient } from "../proto/gen/trainsafe/v1/fleet.js";
import { runCli } from "./helpers/fleet.js";
import { linkOptions, refusal } from "./helpers/link.js";
import { SimAgent } from "./helpers/grpc-agent.js";

const READER_TOKEN = "ts_reader_0123456789abcdef";
const OPERATOR_TOKEN = "ts_operator_fedcba9876543210";
const TOKENS = [
  { name: "reader", sha256: tokenSha256Hex(READER_TOKEN), role: "read-only" },
  { name: "ops", sha256: tokenSha256Hex(OPERATOR_TOKEN).toUpperCase(), role: "operator" },
];

function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ts-sec-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startController(t: TestContext, raw: Record<string, unknown> = {}, log = silentLogger) {
  const controller = new Controller(resolveControllerConfig({ listen: "127.0.0.1:0", stateDir: tempDir(t), ...raw }), { log });
  const { address } = await controller.start();
  t.after(() => controller.stop());
  return { controller, address };
}

function client(t: TestContext, address: string, token?: string): FleetClient {
  const c = new FleetClient({ address, callTimeoutMs: 3_000, attempts: 1, ...(token !== undefined ? { token } : {}) });
  t.after(() => c.close());
  return c;
}

async function agent(t: TestContext, address: string, hostId: string): Promise<SimAgent> {
  const a = new SimAgent({ address, hostId });
  t.after(() => a.close());
  await a.connect();
  return a;
}

test("config: client-certificate settings need tls.ca; token entries are checked", () => {
  const tls = { cert: "c.pem", key: "k.pem" };
  assert.throws(() => resolveControllerConfig({ tls: { ...tls, requireClientCert: true } }), /tls\.requireClientCert: needs tls\.ca/);
  assert.throws(() => resolveControllerConfig({ tls, auth: { certRoles: [{ ou: "operator", role: "operator" }] } }), /auth\.certRoles: needs tls\.ca/);
  assert.throws(() => resolveControllerConfig({ auth: { certRoles: [{ role: "operator" }] } }), /auth\.certRoles\[0\]: give cn, ou or both/);
  assert.throws(() => resolveControllerConfig({ auth: { tokens: [{ name: "a", sha256: "abc", role: "operator" }] } }), /auth\.tokens\[0\]\.sha256: must be 64 hex/);
  assert.throws(() => resolveControllerConfig({ auth: { tokens: [{ name: "a", sha256: "a".repeat(64), role: "admin" }] } }), /auth\.tokens\[0\]\.role/);
  assert.throws(() => resolveControllerConfig({ auth: { tokens: [TOKENS[0], { ...TOKENS[1], name: "reader" }] } }), /auth\.tokens\[1\]\.name: duplicate token name "reader"/);
  const c = resolveControllerConfig({ tls: { ...tls, ca: "ca.pem" } }, { baseDir: "/etc/trainsafe" });
  assert.deepEqual(c.tls, { certFile: "/etc/trainsafe/c.pem", keyFile: "/etc/trainsafe/k.pem", caFile: "/etc/trainsafe/ca.pem", requireClientCert: false, reloadIntervalMs: 60_000 });
  assert.equal(resolveControllerConfig({ auth: { tokens: TOKENS } }).auth.tokens[1]!.sha256Hex, tokenSha256Hex(OPERATOR_TOKEN), "hashes are compared in lower case");
  for (const h of ["127.0.0.1", "127.8.9.10", "::1", "localhost", "LOCALHOST"]) assert.ok(isLoopbackHost(h), h);
  for (const h of ["0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "ctl.internal", "127.0.0.1.evil.example"]) assert.ok(!isLoopbackHost(h), h);
});

test("the controller refuses plain text off loopback unless insecure, and an open fleet service off loopback", async (t) => {
  const dir = tempDir(t);
  const refuse = async (raw: Record<string, unknown>, field: RegExp) => {
    const c = new Controller(resolveControllerConfig({ listen: "0.0.0.0:0", stateDir: dir, ...raw }, { source: "/etc/trainsafe/controller.json" }), { log: silentLogger });
    await assert.rejects(c.start(), (err: unknown) => err instanceof TrainsafeError && err.kind === "config" && field.test(err.message));
    assert.ok(!fs.existsSync(path.join(dir, "controller.db")), "nothing was opened");
  };
  await refuse({}, /^\/etc\/trainsafe\/controller\.json: tls: plain-text gRPC on 0\.0\.0\.0:0 would be reachable from the network/);
  await refuse({ insecure: true }, /: auth\.tokens: the fleet service .* would be open to anyone/);
  await refuse({ tls: { cert: path.join(dir, "missing.pem"), key: path.join(dir, "k.pem") }, auth: { tokens: TOKENS } }, /: tls\.cert: cannot read .*missing\.pem/);

  let logged = "";
  const { address } = await startController(t, { listen: "0.0.0.0:0", insecure: true, auth: { tokens: TOKENS } }, createLogger((s) => (logged += s)));
  assert.match(logged, /warn insecure: true: serving plain-text gRPC on a non-loopback address/);
  assert.match(logged, /warn bearer tokens travel in clear text/);
  // Reached through loopback, it still wants a token: the address it listens on decides, not the caller's.
  const port = address.split(":").pop();
  const err = await refusal(client(t, `127.0.0.1:${port}`).listHosts());
  assert.equal(err.kind, "config");
  assert.match(err.message, /not authenticated .*needs credentials/);
  assert.deepEqual(await client(t, `127.0.0.1:${port}`, READER_TOKEN).listHosts(), []);
});

test("tokens give roles: read-only reads, operator acts; a read-only kill reaches no agent", async (t) => {
  let logged = "";
  const { address } = await startController(t, { auth: { tokens: TOKENS }, budget: { breakerThreshold: 1 } }, createLogger((s) => (logged += s)));
  const a = await agent(t, address, "gpu-01");

  for (const [token, why] of [
    [undefined, /needs credentials: a token/],
    ["ts_wrong_token_000000", /unknown token/],
  ] as const) {
    const err = await refusal(client(t, address, token).listHosts());
    assert.equal(err.kind, "config");
    assert.match(err.message, why);
  }

  const reader = client(t, address, READER_TOKEN);
  assert.deepEqual((await reader.listHosts()).map((h) => h.hostId), ["gpu-01"]);
  assert.equal((await reader.getHost("gpu-01")).host.connected, true);
  assert.deepEqual(await reader.listCrashes(), []);
  await reader.budget();
  for (const kind of ["kill_daemon", "restart_daemon"] as const) {
    const err = await refusal(reader.runCommand({ hostIds: ["gpu-01"], kind, args: { reason: "test" } }));
    assert.equal(err.kind, "config");
    assert.match(err.message, new RegExp(`permission denied .*${kind.replace("_daemon", "")} needs the operator role; token "reader" has read-only`));
  }
  const fix = await refusal(reader.runCommand({ hostIds: ["gpu-01"], kind: "run_checks", args: { fix: true } }));
  assert.match(fix.message, /run_checks with fix needs the operator role/);
  assert.match((await refusal(reader.resetBudget())).message, /budget reset needs the operator role/);
  assert.equal(a.commands.length, 0, "the agent received nothing from refused calls");

  // Checks without --fix are a read: they reach the agent.
  const checks = await reader.runCommand({ hostIds: ["gpu-01"], kind: "run_checks" });
  assert.equal(checks[0]?.ok, true);
  assert.deepEqual(a.commands.map((c) => [c.kind, c.args?.fix]), [[CommandKind.COMMAND_KIND_RUN_CHECKS, false]]);

  const operator = client(t, address, OPERATOR_TOKEN);
  const killed = await operator.runCommand({ hostIds: ["gpu-01"], kind: "kill_daemon", args: { reason: "operator test" } });
  assert.equal(killed[0]?.ok, true);
  assert.deepEqual(a.commands.map((c) => c.kind), [CommandKind.COMMAND_KIND_RUN_CHECKS, CommandKind.COMMAND_KIND_KILL_DAEMON]);
  assert.deepEqual(await operator.resetBudget(), []);
  assert.match(logged, /relaying command .*"kind":"kill_daemon".*"by":"token \\"ops\\""/);
  assert.doesNotMatch(logged, new RegExp(`${READER_TOKEN}|${OPERATOR_TOKEN}`), "tokens never reach the log");
});

test("a malformed authorization header is refused before the request is read", async (t) => {
  const { address } = await startController(t, { auth: { tokens: TOKENS } });
  const raw = new FleetServiceClient(address, credentials.createInsecure());
  t.after(() => raw.close());
  const call = (md: Metadata) =>
    new Promise<ServiceError | null>((resolve) => raw.listHosts({}, md, { deadline: Date.now() + 3_000 }, (err) => resolve(err)));
  const basic = new Metadata();
  basic.set("authorization", `Basic ${Buffer.from("a:b").toString("base64")}`);
  const bare = new Metadata();
  bare.set("authorization", READER_TOKEN);
  for (const [md, why] of [
    [basic, /must be "Bearer <token>"/],
    [bare, /must be "Bearer <token>"/],
  ] as const) {
    const err = await call(md);
    assert.equal(err?.code, status.UNAUTHENTICATED, err?.details);
    assert.match(err?.details ?? "", why);
  }
  const ok = new Metadata();
  ok.set("authorization", `Bearer ${READER_TOKEN}`);
  assert.equal(await call(ok), null);
});

test("an open controller (loopback, no credentials) lets every caller act, token or not", async (t) => {
  const { address } = await startController(t);
  const a = await agent(t, address, "gpu-01");
  const out = await client(t, address).runCommand({ hostIds: ["gpu-01"], kind: "kill_daemon", args: { reason: "open" } });
  assert.equal(out[0]?.ok, true);
  assert.equal((await client(t, address, "ts_anything_at_all").listHosts()).length, 1);
  assert.equal(a.commands.length, 1);
});

test("fleet requests are validated: host ids, check names, control characters, enums, sizes", async (t) => {
  const { address } = await startController(t);
  const a = await agent(t, address, "gpu-01");
  const c = client(t, address);
  const invalid = async (p: Promise<unknown>, why: RegExp) => {
    const err = await refusal(p);
    assert.equal(err.kind, "usage", err.message);
    assert.match(err.message, why);
  };
  await invalid(c.getHost("bad host!"), /host_id: may hold only letters/);
  await invalid(c.getHost("h".repeat(129)), /host_id: longer than 128 bytes/);
  await invalid(c.listEvents({ hostId: "../etc" }), /host_id: may hold only/);
  await invalid(c.runCommand({ hostIds: ["gpu-01;rm"], kind: "run_checks" }), /host_ids\[0\]: may hold only/);
  await invalid(c.runCommand({ hostIds: ["gpu-01"], kind: "run_checks", args: { names: ["disk", "$(id)"] } }), /args\.names\[1\]: a check id holds only/);
  await invalid(c.runCommand({ hostIds: ["gpu-01"], kind: "kill_daemon", args: { reason: "ok\u001b[2Jgone" } }), /args\.reason: must not contain control characters/);
  await invalid(c.runCommand({ hostIds: ["gpu-01"], kind: "kill_daemon", args: { reason: "r".repeat(1_025) } }), /args\.reason: longer than 1024 bytes/);
  await invalid(c.runCommand({ hostIds: ["gpu-01"], kind: "run_checks", args: { extraJson: "{" } }), /args\.extra_json: is not valid JSON/);
  await invalid(c.resetBudget("sig\nforged line"), /signature: must not contain control characters/);
  await invalid(c.listCrashes({ limit: 10_001 }), /limit: must be between 1 and 10000/);

  // Enums out of range, sent raw (the typed client cannot express them).
  const raw = new FleetServiceClient(address, credentials.createInsecure());
  t.after(() => raw.close());
  const stream = raw.runCommand({ hostIds: ["gpu-01"], all: false, kind: 99 as CommandKind, args: undefined, timeoutMs: 0 }, new Metadata(), {});
  const err = await new Promise<ServiceError>((resolve) => {
    stream.on("data", () => {});
    stream.on("error", resolve);
  });
  assert.equal(err.code, status.INVALID_ARGUMENT);
  assert.match(err.details, /kind: unknown command kind 99/);
  const events = await new Promise<ServiceError | null>((resolve) =>
    raw.listEvents({ hostId: "", jobId: "", kind: 42 as EventKind, sinceMs: 0, limit: 0 }, new Metadata(), { deadline: Date.now() + 3_000 }, (e) => resolve(e)),
  );
  assert.equal(events?.code, status.INVALID_ARGUMENT);
  assert.match(events?.details ?? "", /kind: unknown event kind 42/);
  assert.equal(a.commands.length, 0, "no invalid request reached the agent");
});

test("the FleetClient bounds what it sends (max message size) and refuses plain text off loopback", async (t) => {
  const { address } = await startController(t);
  const small = new FleetClient({ address, callTimeoutMs: 3_000, attempts: 1, maxSendBytes: 1_024 });
  t.after(() => small.close());
  const err = await refusal(small.runCommand({ hostIds: Array.from({ length: 200 }, (_, i) => `host-${i}`), kind: "run_checks" }));
  assert.match(err.message, /RESOURCE_EXHAUSTED/);
  assert.throws(() => new FleetClient({ address: "10.0.0.7:7700" }), /refusing plain text to 10\.0\.0\.7:7700 \(not loopback\)/);
  assert.throws(() => new FleetClient({ address: "127.0.0.1:7700", token: "has space" }), /--token: a token is 1-1024 printable ASCII/);
  new FleetClient({ address: "10.0.0.7:7700", insecure: true }).close();
});

test("token bucket: a burst, then the rate; events go into debt and say how long to wait", () => {
  let now = 1_000_000;
  const b = new TokenBucket(10, 3, () => now);
  assert.ok(b.tryTake() && b.tryTake() && b.tryTake());
  assert.equal(b.tryTake(), false, "burst spent");
  now += 100; // one token back at 10/s
  assert.equal(b.tryTake(), true);
  assert.equal(b.take(), 100, "one token of debt: 100 ms at 10/s");
  assert.equal(b.take(), 200);
  now += 10_000;
  assert.equal(b.available, 3, "refills to the burst, no further");
});

test("an agent over its rate: telemetry is dropped, events are slowed (backpressure) and none is lost", async (t) => {
  let logged = "";
  const { controller, address } = await startController(t, { limits: { agentMessagesPerSecond: 100, agentMessageBurst: 10 } }, createLogger((s) => (logged += s)));
  const a = await agent(t, address, "gpu-01");
  for (let i = 0; i < 60; i++) a.sendTelemetry({ step: i });
  const started = Date.now();
  const uuids = Array.from({ length: 150 }, (_, i) => a.sendEvent({ message: `event ${i}` }));
  await a.waitForAcks(10_000);
  const elapsedMs = Date.now() - started;
  const db = controller.parts!.store.db;
  const storedTelemetry = (db.prepare("SELECT count(*) AS n FROM telemetry").get() as { n: number }).n;
  const storedEvents = db.prepare("SELECT uuid FROM events").all() as Array<{ uuid: string }>;
  t.diagnostic(`150 events acked in ${elapsedMs} ms; ${storedTelemetry} of 60 telemetry samples kept`);
  assert.deepEqual(new Set(storedEvents.map((r) => r.uuid)), new Set(uuids), "every event stored");
  assert.equal(a.rejected.length, 0);
  assert.ok(storedTelemetry >= 10 && storedTelemetry < 40, `telemetry beyond the burst is dropped (kept ${storedTelemetry})`);
  // 60 + 150 messages at 100/s with a burst of 10: the events cannot all be read in under ~1.5 s.
  assert.ok(elapsedMs >= 1_200, `events were slowed to the rate (took ${elapsedMs} ms)`);
  assert.match(logged, /agent over its message rate: telemetry dropped .*"host":"gpu-01"/);
  assert.equal(controller.parts!.sessions.isConnected("gpu-01"), true, "the stream stays open");
});

test("KeyedBuckets: one bucket per key; idle buckets are dropped when the map is full", () => {
  let now = 0;
  const k = new KeyedBuckets(1, 2, () => now, 3);
  assert.deepEqual([k.tryTake("a"), k.tryTake("a"), k.tryTake("a")], [true, true, false], "a's burst of 2");
  assert.equal(k.tryTake("b"), true, "b has its own bucket");
  assert.equal(k.tryTake("c"), true);
  now += 5_000; // every bucket refills to its burst: idle
  assert.equal(k.tryTake("d"), true, "a fourth key past maxKeys sweeps the idle buckets first");
  assert.equal(k.size, 1);
});

test("RequestRestart over the per-host rate: RESOURCE_EXHAUSTED naming the setting, nothing decided, other hosts unaffected", async (t) => {
  let logged = "";
  const { controller, address } = await startController(t, { limits: { grantRequestsPerMinute: 60, grantRequestBurst: 3 } }, createLogger((s) => (logged += s)));
  const a = await agent(t, address, "gpu-01");
  const b = await agent(t, address, "gpu-02");
  const outcomes = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => a.requestRestart({ signature: `sig-${i}`, category: "cuda_oom" })));
  const answered = outcomes.filter((o) => o.status === "fulfilled");
  const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
  assert.equal(answered.length, 3, "the burst is answered");
  assert.equal(refused.length, 2);
  for (const r of refused) {
    const err = r.reason as ServiceError;
    assert.equal(err.code, status.RESOURCE_EXHAUSTED);
    assert.match(err.details, /^host gpu-01: over 60 restart requests a minute \(limits\.grantRequestsPerMinute\); nothing was decided/);
  }
  await b.requestRestart({ signature: "sig-b", category: "cuda_oom" });
  const db = controller.parts!.store.db;
  const count = (host: string) => (db.prepare("SELECT count(*) AS n FROM restart_decisions WHERE host_id = ?").get(host) as { n: number }).n;
  assert.equal(count("gpu-01"), 3, "a refused request leaves no decision");
  assert.equal(count("gpu-02"), 1);
  assert.match(logged, /restart requests over the per-host rate refused .*"host":"gpu-01"/);
  // One request a second refills: a little over a second later gpu-01 is answered again.
  await new Promise((r) => setTimeout(r, 1_100));
  await a.requestRestart({ signature: "sig-later", category: "cuda_oom" });
  assert.equal(count("gpu-01"), 4);
});

test("fleet calls over the per-caller rate: RESOURCE_EXHAUSTED naming the setting, before anything is read; other callers unaffected", async (t) => {
  let logged = "";
  // One call every 10 s after a burst of 3, so the CLI's start-up cannot refill it (it took over 2 s on a loaded
  // clean-clone run, which refilled a bucket of one call every 2 s).
  const { address } = await startController(t, { auth: { tokens: TOKENS }, limits: { fleetCallsPerSecond: 0.1, fleetCallBurst: 3 } }, createLogger((s) => (logged += s)));
  const reader = client(t, address, READER_TOKEN);
  const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => reader.listHosts()));
  assert.equal(outcomes.filter((o) => o.status === "fulfilled").length, 3, "the burst is answered");
  const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
  assert.equal(refused.length, 2);
  for (const r of refused) assert.match((r.reason as Error).message, /refused ListHosts \(RESOURCE_EXHAUSTED\): token "reader": over 0\.1 fleet calls a second \(limits\.fleetCallsPerSecond\)/);
  assert.match(logged, /fleet calls over the per-caller rate refused .*"caller":"token \\"reader\\""/);
  // The CLI says it in one line, with the exit code of an unreachable controller (try again later).
  const cli = await runCli(["fleet", "hosts", "--controller", address], { TRAINSAFE_TOKEN: READER_TOKEN });
  assert.equal(cli.code, 3, cli.stderr);
  assert.match(cli.stderr, /over 0\.1 fleet calls a second/);
  assert.doesNotMatch(cli.stderr, /\n\s+at /, "no stack trace");
  // Another caller has its own bucket; the reader's refills, one call every 10 s.
  await client(t, address, OPERATOR_TOKEN).listHosts();
  await new Promise((r) => setTimeout(r, 10_100));
  await reader.listHosts();
});

test("agent: plain text to a non-loopback controller is refused unless agent.insecure; TLS settings are checked", (t) => {
  const dir = tempDir(t);
  const lines: string[] = [];
  const base = linkOptions(t, dir, "gpu-01", { address: "", log: (l: string) => lines.push(l), settingsSource: "/etc/trainsafe/agent.json" });
  assert.throws(
    () => new ControllerLink({ ...base, address: "ctl.internal:7700" }),
    (err: unknown) => err instanceof TrainsafeError && err.kind === "config" && /^\/etc\/trainsafe\/agent\.json: agent\.tls: plain text to the controller at ctl\.internal:7700/.test(err.message),
  );
  assert.deepEqual(lines, []);
  new ControllerLink({ ...base, address: "ctl.internal:7700", insecure: true }).stop();
  assert.match(lines.join("\n"), /WARNING: agent\.insecure: plain-text link to the controller at ctl\.internal:7700/);
  new ControllerLink({ ...base, address: "127.0.0.1:7700" }).stop();
  new ControllerLink({ ...base, address: "[::1]:7700" }).stop();
  assert.throws(
    () => new ControllerLink({ ...base, address: "ctl.internal:7700", tls: { ca: path.join(dir, "nope.pem") } }),
    /agent\.tls\.ca: cannot read .*nope\.pem/,
  );
  assert.ok(isLoopbackAddress("127.0.0.1:1") && isLoopbackAddress("localhost:7700") && !isLoopbackAddress("10.0.0.1:7700") && !isLoopbackAddress("[::]:7700"));

  assert.throws(() => resolveSettings({ agent: { tls: { ca: "ca.pem", cert: "h.crt" } } }, { baseDir: dir }), /agent\.tls\.key: cert and key go together/);
  assert.throws(() => resolveSettings({ agent: { tls: { cert: "h.crt", key: "h.key" } } }, { baseDir: dir }), /agent\.tls\.ca/);
  const s = resolveSettings({ agent: { controller: "ctl:7700", tls: { ca: "pki/ca.crt", cert: "/abs/h.crt", key: "pki/h.key", serverName: "ctl" } } }, { baseDir: dir, source: "/etc/trainsafe/agent.json" });
  assert.deepEqual(s.agent.tls, { ca: "/etc/trainsafe/pki/ca.crt", cert: "/abs/h.crt", key: "/etc/trainsafe/pki/h.key", serverName: "ctl", reloadInterval: 60_000 });
  assert.equal(s.agent.insecure, false);
});

test("`trainsafe agent` refuses to dial a non-loopback controller in plain text: exit 2 naming agent.tls", async (t) => {
  const dir = tempDir(t);
  const configFile = path.join(dir, "agent.json");
  fs.mkdirSync(path.join(dir, "base"));
  fs.writeFileSync(configFile, JSON.stringify({ baseDir: path.join(dir, "base"), hostId: "gpu-01", agent: { controller: "10.255.255.1:7700" } }));
  const r = await runCli(["agent", "--config", configFile]);
  assert.equal(r.code, 2, r.stderr);
  assert.ok(r.stderr.includes(`trainsafe: ${configFile}: agent.tls: plain text to the controller at 10.255.255.1:7700 (not loopback)`), r.stderr);
});

test("the agent runs only enumerated commands: an unknown command kind is refused without running anything", async (t) => {
  // A stand-in controller: the real one cannot send a kind outside the enum.
  const results: Array<{ commandId: string; ok: boolean; error: string; summary: string }> = [];
  let resultsArrived: () => void = () => {};
  const twoResults = new Promise<void>((r) => (resultsArrived = r));
  const server = new Server();
  server.addService(AgentServiceService, {
    connect: (call: ServerDuplexStream<AgentMessage, ControllerMessage>) => {
      call.on("data", (m: AgentMessage) => {
        if (m.body?.$case === "hello") {
          call.write({ body: { $case: "welcome", welcome: { sessionId: "s", controllerVersion: "fake", serverTimeMs: Date.now(), maxMessageBytes: 4 << 20 } } });
          const args = { fix: true, names: [], lastNLines: 0, reason: "x", extraJson: "" };
          call.write({ body: { $case: "command", command: { commandId: "cmd-unknown-0001", kind: 99 as CommandKind, args, deadlineMs: Date.now() + 5_000 } } });
          call.write({ body: { $case: "command", command: { commandId: "cmd-known-00002", kind: CommandKind.COMMAND_KIND_VERIFY_RESUME, args, deadlineMs: Date.now() + 5_000 } } });
        } else if (m.body?.$case === "commandResult") {
          results.push(m.body.commandResult);
          if (results.length === 2) resultsArrived();
        }
      });
      call.on("end", () => call.end());
    },
    requestRestart: (_call: unknown, cb: (err: null, res: unknown) => void) => cb(null, {}),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  t.after(() => server.forceShutdown());
  const ran: AgentCommand[] = [];
  const link = new ControllerLink(
    linkOptions(t, tempDir(t), "gpu-01", {
      address: `127.0.0.1:${port}`,
      onCommand: async (cmd) => {
        ran.push(cmd);
        return { ok: true, output: { ran: cmd.kind }, error: "", summary: "ran", problems: 0 };
      },
    }),
  );
  link.start();
  t.after(() => link.stop());
  await Promise.race([twoResults, new Promise((_, reject) => setTimeout(() => reject(new Error("no command results within 5 s")), 5_000))]);
  const byId = new Map(results.map((r) => [r.commandId, r]));
  assert.deepEqual(
    { ok: byId.get("cmd-unknown-0001")?.ok, error: byId.get("cmd-unknown-0001")?.error, summary: byId.get("cmd-unknown-0001")?.summary },
    { ok: false, error: "unknown command kind 99", summary: "refused" },
  );
  assert.equal(byId.get("cmd-known-00002")?.ok, true, "a known kind runs (the stand-in controller works)");
  assert.deepEqual(ran.map((c) => c.kind), ["verify_resume"], "only the enumerated command reached the command layer");
});

test("host ids come only from trainsafe://host/ URI SANs", () => {
  const cert = (san: string) => ({ subjectaltname: san, raw: Buffer.from("x") }) as unknown as import("node:tls").PeerCertificate;
  assert.deepEqual(certificateHostIds(cert("URI:trainsafe://host/gpu-01")), ["gpu-01"]);
  assert.deepEqual(certificateHostIds(cert("DNS:gpu-01, URI:trainsafe://host/a.b:c-d_e, URI:https://example.com/")), ["a.b:c-d_e"]);
  assert.deepEqual(certificateHostIds(cert('URI:"trainsafe://host/x, URI:trainsafe://host/evil"')), [], "a quoted value is one value");
  assert.deepEqual(certificateHostIds(cert("URI:trainsafe://host/bad host")), []);
  assert.deepEqual(certificateHostIds(cert("DNS:trainsafe://host/gpu-01, email:trainsafe://host/gpu-02")), [], "only URI entries count");
  assert.deepEqual(certificateHostIds(cert("URI:trainsafe://hosts/gpu-01, URI:trainsafe://host/")), []);
});
