/**
 * The crash log files tests may read whole: the tune and heldout entries of the first corpus collection
 * (manifests a and b; the held-back collections are never read by tests of the scanner's mechanics) and
 * the unit fixtures under test/fixtures/crash.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

/** Corpus files of the tune and heldout splits of manifests a and b. */
export function corpusFiles(): string[] {
  const dir = path.join(fixtures, "crash-corpus");
  const out: string[] = [];
  for (const m of ["manifest-a.jsonl", "manifest-b.jsonl"]) {
    for (const line of fs.readFileSync(path.join(dir, m), "utf8").split("\n")) {
      if (!line.trim()) continue;
      const e = JSON.parse(line) as { file: string; split: string };
      if (e.split === "tune" || e.split === "heldout") out.push(path.join(dir, e.file));
    }
  }
  return out;
}

/** Every log file under test/fixtures/crash (not its JSON index or scripts). */
export function fixtureFiles(): string[] {
  const dir = path.join(fixtures, "crash");
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(f).isFile() && !f.endsWith(".json") && !f.endsWith(".sh"));
}
