/**
 * Eighth rules round (issue 10), role E, on the studied collection fresh6 (manifests v, w, x): a
 * failure the log goes on past (training progress after it) is not the final incident; kills,
 * segfaults and GPU faults in phrasings the rules did not read. Real lines name where they come
 * from; near misses must not be the rule (null: no rule at all); whole texts check the primary choice.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { goesOnAfter } from "../agent/crash/traceback.js";
import { corpus, primaryScanner, testFamilies } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-eighth-round-e-");

describe("eighth round E, a failure the log goes on past is not the final incident", () => {
  // https://github.com/OlaWod/FreeVC/issues/58 (fresh6 w-freevc-58): the worker's segfault notice,
  // then the epoch ends and the next one starts.
  const freevc = [
    "INFO:freevc:Train Epoch: 1515 [70%]",
    "INFO:freevc:[2.0600645542144775, 3.001354932785034, 14.571150779724121, 20.43256950378418, 2.2390851974487305, 845200, 0.00016534851772726235]",
    "ERROR: Unexpected segmentation fault encountered in worker.",
    "INFO:freevc:====> Epoch: 1515",
    "INFO:freevc:Train Epoch: 1516 [5%]",
  ];

  test("a DataLoader worker's segfault followed by the next epoch is no crash", async () => {
    assert.equal(await primaryOf("freevc.log", `${freevc.join("\n")}\n`), null);
  });

  test("the same notice as the log's end is still the segfault", async () => {
    assert.deepEqual(await primaryOf("freevc-cut.log", `${freevc.slice(0, 3).join("\n")}\n`), { category: "segfault", ruleId: "segfault_worker_message" });
  });

  test("segfaults and NaN runs of the tune corpus with counters after them keep their finding", async () => {
    // DMH-Net#3: the workers' segfault notices, then tqdm bars at 0 % and the traceback.
    assert.equal((await primaryOf("dmh.log", corpus("segfault/dmh-net-3-worker-segfault.log")))?.category, "segfault");
    // A NaN loss is a state: the run goes on printing steps and stays diverged (sd-scripts#2137, keras-faster-rcnn#13).
    assert.equal((await primaryOf("sd.log", corpus("nan_loss/sd-scripts-2137-avr-loss-nan-progress.log")))?.category, "nan_loss");
    assert.equal((await primaryOf("kfr.log", corpus("nan_loss/keras-faster-rcnn-13-rcnn-class-loss-nan-epoch5.log")))?.category, "nan_loss");
  });

  test("goesOnAfter: counters and losses are progress; bars redrawn, downloads, job steps and error lines are not", () => {
    const after = (lines: string[]) => goesOnAfter(["ERROR: Unexpected segmentation fault encountered in worker.", ...lines], 0);
    assert.equal(after(["INFO:freevc:Train Epoch: 1516 [5%]"]), true);
    assert.equal(after(["> Epoch 3 | loss 0.412"]), true);
    assert.equal(after(["{'loss': 0.6931, 'learning_rate': 1e-05, 'epoch': 0.5}"]), true);
    // Slurm's job step (submitit#1708), a download bar (pytorch#82091), a bar that never moved (DMH-Net#3).
    assert.equal(after(["slurmstepd: error: *** STEP 608.0 ON SERVER_NAME CANCELLED AT 2022-08-12T02:06:12 DUE TO JOB REQUEUE ***"]), false);
    assert.equal(after(["  2%|▏         | 2864128/170498071 [00:00<00:10, 15854543.05it/s]"]), false);
    assert.equal(after(["Epoch:   0%|                                                   | 0/75 [00:01<?, ?ep/s]"]), false);
    // The failure's own report (a traceback frame, an exception naming the step) is not the run going on.
    assert.equal(after(['  File "train.py", line 40, in step', "RuntimeError: DataLoader worker (pid 3855) is killed by signal: Segmentation fault. at step 5"]), false);
    assert.equal(goesOnAfter(["Epoch 2 step 10 loss 0.3", "Epoch 2:  45%|████▌     | 45/100 [00:10<00:12]", "Killed"], 2), false);
  });
});

// The shell reports a death by signal with strsignal(), in the system's language: glibc's catalog
// (Debian libc-l10n 2.36-9+deb12u14, /usr/share/locale/LANG/LC_MESSAGES/libc.mo, msgids "Killed" and
// "Segmentation fault"), or bash's own (bash 5.2.15, bash.mo) where it has no strsignal; bash's
// "(core dumped)" and "line N:" are translated too.
const GLIBC = "glibc 2.36 libc.mo";
const BASH = "bash 5.2.15 bash.mo";

describe("eighth round E, kills and segfaults in the system's language: the shell's translated reports", () => {
  testFamilies(rules, [
    {
      rule: "killed_shell_report",
      real: [
        // German glibc right after the tqdm bar (https://github.com/spring-media/TransformerTTS/issues/69, fresh6 x).
        ["https://github.com/spring-media/TransformerTTS/issues/69", "Processing training set: : 1444it [05:54,  1.38it/s]Getötet"],
        [`${GLIBC} (ru)`, "Убито"],
        [`${GLIBC} (fr)`, "Processus arrêté"],
        [`${GLIBC} (ja)`, "強制終了"],
        [`${GLIBC} (es)`, "Terminado (killed)"],
        [`${BASH} (de)`, "Abgebrochen (Killed)"],
        [`${BASH} (pt_BR), job report with bash's 'line N:'`, "./train.sh: linha 12:  6496 Morto (Killed)           python train.py"],
        [`${GLIBC} (de), job report with bash's 'Zeile N:'`, "./train.sh: Zeile 242:  6496 Getötet                python train.py"],
      ],
      nearMiss: [
        ["Der Prozess wurde getötet", null],
        ["Getötet wurde der Prozess nicht", null],
        ["Il processo è morto", null],
        // SIGTERM ("Terminated": Beendet, Terminado) is not read as a kill here.
        ["Beendet", null],
        ["Terminado", null],
      ],
    },
    {
      rule: "segfault_signal",
      real: [
        // The shell's report in the system's language, alone on its line with bash's core note.
        [`${GLIBC} (de) + ${BASH} (de) core note`, "Speicherzugriffsfehler (Speicherabzug geschrieben)"],
        [`${GLIBC} (zh_CN) + ${BASH} (zh_CN) core note, full-width parentheses`, "段错误（核心已转储）"],
        [`${GLIBC} (ru) + ${BASH} (ru) core note`, "Ошибка сегментирования (образ памяти сброшен на диск)"],
        [`${BASH} (ru)`, "Ошибка сегментации"],
        [`${GLIBC} (zh_CN) bus error`, "总线错误 (核心已转储)"],
        [`${GLIBC} (es), job report with bash's 'línea N:'`, "./train.sh: línea 242:  6496 Violación de segmento  (`core' generado) python train.py"],
        [`${GLIBC} (ru), job report with bash's 'строка N:'`, "./train.sh: строка 242:  6496 Ошибка сегментирования python train.py"],
      ],
      nearMiss: [
        ["Speicherzugriffsfehler beim Laden des Modells, siehe unten", null],
        ["Was ist ein Speicherzugriffsfehler?", null],
        ["Ошибка сегментирования при загрузке модели", null],
      ],
    },
  ]);

  test("TransformerTTS's duration extraction ending in German glibc's 'Getötet' after the bar is a kill", async () => {
    const text = [
      "2020-10-26 08:43:29.819269: I tensorflow/stream_executor/platform/default/dso_loader.cc:44] Successfully opened dynamic library libcudnn.so.7",
      "Processing validation set: : 13it [00:10,  1.25it/s]",
      "Processing training set: : 1444it [05:54,  1.38it/s]Getötet",
    ].join("\n");
    assert.deepEqual(await primaryOf("getoetet.log", `${text}\n`), { category: "process_killed", ruleId: "killed_shell_report" });
  });
});

describe("eighth round E, deaths by signal number: 'Received signal 11', Slurm's WTERMSIG", () => {
  testFamilies(rules, [
    {
      rule: "segfault_signal",
      real: [
        // TensorFlow 1.x's failure signal handler (https://github.com/jiasenlu/vilbert_beta/issues/66, fresh6 w).
        ["https://github.com/jiasenlu/vilbert_beta/issues/66", "*** Received signal 11 ***"],
        // UCX says it by number too (tune j-tinyllava-119, https://github.com/TinyLLaVA/TinyLLaVA_Factory/issues/119).
        ["crash-corpus segfault/j-tinyllava-119-ucx-caught-signal-11.log (j)", "Caught signal 11 (Segmentation fault: address not mapped to object at address (nil))  "],
      ],
      nearMiss: [
        // SIGTERM and SIGINT received are no segfault (absl's SIGTERM line: item 32).
        ["Received signal 15", null],
        ["received signal 2, exiting", null],
        ["*** SIGTERM received at time=1700000000 on cpu 3 ***", null],
        ["[2022-05-27T11:37:57.377] _job_complete: JobId=127441 WEXITSTATUS 0", null],
        ["[2022-05-27T11:37:57.377] _job_complete: JobId=127441 WTERMSIG 2", null],
      ],
    },
    {
      // slurmctld's job completion record: WTERMSIG 9 is the job's processes killed by SIGKILL.
      rule: "killed_launcher_signal",
      real: [["https://github.com/ArjunaCluster/ArjunaUsers/issues/137", "[2022-05-27T11:37:57.377] _job_complete: JobId=127441 WTERMSIG 9"]],
      nearMiss: [
        ["[2022-05-27T11:37:57.377] _job_complete: JobId=127441 WTERMSIG 15", null],
        ["[2022-05-27T11:37:57.377] _job_complete: JobId=127441 done", null],
      ],
    },
  ]);

  test("a slurmctld log whose job ended with WTERMSIG 9 is a kill", async () => {
    const text = [
      "[2022-05-27T10:42:30.155] _slurm_rpc_submit_batch_job: JobId=127441 InitPrio=5772 usec=1032",
      "[2022-05-27T10:42:30.509] sched: Allocate JobId=127441 NodeList=c014 #CPUs=2 Partition=gpu",
      "[2022-05-27T11:37:57.377] _job_complete: JobId=127441 WTERMSIG 9",
      "[2022-05-27T11:37:57.377] _job_complete: JobId=127441 done",
    ].join("\n");
    assert.deepEqual(await primaryOf("slurmctld.log", `${text}\n`), { category: "process_killed", ruleId: "killed_launcher_signal" });
  });
});

describe("eighth round E, GPU faults: firmware timeouts beside GSP's, DCGM's thermal violation", () => {
  testFamilies(rules, [
    {
      rule: "gpu_gsp_failure",
      real: [["https://github.com/NVIDIA/nvtrust/issues/77", "[  267.045903] NVRM: kfspPollForResponse_IMPL: FSP command timed out"]],
      nearMiss: [
        // The same boot's healthy lines.
        ["[  195.083145] NVRM: kgspCheckGspRmCcCleanup_GH100: CC secret cleanup successful!", null],
        ["[  267.045908] NVRM: kfspSendBootCommands_GH100: Sent following content to FSP: ", null],
        ["[    9.140258] [drm] [nvidia-drm] [GPU ID 0x00000100] Loading driver", null],
      ],
    },
    {
      rule: "gpu_thermal_violation",
      real: [
        [
          "https://github.com/NVIDIA/DCGM/issues/270",
          "ERROR [1514002:1514004] [[Health]] Detected a WARNING in health system Thermal: 'Detected clocks event due to thermal violation in GPU 2. Verify that the cooling on this machine is functional, including external, thermal material interface, fans, and any other components.",
        ],
      ],
      nearMiss: [
        // A power cap slows the clocks too: a setting, not a fault.
        ["Detected clocks event due to power violation in GPU 2", null],
        ["Thermal violation detected", null],
      ],
    },
  ]);

  test("the nvtrust kernel log (FBHUB interrupt, asserts, then the FSP timeout) is a GPU hardware failure", async () => {
    const text = [
      "[  190.444608] NVRM: gpuClearFbhubPoisonIntrForBug2924523_GA100: FBHUB Interrupt detected. Clearing it.",
      "[  194.004435] NVRM: nvAssertFailed: Assertion failed: 0 @ g_kern_gmmu_nvoc.h:1967",
      "[  195.083145] NVRM: kgspCheckGspRmCcCleanup_GH100: CC secret cleanup successful!",
      "[  267.045903] NVRM: kfspPollForResponse_IMPL: FSP command timed out",
      "[  267.045908] NVRM: kfspSendBootCommands_GH100: Sent following content to FSP: ",
    ].join("\n");
    assert.deepEqual(await primaryOf("nvtrust.log", `${text}\n`), { category: "gpu_hardware", ruleId: "gpu_gsp_failure" });
  });
});
