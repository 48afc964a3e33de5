/**
 * Every shipped crash rule has a literal anchor (issue 13 item 2). A rule without one is tried on every
 * line (rules.ts, AnchorSearch.always), and then a tail scan can no longer skip lines without a
 * candidate: every line of the tail is decoded and classified in full. One such pattern (a new
 * nan_loss_metric alternative whose only plain text was `kl`, shorter than an anchor) took `crash scan
 * --file` of the startup bench's 29 KB log from 66.5 to 78.2 ms of CPU (1.47x to 1.73x `node -e 0`,
 * goal 1.5x; docs/benchmarks.md, start-up, 2026-12-06 10:55), and `check` with it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadRules } from "../agent/crash/rules.js";

test("every shipped crash rule has an anchor, so a tail scan skips the lines that hold none", async () => {
  const rules = await loadRules();
  const unanchored = rules.unanchored.map((r) => r.id);
  assert.deepEqual(unanchored, [], `rules without a literal of 3 or more characters that every match contains (outside optional parts and alternatives): ${unanchored.join(", ")}`);
  assert.deepEqual(rules.anchorSearch?.always, []);
  for (const r of rules.rules) assert.ok(r.anchors && r.anchors.length > 0, r.id);
});
