/** Crash signatures (grouping the same crash across hosts) and history fingerprints. */
import { sha256Hex } from "../lib/sha256.js";
import { ESCAPE_SEQUENCES } from "./capture-prefix.js";

const PATH = /(?:[A-Za-z]:)?(?:[\\/][\w.@+~-]+){2,}[\\/]?/g;
// "336.00 MiB" and "4.35 GiB" are the same failure at another size.
const SIZE = /\b\d+(?:\.\d+)?\s?[KMGTPE]i?B\b/gi;
// Any token holding a digit: numbers, sizes, pids, PCI ids, IPs, hostnames like "gpu-node-17". Tokens
// are matched whole and then tested for a digit: `[^...]*\d[^...]*` backtracks over every start of a
// long token without one (a 34 KB token took 0.6 s; found by the fuzz suite, seed 660848).
const TOKEN = /[^\s'"(),=<>[\]{}]+/g;
const DIGIT = /\d/;

/** Text with everything host- or run-specific replaced (paths, numbers, addresses), lower-cased. */
export function normalizeForSignature(text: string): string {
  return text
    .replace(ESCAPE_SEQUENCES, "")
    .replace(PATH, "<path>")
    .replace(SIZE, "<size>")
    .replace(TOKEN, (t) => (DIGIT.test(t) ? "#" : t))
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
}

/**
 * Short hex digest: the first hexChars of the SHA-256 of text's UTF-8 bytes, as node:crypto gives it, in
 * plain JS: a scan that records nothing then never loads node:crypto (docs/benchmarks.md, start-up, 2026-12-06 02:40).
 */
export function shortHash(text: string, hexChars = 12): string {
  return sha256Hex(Buffer.from(text, "utf8")).slice(0, hexChars);
}

/**
 * Stable signature of a classified line: category/ruleId/hash of the normalized matched text.
 * Only the part the rule matched is hashed, so host prefixes (hostnames, ranks, timestamps) around
 * it do not split identical crashes on different hosts.
 */
export function crashSignature(category: string, ruleId: string, matchedText: string): string {
  return `${category}/${ruleId}/${shortHash(`${category}\n${ruleId}\n${normalizeForSignature(matchedText)}`)}`;
}
