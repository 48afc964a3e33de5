/**
 * A parallel whole-file scan reads each piece straight into the WebAssembly walk's memory when it fits
 * there (Prefilter.inputBuffer, 4.25 MiB), and into a buffer of its own otherwise (pieces of a larger
 * read size): both must give the single-thread scan's result, which copies its 16 MiB reads into the
 * walk's memory block by block.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { prefilterFor } from "../agent/crash/prefilter.js";
import { loadRules } from "../agent/crash/rules.js";
import { scanFiles } from "../agent/crash/scanner.js";
import { writeTrainerLog } from "../bench/lib/trainer-log.js";

const rules = await loadRules();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-parallel-input-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("parallel scan: pieces read into the walk's memory, or into their own buffer when too long, give the single-thread result", async () => {
  const file = path.join(tmp, "trainer.log");
  const gen = writeTrainerLog(file, 44e6, 7);
  const pf = prefilterFor(rules);
  // A piece of 16 MiB / 4 fits the walk's input region; one of 20 MiB / 4 does not.
  assert.ok(pf.inputBuffer(4 << 20) !== null, "WebAssembly walk available");
  assert.equal(pf.inputBuffer(5 << 20), null);
  for (const chunkBytes of [16 << 20, 20 << 20]) {
    const single = await scanFiles([file], { rules, all: true, chunkBytes, parallel: { threads: 1 } });
    const parallel = await scanFiles([file], { rules, all: true, chunkBytes, parallel: { threads: 2, minBytes: 1 } });
    assert.equal(single.files[0]!.linesRead, gen.lines);
    assert.equal(single.primary?.line, gen.crashLine);
    assert.deepEqual(parallel, single, `reads of ${chunkBytes} bytes`);
  }
});
