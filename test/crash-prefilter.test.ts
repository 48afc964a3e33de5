/**
 * The literal prefilter (agent/crash/prefilter.ts) must never change what a scan finds: it only
 * decides which lines are worth running the regexes on. Checked against old-style full matching
 * (every rule on every line) on the real-crash corpus (tune and heldout splits of manifests a and b;
 * the held-back manifests are not read), every crash fixture, a generated multi-framework trainer log
 * and a file of edge cases (ANSI codes inside literals, NULs, progress bars, CRLF, case variants).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildPrefilter, builtPrefilter, deriveFactors, prefilterFor, searchedFactors } from "../agent/crash/prefilter.js";
import { FALLBACK_PRIORITY } from "../agent/crash/failure.js";
import { classifyLine, compileRulesData, loadRules } from "../agent/crash/rules.js";
import { scanFiles } from "../agent/crash/scanner.js";
import type { CrashFinding } from "../agent/crash/types.js";
import { writeTrainerLog } from "../bench/lib/trainer-log.js";
import { corpusFiles, fixtureFiles } from "./helpers/corpus-files.js";

const rules = await loadRules();
const ruleIds = new Set(rules.rules.map((r) => r.id));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-prefilter-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const EDGE_CASES = [
  "step 1 loss=2.31",
  "RuntimeError: CUDA out of \x1b[1;31mmemory\x1b[0m. Tried to allocate 2.00 GiB", // ANSI code inside a literal
  "\0\0\0Segmentation fault (core dumped)", // NUL padding before the line
  "NCCL \x1b[33mWARN\x1b[0m Cuda failure 'out of memory'",
  " 98%|█████████▊| 98/100 [00:40<00:01]\r 99%|█████████▉| 99/100 [00:41<00:00]\rKilled\r",
  "epoch 3 | LOSS IS NAN, STOPPING TRAINING", // ignoreCase rule, upper case
  "cuda OUT OF MEMORY while trying", // case-sensitive literals must not match another case
  "no space left on device", // case-sensitive: the rule says "No space"
  "OSError: [Errno 28] No space left on device\r", // CRLF
  "{'loss': nan, 'grad_norm': inf, 'learning_rate': 1e-05}",
  " iteration      120/  500000 | lm loss: 2.3E+00 | loss scale: 1.0 | grad norm: nan | number of nan iterations:   3 |",
  "进程 已杀死",
  "  已杀死  ",
  "[rank0]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacity of 79.10 GiB",
  "\x1b[31mFatal Python error: Segmentation fault\x1b[0m",
  "Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 1e-10",
  "last line without a newline: exitcode  : -9",
];

interface Classified {
  line: number;
  ruleId: string;
  byteOffset: number | null;
}

/** Old-style full matching: every line through the classifier with every rule. */
function fullMatch(file: string): Classified[] {
  const bytes = fs.readFileSync(file);
  const out: Classified[] = [];
  let start = 0;
  let line = 1;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    let raw = bytes.toString("utf8", start, end);
    if (raw.endsWith("\r")) raw = raw.slice(0, -1);
    const m = classifyLine(rules, raw);
    if (m) out.push({ line, ruleId: m.rule.id, byteOffset: start });
    start = end + 1;
    line++;
  }
  return out;
}

/** The findings rules made (the traceback fallback is not a rule's). */
// A warning with `explains_failure` that a failure after it promotes is in the findings twice: the warning its line
// classified, and its fatal copy (failure.ts, priority FALLBACK_PRIORITY), which is no line's classification.
const promotedCopy = (f: CrashFinding, fs: CrashFinding[]): boolean =>
  f.severity === "fatal" && f.priority === FALLBACK_PRIORITY && fs.some((g) => g !== f && g.severity === "warning" && g.line === f.line && g.ruleId === f.ruleId);
const ruleFindings = (fs: CrashFinding[]): Classified[] => fs.filter((f) => ruleIds.has(f.ruleId) && !promotedCopy(f, fs)).map((f) => ({ line: f.line, ruleId: f.ruleId, byteOffset: f.byteOffset }));

test("the deriver: required strings from literal prefixes, alternations and classes", () => {
  assert.deepEqual(deriveFactors("CUDA out of memory\\. Tried to allocate (?<size>\\d+)", ""), [["CUDA out of memory. Tried to allocate "]]);
  assert.deepEqual(deriveFactors("foo|barbaz", ""), [["foo", "barbaz"]]);
  assert.deepEqual(deriveFactors("\\boutputs? (?:is|are) (?<v>nan|inf)\\b", "i")[0]!.sort(), ["output are inf", "output are nan", "output is inf", "output is nan", "outputs are inf", "outputs are nan", "outputs is inf", "outputs is nan"]);
  assert.deepEqual(deriveFactors("[Ww]ait timeout after \\d+", ""), [["Wait timeout after ", "wait timeout after "]]);
  // Both sides of ".*" are required: a line needs one string of each.
  assert.deepEqual(deriveFactors("loss scale: 1\\.0 \\|.*grad norm: (?:nan|inf)\\b", ""), [["loss scale: 1.0 |"], ["grad norm: nan", "grad norm: inf"]]);
  // Optional parts are never required; a branch without a literal leaves nothing to require.
  assert.deepEqual(deriveFactors("abcd?ef", ""), [["abcef", "abcdef"]]);
  assert.deepEqual(deriveFactors("(?:exit|exited) with (?:exit )?code 137\\b", "")[0]!.every((s) => s.includes("code 137")), true);
  assert.deepEqual(deriveFactors("a|\\d+", ""), []);
  assert.deepEqual(deriveFactors("[abc]+\\d", ""), []);
  assert.deepEqual(deriveFactors("\\d+ GB", ""), [[" GB"]]);
  // Lookarounds are zero-width: what they look at is not part of the match.
  assert.deepEqual(deriveFactors("CUDA error: (?!out of memory)(?<what>[A-Za-z]+)", ""), [["CUDA error: "]]);
  // Syntax the deriver does not know, and unicode mode, make the pattern run on every line.
  assert.deepEqual(deriveFactors("\\p{L}+ crashed", "u"), []);
  assert.deepEqual(deriveFactors("a\\cJb crashed", ""), []);
  // ESC, NUL and "\n" are never literals (the classifier strips ANSI codes and NULs first).
  assert.deepEqual(deriveFactors("\\x1b\\[31mERROR", ""), [["[31mERROR"]]);
  // ignoreCase: lower-cased; a non-ASCII letter with case variants is not a literal.
  assert.deepEqual(deriveFactors("Segmentation Fault", "i"), [["segmentation fault"]]);
  assert.deepEqual(deriveFactors("^\\s*已杀死\\s*$", ""), [["已杀死"]]);
});

test("searched factors: a further factor without a letter is left out beside a strong first one, and no candidate is lost", () => {
  // ": 1" ... ": 9" are in most lines of a trainer log; lines holding "Uncorrectable Error" are few.
  const rowRemap = deriveFactors("^\\s*Uncorrectable Error\\s+: (?<rows>[1-9]\\d*)\\s*$", "");
  assert.equal(rowRemap.length, 2);
  assert.deepEqual(searchedFactors(rowRemap), [["Uncorrectable Error"]]);
  // A further factor with a letter stays ("grad_norm" is in every HF Trainer line; "nan" rules most out).
  assert.deepEqual(searchedFactors([["grad_norm", "grad norm"], ["nan", "inf"]]), [["grad_norm", "grad norm"], ["nan", "inf"]]);
  assert.deepEqual(searchedFactors([["NVRM: Xid ("], ["): 79"], ["GPU "]]), [["NVRM: Xid ("], ["GPU "]]);
  // A first factor under 8 characters is not strong: every factor stays.
  assert.deepEqual(searchedFactors([[" code", " status"], ["139"]]), [[" code", " status"], ["139"]]);
  assert.deepEqual(searchedFactors([]), []);
  // On a text, the line with the first factor alone is a candidate; a line with only ": 1" is not.
  const own = compileRulesData({
    version: 1,
    rules: [{ id: "row_remap_t", category: "gpu_hardware", severity: "error", role: "cause", patterns: ["^\\s*Uncorrectable Error\\s+: (?<rows>[1-9]\\d*)\\s*$"], suggestion: "a test rule for the searched factors" }],
  });
  const pf = buildPrefilter(own);
  assert.deepEqual(pf.patterns[0]!.factors, rowRemap);
  const text = Buffer.from("lm loss: 1.2 | x : 1\n  Uncorrectable Error              : 2\n  Uncorrectable Error  : 0\nnothing\n");
  for (const bulk of [false, true]) {
    const seen: number[] = [];
    pf.scan(text, 0, text.length, (_s, _e, before) => seen.push(before), false, bulk);
    assert.deepEqual(seen, [1, 2], `bulk ${bulk}`);
  }
});

test("a literal hit again on a line: a checked one is checked at every hit, the others count once per line", () => {
  const own = compileRulesData({
    version: 1,
    rules: [
      // Case-sensitive: the search folds case, so each hit of "fatal crash" is checked against the bytes.
      { id: "fatal_t", category: "python_exception", severity: "error", role: "cause", patterns: ["Fatal crash"], suggestion: "a test rule, case-sensitive" },
      { id: "boom_t", category: "python_exception", severity: "error", role: "cause", patterns: ["boom at \\d+"], ignoreCase: true, suggestion: "a test rule, any case" },
    ],
  });
  const pf = buildPrefilter(own);
  const lines = [
    "FATAL CRASH, then Fatal crash", // the first hit fails its check, the second passes
    "fatal crash FATAL CRASH", // no hit passes
    "BOOM at 1 boom at 2",
    "boom at 3", // the same literal on the next line
    "nothing",
    "Fatal crash",
  ];
  const text = Buffer.from(lines.join("\n") + "\n");
  for (const bulk of [false, true]) {
    const seen: number[] = [];
    pf.scan(text, 0, text.length, (_s, _e, before) => seen.push(before), false, bulk);
    assert.deepEqual(seen, [0, 2, 3, 5], `bulk ${bulk}`);
  }
});

test("every built-in pattern gets factors (none has to run on every line)", () => {
  const pf = prefilterFor(rules);
  assert.deepEqual(
    pf.alwaysRun.map((k) => `${rules.rules[pf.patterns[k]!.rule]!.id}: ${pf.patterns[k]!.pattern.source}`),
    [],
  );
  assert.ok(pf.literalCount > 100);
});

test("soundness on real lines: whenever a pattern matches a line, the line holds one string of each of its factors", () => {
  const pf = prefilterFor(rules);
  const ansi = /\x1b\[[0-9;?]*[A-Za-z]/g;
  let matched = 0;
  for (const file of [...corpusFiles(), ...fixtureFiles()]) {
    for (let raw of fs.readFileSync(file, "utf8").split("\n")) {
      raw = raw.replace(ansi, "").replace(/\0+/g, "");
      const lower = raw.toLowerCase();
      for (const seg of raw.split("\r")) {
        for (const p of pf.patterns) {
          if (!p.pattern.test(seg)) continue;
          matched++;
          const hay = p.caseInsensitive ? lower : raw;
          for (const f of p.factors) assert.ok(f.some((s) => hay.includes(s)), `${file}: /${p.pattern.source}/ matches ${JSON.stringify(seg)} but no factor string of ${JSON.stringify(f)} is in the line`);
        }
      }
    }
  }
  assert.ok(matched > 300, `only ${matched} pattern matches on the corpus: the check would prove little`);
});

test("corpus and fixtures: the prefiltered scan finds exactly what full matching finds", async () => {
  const files = [...corpusFiles(), ...fixtureFiles()];
  assert.ok(files.length > 500, `${files.length} files`);
  // Small files use the prefilter once it is built (a fresh process builds it for large texts only).
  prefilterFor(rules);
  let classified = 0;
  for (const file of files) {
    const ref = fullMatch(file);
    classified += ref.length;
    const fast = await scanFiles([file], { rules, all: true });
    // Below the collector's caps every classified line is a finding.
    if (ref.length <= 1000) assert.deepEqual(ruleFindings(fast.findings), ref, file);
    // The whole result (incidents, traceback fallback, primary) is the same as without the prefilter.
    assert.deepEqual(fast, await scanFiles([file], { rules, all: true, prefilter: false }), file);
    assert.deepEqual(await scanFiles([file], { rules }), await scanFiles([file], { rules, prefilter: false }), `${file} (tail)`);
  }
  assert.ok(classified > 500, `only ${classified} classified lines`);
});

test("edge cases: ANSI codes and NULs inside literals, progress bars, CRLF, case variants, no final newline", async () => {
  const file = path.join(tmp, "edge.log");
  fs.writeFileSync(file, EDGE_CASES.join("\n"));
  const ref = fullMatch(file);
  // The cases are only worth something if full matching classifies most of them.
  assert.ok(ref.length >= 10, JSON.stringify(ref));
  for (const chunkBytes of [undefined, 7, 64, 1000]) {
    const opts = chunkBytes ? { rules, all: true, chunkBytes } : { rules, all: true };
    const fast = await scanFiles([file], opts);
    assert.deepEqual(ruleFindings(fast.findings), ref, `chunkBytes ${chunkBytes}`);
    assert.deepEqual(fast, await scanFiles([file], { ...opts, prefilter: false }));
  }
});

test("small texts are classified line by line until the prefilter is built; the results are the same", async () => {
  const fresh = await loadRules();
  const file = path.join(tmp, "small.log");
  fs.writeFileSync(file, EDGE_CASES.join("\n") + "\n");
  const small = await scanFiles([file], { rules: fresh, all: true });
  assert.equal(builtPrefilter(fresh), undefined, "a 1 KB scan built the prefilter");
  prefilterFor(fresh);
  assert.deepEqual(await scanFiles([file], { rules: fresh, all: true }), small);
});

test("a generated multi-framework trainer log: same findings, same primary, same line count", async () => {
  const file = path.join(tmp, "trainer.log");
  const gen = writeTrainerLog(file, 12e6, 7);
  const ref = fullMatch(file);
  const fast = await scanFiles([file], { rules, all: true, chunkBytes: 1 << 20 });
  assert.deepEqual(ruleFindings(fast.findings), ref);
  assert.equal(fast.files[0]!.linesRead, gen.lines);
  assert.equal(fast.primary?.ruleId, gen.crashRuleId);
  assert.equal(fast.primary?.line, gen.crashLine);
  assert.deepEqual(fast, await scanFiles([file], { rules, all: true, chunkBytes: 1 << 20, prefilter: false }));
});

test("a rule the deriver cannot handle still runs on every line", async () => {
  const custom = compileRulesData({
    version: 1,
    rules: [
      { id: "digits_then_caps", category: "python_exception", severity: "error", role: "cause", patterns: ["\\d{3}[A-Z]+!"], suggestion: "a rule with no literal to search for" },
      { id: "literal_rule", category: "disk_full", severity: "error", role: "cause", patterns: ["No space left on device"], suggestion: "free some disk space please" },
    ],
  });
  const pf = prefilterFor(custom);
  assert.equal(pf.alwaysRun.length, 1);
  const file = path.join(tmp, "custom.log");
  fs.writeFileSync(file, ["nothing here", "code 123ABC! raised", "OSError: No space left on device", "ok"].join("\n") + "\n");
  const r = await scanFiles([file], { rules: custom, all: true });
  assert.deepEqual(
    r.findings.map((f) => [f.ruleId, f.line]),
    [
      ["digits_then_caps", 2],
      ["literal_rule", 3],
    ],
  );
});
