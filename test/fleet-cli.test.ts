/** The real `trainsafe fleet ...` CLI (spawned) against a real controller and simulated agents. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { resolveControllerConfig } from "../controller/config.js";
import { silentLogger } from "../controller/log.js";
import { Controller } from "../controller/server.js";
import { EventKind, makeCrash, SimAgent, type CommandHandler } from "./helpers/grpc-agent.js";

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const BIN = path.join(ROOT, "bin", "trainsafe.js");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function setup(t: { after(fn: () => unknown): void }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-fleetcli-"));
  const controller = new Controller(resolveControllerConfig({ listen: "127.0.0.1:0", stateDir: dir, budget: { breakerThreshold: 2 } }), { log: silentLogger });
  const { address } = await controller.start();
  const agents: SimAgent[] = [];
  t.after(async () => {
    for (const a of agents) a.close();
    await controller.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const agent = async (hostId: string, jobId: string, onCommand?: CommandHandler) => {
    const a = new SimAgent({ address, hostId, jobId, ...(onCommand ? { onCommand } : {}) });
    agents.push(a);
    await a.connect();
    return a;
  };
  return { address, agent, controller };
}

test("fleet crashes, hosts, status, events and top show what the agents reported", async (t) => {
  const { address, agent } = await setup(t);
  const a = await agent("gpu-01", "job-a");
  const b = await agent("gpu-02", "job-b");
  a.sendEvent(makeCrash({ category: "cuda_oom", firstFatalLine: "torch.OutOfMemoryError: CUDA out of memory", suggestion: "lower the batch size" }));
  b.sendEvent(makeCrash({ category: "nccl_timeout", kind: EventKind.EVENT_KIND_HANG }));
  a.sendEvent({ kind: EventKind.EVENT_KIND_INFO, message: "daemon started" });
  a.sendTelemetry({ step: 777, stepRate: 3.25 });
  await Promise.all([a.waitForAcks(), b.waitForAcks()]);

  const C = ["--controller", address];
  const [json, human, filtered, hosts, status, events, top] = await Promise.all([
    cli(["fleet", "crashes", ...C, "--json"]),
    cli(["fleet", "crashes", ...C]),
    cli(["fleet", "crashes", ...C, "--host", "gpu-01", "--category", "cuda_oom", "--since", "1h", "--json"]),
    cli(["fleet", "hosts", "--json"], { TRAINSAFE_CONTROLLER: address }),
    cli(["fleet", "status", "gpu-01", ...C]),
    cli(["fleet", "events", ...C, "--kind", "info", "--json"]),
    cli(["fleet", "top", "--once", ...C]),
  ]);

  assert.equal(json.code, 1, `crashes found is exit 1: ${json.stderr}`);
  const crashes = (JSON.parse(json.stdout) as { crashes: Array<{ hostId: string; category: string; kind: string; crash: { suggestion: string } }> }).crashes;
  assert.deepEqual(crashes.map((c) => [c.hostId, c.kind, c.category]).sort(), [["gpu-01", "crash", "cuda_oom"], ["gpu-02", "hang", "nccl_timeout"]]);
  assert.match(human.stdout, /gpu-01 .*cuda_oom .*torch\.OutOfMemoryError/);
  assert.match(human.stdout, /cuda_oom: lower the batch size/);
  assert.deepEqual((JSON.parse(filtered.stdout) as { crashes: Array<{ category: string }> }).crashes.map((c) => c.category), ["cuda_oom"]);

  assert.equal(hosts.code, 0, hosts.stderr);
  const hostList = JSON.parse(hosts.stdout) as Array<{ hostId: string; connected: boolean; step: number }>;
  assert.deepEqual(hostList.map((h) => [h.hostId, h.connected]), [["gpu-01", true], ["gpu-02", true]]);
  assert.equal(hostList[0]!.step, 777);

  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /host +gpu-01/);
  assert.match(status.stdout, /step +777 at 3\.25 steps\/s/);
  assert.match(status.stdout, /Recent crashes:\n .*crash cuda_oom/);

  assert.deepEqual((JSON.parse(events.stdout) as Array<{ message: string }>).map((e) => e.message), ["daemon started"]);
  assert.match(top.stdout, /2 hosts, 2 connected/);
  assert.match(top.stdout, /2 crash\(es\) in the last hour/);
});

test("fleet check fans out to every agent: one table, exit 1 when a host has problems or is gone", async (t) => {
  const { address, agent } = await setup(t);
  await agent("gpu-01", "j", () => ({ ok: true, summary: "12 pass", problems: 0, outputJson: '{"summary":{"pass":12}}' }));
  await agent("gpu-02", "j", () => ({ ok: true, summary: "11 pass, 1 fail", problems: 1, outputJson: "{}" }));
  const gone = await agent("gpu-03", "j");
  gone.close();
  await new Promise((r) => setTimeout(r, 100));
  const [json, human, usage] = await Promise.all([
    cli(["fleet", "check", "--all", "--fix", "--controller", address, "--json"]),
    cli(["fleet", "check", "--host", "gpu-01", "--host", "gpu-02", "--controller", address]),
    cli(["fleet", "check", "--controller", address]),
  ]);
  assert.equal(json.code, 1, json.stderr);
  const rows = JSON.parse(json.stdout) as Array<{ hostId: string; result: string; output: unknown }>;
  assert.deepEqual(rows.map((r) => [r.hostId, r.result]), [["gpu-01", "ok"], ["gpu-02", "problems"], ["gpu-03", "not connected"]]);
  assert.deepEqual(rows[0]!.output, { summary: { pass: 12 } });
  assert.match(human.stdout, /gpu-02 +problems +1 +11 pass, 1 fail/);
  assert.match(human.stdout, /1 of 2 hosts ok/);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /give --host HOST \(repeatable\) or --all/);
});

test("fleet budget shows an open breaker (exit 1) and budget reset clears it", async (t) => {
  const { address, agent } = await setup(t);
  const a = await agent("h1", "");
  const b = await agent("h2", "");
  await a.requestRestart({ signature: "bad-node-image" });
  const trip = await b.requestRestart({ signature: "bad-node-image" });
  assert.equal(trip.allow, false);
  const before = await cli(["fleet", "budget", "--controller", address]);
  assert.equal(before.code, 1, before.stderr);
  assert.match(before.stdout, /Open breakers:\n {2}bad-node-image .*hosts: h1, h2/);
  assert.match(before.stdout, /DENY  \[breaker\] correlated failure/);
  const reset = await cli(["fleet", "budget", "reset", "--signature", "bad-node-image", "--controller", address, "--json"]);
  assert.equal(reset.code, 0, reset.stderr);
  assert.deepEqual(JSON.parse(reset.stdout), { reset: ["bad-node-image"] });
  const after = await cli(["fleet", "budget", "--controller", address, "--json"]);
  assert.equal(after.code, 0);
  assert.deepEqual((JSON.parse(after.stdout) as { breakers: Array<{ open: boolean }> }).breakers.map((x) => x.open), [false]);
  assert.equal((await b.requestRestart({ signature: "bad-node-image" })).allow, true);
});

test("an unreachable controller is exit code 3 with a clear message and no stack trace", async () => {
  const [flag, env, bad] = await Promise.all([
    cli(["fleet", "hosts", "--controller", "127.0.0.1:1"]),
    cli(["fleet", "crashes", "--json"], { TRAINSAFE_CONTROLLER: "127.0.0.1:1" }),
    cli(["fleet", "hosts", "--controller", "nohostport"]),
  ]);
  for (const r of [flag, env]) {
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^trainsafe: cannot reach the controller at 127\.0\.0\.1:1 \(connect ECONNREFUSED 127\.0\.0\.1:1\)/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    assert.equal(r.stdout, "");
  }
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--controller: invalid address "nohostport"/);
});
