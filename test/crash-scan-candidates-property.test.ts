/**
 * Property check of the small-text path's line search (agent/crash/rules.ts, CandidateText: a pattern's lines
 * found from its rarest factor below MANY_OCCURRENCES occurrences, else by intersecting; mayMatch's per-anchor
 * union of lines) against classifying every line alone, on generated texts rather than the corpus alone:
 * factors cut at a line's very start or end, CRLF, empty lines, a finding line repeated past the 64-occurrence
 * threshold, lines glued from pieces of two findings (a rule with several factors split over lines).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { CandidateText, classifyLine, loadRules, type CompiledRules } from "../agent/crash/rules.js";
import { scanFiles } from "../agent/crash/scanner.js";
import { anchorsOf } from "./helpers/crash-anchors.js";
import { corpusFiles } from "./helpers/corpus-files.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-candidates-prop-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Lines of the corpus a rule matches (the pieces texts are built from), and a few healthy ones sharing their words. */
function findingLines(rules: CompiledRules): string[] {
  const out = new Set<string>();
  for (const file of corpusFiles()) {
    for (let raw of fs.readFileSync(file, "utf8").split("\n")) {
      if (raw.endsWith("\r")) raw = raw.slice(0, -1);
      if (raw.length < 400 && !/[\r\x1b\0]/.test(raw) && classifyLine(rules, raw)) out.add(raw);
    }
  }
  return [...out].sort();
}

const HEALTHY = [
  "{'loss': 2.1034, 'grad_norm': 0.774, 'learning_rate': 1.64e-05, 'epoch': 0.12}",
  "epoch 3 step 120 loss 0.2314 lr 3e-4",
  "",
  "   ",
  "Warning: CUDA error handling is enabled",
];

/** A generated text: lines from pieces of finding lines (cut anywhere, glued in twos), some repeated many times, LF or CRLF. */
function textArbitrary(pool: readonly string[]) {
  const piece = fc.tuple(fc.constantFrom(...pool), fc.nat(), fc.nat()).map(([l, a, b]) => {
    const from = Math.min(a, b) % (l.length + 1);
    const to = from + (Math.max(a, b) % (l.length + 1 - from));
    return to - from > 3 ? l.slice(from, to) : l;
  });
  const line = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...pool) },
    { weight: 2, arbitrary: piece },
    { weight: 2, arbitrary: fc.tuple(piece, fc.constantFrom("", " ", ": "), piece).map(([a, s, b]) => a + s + b) },
    { weight: 1, arbitrary: fc.constantFrom(...HEALTHY) },
  );
  const block = fc.tuple(line, fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 60, max: 90 }) }));
  return fc.tuple(fc.array(block, { minLength: 1, maxLength: 14 }), fc.boolean(), fc.boolean()).map(([blocks, crlf, finalBreak]) => {
    const lines = blocks.flatMap(([l, n]) => Array.from({ length: n }, () => l));
    const eol = crlf ? "\r\n" : "\n";
    return lines.join(eol) + (finalBreak ? eol : "");
  });
}

test("CandidateText.classify and mayMatch give classifyLine's verdict on every line of generated texts", async () => {
  const rules = await loadRules();
  const pool = [...findingLines(rules), ...HEALTHY];
  assert.ok(pool.length > 300, `only ${pool.length} finding lines`);
  let matched = 0;
  let repeated = 0;
  fc.assert(
    fc.property(textArbitrary(pool), (content) => {
      const lower = content.toLowerCase();
      const whole = new CandidateText(rules, content, lower);
      const raws = content.split("\n");
      const seen = new Map<string, number>();
      // Ask in reverse order too: mayMatch keeps per anchor the union of the lines looked at so far.
      const order = raws.map((_, k) => k);
      for (const index of [...order.filter((k) => k % 2 === 1), ...order.filter((k) => k % 2 === 0).reverse()]) {
        let raw = raws[index]!;
        if (raw.endsWith("\r")) raw = raw.slice(0, -1);
        seen.set(raw, (seen.get(raw) ?? 0) + 1);
        const ref = classifyLine(rules, raw);
        const found = anchorsOf(rules, raw.toLowerCase());
        if (ref) {
          matched++;
          assert.equal(whole.mayMatch(index, found), true, `mayMatch says no to ${JSON.stringify(raw)}`);
        }
        if (!found.length) continue;
        const got = whole.classify(index, raw, found);
        assert.equal(got?.rule.id, ref?.rule.id, JSON.stringify(raw));
        assert.deepEqual(got?.match, ref?.match, JSON.stringify(raw));
      }
      if ([...seen.values()].some((n) => n >= 64)) repeated++;
    }),
    { numRuns: 300, seed: 20261207 },
  );
  // Worth something only if many lines matched and many texts crossed the 64-occurrence threshold.
  assert.ok(matched > 1000 && repeated > 30, `${matched} matched lines, ${repeated} texts with a line 64 times or more`);
});

test("scanFiles on generated texts: the candidate path gives the findings of classifying every line, whole and tail", async () => {
  const rules = await loadRules();
  const pool = [...findingLines(rules), ...HEALTHY];
  const file = path.join(tmp, "generated.log");
  let findings = 0;
  await fc.assert(
    fc.asyncProperty(textArbitrary(pool), async (content) => {
      fs.writeFileSync(file, content);
      // Fresh rules each time: no prefilter is built for such small texts, so the candidate path runs.
      const fresh = await loadRules();
      const ref = await scanFiles([file], { rules: fresh, all: true, prefilter: false });
      findings += ref.findings.length;
      assert.deepEqual(await scanFiles([file], { rules: fresh, all: true }), ref);
      assert.deepEqual(await scanFiles([file], { rules: fresh, lastNLines: 50 }), await scanFiles([file], { rules: fresh, lastNLines: 50, prefilter: false }));
    }),
    { numRuns: 40, seed: 7 },
  );
  assert.ok(findings > 100, `only ${findings} findings`);
});
