/**
 * Eighth rules round, role D, second part (the lead's decision, 2026-12-06): a log whose last records are
 * two or more fp16 overflows at the loss scale's floor (DeepSpeed's / apex FP16_Optimizer's `Attempted
 * loss scale: 1, reducing to 1`: the scale tried equals the one it falls back to) is a NaN run, although
 * the process may still be running: every step is skipped and the scale cannot go lower, so training
 * makes no progress (`nan_loss_scale_floor_at_end`, agent/crash/diverged-end.ts). Real lines with their
 * threads; near misses (a single floor line, halvings above the floor, a floor run the log goes on past)
 * must stay no crash.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-eighth-round-d2-");
const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (rel: string): string => fs.readFileSync(path.join(here, "fixtures", rel), "utf8");
const AT_END = { category: "nan_loss", ruleId: "nan_loss_scale_floor_at_end" };

// https://github.com/huggingface/transformers/issues/14531 (T5-11B, DeepSpeed ZeRO-2): tqdm's bar and
// DeepSpeed's notice share a line, every step overflowing at the floor.
const T5_FLOOR = [
  "[2021-11-27 00:36:54,800] [INFO] [stage2.py:1628:step] [deepscale] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 1, reducing to 1",
  "  0%|▋                                                                                                                                                                 | 98/24128 [00:40<2:40:10,  2.50it/s][2021-11-27 00:36:55,194] [INFO] [stage2.py:1628:step] [deepscale] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 1, reducing to 1",
  "  0%|▋                                                                                                                                                                 | 99/24128 [00:40<2:39:27,  2.51it/s][2021-11-27 00:36:55,588] [INFO] [stage2.py:1628:step] [deepscale] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 1, reducing to 1",
];

describe("eighth round D2, NaN: a log that ends in overflows at the loss scale's floor", () => {
  test("transformers#14531 (the unit fixture, and fresh6's w entry of the same thread) is a NaN run", async () => {
    assert.deepEqual(await primaryOf("t5.log", fixture("crash/nan_loss/transformers-14531-loss-scale-collapsed.log")), AT_END);
    assert.deepEqual(await primaryOf("t5-w.log", fixture("crash-corpus/nan_loss/w-transformers-14531-loss-scale-stuck-at-1.log")), AT_END);
    assert.deepEqual(await primaryOf("t5-lines.log", `${T5_FLOOR.join("\n")}\n`), AT_END);
  });

  test("the same notice as DeepSpeed's fp16 (non-ZeRO) loss scaler and apex's FP16_Optimizer print it, with a bare tqdm bar after", async () => {
    // https://github.com/deepspeedai/DeepSpeed/pull/1593 quotes transformers#14531's line in the loss_scaler.py form.
    const ds = "[2021-11-27 00:36:55,985] [INFO] [loss_scaler.py:181:update_scale] [deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 1, reducing to 1";
    assert.deepEqual(await primaryOf("ds.log", `${ds}\n${ds}\n  0%|▋      | 100/24128 [00:40<2:39:03,  2.52it/s]\n\n`), AT_END);
    // apex fp16_utils' FP16_Optimizer (the format of transformer-xl#2, a tune entry) with the scale as a float at its floor.
    const apex = "OVERFLOW! Skipping step. Attempted loss scale: 1.0, reducing to 1.0";
    assert.deepEqual(await primaryOf("apex.log", `${apex}\n${apex}\n${apex}\n`), AT_END);
    // A min_loss_scale above 1 is a floor too: the scale tried equals the scale it keeps.
    const min128 = "[2023-06-07 22:20:23,340] [INFO] [loss_scaler.py:181:update_scale] [deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 128, reducing to 128";
    assert.deepEqual(await primaryOf("min128.log", `${min128}\n${min128}\n`), AT_END);
  });

  test("a single floor notice at the end is still only the warning", async () => {
    const r = await primaryOf("one.log", `${T5_FLOOR.slice(-1).join("\n")}\n`);
    assert.equal(r, null);
  });

  test("a floor run that the log goes on past (a finite step, a raised scale, any other record) is no crash", async () => {
    const step = "{'loss': 1.8722, 'learning_rate': 2.9e-05, 'epoch': 0.01}";
    assert.equal(await primaryOf("step.log", `${T5_FLOOR.join("\n")}\n${step}\n`), null);
    // A scaler raising the scale again after a window without overflow (a made-up wording: any record after the run counts).
    const rise = "[2021-11-27 00:40:01,000] [INFO] [stage2.py:1700:step] [deepscale] No Grad overflow for 1000 iterations; increasing loss scale from 1 to 2";
    assert.equal(await primaryOf("rise.log", `${T5_FLOOR.join("\n")}\n${rise}\n`), null);
    // Two floor notices, then a halving from a raised scale: the scale moved again.
    const halve = "[2021-11-27 00:41:00,000] [INFO] [stage2.py:1628:step] [deepscale] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 2, reducing to 1";
    assert.equal(await primaryOf("halve.log", `${T5_FLOOR.join("\n")}\n${halve}\n`), null);
  });

  test("halvings above the floor are the scale's search, healthy (fixtures and tune/fresh6 healthy entries)", async () => {
    // zai-org/CogVideo#233 ("It recovered after few steps"), DeepSpeed#931, DeepSpeed#386: logs that end while the scale still halves.
    for (const rel of [
      "crash/healthy/cogvideo-233-deepspeed-overflow-recovered.log",
      "crash/healthy/deepspeed-931-overflow-hysteresis.log",
      "crash-corpus/none/deepspeed-386-initial-scale-calibration.log",
      "crash-corpus/none/w-deepspeed-931-overflow-at-epoch-start.log",
      // apex amp halving to 1024 (NVIDIA/apex#834) and fairseq halving below 1 then training on (fairseq#515).
      "crash/healthy/apex-834-gradient-overflow-sequence.log",
      "crash-corpus/none/fairseq-515-overflow-loss-scale-recovers.log",
    ]) {
      assert.equal(await primaryOf(path.basename(rel), fixture(rel)), null, rel);
    }
    // Halvings down to 1 (not yet at the floor: 2 -> 1 is one more halving) with nothing after.
    const toOne = [
      "[2024-01-17 10:10:24,477] [INFO] [loss_scaler.py:183:update_scale] [deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 4, reducing to 2",
      "[2024-01-17 10:10:25,080] [INFO] [loss_scaler.py:183:update_scale] [deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 2, reducing to 1",
    ];
    assert.equal(await primaryOf("to-one.log", `${toOne.join("\n")}\n`), null);
    // DeepSpeed's hysteresis notice at scale 1 is not a fall-back to the same scale.
    const hyst = "[2024-11-04 11:41:27,602] [INFO] [loss_scaler.py:190:update_scale] [deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 1, but hysteresis is 2. Reducing hysteresis to 1";
    assert.equal(await primaryOf("hyst.log", `${hyst}\n${hyst}\n`), null);
  });

  test("a failure after the floor run keeps its own finding (the engine only speaks when nothing else does)", async () => {
    // DeepSpeed's own exit at the floor (Chinese-LLaMA-Alpaca#534's exception line) is named by its rule.
    const exit = "Exception: Current loss scale already at minimum - cannot decrease scale anymore. Exiting run.";
    assert.deepEqual(await primaryOf("exit.log", `${T5_FLOOR.join("\n")}\n${exit}\n`), { category: "nan_loss", ruleId: "nan_loss_scale_at_minimum" });
  });
});
