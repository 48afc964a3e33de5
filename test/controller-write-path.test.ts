/**
 * The controller's cheaper write path (issue 12): a host's last_seen_ms written at most once a
 * second by event commits (and never further behind than that), each host's job id answered from
 * memory with the same answers as the table, and the WAL checkpointed outside the commits by a worker
 * thread (off the event loop) with SQLite's own checkpoint as its bound. Real SQLite files throughout.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AgentEvent } from "../controller/domain.js";
import { Ingest, TOUCH_COALESCE_MS } from "../controller/ingest.js";
import { silentLogger } from "../controller/log.js";
import { WalCheckpointer } from "../controller/store/checkpointer.js";
import { WAL_BACKSTOP_PAGES } from "../controller/store/db.js";
import { Store } from "../controller/store/index.js";

const T0 = 1_800_000_000_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function tempFile(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-writes-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, "c.db");
}

function event(hostId: string, n: number, tsMs: number): AgentEvent {
  return {
    uuid: `ev-${hostId}-${n}`,
    tsMs,
    hostId,
    jobId: "job-1",
    kind: "info",
    category: "",
    signature: "",
    message: `event ${n}`,
    detailsJson: "",
    exitCode: null,
    signal: "",
    crash: null,
  };
}

function commitEvent(ingest: Ingest, ev: AgentEvent): void {
  let result: Error | null | undefined;
  ingest.event(ev, (err) => (result = err));
  ingest.flush();
  assert.equal(result, null, "the event was committed");
}

test("event commits keep last_seen_ms within TOUCH_COALESCE_MS of a host's last event, writing it about once a second", (t) => {
  const store = Store.open(tempFile(t));
  t.after(() => store.close());
  let now = T0;
  store.hosts.ensure("h1", "job-1", now);
  store.hosts.ensure("h2", "job-1", now);
  const ingest = new Ingest(store, silentLogger, { clock: () => now });
  const lastSeen = (h: string) => store.hosts.get(h)!.lastSeenMs;
  let writes = 0;
  let prev = lastSeen("h1");
  // Events every 130 ms for 10 s (plus some at the same instant): the stored value is never more
  // than TOUCH_COALESCE_MS behind the newest event, and changes about once a second, not 77 times.
  for (let n = 0; n < 80; n++) {
    now = T0 + 100 + n * 130;
    commitEvent(ingest, event("h1", n, now));
    if (n % 7 === 0) commitEvent(ingest, event("h1", 1000 + n, now));
    const seen = lastSeen("h1");
    assert.ok(seen <= now && now - seen < TOUCH_COALESCE_MS, `event at +${now - T0}: last_seen +${seen - T0}`);
    if (seen !== prev) writes++;
    prev = seen;
  }
  assert.ok(writes >= 9 && writes <= 12, `last_seen_ms written ${writes} times in 10.4 s`);
  // Another host is not held back by h1's recent write.
  commitEvent(ingest, event("h2", 0, now));
  assert.equal(lastSeen("h2"), now);
  // A clock that went back writes (max() keeps the newer value), and a gap of a second writes.
  now += TOUCH_COALESCE_MS;
  commitEvent(ingest, event("h1", 500, now));
  assert.equal(lastSeen("h1"), now);
});

test("a rolled-back commit does not leave its last_seen_ms write remembered", (t) => {
  const store = Store.open(tempFile(t));
  t.after(() => store.close());
  let now = T0;
  store.hosts.ensure("h1", "job-1", now);
  const ingest = new Ingest(store, silentLogger, { clock: () => now });
  commitEvent(ingest, event("h1", 0, now));
  assert.equal(store.hosts.get("h1")!.lastSeenMs, T0);
  // The next batch fails (the events table refuses inserts), so its touch is rolled back with it.
  store.db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'refused'); END`);
  now = T0 + 2_000;
  let result: Error | null | undefined;
  ingest.event(event("h1", 1, now), (err) => (result = err));
  ingest.flush();
  assert.ok(result instanceof Error, "the event failed");
  assert.equal(store.hosts.get("h1")!.lastSeenMs, T0, "nothing of the failed commit stayed");
  store.db.exec(`DROP TRIGGER refuse`);
  // Within a second of the rolled-back write: written all the same, since that write never happened.
  now = T0 + 2_300;
  commitEvent(ingest, event("h1", 2, now));
  assert.equal(store.hosts.get("h1")!.lastSeenMs, T0 + 2_300);
});

test("jobOf answers from memory what the table holds: hellos that move a host, bare rows from a restart request, rolled-back rows", (t) => {
  const file = tempFile(t);
  const store = Store.open(file);
  t.after(() => store.close());
  const hello = (hostId: string, jobId: string) => ({ hostId, jobId, agentVersion: "1", capabilities: [], baseDir: "/b" });
  const stored = (h: string) => (store.db.prepare("SELECT job_id FROM hosts WHERE host_id = ?").pluck().get(h) as string | undefined) ?? null;
  assert.equal(store.hosts.jobOf("h1"), null);
  store.hosts.upsertHello(hello("h1", "job-a"), T0);
  assert.equal(store.hosts.jobOf("h1"), "job-a");
  store.hosts.upsertHello(hello("h1", "job-b"), T0 + 1);
  assert.equal(store.hosts.jobOf("h1"), "job-b");
  assert.equal(stored("h1"), "job-b");
  // ensure() of a known host changes nothing (its row exists); of an unknown one, creates the row.
  store.hosts.ensure("h1", "job-z", T0 + 2);
  assert.equal(store.hosts.jobOf("h1"), "job-b");
  store.hosts.ensure("h2", "job-c", T0 + 2);
  assert.equal(store.hosts.jobOf("h2"), "job-c");
  // A row inserted in a transaction that rolls back is neither cached nor skipped later.
  assert.throws(() =>
    store.immediate(() => {
      store.hosts.ensure("h3", "job-d", T0 + 3);
      assert.equal(store.hosts.jobOf("h3"), "job-d");
      store.hosts.upsertHello(hello("h4", "job-e"), T0 + 3);
      throw new Error("roll back");
    }),
  );
  assert.equal(store.hosts.jobOf("h3"), null);
  assert.equal(store.hosts.jobOf("h4"), null);
  store.hosts.ensure("h3", "job-f", T0 + 4);
  assert.equal(stored("h3"), "job-f");
  assert.equal(store.hosts.jobOf("h3"), "job-f");
  // A fresh store over the same file gives the same answers.
  const again = Store.open(file);
  t.after(() => again.close());
  for (const h of ["h1", "h2", "h3", "h4"]) assert.equal(again.hosts.jobOf(h), store.hosts.jobOf(h), h);
});

function walPages(file: string): number {
  const size = fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0;
  return Math.max(0, Math.ceil((size - 32) / (4096 + 24)));
}

test("the checkpoint worker copies the WAL into the database between commits, and the WAL stops growing", async (t) => {
  const file = tempFile(t);
  const store = Store.open(file, { checkpointIntervalMs: 50 });
  t.after(() => store.close());
  assert.equal(store.db.pragma("wal_autocheckpoint", { simple: true }), WAL_BACKSTOP_PAGES);
  store.hosts.ensure("h1", "job-1", T0);
  const ingest = new Ingest(store, silentLogger, { clock: () => T0 });
  const sizes: number[] = [];
  for (let round = 0; round < 4; round++) {
    for (let n = 0; n < 300; n++) commitEvent(ingest, event("h1", round * 1000 + n, T0 + n));
    await sleep(150);
    // The worker ran: every frame of the WAL is already in the database file.
    const r = store.checkpoint()!;
    assert.equal(r.checkpointed, r.walFrames, `round ${round}: ${JSON.stringify(r)}`);
    sizes.push(walPages(file));
  }
  // Each round starts the WAL over: it stays near one round's size, where without a checkpoint it
  // would hold four rounds' worth. The file keeps its high-water mark, and the worker may run mid-round
  // (then a round's WAL is smaller: 738 pages against 1584 under load), so one round's size is the
  // larger of the first two.
  const round = Math.max(sizes[0]!, sizes[1]!);
  assert.ok(sizes[3]! <= sizes[1]! + 16 && sizes[3]! < 1.5 * round, `WAL pages per round: ${sizes.join(", ")}`);
  assert.equal(store.db.prepare("SELECT count(*) FROM events").pluck().get(), 1200);
});

test("the WAL is checkpointed by a worker thread: while this thread never yields, the database file still receives the WAL's pages", async (t) => {
  const file = tempFile(t);
  const store = Store.open(file, { checkpointIntervalMs: 20 });
  t.after(() => store.close());
  assert.ok(store.checkpointer, "a checkpoint worker runs");
  let onThisThread = 0;
  const own = store.checkpoint.bind(store);
  store.checkpoint = () => {
    onThisThread++;
    return own();
  };
  store.hosts.ensure("h1", "job-1", T0);
  const ingest = new Ingest(store, silentLogger, { clock: () => T0 });
  const started = performance.now();
  while (store.checkpointer!.runs === 0 && performance.now() - started < 10_000) await sleep(10);
  assert.ok(store.checkpointer!.runs > 0, "the worker checkpointed");
  const size0 = fs.statSync(file).size;
  // Commits only append to the WAL (far below SQLite's own checkpoint at WAL_BACKSTOP_PAGES); only a
  // checkpoint writes the database file. This thread now runs no timer and reads no message.
  for (let n = 0; n < 200; n++) commitEvent(ingest, event("h1", n, T0 + n));
  assert.ok(walPages(file) < WAL_BACKSTOP_PAGES / 2);
  const t0 = performance.now();
  let grew = false;
  while (!grew && performance.now() - t0 < 5_000) grew = fs.statSync(file).size > size0;
  assert.ok(grew, "the database file grew while this thread was busy: another thread checkpointed");
  await sleep(100);
  assert.equal(onThisThread, 0, "no checkpoint on the event loop's thread");
  assert.ok(store.checkpointer!.last && store.checkpointer!.last.walFrames >= 0);
});

test("closing the store closes the worker's connection first: the store's own close removes the WAL, and nothing is lost", async (t) => {
  const file = tempFile(t);
  const store = Store.open(file, { checkpointIntervalMs: 20 });
  store.hosts.ensure("h1", "job-1", T0);
  const ingest = new Ingest(store, silentLogger, { clock: () => T0 });
  for (let n = 0; n < 50; n++) commitEvent(ingest, event("h1", n, T0 + n));
  await sleep(60);
  for (let n = 50; n < 100; n++) commitEvent(ingest, event("h1", n, T0 + n));
  store.close();
  assert.equal(fs.existsSync(`${file}-wal`), false, "the last connection checkpointed and removed the WAL");
  const again = Store.open(file);
  t.after(() => again.close());
  assert.equal(again.events.count(), 100);
});

test("a checkpoint worker that cannot open its file says so (the Store then checkpoints from a timer)", async (t) => {
  const missing = path.join(path.dirname(tempFile(t)), "missing.db");
  const reasons: string[] = [];
  const c = new WalCheckpointer(missing, 20, (r) => reasons.push(r));
  t.after(() => c.close());
  const t0 = performance.now();
  while (reasons.length === 0 && performance.now() - t0 < 10_000) await sleep(10);
  assert.equal(reasons.length, 1);
  assert.match(reasons[0]!, /unable to open|no such file|does not exist/i);
  assert.equal(c.runs, 0);
});

test("checkpointInWorker false checkpoints from a timer on this thread", async (t) => {
  const file = tempFile(t);
  const store = Store.open(file, { checkpointIntervalMs: 20, checkpointInWorker: false });
  t.after(() => store.close());
  assert.equal(store.checkpointer, null);
  let onThisThread = 0;
  const own = store.checkpoint.bind(store);
  store.checkpoint = () => {
    onThisThread++;
    return own();
  };
  await sleep(100);
  assert.ok(onThisThread > 0);
});

test("with the worker's checkpoints held off, SQLite's own checkpoint still bounds the WAL at WAL_BACKSTOP_PAGES", (t) => {
  const file = tempFile(t);
  // An hour: the worker never checkpoints here, as when writes outrun it.
  const store = Store.open(file, { checkpointIntervalMs: 3_600_000 });
  t.after(() => store.close());
  const insert = store.db.prepare("INSERT INTO hosts (host_id, job_id, first_seen_ms, last_seen_ms, gpus_json) VALUES (?, 'job-1', 0, 0, ?)");
  const pad = "x".repeat(3000);
  let maxPages = 0;
  for (let n = 0; n < WAL_BACKSTOP_PAGES + 3_000; n++) {
    insert.run(`host-${n}`, pad);
    if (n % 500 === 0) maxPages = Math.max(maxPages, walPages(file));
  }
  maxPages = Math.max(maxPages, walPages(file));
  assert.ok(maxPages > 1_000, `the WAL grew past SQLite's default bound (${maxPages} pages)`);
  assert.ok(maxPages <= WAL_BACKSTOP_PAGES + 64, `WAL pages at most ${maxPages}`);
});

test("checkpointIntervalMs 0 leaves SQLite's default checkpoint (every 1,000 pages) and no timer", (t) => {
  const store = Store.open(tempFile(t), { checkpointIntervalMs: 0 });
  t.after(() => store.close());
  assert.equal(store.db.pragma("wal_autocheckpoint", { simple: true }), 1000);
});
