/** /metrics of a real controller, fed by SimAgents over real gRPC, scraped over real HTTP. */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { boundCategories, MAX_CATEGORIES, OTHER_CATEGORY } from "../controller/http/metrics.js";
import { DecisionScope, EventKind, makeCrash, makeEvent } from "./helpers/grpc-agent.js";
import { get, parseMetrics, startHttpController, valueOf, type Sample } from "./metrics-helpers.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const XSS_LINE = '<script>alert("x")</script> CUDA out of memory';

async function scrape(url: string): Promise<{ samples: Sample[]; text: string }> {
  const r = await get(`${url}/metrics`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return { samples: parseMetrics(r.body), text: r.body };
}

/** Three hosts (two in job-a), telemetry, crashes and hangs, restart requests granted and denied. */
async function busyFleet(t: { after(fn: () => unknown): void }) {
  const fleet = await startHttpController(t, {
    // No back-off so the fourth request of a host meets the window, not the back-off; breaker at 2 units.
    budget: { hostMaxRestarts: 3, backoffInitial: 0, backoffMax: 0, breakerThreshold: 2 },
  });
  const a1 = await fleet.agent("gpu-01", "job-a");
  const a2 = await fleet.agent("gpu-02", "job-a");
  const a3 = await fleet.agent("gpu-03");
  a1.sendTelemetry({
    step: 1200,
    stepRate: 2.5,
    gpus: [
      { index: 0, utilPct: 97, memUsedBytes: 70e9, memTotalBytes: 80e9, tempC: 71, powerW: 650 },
      { index: 1, utilPct: 50, memUsedBytes: 60e9, memTotalBytes: 80e9, tempC: 83, powerW: 600 },
    ],
  });
  a2.sendTelemetry({ step: 1190, stepRate: 1.25 });
  a3.sendTelemetry({ step: 7, stepRate: 0, daemonState: "hung", gpus: [] });

  a1.sendEvent(makeCrash({ category: "cuda_oom", firstFatalLine: XSS_LINE }));
  a1.sendEvent(makeCrash({ category: "cuda_oom" }));
  const nccl = makeCrash({ category: "nccl_error", hostId: "gpu-02", jobId: "job-a" });
  a2.sendEvent(nccl);
  a2.write({ body: { $case: "event", event: nccl } }); // a replay: stored and counted once
  a3.sendEvent(makeEvent({ kind: EventKind.EVENT_KIND_HANG, category: "hang_io", signature: "hang:io" }));
  a3.sendEvent(makeCrash({ category: "Weird Category <b>" }));
  a3.sendEvent(makeEvent({ kind: EventKind.EVENT_KIND_INFO, message: "not a crash" }));
  await Promise.all([a1.waitForAcks(), a2.waitForAcks(), a3.waitForAcks()]);

  const decisions = [
    await a1.requestRestart({ signature: "oom-a", category: "cuda_oom" }), // fresh grant (host)
    await a2.requestRestart({ signature: "oom-a", category: "cuda_oom" }), // shares gpu-01's grant (job)
    await a3.requestRestart(),
    await a3.requestRestart(),
    await a3.requestRestart(), // three grants: the host's window is full
    await a3.requestRestart(), // denied: host
    await a3.requestRestart({ signature: "oom-a" }), // second failure unit with oom-a: breaker opens
  ];
  assert.deepEqual(
    decisions.map((d) => [d.allow, d.scope]),
    [
      [true, DecisionScope.DECISION_SCOPE_HOST],
      [true, DecisionScope.DECISION_SCOPE_JOB],
      [true, DecisionScope.DECISION_SCOPE_HOST],
      [true, DecisionScope.DECISION_SCOPE_HOST],
      [true, DecisionScope.DECISION_SCOPE_HOST],
      [false, DecisionScope.DECISION_SCOPE_HOST],
      [false, DecisionScope.DECISION_SCOPE_BREAKER],
    ],
    "the scenario's decisions (the budget's rules decide these, not this test)",
  );
  return { fleet, agents: [a1, a2, a3] as const };
}

test("/metrics counts connected agents, crashes by category and host, grants and denials by scope, breakers, events", async (t) => {
  const { fleet } = await busyFleet(t);
  const { samples: m, text } = await scrape(fleet.url);

  assert.equal(valueOf(m, "trainsafe_agents_connected"), 3);
  assert.equal(valueOf(m, "trainsafe_hosts_known"), 3);
  assert.equal(valueOf(m, "trainsafe_controller_info", { version: "0.1.0" }), 1);

  assert.equal(valueOf(m, "trainsafe_crashes_total", { category: "cuda_oom" }), 2);
  assert.equal(valueOf(m, "trainsafe_crashes_total", { category: "nccl_error" }), 1, "a replayed event counts once");
  assert.equal(valueOf(m, "trainsafe_crashes_total", { category: "hang_io" }), 1, "hangs are failures too");
  assert.equal(valueOf(m, "trainsafe_crashes_total", { category: OTHER_CATEGORY }), 1, "a category that is not a rule name is 'other'");
  assert.equal(m.filter((s) => s.name === "trainsafe_crashes_total").length, 4);
  assert.equal(valueOf(m, "trainsafe_host_crashes_total", { host: "gpu-01" }), 2);
  assert.equal(valueOf(m, "trainsafe_host_crashes_total", { host: "gpu-02" }), 1);
  assert.equal(valueOf(m, "trainsafe_host_crashes_total", { host: "gpu-03" }), 2);

  assert.equal(valueOf(m, "trainsafe_restarts_granted_total", { scope: "host" }), 4);
  assert.equal(valueOf(m, "trainsafe_restarts_granted_total", { scope: "job" }), 1);
  assert.equal(valueOf(m, "trainsafe_restarts_denied_total", { scope: "host" }), 1);
  assert.equal(valueOf(m, "trainsafe_restarts_denied_total", { scope: "breaker" }), 1);
  assert.equal(valueOf(m, "trainsafe_restarts_denied_total", { scope: "fleet" }), 0, "every scope is exported, zeros included");
  assert.equal(valueOf(m, "trainsafe_breakers_open"), 1);
  assert.equal(valueOf(m, "trainsafe_events_stored_total"), 6, "5 failures + 1 info; the replay is not counted");

  // Free text from agents never becomes a label.
  assert.ok(!text.includes("Weird"), "an odd category is not a label value");
  assert.ok(!text.includes("<script") && !text.includes("alert") && !text.includes("oom-a"), "no crash line or signature in the metrics");
  // Process metrics of the controller share the registry.
  assert.ok((valueOf(m, "process_cpu_user_seconds_total") ?? -1) >= 0);
  assert.ok((valueOf(m, "nodejs_heap_size_used_bytes") ?? 0) > 0);
});

test("/metrics shows per-host step rate, step, daemon state and GPU temperature (max and per GPU) and memory", async (t) => {
  const { fleet, agents } = await busyFleet(t);
  let { samples: m } = await scrape(fleet.url);
  assert.equal(valueOf(m, "trainsafe_host_step_rate", { host: "gpu-01" }), 2.5);
  assert.equal(valueOf(m, "trainsafe_host_step_rate", { host: "gpu-02" }), 1.25);
  assert.equal(valueOf(m, "trainsafe_host_step_rate", { host: "gpu-03" }), 0);
  assert.equal(valueOf(m, "trainsafe_host_step", { host: "gpu-01" }), 1200);
  assert.equal(valueOf(m, "trainsafe_host_daemon_state", { host: "gpu-03", state: "hung" }), 1);
  assert.equal(valueOf(m, "trainsafe_host_daemon_state", { host: "gpu-01", state: "running" }), 1);
  assert.equal(valueOf(m, "trainsafe_host_gpu_temperature_max_celsius", { host: "gpu-01" }), 83);
  assert.equal(valueOf(m, "trainsafe_host_gpu_temperature_celsius", { host: "gpu-01", gpu: "0" }), 71);
  assert.equal(valueOf(m, "trainsafe_host_gpu_temperature_celsius", { host: "gpu-01", gpu: "1" }), 83);
  assert.equal(valueOf(m, "trainsafe_host_gpu_memory_used_bytes", { host: "gpu-01", gpu: "1" }), 60e9);
  assert.equal(valueOf(m, "trainsafe_host_gpu_memory_total_bytes", { host: "gpu-01", gpu: "0" }), 80e9);
  assert.equal(valueOf(m, "trainsafe_host_gpu_utilization_ratio", { host: "gpu-01", gpu: "0" }), 0.97);
  assert.equal(valueOf(m, "trainsafe_host_gpu_temperature_max_celsius", { host: "gpu-03" }), undefined, "no GPUs, no temperature");
  assert.equal(valueOf(m, "trainsafe_host_connected", { host: "gpu-03" }), 1);

  // Newer telemetry replaces the gauges; a host that disconnects keeps only host_connected = 0.
  agents[1].sendTelemetry({ step: 1300, stepRate: 3 });
  agents[2].close();
  const deadline = Date.now() + 5_000;
  for (;;) {
    ({ samples: m } = await scrape(fleet.url));
    if (valueOf(m, "trainsafe_agents_connected") === 2 && valueOf(m, "trainsafe_host_step_rate", { host: "gpu-02" }) === 3) break;
    assert.ok(Date.now() < deadline, "the scrape never showed the new telemetry and the disconnect");
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(valueOf(m, "trainsafe_host_step", { host: "gpu-02" }), 1300);
  assert.equal(valueOf(m, "trainsafe_host_connected", { host: "gpu-03" }), 0);
  assert.equal(valueOf(m, "trainsafe_host_step_rate", { host: "gpu-03" }), undefined, "a disconnected host's last sample is not its state");
  assert.equal(valueOf(m, "trainsafe_host_daemon_state", { host: "gpu-03", state: "hung" }), undefined);
  assert.equal(valueOf(m, "trainsafe_host_crashes_total", { host: "gpu-03" }), 2, "history stays");
});

test("counters come from the database: a restarted controller reports the same totals", async (t) => {
  const { fleet, agents } = await busyFleet(t);
  const before = (await scrape(fleet.url)).samples;
  for (const a of agents) a.close();
  await fleet.restart();
  const { samples: after } = await scrape(fleet.url);
  for (const [name, labels] of [
    ["trainsafe_crashes_total", { category: "cuda_oom" }],
    ["trainsafe_crashes_total", { category: OTHER_CATEGORY }],
    ["trainsafe_host_crashes_total", { host: "gpu-03" }],
    ["trainsafe_restarts_granted_total", { scope: "host" }],
    ["trainsafe_restarts_granted_total", { scope: "job" }],
    ["trainsafe_restarts_denied_total", { scope: "breaker" }],
    ["trainsafe_events_stored_total", {}],
    ["trainsafe_breakers_open", {}],
  ] as const) {
    const was = valueOf(before, name, labels);
    assert.ok(was !== undefined && was > 0, `${name} ${JSON.stringify(labels)} was exported`);
    assert.equal(valueOf(after, name, labels), was, `${name} ${JSON.stringify(labels)} after a restart`);
  }
  assert.equal(valueOf(after, "trainsafe_agents_connected"), 0);

  // New decisions and events after the restart add to the totals (decisions are counted incrementally).
  const a = await fleet.agent("gpu-04");
  a.sendEvent(makeCrash({ category: "cuda_oom" }));
  await a.waitForAcks();
  await a.requestRestart();
  const { samples: later } = await scrape(fleet.url);
  assert.equal(valueOf(later, "trainsafe_restarts_granted_total", { scope: "host" }), valueOf(before, "trainsafe_restarts_granted_total", { scope: "host" })! + 1);
  assert.equal(valueOf(later, "trainsafe_crashes_total", { category: "cuda_oom" }), 3);
  assert.equal(valueOf(later, "trainsafe_events_stored_total"), valueOf(before, "trainsafe_events_stored_total")! + 1);
  const again = (await scrape(fleet.url)).samples;
  assert.equal(valueOf(again, "trainsafe_restarts_granted_total", { scope: "host" }), valueOf(later, "trainsafe_restarts_granted_total", { scope: "host" }), "a scrape with nothing new changes nothing");
});

test("crash categories are bounded: rule-like names up to the cap, the rest (and odd names) are 'other', stable as new ones arrive", () => {
  const rows = Array.from({ length: MAX_CATEGORIES + 10 }, (_, i) => ({ key: `cat_${String(i).padStart(3, "0")}`, count: 1, firstMs: 1000 + i }));
  rows.push({ key: "Not A Rule", count: 5, firstMs: 0 }, { key: OTHER_CATEGORY, count: 2, firstMs: 5 });
  const out = boundCategories(rows);
  assert.equal(out.size, MAX_CATEGORIES + 1);
  assert.equal(out.get(OTHER_CATEGORY), 10 + 5 + 2);
  assert.equal(out.get("cat_000"), 1);
  assert.equal(out.get(`cat_${String(MAX_CATEGORIES).padStart(3, "0")}`), undefined, "a category first seen after the cap is 'other'");
  // A category that appears later never pushes out one that already has a label.
  const more = boundCategories([...rows, { key: "aaa_new", count: 1, firstMs: 99_999 }]);
  assert.equal(more.get("cat_000"), 1);
  assert.equal(more.get("aaa_new"), undefined);
});

test("every metric the Grafana dashboard queries is exported by /metrics", async (t) => {
  const file = path.join(REPO, "deploy/grafana/trainsafe-fleet.json");
  const dashboard = JSON.parse(fs.readFileSync(file, "utf8")) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((tg) => tg.expr));
  assert.ok(exprs.length >= 8, "the dashboard has queries");
  const queried = new Set(exprs.flatMap((e) => [...e.matchAll(/\b(trainsafe_[a-z0-9_]+|process_[a-z0-9_]+|nodejs_[a-z0-9_]+)\b/g)].map((x) => x[1]!)));
  const { fleet } = await busyFleet(t);
  const exported = new Set((await scrape(fleet.url)).samples.map((s) => s.name));
  const missing = [...queried].filter((n) => !exported.has(n));
  assert.deepEqual(missing, [], "metrics the dashboard queries but /metrics does not export");
  for (const name of ["trainsafe_agents_connected", "trainsafe_crashes_total", "trainsafe_restarts_denied_total", "trainsafe_host_step_rate", "trainsafe_host_gpu_temperature_max_celsius"]) {
    assert.ok(queried.has(name), `the dashboard shows ${name}`);
  }
});
