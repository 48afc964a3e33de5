/**
 * How many threads a whole-file scan takes when the caller names none (scanThreadsFor in
 * agent/crash/parallel-scan.ts): one per CPU the 1-minute load average leaves idle, so a busy machine
 * (a trainer's DataLoader workers on every core, a loaded CI box) is scanned in one thread. The load
 * is a parameter here, not the machine's.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { MAX_SCAN_THREADS, scanThreadsFor } from "../agent/crash/parallel-scan.js";
import { loadRules } from "../agent/crash/rules.js";
import { scanFiles } from "../agent/crash/scanner.js";
import { writeTrainerLog } from "../bench/lib/trainer-log.js";

test("an idle machine: one thread per CPU, at most MAX_SCAN_THREADS", () => {
  assert.equal(scanThreadsFor(2, 0), 2);
  assert.equal(scanThreadsFor(4, 0.3), 4);
  assert.equal(scanThreadsFor(64, 0), MAX_SCAN_THREADS);
  assert.equal(scanThreadsFor(1, 0), 1);
});

test("a saturated machine: one thread", () => {
  assert.equal(scanThreadsFor(2, 2), 1);
  assert.equal(scanThreadsFor(2, 3.8), 1);
  assert.equal(scanThreadsFor(8, 8.5), 1);
  assert.equal(scanThreadsFor(4, 40), 1);
});

test("a partly busy machine: the idle CPUs, rounded", () => {
  assert.equal(scanThreadsFor(2, 0.4), 2);
  assert.equal(scanThreadsFor(2, 0.6), 1);
  assert.equal(scanThreadsFor(2, 1.2), 1);
  assert.equal(scanThreadsFor(4, 1.2), 3);
  assert.equal(scanThreadsFor(4, 2.6), 1);
  assert.equal(scanThreadsFor(8, 5.2), 3);
});

test("a container held to some of the host's CPUs: its share of the host's load", () => {
  // 4 of 64 CPUs, the host half busy: half of ours idle.
  assert.equal(scanThreadsFor(4, 32, 64), 2);
  assert.equal(scanThreadsFor(4, 4, 64), 4);
  assert.equal(scanThreadsFor(4, 64, 64), 1);
  // Fewer online CPUs than usable ones (not a real machine): the load is taken as ours.
  assert.equal(scanThreadsFor(4, 3, 2), 1);
});

test("the default thread count (this machine's load) gives the one-thread result", async () => {
  const rules = await loadRules();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-parallel-threads-"));
  try {
    const file = path.join(dir, "trainer.log");
    const gen = writeTrainerLog(file, 3e6, 5);
    const single = await scanFiles([file], { rules, all: true, chunkBytes: 65_536, parallel: { threads: 1 } });
    assert.equal(single.primary?.line, gen.crashLine);
    assert.deepEqual(await scanFiles([file], { rules, all: true, chunkBytes: 65_536, parallel: { minBytes: 0 } }), single);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
