/**
 * Twenty-third rules round (issue 10), part A, on the studied fresh14: from its misses, the readings that hold for
 * logs not seen (docs/crash-accuracy.md, "Twenty-third round, on the studied fresh14", items 480-484).
 * - fairseq (before 0.6) prints `| WARNING: ran out of memory[ on GPU #N], skipping batch` after catching the OOM that
 *   THC printed just above it (`THCudaCheck FAIL ... error=2 : out of memory`) and goes on: the caught OOM is no
 *   crash (the rule's `recovers_above` trait), and a failure after the notice is still reported as that OOM.
 * - torch's device-side assert record `<file>.cu:N: <kernel>: block: [..], thread: [..] Assertion `cond` failed.`
 *   read from its tail too (`] Assertion `cond` failed`, backticks on both sides), when a wrapped or interleaved
 *   paste broke the head off.
 * - DeepFaceLab's iteration line `[hh:mm:ss][#iter][Nms][loss][loss]` with a `[nan]` loss.
 * - NCCL's `Last error:` block quoting its `Failed to CUDA calloc [async] N bytes` WARN, read like the WARN itself.
 * Real lines name where they come from; near misses must not be the rule (null: no rule at all).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twenty-third-round-a-");

describe("twenty-third round (part A): rule families", () => {
  const families: Family[] = [
    {
      rule: "cuda_oom_batch_skipped",
      real: [
        ["crash-corpus zzj fairseq-103, https://github.com/facebookresearch/fairseq/issues/103", "| WARNING: ran out of memory on GPU #2, skipping batch"],
        ["crash-corpus heldout fairseq-168, https://github.com/facebookresearch/fairseq/issues/168", "| WARNING: ran out of memory, skipping batch"],
      ],
      nearMiss: [
        // Later fairseq's notice carries the exception (crash-corpus fairseq-869): the older recovery rule reads it, in
        // either case of `ran` (cuda_oom_alloc / cuda_oom_generic excluded only the capital form, `OOM: Ran out ...`).
        ["| WARNING: ran out of memory with exception: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 7.93 GiB total capacity; 7.20 GiB already allocated; 17.56 MiB free; 46.25 MiB cached);", "cuda_oom_batch_reduced"],
        // The words in the code that prints them, and in prose.
        ["                print('| WARNING: ran out of memory, skipping batch')", null],
        ["I get ran out of memory, skipping batch all the time", null],
      ],
    },
    {
      rule: "cuda_device_assert",
      real: [
        ["crash-corpus zzj habitat-lab-302, https://github.com/facebookresearch/habitat-lab/issues/302 (the record wrapped inside its thread triple)", ",0] Assertion `val >= zero` failed."],
        ["crash-corpus zn-trl-2996 (records of several threads interleaved)", ",0,0] Assertion `srcIndex < srcSelectDimSize` failed."],
        ["crash-corpus zn-trl-2996", "../aten/src/ATen/native/cuda/Indexing.cu:1308: indexSelectLargeIndex] Assertion `srcIndex < srcSelectDimSize` failed."],
      ],
      nearMiss: [
        // glibc's host assert quotes the condition with a backtick and an apostrophe: a native abort, not a kernel's.
        ["python: /build/src/io.cc:88: void read_all(): Assertion `n == size' failed.", null],
        ["[rank0] Assertion `x` is checked at runtime", null],
      ],
    },
    {
      rule: "nan_loss_record",
      real: [
        ["crash-corpus zzj deepfacelab-517, https://github.com/iperov/DeepFaceLab/issues/517 (the rest of the previous line after a carriage return)", "[14:01:30][#1406754][1302ms][nan][nan].4881]"],
      ],
      nearMiss: [
        ["[13:53:35][#1406393][1314ms][0.2449][0.4413]", null],
        ["[14:01:30][#1406754][1302ms][0.2449][0.4413] loss history has nan values", null],
      ],
    },
    {
      // NCCL's ncclGetLastError block (`Last error:` then the last WARN's text) quoting the WARN that cuda_oom_nccl
      // reads in its `NCCL WARN Failed to CUDA calloc N bytes` form (crash-corpus nccl-962, zz-nccl-1235).
      rule: "cuda_oom_nccl",
      real: [
        ["crash-corpus zzh deepspeed-3827, https://github.com/deepspeedai/DeepSpeed/issues/3827 (pdsh's host prefix)", "192.168.1.51: Failed to CUDA calloc async 1920 bytes"],
        ["crash-corpus nccl-962, https://github.com/NVIDIA/nccl/issues/962", "node:2134736:2285781 [0] include/alloc.h:185 NCCL WARN Failed to CUDA calloc 6291456 bytes"],
      ],
      nearMiss: [
        ["ncclInternalError: Internal check failed.", "nccl_error_other"],
        ["Failed to CUDA calloc async 1920 bytes, retrying with a smaller pool", null],
      ],
    },
  ];
  testFamilies(rules, families);

  test("DeepFaceLab 2.0's seconds column and a NaN in the second loss only (the same line shape)", async () => {
    const { classifyLine } = await import("../agent/crash/rules.js");
    assert.equal(classifyLine(rules, "[10:12:01][#004512][0.8123s][0.3120][nan]")?.rule.id, "nan_loss_record");
    assert.equal(classifyLine(rules, "[10:12:01][#004512][0.8123s][0.3120][0.2980]"), null);
  });
});

describe("twenty-third round (part A): whole entries", () => {
  const entries: [string, string, string][] = [
    ["cuda_error/zzj-habitat-lab-302-ppo-reward-nan-multinomial-device-assert.log", "cuda_error", "cuda_device_assert"],
    ["nan_loss/zzj-deepfacelab-517-h128-sae-loss-nan-save-valueerror.log", "nan_loss", "nan_loss_record"],
    // THC's OOM, fairseq's skip notice, then a failure: the failure is reported as the OOM.
    ["cuda_oom/fairseq-168-oom-skip-then-attributeerror.log", "cuda_oom", "cuda_oom_batch_skipped"],
    // NCCL's internal error whose last error is a failed CUDA calloc (the auditor's relabel; a doubt, item 484).
    ["cuda_oom/zzh-deepspeed-3827-zeropp-alltoall-nccl-internal-error.log", "cuda_oom", "cuda_oom_nccl"],
  ];
  for (const [file, category, ruleId] of entries) {
    test(`${file.split("/")[1]} reads ${category} (${ruleId})`, async () => {
      assert.deepEqual(await primaryOf(file.split("/")[1]!, corpus(file)), { category, ruleId });
    });
  }

  test("fairseq's recovered OOM with the progress bar going on is no crash (zzj fairseq-103, the false alarm)", async () => {
    assert.equal(await primaryOf("fairseq-103.log", corpus("none/zzj-fairseq-103-fconv-oom-skipping-batch-training-continues.log")), null);
  });

  test("THC's OOM line without the skip notice just below it stays a crash (texts cut from fairseq-168)", async () => {
    const lines = corpus("cuda_oom/fairseq-168-oom-skip-then-attributeerror.log").split("\n");
    const thc = lines.find((l) => l.startsWith("THCudaCheck FAIL"))!;
    const skip = "| WARNING: ran out of memory, skipping batch";
    // Alone at the end of a log.
    assert.equal((await primaryOf("thc-alone.log", `${lines[0]}\n${thc}\n`))?.category, "cuda_oom");
    // The notice too far below it (another error's caught OOM is not this one): more than RECOVERED_ABOVE_LINES (8)
    // rows, a window that also holds a message and its notice hard-wrapped at 80 columns (zzt minkowskiengine-359).
    const far = [thc, ...Array.from({ length: 8 }, (_, i) => `| epoch 001:   1%| ${8 + i}/820`), skip].join("\n");
    assert.deepEqual(await primaryOf("thc-far.log", `${far}\n`), { category: "cuda_oom", ruleId: "cuda_oom_generic" });
    // Just below it: recovered.
    assert.equal(await primaryOf("thc-near.log", `${thc}\n${skip}\n| epoch 001:   1%| 9/820\n`), null);
  });
});
