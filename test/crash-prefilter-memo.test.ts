/**
 * The prefilter's memo of line shapes (agent/crash/prefilter.ts, makeRuntime: digitBlind, Memo): a
 * candidate list's digit-blind patterns' "no match" remembered by the line with its digits made "0".
 * - digitBlind says yes only where no character, escape or class of a pattern tells digits apart: on
 *   hand-made patterns both ways, and, for every shipped pattern it calls blind, by brute force (its
 *   answer on corpus and trainer lines is its answer on the same lines with their digits changed);
 * - mayMatch with the memo gives the one-by-one answer on every candidate line of a generated trainer
 *   log (with lines of the same shapes that match) and of every corpus file.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";
import { CAPTURE_PREFIX_SOURCE } from "../agent/crash/capture-prefix.js";
import { buildPrefilter, makeRuntime } from "../agent/crash/prefilter.js";
import { loadRules } from "../agent/crash/rules.js";
import { writeTrainerLog } from "../bench/lib/trainer-log.js";
import { corpusFiles, fixtureFiles } from "./helpers/corpus-files.js";
import { candidateLines, oneByOne } from "./helpers/prefilter-reference.js";

const rules = await loadRules();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-prefilter-memo-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const trainerLog = path.join(tmp, "trainer.log");
writeTrainerLog(trainerLog, 12e6, 7);

const pf = buildPrefilter(rules);
const digitBlind = makeRuntime(pf.spec, pf.patterns.map((p) => p.pattern)).digitBlind;

test("digitBlind: each kind of literal, escape, class and group, both ways", () => {
  const yes: [string, string][] = [
    ["\\d+", ""], ["\\w\\W\\s\\S\\D", ""], ["a.b", "s"], ["[^x]", ""], ["[0-9.]", ""], ["[a-z0-9]{1,32}", "i"], ["x{2,3}y{4}z{5,}", ""],
    ["(?<n1>a)(?:b)", ""], ["(?<=\\d)a(?=\\w)(?!q)(?<!r)", "m"], ["\\x41\\u0042\\n\\t\\0", ""], ["[!-~]", ""], ["[.-9]", ""], ["[\\d-x]", ""],
    ["[]", ""], ["[^]", ""], ["\\bfoo\\B", "i"], ["\\cJ", ""], ["[\\b\\B-z]", ""], ["^a|b$", ""], ["\\.\\-\\/", ""], ["{a}", ""],
  ];
  const no: [string, string][] = [
    ["137", ""], ["[1-9]", ""], ["x1", ""], ["(a)\\1", ""], ["(?<n>a)\\k<n>", ""], ["\\x31", ""], ["\\u0035", ""], ["[\\x30-\\x35]", ""],
    ["a{1a}", ""], ["(?=.*7)", ""], ["(?<!5)x", ""], ["\\d", "u"], ["\\d", "v"], ["[0]", ""], ["\\061", ""], ["[\\1]", ""], ["[0-5a-z]", "i"],
    ["[!-5]", ""], ["[5-z]", ""], ["\\c1", ""], ["\\p{L}", ""], ["a{,5}", ""], ["[a", ""], ["(?i:a)", ""],
  ];
  for (const [s, f] of yes) assert.equal(digitBlind(s, f), true, `/${s}/${f} is digit-blind`);
  for (const [s, f] of no) assert.equal(digitBlind(s, f), false, `/${s}/${f} tells digits apart`);
  assert.equal(digitBlind(CAPTURE_PREFIX_SOURCE, ""), true, "the capture prefix is digit-blind (anchored patterns' retries use the memo)");
});

test("digitBlind: every shipped pattern it calls blind answers the same on lines with their digits changed", () => {
  const lines = new Set<string>();
  for (const file of [...corpusFiles(), ...fixtureFiles()]) for (const l of fs.readFileSync(file, "utf8").split("\n")) if (/[0-9]/.test(l)) lines.add(l);
  const trainer = fs.readFileSync(trainerLog, "utf8").split("\n");
  for (let i = 0; i < trainer.length; i += 97) if (/[0-9]/.test(trainer[i]!)) lines.add(trainer[i]!);
  let seed = 5;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % 10;
  const variants = [...lines].map((l) => [l, l.replace(/[0-9]/g, (d) => String((3 * Number(d) + 7) % 10)), l.replace(/[0-9]/g, () => String(rnd())), l.replace(/[0-9]/g, "0")] as const);
  let blind = 0;
  let matched = 0;
  let differ = 0;
  for (const p of pf.patterns) {
    const re = p.pattern;
    const isBlind = digitBlind(re.source, re.flags);
    if (isBlind) blind++;
    for (const v of variants) {
      const a = v.map((s) => re.test(s));
      if (a[0]) matched++;
      if (a.some((x) => x !== a[0])) {
        assert.equal(isBlind, false, `/${re.source}/${re.flags} judged digit-blind but answers ${a.join("/")} on ${JSON.stringify(v)}`);
        differ++;
      }
    }
  }
  // Worth something only with matches, blind patterns, and patterns the digits do change.
  assert.ok(blind > 500 && matched > 300 && differ > 20, `${blind} blind patterns, ${matched} matches, ${differ} answers changed by the digits`);
});

/**
 * A runtime over pf's patterns with the memo from a list's first line (alternateAfter 1). `asWorker`:
 * makeRuntime evaluated from its source text outside this module, as a parallel scan's workers run it
 * (agent/crash/parallel-scan.ts, WORKER_CODE): everything it calls must be defined inside it.
 */
function memoRuntime(asWorker = false) {
  const make: typeof makeRuntime = asWorker ? vm.runInThisContext(`(() => { const __name = (f) => f; return (${makeRuntime.toString()}); })()`) : makeRuntime;
  return make(pf.spec, pf.patterns.map((p) => p.pattern), undefined, 1);
}

test("mayMatch with the memo: the one-by-one answer on every candidate line of a generated trainer log, with lines of the same shapes that match; also from makeRuntime's source text alone, as a parallel scan's workers run it", () => {
  const res = pf.patterns.map((p) => p.pattern);
  const text = fs.readFileSync(trainerLog, "utf8");
  // The generator's Megatron iteration lines (bench/lib/trainer-log.ts; its logs this small have none),
  // then lines with values a digit-sensitive pattern or a blind one matches, each of the shape of a line
  // before it (`nan iterations:   3` is not blind), with and without a capture prefix.
  let seed = 11;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const megatron: string[] = [];
  for (let step = 74180; step < 77180; step++) {
    const loss = (2 + Math.sin(step / 97) + rnd() * 0.1).toFixed(4);
    megatron.push(` [2025-11-01 16:${String(step % 60).padStart(2, "0")}:41] iteration ${String(step).padStart(8)}/  500000 | consumed samples: ${String(step * 1280).padStart(12)} | elapsed time per iteration (ms): ${(1300 + rnd() * 200).toFixed(1)} | throughput per GPU (TFLOP/s/GPU): ${(180 + rnd() * 15).toFixed(1)} | learning rate: ${(3e-4 * rnd()).toExponential(6).toUpperCase()} | global batch size:  1280 | lm loss: ${Number(loss).toExponential(6).toUpperCase()} | loss scale: 1.0 | grad norm: ${(rnd() * 0.6).toFixed(3)} | number of skipped iterations:   0 | number of nan iterations:   0 |`);
  }
  const variants = megatron.slice(0, 400).flatMap((l) => [
    l.replace(/(nan iterations: +)0/, "$13"),
    l.replace(/(skipped iterations: +)0/, "$17"),
    l.replace(/(loss scale: )1\.0/, "$12.0"),
    l.replace(/(lm loss: )\d\.\d{6}E[-+]\d/, "$1nan        "),
    "[rank3]: " + l,
  ]);
  const lines = candidateLines(pf, text + megatron.join("\n") + "\n" + variants.join("\n") + "\n" + megatron.slice(0, 500).map((l) => l.replace(/(nan iterations: +)0/, "$19")).join("\n") + "\n");
  const rt = memoRuntime();
  const worker = memoRuntime(true);
  let yes = 0;
  let sameShapeYes = 0;
  const noShapes = new Set<string>();
  for (const { line, cand } of lines) {
    const want = oneByOne(res, line, cand);
    assert.equal(rt.mayMatch(line, cand), want, `${JSON.stringify(line)} with [${cand.join(",")}]`);
    assert.equal(worker.mayMatch(line, cand), want, `as a worker runs it: ${JSON.stringify(line)} with [${cand.join(",")}]`);
    const shape = `${cand.join(",")} ${line.replace(/[0-9]/g, "0")}`;
    if (want) {
      yes++;
      if (noShapes.has(shape)) sameShapeYes++;
    } else noShapes.add(shape);
  }
  // Lines that match with the shape of one that does not (what a memo ignoring digitBlind gets wrong).
  assert.ok(sameShapeYes > 300 && yes < lines.length - 1000, `${lines.length} lines, ${yes} matching, ${sameShapeYes} of a shape seen not matching`);
});

test("mayMatch with the memo: the one-by-one answer on every candidate line of every corpus file, each file twice", () => {
  const res = pf.patterns.map((p) => p.pattern);
  let n = 0;
  for (const file of [...corpusFiles(), ...fixtureFiles()]) {
    const rt = memoRuntime();
    const lines = candidateLines(pf, fs.readFileSync(file, "latin1").replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\0+/g, ""));
    for (let round = 0; round < 2; round++) {
      for (const { line, cand } of lines) {
        assert.equal(rt.mayMatch(line, cand), oneByOne(res, line, cand), `${file}: ${JSON.stringify(line)} with [${cand.join(",")}]`);
        n++;
      }
    }
  }
  assert.ok(n > 1000, `${n} candidate lines`);
});
