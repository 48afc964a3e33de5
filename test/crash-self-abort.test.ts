/**
 * A process that aborts itself after printing why (issue 10): `Fatal Python error: Aborted` (rule
 * segfault_fatal_python_abort, trait `self_abort`) is the abort, and the error printed just above it is the cause
 * (agent/crash/failure.ts choosePrimary). NCCL's watchdog is the common case: its collective timeout is a symptom
 * rule, so before this the abort below it won and the log read `segfault`. Real lines: the corpus entry
 * zzg-discuss-pytorch-187207 (torch 2.0, discuss.pytorch.org/t/187207) and the torch 2.2+ watchdog's abort block as
 * NovaSky-AI/SkyRL#757 and vllm-project/vllm#6042 show it (a C++ stack between the timeout and the abort).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { scanFiles } from "../agent/crash/scanner.js";

const CORPUS = path.join(import.meta.dirname, "fixtures/crash-corpus");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "self-abort-"));

async function primaryOf(lines: readonly string[]) {
  const file = path.join(tmp, `log-${Math.random().toString(36).slice(2)}.log`);
  fs.writeFileSync(file, lines.join("\n") + "\n");
  return (await scanFiles([file])).primary;
}

const WATCHDOG = "[rank0]:[E1206 13:01:41.231000 959049 ProcessGroupNCCL.cpp:632] [Rank 0] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=1201, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600074 milliseconds before timing out.";
/** torch 2.2+: the watchdog's exception with its C++ frames, terminate's what(), then faulthandler's abort. */
const ABORT_BLOCK = [
  WATCHDOG,
  "[rank0]:[E1206 13:01:41.236000 959049 ProcessGroupNCCL.cpp:1664] [PG 0 (default_pg) Rank 0] Exception (either an error or timeout) detected by watchdog at work: 1201, last enqueued NCCL work: 1201, last completed NCCL work: 1200.",
  "[rank0]:[E1206 13:01:41.236000 959049 ProcessGroupNCCL.cpp:616] [Rank 0] To avoid data inconsistency, we are taking the entire process down.",
  "terminate called after throwing an instance of 'c10::DistBackendError'",
  "  what():  [PG 0 (default_pg) Rank 0] Process group watchdog thread terminated with exception: [Rank 0] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=1201, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600074 milliseconds before timing out.",
  "Exception raised from checkTimeout at ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:618 (most recent call first):",
  ...Array.from({ length: 6 }, (_, i) => `frame #${i}: <unknown function> + 0x${(0x1d3a2 + i * 4096).toString(16)} (0x7d11f4e${i}a2 in /usr/lib/python3/dist-packages/torch/lib/libtorch_cuda.so)`),
  "",
  "*** SIGABRT received at time=1765026131 on cpu 0 ***",
  "PC: @     0x7d122f0969fc  (unknown)  pthread_kill",
  "    @     0x7d122f042520  (unknown)  (unknown)",
  "Fatal Python error: Aborted",
  "",
  "Thread 0x00007d11a7fff640 (most recent call first):",
  '  File "/usr/lib/python3.10/threading.py", line 324 in wait',
];

test("the NCCL watchdog's timeout, then terminate and the abort (the corpus entry, torch 2.0): nccl_error", async () => {
  const entry = fs.readFileSync(path.join(CORPUS, "nccl_error/zzg-discuss-pytorch-187207-fsdp-llama2-allgather-watchdog-timeout.log"), "utf8");
  const p = await primaryOf(entry.split("\n"));
  assert.equal(p?.category, "nccl_error");
  assert.equal(p?.ruleId, "nccl_watchdog_timeout");
});

test("torch 2.2+'s abort block: the timeout, C++ frames, SIGABRT, then Fatal Python error: Aborted: nccl_error", async () => {
  const p = await primaryOf(ABORT_BLOCK);
  assert.equal(p?.category, "nccl_error");
});

test("an abort with no error printed above it stays segfault (the abort is all the log shows)", async () => {
  const p = await primaryOf([
    "{'loss': 1.2043, 'grad_norm': 0.88, 'learning_rate': 1.9e-05, 'epoch': 0.41}",
    "/usr/lib/python3/dist-packages/torch/utils/checkpoint.py:460: UserWarning: torch.utils.checkpoint: please pass in use_reentrant=True or use_reentrant=False explicitly.",
    "Fatal Python error: Aborted",
    "",
    "Current thread 0x00007f2b8c9ff740 (most recent call first):",
    '  File "/usr/lib/python3/dist-packages/torch/autograd/graph.py", line 744 in _engine_run_backward',
  ]);
  assert.equal(p?.category, "segfault");
  assert.equal(p?.ruleId, "segfault_fatal_python_abort");
});

test("an error far above the abort (beyond the abort's own block) does not explain it", async () => {
  const progress = Array.from({ length: 80 }, (_, i) => `{'loss': ${(1.5 - i / 100).toFixed(4)}, 'learning_rate': 2e-05, 'epoch': ${(i / 100).toFixed(2)}}`);
  const p = await primaryOf([WATCHDOG, ...progress, "Fatal Python error: Aborted", "", "Current thread 0x00007f2b8c9ff740 (most recent call first):"]);
  assert.equal(p?.category, "segfault");
});
