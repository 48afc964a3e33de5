/**
 * The anchor search of a small text (agent/crash/rules.ts, forEachAnchor): a text shorter than
 * ANCHOR_INDEXOF_MAX_CHARS is searched with one indexOf per minimal anchor instead of the anchors' alternation,
 * whose first run is a compile of ~640 alternatives (~1.6-1.9 ms of a fresh process: most of what a tail scan of
 * `check`'s 4 KB log pays for its candidate lines). It must find what the alternation finds, hit for hit and in
 * order, on every corpus file and fixture (whole, and cut to small pieces), and a small log's tail scan must not
 * run the alternation at all.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadCorpus, CORPUS_DIR } from "../bench/crash-accuracy.bench.js";
import { ANCHOR_INDEXOF_MAX_CHARS, forEachAnchor, loadRules, type AnchorSearch } from "../agent/crash/rules.js";
import { scanFiles } from "../agent/crash/scanner.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const rules = await loadRules();
const search = rules.anchorSearch!;

/** The alternation's hits, tried at every position (as rules.ts minimalIn does). */
function byAlternation(s: AnchorSearch, hay: string): string[] {
  const out: string[] = [];
  const re = new RegExp(s.re.source, "g");
  for (let m = re.exec(hay); m; m = re.exec(hay)) {
    out.push(`${m.index}:${m[0]}`);
    re.lastIndex = m.index + 1;
  }
  return out;
}

function byForEach(s: AnchorSearch, hay: string): string[] {
  const out: string[] = [];
  forEachAnchor(s, hay, (pos, anchor) => out.push(`${pos}:${anchor}`));
  return out;
}

function logsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...logsUnder(p));
    else if (e.name.endsWith(".log")) out.push(p);
  }
  return out;
}

test("a small text's anchors found one indexOf per anchor are the alternation's hits, in order, on every corpus file and fixture", () => {
  const files = [...loadCorpus().map((e) => path.join(CORPUS_DIR, e.file)), ...logsUnder(path.join(ROOT, "test", "fixtures", "crash")), ...logsUnder(path.join(ROOT, "examples"))];
  let small = 0;
  let hits = 0;
  const wrong: string[] = [];
  for (const file of files) {
    const lower = fs.readFileSync(file, "utf8").toLowerCase();
    // As candidateLines searches it: one byte a character (a character above U+00FF replaced by its low byte).
    const hay = Buffer.from(lower, "latin1").toString("latin1");
    const pieces = hay.length < ANCHOR_INDEXOF_MAX_CHARS ? [hay] : [hay.slice(0, ANCHOR_INDEXOF_MAX_CHARS - 1), hay.slice(-(ANCHOR_INDEXOF_MAX_CHARS - 1)), hay.slice(0, 100_000)];
    for (const piece of pieces) {
      const want = byAlternation(search, piece);
      const got = byForEach(search, piece);
      if (piece.length < ANCHOR_INDEXOF_MAX_CHARS) small++;
      hits += want.length;
      if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`${path.relative(ROOT, file)} (${piece.length} chars): ${got.length} hits, want ${want.length}`);
    }
  }
  assert.ok(small > 4000, `${small} small texts`);
  assert.ok(hits > 30_000, `${hits} hits`);
  assert.deepEqual(wrong, []);
});

test("a tail scan of a small log does not run the anchors' alternation, and finds what classifying every line finds", async () => {
  const file = path.join(ROOT, "examples", "training", "logs", "train.log");
  assert.ok(fs.statSync(file).size < ANCHOR_INDEXOF_MAX_CHARS);
  const own = await loadRules();
  const re = own.anchorSearch!.re;
  let runs = 0;
  const exec = re.exec;
  re.exec = function (this: RegExp, s: string) {
    runs++;
    return exec.call(this, s);
  };
  try {
    const fast = await scanFiles([file], { rules: own });
    assert.equal(runs, 0, "the alternation ran");
    assert.ok(fast.findings.length > 0);
    const every = await scanFiles([file], { rules: own, prefilter: false });
    assert.equal(JSON.stringify(fast), JSON.stringify(every));
  } finally {
    re.exec = exec;
  }
});
