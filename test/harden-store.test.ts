/**
 * Issue 12, defect 2: a damaged controller database. At start, a file that fails quick_check is one
 * clear line naming the file and what to do, a non-zero exit, and nothing left listening; while
 * running, a store found damaged makes the controller exit non-zero (systemd restarts it).
 * Real controller processes, a really damaged SQLite file (pages overwritten on disk).
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import Database from "better-sqlite3";
import { CLI, Fleet, runCli, waitFor } from "./helpers/fleet.js";

const fleet = new Fleet();
after(() => fleet.cleanup());

/** A migrated database with `rows` events (about 1 KB each), made by a real controller, then filled. */
async function filledDb(dir: string, rows: number): Promise<string> {
  const ctl = await fleet.controller({}, undefined, dir);
  await fleet.stop(ctl.child);
  const file = path.join(dir, "controller.db");
  const db = new Database(file);
  db.prepare("INSERT INTO hosts (host_id, job_id, first_seen_ms, last_seen_ms) VALUES ('h1', 'j1', 1, 1)").run();
  const ins = db.prepare(
    "INSERT INTO events (uuid, host_id, job_id, ts_ms, received_ms, kind, category, signature, message, details_json, exit_code, signal) VALUES (?, 'h1', 'j1', ?, ?, 'info', '', '', ?, '{}', NULL, '')",
  );
  const filler = "x".repeat(1000);
  db.transaction(() => {
    for (let i = 0; i < rows; i++) ins.run(`00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, 1_700_000_000_000 + i, 1_700_000_000_000 + i, `${i} ${filler}`);
  })();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  return file;
}

/** Overwrites every leaf page of the events table in the file (what a bad disk or a stray write does). */
function damageEvents(file: string): number {
  const db = new Database(file, { readonly: true });
  const pageSize = db.pragma("page_size", { simple: true }) as number;
  const pages = db.prepare("SELECT pageno FROM dbstat WHERE name = 'events' AND pagetype = 'leaf'").all() as Array<{ pageno: number }>;
  db.close();
  const fd = fs.openSync(file, "r+");
  const junk = Buffer.alloc(pageSize, 0xab);
  for (const p of pages) fs.writeSync(fd, junk, 0, pageSize, (p.pageno - 1) * pageSize);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  return pages.length;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, "127.0.0.1");
    c.once("connect", () => (c.destroy(), resolve(true)));
    c.once("error", () => resolve(false));
  });
}

test("a damaged database at start: one line naming the file and what to do, exit non-zero, nothing listening", { timeout: 120_000 }, async () => {
  const dir = path.join(fleet.root, "damaged-at-start");
  const file = await filledDb(dir, 3_000);
  assert.ok(damageEvents(file) > 10);
  const port = await freePort();
  const cfg = path.join(fleet.root, "damaged.json");
  fs.writeFileSync(cfg, JSON.stringify({ listen: `127.0.0.1:${port}`, stateDir: dir, httpPort: 0 }));
  const child = spawn(process.execPath, [CLI, "controller", "--config", cfg], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const listening = waitFor("the port bound", () => canConnect(port), 30_000, 100).then(() => true, () => false);
  const code = await new Promise<number | null>((resolve) => {
    const t = setTimeout(() => resolve(null), 30_000);
    child.once("exit", (c) => (clearTimeout(t), resolve(c)));
  });
  if (code === null) child.kill("SIGKILL");
  assert.notEqual(code, null, `the controller kept running on a damaged database:\n${err}`);
  assert.notEqual(code, 0);
  const lines = err.trim().split("\n");
  assert.equal(lines.length, 1, `one line, no stack trace:\n${err}`);
  assert.ok(lines[0]!.includes(file), "names the file");
  assert.match(lines[0]!, /damaged/);
  assert.match(lines[0]!, /restore it from a backup, or move it aside/);
  assert.match(lines[0]!, /spools resend/);
  assert.equal(await canConnect(port), false, "nothing listens after the exit");
  assert.equal(await listening, false, "gRPC was never bound");
});

test("a store found damaged while running makes the controller exit non-zero", { timeout: 120_000 }, async () => {
  const dir = path.join(fleet.root, "damaged-at-run");
  // Far more pages than SQLite's 2 MB page cache holds: the damaged pages are read from the file.
  const file = await filledDb(dir, 20_000);
  const ctl = await fleet.controller({}, undefined, dir);
  const exited = new Promise<number | null>((resolve) => ctl.child.once("exit", (c) => resolve(c)));
  damageEvents(file);
  // Fleet queries read the damaged pages.
  const r = await runCli(["fleet", "events", "--limit", "5000", "--controller", ctl.address]);
  assert.notEqual(r.code, 0, "the query could not be answered");
  const code = await Promise.race([exited, new Promise<"running">((res) => setTimeout(() => res("running"), 20_000))]);
  assert.notEqual(code, "running", `the controller kept running on a damaged store:\n${ctl.output()}`);
  assert.equal(code, 1);
  assert.match(ctl.output(), new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: the database is damaged.*controller stops.*move it aside`));
});
