/**
 * torchrun names the rank that failed first (`Root Cause (first observed failure)`); when another rank printed its own
 * error after it, the root rank's error is the answer (failure.ts demoteOtherRanksErrors; docs/crash-accuracy.md,
 * twenty-fifth round). Tracebacks without rank tags cannot be told apart
 * and are left as they were (a limit, not tested as an answer).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-root-rank-");

function traceback(tag: string, error: string): string[] {
  return [
    "Traceback (most recent call last):",
    '  File "/workspace/train.py", line 120, in <module>',
    "    main()",
    '  File "/workspace/train.py", line 88, in main',
    "    loss = step(batch)",
    error,
  ].map((l) => tag + l);
}

/** torchrun's summary (torch 2.x elastic `ChildFailedError` table) naming `root` as the first failure and `other` after it. */
function summary(root: number, other: number): string[] {
  return [
    "W0607 10:15:22.101000 140234 torch/distributed/elastic/multiprocessing/api.py:897] Sending process 1234 closing signal SIGTERM",
    `E0607 10:15:22.523000 140234 torch/distributed/elastic/multiprocessing/api.py:869] failed (exitcode: 1) local_rank: ${root} (pid: 1235) of binary: /usr/bin/python3`,
    "Traceback (most recent call last):",
    '  File "/usr/local/bin/torchrun", line 8, in <module>',
    "    sys.exit(main())",
    '  File "/usr/local/lib/python3.10/dist-packages/torch/distributed/launcher/api.py", line 263, in launch_agent',
    "    raise ChildFailedError(",
    "torch.distributed.elastic.multiprocessing.errors.ChildFailedError: ",
    "============================================================",
    "train.py FAILED",
    "------------------------------------------------------------",
    "Failures:",
    "[1]:",
    "  time      : 2024-06-07_10:15:22",
    "  host      : node1",
    `  rank      : ${other} (local_rank: ${other})`,
    "  exitcode  : 1 (pid: 1234)",
    "  error_file: <N/A>",
    "  traceback : To enable traceback see: https://pytorch.org/docs/stable/elastic/errors.html",
    "------------------------------------------------------------",
    "Root Cause (first observed failure):",
    "[0]:",
    "  time      : 2024-06-07_10:15:22",
    "  host      : node1",
    `  rank      : ${root} (local_rank: ${root})`,
    "  exitcode  : 1 (pid: 1235)",
    "  error_file: <N/A>",
    "  traceback : To enable traceback see: https://pytorch.org/docs/stable/elastic/errors.html",
    "============================================================",
  ];
}

const KEY = "KeyError: 'labels'";
const OOM = "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.10 GiB of which 1.02 GiB is free.";
const SHAPE = "ValueError: Expected input batch_size (16) to match target batch_size (15).";
const text = (...parts: string[][]): string => parts.flat().join("\n") + "\n";

test("the root rank's error wins over one another rank printed after it, a rule's or not", async () => {
  const afterOom = await primaryOf("key-then-oom.log", text(traceback("[rank1]: ", KEY), traceback("[rank0]: ", OOM), summary(1, 0)));
  assert.equal(afterOom?.category, "python_exception");
  const afterShape = await primaryOf("key-then-shape.log", text(traceback("[rank1]: ", KEY), traceback("[rank0]: ", SHAPE), summary(1, 0)));
  assert.equal(afterShape?.ruleId, "python_traceback", "rank 1's KeyError, not rank 0's shape mismatch");
});

test("the root rank's own rule finding still names it, printed first or last", async () => {
  const first = await primaryOf("oom-then-key.log", text(traceback("[rank1]: ", OOM), traceback("[rank0]: ", KEY), summary(1, 0)));
  assert.equal(first?.category, "cuda_oom");
  const last = await primaryOf("key-then-oom-root0.log", text(traceback("[rank1]: ", KEY), traceback("[rank0]: ", OOM), summary(0, 1)));
  assert.equal(last?.category, "cuda_oom");
});
