/**
 * The whole-file scan of a large log in parallel threads (agent/crash/parallel-scan.ts) and the
 * prefilter's WebAssembly walk (agent/crash/dfa-wasm.ts) must never change what a scan finds: the
 * parallel scan gives the single-thread scan's result, byte for byte (findings, line numbers,
 * incidents, the traceback fallback, the primary), with findings and tracebacks on both sides of every
 * cut; the WebAssembly walk gives the JavaScript walk's candidate lines. Small chunk sizes and a low
 * size threshold put many cuts into small files. A worker that fails, or a file that shrinks under
 * the scan, gives the file a problem and no findings.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { walkerModuleBytes } from "../agent/crash/dfa-wasm.js";
import { WORKER_CODE } from "../agent/crash/parallel-scan.js";
import { buildPrefilter, type Prefilter } from "../agent/crash/prefilter.js";
import { loadRules } from "../agent/crash/rules.js";
import { scanFiles, type ScanOptions } from "../agent/crash/scanner.js";
import { writeTrainerLog } from "../bench/lib/trainer-log.js";

const rules = await loadRules();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-parallel-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Lines the rules classify (errors, warnings, a cause), planted densely so that every cut has findings on both sides. */
const FINDING_LINES = [
  "[rank2]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 2 has a total capacity of 79.10 GiB",
  "OSError: [Errno 28] No space left on device",
  "NCCL \x1b[33mWARN\x1b[0m Cuda failure 'out of memory'",
  "RuntimeError: CUDA out of \x1b[1;31mmemory\x1b[0m. Tried to allocate 2.00 GiB",
  "\0\0\0Segmentation fault (core dumped)",
  "{'loss': nan, 'grad_norm': inf, 'learning_rate': 1e-05}",
  " iteration      120/  500000 | lm loss: 2.3E+00 | loss scale: 1.0 | grad norm: nan | number of nan iterations:   3 |",
  "epoch 3 | LOSS IS NAN, STOPPING TRAINING",
  "Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 1e-10",
];

const TRACEBACK = [
  "Traceback (most recent call last):",
  '  File "/workspace/train.py", line 212, in <module>',
  "    main()",
  '  File "/workspace/train.py", line 190, in main',
  "    batch = next(loader)",
  "ValueError: could not broadcast input array from shape (3,224,224) into shape (3,256,256)",
];

/** A generated trainer log with a finding every `every` lines and a traceback every `tracebackEvery` lines (and at the end). */
function plantedLog(name: string, sizeBytes: number, every: number, tracebackEvery: number, ending = TRACEBACK.join("\n") + "\n", dropCrash = false): string {
  const base = path.join(tmp, `${name}.base`);
  const gen = writeTrainerLog(base, sizeBytes, 11);
  let lines = fs.readFileSync(base, "utf8").split("\n");
  // Without the crash the generator ends in (OOM, NCCL timeouts, torchrun's summary): the file then ends in `ending`.
  if (dropCrash) lines = lines.slice(0, gen.crashLine - 200);
  fs.rmSync(base);
  const out: string[] = [];
  lines.forEach((l, k) => {
    out.push(l);
    if (k % every === every - 1) out.push(FINDING_LINES[(k / every) % FINDING_LINES.length | 0]!);
    if (k % tracebackEvery === tracebackEvery - 1) out.push(...TRACEBACK);
  });
  const file = path.join(tmp, `${name}.log`);
  fs.writeFileSync(file, out.join("\n").replace(/\n+$/, "\n") + ending);
  return file;
}

async function compare(file: string, chunkBytes: number, threadsList: readonly number[], label: string): Promise<void> {
  const single = await scanFiles([file], { rules, all: true, chunkBytes, parallel: { threads: 1 } });
  assert.ok(single.findings.length > 0, `${label}: no findings, the comparison proves little`);
  for (const threads of threadsList) {
    const opts: ScanOptions = { rules, all: true, chunkBytes, parallel: { minBytes: 0, threads } };
    const par = await scanFiles([file], opts);
    assert.deepEqual(par, single, `${label}: ${threads} threads, chunks of ${chunkBytes} bytes`);
  }
}

test("parallel = single thread on a generated log with findings and tracebacks at every cut, for several chunk sizes and thread counts", async () => {
  const file = plantedLog("dense", 3e6, 37, 2500);
  const size = fs.statSync(file).size;
  // Chunk sizes below, around and above what keep() holds (1 MiB), odd ones so that cuts fall anywhere.
  for (const chunkBytes of [65_536, 100_003, 777_777, (1 << 20) + 17, 1_500_000]) await compare(file, chunkBytes, [2, 3, 4], `dense ${size} bytes`);
  // The single-thread result itself is that of classifying every line without the prefilter.
  assert.deepEqual(await scanFiles([file], { rules, all: true, chunkBytes: 100_003, parallel: { minBytes: 0, threads: 3 } }), await scanFiles([file], { rules, all: true, chunkBytes: 100_003, prefilter: false }));
});

test("a traceback spanning the last cuts, a last line without newline, and a last chunk smaller than what keep() holds", async () => {
  // The traceback at the end spans several small chunks; the parser must see all of it.
  const longTraceback = ["Traceback (most recent call last):", ...Array.from({ length: 400 }, (_, k) => `  File "/workspace/m${k}.py", line ${k + 1}, in f${k}\n    g${k}()`), "KeyError: 'labels'"].join("\n");
  // No planted findings here: the traceback the file ends in is what names its failure.
  const file = plantedLog("ending", 2.5e6, 10_000_000, 10_000_000, longTraceback, true);
  for (const chunkBytes of [8_192, 65_536, 1_200_000]) await compare(file, chunkBytes, [2, 4], "traceback at the end");
  const r = await scanFiles([file], { rules, all: true, chunkBytes: 8_192, parallel: { minBytes: 0, threads: 4 } });
  // The traceback parser saw the whole traceback (kept lines from several chunks): its exception is the primary.
  assert.equal(r.primary?.category, "python_exception", JSON.stringify(r.primary));
  assert.match(r.primary?.text ?? "", /KeyError: 'labels'/);
});

test("very long lines: at a cut (the single-thread path takes over), and as the file's last line, with and without newline", async () => {
  const long = "x".repeat(1_500_000);
  for (const [name, ending] of [
    ["long-last-nl", `${FINDING_LINES[1]}\n${long}\n`],
    ["long-last", `${FINDING_LINES[1]}\n${long}`],
    ["long-middle", `${long}\n${FINDING_LINES[0]}\n${TRACEBACK.join("\n")}\n`],
  ] as const) {
    const file = plantedLog(name, 2e6, 53, 100_000, ending);
    for (const chunkBytes of [300_000, 1_100_000, 4 << 20]) await compare(file, chunkBytes, [2, 3], name);
  }
});

test("binary content: the same problem as the single-thread scan, nothing scanned", async () => {
  const file = path.join(tmp, "binary.log");
  const bytes = Buffer.alloc(3_000_000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
  fs.writeFileSync(file, bytes);
  const single = await scanFiles([file], { rules, all: true, chunkBytes: 65_536, parallel: { threads: 1 } });
  assert.match(single.files[0]!.problem ?? "", /looks binary/);
  assert.deepEqual(await scanFiles([file], { rules, all: true, chunkBytes: 65_536, parallel: { minBytes: 0, threads: 2 } }), single);
});

test("a worker that fails or exits: a clear problem for the file, no finding reported from any part of it", async () => {
  const file = plantedLog("failing", 1e6, 41, 100_000);
  for (const [code, message] of [
    ['throw new Error("boom")', /not scanned \(a scan worker failed: boom\); no findings reported for it/],
    ['require("node:worker_threads").parentPort.postMessage({ failed: "no memory" })', /not scanned \(a scan worker failed: no memory\)/],
    ["process.exit(3)", /not scanned \(a scan worker exited \(code 3\) before it reported\)/],
  ] as const) {
    const r = await scanFiles([file], { rules, all: true, chunkBytes: 65_536, parallel: { minBytes: 0, threads: 3, workerCode: code } });
    assert.match(r.files[0]!.problem ?? "", message);
    assert.deepEqual(r.findings, []);
    assert.equal(r.primary, null);
  }
});

test("a file that shrinks while the threads read it: the single-thread scan's problem, no findings", async () => {
  const file = plantedLog("shrinking", 1e6, 41, 100_000);
  // The worker truncates the file before it reads its part (past the first third of the file).
  const code = `require("node:fs").truncateSync(${JSON.stringify(file)}, 1000);\n${WORKER_CODE}`;
  const r = await scanFiles([file], { rules, all: true, chunkBytes: 65_536, parallel: { minBytes: 0, threads: 2, workerCode: code } });
  assert.equal(r.files[0]!.problem, "file shrank while it was read (rotated or truncated?)");
  assert.deepEqual(r.findings, []);
});

/** The candidate lines a prefilter hands on for `text`, with their patterns and cleaned flag. */
function visits(pf: Prefilter, buf: Buffer, start = 0, end = buf.length): string[] {
  const out: string[] = [];
  // bulk: the WebAssembly walk whatever the size (by default it takes texts of 8 MiB or more).
  const n = pf.scan(buf, start, end, (ls, le, before, patterns, cleaned) => out.push(`${ls}-${le} #${before} [${patterns.join(",")}] ${cleaned}`), false, true);
  out.push(`newlines ${n}`);
  return out;
}

test("the WebAssembly walk hands on exactly the JavaScript walk's lines: generated log, planted findings, long lines across blocks, no newline at all", () => {
  const wasm = buildPrefilter(rules);
  const js = buildPrefilter(rules, { wasm: false });
  assert.equal(wasm.spec.walk, undefined, "the walk is built on the first bulk scan, not before");
  assert.ok(wasm.bulkSpec().walk, "WebAssembly is available in Node 20: the walk must be built");
  assert.equal(js.bulkSpec().walk, null);
  const dense = fs.readFileSync(plantedLog("wasm", 2e6, 13, 700));
  const texts: [string, Buffer][] = [
    ["dense log", dense],
    ["a long line across blocks", Buffer.from(`${"ab loss nan ".repeat(60_000)}\n${FINDING_LINES.join("\n")}\n${"\x1b[0m".repeat(100_000)}CUDA out of memory. Tried to allocate 1 GiB\n`)],
    ["no newline", Buffer.from(`${"CUDA error ".repeat(50_000)}No space left on device`)],
    ["empty lines", Buffer.from("\n\n\n\nOSError: [Errno 28] No space left on device\n\n")],
    ["one byte", Buffer.from("x")],
  ];
  for (const [label, buf] of texts) {
    assert.deepEqual(visits(wasm, buf), visits(js, buf), label);
    // A range inside a larger buffer (start, end not at its ends).
    const from = buf.indexOf(0x0a) + 1;
    const to = buf.lastIndexOf(0x0a, buf.length - 2) + 1;
    if (from > 0 && to > from) assert.deepEqual(visits(wasm, buf, from, to), visits(js, buf, from, to), `${label}, a range`);
  }
  // Texts of a few bytes at the start of a buffer whose later bytes hold line breaks (a thread's read
  // buffer holds an earlier, longer chunk after a short one): the cuts must stay inside the text.
  const stale = Buffer.from("x\n" + "OSError: [Errno 28] No space left on device\n".repeat(1000));
  for (const end of [1, 2, 3, 4, 5, 7, 9]) assert.deepEqual(visits(wasm, stale, 0, end), visits(js, stale, 0, end), `a text of ${end} bytes`);
  const candidates = visits(wasm, dense).length;
  assert.ok(candidates > 1000, `only ${candidates} candidate lines: the comparison proves little`);
});

test("the walker module is valid WebAssembly as encoded", () => {
  assert.ok(WebAssembly.validate(walkerModuleBytes()));
});

test("a log that teaches its own capture prefix (pdsh's host names on every line; a real entry's timestamps): the workers retry lines without it as the single-thread scan does", async () => {
  // A trainer log with its own crash cut off, so that the findings are the planted ones below.
  const base = path.join(tmp, "pdsh.base");
  const gen = writeTrainerLog(base, 3e6, 11);
  const lines = fs
    .readFileSync(base, "utf8")
    .split("\n")
    .slice(0, gen.crashLine - 200)
    .filter((l) => l)
    .map((l, i) => (i % 2 ? "worker-1: " : "worker-12: ") + l);
  fs.rmSync(base);
  // In the middle, a line only its text without the learned prefix names (`Bus error (core dumped)` is
  // read at a line's start); at the end, a segfault the kept lines name too.
  const middle = lines.length >> 1;
  lines.splice(middle, 0, "worker-1: Bus error (core dumped)");
  lines.push("worker-1: Segmentation fault (core dumped)");
  const pdsh = path.join(tmp, "pdsh.log");
  fs.writeFileSync(pdsh, lines.join("\n") + "\n");
  const chunkBytes = 400_003;
  const alone = await scanFiles([pdsh], { rules, all: true, chunkBytes, parallel: { threads: 1 } });
  const found = JSON.stringify(alone.findings.map((f) => [f.ruleId, f.line]));
  assert.ok(alone.findings.some((f) => f.ruleId === "segfault_signal" && f.line === middle + 1), found);
  assert.ok(alone.findings.some((f) => f.category === "segfault" && f.line === lines.length), found);
  for (const threads of [2, 3]) assert.deepEqual(await scanFiles([pdsh], { rules, all: true, chunkBytes, parallel: { minBytes: 0, threads } }), alone, `${threads} threads`);
  // Workers run for it (the file's prefix, learned once from its end, is in their repair): one that fails makes the file a problem.
  const failing = await scanFiles([pdsh], { rules, all: true, chunkBytes, parallel: { minBytes: 0, threads: 2, workerCode: 'throw new Error("boom")' } });
  assert.match(failing.files[0]!.problem ?? "", /a scan worker failed: boom/, "failing worker");
  // A corpus entry (Marian's `[2020-05-05 18:48:50] ` on every line) in reads of 200 bytes.
  const marian = path.join(import.meta.dirname, "fixtures/crash-corpus/cuda_oom/marian-270-workspace-9000-cuda-error-2-oom.log");
  const one = await scanFiles([marian], { rules, all: true, chunkBytes: 200, parallel: { threads: 1 } });
  assert.ok(one.findings.length > 0);
  for (const threads of [2, 3]) assert.deepEqual(await scanFiles([marian], { rules, all: true, chunkBytes: 200, parallel: { minBytes: 0, threads } }), one, `Marian, ${threads} threads`);
});
