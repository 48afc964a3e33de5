/**
 * Two cheaper ways of the prefilter (agent/crash/prefilter.ts) to the same answers (issue 13 item 3):
 * - `mayMatch` tests a line's candidate patterns as one alternation per flags (named groups made
 *   plain) where that cannot change the answer: it must say exactly what testing them one by one says;
 * - the WebAssembly walk's rows of one entry per byte value, and of one entry per class, must hand on
 *   exactly the JavaScript walk's lines;
 * - a whole-file scan reads into the walk's memory (Prefilter.lendInput), one scan at a time, while
 *   other scans copy their blocks in front of it: same results, alone or at once.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { walkerModuleBytes } from "../agent/crash/dfa-wasm.js";
import { buildPrefilter, type Prefilter } from "../agent/crash/prefilter.js";
import { compileRulesData, loadRules } from "../agent/crash/rules.js";
import { scanFiles } from "../agent/crash/scanner.js";
import { writeTrainerLog } from "../bench/lib/trainer-log.js";
import { candidateLines, oneByOne } from "./helpers/prefilter-reference.js";

const rules = await loadRules();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-prefilter-alt-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("mayMatch: the answer of the patterns tried one by one, on every candidate line of a generated trainer log and on lines that match", () => {
  // Alternations from a list's first line on (as shipped, from its 4096th).
  const pf = buildPrefilter(rules, { alternateAfter: 1 });
  const res = pf.patterns.map((p) => p.pattern);
  const file = path.join(tmp, "trainer.log");
  writeTrainerLog(file, 12e6, 7);
  const extra = [
    " iteration      120/  500000 | lm loss: 2.3E+00 | loss scale: 1.0 | grad norm: nan | number of nan iterations:   3 |",
    " iteration      121/  500000 | lm loss: 2.3E+00 | loss scale: 1.0 | grad norm: 0.2 | number of nan iterations:   0 |",
    "{'loss': nan, 'grad_norm': inf, 'learning_rate': 1e-05}",
    "[rank3]: 12/40  3.1G  nan  nan  0.1",
    "epoch 3 | LOSS IS NAN, STOPPING TRAINING",
    "step 10: loss nan\r step 11: loss 2.0\r",
    "[rank0]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB.",
  ];
  // Trainer lines near a match (the bench log's Megatron lines are candidates of a dozen patterns), some matching.
  const values = ["1.2E+00", "nan", "inf", "-nan"];
  for (let i = 0; i < 4 * 4 * 2 * 2 * 3; i++) {
    const [v, g, sk, nn, pre] = [values[i % 4], values[(i >> 2) % 4], (i >> 4) % 2, ((i >> 5) % 2) * 3, ["", "[rank3]: ", "worker-1: "][(i >> 6) % 3]];
    extra.push(`${pre} iteration ${1000 + i}/  500000 | lm loss: ${v} | loss scale: ${i % 3 ? "1.0" : "65536.0"} | grad norm: ${g} | number of skipped iterations:   ${sk} | number of nan iterations:   ${nn} |`);
    extra.push(`${pre}{'loss': ${v}, 'grad_norm': ${g}, 'learning_rate': 1e-05, 'epoch': ${i}}`);
  }
  const lines = candidateLines(pf, fs.readFileSync(file, "utf8") + extra.join("\n") + "\n");
  let yes = 0;
  let many = 0;
  for (const { line, cand } of lines) {
    const want = oneByOne(res, line, cand);
    assert.equal(pf.mayMatch(line, cand), want, `${JSON.stringify(line)} with [${cand.join(",")}]`);
    if (want) yes++;
    if (cand.length >= 5) many++;
  }
  // Worth something only with lines of many candidates (the alternations) and both answers.
  assert.ok(many > 100 && yes > 50 && yes < lines.length - 50, `${lines.length} lines, ${many} with 5 candidates or more, ${yes} matching`);
});

test("mayMatch: named groups, backreferences, a group's syntax inside a class, lookbehinds, flags and top-level alternations", () => {
  const patterns: [string, boolean][] = [
    ["(?<v>nan) loss", true],
    ["loss (?<v>inf)", true],
    ["(a)x\\1", false], // backreferences: in an alternation the groups renumber
    ["(b)y\\1", false],
    ["(?<w>c)z\\k<w>", false],
    ["[(?<q>]tail", false], // a class: "(?<q>" is five characters here, not a group
    ["(?<=pre )word", false],
    ["(?<!no )match", false],
    ["one|two", false], // an alternation at the top: the others must not join it
    ["^start", true],
    ["^\\s*Killed", false],
    ["dot.all", true],
    ["UPPER", false],
  ];
  // Rules are case-sensitive or ignore case: patterns of both kinds are tested together.
  const custom = compileRulesData({
    version: 1,
    rules: patterns.map(([source, ignoreCase], k) => ({
      id: `r${k}`,
      category: "python_exception",
      severity: "error",
      role: "cause",
      patterns: [source],
      ignoreCase,
      suggestion: "a test rule, nothing to do",
    })),
  });
  const res = buildPrefilter(custom).patterns.map((p) => p.pattern);
  const all = res.map((_, k) => k);
  const lines = [
    "NaN LOSS",
    "loss INF",
    "axa",
    "by", // (b)y\1 needs "byb"; in an alternation after (a)x\1 its \1 would be group 1, unset, and match
    "bx",
    "czc",
    "cz",
    "<tail",
    "qtail",
    ":tail",
    "pre word",
    "a word",
    "no match",
    "a match",
    "two",
    "ones",
    "start here",
    "[rank3]: Killed",
    "  Killed",
    "dot-all",
    "upper",
    "UPPER",
    "nothing at all",
    "by\rbyb",
    "[rank1]: by",
  ];
  const subsets = [all, all.slice(2, 5), [3], [2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [0, 1, 12], all.filter((k) => k % 2 === 1)];
  // Alternations from a list's first line on, from its second (its first line tested pattern by pattern), as shipped.
  for (const alternateAfter of [1, 2, undefined]) {
    const pf = buildPrefilter(custom, { alternateAfter });
    for (const line of lines) {
      for (const cand of subsets) {
        for (let round = 0; round < 2; round++) assert.equal(pf.mayMatch(line, cand), oneByOne(res, line, cand), `${JSON.stringify(line)} with [${cand.join(",")}], alternations after ${alternateAfter}`);
      }
    }
    assert.equal(pf.mayMatch("by", [2, 3]), false, "(b)y\\1 does not match \"by\"");
    assert.equal(pf.mayMatch("qtail", [0, 5]), true);
  }
});

test("the WebAssembly walk with rows of bytes and with rows of classes, entries of 16 and of 32 bits, hands on the JavaScript walk's lines", () => {
  const js = buildPrefilter(rules, { wasm: false });
  const kinds = ([true, false] as const).flatMap((byteRows) => ([true, false] as const).map((entry16) => ({ byteRows, entry16, pf: buildPrefilter(rules, { byteRows, entry16 }) })));
  for (const { byteRows, entry16, pf } of kinds) {
    const walk = pf.bulkSpec().walk!;
    assert.equal(walk.entry16, entry16);
    assert.equal(walk.rowShift, (byteRows ? 8 : pf.spec.shift) + (entry16 ? 1 : 2));
  }
  const file = path.join(tmp, "walk.log");
  writeTrainerLog(file, 2e6, 9);
  const texts: [string, Buffer][] = [
    ["generated log", fs.readFileSync(file)],
    ["ANSI codes, NULs, upper case and high bytes", Buffer.from("NCCL \x1b[33mWARN\x1b[0m Cuda failure 'out of memory'\n\0\0Segmentation fault\nCUDA OUT OF MEMORY\n进程 已杀死\n\xff\xfe loss nan\n".repeat(2000), "latin1")],
    ["no newline", Buffer.from(`${"CUDA error ".repeat(50_000)}No space left on device`)],
  ];
  const visits = (pf: Prefilter, buf: Buffer): string[] => {
    const out: string[] = [];
    const n = pf.scan(buf, 0, buf.length, (ls, le, before, patterns, cleaned) => out.push(`${ls}-${le} #${before} [${patterns.join(",")}] ${cleaned}`), false, true);
    out.push(`newlines ${n}`);
    return out;
  };
  for (const [label, buf] of texts) {
    const want = visits(js, buf);
    for (const { byteRows, entry16, pf } of kinds) assert.deepEqual(visits(pf, buf), want, `${label}, rows of ${byteRows ? "bytes" : "classes"}, ${entry16 ? 16 : 32}-bit entries`);
  }
  for (const byteRows of [true, false]) for (const rowShift16 of [0, 9]) assert.ok(WebAssembly.validate(walkerModuleBytes(byteRows, rowShift16)));
});

test("lendInput: one holder at a time, inside the walk's memory after the block other scans copy into", () => {
  const pf = buildPrefilter(rules);
  const a = pf.lendInput(4 << 20)!;
  assert.ok(a, "WebAssembly is available in Node 20: the region must be lent");
  const walk = pf.bulkSpec().walk!;
  assert.equal(a.buf.buffer, walk.memory.buffer);
  assert.ok(a.buf.byteOffset >= walk.slotBase + 64 + walk.blockBytes, "in front of it lies where scans of other buffers copy each block");
  assert.equal(pf.lendInput(1024), null, "lent already");
  assert.equal(pf.inputBuffer(1024), null, "the whole input region overlaps the lent part");
  a.giveBack();
  const b = pf.lendInput(1 << 30)!;
  assert.ok(b.buf.length > 0 && b.buf.length <= 4 << 20, "never past the input region");
  b.giveBack();
});

test("whole-file scans in one thread read into the walk's memory: the result without the prefilter, alone and two at once", async () => {
  const files = [path.join(tmp, "big1.log"), path.join(tmp, "big2.log")];
  writeTrainerLog(files[0]!, 9e6, 3);
  writeTrainerLog(files[1]!, 10e6, 4);
  const opts = { rules, all: true, parallel: { threads: 1 } };
  const plain = await Promise.all(files.map((f) => scanFiles([f], { ...opts, prefilter: false })));
  for (let k = 0; k < files.length; k++) assert.deepEqual(await scanFiles([files[k]!], opts), plain[k], `${files[k]} alone`);
  // At once: one reads into the lent region, the other copies its blocks into the same memory between
  // the first one's reads (each awaits its reads, so the two alternate), small reads to alternate often.
  for (const chunkBytes of [1 << 20, 16 << 20]) {
    const both = await Promise.all(files.map((f) => scanFiles([f], { ...opts, chunkBytes })));
    assert.deepEqual(both, plain, `two at once, reads of ${chunkBytes} bytes`);
  }
  assert.ok(plain.every((r) => r.findings.length > 0));
});
