/**
 * Fault: garbage everywhere trainsafe reads.
 *
 * 1. Files: thousands of fuzzed agent settings, controller configs, training config.json files,
 *    status files, trainer_state.json files and whole checkpoints, safetensors headers, zip archives,
 *    log lines, log files and rules files through the real readers (test/faults/fuzz/targets.ts). Each
 *    target runs in its own process under a wall-clock limit: no unhandled exception, no call over
 *    its per-call limit, no hang.
 * 2. The wire: a live controller process gets raw bytes that do not decode, mutated encodings of valid
 *    messages, well-formed messages full of junk, oversized messages, and TCP connections that never
 *    speak HTTP/2, thousands in all, each call under a deadline. Then a normal SimAgent must still
 *    connect and have its events stored, and the fleet CLI must still answer.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { Client, credentials, Metadata, status, type ServiceError } from "@grpc/grpc-js";
import fc from "fast-check";
import { AgentMessage } from "../../proto/gen/trainsafe/v1/agent.js";
import { EventKind } from "../../proto/gen/trainsafe/v1/common.js";
import { Fleet, fleetJson, ROOT } from "../helpers/fleet.js";
import { makeEvent, makeTelemetry, SimAgent } from "../helpers/grpc-agent.js";
import { figure, runSeed, seededRandom, storedEvents } from "./helpers.js";
import type { TargetResult } from "./fuzz/targets.js";

/** FAULTS_FUZZ_SCALE multiplies every target's run count (1 = the figures in docs/reliability.md). */
const SCALE = Number(process.env.FAULTS_FUZZ_SCALE) || 1;
const TARGET_LIMIT_MS = 90_000 * Math.max(1, SCALE);
const TARGETS = ["agent-settings", "controller-config", "training-config", "status", "checkpoints", "safetensors", "zip", "log-lines"];

const fleet = new Fleet();
after(() => fleet.cleanup());

function runChild(target: string, seed: number): Promise<TargetResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "test", "faults", "fuzz", "child.ts"), target, String(seed), String(SCALE)], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), TARGET_LIMIT_MS);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.trim().split("\n").at(-1) ?? "") as TargetResult);
      } catch {
        const why = signal === "SIGKILL" ? `killed after ${TARGET_LIMIT_MS} ms (hang)` : `exited ${code ?? signal}`;
        resolve({ target, runs: 0, accepted: 0, refused: 0, maxCallMs: 0, durationMs: 0, failure: `${why}: ${err.slice(-2000)}` });
      }
    });
  });
}

test("fuzzed files through the real readers: no unhandled exception, no hang", { timeout: 8 * TARGET_LIMIT_MS }, async (t) => {
  const seed = runSeed();
  const results: TargetResult[] = [];
  // Two at a time: this is a 2-core machine.
  const queue = [...TARGETS];
  await Promise.all(
    [0, 1].map(async () => {
      for (let name = queue.shift(); name; name = queue.shift()) results.push(await runChild(name, seed));
    }),
  );
  results.sort((a, b) => TARGETS.indexOf(a.target) - TARGETS.indexOf(b.target));
  figure(t, "fuzzed-files", {
    seed,
    scale: SCALE,
    totalRuns: results.reduce((n, r) => n + r.runs, 0),
    targets: Object.fromEntries(results.map((r) => [r.target, { runs: r.runs, accepted: r.accepted, refused: r.refused, maxCallMs: r.maxCallMs, durationMs: r.durationMs }])),
  });
  for (const r of results) {
    assert.equal(r.failure, undefined, `${r.target} (seed ${seed}; replay with FAULTS_SEED=${seed}):\n${r.failure}`);
    assert.ok(r.runs >= 900 * SCALE, `${r.target} ran ${r.runs} inputs`);
    assert.ok(r.refused > 0, `${r.target}: the garbage was noticed`);
  }
});

// ---------- the wire ----------

const CALL_DEADLINE_MS = 10_000;

interface Outcome {
  code: number;
}

/** One raw bidi stream on the shared client: writes `chunks`, half-closes, resolves with the end status. */
function rawBidi(client: Client, chunks: Buffer[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const call = client.makeBidiStreamRequest<Buffer, Buffer>("/trainsafe.v1.AgentService/Connect", (b) => b, (b) => b, new Metadata(), {
      deadline: Date.now() + CALL_DEADLINE_MS,
    });
    let done = false;
    const finish = (code: number) => {
      if (!done) resolve({ code });
      done = true;
    };
    call.on("data", () => {});
    call.on("error", (err: ServiceError) => finish(err.code));
    call.on("status", (s: { code: number }) => finish(s.code));
    for (const c of chunks) call.write(c);
    call.end();
  });
}

function rawUnaryCall(client: Client, method: string, bytes: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    client.makeUnaryRequest<Buffer, Buffer>(method, (b) => b, (b) => b, bytes, new Metadata(), { deadline: Date.now() + CALL_DEADLINE_MS }, (err) =>
      resolve({ code: err ? err.code : status.OK }),
    );
  });
}

function rawServerStream(client: Client, method: string, bytes: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const call = client.makeServerStreamRequest<Buffer, Buffer>(method, (b) => b, (b) => b, bytes, new Metadata(), { deadline: Date.now() + CALL_DEADLINE_MS });
    let done = false;
    call.on("data", () => {});
    call.on("error", (err: ServiceError) => {
      if (!done) resolve({ code: err.code });
      done = true;
    });
    call.on("status", (s: { code: number }) => {
      if (!done) resolve({ code: s.code });
      done = true;
    });
  });
}

/** Bytes that a TCP peer which is not a gRPC client might send. */
function tcpGarbage(address: string, bytes: Buffer): Promise<void> {
  const [host, port] = [address.slice(0, address.lastIndexOf(":")), Number(address.slice(address.lastIndexOf(":") + 1))];
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const end = () => {
      s.destroy();
      resolve();
    };
    s.setTimeout(2_000, end);
    s.on("data", () => {});
    s.on("error", end);
    s.on("close", end);
    s.on("connect", () => s.end(bytes));
  });
}

function mutate(buf: Buffer, rand: () => number): Buffer {
  let b = Buffer.from(buf);
  const n = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rand() * Math.max(1, b.length));
    switch (Math.floor(rand() * 5)) {
      case 0:
        if (b.length) b[at] = b[at]! ^ (1 << Math.floor(rand() * 8));
        break;
      case 1:
        b = b.subarray(0, at);
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, at), Buffer.from([Math.floor(rand() * 256), 0xff, 0xff, 0xff, 0x0f]), b.subarray(at)]);
        break;
      case 3:
        if (b.length) b[at] = Math.floor(rand() * 256);
        break;
      case 4:
        b = Buffer.concat([b, b.subarray(at)]);
        break;
    }
  }
  return b;
}

const junkString = fc.oneof(fc.string({ unit: "binary", maxLength: 80 }), fc.constantFrom("", "\u0000", "a".repeat(70_000), "\uD800", "../../etc/passwd", "h".repeat(300)));
const junkNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, Number.MAX_SAFE_INTEGER, 2 ** 63, -(2 ** 63), Number.NaN, Infinity));
const junkEvent = fc.record({
  uuid: fc.oneof(fc.uuid(), junkString),
  tsMs: junkNumber,
  hostId: junkString,
  jobId: junkString,
  kind: fc.oneof(fc.constantFrom(...Object.values(EventKind).filter((v): v is number => typeof v === "number")), fc.integer({ min: -5, max: 1000 })),
  category: junkString,
  signature: junkString,
  message: junkString,
  detailsJson: fc.oneof(junkString, fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ""), fc.constant("[".repeat(10_000))),
  signal: junkString,
});

test("garbage on the wire: the controller refuses it, keeps serving, and stores a normal agent's events", { timeout: 240_000 }, async (t) => {
  const seed = runSeed();
  const rand = seededRandom(seed);
  // Fleet calls unlimited: the garbage must reach the decoders, not stop at the per-caller rate limit.
  const ctl = await fleet.controller({ limits: { fleetCallsPerSecond: 1_000_000, fleetCallBurst: 1_000_000 } });
  const addr = ctl.address;
  const client = new Client(addr, credentials.createInsecure(), { "grpc.max_send_message_length": 8 * 1024 * 1024 });
  t.after(() => client.close());
  const t0 = Date.now();

  const hello = (hostId: string) => AgentMessage.encode({ body: { $case: "hello", hello: { hostId, jobId: "j", agentVersion: "fuzz", capabilities: [], baseDir: "/x" } } }).finish();
  const eventMsg = (hostId: string) => AgentMessage.encode({ body: { $case: "event", event: makeEvent({ hostId, message: "e" }) } }).finish();
  const telemetryMsg = () => AgentMessage.encode({ body: { $case: "telemetry", telemetry: makeTelemetry() } }).finish();
  const valid = [Buffer.from(hello("fuzz-valid")), Buffer.from(eventMsg("fuzz-valid")), Buffer.from(telemetryMsg())];

  const codes = new Map<string, Map<number, number>>();
  const count = (kind: string, o: Outcome) => {
    const m = codes.get(kind) ?? codes.set(kind, new Map()).get(kind)!;
    m.set(o.code, (m.get(o.code) ?? 0) + 1);
  };
  const pool = async (n: number, width: number, one: (i: number) => Promise<void>) => {
    let next = 0;
    await Promise.all(Array.from({ length: width }, async () => {
      for (let i = next++; i < n; i = next++) await one(i);
    }));
  };

  const phaseMs: Record<string, number> = {};
  let phaseStart = Date.now();
  const phase = (name: string) => {
    phaseMs[name] = Date.now() - phaseStart;
    phaseStart = Date.now();
  };

  // 1. Streams of bytes that are not AgentMessages, or are mutated ones.
  await pool(1500, 24, async (i) => {
    const r = rand();
    let chunks: Buffer[];
    if (r < 0.3) chunks = [Buffer.from(Array.from({ length: Math.floor(rand() * 2000) }, () => Math.floor(rand() * 256)))];
    else if (r < 0.7) chunks = [mutate(valid[0]!, rand), ...valid.slice(1).map((v) => mutate(v, rand))];
    else chunks = [Buffer.from(hello(`fuzz-${i % 50}`)), ...Array.from({ length: 1 + Math.floor(rand() * 5) }, () => mutate(valid[1 + Math.floor(rand() * 2)]!, rand))];
    count("stream", await rawBidi(client, chunks));
  });
  phase("streams");

  // 2. Unary and server-streaming calls with junk requests.
  const unary = ["/trainsafe.v1.AgentService/RequestRestart", "/trainsafe.v1.FleetService/ListHosts", "/trainsafe.v1.FleetService/GetHost", "/trainsafe.v1.FleetService/ListCrashes", "/trainsafe.v1.FleetService/ListIncidents", "/trainsafe.v1.FleetService/ListEvents", "/trainsafe.v1.FleetService/GetBudget"];
  await pool(1500, 24, async () => {
    const bytes = Buffer.from(Array.from({ length: Math.floor(rand() * 400) }, () => Math.floor(rand() * 256)));
    if (rand() < 0.1) count("runCommand", await rawServerStream(client, "/trainsafe.v1.FleetService/RunCommand", bytes));
    else count("unary", await rawUnaryCall(client, unary[Math.floor(rand() * unary.length)]!, bytes));
  });
  phase("unary");

  // 3. Well-formed messages full of junk: hellos and events with hostile field values.
  const junk = fc.sample(fc.tuple(junkString, fc.array(junkEvent, { minLength: 1, maxLength: 6 })), { seed, numRuns: 600 });
  await pool(junk.length, 16, async (i) => {
    const [junkHost, events] = junk[i]!;
    // Mostly a proper hello, so that the junk events get past it and each is judged on its own.
    const hostId = i % 5 === 0 ? junkHost : `fuzz-junk-${i % 20}`;
    const msgs = [Buffer.from(AgentMessage.encode({ body: { $case: "hello", hello: { hostId, jobId: "", agentVersion: "", capabilities: [hostId], baseDir: hostId } } }).finish())];
    for (const e of events) {
      try {
        msgs.push(Buffer.from(AgentMessage.encode({ body: { $case: "event", event: { ...makeEvent(), ...e, exitCode: undefined, crash: undefined } } }).finish()));
      } catch {
        // a value the encoder itself refuses (NaN as int64...): not something a peer could send
      }
    }
    count("junkFields", await rawBidi(client, msgs));
  });
  phase("junkFields");

  // 4. Oversized messages (over maxMessageSize, 4 MB) on the stream and on a unary call.
  const big = Buffer.alloc(5 * 1024 * 1024, 0x41);
  for (let i = 0; i < 3; i++) count("oversized", await rawBidi(client, [Buffer.from(hello("fuzz-big")), big]));
  for (let i = 0; i < 3; i++) count("oversized", await rawUnaryCall(client, "/trainsafe.v1.FleetService/ListHosts", big));
  phase("oversized");

  // 5. TCP peers that are not gRPC clients: random bytes, an HTTP/1 request, an HTTP/2 preface then junk.
  await pool(300, 16, async (i) => {
    const junkBytes = Buffer.from(Array.from({ length: Math.floor(rand() * 600) }, () => Math.floor(rand() * 256)));
    const kinds = [junkBytes, Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), junkBytes])];
    await tcpGarbage(addr, kinds[i % 3]!);
  });
  phase("tcp");
  const garbageMs = Date.now() - t0;

  // Still there, and still doing its job for a well-behaved agent.
  assert.equal(ctl.child.exitCode, null, `the controller is alive: ${ctl.output().slice(-2000)}`);
  assert.doesNotMatch(ctl.output(), /uncaught|unhandled/i, "no unhandled error in the controller's log");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(await import("node:fs").then((fs) => fs.readFileSync(`/proc/${ctl.child.pid}/status`, "utf8")))?.[1]);
  const agent = new SimAgent({ address: addr, hostId: "after-garbage", jobId: "job-g" });
  t.after(() => agent.close());
  await agent.connect();
  const sent = Array.from({ length: 200 }, (_, i) => agent.sendEvent({ message: `normal ${i}` }));
  await agent.waitForAcks(20_000);
  const hosts = await fleetJson<Array<{ hostId: string; connected: boolean }>>(addr, ["hosts"]);
  assert.ok(hosts.some((h) => h.hostId === "after-garbage" && h.connected), "the fleet CLI sees the normal agent");
  agent.close();
  await fleet.stop(ctl.child, "SIGTERM");
  const ctlLog = ctl.output();
  assert.equal(ctl.child.exitCode, 0, "the controller stops cleanly");
  const stored = new Set(storedEvents(path.join(ctl.stateDir, "controller.db")).filter((r) => r.host_id === "after-garbage").map((r) => r.uuid));

  const summary = Object.fromEntries([...codes].map(([k, m]) => [k, Object.fromEntries([...m].map(([c, n]) => [status[c] ?? c, n]))]));
  const calls = [...codes.values()].reduce((n, m) => n + [...m.values()].reduce((a, b) => a + b, 0), 0);
  figure(t, "garbage-on-the-wire", { seed, calls: calls + 300, tcpPeers: 300, statuses: summary, garbageMs, phaseMs, controllerRssMb: Math.round(rssKb / 1024), normalEventsSent: sent.length, normalEventsStored: sent.filter((u) => stored.has(u)).length });
  for (const [k, m] of codes) {
    assert.ok(!m.has(status.DEADLINE_EXCEEDED), `${k}: no call hung until its deadline (${JSON.stringify(summary[k])})`);
    assert.ok(!m.has(status.UNKNOWN), `${k}: no unknown failure (${JSON.stringify(summary[k])})`);
    // INTERNAL is the controller's answer to an error it did not expect (logged with its stack).
    const unexpected = ctlLog.split("\n").flatMap((l, i, all) => (/unexpected error/.test(l) ? all.slice(i, i + 8) : [])).slice(0, 16).join("\n");
    assert.ok(!m.has(status.INTERNAL), `${k}: no unexpected error in the controller (${JSON.stringify(summary[k])}): ${unexpected}`);
  }
  assert.ok((codes.get("stream")?.get(status.INVALID_ARGUMENT) ?? 0) > 0, "undecodable streams were refused as invalid");
  assert.equal(codes.get("oversized")?.get(status.RESOURCE_EXHAUSTED), 6, "oversized messages were refused for their size");
  assert.equal(sent.filter((u) => stored.has(u)).length, sent.length, "the normal agent's events are all stored");
});
