/**
 * The checkpoint readers' I/O (docs/benchmarks.md, start-up, 2026-12-06 08:20): a file source serves the
 * small pieces the zip and safetensors readers ask for from the block it read last (agent/guard/bytes.ts),
 * and a checkpoint's independent files are verified together (agent/guard/checkpoint.ts, lib/concurrent.ts).
 * The results must be exactly those of reading each piece on its own, one file after another.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import fc from "fast-check";
import { bufferSource, READ_BLOCK_BYTES } from "../agent/guard/bytes.js";
import { checkCheckpoint, listCheckpointEntries } from "../agent/guard/checkpoint.js";
import { checkSafetensors, checkSafetensorsBytes } from "../agent/guard/safetensors.js";
import { checkZip, checkZipBytes, inspectZip } from "../agent/guard/zip.js";
import { mapConcurrent } from "../agent/lib/concurrent.js";
import { safetensorsBytes, torchSaveBytes, writeCheckpoint, zipBytes, type ZipEntry } from "./helpers/checkpoints.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-read-blocks-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Counts the reads of descriptors (fs.read: what the file sources call) while `fn` runs. */
async function countingReads<T>(fn: () => Promise<T>): Promise<{ value: T; reads: number }> {
  const real = fs.read;
  let reads = 0;
  (fs as { read: unknown }).read = (...args: unknown[]) => {
    reads++;
    return (real as (...a: unknown[]) => void)(...args);
  };
  try {
    return { value: await fn(), reads };
  } finally {
    (fs as { read: unknown }).read = real;
  }
}

let fileSeq = 0;
function fileOf(bytes: Uint8Array): string {
  const f = path.join(tmp, `f${fileSeq++}`);
  fs.writeFileSync(f, bytes);
  return f;
}

test("a zip of many small records is checked in a few reads, with the same result as its bytes in memory", async () => {
  const entries: ZipEntry[] = Array.from({ length: 300 }, (_, i) => ({ name: `archive/data/${i}`, data: new Uint8Array(i % 7).fill(i & 0xff) }));
  const bytes = torchSaveBytes({ state: {}, param_groups: [] }, entries.map((e) => e.data));
  const file = fileOf(bytes);
  const { value, reads } = await countingReads(() => checkZip(file, { label: "optimizer.pt" }));
  assert.equal(value.ok, true, value.problems.join("\n"));
  assert.deepEqual(value, await checkZipBytes(bytes, "optimizer.pt"));
  // One read per local header before (300 and more); the file is smaller than the tail read.
  assert.ok(reads <= 3, `${reads} reads`);
});

test("records spread over many blocks: one read per block at most, same result", async () => {
  // Records of 1-3 blocks each: headers fall on both sides of block boundaries.
  const entries: ZipEntry[] = Array.from({ length: 40 }, (_, i) => ({ name: `archive/data/${i}`, data: new Uint8Array(READ_BLOCK_BYTES * (1 + (i % 3)) - 17 * i).fill(i) }));
  const bytes = zipBytes(entries, { alignBytes: 64 });
  const file = fileOf(bytes);
  const { value, reads } = await countingReads(() => checkZip(file, { label: "x" }));
  assert.equal(value.ok, true, value.problems.join("\n"));
  assert.deepEqual(value, await checkZipBytes(bytes, "x"));
  assert.ok(reads <= entries.length + 2, `${reads} reads`);
});

test("property: from a file, zip and safetensors checks give what they give on the bytes, damaged or not", async () => {
  const entryArb = fc.record({ name: fc.string({ minLength: 1, maxLength: 12 }).map((s) => `archive/r/${s}`), size: fc.integer({ min: 0, max: 3 * READ_BLOCK_BYTES }) });
  const damageArb = fc.oneof(
    fc.constant({ kind: "none" as const }),
    fc.record({ kind: fc.constant("cut" as const), keep: fc.double({ min: 0, max: 1, noNaN: true }) }),
    fc.record({ kind: fc.constant("flip" as const), at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), xor: fc.integer({ min: 1, max: 255 }) }),
  );
  type Damage = { kind: "none" } | { kind: "cut"; keep: number } | { kind: "flip"; at: number; xor: number };
  const damage = (bytes: Uint8Array, d: Damage) => {
    if (d.kind === "cut") return bytes.subarray(0, Math.floor(bytes.length * d.keep));
    if (d.kind === "flip" && bytes.length > 0) {
      const out = Uint8Array.from(bytes);
      out[Math.floor(out.length * d.at)]! ^= d.xor;
      return out;
    }
    return bytes;
  };
  await fc.assert(
    fc.asyncProperty(fc.uniqueArray(entryArb, { maxLength: 12, selector: (e) => e.name }), fc.boolean(), damageArb, async (specs, zip64, d) => {
      const records = [{ name: "archive/data.pkl", data: new Uint8Array(13 * specs.length).fill(0x80) }, ...specs.map((s, i) => ({ name: s.name, data: new Uint8Array(s.size).fill(i) }))];
      const bytes = damage(zipBytes(records, { zip64, alignBytes: 64 }), d);
      const file = fileOf(bytes);
      assert.deepEqual(await checkZip(file, { label: "z", readPickle: true }), await inspectZip(bufferSource(Buffer.from(bytes)), "z", true));
      assert.deepEqual(await checkZip(file, { label: "z" }), await checkZipBytes(bytes, "z"));
      fs.rmSync(file);
    }),
    { numRuns: 150 },
  );
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 600 }), damageArb, async (tensors, d) => {
      const bytes = damage(safetensorsBytes(Array.from({ length: tensors }, (_, i) => ({ name: `layer.${i}.weight`, dtype: "F16" as const, shape: [2, 3] }))), d);
      const file = fileOf(bytes);
      assert.deepEqual(await checkSafetensors(file, { label: "s" }), await checkSafetensorsBytes(bytes, "s"));
      fs.rmSync(file);
    }),
    { numRuns: 100 },
  );
});

test("a checkpoint's problems come in the same order when its files are verified together", async () => {
  const modelDir = path.join(tmp, "model");
  fs.mkdirSync(modelDir);
  // Every part broken: weights cut short, optimizer and scheduler truncated, two RNG states torn, and
  // trainer_state.json naming another step.
  writeCheckpoint(modelDir, {
    step: 300,
    globalStep: 299,
    truncate: { "model.safetensors": 40, "optimizer.pt": 30, "scheduler.pt": 20 },
    files: { "rng_state_0.pth": new Uint8Array([1, 2, 3]), "rng_state_1.pth": new Uint8Array(0) },
  });
  const { entries } = await listCheckpointEntries(modelDir);
  const c = await checkCheckpoint(entries[0]!, "full");
  const order = ["model.safetensors", "optimizer.pt", "scheduler.pt", "rng_state_0.pth", "rng_state_1.pth", "trainer_state.json"];
  const firsts = order.map((f) => c.problems.findIndex((p) => p.startsWith(`checkpoint-300/${f}`)));
  assert.ok(firsts.every((i) => i >= 0), `${JSON.stringify(firsts)}\n${c.problems.join("\n")}`);
  assert.deepEqual([...firsts].sort((a, b) => a - b), firsts, c.problems.join("\n"));
  assert.equal(c.complete, false);
});

test("mapConcurrent keeps the items' order and never has more than `limit` calls pending", async () => {
  let pending = 0;
  let most = 0;
  const out = await mapConcurrent(Array.from({ length: 50 }, (_, i) => i), 4, async (x) => {
    most = Math.max(most, ++pending);
    await new Promise((r) => setTimeout(r, (x * 7) % 5));
    pending--;
    return x * 2;
  });
  assert.deepEqual(out, Array.from({ length: 50 }, (_, i) => i * 2));
  assert.equal(most, 4);
  assert.deepEqual(await mapConcurrent([], 4, async (x: number) => x), []);
});
