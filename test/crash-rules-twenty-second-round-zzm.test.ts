/**
 * Twenty-second rules round (issue 10), tune collection zzm (applied PyTorch research code): from its first-contact
 * misses, the readings that hold for logs not seen. torch's DataLoader reports a worker's death by signal as
 * `DataLoader worker (pid N) is killed by signal: <strsignal>`; a paste that lost the spaces around the colon or the
 * capitals (`RuntimeError:Dataloader worker (pid 6479) is killed by signal:killed`) is the same report, for SIGKILL as
 * for the fault signals (docs/crash-accuracy.md, "Twenty-second round: tune collection zzm"). Real lines name where
 * they come from; near misses must not be the rule (null: no rule at all); whole texts check the primary choice on the
 * corpus entries.
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
        ["RuntimeError: DataLoader worker (pid 2256) is killed by signal: Aborted.", null],
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
        ["RuntimeError: DataLoader worker (pid 2256) is killed by signal: Aborted.", null],
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
  ];
  for (const [file, category, ruleId] of entries) {
    test(`${file.split("/")[1]} reads ${category} (${ruleId})`, async () => {
      assert.deepEqual(await primaryOf(file.split("/")[1]!, corpus(file)), { category, ruleId });
    });
  }

  test("tensorboardX's NaN/Inf warnings alone stay no crash, one or many (zzm st-tr-5 is left as a label doubt)", async () => {
    // crash-corpus wenet-825 (https://github.com/wenet-e2e/wenet/issues/825): seven of them in a row between
    // finite-loss records of a run that went on (CTC's inf losses); Deep_Object_Pose-403: one, then training.
    assert.equal(await primaryOf("wenet-825.log", corpus("none/wenet-825-ctc-loss-inf-nan-inf-input-warnings-training-continues.log")), null);
    assert.equal(await primaryOf("dop-403.log", corpus("none/Deep_Object_Pose-403-caffe2-leak-tensorboardx-nan-warning-training-continues.log")), null);
  });
});
