/**
 * Incidents: the pure grouping (order-independent, window, one death per host, origin choice), the
 * roles and onsets it reads from real crash lines, and the incidents kept in a real SQLite store by
 * Ingest (same transaction as the crash, replays change nothing, late and out-of-order arrivals give
 * what a regrouping from scratch gives, a database from before incidents is grouped at start).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { resolveControllerConfig } from "../controller/config.js";
import type { AgentEvent } from "../controller/domain.js";
import { groupIncidents, incidentRole, onsetMs, type IncidentInput } from "../controller/incidents.js";
import { Ingest } from "../controller/ingest.js";
import { silentLogger } from "../controller/log.js";
import { Store } from "../controller/store/index.js";

const T0 = 1_800_000_000_000;
const MIN = 60_000;
const W = 5 * MIN;

// Real lines (test/fixtures/crash/) and the signatures the agent makes for them (category/ruleId/hash).
const OOM_LINE =
  "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.12 GiB is free.";
const WATCHDOG_LINE =
  "[rank1]:[E ProcessGroupNCCL.cpp:523] [Rank 1] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=44, OpType=ALLREDUCE, NumelIn=6832129, NumelOut=6832129, Timeout(ms)=600000) ran for 600772 milliseconds before timing out.";
const IB_LINE = "node-7:1234:5678 [0] NCCL INFO NET/IB : Got completion from peer 10.0.0.2<45678> with error 12, opcode 32753, len 0, vendor err 129";
const KILLED_LINE = "[2024-03-21 02:07:09,123] torch.distributed.elastic.multiprocessing.api: [WARNING] Sending process 80746 closing signal SIGTERM";

function input(uuid: string, hostId: string, tsMs: number, role: IncidentInput["role"], onset = tsMs): IncidentInput {
  return { uuid, hostId, tsMs, onsetMs: onset, role };
}

test("roles: the rule in the signature decides (cause, possible cause, symptom); otherwise the category", () => {
  const roles = new Map([
    ["cuda_oom_alloc", { role: "cause" as const, priority: 0 }],
    ["nccl_ib_completion_error", { role: "cause" as const, priority: -1 }],
    ["nccl_watchdog_timeout", { role: "symptom" as const, priority: 0 }],
  ]);
  const ev = (category: string, signature: string) => ({ kind: "crash" as const, category, signature });
  assert.equal(incidentRole(ev("cuda_oom", "cuda_oom/cuda_oom_alloc/0123456789ab"), roles), "cause");
  assert.equal(incidentRole(ev("nccl_error", "nccl_error/nccl_ib_completion_error/0123456789ab"), roles), "possible_cause");
  assert.equal(incidentRole(ev("nccl_error", "nccl_error/nccl_watchdog_timeout/0123456789ab"), roles), "symptom");
  // No known rule: the category table (new cause categories of the classifier count as causes).
  assert.equal(incidentRole(ev("python_exception", "python_exception/traceback/0123456789ab"), roles), "cause");
  assert.equal(incidentRole(ev("nccl_error", "custom-sig"), roles), "symptom");
  assert.equal(incidentRole(ev("process_killed", "exit:SIGKILL"), roles), "symptom");
  assert.equal(incidentRole(ev("unknown", "exit:1"), roles), "symptom");
  assert.equal(incidentRole({ kind: "hang", category: "hang_gpu_or_collective", signature: "hang:gpu_or_collective:training" }, roles), "symptom");
  assert.equal(incidentRole({ kind: "hang", category: "hang_io_wait", signature: "hang:io_wait:training" }, roles), "cause");
});

test("roles of the shipped rules: OOM a cause, the NCCL watchdog a symptom, an IB completion error a possible cause", () => {
  assert.equal(incidentRole({ kind: "crash", category: "cuda_oom", signature: "cuda_oom/cuda_oom_alloc/0123456789ab" }), "cause");
  assert.equal(incidentRole({ kind: "crash", category: "nccl_error", signature: "nccl_error/nccl_watchdog_timeout/0123456789ab" }), "symptom");
  assert.equal(incidentRole({ kind: "crash", category: "nccl_error", signature: "nccl_error/nccl_ib_completion_error/0123456789ab" }), "possible_cause");
});

test("onset: a timeout that says how long it waited began that long before it was reported", () => {
  assert.equal(onsetMs(T0, WATCHDOG_LINE), T0 - 600_772);
  assert.equal(onsetMs(T0, "[E ProcessGroupNCCL.cpp:475] [Rank 3] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=9, OpType=BROADCAST, Timeout(ms)=1800000)"), T0 - 1_800_000);
  assert.equal(onsetMs(T0, OOM_LINE), T0);
  assert.equal(onsetMs(T0, IB_LINE), T0);
  assert.equal(onsetMs(T0, "ran for 99999999999 milliseconds before timing out"), T0, "an absurd wait is not trusted");
});

test("grouping: an OOM and the other hosts' timeouts are one incident with the OOM host as origin, whatever came first", () => {
  const oom = input("u-oom", "h1", T0 + 5_000, "cause");
  const t2 = input("u-t2", "h2", T0 + 2_000, "symptom");
  const t3 = input("u-t3", "h3", T0 + 9_000, "symptom");
  for (const order of [[oom, t2, t3], [t3, t2, oom], [t2, oom, t3]]) {
    const out = groupIncidents("job", order, W);
    assert.equal(out.length, 1);
    const i = out[0]!;
    assert.equal(i.originUuid, "u-oom");
    assert.equal(i.originKnown, true);
    assert.equal(i.incidentId, "u-t2", "named after its first member");
    assert.equal(i.startMs, T0 + 2_000);
    assert.equal(i.endMs, T0 + 9_000);
    assert.deepEqual(i.members.map((m) => m.hostId), ["h2", "h1", "h3"]);
  }
});

test("grouping: only symptoms: the earliest is the origin, flagged unknown; a cause beats a possible cause", () => {
  const only = groupIncidents("job", [input("b", "h2", T0 + 10, "symptom"), input("a", "h1", T0 + 20, "symptom")], W);
  assert.equal(only.length, 1);
  assert.equal(only[0]!.originUuid, "b");
  assert.equal(only[0]!.originKnown, false);
  const mixed = groupIncidents("job", [input("ib", "h2", T0, "possible_cause"), input("oom", "h1", T0 + 1_000, "cause"), input("x", "h3", T0 + 2_000, "cause")], W);
  assert.equal(mixed[0]!.originUuid, "oom", "the earliest of the strongest role");
  const ibOnly = groupIncidents("job", [input("t", "h1", T0, "symptom"), input("ib", "h2", T0 + 1, "possible_cause")], W);
  assert.equal(ibOnly[0]!.originUuid, "ib");
  assert.equal(ibOnly[0]!.originKnown, true);
});

test("grouping: the window (onsets), and a host's second death starts a new incident", () => {
  // A watchdog timeout reported 10 minutes after the OOM began when the OOM did: same incident.
  const late = groupIncidents("job", [input("oom", "h1", T0, "cause"), input("t", "h2", T0 + 10 * MIN + 800, "symptom", onsetMs(T0 + 10 * MIN + 800, WATCHDOG_LINE))], W);
  assert.equal(late.length, 1);
  // Without the stated wait it would be too late.
  assert.equal(groupIncidents("job", [input("oom", "h1", T0, "cause"), input("t", "h2", T0 + 10 * MIN, "symptom")], W).length, 2);
  // Exactly the window joins; one ms more does not.
  assert.equal(groupIncidents("job", [input("a", "h1", T0, "cause"), input("b", "h2", T0 + W, "symptom")], W).length, 1);
  assert.equal(groupIncidents("job", [input("a", "h1", T0, "cause"), input("b", "h2", T0 + W + 1, "symptom")], W).length, 2);
  // h1 dies, is restarted, dies again within the window: two incidents; h2's timeout after it joins the second.
  const again = groupIncidents("job", [input("a", "h1", T0, "cause"), input("b", "h1", T0 + MIN, "cause"), input("c", "h2", T0 + 2 * MIN, "symptom")], W);
  assert.deepEqual(again.map((i) => i.members.map((m) => m.uuid)), [["a"], ["b", "c"]]);
  assert.deepEqual(groupIncidents("job", [], W), []);
});

test("grouping is a function of the set: any order gives the same incidents", () => {
  const arb = fc.array(
    fc.record({
      host: fc.constantFrom("h1", "h2", "h3", "h4"),
      at: fc.integer({ min: 0, max: 30 * MIN }),
      role: fc.constantFrom("cause" as const, "possible_cause" as const, "symptom" as const),
    }),
    { maxLength: 25 },
  );
  fc.assert(
    fc.property(arb, fc.integer(), (specs, seed) => {
      const inputs = specs.map((s, i) => input(`u${String(i).padStart(3, "0")}`, s.host, T0 + s.at, s.role));
      const shuffled = [...inputs].sort((a, b) => ((a.uuid.charCodeAt(3) * 7919 + seed) % 13) - ((b.uuid.charCodeAt(3) * 7919 + seed) % 13));
      const a = groupIncidents("job", inputs, W);
      assert.deepEqual(groupIncidents("job", shuffled, W), a);
      // Every failure is in exactly one incident, and no incident holds a host twice.
      assert.equal(a.flatMap((i) => i.members).length, inputs.length);
      for (const i of a) assert.equal(new Set(i.members.map((m) => m.hostId)).size, i.members.length);
    }),
    { numRuns: 300 },
  );
});

// ---- stored incidents, through Ingest and a real SQLite database ----

function tempDb(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-incidents-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, "controller.db");
}

function crash(uuid: string, hostId: string, tsMs: number, p: Partial<AgentEvent> & { line?: string } = {}): AgentEvent {
  const { line, ...rest } = p;
  const category = rest.category ?? "cuda_oom";
  return {
    uuid,
    tsMs,
    hostId,
    jobId: "job-a",
    kind: "crash",
    category,
    signature: category === "cuda_oom" ? "cuda_oom/cuda_oom_alloc/0123456789ab" : "nccl_error/nccl_watchdog_timeout/0123456789ab",
    message: `daemon crashed: ${category}`,
    detailsJson: "",
    exitCode: 1,
    signal: "",
    crash: { firstFatalLine: line ?? (category === "cuda_oom" ? OOM_LINE : WATCHDOG_LINE), excerpt: "", suggestion: "lower the batch size", logFile: "logs/train.log" },
    ...rest,
  };
}

const timeout = (uuid: string, hostId: string, tsMs: number, p: Partial<AgentEvent> & { line?: string } = {}) => crash(uuid, hostId, tsMs, { category: "nccl_error", ...p });

function open(file: string, windowMs = W) {
  const store = Store.open(file);
  for (const h of ["h1", "h2", "h3", "h4"]) store.hosts.ensure(h, "job-a", T0);
  const ingest = new Ingest(store, silentLogger, { clock: () => T0 + 60 * MIN, incidentWindowMs: windowMs });
  const put = (evs: AgentEvent[]) => {
    for (const ev of evs) ingest.event(ev, (err) => assert.equal(err, null));
    ingest.flush();
  };
  return { store, ingest, put };
}

test("ingest: one incident for an OOM and two NCCL timeouts reported before it; replays change nothing", (t) => {
  const { store, put } = open(tempDb(t));
  t.after(() => store.close());
  const oomAt = T0;
  // The timeouts are reported 10 minutes later and arrive first; the OOM host's report comes last.
  put([timeout("t2", "h2", oomAt + 10 * MIN + 900), timeout("t3", "h3", oomAt + 10 * MIN + 1_200)]);
  let incidents = store.incidents.query({ jobId: "job-a" }, T0 + 60 * MIN);
  assert.equal(incidents.length, 1);
  assert.equal(incidents[0]!.originKnown, false, "only symptoms so far");
  put([crash("oom", "h1", oomAt + 3_000)]);
  incidents = store.incidents.query({ jobId: "job-a" }, T0 + 60 * MIN);
  assert.equal(incidents.length, 1);
  const i = incidents[0]!;
  assert.equal(i.originKnown, true);
  assert.deepEqual([i.origin.hostId, i.origin.category, i.origin.role, i.origin.firstFatalLine], ["h1", "cuda_oom", "cause", OOM_LINE]);
  assert.deepEqual(i.others.map((m) => [m.hostId, m.category, m.role]), [["h2", "nccl_error", "symptom"], ["h3", "nccl_error", "symptom"]]);
  assert.equal(i.open, false, "its window has passed on the controller's clock");
  assert.equal(store.incidents.query({ jobId: "job-a" }, i.startMs + 1_000)[0]!.open, true);

  // The agents' spools resend everything: nothing changes.
  const before = JSON.stringify(store.incidents.query({}, T0));
  put([crash("oom", "h1", oomAt + 3_000), timeout("t2", "h2", oomAt + 10 * MIN + 900), timeout("t3", "h3", oomAt + 10 * MIN + 1_200)]);
  assert.equal(JSON.stringify(store.incidents.query({}, T0)), before);

  // Filters: host, category, since, job.
  assert.equal(store.incidents.query({ hostId: "h3" }, T0).length, 1);
  assert.equal(store.incidents.query({ hostId: "h4" }, T0).length, 0);
  assert.equal(store.incidents.query({ category: "cuda_oom" }, T0).length, 1);
  assert.equal(store.incidents.query({ category: "disk_full" }, T0).length, 0);
  assert.equal(store.incidents.query({ sinceMs: oomAt + 11 * MIN }, T0).length, 0);
  assert.equal(store.incidents.query({ jobId: "job-b" }, T0).length, 0);
});

test("ingest: incidents stored one event at a time, in any order, equal a regrouping of all crashes from scratch", (t) => {
  const specs = fc.sample(
    fc.array(fc.record({ host: fc.constantFrom("h1", "h2", "h3", "h4"), at: fc.integer({ min: 0, max: 20 * MIN }), oom: fc.boolean() }), { minLength: 1, maxLength: 30 }),
    { numRuns: 40, seed: 42 },
  );
  specs.forEach((events, n) => {
    const file = tempDb(t);
    const evs = events.map((s, i) => (s.oom ? crash : timeout)(`u${n}-${String(i).padStart(3, "0")}`, s.host, T0 + s.at));
    const one = open(file);
    // Reverse arrival order, one transaction each: every report arrives late (joins the incident
    // before, becomes a first member, or forces a regroup).
    for (const ev of [...evs].reverse()) one.put([ev]);
    const incremental = one.store.incidents.query({ limit: 1000 }, T0, 1000);
    one.store.close();
    // A shuffled arrival order, one transaction each: every path of the tracker.
    const three = open(tempDb(t));
    const shuffled = evs.map((e, i) => ({ e, k: (i * 7919 + n * 104729) % 31 })).sort((a, b) => a.k - b.k).map((x) => x.e);
    for (const ev of shuffled) three.put([ev]);
    assert.deepEqual(three.store.incidents.query({ limit: 1000 }, T0, 1000), incremental, `case ${n}: shuffled`);
    three.store.close();
    // A fresh database that gets everything in one batch.
    const file2 = tempDb(t);
    const two = open(file2);
    two.put(evs);
    const batch = two.store.incidents.query({ limit: 1000 }, T0, 1000);
    two.store.close();
    assert.deepEqual(incremental, batch, `case ${n}`);
    // Both equal the definition: groupIncidents over every crash at once.
    const expected = groupIncidents(
      "job-a",
      evs.map((e) => ({ uuid: e.uuid, hostId: e.hostId, tsMs: e.tsMs, onsetMs: onsetMs(e.tsMs, e.crash!.firstFatalLine), role: incidentRole(e) })),
      W,
    );
    assert.deepEqual(
      incremental.map((i) => [i.incidentId, i.origin.uuid, i.originKnown, [i.origin, ...i.others].map((m) => m.uuid).sort()]).sort(),
      expected.map((i) => [i.incidentId, i.originUuid, i.originKnown, i.members.map((m) => m.uuid).sort()]).sort(),
      `case ${n}`,
    );
    assert.equal(incremental.reduce((s, i) => s + 1 + i.others.length, 0), evs.length, "every crash is in one incident");
  });
});

test("ingest: a job failing on 1000 hosts, reports in reverse order: one incident, the OOM its origin, 20 others listed of 999", (t) => {
  const store = Store.open(tempDb(t));
  t.after(() => store.close());
  for (let h = 0; h < 1000; h++) store.hosts.ensure(`n${h}`, "job-big", T0);
  const ingest = new Ingest(store, silentLogger, { clock: () => T0, incidentWindowMs: W });
  const evs = Array.from({ length: 1000 }, (_, h) => ({
    // The OOM at T0; the others' watchdogs fire 600 s into their wait, a few ms apart.
    ...(h === 0 ? crash("big-0000", "n0", T0) : timeout(`big-${String(h).padStart(4, "0")}`, `n${h}`, T0 + 600_772 + h * 10)),
    jobId: "job-big",
  }));
  for (const ev of evs.reverse()) ingest.event(ev, (err) => assert.equal(err, null));
  ingest.flush();
  const [i, ...rest] = store.incidents.query({ jobId: "job-big" }, T0);
  assert.equal(rest.length, 0);
  assert.deepEqual([i!.origin.hostId, i!.origin.category, i!.hostCount, i!.others.length], ["n0", "cuda_oom", 1000, 20]);
  assert.ok(i!.others.every((m) => m.firstFatalLine.length <= 300), "the others' lines are cut");
});

test("ingest: a host without a job id gets no incident; hangs join their job's incident", (t) => {
  const { store, put } = open(tempDb(t));
  t.after(() => store.close());
  put([crash("solo", "h4", T0, { jobId: "" })]);
  assert.equal(store.incidents.query({}, T0).length, 0);
  put([
    crash("oom", "h1", T0),
    {
      ...timeout("hang", "h2", T0 + 30_000, { line: "no progress for 30s; GPU busy at 100% with no step: waiting in a collective" }),
      kind: "hang",
      category: "hang_gpu_or_collective",
      signature: "hang:gpu_or_collective:training",
    },
  ]);
  const [i] = store.incidents.query({}, T0);
  assert.equal(i!.origin.hostId, "h1");
  assert.deepEqual(i!.others.map((m) => [m.hostId, m.kind, m.role]), [["h2", "hang", "symptom"]]);
});

test("hang kinds: a trainer stuck at start-up is the origin over NCCL timeouts but not over an OOM; a sleeping trainer is a cause", (t) => {
  const hang = (uuid: string, hostId: string, tsMs: number, kind: string, line: string): AgentEvent => ({
    ...crash(uuid, hostId, tsMs, { line }),
    kind: "hang",
    category: `hang_${kind}`,
    signature: `hang:${kind}:${kind === "startup" ? "startup" : "training"}`,
  });
  const role = (kind: string) => incidentRole({ kind: "hang", category: `hang_${kind}`, signature: `hang:${kind}:training` }, new Map());
  assert.equal(role("startup"), "possible_cause");
  assert.equal(role("sleeping"), "cause");
  for (const k of ["io_wait", "cpu_spin", "deadlock"]) assert.equal(role(k), "cause", k);
  for (const k of ["gpu_or_collective", "unknown"]) assert.equal(role(k), "symptom", k);

  // The line the supervisor writes first for a startup hang: it began when the daemon started.
  const stuck = "no step was ever seen in 10m since the daemon started (startup grace 10m); sources tried: status file status/training_status.json: missing";
  assert.equal(onsetMs(T0 + 10 * MIN + 5_000, stuck), T0 + 5_000);
  assert.equal(onsetMs(T0 + 65 * MIN, stuck.replace("in 10m", "in 1h05m")), T0);
  assert.equal(onsetMs(T0 + 12_500, stuck.replace("in 10m", "in 12.5s")), T0);
  assert.equal(onsetMs(T0, "no progress for 20m; GPU busy at 100% with no step"), T0, "other hangs: the report time");

  // Launched together at T0: h1 never reaches its first step; h2 and h3 time out in NCCL after 10
  // minutes (the watchdog line says it waited 600772 ms) and report before h1's grace runs out.
  const a = open(tempDb(t));
  t.after(() => a.store.close());
  a.put([timeout("t2", "h2", T0 + 601_000), timeout("t3", "h3", T0 + 602_000), hang("start", "h1", T0 + 10 * MIN + 5_000, "startup", stuck)]);
  const incidentsA = a.store.incidents.query({ jobId: "job-a" }, T0);
  assert.equal(incidentsA.length, 1, "one incident: the startup hang began with the launch");
  assert.equal(incidentsA[0]!.originKnown, true);
  assert.deepEqual([incidentsA[0]!.origin.hostId, incidentsA[0]!.origin.category, incidentsA[0]!.origin.role], ["h1", "hang_startup", "possible_cause"]);

  // The same, but h4 ran out of memory while loading: h1 may have waited for h4 in init_process_group.
  const b = open(tempDb(t));
  t.after(() => b.store.close());
  b.put([hang("start", "h1", T0 + 10 * MIN + 5_000, "startup", stuck), timeout("t2", "h2", T0 + 601_000), crash("oom", "h4", T0 + 40_000)]);
  const [two] = b.store.incidents.query({ jobId: "job-a" }, T0);
  assert.deepEqual([two!.origin.hostId, two!.origin.role], ["h4", "cause"]);
  assert.deepEqual(two!.others.map((m) => [m.hostId, m.role]).sort(), [["h1", "possible_cause"], ["h2", "symptom"]]);

  // A trainer polling in time.sleep on h3 holds the others in their collective: it is the cause.
  const c = open(tempDb(t));
  t.after(() => c.store.close());
  c.put([
    hang("coll", "h1", T0 + 5_000, "gpu_or_collective", "no progress for 20m; GPU busy at 100% with no step"),
    hang("sleep", "h3", T0 + 10_000, "sleeping", "every process sleeps in hrtimer_nanosleep; CPU still"),
  ]);
  const [three] = c.store.incidents.query({ jobId: "job-a" }, T0);
  assert.deepEqual([three!.origin.hostId, three!.origin.category, three!.origin.role], ["h3", "hang_sleeping", "cause"]);
});

test("a database from before incidents, or grouped with another window, is regrouped when the controller starts", (t) => {
  const file = tempDb(t);
  const first = open(file);
  first.put([crash("oom", "h1", T0), timeout("t2", "h2", T0 + 2 * MIN, { line: "DistBackendError: NCCL error in: ProcessGroupNCCL.cpp:1970, remote process exited or there was a network error" })]);
  assert.equal(first.store.incidents.query({}, T0).length, 1);
  // As if written by a trainsafe without incidents: the crashes stay, the incidents go.
  first.store.db.exec("DELETE FROM incidents");
  first.store.close();

  const second = open(file);
  let incidents = second.store.incidents.query({}, T0);
  assert.equal(incidents.length, 1, "grouped again at start");
  assert.equal(incidents[0]!.origin.uuid, "oom");
  second.store.close();

  // A window of 1 minute (the setting changed): the timeout 2 minutes later is now its own incident.
  const third = open(file, MIN);
  incidents = third.store.incidents.query({}, T0);
  assert.deepEqual(incidents.map((i) => [i.origin.uuid, i.originKnown, i.windowMs]), [["t2", false, MIN], ["oom", true, MIN]]);
  third.store.close();
});

test("settings: incidents.window (default 5 minutes) with units; zero or nonsense names the field", () => {
  assert.equal(resolveControllerConfig({}).incidents.windowMs, 5 * MIN);
  assert.equal(resolveControllerConfig({ incidents: { window: "15m" } }).incidents.windowMs, 15 * MIN);
  assert.throws(() => resolveControllerConfig({ incidents: { window: "0s" } }, { source: "c.json" }), /c\.json.*incidents\.window.*positive/);
  assert.throws(() => resolveControllerConfig({ incidents: { window: "soon" } }, { source: "c.json" }), /incidents\.window/);
  assert.throws(() => resolveControllerConfig({ incidents: { windw: "1m" } }, { source: "c.json" }), /incidents/);
});
