/**
 * Benchmark runner (`npm run bench`, not part of `npm test`): runs every bench/*.bench.ts in its own
 * process, one after another (they would disturb each other's timings), and prints their reports.
 * `npm run bench -- crash` runs only the benchmarks whose file name contains "crash";
 * `npm run bench -- crash-accuracy` only the crash-diagnosis accuracy on the real-crash corpus.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

let failed = 0;
for (const f of files) {
  process.stdout.write(`\n=== ${f} ===\n`);
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(here, f)], { stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`${f}: exited with ${r.status ?? r.signal}\n`);
  }
}
process.stdout.write(`\n${files.length - failed} benchmarks ran, ${failed} failed\n`);
process.exitCode = failed ? 1 : 0;
