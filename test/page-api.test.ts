/** The controller's HTTP server without a browser: routes, read-only methods, /api/fleet data, start and stop. */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { resolveControllerConfig } from "../controller/config.js";
import type { FleetView } from "../controller/http/fleet-view.js";
import { silentLogger } from "../controller/log.js";
import { Controller } from "../controller/server.js";
import { EventKind, makeCrash, makeEvent } from "./helpers/grpc-agent.js";
import { get, startHttpController } from "./metrics-helpers.js";

test("GET / serves the page with its own script and style sheet under a strict CSP; unknown paths are 404", async (t) => {
  const { url } = await startHttpController(t);
  const page = await get(`${url}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type")!, /^text\/html/);
  assert.match(page.body, /<script src="fleet\.js" defer><\/script>/);
  assert.ok(!/<script>|\son\w+=|style=/.test(page.body), "no inline script, handler or style");
  assert.ok(!/https?:\/\//.test(page.body), "no external resource");
  const csp = page.headers.get("content-security-policy")!;
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self';/);
  assert.equal(page.headers.get("x-content-type-options"), "nosniff");

  const js = await get(`${url}/fleet.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get("content-type")!, /^text\/javascript/);
  assert.ok(!js.body.includes("innerHTML"), "agent text is never parsed as HTML");
  assert.match((await get(`${url}/fleet.css`)).headers.get("content-type")!, /^text\/css/);
  assert.equal((await get(`${url}/?refresh=1`)).status, 200, "a query string does not change the route");
  assert.equal((await get(`${url}/healthz`)).body, "ok\n");

  for (const p of ["/nope", "/api", "/api/fleet/x", "/metrics/", "/static/fleet.js", "/../package.json", "/index.html"]) {
    assert.equal((await get(`${url}${p}`)).status, 404, p);
  }
});

test("the server is read-only: other methods get 405 with Allow, HEAD gets headers without a body", async (t) => {
  const { url } = await startHttpController(t);
  for (const [method, p] of [["POST", "/api/fleet"], ["PUT", "/"], ["DELETE", "/metrics"], ["PATCH", "/api/fleet"], ["POST", "/nope"]] as const) {
    const r = await get(`${url}${p}`, { method, body: method === "DELETE" ? undefined : "{}" });
    assert.equal(r.status, 405, `${method} ${p}`);
    assert.equal(r.headers.get("allow"), "GET, HEAD");
  }
  const head = await get(`${url}/metrics`, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.body, "");
  assert.ok(Number(head.headers.get("content-length")) > 1000);
});

test("/api/fleet lists hosts with state, step, rate and last crash; crashes newest first; open breakers; decisions", async (t) => {
  const fleet = await startHttpController(t, { budget: { breakerThreshold: 2 } });
  const a1 = await fleet.agent("gpu-01", "job-a");
  const a2 = await fleet.agent("gpu-02");
  a1.sendTelemetry({ step: 500, stepRate: 2.5, daemonState: "running" });
  a2.sendTelemetry({ step: 42, stepRate: 0, daemonState: "hung", gpus: [] });
  const t0 = Date.now();
  a1.sendEvent(makeCrash({ category: "cuda_oom", firstFatalLine: "old line", tsMs: t0 - 60_000 }));
  a1.sendEvent(makeCrash({ category: "nccl_error", firstFatalLine: "x".repeat(3000), tsMs: t0 - 1_000 }));
  a2.sendEvent(makeEvent({ kind: EventKind.EVENT_KIND_HANG, category: "hang_io", signature: "hang:io", tsMs: t0 - 30_000 }));
  await Promise.all([a1.waitForAcks(), a2.waitForAcks()]);
  await a1.requestRestart({ signature: "sig-x" });
  const denied = await a2.requestRestart({ signature: "sig-x" });
  assert.equal(denied.allow, false, "second failure unit with sig-x trips the breaker");

  const r = await get(`${fleet.url}/api/fleet`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type")!, /^application\/json/);
  assert.equal(r.headers.get("cache-control"), "no-store");
  const v = JSON.parse(r.body) as FleetView;
  assert.deepEqual(v.summary, { hosts: 2, connected: 2, crashes: 3, openBreakers: 1 });
  assert.deepEqual(v.hosts.map((h) => [h.hostId, h.jobId, h.connected, h.daemonState, h.step, h.stepRate, h.gpuCount, h.crashes]), [
    ["gpu-01", "job-a", true, "running", 500, 2.5, 1, 2],
    ["gpu-02", "", true, "hung", 42, 0, 0, 1],
  ]);
  assert.equal(v.hosts[0]!.gpuTempMaxC, 71);
  assert.equal(v.hosts[0]!.lastCrash?.category, "nccl_error", "the newest crash of the host");
  assert.ok(v.hosts[0]!.lastCrash!.firstFatalLine.length <= 400, "long agent text is cut for the page");
  assert.equal(v.hosts[1]!.lastCrash?.kind, "hang");
  assert.deepEqual(v.crashes.map((c) => c.category), ["nccl_error", "hang_io", "cuda_oom"]);
  assert.deepEqual(v.breakers.map((b) => [b.signature, b.hostIds]), [["sig-x", ["gpu-01", "gpu-02"]]]);
  assert.deepEqual(v.decisions.map((d) => [d.hostId, d.allow, d.scope]), [["gpu-02", false, "breaker"], ["gpu-01", true, "host"]]);
  assert.ok(Math.abs(v.nowMs - Date.now()) < 5_000);

  a2.close();
  const deadline = Date.now() + 5_000;
  for (;;) {
    const after = JSON.parse((await get(`${fleet.url}/api/fleet`)).body) as FleetView;
    if (after.summary.connected === 1) {
      assert.equal(after.hosts.find((h) => h.hostId === "gpu-02")?.connected, false);
      break;
    }
    assert.ok(Date.now() < deadline, "the disconnect never showed");
    await new Promise((res) => setTimeout(res, 20));
  }
});

test("without httpPort there is no HTTP server; a taken httpPort fails start and frees the gRPC port and the database", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-http-"));
  const blocker = http.createServer();
  await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
  t.after(() => {
    blocker.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const plain = new Controller(resolveControllerConfig({ listen: "127.0.0.1:0", stateDir: dir }), { log: silentLogger });
  await plain.start();
  assert.equal(plain.httpUrl, null);
  await plain.stop();

  const taken = (blocker.address() as AddressInfo).port;
  const clash = new Controller(resolveControllerConfig({ listen: "127.0.0.1:0", httpPort: taken, stateDir: dir }), { log: silentLogger });
  await assert.rejects(clash.start(), /EADDRINUSE/);
  assert.equal(clash.parts, null);

  const ok = new Controller(resolveControllerConfig({ listen: "127.0.0.1:0", httpPort: 0, stateDir: dir }), { log: silentLogger });
  await ok.start();
  t.after(() => ok.stop());
  assert.match(ok.httpUrl!, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal((await get(`${ok.httpUrl}/healthz`)).status, 200, "the database was released by the failed start");
});

test("stop() returns promptly while a page keeps a keep-alive connection open, and the port is closed after", async (t) => {
  const fleet = await startHttpController(t);
  const agent = new http.Agent({ keepAlive: true });
  t.after(() => agent.destroy());
  const once = () =>
    new Promise<number>((resolve, reject) =>
      http.get(`${fleet.url}/api/fleet`, { agent }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      }).on("error", reject),
    );
  assert.equal(await once(), 200);
  const started = Date.now();
  await fleet.controller.stop();
  assert.ok(Date.now() - started < 2_000, `stop took ${Date.now() - started} ms`);
  await assert.rejects(get(`${fleet.url}/healthz`), "nothing listens after stop");
});
