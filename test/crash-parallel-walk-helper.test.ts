/**
 * A whole-file scan in two threads runs its second thread as a walk helper (agent/crash/parallel-scan.ts,
 * walkUnits): the helper reads each piece into the shared walk memory and walks it in WebAssembly; the main
 * thread handles the events (Prefilter.scanWalked), runs the candidate patterns and classifies, and scans by
 * itself the pieces the helper has not claimed or could not walk. Whichever thread does what, the result
 * must be the single-thread scan's. Here: the helper's events give exactly the lines Prefilter.scan gives
 * (dense events, short blocks when its event area fills, pieces it cannot take), a helper that fails,
 * reports a shrunk file or sees the file grow, many findings, and no room for the helper in the walk memory.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { takeHelperRegion, walkUnits, WALK_WORKER_CODE, type WalkJob } from "../agent/crash/parallel-scan.js";
import { buildPrefilter, prefilterFor, type Prefilter } from "../agent/crash/prefilter.js";
import { loadRules } from "../agent/crash/rules.js";
import { scanFiles, type ScanOptions } from "../agent/crash/scanner.js";
import { writeTrainerLog } from "../bench/lib/trainer-log.js";

const rules = await loadRules();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-walk-helper-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));




const pf = prefilterFor(rules);
const walk = pf.bulkSpec().walk!;
// The main thread's runtime takes its slot first, as in a scan.
pf.inputBuffer(1);

const FINDINGS = [
  "[rank2]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 2 has a total capacity of 79.10 GiB",
  "OSError: [Errno 28] No space left on device",
  "NCCL \x1b[33mWARN\x1b[0m Cuda failure 'out of memory'",
  "\0\0\0Segmentation fault (core dumped)",
  "{'loss': nan, 'grad_norm': inf, 'learning_rate': 1e-05}",
  " iteration      120/  500000 | lm loss: 2.3E+00 | loss scale: 1.0 | grad norm: nan | number of nan iterations:   3 |",
  "Traceback (most recent call last):\n  File \"/w/train.py\", line 9, in <module>\n    main()\nValueError: bad shape",
];

/** A generated trainer log with a finding after every `every` lines. */
function log(name: string, sizeBytes: number, every: number): string {
  const base = path.join(tmp, `${name}.base`);
  writeTrainerLog(base, sizeBytes, 5);
  const out: string[] = [];
  fs.readFileSync(base, "utf8")
    .split("\n")
    .forEach((l, k) => {
      out.push(l);
      if (k % every === every - 1) out.push(FINDINGS[k % FINDINGS.length]!);
    });
  fs.rmSync(base);
  const file = path.join(tmp, `${name}.log`);
  fs.writeFileSync(file, out.join("\n"));
  return file;
}

function visitor(out: string[]) {
  return (ls: number, le: number, before: number, patterns: readonly number[], cleaned: boolean) => out.push(`${ls}-${le} #${before} [${patterns.join(",")}] ${cleaned}`);
}

/** What Prefilter.scan hands on for the whole text (WebAssembly walk, or JavaScript with `js`). */
function scanned(p: Prefilter, text: Buffer): string[] {
  const out: string[] = [];
  out.push(`newlines ${p.scan(text, 0, text.length, visitor(out), false, true)}`);
  return out;
}

/** walkUnits run in this thread on `text` as one piece, then what scanWalked hands on from its events; state 2: not walked. */
function helperWalked(text: Buffer, limits: { inputBytes?: number; eventBytes?: number } = {}): { state: number; lines: string[] } {
  const file = path.join(tmp, "piece.log");
  fs.writeFileSync(file, text);
  const fd = fs.openSync(file, "r");
  const region = takeHelperRegion(walk, limits);
  assert.ok(region, "the walk memory has room for the helper");
  try {
    const ctl = new Int32Array(new SharedArrayBuffer(4 * 6));
    const job: WalkJob = { module: walk.module, memory: walk.memory, fd, units: [{ from: 0, to: text.length }], ctl, ...region.layout, firstOff: pf.spec.firstSpecial << walk.rowShift };
    walkUnits(job, fs);
    const state = ctl[4]!;
    if (state !== 1) return { state, lines: [] };
    const b = Buffer.from(walk.memory.buffer, job.inputs[0]!, text.length);
    assert.ok(b.equals(text), "the piece was read into the region");
    const out: string[] = [];
    out.push(`newlines ${pf.scanWalked(b, 0, text.length, visitor(out), new Int32Array(walk.memory.buffer), job.events[0]!, ctl[5]!)}`);
    return { state, lines: out };
  } finally {
    region.release();
    fs.closeSync(fd);
  }
}

// Registered before the first test (tests registered after a top-level await would not run).
const file = log("trainer", 6e6, 2);
const chunkBytes = 400_003;
const single = await scanFiles([file], { rules, all: true, chunkBytes, parallel: { threads: 1 } });
const two = (parallel: ScanOptions["parallel"] = {}) => scanFiles([file], { rules, all: true, chunkBytes, parallel: { minBytes: 0, threads: 2, ...parallel } });
const held = () => walk.slots.reduce((a, b) => a + b, 0);

test("the helper's events give Prefilter.scan's lines: generated log, long lines across blocks, ANSI and NUL, empty lines, no newline", () => {
  const js = buildPrefilter(rules, { wasm: false });
  const dense = fs.readFileSync(log("dense", 3e6, 3));
  const texts: [string, Buffer][] = [
    ["dense log", dense],
    ["a long line across blocks", Buffer.from(`${"ab loss nan ".repeat(60_000)}\n${FINDINGS.join("\n")}\n${"\x1b[0m".repeat(100_000)}CUDA out of memory. Tried to allocate 1 GiB\n`)],
    ["no newline", Buffer.from(`${"CUDA error ".repeat(50_000)}No space left on device`)],
    ["empty lines (an event per byte)", Buffer.from(`${"\n".repeat(600_000)}OSError: [Errno 28] No space left on device\n\n`)],
    ["one byte", Buffer.from("x")],
  ];
  for (const [label, text] of texts) {
    const want = scanned(pf, text);
    assert.deepEqual(want, scanned(js, text), `${label}: the WebAssembly and the JavaScript walk`);
    const h = helperWalked(text);
    assert.equal(h.state, 1, `${label}: walked`);
    assert.deepEqual(h.lines, want, label);
  }
  assert.ok(scanned(pf, dense).length > 3_000, "enough candidate lines for the comparison to mean something");
  // A small event area: blocks shorten as it fills, and a piece whose events do not fit is left to the main thread.
  const sparse = fs.readFileSync(log("sparse", 3e6, 1e9));
  const small = helperWalked(sparse, { eventBytes: 1536 << 10 });
  assert.equal(small.state, 1, "a trainer log's events (about 140,000: 1.1 MB) fit in 1.5 MiB, with blocks shorter than 256 KiB");
  assert.deepEqual(small.lines, scanned(pf, sparse));
  assert.equal(helperWalked(Buffer.from("\n".repeat(600_000)), { eventBytes: 256 << 10 }).state, 2, "600,000 newline events do not fit in 256 KiB");
  assert.equal(helperWalked(dense, { inputBytes: 1 << 20 }).state, 2, "a piece longer than the input region is not read");
});

test("the helper reading past the end of a file that shrank: an error marked shrank", () => {
  const file = path.join(tmp, "short.log");
  fs.writeFileSync(file, "x\n".repeat(1000));
  const fd = fs.openSync(file, "r");
  const region = takeHelperRegion(walk, {})!;
  try {
    const ctl = new Int32Array(new SharedArrayBuffer(4 * 6));
    const job: WalkJob = { module: walk.module, memory: walk.memory, fd, units: [{ from: 0, to: 5000 }], ctl, ...region.layout, firstOff: pf.spec.firstSpecial << walk.rowShift };
    assert.throws(() => walkUnits(job, fs), (err: Error & { shrank?: boolean }) => err.shrank === true && /file shrank/.test(err.message));
  } finally {
    region.release();
    fs.closeSync(fd);
  }
});

test("two threads with the walk helper: many findings, the helper walking every piece it can, small regions: the single-thread result", async () => {
  assert.ok(single.findings.length >= 3 && single.files[0]!.linesRead > 50_000, JSON.stringify(single.files));
  assert.deepEqual(await two(), single, "default");
  for (const walkHelper of [{ helperOnly: true }, { helperOnly: true, eventBytes: 64 << 10 }, { helperOnly: true, inputBytes: 50_000 }, { eventBytes: 96 << 10, inputBytes: 120_000 }]) {
    assert.deepEqual(await two({ walkHelper }), single, JSON.stringify(walkHelper));
    assert.equal(held(), 1, "the helper's slots are given back; the main thread's runtime keeps its own");
  }
});

test("a helper that fails, exits or reports a shrunk file: a problem for the file and no findings; its slots given back", async () => {
  for (const [code, problem] of [
    ['throw new Error("boom")', /not scanned \(a scan worker failed: boom\); no findings reported for it/],
    ['require("node:worker_threads").parentPort.postMessage({ failed: "no memory" })', /not scanned \(a scan worker failed: no memory\)/],
    ["process.exit(3)", /not scanned \(a scan worker exited \(code 3\) before it reported\)/],
    ['require("node:worker_threads").parentPort.postMessage({ failed: "file shrank while it was read (rotated or truncated?)", shrank: true })', /^file shrank while it was read/],
    [`require("node:fs").truncateSync(${JSON.stringify(path.join(tmp, "copy.log"))}, 1000);\n${WALK_WORKER_CODE}`, /^file shrank while it was read/],
  ] as const) {
    fs.copyFileSync(file, path.join(tmp, "copy.log"));
    for (const helperOnly of [false, true]) {
      const r = await scanFiles([path.join(tmp, "copy.log")], { rules, all: true, chunkBytes, parallel: { minBytes: 0, threads: 2, workerCode: code, walkHelper: { helperOnly } } });
      assert.match(r.files[0]!.problem ?? "", problem, code);
      assert.deepEqual(r.findings, []);
      assert.equal(r.primary, null);
      assert.equal(held(), 1, `slots after: ${code}`);
      fs.copyFileSync(file, path.join(tmp, "copy.log"));
    }
  }
});

test("a file that grows while the helper reads it: the bytes up to its size when opened, as one thread", async () => {
  const copy = path.join(tmp, "growing.log");
  fs.copyFileSync(file, copy);
  const before = await scanFiles([copy], { rules, all: true, chunkBytes, parallel: { threads: 1 } });
  const code = `require("node:fs").appendFileSync(${JSON.stringify(copy)}, "OSError: [Errno 28] No space left on device\\n".repeat(5000));\n${WALK_WORKER_CODE}`;
  const r = await scanFiles([copy], { rules, all: true, chunkBytes, parallel: { minBytes: 0, threads: 2, workerCode: code, walkHelper: { helperOnly: true } } });
  assert.ok(fs.statSync(copy).size > fs.statSync(file).size, "the helper appended");
  assert.deepEqual(r, before);
});

test("no room for the helper in the walk memory (other scans hold the slots): filter workers, the same result", async () => {
  const taken: number[] = [];
  for (let k = 0; k < walk.slots.length; k++) if (Atomics.compareExchange(walk.slots, k, 0, 1) === 0) taken.push(k);
  try {
    assert.deepEqual(await two({ walkHelper: { helperOnly: true } }), single);
    // One slot free: too little for the helper's ring (the filter worker walks there).
    Atomics.store(walk.slots, taken[0]!, 0);
    assert.equal(takeHelperRegion(walk, {}), null);
    assert.deepEqual(await two({ walkHelper: { helperOnly: true } }), single);
    Atomics.store(walk.slots, taken[0]!, 1);
  } finally {
    for (const k of taken) Atomics.store(walk.slots, k, 0);
  }
  assert.equal(held(), 1);
});

test("a log that teaches its own capture prefix (pdsh's host names on every line; a real entry's timestamps): the single-thread result with 2 and 3 threads", async () => {
  // A trainer log without planted findings: few enough that none is dropped (a scan keeps 2,000).
  const lines = fs
    .readFileSync(log("plain", 3e6, 1e9), "utf8")
    .split("\n")
    .filter((l) => l)
    .map((l, i) => (i % 2 ? "worker-1: " : "worker-12: ") + l);
  // In the middle, a line only its text without the learned prefix names (`Bus error (core dumped)` is
  // read at a line's start); at the end, a segfault the kept lines name too.
  const middle = lines.length >> 1;
  lines.splice(middle, 0, "worker-1: Bus error (core dumped)");
  lines.push("worker-1: Segmentation fault (core dumped)");
  const pdsh = path.join(tmp, "pdsh.log");
  fs.writeFileSync(pdsh, lines.join("\n") + "\n");
  const alone = await scanFiles([pdsh], { rules, all: true, chunkBytes, parallel: { threads: 1 } });
  const found = JSON.stringify(alone.findings.map((f) => [f.ruleId, f.line]));
  assert.ok(alone.findings.some((f) => f.ruleId === "segfault_signal" && f.line === middle + 1), found);
  assert.ok(alone.findings.some((f) => f.category === "segfault" && f.line === lines.length), found);
  for (const threads of [2, 3]) assert.deepEqual(await scanFiles([pdsh], { rules, all: true, chunkBytes, parallel: { minBytes: 0, threads } }), alone, `${threads} threads`);
  assert.deepEqual(await scanFiles([pdsh], { rules, all: true, chunkBytes, parallel: { minBytes: 0, threads: 2, walkHelper: { helperOnly: true } } }), alone, "helper only");
  // Two threads scan such a log with the helper (three leave it to the single-thread scan): a failing helper shows it.
  const failing = await scanFiles([pdsh], { rules, all: true, chunkBytes, parallel: { minBytes: 0, threads: 2, workerCode: 'throw new Error("boom")', walkHelper: { helperOnly: true } } });
  assert.match(failing.files[0]!.problem ?? "", /a scan worker failed: boom/);
  // A corpus entry (Marian's `[2020-05-05 18:48:50] ` on every line) in reads of 200 bytes.
  const marian = path.join(import.meta.dirname, "fixtures/crash-corpus/cuda_oom/marian-270-workspace-9000-cuda-error-2-oom.log");
  const one = await scanFiles([marian], { rules, all: true, chunkBytes: 200, parallel: { threads: 1 } });
  assert.ok(one.findings.length > 0);
  for (const threads of [2, 3]) assert.deepEqual(await scanFiles([marian], { rules, all: true, chunkBytes: 200, parallel: { minBytes: 0, threads } }), one, `Marian, ${threads} threads`);
});
