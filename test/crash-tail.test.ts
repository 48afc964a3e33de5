import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { readLastLines, readTailBytes, splitLines } from "../agent/crash/tail.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-tail-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function write(content: string | Buffer): string {
  const file = path.join(dir, `f${counter++}.log`);
  fs.writeFileSync(file, content);
  return file;
}

test("lines split across chunk boundaries come back whole, for every chunk size", async () => {
  const lines = Array.from({ length: 40 }, (_, i) => `step ${i} loss=${(i * 0.37).toFixed(3)} ${"x".repeat(i % 7)}`);
  const file = write(lines.join("\n") + "\n");
  for (let chunkBytes = 1; chunkBytes <= 33; chunkBytes++) {
    const r = await readLastLines(file, 7, { chunkBytes });
    assert.deepEqual(r.lines, lines.slice(-7), `chunkBytes ${chunkBytes}`);
    assert.equal(r.firstLineNumber, 34);
  }
});

test("CRLF line endings lose their carriage return", async () => {
  const file = write("a\r\nb\r\nc\r\n");
  assert.deepEqual((await readLastLines(file, 2, { chunkBytes: 3 })).lines, ["b", "c"]);
});

test("a last line without a newline counts as a line", async () => {
  const file = write("one\ntwo\nthree");
  const r = await readLastLines(file, 2, { chunkBytes: 4 });
  assert.deepEqual(r.lines, ["two", "three"]);
  assert.equal(r.firstLineNumber, 2);
});

test("a file with fewer lines than asked returns all of them from line 1", async () => {
  const file = write("only\ntwo lines\n");
  assert.deepEqual(await readLastLines(file, 1000), { lines: ["only", "two lines"], firstLineNumber: 1 });
});

test("an empty file has no lines", async () => {
  assert.deepEqual(await readLastLines(write(""), 10), { lines: [], firstLineNumber: 1 });
});

test("a file holding one newline has one empty line", async () => {
  assert.deepEqual((await readLastLines(write("\n"), 10)).lines, [""]);
});

test("multi-byte UTF-8 characters cut by a chunk boundary are decoded intact", async () => {
  const lines = ["é日本語😀 loss=nan?", "已杀死", "ümlaut ß 🚀🚀", "plain"];
  const file = write(lines.join("\n") + "\n");
  for (let chunkBytes = 1; chunkBytes <= 12; chunkBytes++) {
    assert.deepEqual((await readLastLines(file, 3, { chunkBytes })).lines, lines.slice(-3), `chunkBytes ${chunkBytes}`);
  }
});

test("a file appended to while it is read yields whole, consecutive lines of one moment", async () => {
  const file = write(Array.from({ length: 1000 }, (_, i) => `line ${i}`).join("\n") + "\n");
  let appended = 1000;
  let stop = false;
  const appender = (async () => {
    while (!stop && appended < 3000) {
      fs.appendFileSync(file, `line ${appended++}\n`);
      await new Promise((r) => setImmediate(r));
    }
  })();
  const results = [];
  for (let i = 0; i < 20; i++) results.push(await readLastLines(file, 5, { chunkBytes: 8 }));
  stop = true;
  await appender;
  for (const r of results) {
    assert.equal(r.lines.length, 5);
    const nums = r.lines.map((l) => {
      assert.match(l, /^line \d+$/);
      return Number(l.slice(5));
    });
    for (let k = 1; k < nums.length; k++) assert.equal(nums[k], nums[k - 1]! + 1);
    assert.equal(r.firstLineNumber, nums[0]! + 1);
  }
});

test("only whole lines inside maxBytes are kept when the lines are too long", async () => {
  const file = write(`${"a".repeat(100)}\n${"b".repeat(100)}\nshort\n`);
  const t = await readTailBytes(file, 3, { chunkBytes: 16, maxBytes: 120 });
  assert.equal(t.cutAtMaxBytes, true);
  assert.deepEqual(splitLines(t.buf.toString()), ["b".repeat(100), "short"]);
});

test("line numbers are unknown (null) for a tail of a file above the counting limit", async () => {
  const file = write(Array.from({ length: 100 }, (_, i) => `l${i}`).join("\n") + "\n");
  const r = await readLastLines(file, 3, { countLinesMaxBytes: 10 });
  assert.deepEqual(r, { lines: ["l97", "l98", "l99"], firstLineNumber: null });
});

test("the tail of a 20 GB (sparse) file is read without reading the file", async () => {
  const file = path.join(dir, "huge.log");
  fs.writeFileSync(file, "");
  fs.truncateSync(file, 20 * 1024 ** 3);
  fs.appendFileSync(file, "\n" + Array.from({ length: 2000 }, (_, i) => `step ${i}`).join("\n") + "\n");
  const started = performance.now();
  const t = await readTailBytes(file, 1000);
  const ms = performance.now() - started;
  assert.equal(t.lineCount, 1000);
  assert.equal(t.firstLineNumber, null);
  assert.ok(t.buf.length < 20_000, `read ${t.buf.length} bytes`);
  assert.ok(ms < 2000, `took ${ms} ms`);
  fs.rmSync(file);
});

test("a directory is an error, not a tail", async () => {
  await assert.rejects(readLastLines(dir, 5), (err: NodeJS.ErrnoException) => err.code === "EISDIR");
});

test("property: tail(N) equals the last N lines of the split text, for any text and chunk size", async () => {
  const pieces = ["a", "bc", " ", "\n", "\r\n", "\n\n", "é", "日", "😀", "loss=nan", "\t"];
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.constantFrom(...pieces), { maxLength: 80 }).map((a) => a.join("")),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 40 }),
      async (text, n, chunkBytes) => {
        const file = write(text);
        const all = splitLines(text);
        const r = await readLastLines(file, n, { chunkBytes });
        assert.deepEqual(r.lines, all.slice(-n));
        assert.equal(r.firstLineNumber, Math.max(1, all.length - n + 1));
        fs.rmSync(file);
      },
    ),
    { numRuns: 300 },
  );
});

test("splitLines: no phantom empty line after a final newline; CR removed only at line end", () => {
  assert.deepEqual(splitLines(""), []);
  assert.deepEqual(splitLines("a\n"), ["a"]);
  assert.deepEqual(splitLines("a\n\n"), ["a", ""]);
  assert.deepEqual(splitLines("a\rb\r\n"), ["a\rb"]);
});

test("lineEnd \\r: the tail is the last lines ending in lone \\r, counted from the file's start when it is small", async () => {
  const crLines = Array.from({ length: 30 }, (_, i) => `step ${i} loss=${(i * 0.37).toFixed(3)}`);
  const opts = { lineEnd: 0x0d, maxBytes: 4096 } as const;
  for (const end of ["\r", ""]) {
    const file = write(`${crLines.join("\r")}${end}`);
    for (let chunkBytes = 1; chunkBytes <= 40; chunkBytes += 3) {
      const t = await readTailBytes(file, 5, { ...opts, chunkBytes });
      assert.equal(t.buf.toString(), crLines.slice(-5).join("\r") + end, `chunkBytes ${chunkBytes}`);
      assert.equal(t.lineCount, 5);
      assert.equal(t.firstLineNumber, 26, "the lone \\r before the tail are counted");
      assert.equal(t.startOffset, crLines.slice(0, 25).join("\r").length + 1);
    }
  }
  // Not asked for: only "\n" ends a line, the whole file (no "\n" before it) is the tail.
  const plain = await readTailBytes(write(crLines.join("\r")), 5, { chunkBytes: 7 });
  assert.equal(plain.startOffset, 0);
  assert.equal(plain.lineCount, 1);
  // Fewer than the wanted lines inside maxBytes: whole lone-\r lines inside the last maxBytes.
  const cut = await readTailBytes(write(crLines.join("\r")), 25, { lineEnd: 0x0d, maxBytes: 100, chunkBytes: 16 });
  assert.equal(cut.cutAtMaxBytes, true);
  const text = cut.buf.toString();
  assert.ok(text.length <= 100 && crLines.join("\r").endsWith(text) && crLines.includes(text.split("\r")[0]!), text);
});
