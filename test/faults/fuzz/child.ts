/**
 * One fuzz target in its own process: `node --import tsx test/faults/fuzz/child.ts TARGET SEED SCALE`.
 * Prints one JSON line (TargetResult) on stdout. The parent kills it at its wall-clock limit, which is
 * what turns a parser stuck in a loop into a failure instead of a hung suite.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runTarget } from "./targets.js";

const [name = "", seedText = "1", scaleText = "1"] = process.argv.slice(2);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ts-fuzz-${name}-`));
try {
  const result = await runTarget(name, { dir, seed: Number(seedText), scale: Number(scaleText) || 1 });
  process.stdout.write(JSON.stringify(result) + "\n");
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
