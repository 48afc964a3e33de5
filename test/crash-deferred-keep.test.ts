/**
 * DeferredKeep (agent/crash/scanner.ts) copies the end of each read of a single-thread whole-file scan for
 * the traceback parser: a copy replaced by a later one lends its memory to the next copy, so a scan of
 * many reads allocates one or two buffers, not one per read (each fresh ~1 MB buffer cost its pages'
 * faults: docs/benchmarks.md, 2026-12-07, "the first scan's warm-up"). What reaches keep() must be what
 * fresh copies gave: checked against them on reads that replace, that do not (shorter than what keep()
 * holds, or without a line break in it), and on a reused buffer longer than the text it holds.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DeferredKeep, type FindingCollector } from "../agent/crash/scanner.js";

const MIB = 1024 * 1024;

type Kept = { text: string; firstLine: number; baseOffset: number; newlines: number };

/** A collector whose keep() records the bytes [from, to) it is given, as text. */
function recorder(): { collector: FindingCollector; kept: Kept[] } {
  const kept: Kept[] = [];
  const collector = {
    keep(buf: Buffer, from: number, to: number, firstLine: number, baseOffset: number, newlines: number): void {
      kept.push({ text: buf.toString("latin1", from, to), firstLine, baseOffset, newlines });
    },
  } as unknown as FindingCollector;
  return { collector, kept };
}

/** A read of `bytes` bytes: lines of `lineBytes` (the last one ending the read), each naming the read. */
function read(k: number, bytes: number, lineBytes: number): Buffer {
  const buf = Buffer.alloc(bytes, 0x61 + (k % 26));
  for (let at = lineBytes - 1; at < bytes; at += lineBytes) buf[at] = 0x0a;
  buf[bytes - 1] = 0x0a;
  return buf;
}

/** What the former DeferredKeep handed keep(): a fresh copy of each surviving text. */
function expected(reads: readonly Buffer[]): Kept[] {
  let texts: Kept[] = [];
  let line = 1;
  let offset = 0;
  for (const buf of reads) {
    const from = buf.length - MIB - 1;
    const nl = from >= 0 ? buf.indexOf(0x0a, from) : -1;
    const replaces = nl !== -1 && nl < buf.length;
    if (replaces) texts = [];
    const start = replaces ? from : 0;
    const newlines = buf.toString("latin1").split("\n").length - 1;
    texts.push({ text: Buffer.from(buf.subarray(start)).toString("latin1"), firstLine: line, baseOffset: offset + start, newlines });
    line += newlines;
    offset += buf.length;
  }
  return texts;
}

function run(reads: readonly Buffer[]): { kept: Kept[]; keep: DeferredKeep } {
  const { collector, kept } = recorder();
  const keep = new DeferredKeep(collector);
  let line = 1;
  let offset = 0;
  for (const buf of reads) {
    // The scan's read buffer is reused: a copy must not see later reads' bytes.
    const scratch = Buffer.alloc(buf.length + 100, 0x7a);
    buf.copy(scratch);
    const newlines = buf.toString("latin1").split("\n").length - 1;
    keep.add(scratch, buf.length, line, offset, newlines);
    scratch.fill(0x30);
    line += newlines;
    offset += buf.length;
  }
  keep.flush();
  return { kept, keep };
}

test("a whole-file scan's reads that replace each other's kept lines share one buffer", () => {
  const reads = Array.from({ length: 24 }, (_, k) => read(k, 2 * MIB + k * 997, 181));
  const { kept, keep } = run(reads);
  assert.deepEqual(kept, expected(reads));
  assert.ok(keep.allocatedBytes > 0 && keep.allocatedBytes <= MIB + 1, `allocated ${keep.allocatedBytes} bytes for 24 reads`);
});

test("reads that do not replace (short, or no line break in the kept window) are kept with the one before, as fresh copies were", () => {
  const reads = [
    read(0, 3 * MIB, 200),
    read(1, 300 * 1024, 150), // shorter than the window: kept beside the read before
    read(2, 2 * MIB, 97),
    read(3, 512 * 1024, 4096), // short again
    read(4, 40 * 1024, 40 * 1024), // one line, short: a third buffer
    read(5, 3 * MIB, 3 * MIB), // one line longer than the window (its line end is in it: replaces)
    read(6, 1536 * 1024, 333), // replaces: a spare buffer longer than this text is reused
    read(7, 64 * 1024, 10),
  ];
  const { kept, keep } = run(reads);
  assert.deepEqual(kept, expected(reads));
  // Fresh copies would have taken every read's kept bytes (~8.2 MB); the spares bound it.
  assert.ok(keep.allocatedBytes < 6 * MIB, `allocated ${keep.allocatedBytes} bytes`);
});

test("a small file's only read is copied at its own size, not into a buffer with room for a whole kept window", () => {
  const reads = [read(0, 10 * 1024, 100)];
  const { kept, keep } = run(reads);
  assert.deepEqual(kept, expected(reads));
  assert.equal(keep.allocatedBytes, 10 * 1024);
  // Then a read that replaces it: a buffer of the window's size (the small one is too short to serve).
  const both = [read(0, 10 * 1024, 100), read(1, 2 * MIB, 181), read(2, 2 * MIB + 3, 181)];
  const second = run(both);
  assert.deepEqual(second.kept, expected(both));
  assert.equal(second.keep.allocatedBytes, 10 * 1024 + MIB + 1);
});
