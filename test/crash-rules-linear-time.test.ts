/**
 * No shipped rule pattern takes time quadratic in a line's length. A pattern whose match may start anywhere in a
 * run of the characters it begins with (`\S+\.so`, `\d+ +Erreur`) retries from every position of a long run when
 * it fails, and a long run is what a log line with carriage-return redraws, a base64 blob or a hex dump is: the
 * fault suite's fuzzing found `import_native_library` taking 2.3 s on a 53 KB line (seed 862575). Such a pattern
 * starts at the run's first character instead (`(?<!\S)`, `(?<!\d)`), which changes no match: the leftmost match
 * of a pattern that begins with a greedy run already starts there.
 *
 * Each pattern is run on long runs of one or two characters. A linear pattern takes well under a millisecond per
 * 40 000 characters; a quadratic one takes hundreds, so the bound (100 ms) holds on a loaded machine without
 * letting a quadratic pattern through.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";

const rules = await loadRules();
const LENGTH = 40_000;
const RUNS = ["A", "a", "1", " ", "/", ".", "-", "=", "a ", "1 ", "a:", "[", "|", "\t", "0.1 "];
const BOUND_MS = 100;

test("every rule pattern and exclude runs in linear time on long runs of a character", () => {
  const patterns = [
    ...rules.rules.flatMap((r) => [...r.patterns, ...r.exclude].map((re) => ({ where: r.id, re }))),
    ...rules.exclude.map((re, i) => ({ where: `exclude[${i}]`, re })),
  ];
  assert.ok(patterns.length > 500, `only ${patterns.length} patterns`);
  const slow: string[] = [];
  for (const run of RUNS) {
    const text = run.repeat(Math.ceil(LENGTH / run.length));
    for (const { where, re } of patterns) {
      const fresh = new RegExp(re.source, re.flags.replace("g", ""));
      const t0 = performance.now();
      fresh.test(text);
      const ms = performance.now() - t0;
      if (ms > BOUND_MS) slow.push(`${where} /${re.source.slice(0, 80)}/ on ${JSON.stringify(run)} x ${LENGTH / run.length}: ${ms.toFixed(0)} ms`);
    }
  }
  assert.deepEqual(slow, []);
});
