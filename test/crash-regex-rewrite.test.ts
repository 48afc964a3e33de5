/**
 * Patterns of agent/crash/rules.json rewritten to fail faster on the lines they are tried on and do not
 * match (the Megatron iteration lines of a trainer log hold the literal factors of several nan_loss
 * patterns) must give the same result as their former forms on every line: match or not, the match,
 * its position and its groups. Compared line by line on the crash fixtures, the traceback fixtures,
 * the corpus files of the collections open to tuning, a generated trainer log and edge lines made for
 * each rewrite (the cases where the changed part decides).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeTrainerLog } from "../bench/lib/trainer-log.js";

interface RawRule {
  readonly id: string;
  readonly patterns: readonly string[];
  readonly ignoreCase?: boolean;
}

/** A rewrite: the shipped pattern `now` of rule `id` replaced `before`. */
interface Rewrite {
  readonly id: string;
  readonly before: string;
  readonly now: string;
  /** Lines where the rewritten part decides. */
  readonly edges: readonly string[];
}

const megatron = (fields: string) => ` [2025-11-01 16:29:41] iteration    74180/  500000 | consumed samples:     94950400 | ${fields}`;

const REWRITES: readonly Rewrite[] = [
  {
    // The negative lookahead is lazy: it stops at the first "loss: " instead of running to the line's end and back.
    id: "nan_loss_megatron_missing",
    before: String.raw`\biteration\s+\d+/\s*\d+ \|(?!.*loss: )(?=.*\| loss scale: 1\.0 \|(?!.*skipped iterations: +[1-9])|.*\| number of skipped iterations: +0 \|).*$`,
    now: String.raw`\biteration\s+\d+/\s*\d+ \|(?!.*?loss: )(?=.*\| loss scale: 1\.0 \|(?!.*skipped iterations: +[1-9])|.*\| number of skipped iterations: +0 \|).*$`,
    edges: [
      megatron("learning rate: 1.0E-4 | global batch size: 1280 | loss scale: 1.0 | number of skipped iterations:   0 | number of nan iterations:   0 |"),
      megatron("learning rate: 1.0E-4 | lm loss: 2.1E+0 | loss scale: 1.0 | number of skipped iterations:   0 | number of nan iterations:   0 |"),
      megatron("learning rate: 1.0E-4 | loss scale: 1.0 | number of skipped iterations:   3 | number of nan iterations:   3 |"),
      megatron("learning rate: 1.0E-4 | loss scale: 65536.0 | number of skipped iterations:   0 | number of nan iterations:   0 |"),
      megatron("learning rate: 1.0E-4 | loss scale: 65536.0 | number of skipped iterations:   1 | number of nan iterations:   1 |"),
      megatron("loss scale: 1.0 | lm loss: 3.0 |"),
      megatron("loss scale: 1.0 | trailing loss: "),
      megatron("loss scale: 1.0 | loss:  | number of skipped iterations:   0 |"),
      megatron("loss scale: 1.0 |\u2028lm loss: 3.0 |"),
      megatron("loss scale: 1.0 | number of skipped iterations: 0 |\u2029"),
      megatron("loss scale: 1.0 | grad norm: 0.3 | number of skipped iterations:   0 |"),
      "iteration 5/10 | loss scale: 1.0 | iteration 6/10 | number of skipped iterations: 0 | lm loss: 1 |",
      "iteration 5/10 | lm loss: 1 | iteration 6/10 | number of skipped iterations: 0 |",
      "iteration 5/10 |loss: | loss scale: 1.0 |",
      "iteration 5/10 | lm loss:1.0 | loss scale: 1.0 |",
      "iteration 5/10 | lm loss:\u00a01.0 | loss scale: 1.0 |",
      "iteration 5/ 10 | loss scale: 1.0 |",
    ],
  },
  {
    // Each \d+ ends at a non-digit: what follows either number can never start with a digit, so backing
    // off one digit at a time can never lead to a match.
    id: "nan_loss_record",
    before: String.raw`\b(?:step|iter|iteration|epoch)\s*\[?\d+(?:\s*/\s*\d+)?\]?\s*:\s+[-+]?nan(?<=(?<value>nan))\b`,
    now: String.raw`\b(?:step|iter|iteration|epoch)\s*\[?\d+(?!\d)(?:\s*/\s*\d+(?!\d))?\]?\s*:\s+[-+]?nan(?<=(?<value>nan))\b`,
    edges: [
      "step 12: nan",
      "Step 12:  -NaN",
      "iter [3/100]: +nan, lr 1e-4",
      "Epoch 5 / 10 :\tnan",
      "epoch 5/10]: nan",
      "iteration 123456789/ 999: nan loss",
      "iter 7:nan",
      "step 7: nanx",
      "step 7: nan7",
      "step 7 8: nan",
      "steps 7: nan",
      "iteration    74180/  500000 | lm loss: nan |",
      "step12:nan step 13: nan",
      "epoch 1/: nan",
      "epoch 1/2/3: nan",
      "[step 1]: nan",
      "step [1] : NAN",
    ],
  },
];

const rulesFile = JSON.parse(fs.readFileSync(new URL("../agent/crash/rules.json", import.meta.url), "utf8")) as { rules: RawRule[] };

/** Every field of a match that a caller can read: null, or the text, position, numbered and named groups. */
function outcome(re: RegExp, line: string): string {
  const m = re.exec(line);
  return m === null ? "null" : JSON.stringify({ index: m.index, all: [...m], groups: m.groups ?? null });
}

/** Lines of the fixture trees, of the open corpus collections and of a generated trainer log. */
function corpusLines(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) files.push(p);
    }
  };
  const fixtures = new URL("./fixtures/", import.meta.url).pathname;
  walk(path.join(fixtures, "crash"));
  walk(path.join(fixtures, "tracebacks"));
  // The collections whose texts may be read for tuning; the others are measured blind and not read here.
  const corpus = path.join(fixtures, "crash-corpus");
  for (const letter of ["a", "b", "e", "j", "k", "m", "n", "p", "r", "t", "u", "y"]) {
    const manifest = path.join(corpus, `manifest-${letter}.jsonl`);
    if (!fs.existsSync(manifest)) continue;
    for (const row of fs.readFileSync(manifest, "utf8").split("\n")) {
      if (!row.trim()) continue;
      const file = path.join(corpus, (JSON.parse(row) as { file: string }).file);
      if (fs.existsSync(file)) files.push(file);
    }
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-regex-rewrite-"));
  try {
    const log = path.join(tmp, "trainer.log");
    writeTrainerLog(log, 4e6, 13);
    files.push(log);
    const lines: string[] = [];
    for (const f of files) {
      // Lines as the scanner tries them: split at "\n", and a progress bar's "\r" segments too.
      for (const line of fs.readFileSync(f, "utf8").split("\n")) {
        const l = line.endsWith("\r") ? line.slice(0, -1) : line;
        lines.push(l);
        if (l.includes("\r")) lines.push(...l.split("\r"));
      }
    }
    return lines;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const lines = corpusLines();

for (const rw of REWRITES) {
  test(`${rw.id}: the rewritten pattern is shipped and matches as its former form did on every line`, () => {
    const rule = rulesFile.rules.find((r) => r.id === rw.id);
    assert.ok(rule, `rule ${rw.id} is shipped`);
    assert.ok(rule.patterns.includes(rw.now), `${rw.id} ships the rewritten pattern`);
    assert.ok(!rule.patterns.includes(rw.before), `${rw.id} no longer ships the former pattern`);
    const flags = rule.ignoreCase ? "i" : "";
    const before = new RegExp(rw.before, flags);
    const now = new RegExp(rw.now, flags);
    let matched = 0;
    for (const line of [...rw.edges, ...lines]) {
      const a = outcome(before, line);
      assert.equal(outcome(now, line), a, `${rw.id} on ${JSON.stringify(line.slice(0, 300))}`);
      if (a !== "null") matched++;
    }
    // The comparison means something only if both outcomes occur among the lines.
    assert.ok(matched > 0, `${rw.id}: some line matches`);
    assert.ok(matched < lines.length, `${rw.id}: some line does not match`);
  });
}
