import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { checkSafetensors, checkSafetensorsBytes, inspectSafetensors } from "../agent/guard/safetensors.js";
import { openFileSource } from "../agent/guard/bytes.js";
import { rawSafetensorsBytes, safetensorsBytes, type Dtype, type TensorSpec } from "./helpers/checkpoints.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-st-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const TENSORS: TensorSpec[] = [
  { name: "embed.weight", dtype: "BF16", shape: [16, 8] },
  { name: "norm.weight", dtype: "F32", shape: [8] },
  { name: "step", dtype: "I64", shape: [] },
];

function withLength(json: string, declared: bigint, dataBytes = 0): Uint8Array {
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(declared);
  return Buffer.concat([prefix, Buffer.from(json), Buffer.alloc(dataBytes)]);
}

async function problemsOf(bytes: Uint8Array): Promise<string> {
  const r = await checkSafetensorsBytes(bytes, "m.safetensors");
  assert.equal(r.ok, false, "expected a problem");
  assert.ok(r.problems.every((p) => p.startsWith("m.safetensors: ")), r.problems.join("\n"));
  return r.problems.join("\n");
}

test("a well-formed file passes and its header is described", async () => {
  const bytes = safetensorsBytes(TENSORS, { format: "pt" });
  const file = path.join(tmp, "ok.safetensors");
  fs.writeFileSync(file, bytes);
  const r = await checkSafetensors(file);
  assert.deepEqual(r.problems, []);
  assert.equal(r.ok, true);
  assert.equal(r.tensorCount, 3);
  assert.equal(r.headerBytes, bytes.length - 8 - (16 * 8 * 2 + 8 * 4 + 8));
});

test("zero-size tensors and an empty header are valid", async () => {
  const r = await checkSafetensorsBytes(safetensorsBytes([{ name: "empty", dtype: "F32", shape: [0, 4] }, ...TENSORS]));
  assert.equal(r.ok, true, r.problems.join("\n"));
  assert.equal((await checkSafetensorsBytes(withLength("{}", 2n))).ok, true);
});

test("length prefix problems: empty, too short, insane length, length past the end", async () => {
  assert.match(await problemsOf(new Uint8Array(0)), /empty file/);
  assert.match(await problemsOf(new Uint8Array(5)), /too short/);
  assert.match(await problemsOf(withLength("{}", 1n << 40n)), /not sane/);
  assert.match(await problemsOf(withLength("{}", 500n)), /runs past the end of the 10-byte file \(truncated\?\)/);
});

test("header problems: not UTF-8, not starting with {, invalid JSON, not an object", async () => {
  const bad = Buffer.concat([Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0xff, 0xfe])]);
  assert.match(await problemsOf(bad), /not UTF-8/);
  assert.match(await problemsOf(withLength(" []", 3n)), /does not start with "\{"/);
  assert.match(await problemsOf(withLength('{"a":', 5n)), /not valid JSON/);
  assert.match(await problemsOf(withLength("{}x", 3n)), /not valid JSON/);
});

test("tensor entries: unknown dtype, bad shape, bad offsets, size mismatch, bad metadata", async () => {
  const entry = (e: unknown, data = 16) => problemsOf(rawSafetensorsBytes({ t: e }, data));
  assert.match(await entry({ dtype: "F33", shape: [4], data_offsets: [0, 16] }), /tensor "t": unknown dtype "F33"/);
  assert.match(await entry({ dtype: "F32", shape: [-4], data_offsets: [0, 16] }), /shape must be/);
  assert.match(await entry({ dtype: "F32", shape: [4], data_offsets: [0] }), /data_offsets must be/);
  assert.match(await entry({ dtype: "F32", shape: [4], data_offsets: [16, 0] }), /end before they begin/);
  assert.match(await entry({ dtype: "F32", shape: [3], data_offsets: [0, 16] }), /needs 12 bytes but data_offsets span 16/);
  assert.match(await entry("nope"), /entry is not an object/);
  const deep = "[".repeat(100_000) + "]".repeat(100_000);
  assert.match(await problemsOf(withLength(`{"t":{"dtype":${deep}}}`, BigInt(16 + deep.length))), /unknown dtype \(an array\)/);
  assert.match(await problemsOf(rawSafetensorsBytes({ __metadata__: { a: 1 } }, 0)), /__metadata__ must be an object of strings/);
});

test("layout: out of range (truncated), overlap, holes and trailing bytes are reported", async () => {
  const t = (begin: number, end: number) => ({ dtype: "U8", shape: [end - begin], data_offsets: [begin, end] });
  assert.match(await problemsOf(rawSafetensorsBytes({ a: t(0, 8), b: t(8, 32) }, 16)), /truncated: tensor data needs 32 bytes but only 16 are present \(1 tensor\(s\) cut off, first "b"\)/);
  assert.match(await problemsOf(rawSafetensorsBytes({ a: t(0, 8), b: t(4, 12) }, 12)), /"a" and "b" overlap/);
  assert.match(await problemsOf(rawSafetensorsBytes({ a: t(0, 4), b: t(8, 12) }, 12)), /data bytes 4\.\.8 belong to no tensor/);
  assert.match(await problemsOf(rawSafetensorsBytes({ a: t(0, 4) }, 10)), /6 bytes after the last tensor/);
});

test("files: missing, a directory in place of the file, the label is used in messages", async () => {
  const missing = await checkSafetensors(path.join(tmp, "nope.safetensors"), { label: "ckpt/model.safetensors" });
  assert.deepEqual(missing.problems, ["ckpt/model.safetensors: missing"]);
  fs.mkdirSync(path.join(tmp, "dir.safetensors"));
  const dir = await checkSafetensors(path.join(tmp, "dir.safetensors"));
  assert.equal(dir.ok, false);
  assert.match(dir.problems[0]!, /dir\.safetensors: is a directory/);
});

test("a huge (sparse) shard is checked by reading its header only", async () => {
  const big = 6 * 1024 ** 3; // 6 GiB of BF16 weights, never written: the file is sparse
  const json = JSON.stringify({ w: { dtype: "BF16", shape: [big / 2], data_offsets: [0, big] } });
  const file = path.join(tmp, "big.safetensors");
  fs.writeFileSync(file, withLength(json, BigInt(json.length)));
  fs.truncateSync(file, 8 + json.length + big);
  const opened = await openFileSource(file, "big");
  assert.ok(opened.ok);
  const started = performance.now();
  const r = await inspectSafetensors(opened.source, "big");
  const elapsedMs = performance.now() - started;
  await opened.close();
  assert.equal(r.ok, true, r.problems.join("\n"));
  assert.equal(opened.source.bytesRead, 8 + json.length);
  assert.ok(elapsedMs < 500, `took ${elapsedMs} ms`);
  // One byte short of the end is a truncated download/save.
  fs.truncateSync(file, 8 + json.length + big - 1);
  const cut = await checkSafetensors(file);
  assert.equal(cut.ok, false);
  assert.match(cut.problems[0]!, /truncated/);
});

// ---------- properties ----------

const dtypes: Dtype[] = ["F32", "F16", "BF16", "I64", "U8", "BOOL"];
const tensorSpecs = fc.uniqueArray(
  fc.record({
    name: fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s !== "__metadata__"),
    dtype: fc.constantFrom(...dtypes),
    shape: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
  }),
  { selector: (t) => t.name, minLength: 1, maxLength: 6 },
);

function wellFormed(result: { ok: boolean; problems: string[] }): void {
  assert.equal(typeof result.ok, "boolean");
  assert.ok(Array.isArray(result.problems));
  assert.equal(result.ok, result.problems.length === 0);
  for (const p of result.problems) assert.equal(typeof p, "string");
}

test("property: random bytes never throw and always give a result", async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => wellFormed(await checkSafetensorsBytes(bytes))),
    { numRuns: 300 },
  );
  // Random bytes behind a plausible length prefix reach the JSON and tensor checks.
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), fc.nat({ max: 250 }), async (body, n) =>
      wellFormed(await checkSafetensorsBytes(Buffer.concat([withLength("", BigInt(n)), body]))),
    ),
    { numRuns: 300 },
  );
});

test("property: random JSON headers never throw", async () => {
  await fc.assert(
    fc.asyncProperty(fc.jsonValue(), fc.nat({ max: 64 }), async (header, data) =>
      wellFormed(await checkSafetensorsBytes(rawSafetensorsBytes(header, data))),
    ),
    { numRuns: 300 },
  );
});

test("property: every truncation of a valid file is rejected", async () => {
  await fc.assert(
    fc.asyncProperty(
      tensorSpecs,
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      async (tensors, frac) => {
        const bytes = safetensorsBytes(tensors);
        assert.equal((await checkSafetensorsBytes(bytes)).ok, true);
        const cut = bytes.subarray(0, Math.floor(frac * bytes.length));
        const r = await checkSafetensorsBytes(cut);
        wellFormed(r);
        assert.equal(r.ok, false, `a file cut to ${cut.length} of ${bytes.length} bytes passed`);
      },
    ),
    { numRuns: 200 },
  );
});

test("property: bit flips never throw; flips in tensor data cannot be seen and stay ok", async () => {
  await fc.assert(
    fc.asyncProperty(tensorSpecs, fc.nat(), fc.integer({ min: 0, max: 7 }), async (tensors, at, bit) => {
      const bytes = Buffer.from(safetensorsBytes(tensors));
      const pos = at % bytes.length;
      bytes[pos]! ^= 1 << bit;
      const r = await checkSafetensorsBytes(bytes);
      wellFormed(r);
      const headerEnd = 8 + Number(Buffer.from(safetensorsBytes(tensors)).readBigUInt64LE(0));
      if (pos >= headerEnd) assert.equal(r.ok, true, "a flip in the data section changed the verdict");
      // Any other declared header length misplaces the header/data boundary.
      if (pos < 8) assert.equal(r.ok, false, `flip of bit ${bit} at ${pos} in the length prefix went unnoticed`);
    }),
    { numRuns: 300 },
  );
});
