/**
 * The shipped form's rules (deploy/build.mjs puts precompileRules' result into the bundle): each rule is
 * built from a small head at load and parsed in full only when a line first needs it. Loaded so, the
 * rules must be the rules read from rules.json: the same fields, anchors, factors and search, and the
 * same findings on every line of the corpus and the fixtures; and a load must parse no rule's body.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BUILTIN_RULES_FILE, classifyLine, compilePrecompiledRules, loadRules, patternFactors, precompileRules, type CompiledRules } from "../agent/crash/rules.js";
import { scanFiles } from "../agent/crash/scanner.js";
import { corpusFiles, fixtureFiles } from "./helpers/corpus-files.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-shipped-rules-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** JSON.parse calls made while `fn` runs. */
function jsonParses<T>(fn: () => T): { value: T; parses: number } {
  const real = JSON.parse;
  let parses = 0;
  JSON.parse = ((text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
    parses++;
    return real(text, reviver);
  }) as typeof JSON.parse;
  try {
    return { value: fn(), parses };
  } finally {
    JSON.parse = real;
  }
}

function ruleFields(rules: CompiledRules) {
  return rules.rules.map((r, i) => ({
    id: r.id,
    category: r.category,
    severity: r.severity,
    role: r.role,
    priority: r.priority,
    traits: [...r.traits],
    source: r.source,
    suggestion: r.suggestion,
    anchors: r.anchors && [...r.anchors],
    patterns: r.patterns.map((p) => `/${p.source}/${p.flags}`),
    exclude: r.exclude.map((p) => `/${p.source}/${p.flags}`),
    factors: r.patterns.map((_, j) => patternFactors(rules.rules[i]!, j)),
  }));
}

test("precompiled rules load without parsing any rule, and are the rules of rules.json", async () => {
  const read = await loadRules();
  const pre = await precompileRules(BUILTIN_RULES_FILE);
  // As the bundle holds them: JSON text.
  const shippedJson = JSON.stringify(pre);
  const { value: shipped, parses } = jsonParses(() => compilePrecompiledRules(JSON.parse(shippedJson), BUILTIN_RULES_FILE));
  assert.equal(parses, 1, "only the table itself is parsed at load");
  assert.equal(shipped.rules.length, read.rules.length);
  assert.deepEqual([...shipped.unanchored].map((r) => r.id), [...read.unanchored].map((r) => r.id));
  assert.deepEqual(Object.fromEntries(Object.entries(shipped.traits).map(([k, v]) => [k, [...v]])), Object.fromEntries(Object.entries(read.traits).map(([k, v]) => [k, [...v]])));
  assert.equal(shipped.incidentGapLines, read.incidentGapLines);
  assert.deepEqual(shipped.exclude.map(String), read.exclude.map(String));
  assert.equal(shipped.anchorSearch?.re.source, read.anchorSearch?.re.source);
  assert.deepEqual([...(shipped.anchorSearch?.rulesOf ?? [])], [...(read.anchorSearch?.rulesOf ?? [])]);
  assert.deepEqual(shipped.anchorSearch?.always, read.anchorSearch?.always);
  // Reading the heads' fields parses nothing either.
  const heads = jsonParses(() => shipped.rules.map((r) => [r.id, r.category, r.severity, r.role, r.priority, r.traits, r.source]));
  assert.equal(heads.parses, 0);
  assert.deepEqual(ruleFields(shipped), ruleFields(read));
  assert.ok(shipped.rules.every((r) => Object.isFrozen(r) && Object.isFrozen(r.traits) && (r.anchors === null || Object.isFrozen(r.anchors))));
  // Non-ASCII text in a rule (localised kill messages) survives the ASCII escaping of the bodies.
  assert.ok(pre.bodies.every((b) => /^[\x00-\x7f]*$/.test(b)));
  assert.ok(read.rules.some((r) => r.patterns.some((p) => /[^\x00-\x7f]/.test(p.source))));
});

test("precompiled rules give the findings of the rules read from rules.json on the corpus and the fixtures", async () => {
  const read = await loadRules();
  const shipped = compilePrecompiledRules(JSON.parse(JSON.stringify(await precompileRules(BUILTIN_RULES_FILE))), BUILTIN_RULES_FILE);
  const files = [...corpusFiles(), ...fixtureFiles()];
  let lines = 0;
  for (const file of files) {
    // Whole files, through the tail scan's candidate path (each with fresh rules: first use in a process).
    for (const all of [false, true]) {
      const a = await scanFiles([file], { rules: read, all });
      const b = await scanFiles([file], { rules: shipped, all });
      assert.deepEqual(b, a, `${file} (${all ? "whole" : "tail"})`);
    }
    for (const line of fs.readFileSync(file, "utf8").split("\n").slice(0, 400)) {
      lines++;
      const a = classifyLine(read, line);
      const b = classifyLine(shipped, line);
      assert.equal(b?.rule.id, a?.rule.id, line);
      assert.deepEqual(b?.match && [...b.match], a?.match && [...a.match], line);
    }
  }
  assert.ok(files.length > 500 && lines > 4000, `${files.length} files, ${lines} lines`);
});

test("precompiled rules with an extra rules file: tried first, ids checked against the shipped ones", async () => {
  const pre = JSON.parse(JSON.stringify(await precompileRules(BUILTIN_RULES_FILE)));
  const extra = {
    version: 1,
    rules: [{ id: "site_gpu_fence", category: "gpu_hardware", severity: "fatal", role: "cause", patterns: ["GPU fence timeout on (?<gpu>\\S+)"], suggestion: "The site's GPU fence timed out on {gpu}; drain the node." }],
  };
  const file = path.join(tmp, "extra.json");
  fs.writeFileSync(file, JSON.stringify(extra));
  const read = await loadRules(file);
  const shipped = compilePrecompiledRules(pre, BUILTIN_RULES_FILE, extra, file);
  assert.deepEqual(ruleFields(shipped), ruleFields(read));
  for (const line of ["GPU fence timeout on gpu3", "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB", "Segmentation fault (core dumped)", "all fine"]) {
    assert.equal(classifyLine(shipped, line)?.rule.id, classifyLine(read, line)?.rule.id, line);
  }
  assert.equal(classifyLine(shipped, "GPU fence timeout on gpu3")?.rule.id, "site_gpu_fence");
  const dup = { version: 1, rules: [{ ...extra.rules[0], id: "cuda_oom_alloc" }] };
  assert.throws(() => compilePrecompiledRules(pre, BUILTIN_RULES_FILE, dup, file), /duplicate rule id "cuda_oom_alloc"/);
});
