/**
 * The threads of a parallel whole-file scan share one WebAssembly memory holding the walk's table,
 * each walking in a slot of its own (WalkSpec in agent/crash/prefilter.ts). A worker that finds no
 * free slot (scans at the same time, or slots never given back) walks in a memory of its own with a
 * copy of the table. Either way the result must be the single-thread scan's, and a worker gives its
 * slot back when it is done.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { makeRuntime, prefilterFor } from "../agent/crash/prefilter.js";
import { loadRules } from "../agent/crash/rules.js";
import { scanFiles } from "../agent/crash/scanner.js";
import { writeTrainerLog } from "../bench/lib/trainer-log.js";

const rules = await loadRules();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-parallel-shared-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const file = path.join(tmp, "trainer.log");
const gen = writeTrainerLog(file, 12e6, 11);
const chunkBytes = 2 << 20;
const single = await scanFiles([file], { rules, all: true, chunkBytes, parallel: { threads: 1 } });
const held = (slots: Int32Array) => slots.reduce((a, b) => a + b, 0);
const parallel = (threads: number) => scanFiles([file], { rules, all: true, chunkBytes, parallel: { threads, minBytes: 1 } });

test("parallel scan in the shared walk memory: the single-thread result, and the workers give their slots back", async () => {
  assert.equal(single.files[0]!.linesRead, gen.lines);
  assert.equal(single.primary?.line, gen.crashLine);
  const walk = prefilterFor(rules).bulkSpec().walk;
  assert.ok(walk, "WebAssembly is available in Node 20: the walk must be built");
  assert.ok(walk.memory.buffer instanceof SharedArrayBuffer);
  for (const threads of [2, 3, 4]) {
    assert.deepEqual(await parallel(threads), single, `${threads} threads`);
    // The main thread's runtime keeps its slot; every worker's is free again.
    assert.equal(held(walk.slots), 1, `slots after ${threads} threads`);
  }
});

test("parallel scan with no free slot: workers walk in a memory of their own, same result", async () => {
  const walk = prefilterFor(rules).bulkSpec().walk!;
  const taken: number[] = [];
  for (let k = 0; k < walk.slots.length; k++) if (Atomics.compareExchange(walk.slots, k, 0, 1) === 0) taken.push(k);
  assert.equal(taken.length, walk.slots.length - 1, "the main thread's runtime holds one slot");
  try {
    assert.deepEqual(await parallel(4), single);
    assert.deepEqual(Array.from(walk.slots), [1, 1, 1, 1], "nothing given back that was not taken");
    // A runtime built in this thread with no free slot: its own memory, with the table copied.
    const rt = makeRuntime(prefilterFor(rules).bulkSpec());
    const own = rt.inputBuffer(1024)!;
    assert.notEqual(own.buffer, walk.memory.buffer);
    const text = fs.readFileSync(file);
    const lines = (r: { scan: typeof rt.scan }) => {
      const out: number[] = [];
      r.scan(text, 0, text.length, (ls) => out.push(ls), false, true);
      return out;
    };
    assert.deepEqual(lines(rt), lines(prefilterFor(rules)));
  } finally {
    for (const k of taken) Atomics.store(walk.slots, k, 0);
  }
});

test("two parallel scans at once (more workers than slots): both give the single-thread result", async () => {
  const walk = prefilterFor(rules).bulkSpec().walk!;
  const [a, b] = await Promise.all([parallel(4), parallel(4)]);
  assert.deepEqual(a, single);
  assert.deepEqual(b, single);
  assert.equal(held(walk.slots), 1);
});
