/**
 * The single-thread whole-file scan keeps lines for the traceback parser at the end of the scan, from
 * only the reads whose lines survive (DeferredKeep in agent/crash/scanner.ts). Its result must be the
 * one of calling keep() after every read, as the scan did before: checked against that reference, read
 * by read, for chunk sizes below, around and above what keep() holds (1 MiB), on logs that end in an
 * uncaught traceback spread over the last reads, and with a last read short enough to join the one
 * before it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadRules } from "../agent/crash/rules.js";
import { PLAIN_CAPTURE } from "../agent/crash/capture-prefix.js";
import { FindingCollector, scanBytes, scanFiles } from "../agent/crash/scanner.js";

const rules = await loadRules();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-whole-keep-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Findings of the file read in `chunkBytes` reads, keep() called after each one (the former behaviour). */
function reference(file: string, chunkBytes: number) {
  const bytes = fs.readFileSync(file);
  const collector = new FindingCollector(file, rules);
  let line = 1;
  let at = 0;
  while (at < bytes.length) {
    const len = Math.min(chunkBytes, bytes.length - at);
    const end = at + len >= bytes.length ? len : bytes.lastIndexOf(0x0a, at + len - 1) + 1 - at;
    assert.ok(end > 0, "test logs have no line longer than a read");
    const text = bytes.subarray(at, at + end);
    line += scanBytes(text, 0, text.length, line, at, collector, PLAIN_CAPTURE, true);
    at += end;
  }
  return collector.finish();
}

/** A log of `lines` trainer lines with a warning here and there, ending in an uncaught traceback of `frames` frames. */
function writeLog(name: string, lines: number, frames: number, endNewline = true): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    if (i % 997 === 0) out.push(`[rank0]: UserWarning: something ${i} deprecated`);
    else out.push(`step ${i} | lm loss: 2.${i % 97} | loss scale: 1.0 | grad norm: 0.${i % 89} | ${"x".repeat(40 + (i % 200))}`);
  }
  out.push("Traceback (most recent call last):");
  for (let f = 0; f < frames; f++) out.push(`  File "/opt/train/module_${f}.py", line ${f + 10}, in fn_${f}`, `    call_${f}(x)`);
  out.push("frobnicate.FrobnicatorError: the frobnicator stopped at step 7");
  const file = path.join(tmp, name);
  fs.writeFileSync(file, out.join("\n") + (endNewline ? "\n" : ""));
  return file;
}

test("whole-file scan, one thread: the kept lines and findings are those of keep() after every read", async () => {
  const files = [
    writeLog("short-tail.log", 30_000, 400), // ~5 MB, a traceback of 800 lines
    writeLog("long-traceback.log", 12_000, 3000), // the traceback alone spans more than 1 MiB of reads
    writeLog("no-newline.log", 20_000, 50, false), // the exception is the last line, without "\n"
  ];
  for (const file of files) {
    const size = fs.statSync(file).size;
    // Below, around and above keep()'s 1 MiB, and a size that leaves a short last read.
    for (const chunkBytes of [64 * 1024, 700 * 1024, (1 << 20) + 1, 1536 * 1024, size - 100, size + 1]) {
      const got = await scanFiles([file], { rules, all: true, chunkBytes, parallel: { threads: 1 } });
      assert.deepEqual(got.findings, reference(file, chunkBytes), `${path.basename(file)}, reads of ${chunkBytes} bytes`);
      // The traceback parser saw the end of the file: the exception no rule knows is the primary.
      assert.match(got.primary?.text ?? "", /FrobnicatorError/, `${path.basename(file)}, reads of ${chunkBytes} bytes`);
    }
  }
});
