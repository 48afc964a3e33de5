/**
 * What a tail scan of a small log builds of the shipped rules (agent/crash/rules.ts, precompiled rules as the bundle
 * loads them): a rule the text rules out is looked at through its factors alone (ShippedFactors), its spec never
 * parsed; and the anchors' alternation, which a text under ANCHOR_INDEXOF_MAX_CHARS does not run, is not made.
 * Both were most of the cold cost of `check`'s crashes check that did not depend on the text (docs/benchmarks.md,
 * start-up, 2026-12-07 18:40). The findings stay those of the rules read from rules.json
 * (test/crash-rules-shipped.test.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ANCHOR_INDEXOF_MAX_CHARS, BUILTIN_RULES_FILE, compilePrecompiledRules, loadRules, patternFactors, precompileRules, type CompiledRules } from "../agent/crash/rules.js";
import { scanFiles } from "../agent/crash/scanner.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const LOGS = [path.join(ROOT, "examples", "training", "logs", "train.log"), path.join(ROOT, "examples", "training", "training_output.log")];
const pre = await precompileRules(BUILTIN_RULES_FILE);
/** As the bundle holds them: JSON text. */
const shippedJson = JSON.stringify(pre);

/** The shipped rules as a fresh process loads them. */
function freshShipped(): CompiledRules {
  return compilePrecompiledRules(JSON.parse(shippedJson), BUILTIN_RULES_FILE);
}

/** The ids of the rules whose spec JSON.parse gave while `fn` ran, and how many factor lists it gave. */
async function parsedWhile(fn: () => Promise<unknown>): Promise<{ specs: string[]; factorParses: number }> {
  const real = JSON.parse;
  const specs: string[] = [];
  let factorParses = 0;
  JSON.parse = ((text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
    const v = real(text, reviver) as unknown;
    if (v && typeof v === "object" && "spec" in v) specs.push((v as { spec: { id: string } }).spec.id);
    else if (Array.isArray(v) && typeof v[0] === "boolean" && Array.isArray(v[1])) factorParses++;
    return v;
  }) as typeof JSON.parse;
  try {
    await fn();
    return { specs, factorParses };
  } finally {
    JSON.parse = real;
  }
}

test("a tail scan of a small log parses the spec of no rule whose factors no line of it holds", async () => {
  for (const file of LOGS) {
    const text = fs.readFileSync(file, "utf8");
    assert.ok(text.length < ANCHOR_INDEXOF_MAX_CHARS, file);
    const rules = freshShipped();
    let findings = 0;
    const { specs, factorParses } = await parsedWhile(async () => {
      findings = (await scanFiles([file], { rules })).findings.length;
    });
    assert.ok(findings > 0, `${file}: no findings`);
    const lines = text.split("\n");
    const lowerLines = text.toLowerCase().split("\n");
    // A rule's spec is parsed only when one of its patterns may match a line: a string of each factor in that line.
    const needless = specs.filter((id) => {
      const rule = rules.rules.find((r) => r.id === id)!;
      return !rule.patterns.some((p, j) => (p.flags.includes("i") ? lowerLines : lines).some((line) => patternFactors(rule, j).every((set) => set.some((s) => line.includes(s)))));
    });
    assert.deepEqual(needless, [], `${file}: specs parsed of rules no line can match`);
    // The rules its anchors name were looked at, most of them without their spec.
    assert.ok(factorParses > 2 * specs.length, `${file}: ${factorParses} rules looked at, ${specs.length} specs parsed`);
    // And the findings are those of the rules read from rules.json.
    const read = await scanFiles([file], { rules: await loadRules() });
    assert.deepEqual(await scanFiles([file], { rules: freshShipped() }), read);
  }
});

test("the anchors' alternation is made when first used, not at load or by a small text's tail scan", async () => {
  const Real = RegExp;
  let made = 0;
  globalThis.RegExp = new Proxy(Real, {
    construct(target, args: [string | RegExp, string?], newTarget) {
      if (args[0] === pre.search.source) made++;
      return Reflect.construct(target, args, newTarget) as RegExp;
    },
  });
  try {
    const rules = freshShipped();
    assert.equal(made, 0, "made at load");
    for (const file of LOGS) await scanFiles([file], { rules });
    assert.equal(made, 0, "made by a tail scan of a small log");
    const re = rules.anchorSearch!.re;
    assert.equal(made, 1);
    assert.equal(rules.anchorSearch!.re, re, "made once");
    assert.equal(re.source, (await loadRules()).anchorSearch!.re.source);
    assert.equal(re.flags, "g");
  } finally {
    globalThis.RegExp = Real;
  }
});
