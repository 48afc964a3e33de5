/**
 * The small-text path of the scanner (a tail scan, or any text below the prefilter's size before the
 * prefilter is built): one anchor search over the whole text picks the candidate lines, and a candidate
 * runs only the patterns whose factors it holds (agent/crash/rules.ts, classifyCandidate). It must find
 * exactly what classifying every line finds (`prefilter: false`, classifyLine on every line), and the
 * binary check, counted with native searches, must give the former byte loop's verdict.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { builtPrefilter } from "../agent/crash/prefilter.js";
import { CandidateText, classifyCandidate, classifyLine, compileRulesData, loadRules } from "../agent/crash/rules.js";
import { binaryProblem, scanFiles } from "../agent/crash/scanner.js";
import { anchorsOf } from "./helpers/crash-anchors.js";
import { corpusFiles, fixtureFiles } from "./helpers/corpus-files.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-candidates-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Lines where a whole-text search could differ from a per-line one, each next to a line a rule matches. */
const EDGE_LINES = [
  "RuntimeError: CUDA out of \x1b[1;31mmemory\x1b[0m. Tried to allocate 2.00 GiB", // ANSI code inside a literal
  "\0\0\0Segmentation fault (core dumped)",
  "Segmentation fault\0 (core dumped)",
  // The only anchor appears once the ANSI code or the NUL is removed.
  "Segmen\x1b[0mtation fa\x1b[0mult (core d\x1b[0mumped)",
  "Segmen\0tation fa\0ult (core d\0umped)",
  "Kil\x1b[0mled",
  " 98%|█████████▊| 98/100 [00:40<00:01]\r 99%|█████████▉| 99/100 [00:41<00:00]\rKilled\r",
  "progress\rRuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB\rnext",
  "OSError: [Errno 28] No space left on device\r", // CRLF
  // Lower-casing that changes the length ("İ" becomes two characters) before an anchor, and a final sigma.
  "İİİİ RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB ΟΔΟΣ",
  "ΣΣ Killed",
  "{'loss': nan, 'grad_norm': inf, 'learning_rate': 1e-05}",
  "{'loss': 2.1, 'grad_norm': 0.5, 'learning_rate': 1e-05}",
  "epoch 3 | LOSS IS NAN, STOPPING TRAINING", // ignoreCase rule, upper case
  "cuda OUT OF MEMORY while trying", // case-sensitive literals must not match another case
  "\u212Aelvin sign: \u212Ailled", // lower-cases to ASCII "k": only more candidates
  "进程 已杀死",
  // Texts with characters above U+00FF are searched in a one-byte copy (low bytes): a tqdm bar before
  // findings, a wide anchor after one, characters whose low bytes spell "killed" (only more candidates).
  " 31%|███       | 1532/5000 [31:04<1:10:21,  1.22s/it]torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB",
  "段错误 (核心已转储)",
  "\u016b\u0169\u026c\u026c\u0165\u0264 \u016b\u0169\u026c\u026c\u0165\u0264: 9",
  "bad bytes \xff\xfe then Killed",
  "torch.distributed.elastic.multiprocessing.errors.ChildFailedError: exitcode  : -9",
];

/** UTF-8, but for the line with raw bytes 0xff 0xfe (invalid UTF-8), written as is. */
const bytesOf = (l: string): Buffer => Buffer.from(l, l.includes("\xff") ? "latin1" : "utf8");

async function same(file: string, label: string): Promise<void> {
  // Fresh rules: their prefilter is never built (every text here is small), so the candidate path runs.
  const rules = await loadRules();
  const fast = await scanFiles([file], { rules, all: true });
  assert.equal(builtPrefilter(rules), undefined, `${label}: the prefilter was built; the candidate path did not run`);
  assert.deepEqual(fast, await scanFiles([file], { rules, all: true, prefilter: false }), label);
  assert.deepEqual(await scanFiles([file], { rules, lastNLines: 200 }), await scanFiles([file], { rules, lastNLines: 200, prefilter: false }), `${label} (tail)`);
}

test("corpus and fixtures: the candidate lines give exactly the findings of classifying every line", async () => {
  const files = [...corpusFiles(), ...fixtureFiles()];
  assert.ok(files.length > 500, `${files.length} files`);
  const rules = await loadRules();
  let findings = 0;
  for (const file of files) {
    const ref = await scanFiles([file], { rules, all: true, prefilter: false });
    findings += ref.findings.length;
    assert.deepEqual(await scanFiles([file], { rules, all: true }), ref, file);
    assert.deepEqual(await scanFiles([file], { rules }), await scanFiles([file], { rules, prefilter: false }), `${file} (tail)`);
  }
  assert.equal(builtPrefilter(rules), undefined, "a corpus file built the prefilter: the candidate path was not what ran");
  assert.ok(findings > 500, `only ${findings} findings: the comparison would prove little`);
});

test("edge cases: ANSI codes and NULs inside literals, progress bars, CRLF, length-changing lower case, invalid UTF-8", async () => {
  const file = path.join(tmp, "edge.log");
  fs.writeFileSync(file, Buffer.concat(EDGE_LINES.map((l, i) => Buffer.concat([bytesOf(l), Buffer.from(i < EDGE_LINES.length - 1 ? "\n" : "")]))));
  const rules = await loadRules();
  const ref = await scanFiles([file], { rules, all: true, prefilter: false });
  // Worth something only if most edge lines are findings.
  assert.ok(ref.findings.length >= 10, JSON.stringify(ref.findings.map((f) => [f.line, f.ruleId])));
  await same(file, "edge cases");
  // Every line alone, and each with the others before it (a whole-text search spans lines).
  for (const l of EDGE_LINES) {
    const one = path.join(tmp, "one.log");
    fs.writeFileSync(one, Buffer.concat([bytesOf(l), Buffer.from("\n"), bytesOf(l)]));
    await same(one, JSON.stringify(l));
  }
});

test("a long trainer log: a pattern's lines found from its rarest factor, and by intersecting when every factor is common", async () => {
  // Every step line holds "loss", one of the NaN rules' factors. With a few NaN lines their lines are found
  // from the rare factor ("nan" or "inf"); with NaN on most lines every factor is common.
  const step = (i: number, value: string) => `{'loss': ${value}, 'grad_norm': 0.774, 'learning_rate': 1.64e-05, 'epoch': ${(i / 100).toFixed(2)}}`;
  for (const [name, nanEvery] of [["few", 97], ["most", 2]] as const) {
    const lines = Array.from({ length: 400 }, (_, i) => step(i, i % nanEvery === nanEvery - 1 ? "nan" : (2 + Math.sin(i)).toFixed(4)));
    const file = path.join(tmp, `trainer-${name}.log`);
    fs.writeFileSync(file, lines.join("\n") + "\n");
    const ref = await scanFiles([file], { rules: await loadRules(), all: true, prefilter: false });
    assert.ok(ref.findings.some((f) => f.category === "nan_loss"), `${name}: ${JSON.stringify(ref.findings.map((f) => f.ruleId))}`);
    await same(file, name);
  }
});

test("classifyCandidate gives classifyLine's result on every corpus line, with the anchors of the line or more, alone or as part of its file", async () => {
  const rules = await loadRules();
  const search = rules.anchorSearch!;
  const extra = [...search.rulesOf.keys()].slice(0, 5);
  let matched = 0;
  for (const file of [...corpusFiles(), ...fixtureFiles()]) {
    const content = fs.readFileSync(file, "utf8");
    const whole = new CandidateText(rules, content, content.toLowerCase());
    let index = -1;
    for (let raw of content.split("\n")) {
      index++;
      if (raw.endsWith("\r")) raw = raw.slice(0, -1);
      const ref = classifyLine(rules, raw);
      if (ref) matched++;
      const found = anchorsOf(rules, raw.toLowerCase());
      if (!found.length && !ref) continue;
      const got = classifyCandidate(rules, raw, found);
      assert.equal(got?.rule.id, ref?.rule.id, `${file}: ${JSON.stringify(raw)}`);
      assert.deepEqual(got?.match, ref?.match);
      assert.equal(whole.classify(index, raw, found)?.rule.id, ref?.rule.id, `${file} (whole): ${JSON.stringify(raw)}`);
      // More anchors than the line holds only widen the rules tried.
      assert.equal(classifyCandidate(rules, raw, [...found, ...extra])?.rule.id, ref?.rule.id);
    }
  }
  assert.ok(matched > 500, `only ${matched} classified lines`);
});

test("CandidateText.mayMatch: the same answer in any order of the lines asked, and true for every line a rule its anchors name matches", async () => {
  // mayMatch looks at the rules an anchor names only as far as the first that may match the line asked, and
  // keeps their lines per anchor: a later question must still walk on when that union lacks its line.
  const rules = await loadRules();
  let asked = 0;
  let matched = 0;
  let differentOrders = 0;
  for (const file of [...corpusFiles(), ...fixtureFiles()]) {
    const content = fs.readFileSync(file, "utf8");
    const lower = content.toLowerCase();
    const lines: { index: number; raw: string; found: string[] }[] = [];
    content.split("\n").forEach((raw, index) => {
      if (raw.endsWith("\r")) raw = raw.slice(0, -1);
      const found = anchorsOf(rules, raw.toLowerCase());
      if (found.length && !/[\r\x1b\0]/.test(raw)) lines.push({ index, raw, found });
    });
    if (!lines.length) continue;
    const answers = (order: typeof lines) => {
      const text = new CandidateText(rules, content, lower);
      return new Map(order.map((l) => [l.index, text.mayMatch(l.index, l.found)]));
    };
    const inOrder = answers(lines);
    const reversed = answers([...lines].reverse());
    // Every other line first, then the rest: a union grown by the first half is asked about the second.
    const interleaved = answers([...lines.filter((_, k) => k % 2 === 1), ...lines.filter((_, k) => k % 2 === 0)]);
    for (const l of lines) {
      asked++;
      assert.equal(reversed.get(l.index), inOrder.get(l.index), `${file}:${l.index + 1} (reversed)`);
      assert.equal(interleaved.get(l.index), inOrder.get(l.index), `${file}:${l.index + 1} (interleaved)`);
      if (classifyLine(rules, l.raw)) {
        matched++;
        assert.equal(inOrder.get(l.index), true, `${file}:${l.index + 1}: ${JSON.stringify(l.raw)} matches but mayMatch says no`);
      }
    }
    if ([...inOrder.values()].some((v) => v) && [...inOrder.values()].some((v) => !v)) differentOrders++;
  }
  // Worth something only with many lines asked, many matching, and files where mayMatch says both yes and no.
  assert.ok(asked > 2000 && matched > 500 && differentOrders > 100, `${asked} asked, ${matched} matched, ${differentOrders} files with both answers`);
});

test("a rules file of the user's: factors derived when first needed, an unanchored rule classifies every line", async () => {
  const custom = compileRulesData({
    version: 1,
    rules: [
      { id: "digits_then_caps", category: "python_exception", severity: "error", role: "cause", patterns: ["\\d{3}[A-Z]+!"], suggestion: "a rule with no literal to search for" },
      { id: "literal_rule", category: "disk_full", severity: "error", role: "cause", patterns: ["No space left on (?<what>device|disk)"], exclude: ["harmless"], suggestion: "free some disk space on the {what}" },
    ],
  });
  const anchored = compileRulesData({
    version: 1,
    rules: [{ id: "literal_rule", category: "disk_full", severity: "error", role: "cause", patterns: ["No space left on (?<what>device|disk)"], exclude: ["harmless"], suggestion: "free some disk space on the {what}" }],
  });
  const file = path.join(tmp, "custom.log");
  fs.writeFileSync(file, ["nothing here", "code 123ABC! raised", "OSError: No space left on device", "No space left on disk (harmless)", "ok"].join("\n") + "\n");
  for (const rules of [custom, anchored]) {
    const r = await scanFiles([file], { rules, all: true });
    assert.deepEqual(r, await scanFiles([file], { rules, all: true, prefilter: false }));
    assert.ok(r.findings.some((f) => f.ruleId === "literal_rule" && f.line === 3 && f.suggestion === "free some disk space on the device"));
    assert.ok(!r.findings.some((f) => f.line === 4));
  }
  assert.deepEqual(
    (await scanFiles([file], { rules: custom, all: true })).findings.map((f) => [f.ruleId, f.line]),
    [
      ["digits_then_caps", 2],
      ["literal_rule", 3],
    ],
  );
});

/** The byte loop binaryProblem had, as the reference. */
function binaryProblemReference(buf: Buffer): string | null {
  const n = Math.min(buf.length, 64 * 1024);
  let nul = 0;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = buf[i]!;
    if (b === 0) nul++;
    else if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d && b !== 0x1b) control++;
  }
  const textBytes = n - nul;
  if (textBytes === 0) return null;
  const decoded = new TextDecoder("utf-8").decode(buf.subarray(0, n), { stream: true });
  let invalid = 0;
  for (let i = decoded.indexOf("\uFFFD"); i !== -1; i = decoded.indexOf("\uFFFD", i + 1)) invalid++;
  const share = (control + invalid) / textBytes;
  return share > 0.05 ? `looks binary (${Math.round(share * 100)}% control bytes or invalid UTF-8 in the first ${n} bytes read); not scanned` : null;
}

test("binaryProblem: the same verdict and message as the byte loop, for text, binary and everything between", () => {
  // Pieces that matter: text, multi-byte characters (cut anywhere), U+FFFD as written, invalid bytes, control bytes, NULs.
  const pieces = ["log line 12 loss=0.3\n", "█▊", "已杀死", "😀", "\uFFFD", "\t\x1b[31m\r\x0b\x0c"].map((s) => Buffer.from(s, "utf8"));
  const raw = [Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xe2, 0x96]), Buffer.from([0xf0, 0x9f, 0x98]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xc0, 0xaf]), Buffer.from([0x01, 0x02, 0x1f]), Buffer.alloc(5)];
  const piece = fc.oneof(fc.constantFrom(...pieces, ...raw), fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)));
  let binary = 0;
  let text = 0;
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 200 }), fc.integer({ min: 0, max: 3 }), (parts, grow) => {
      let buf = Buffer.concat(parts);
      // Also around the 64 KiB sample limit, where a character may be cut.
      if (grow) buf = Buffer.concat([Buffer.alloc(64 * 1024 - grow - 1, "a"), Buffer.from("€😀"), buf]);
      const want = binaryProblemReference(buf);
      if (want) binary++;
      else text++;
      assert.equal(binaryProblem(buf), want);
    }),
    { numRuns: 600 },
  );
  assert.ok(binary > 50 && text > 50, `binary ${binary}, text ${text}: both verdicts must be exercised`);
});
