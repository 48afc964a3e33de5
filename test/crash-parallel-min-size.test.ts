/**
 * The size from which a whole-file scan may take a second thread (PARALLEL_MIN_BYTES in
 * agent/crash/scanner.ts): a second thread costs ~0.2 s of CPU whatever the file's size, which below
 * ~130 MB the wall time it saves does not repay (docs/benchmarks.md, 2026-12-07, perf-thread). A file
 * between the old threshold (64 MiB) and the new one is scanned by one thread even when two are asked
 * for: a worker whose code fails is never started, so the file is scanned and its crash found.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadRules } from "../agent/crash/rules.js";
import { PARALLEL_MIN_BYTES, scanFiles } from "../agent/crash/scanner.js";
import { writeTrainerLog } from "../bench/lib/trainer-log.js";

test("a 100 MB log (over 64 MiB, under PARALLEL_MIN_BYTES) is scanned by one thread, two threads asked for", async () => {
  const rules = await loadRules();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-parallel-min-size-"));
  try {
    const file = path.join(dir, "trainer.log");
    const gen = writeTrainerLog(file, 100e6, 13);
    const size = fs.statSync(file).size;
    assert.ok(size > 64 * 1024 * 1024 && size < PARALLEL_MIN_BYTES, `size ${size}`);
    const single = await scanFiles([file], { rules, all: true, parallel: { threads: 1 } });
    assert.equal(single.primary?.line, gen.crashLine);
    assert.equal(single.files[0]!.problem, undefined);
    // A worker that would fail at its start: the file is a problem if one is started.
    const two = await scanFiles([file], { rules, all: true, parallel: { threads: 2, workerCode: 'throw new Error("a worker was started")' } });
    assert.equal(two.files[0]!.problem, undefined, "a worker was started");
    assert.deepEqual(two, single);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
