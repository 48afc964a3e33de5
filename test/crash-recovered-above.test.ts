/**
 * scanner.ts demoteRecoveredAbove walks back from each `recovers_above` warning over the few findings just above it
 * (a file's findings are in line order) instead of over all of them (docs/crash-accuracy.md, twenty-fifth round): the
 * same findings become warnings as under the rule's definition, here written out as the full pass per warning.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { demoteRecoveredAbove, RECOVERED_ABOVE_LINES } from "../agent/crash/scanner.js";
import type { CrashFinding } from "../agent/crash/types.js";

const rules = await loadRules();
const recovers = [...rules.traits.recovers_above][0]!;
const recoversCategory = rules.rules.find((r) => r.id === recovers)!.category;

/** The definition: every fatal finding of the warning's category in the RECOVERED_ABOVE_LINES lines above it. */
function reference(findings: CrashFinding[]): void {
  for (const w of findings) {
    if (w.severity !== "warning" || !rules.traits.recovers_above.has(w.ruleId)) continue;
    for (const f of findings) {
      if (f.severity === "warning" || f.category !== w.category || f.line >= w.line || f.line < w.line - RECOVERED_ABOVE_LINES) continue;
      f.severity = "warning";
      f.finalIncident = false;
    }
  }
}

/** Findings in line order (one or two on a line), a fifth of them recovers_above warnings, the rest fatal of two categories. */
function randomFindings(seed: number, count: number): CrashFinding[] {
  let s = seed;
  const next = (): number => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out: CrashFinding[] = [];
  let line = 1;
  for (let i = 0; i < count; i++) {
    line += next() < 0.2 ? 0 : 1 + Math.floor(next() * 6);
    const warning = next() < 0.2;
    const category = warning || next() < 0.6 ? recoversCategory : "python_exception";
    out.push({
      category,
      ruleId: warning ? recovers : "some_rule",
      role: "cause",
      file: "f.log",
      line,
      text: "",
      suggestion: "",
      signature: "",
      severity: warning ? "warning" : "fatal",
      priority: 0,
      byteOffset: null,
      finalIncident: true,
    } as CrashFinding);
  }
  return out;
}

test("demoteRecoveredAbove demotes what its definition does, on 200 random files of findings", () => {
  for (let seed = 1; seed <= 200; seed++) {
    const got = randomFindings(seed, 300);
    const want = randomFindings(seed, 300);
    demoteRecoveredAbove(got, rules.traits);
    reference(want);
    assert.deepEqual(got.map((f) => [f.severity, f.finalIncident]), want.map((f) => [f.severity, f.finalIncident]), `seed ${seed}`);
  }
});
