/**
 * The second pass on a line under a learned capture prefix (agent/crash/scanner.ts, classifyWithoutLearned):
 * a small text's candidate lines try the text without the prefix only against the rules the line's
 * anchors name (classifyCandidate). It must find what classifying that text with every rule finds: each
 * tune and heldout entry, wrapped in each learned capture form (bench/lib/capture-wrap.ts), gives the
 * same findings, primary and incidents through the candidate search as with the prefilter off (every
 * line classified with every rule, the reference).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadCorpus, CORPUS_DIR } from "../bench/crash-accuracy.bench.js";
import { LEARNED_FORMS } from "../bench/lib/capture-wrap.js";
import { learnCapturePrefix } from "../agent/crash/capture-prefix.js";
import { loadRules } from "../agent/crash/rules.js";
import { scanFiles } from "../agent/crash/scanner.js";

const rules = await loadRules();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "crash-learned-candidates-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The whole scan result of `file`, with or without the prefilter, as JSON (two scans of one file must give the same text). */
async function scanned(file: string, prefilter: boolean): Promise<string> {
  const r = await scanFiles([file], { rules, prefilter });
  return JSON.stringify(r);
}

test("under a learned prefix, candidate lines classified without it against their anchors' rules find what every rule finds", async () => {
  const entries = loadCorpus().filter((e) => e.split === "tune" || e.split === "heldout");
  const wrong: string[] = [];
  let learned = 0;
  let withFindings = 0;
  const file = path.join(tmp, "wrapped.log");
  for (const e of entries) {
    const text = fs.readFileSync(path.join(CORPUS_DIR, e.file), "utf8");
    if (text.split("\n").filter((l) => l.trim()).length < 2) continue;
    for (const form of LEARNED_FORMS) {
      const wrapped = form.wrap(text);
      const buf = Buffer.from(wrapped);
      if (!learnCapturePrefix(buf, 0, buf.length)) continue;
      learned++;
      fs.writeFileSync(file, wrapped);
      const fast = await scanned(file, true);
      const every = await scanned(file, false);
      if (fast !== every) wrong.push(`${e.file} in ${form.name}`);
      if (JSON.parse(fast).findings?.length) withFindings++;
    }
  }
  // The corpus is wrapped in a prefix the scanner learns in most cases, and most of those hold findings
  // (a finding there comes from the second pass whenever its rule is anchored at the line's start).
  assert.ok(learned > 2000, `${learned} wrapped entries with a learned prefix`);
  assert.ok(withFindings > 1000, `${withFindings} with findings`);
  assert.deepEqual(wrong, []);
});
