/**
 * torchrun's failure table cut before its root cause (traceback.ts torchrunFailures): the `Failures:` section lists
 * every failed rank but the one that failed first (torch/distributed/elastic/multiprocessing/errors ChildFailedError
 * format_msg puts that one under `Root Cause`), so a rank read from it must not be taken for the first failure: its
 * exception would win over the real root cause's, and the other ranks' errors would be read as its consequences.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-torchrun-failures-");

/** Composed from torchrun's formats (rank prefixes of torchrun --local-ranks-filter, the table's template). */
const RANK1_LOST_PEER = [
  "[rank1]: Traceback (most recent call last):",
  '[rank1]:   File "/home/u/train.py", line 131, in <module>',
  "[rank1]:     loss.backward()",
  "[rank1]: torch.distributed.DistBackendError: [1] is setting up NCCL communicator and retrieving ncclUniqueId from [0] via c10d key-value store by key '0', but store->get('0') got error: Connection reset by peer",
];
const RANK0_ROOT = [
  "[rank0]: Traceback (most recent call last):",
  '[rank0]:   File "/home/u/train.py", line 120, in <module>',
  "[rank0]:     batch = next(it)",
  '[rank0]:   File "/home/u/data.py", line 44, in __getitem__',
  '[rank0]:     return self.items[idx]["image"]',
  "[rank0]: KeyError: 'image'",
];
const TABLE_CUT = [
  "Traceback (most recent call last):",
  '  File "/usr/bin/torchrun", line 8, in <module>',
  "    sys.exit(main())",
  "torch.distributed.elastic.multiprocessing.errors.ChildFailedError: ",
  "============================================================",
  "train.py FAILED",
  "------------------------------------------------------------",
  "Failures:",
  "[1]:",
  "  time      : 2024-03-01_10:00:05",
  "  host      : node1",
  "  rank      : 1 (local_rank: 1)",
  "  exitcode  : 1 (pid: 4102)",
  "  error_file: <N/A>",
  "  traceback : To enable traceback see: https://pytorch.org/docs/stable/elastic/errors.html",
  "------------------------------------------------------------",
];

test("a rank listed under Failures is not the first failure: the root cause's exception printed after its own stays the failure", async () => {
  const text = [...RANK1_LOST_PEER, ...RANK0_ROOT, ...TABLE_CUT].join("\n") + "\n";
  const withoutTable = [...RANK1_LOST_PEER, ...RANK0_ROOT].join("\n") + "\n";
  assert.equal((await primaryOf("without-table.log", withoutTable))?.category, "python_exception");
  assert.equal((await primaryOf("failures-cut.log", text))?.category, "python_exception");
});

test("the section alone still reports the failed rank's exit status (no exception of any rank in the log)", async () => {
  assert.deepEqual(await primaryOf("failures-only.log", TABLE_CUT.join("\n") + "\n"), { category: "python_exception", ruleId: "launcher_failure" });
});
