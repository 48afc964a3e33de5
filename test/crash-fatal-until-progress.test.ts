/**
 * The rule trait `fatal_until_progress` (agent/crash/rules.ts RULE_TRAITS; scanner.ts): a notice printed as the
 * run starts that ends it only when it never got going. torch's warning that the installed build has no kernels for
 * a GPU (`cuda_arch_not_supported`, from tune collections zzq and zzr) is one: on a box with a second, older card
 * that the run does not use, torch warns for that card (torch/cuda/__init__.py `_check_capability` walks every
 * visible device) and training goes on, on the other one. A log that ends at the warning, or in the kernel-image
 * error that follows it, is still a GPU error.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-fatal-until-progress-");

/** torch 2.7's warning for a card the build has no kernels for, as crash-corpus zzr kaggle-docker-python-1546 shows it. */
const WARNING = [
  "/usr/local/lib/python3.12/dist-packages/torch/cuda/__init__.py:435: UserWarning: ",
  "Tesla P100-PCIE-16GB with CUDA capability sm_60 is not compatible with the current PyTorch installation.",
  "The current PyTorch install supports CUDA capabilities sm_70 sm_75 sm_80 sm_86 sm_90 sm_100 sm_120.",
  "If you want to use the Tesla P100-PCIE-16GB GPU with PyTorch, please check the instructions at https://pytorch.org/get-started/locally/",
  "",
  "  queued_call()",
];

test("a log that ends at the warning is a GPU error (the tune entries of zzq and zzr)", async () => {
  for (const file of ["cuda_error/zzq-leggedlab-26-rtx5090-sm120-not-compatible.log", "cuda_error/zzr-kaggle-docker-python-1546-p100-sm60-not-compatible.log"]) {
    assert.deepEqual(await primaryOf(file.replace(/\//g, "_"), corpus(file)), { category: "cuda_error", ruleId: "cuda_arch_not_supported" }, file);
  }
});

test("training that goes on after the warning (the run uses another card) is no crash", async () => {
  const steps = Array.from({ length: 12 }, (_, i) => `{'loss': ${(1.9 - i * 0.05).toFixed(4)}, 'grad_norm': 1.2${i}, 'learning_rate': 1.9e-05, 'epoch': ${((i + 1) / 12).toFixed(2)}}`);
  const text = [...WARNING, ...steps, "{'train_runtime': 812.4, 'train_samples_per_second': 19.7, 'train_loss': 1.61, 'epoch': 1.0}", ""].join("\n");
  assert.equal(await primaryOf("mixed-box.log", text), null);
});

test("a bar that never moved, or a bar drawn again at its count, is not the run going on", async () => {
  const text = [...WARNING, "  0%|          | 0/3000 [00:00<?, ?it/s]", ""].join("\n");
  assert.equal((await primaryOf("bar-at-zero.log", text))?.ruleId, "cuda_arch_not_supported");
});

test("the kernel-image error after the warning is still a GPU error", async () => {
  const text = [
    ...WARNING,
    "Traceback (most recent call last):",
    '  File "/kaggle/working/train.py", line 88, in <module>',
    "    model = model.to(device)",
    "RuntimeError: CUDA error: no kernel image is available for execution on the device",
    "CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.",
    "",
  ].join("\n");
  assert.equal((await primaryOf("kernel-image.log", text))?.category, "cuda_error");
});

test("a fatal finding of another rule after the warning's progress stays the crash", async () => {
  const steps = Array.from({ length: 5 }, (_, i) => `Epoch 1 | Step ${i * 50} | loss: 0.${70 - i}`);
  const text = [...WARNING, ...steps, "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 23.64 GiB of which 1.12 GiB is free.", ""].join("\n");
  assert.equal((await primaryOf("oom-after.log", text))?.category, "cuda_oom");
});
