/**
 * Seventh rules round (issue 10), role A: NaN/Inf, checkpoints, timeouts, exceptions and the traceback
 * parser, widened by family for data not tuned on (phrasings and formats other projects print, found
 * with the search tool in threads the corpus does not hold). Each rule is tried on real lines (where
 * they come from) and on near misses that must not be that rule (null: no rule at all); whole texts
 * check the engine changes.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-seventh-round-a-");

describe("seventh round A, NaN: any loss-like key, any separator, any non-finite spelling", () => {
  const families: Family[] = [
    {
      rule: "nan_loss_metric",
      real: [
        // A prefixed key with the value after spaces (TensorFlow pix2pix-style progress prints).
        ["https://github.com/zhysora/PSGan-Family/issues/10", "discrim_loss nan"],
        // Java/Scala (BigDL) and JSON spell infinity out.
        ["https://github.com/intel/ipex-llm/issues/1486", "2017-08-20 16:11:46 INFO  DistriOptimizer$:295 - [Epoch 64 740096/1281167][Iteration 45459][Wall Clock 197340.717246379s] Train 1792 in 4.006890034seconds. Throughput is 447.22968 records/second. Loss is Infinity. Current learning rate is 0.046281366472703075. Current weight decay is 1.0E-4. Current momentum is 0.9."],
        // Inf on a prefixed key (mmdet's RPN loss), as the user quotes the training log.
        ["https://github.com/open-mmlab/mmdetection/issues/4893", "loss_rpn_bbox: inf"],
        ["https://github.com/hardmaru/write-rnn-tensorflow/issues/38 (title)", "train_loss = inf, valid_loss = inf, time/batch = 0.368"],
        ["https://github.com/valeoai/DADA/issues/14 (title)", "loss_seg_src_main = nan loss_depth_src_main = nan loss_adv_trg_main = nan loss_d_main = nan"],
      ],
      nearMiss: [
        // Initial "best" sentinels are inf in every healthy run (Keras' ModelCheckpoint, early stopping).
        ["Epoch 00001: val_loss improved from inf to 0.86118, saving model to xray_class_my_model.best.hdf5", null],
        ["best_loss: inf", null],
        ["min_val_loss = inf", null],
        ["loss_scale: inf", null],
        // Finite values, and a fairseq validation line whose best_loss is a number.
        ["| epoch 011 | valid on 'valid' subset | loss 3.337 | nll_loss 1.518 | ppl 2.86 | num_updates 90000 | best_loss 3.33733", null],
        ["The model loss is fine but the output image is nan", null],
      ],
    },
    {
      // A progress line whose metrics are all NaN, whatever the trainer names its losses.
      rule: "nan_loss_record",
      real: [
        ["https://github.com/junyanz/pytorch-CycleGAN-and-pix2pix/issues/1220", "(epoch: 1, iters: 100, time: 0.317, data: 2.125) D_A: nan G_A: nan cycle_A: nan idt_A: nan D_B: nan G_B: nan cycle_B: nan idt_B: nan "],
        ["https://github.com/marcoppasini/musika/issues/22", "Epoch 41/250: 100%|████████████████| 9375/9375 [07:11<00:00, 21.73it/s, DR=713, DF=nan, G=nan, GP=2.16e+4, LR=0.0001, TIME=0.0615]"],
      ],
      nearMiss: [
        // Evaluation metrics are nan for classes a validation set lacks (mmsegmentation, healthy runs).
        ["2022-09-16 09:50:50,201 - mmseg - INFO - Iter(val) [199]\taAcc: 0.0000, mIoU: 0.0000, mAcc: 0.0000, IoU.back: 0.0000, IoU.circular_valve: nan, IoU.fire_extinguisher: nan, IoU.straight_valve: nan, IoU.water_hose_box: nan", null],
        ["2021-10-14 18:03:45,350 - mmseg - INFO - Iter(val) [400]\taAcc: 0.9996, mIoU: 0.4998, mAcc: 0.9996, IoU.background: 0.9996, IoU.building: 0.0000, Acc.background: 0.9996, Acc.building: nan", null],
        ["epoch 5 val_acc: nan val_f1: nan", null],
        // One metric nan among finite ones is not a diverged run (a GAN's unused gradient-penalty term).
        ["(epoch: 1, iters: 100, time: 0.317, data: 2.125) D_A: 0.2 G_A: 0.5 cycle_A: nan idt_A: 0.3", null],
      ],
    },
  ];
  testFamilies(rules, families);

  test("a CycleGAN log whose losses are all NaN is a NaN run", async () => {
    const text = [
      "create web directory ./checkpoints\\horse2zebra_pretrained\\web...",
      "(epoch: 1, iters: 100, time: 0.317, data: 2.125) D_A: nan G_A: nan cycle_A: nan idt_A: nan D_B: nan G_B: nan cycle_B: nan idt_B: nan ",
      "(epoch: 1, iters: 200, time: 0.320, data: 0.000) D_A: nan G_A: nan cycle_A: nan idt_A: nan D_B: nan G_B: nan cycle_B: nan idt_B: nan ",
    ].join("\n");
    assert.deepEqual(await primaryOf("cyclegan.log", `${text}\n`), { category: "nan_loss", ruleId: "nan_loss_record" });
  });
});
