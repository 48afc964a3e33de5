/**
 * Shared by the rule-family tests: each family names a rule, real lines (with where they come from)
 * that must match it, and near misses that must match another rule or none. Also a whole-text scan
 * that returns the primary finding, for tests of the root-cause choice.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { classifyLine, type CompiledRules } from "../../agent/crash/rules.js";
import { scanFiles } from "../../agent/crash/scanner.js";

export interface Family {
  rule: string;
  /** [where the line comes from, the line] */
  real: [string, string][];
  /** [line, the rule it must be instead (null: none)] */
  nearMiss: [string, string | null][];
}

/** One test per family: its real lines match its rule, its near misses do not. */
export function testFamilies(rules: CompiledRules, families: readonly Family[]): void {
  for (const fam of families) {
    test(`${fam.rule}: real lines match; near misses do not`, () => {
      assert.ok(rules.rules.some((r) => r.id === fam.rule), `no rule ${fam.rule}`);
      for (const [from, line] of fam.real) assert.equal(classifyLine(rules, line)?.rule.id, fam.rule, `${from}: ${line}`);
      for (const [line, want] of fam.nearMiss) assert.equal(classifyLine(rules, line)?.rule.id ?? null, want, line);
    });
  }
}

/** A scanner of whole texts (written to a temporary folder removed after the file's tests) returning the primary finding. */
export function primaryScanner(rules: CompiledRules, prefix: string): (name: string, text: string) => Promise<{ category: string; ruleId: string } | null> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  return async (name, text) => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, text);
    const r = await scanFiles([file], { rules });
    return r.primary ? { category: r.primary.category, ruleId: r.primary.ruleId } : null;
  };
}

/** The text of a corpus excerpt, by its path under test/fixtures/crash-corpus (`CATEGORY/ID.log`). */
export function corpus(file: string): string {
  return fs.readFileSync(path.join(import.meta.dirname, "..", "fixtures", "crash-corpus", file), "utf8");
}
