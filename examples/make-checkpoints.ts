/**
 * Regenerates the example checkpoints of examples/training (and its .config_lock.json) with the same
 * builders the tests use: checkpoint-500 and checkpoint-1000 complete, checkpoint-1500 cut off mid-save
 * (the daemon died while writing model.safetensors, as training_output.log tells).
 * Run from the repository root: `npx tsx examples/make-checkpoints.ts`. Output is deterministic.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { configHash } from "../agent/guard/config.js";
import { writeCheckpoint } from "../test/helpers/checkpoints.js";

const base = path.join(path.dirname(fileURLToPath(import.meta.url)), "training");
const modelDir = path.join(base, "current_model");
const config = JSON.parse(fs.readFileSync(path.join(base, "config.json"), "utf8")) as Record<string, unknown>;

fs.rmSync(modelDir, { recursive: true, force: true });
fs.mkdirSync(modelDir, { recursive: true });
const baseModel = String(config.base_model);
writeCheckpoint(modelDir, { step: 500, kind: "full", baseModel });
writeCheckpoint(modelDir, { step: 1000, kind: "full", baseModel });
// Transformers writes the weights first; the crash came before optimizer, scheduler and trainer state.
writeCheckpoint(modelDir, {
  step: 1500,
  kind: "full",
  baseModel,
  omit: ["optimizer.pt", "scheduler.pt", "rng_state.pth", "trainer_state.json", "training_args.bin"],
  truncate: { "model.safetensors": 2048 }, // header intact, tensor data cut short
});

// Fixed time (before the run's first log line) so regenerating does not change the file.
const lock = { lockedAt: "2026-11-27T22:15:00.000Z", config, configHash: configHash(config) };
fs.writeFileSync(path.join(base, ".config_lock.json"), JSON.stringify(lock, null, 2) + "\n");

let total = 0;
for (const dir of fs.readdirSync(modelDir)) {
  for (const f of fs.readdirSync(path.join(modelDir, dir))) total += fs.statSync(path.join(modelDir, dir, f)).size;
}
process.stderr.write(`wrote ${modelDir} (${total} bytes) and ${path.join(base, ".config_lock.json")}\n`);
