/**
 * The reference the prefilter's cheaper ways of answering are held to (test/crash-prefilter-alternation,
 * test/crash-prefilter-memo): `mayMatch` as first written, the line's candidate patterns tested one by
 * one, and the candidate lines a prefilter hands on for a text.
 */
import { CAPTURE_PREFIX_SOURCE } from "../../agent/crash/capture-prefix.js";
import type { Prefilter } from "../../agent/crash/prefilter.js";

const capturePrefix = new RegExp(CAPTURE_PREFIX_SOURCE);
/** The patterns tried on a line's text without its capture prefix too (as makeRuntime picks them). */
const bodyOnly = (re: RegExp) => /(?:^|[^\\[])\^|\(\?<[=!]|\\B/.test(re.source);

/** mayMatch as it was first written, pattern by pattern. */
export function oneByOne(res: readonly RegExp[], line: string, cand: readonly number[]): boolean {
  const segments = line.split("\r");
  for (const k of cand) {
    const re = res[k]!;
    if (re.global || re.sticky) return true;
    for (const s of segments) if (re.test(s)) return true;
  }
  const m = cand.some((k) => bodyOnly(res[k]!)) ? capturePrefix.exec(segments[0]!) : null;
  if (!m) return false;
  const body = segments[0]!.slice(m[0].length);
  return cand.some((k) => bodyOnly(res[k]!) && res[k]!.test(body));
}

/** Every candidate line of `text` with the patterns the prefilter hands on for it. */
export function candidateLines(pf: Prefilter, text: string): { line: string; cand: number[] }[] {
  const buf = Buffer.from(text);
  const out: { line: string; cand: number[] }[] = [];
  pf.scan(buf, 0, buf.length, (ls, le, _before, patterns) => out.push({ line: buf.toString("utf8", ls, le).replace(/\r$/, ""), cand: [...patterns] }));
  return out;
}
