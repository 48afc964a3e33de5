/**
 * Property check of the tail scan's reuse of the capture-format sample (a2c0dec: scanner.ts captureFormatOfFile's
 * `sample`, tail.ts's `known` bytes) against reading the tail afresh: on generated files of every size around the
 * sample's boundaries (its 64 KiB head, 256 KiB tail, the 320 KiB where the two meet, files smaller than the sample),
 * with "\n", CRLF and lone "\r" line ends, a line end on the boundaries themselves and a file that grows between the
 * format read and the tail read, the tail read from the known bytes is the tail read from the file, and the sample
 * holds the bytes on disk (the format decision repairs a copy, never the sample).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { captureFormatOfFile } from "../agent/crash/scanner.js";
import { tailOfHandle, type TailBytes } from "../agent/crash/tail.js";
import { FORMAT_HEAD_BYTES, FORMAT_TAIL_BYTES } from "../agent/crash/capture-prefix.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-tail-known-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const BOUNDARIES = [FORMAT_HEAD_BYTES, FORMAT_TAIL_BYTES, FORMAT_HEAD_BYTES + FORMAT_TAIL_BYTES, 2 * FORMAT_TAIL_BYTES];

/** A file size near one of the boundaries (or small, or anywhere up to 600 KiB). */
const sizeArb = fc.oneof(
  fc.tuple(fc.constantFrom(...BOUNDARIES), fc.integer({ min: -3, max: 3 })).map(([b, d]) => b + d),
  fc.integer({ min: 0, max: 300 }),
  fc.integer({ min: 0, max: 600 * 1024 }),
);

/** Bytes of `size`: lines of random lengths ended by the chosen line end, with line ends poked at the boundaries. */
function fileBytes(size: number, eol: string, seed: number, lineLen: number, pokes: number[]): Buffer {
  const buf = Buffer.alloc(size, 0x61);
  let x = seed >>> 0;
  let pos = 0;
  while (pos < size) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    pos += 1 + (x % lineLen);
    if (pos + eol.length > size) break;
    buf.write(eol, pos);
    pos += eol.length;
  }
  // A "\n" or "\r" on a boundary (counted from the start for the head, from the end for the tail sample).
  for (const p of pokes) {
    for (const at of [FORMAT_HEAD_BYTES + p, size - FORMAT_TAIL_BYTES + p, size - 1 + Math.min(p, 0)]) {
      if (at >= 0 && at < size) buf[at] = p % 2 === 0 ? 0x0a : 0x0d;
    }
  }
  return buf;
}

function plain(t: TailBytes): object {
  return { buf: Buffer.from(t.buf).toString("latin1"), startOffset: t.startOffset, sizeBytes: t.sizeBytes, lineCount: t.lineCount, firstLineNumber: t.firstLineNumber, cutAtMaxBytes: t.cutAtMaxBytes };
}

test("the tail read from the capture-format sample is the tail read from the file, at every size around the sample", async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(
      sizeArb,
      fc.constantFrom("\n", "\r\n", "\r"),
      fc.integer({ min: 0, max: 2 ** 31 }),
      fc.constantFrom(1, 40, 300, 5000, 100_000),
      fc.array(fc.integer({ min: -2, max: 2 }), { maxLength: 3 }),
      fc.constantFrom(1, 3, 50, 1000, 100_000),
      fc.constantFrom(0, 0, 17, 70_000),
      fc.constantFrom(undefined, 4096, 200 * 1024),
      async (size, eol, seed, lineLen, pokes, n, grow, maxBytes) => {
        const file = path.join(tmp, `f${run++}.log`);
        const bytes = fileBytes(size, eol, seed, lineLen, pokes);
        fs.writeFileSync(file, bytes);
        const fh = await fsp.open(file, "r");
        try {
          const st = await fh.stat();
          const { format, sample } = await captureFormatOfFile(fh, st.size);
          for (const k of sample) assert.ok(k.bytes.equals(bytes.subarray(k.offset, k.offset + k.bytes.length)), `sample at ${k.offset} is not the file's bytes`);
          // The file grows between the format read and the tail read (a live log): both reads keep to the size taken.
          if (grow) fs.appendFileSync(file, Buffer.alloc(grow, 0x0a));
          const opts = { lineEnd: format.lineEnd, maxBytes };
          const fresh = await tailOfHandle(fh, st.size, n, opts);
          const reused = await tailOfHandle(fh, st.size, n, { ...opts, known: sample });
          assert.deepEqual(plain(reused), plain(fresh), `size ${size} eol ${JSON.stringify(eol)} n ${n} grow ${grow} maxBytes ${maxBytes}`);
        } finally {
          await fh.close();
          fs.rmSync(file, { force: true });
        }
      },
    ),
    { numRuns: 150 },
  );
});
