/**
 * Twenty-second rules round (issue 10), tune collection zzm (applied PyTorch research code): from its first-contact
 * misses, the readings that hold for logs not seen. torch's DataLoader reports a worker's death by signal as
 * `DataLoader worker (pid N) is killed by signal: <strsignal>`; a paste that lost the spaces around the colon or the
 * capitals (`RuntimeError:Dataloader worker (pid 6479) is killed by signal:killed`) is the same report, for SIGKILL as
 * for the fault signals. torchrun reports a worker that died of SIGABRT as `exitcode: -6` (`Signal 6 (SIGABRT) received
 * by PID N`): a native abort, segfault by the corpus's precedent for a bare abort, and only when nothing printed says
 * why (docs/crash-accuracy.md, "Twenty-second round: tune collection zzm"). Real lines name where they come from; near
 * misses must not be the rule (null: no rule at all); whole texts check the primary choice on the corpus entries.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { classifyLine, loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twenty-second-round-zzm-");

describe("twenty-second round (zzm): rule families", () => {
  const families: Family[] = [
    {
      // SIGKILL of a DataLoader worker (the kernel's or a container's OOM killer, typically), torch's message and the
      // same words in other loaders; spaces around the colon and the case of `killed` are optional.
      rule: "killed_launcher_signal",
      real: [
        ["crash-corpus zzm yolop-133, https://github.com/hustvl/YOLOP/issues/133 (pasted without the spaces)", "RuntimeError:Dataloader worker (pid 6479) is killed by signal:killed"],
        ["crash-corpus dcpdn-12, https://github.com/hezhangsprinter/DCPDN/issues/12", "RuntimeError: DataLoader worker (pid 19597) is killed by signal: Killed."],
        ["crash-corpus pytorch-8976, https://github.com/pytorch/pytorch/issues/8976 (a trailing space)", "RuntimeError: DataLoader worker (pid 1817) is killed by signal: Killed. "],
        ["crash-corpus zzd video-r1-119 (a rank's capture prefix)", "[517] [rank6]: RuntimeError: DataLoader worker (pid 781) is killed by signal: Killed."],
        ["crash-corpus paddledetection-7252 (Paddle's loader, the same words)", "SystemError: (Fatal) DataLoader process (pid 1104) exited is killed by signal: Killed. (at /paddle/paddle/fluid/imperative/data_loader.cc:181)"],
      ],
      nearMiss: [
        // The raising line as a traceback prints it: the signal's name is not there yet.
        ["    raise RuntimeError('DataLoader worker (pid {}) is killed by signal: {}'.format(pid, name))", null],
        // SIGABRT says a native abort, not which (twenty-first round); SIGTERM is its own rule.
        ["RuntimeError: DataLoader worker (pid 2256) is killed by signal: Aborted.", "segfault_abort_exit"],
        ["RuntimeError: DataLoader worker (pid 23616) is killed by signal: Terminated.", "killed_sigterm"],
        // The loader's other report of a worker's end names no signal.
        ["RuntimeError: DataLoader worker (pid(s) 6479) exited unexpectedly", null],
        // Words, not the report.
        ["the workers are killed by signalling them with SIGUSR1", null],
        ["# training process killed by signal? no, the DataLoader timed out", null],
      ],
    },
    {
      // The fault signals of the same report (segmentation fault, illegal instruction, floating point exception).
      rule: "segfault_dataloader_worker",
      real: [
        ["crash-corpus db-94", "RuntimeError: DataLoader worker (pid 25902) is killed by signal: Segmentation fault"],
        ["crash-corpus w-pycls-146", "RuntimeError: DataLoader worker (pid 624) is killed by signal: Segmentation fault. "],
        ["crash-corpus zr-jetson-inference-1114", "RuntimeError: DataLoader worker (pid 380) is killed by signal: Segmentation fault."],
      ],
      nearMiss: [
        ["RuntimeError: DataLoader worker (pid 2256) is killed by signal: Aborted.", "segfault_abort_exit"],
        ["RuntimeError: DataLoader worker (pid 3867) is killed by signal: Bus error.", "segfault_dataloader_bus_error"],
      ],
    },
    {
      rule: "segfault_dataloader_bus_error",
      real: [
        ["crash-corpus stcn-132", "RuntimeError: DataLoader worker (pid 46794) is killed by signal: Bus error. It is possible that dataloader's workers are out of shared memory. Please try to raise your shared memory limit."],
        ["crash-corpus zx-pytorch-16979 (Kubernetes pod)", "RuntimeError: DataLoader worker (pid 125) is killed by signal: Bus error. "],
      ],
      nearMiss: [
        ["RuntimeError: DataLoader worker (pid 25902) is killed by signal: Segmentation fault", "segfault_dataloader_worker"],
        ["    raise RuntimeError('DataLoader worker (pid {}) is killed by signal: {}'.format(pid, name))", null],
      ],
    },
    {
      // A process that died of SIGABRT (abort() after a failed native check or an uncaught C++ exception), as torchrun
      // reports it: the summary line's `exitcode: -6` and the failure table's `traceback : Signal 6 (SIGABRT) received
      // by PID N`. Segfault by the corpus's precedent for a bare abort (exit code 134); a symptom at -3 with the
      // consequence trait, so whatever the process printed before aborting (a watchdog timeout, a CUDA error) wins.
      rule: "segfault_abort_exit",
      real: [
        ["crash-corpus zzm wenet-2026, https://github.com/wenet-e2e/wenet/issues/2026", "ERROR:torch.distributed.elastic.multiprocessing.api:failed (exitcode: -6) local_rank: 5 (pid: 67123) of binary: /HOME/scz0arv/.conda/envs/wenet/bin/python"],
        ["https://github.com/hpcaitech/ColossalAI/issues/1400", "ERROR:torch.distributed.elastic.multiprocessing.api:failed (exitcode: -6) local_rank: 0 (pid: 218624) of binary: /home/gehao/anaconda3/envs/mlsys/bin/python"],
        ["https://github.com/NVIDIA/Megatron-LM/issues/1525 (torch 2.7's glog-style record)", "E0410 10:47:58.118000 55867 torch/distributed/elastic/multiprocessing/api.py:870] failed (exitcode: -6) local_rank: 0 (pid: 56003) of binary: /usr/bin/python"],
        ["https://github.com/open-mmlab/mmsegmentation/issues/3106 (the failure table)", "  exitcode  : -6 (pid: 2385923)"],
        ["https://github.com/open-mmlab/mmsegmentation/issues/3106", "  traceback : Signal 6 (SIGABRT) received by PID 2385923"],
        ["https://github.com/huggingface/accelerate/issues/2960 (under srun)", "  traceback : Signal 6 (SIGABRT) received by PID 214033"],
        ["https://github.com/open-compass/VLMEvalKit/issues/1131", "  traceback : Signal 6 (SIGABRT) received by PID 32051"],
      ],
      nearMiss: [
        // Other exit codes of the same table are other rules (or none: a Python error exits with 1).
        ["  exitcode  : 1 (pid: 32051)", null],
        ["  exitcode  : -9 (pid: 32051)", "killed_sigkill_exit"],
        ["  exitcode  : -60 (pid: 32051)", null],
        ["  traceback : To enable traceback see: https://pytorch.org/docs/stable/elastic/errors.html", null],
        // crash-corpus zzl digits-84: a tool's own error code, no signal; and the words in prose.
        ["ERROR: error code -6", null],
        ["    Signal 6 (SIGABRT) is what abort() raises", null],
      ],
    },
  ];
  testFamilies(rules, families);

  test("the spacing and case variants the widening admits (constructed from the real lines above: only yolop-133's is seen)", () => {
    const variants: [string, string][] = [
      ["RuntimeError: DataLoader worker (pid 19597) is killed by signal:Killed.", "killed_launcher_signal"],
      ["RuntimeError: DataLoader worker (pid 19597) is killed by signal : KILLED", "killed_launcher_signal"],
      ["RuntimeError:Dataloader worker (pid 25902) is killed by signal:segmentation fault", "segfault_dataloader_worker"],
      ["RuntimeError: Dataloader worker (pid 624) is killed by signal :Illegal instruction.", "segfault_dataloader_worker"],
      ["RuntimeError:Dataloader worker (pid 125) is killed by signal:bus error", "segfault_dataloader_bus_error"],
    ];
    for (const [line, rule] of variants) assert.equal(classifyLine(rules, line)?.rule.id, rule, line);
  });
});

describe("twenty-second round (zzm): whole entries", () => {
  const entries: [string, string, string][] = [
    ["process_killed/zzm-yolop-133-docker-dataloader-worker-killed.log", "process_killed", "killed_launcher_signal"],
    ["segfault/zzm-wenet-2026-aishell-torchrun-exitcode-minus-6.log", "segfault", "segfault_abort_exit"],
  ];
  for (const [file, category, ruleId] of entries) {
    test(`${file.split("/")[1]} reads ${category} (${ruleId})`, async () => {
      assert.deepEqual(await primaryOf(file.split("/")[1]!, corpus(file)), { category, ruleId });
    });
  }

  test("torchrun's exitcode -6 after a printed cause is that cause's consequence (texts joined from real lines)", async () => {
    // The end of zzk open-r1-658 (NCCL's watchdog, which aborts the process) followed by wenet-2026's torchrun lines.
    const wenet = corpus("segfault/zzm-wenet-2026-aishell-torchrun-exitcode-minus-6.log");
    const watchdog = corpus("nccl_error/zzk-open-r1-658-grpo-math-verify-timeout-then-allgather-watchdog.log");
    assert.equal((await primaryOf("watchdog-then-abort.log", watchdog + wenet))?.category, "nccl_error");
    // A CUDA error printed by the worker (crash-corpus cuda_error lines' shape) before the launcher's summary.
    const cuda = "RuntimeError: CUDA error: an illegal memory access was encountered\n";
    assert.equal((await primaryOf("cuda-then-abort.log", cuda + wenet))?.category, "cuda_error");
  });

  test("tensorboardX's NaN/Inf warnings alone stay no crash, one or many (zzm st-tr-5 is left as a label doubt)", async () => {
    // crash-corpus wenet-825 (https://github.com/wenet-e2e/wenet/issues/825): seven of them in a row between
    // finite-loss records of a run that went on (CTC's inf losses); Deep_Object_Pose-403: one, then training.
    assert.equal(await primaryOf("wenet-825.log", corpus("none/wenet-825-ctc-loss-inf-nan-inf-input-warnings-training-continues.log")), null);
    assert.equal(await primaryOf("dop-403.log", corpus("none/Deep_Object_Pose-403-caffe2-leak-tensorboardx-nan-warning-training-continues.log")), null);
  });
});
