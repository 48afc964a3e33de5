/**
 * The incident tracker keeps each job's last incident in memory (issue 12: a burst's crashes no
 * longer read it back one by one). What it stores must stay exactly what the store-only tracker
 * stored: the same rows, keys included, whether its memory is warm (one Ingest for every event) or
 * cold (a fresh Ingest per event reads everything from the store), and equal to groupIncidents over
 * every crash. A rolled-back transaction must not leave its writes in that memory.
 * Real SQLite through the controller's own Ingest.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import type { AgentEvent } from "../controller/domain.js";
import { groupIncidents, incidentRole, onsetMs } from "../controller/incidents.js";
import { Ingest } from "../controller/ingest.js";
import { silentLogger } from "../controller/log.js";
import { Store } from "../controller/store/index.js";

const T0 = 1_800_000_000_000;
const MIN = 60_000;
const W = 5 * MIN;
const HOSTS = ["h1", "h2", "h3", "h4"];
const OOM_LINE = "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.";
const WATCHDOG_LINE =
  "[rank1]:[E ProcessGroupNCCL.cpp:523] [Rank 1] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=44, OpType=ALLREDUCE, Timeout(ms)=600000) ran for 600772 milliseconds before timing out.";

function tempStore(t: { after(fn: () => void): void }): Store {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-incident-memory-"));
  const store = Store.open(path.join(dir, "controller.db"));
  t.after(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  for (const h of HOSTS) store.hosts.ensure(h, "job-a", T0);
  return store;
}

/** oom: a cause; false: an NCCL watchdog timeout (a symptom whose onset lies 10 minutes back); "plain": a symptom reported when it began. */
function crash(uuid: string, hostId: string, tsMs: number, oom: boolean | "plain"): AgentEvent {
  const line = oom === "plain" ? "NCCL error: unhandled system error" : oom ? OOM_LINE : WATCHDOG_LINE;
  return {
    uuid,
    tsMs,
    hostId,
    jobId: "job-a",
    kind: "crash",
    category: oom === true ? "cuda_oom" : "nccl_error",
    signature: oom === true ? "cuda_oom/cuda_oom_alloc/0123456789ab" : "nccl_error/nccl_watchdog_timeout/0123456789ab",
    message: "daemon crashed",
    detailsJson: "",
    exitCode: 1,
    signal: "",
    crash: { firstFatalLine: line, excerpt: "", suggestion: "", logFile: "logs/train.log" },
  };
}

/** Every incident and member row, keys included. */
function rows(store: Store): unknown {
  return {
    incidents: store.db.prepare(`SELECT * FROM incidents ORDER BY incident_key`).all(),
    members: store.db.prepare(`SELECT * FROM incident_members ORDER BY uuid`).all(),
  };
}

function ingestOf(store: Store): Ingest {
  return new Ingest(store, silentLogger, { clock: () => T0 + 600 * MIN, incidentWindowMs: W });
}

function put(ingest: Ingest, evs: AgentEvent[]): Array<Error | null> {
  const results: Array<Error | null> = [];
  for (const ev of evs) ingest.event(ev, (err) => results.push(err));
  ingest.flush();
  return results;
}

/** groupIncidents over every stored crash: [incident id, origin, sorted member uuids]. */
function expected(evs: AgentEvent[]): unknown {
  const inputs = evs.map((e) => ({ uuid: e.uuid, hostId: e.hostId, tsMs: e.tsMs, onsetMs: onsetMs(e.tsMs, e.crash!.firstFatalLine), role: incidentRole(e) }));
  return groupIncidents("job-a", inputs, W)
    .map((i) => [i.incidentId, i.originUuid, i.originKnown, i.members.map((m) => m.uuid).sort()])
    .sort();
}

function stored(store: Store): unknown {
  return store.incidents
    .query({ limit: 10_000 }, T0, 10_000)
    .map((i) => [i.incidentId, i.origin.uuid, i.originKnown, [i.origin, ...i.others].map((m) => m.uuid).sort()])
    .sort();
}

test("crash loops and late reports: the tracker with its memory stores the same rows as one that reads everything back, and what groupIncidents gives", (t) => {
  // Mostly in time order, as a running fleet reports: hosts fail again and again (a crash loop
  // starts a new incident at each of its host's deaths), a few reports arrive late (an NCCL timeout
  // whose onset lies 10 minutes back, a report from a spool replayed after minutes).
  const arb = fc.array(
    fc.record({
      host: fc.constantFrom(...HOSTS),
      stepMs: fc.integer({ min: 0, max: 90_000 }),
      lateMs: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 3 * MIN }), fc.integer({ min: 0, max: 12 * MIN })),
      oom: fc.constantFrom<boolean | "plain">(true, false, "plain", "plain"),
    }),
    { minLength: 1, maxLength: 40 },
  );
  fc.sample(arb, { numRuns: 60, seed: 1212 }).forEach((specs, n) => {
    let at = T0;
    const evs = specs.map((s, i) => {
      at += s.stepMs;
      return crash(`u${n}-${String(i).padStart(3, "0")}`, s.host, at - s.lateMs, s.oom);
    });
    const warm = tempStore(t);
    const cold = tempStore(t);
    const warmIngest = ingestOf(warm);
    for (const ev of evs) {
      assert.deepEqual(put(warmIngest, [ev]), [null]);
      // A fresh tracker per event: nothing in memory, every case read from the store.
      assert.deepEqual(put(ingestOf(cold), [ev]), [null]);
    }
    assert.deepEqual(rows(warm), rows(cold), `case ${n}: rows, keys included`);
    assert.deepEqual(stored(warm), expected(evs), `case ${n}: the definition`);
    // The same events in bursts (one transaction each), as the controller commits them.
    const bursts = tempStore(t);
    const burstIngest = ingestOf(bursts);
    for (let i = 0; i < evs.length; i += 7) assert.ok(put(burstIngest, evs.slice(i, i + 7)).every((e) => e === null));
    assert.deepEqual(stored(bursts), expected(evs), `case ${n}: in bursts`);
  });
});

test("a batch that rolls back leaves nothing of its writes in the tracker's memory", (t) => {
  const store = tempStore(t);
  const ingest = ingestOf(store);
  // h1's crash starts the job's first incident (kept in memory), then the batch fails (an event from
  // a host the store has never seen breaks its foreign key) and rolls back; the ingest retries the
  // items one by one. Had the memory kept the rolled-back incident, the retry would look for its
  // members in the store, find none, and fail.
  const first = crash("c1", "h1", T0, true);
  const ghost = crash("g1", "ghost", T0 + 500, true);
  const results = put(ingest, [first, ghost]);
  assert.equal(results[0], null, "h1's crash is stored on the retry");
  assert.match(String(results[1]), /FOREIGN KEY/);
  assert.deepEqual(stored(store), expected([first]));
  // Joins after a rollback: the incident read back from the store.
  const joins = crash("c2", "h2", T0 + 1_000, true);
  assert.deepEqual(put(ingest, [joins, crash("g2", "ghost", T0 + 1_500, true)])[0], null);
  const again = crash("c3", "h3", T0 + 3_000, "plain");
  assert.deepEqual(put(ingest, [again]), [null]);
  assert.deepEqual(stored(store), expected([first, joins, again]));
  const one = store.incidents.query({ limit: 10 }, T0)[0]!;
  assert.equal(one.hostCount, 3);
  assert.equal(one.origin.uuid, "c1");
});
