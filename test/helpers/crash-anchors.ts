/**
 * The minimal anchors a line holds, found as the scanner finds them (agent/crash/rules.ts, minimalIn): the rules'
 * anchor search tried at every position of the lower-cased line. Tests of the candidate path pass these to
 * classifyCandidate / CandidateText.
 */
import type { CompiledRules } from "../../agent/crash/rules.js";

/** The minimal anchors in `lower` (a lower-cased line) of the compiled rules' anchor search. */
export function anchorsOf(rules: CompiledRules, lower: string): string[] {
  const search = rules.anchorSearch!;
  const found: string[] = [];
  search.re.lastIndex = 0;
  for (let m = search.re.exec(lower); m; m = search.re.exec(lower)) {
    found.push(m[0]);
    search.re.lastIndex = m.index + 1;
  }
  return found;
}
