import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { TrainsafeError } from "../agent/lib/errors.js";
import { loadControllerConfig, resolveControllerConfig } from "../controller/config.js";
import { RestartGrants } from "../controller/grants.js";
import { silentLogger } from "../controller/log.js";
import { TelemetryPruner } from "../controller/pruner.js";
import { MIGRATIONS, SCHEMA_VERSION } from "../controller/store/migrations.js";
import { Store } from "../controller/store/index.js";
import type { AgentEvent, TelemetrySample } from "../controller/domain.js";

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-store-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const T0 = 1_800_000_000_000;

function event(p: Partial<AgentEvent> = {}): AgentEvent {
  return {
    uuid: `uuid-${Math.random().toString(36).slice(2, 12)}`,
    tsMs: T0,
    hostId: "h1",
    jobId: "",
    kind: "info",
    category: "",
    signature: "",
    message: "m",
    detailsJson: "",
    exitCode: null,
    signal: "",
    crash: null,
    ...p,
  };
}

test("a new database is migrated to the current schema with WAL, foreign keys and NORMAL sync", (t) => {
  const file = path.join(tempDir(t), "state", "controller.db");
  const store = Store.open(file);
  t.after(() => store.close());
  assert.equal(store.db.pragma("user_version", { simple: true }), SCHEMA_VERSION);
  assert.equal(store.db.pragma("journal_mode", { simple: true }), "wal");
  assert.equal(store.db.pragma("foreign_keys", { simple: true }), 1);
  assert.equal(store.db.pragma("synchronous", { simple: true }), 1);
  const tables = (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
  assert.deepEqual(tables, ["breakers", "crashes", "events", "health_runs", "hosts", "incident_members", "incidents", "restart_decisions", "telemetry"]);
});

test("schema 3 (issue 12): a version-2 database keeps its rows; local restarts and grants are read through indexes that hold only those rows", (t) => {
  const file = path.join(tempDir(t), "controller.db");
  const raw = new Database(file);
  raw.exec(MIGRATIONS[0]!);
  raw.exec(MIGRATIONS[1]!);
  raw.pragma("user_version = 2");
  raw.prepare("INSERT INTO hosts (host_id, job_id, first_seen_ms, last_seen_ms) VALUES ('h1', 'job-a', 0, 0)").run();
  const ev = raw.prepare(
    `INSERT INTO events (uuid, host_id, job_id, ts_ms, received_ms, kind, category, signature, message, details_json, exit_code, signal)
     VALUES (?, 'h1', 'job-a', ?, 0, ?, '', '', 'm', '', NULL, '')`,
  );
  ev.run("e1", T0, "local_restart");
  ev.run("e2", T0 + 1, "info");
  ev.run("e3", T0 + 2, "local_restart");
  raw.close();
  const store = Store.open(file);
  t.after(() => store.close());
  assert.equal(store.db.pragma("user_version", { simple: true }), SCHEMA_VERSION);
  assert.deepEqual(store.events.localRestartTimes("h1", 10), [T0 + 2, T0]);
  assert.equal(store.events.count(), 3);
  assert.equal(store.events.count("h1"), 3);
  assert.equal(store.events.count("h2"), 0);
  const plan = (sql: string, ...args: unknown[]) =>
    (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>).map((r) => r.detail).join(" | ");
  assert.match(plan("SELECT ts_ms FROM events WHERE host_id = ? AND kind = 'local_restart' ORDER BY ts_ms DESC LIMIT ?", "h1", 64), /events_local_restart_host_ts/);
  assert.match(plan("SELECT decision_id FROM restart_decisions WHERE host_id = ? AND allow = 1 ORDER BY decided_ms DESC LIMIT ?", "h1", 64), /decisions_grant_host_ts/);
  assert.match(
    plan("SELECT decision_id FROM restart_decisions WHERE job_id = ? AND job_id != '' AND decided_ms > ? AND allow = 1 AND coalesced = 0", "job-a", 0),
    /decisions_fresh_job_ts/,
  );
  const indexes = (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
  for (const gone of ["events_host_ts", "events_host_kind_ts", "decisions_host_ts", "decisions_job_ts"]) assert.ok(!indexes.includes(gone), gone);
});

test("a database written by a newer trainsafe is refused with a clear error, and left untouched", (t) => {
  const file = path.join(tempDir(t), "controller.db");
  const raw = new Database(file);
  raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  raw.exec("CREATE TABLE future (x)");
  raw.close();
  assert.throws(
    () => Store.open(file),
    (err: unknown) =>
      err instanceof TrainsafeError &&
      err.kind === "config" &&
      err.message.includes(file) &&
      err.message.includes(`schema version ${SCHEMA_VERSION + 1} is newer than this trainsafe understands (${SCHEMA_VERSION})`),
  );
  const again = new Database(file, { readonly: true });
  assert.equal(again.pragma("user_version", { simple: true }), SCHEMA_VERSION + 1);
  again.close();
});

test("a file that is not a database is a config error naming the file", (t) => {
  const file = path.join(tempDir(t), "controller.db");
  fs.writeFileSync(file, "this is not sqlite ".repeat(100));
  assert.throws(() => Store.open(file), (err: unknown) => err instanceof TrainsafeError && err.kind === "config" && err.message.includes(file));
});

test("storing the same event uuid twice keeps one row; the crash part follows the event", (t) => {
  const store = Store.open(path.join(tempDir(t), "c.db"));
  t.after(() => store.close());
  store.hosts.ensure("h1", "", T0);
  const ev = event({ kind: "crash", category: "cuda_oom", crash: { firstFatalLine: "CUDA out of memory", excerpt: "", suggestion: "lower batch", logFile: "x.log" } });
  assert.equal(store.events.insert(ev, T0), true);
  store.crashes.insert(ev);
  assert.equal(store.events.insert(ev, T0 + 1), false);
  store.crashes.insert(ev);
  assert.equal(store.events.count(), 1);
  const crashes = store.crashes.query({ category: "cuda_oom" });
  assert.equal(crashes.length, 1);
  assert.equal(crashes[0]!.crash?.firstFatalLine, "CUDA out of memory");
  assert.equal(crashes[0]!.receivedMs, T0, "the replay did not overwrite the first copy");
});

test("events of a host the controller never saw are refused by the foreign key", (t) => {
  const store = Store.open(path.join(tempDir(t), "c.db"));
  t.after(() => store.close());
  assert.throws(() => store.events.insert(event({ hostId: "ghost" }), T0), /FOREIGN KEY/);
});

test("a retried restart request (same request_id) gets the stored decision, not a second grant", (t) => {
  const store = Store.open(path.join(tempDir(t), "c.db"));
  t.after(() => store.close());
  const config = resolveControllerConfig({ stateDir: "x" });
  let now = T0;
  const grants = new RestartGrants(store, config.budget, { clock: () => now });
  const ask = { requestId: "req-00000001", hostId: "h1", jobId: "", signature: "s", category: "c", reason: "crash", localRestarts: 0, crashUuid: "" };
  const first = grants.decide(ask);
  now += 1_000;
  const again = grants.decide(ask);
  assert.deepEqual(again, first);
  assert.equal(store.decisions.recent(10).length, 1);
});

function sample(hostId: string, tsMs: number): TelemetrySample {
  return { hostId, tsMs, cpuPct: 1, memUsedBytes: 1, memTotalBytes: 2, diskFreeBytes: 3, gpus: [], step: 1, stepRate: 1, daemonState: "running" };
}

test("telemetry pruning keeps raw samples for the raw window, one per host per minute before, nothing past retention", (t) => {
  const store = Store.open(path.join(tempDir(t), "c.db"));
  t.after(() => store.close());
  const HOUR = 3_600_000;
  const now = T0;
  for (const h of ["a", "b"]) {
    store.hosts.ensure(h, "", now);
    // One sample every 10 s over the last 4 hours.
    store.immediate(() => {
      for (let ts = now - 4 * HOUR; ts < now; ts += 10_000) store.telemetry.insert(sample(h, ts), "[]");
    });
  }
  const pruner = new TelemetryPruner(store, { keepRawMs: HOUR, downsampleMs: 60_000, retentionMs: 3 * HOUR, pruneIntervalMs: 60_000 }, silentLogger, () => now);
  const r = pruner.runOnce(now);
  const rows = store.db.prepare("SELECT host_id, ts_ms FROM telemetry WHERE host_id = 'a' ORDER BY ts_ms").all() as Array<{ ts_ms: number }>;
  assert.ok(rows[0]!.ts_ms >= now - 3 * HOUR, "nothing older than the retention");
  const raw = rows.filter((x) => x.ts_ms >= now - HOUR);
  assert.equal(raw.length, 360, "the last hour is untouched (one per 10 s)");
  const old = rows.filter((x) => x.ts_ms < now - HOUR);
  assert.equal(old.length, 120, "two hours thinned to one sample per minute");
  const minutes = new Set(old.map((x) => Math.floor(x.ts_ms / 60_000)));
  assert.equal(minutes.size, old.length);
  assert.equal(r.expired, 2 * 360);
  assert.equal(store.telemetry.count(), 2 * (360 + 120));
  // Ten minutes later only the newly old range is thinned.
  const later = pruner.runOnce(now + 10 * 60_000);
  assert.equal(later.thinned, 2 * 10 * 5, "10 minutes x 5 of 6 samples per minute x 2 hosts");
});

test("controller settings: defaults, units, and errors naming the file and field", async (t) => {
  const dir = tempDir(t);
  const c = resolveControllerConfig({ budget: { hostWindow: "2m", fleetMaxRestarts: 7 }, maxMessageSize: "1MiB" }, { baseDir: dir });
  assert.equal(c.listen.address, "127.0.0.1:7700");
  assert.equal(c.stateDir, path.join(dir, "state"));
  assert.equal(c.budget.host.windowMs, 120_000);
  assert.equal(c.budget.host.maxRestarts, 3);
  assert.equal(c.budget.fleetMaxRestarts, 7);
  assert.equal(c.maxMessageBytes, 1024 * 1024);
  assert.equal(c.telemetry.downsampleMs, 60_000);
  assert.equal(c.store.synchronous, "normal");
  assert.equal(resolveControllerConfig({ listen: "[::1]:0" }).listen.address, "[::1]:0");

  const file = path.join(dir, "controller.json");
  fs.writeFileSync(file, JSON.stringify({ budget: { hostWindow: "5 parsecs" } }));
  await assert.rejects(loadControllerConfig(file), (err: unknown) => err instanceof TrainsafeError && err.kind === "config" && err.message.includes(`${file}: budget.hostWindow`));
  fs.writeFileSync(file, JSON.stringify({ listen: "localhost" }));
  await assert.rejects(loadControllerConfig(file), /controller\.json: listen: invalid address "localhost"/);
  fs.writeFileSync(file, JSON.stringify({ budjet: {} }));
  await assert.rejects(loadControllerConfig(file), /controller\.json: budjet/);
  fs.writeFileSync(file, "{ half");
  await assert.rejects(loadControllerConfig(file), (err: unknown) => err instanceof TrainsafeError && err.kind === "config" && err.message.includes("invalid JSON"));
  fs.writeFileSync(file, JSON.stringify({ stateDir: "st" }));
  assert.equal((await loadControllerConfig(file)).stateDir, path.join(dir, "st"), "relative to the config file's folder");
});
