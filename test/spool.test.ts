import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Spool } from "../agent/rpc/spool.js";

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), "ts-spool-"));
}

test("pending events survive a reopen; acknowledged ones do not", (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = new Spool({ dir });
  a.open();
  for (let i = 0; i < 5; i++) assert.equal(a.append({ uuid: `u${i}`, n: i }), true);
  a.ack(["u1", "u3", "nope"]);
  a.close();
  const b = new Spool({ dir });
  assert.deepEqual(b.open(), []);
  assert.deepEqual(b.pendingEvents().map((e) => e.uuid), ["u0", "u2", "u4"]);
  b.close();
});

test("a torn last line is skipped and the next event stays whole", (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = new Spool({ dir });
  a.open();
  a.append({ uuid: "ok1" });
  a.close();
  appendFileSync(path.join(dir, "events.jsonl"), '{"uuid":"torn","x":');
  const b = new Spool({ dir });
  b.open();
  b.append({ uuid: "ok2" });
  b.close();
  const c = new Spool({ dir });
  assert.deepEqual(c.open(), []);
  assert.deepEqual(c.pendingEvents().map((e) => e.uuid), ["ok1", "ok2"]);
  c.close();
});

test("compaction keeps exactly the pending events", (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const s = new Spool({ dir, compactAfterAcks: 10 });
  s.open();
  for (let i = 0; i < 50; i++) s.append({ uuid: `e${i}` });
  s.ack(Array.from({ length: 40 }, (_, i) => `e${i}`));
  const lines = readFileSync(path.join(dir, "events.jsonl"), "utf8").trim().split("\n");
  assert.equal(lines.length, 10, "events.jsonl holds only the 10 pending events after compaction");
  s.close();
  const r = new Spool({ dir });
  r.open();
  assert.equal(r.size, 10);
  r.close();
});

test("a spool folder that cannot be written keeps events in memory and reports why", (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const s = new Spool({ dir });
  s.open();
  // Simulate a refusing disk by closing the descriptor under the spool.
  s.close();
  assert.equal(s.append({ uuid: "kept" }), false);
  assert.match(s.lastError ?? "", /cannot write/);
  assert.deepEqual(s.pendingEvents().map((e) => e.uuid), ["kept"]);
});
