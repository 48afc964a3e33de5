/**
 * Seventh rules round (issue 10), role C (all families, tune collection y): mechanisms that read a
 * family whatever tool printed it, found with the search tool in threads the corpus does not hold.
 * Each change is tried on real text (where it comes from) and on near misses that must not be it.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner, testFamilies } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-seventh-round-c-");

describe("seventh round C, NaN in a metric table: a header line names the loss columns, rows hold the values", () => {
  test("fastai's table pasted from a notebook (tab-separated), losses nan, then the user's interrupt", async () => {
    // https://github.com/timeseriesAI/tsai/issues/639 (comment): fit_one_cycle returns nan for both losses.
    const text = [
      " 16.00% [4/25 00:13<01:10]",
      "epoch\ttrain_loss\tvalid_loss\taccuracy\ttime",
      "0\tnan\tnan\t0.958595\t00:03",
      "1\tnan\tnan\t0.958595\t00:03",
      "2\tnan\tnan\t0.958595\t00:03",
      "3\tnan\tnan\t0.958595\t00:03",
      "",
      " 4.04% [4/99 00:00<00:03 nan]",
      "Output exceeds the size limit. Open the full output data in a text editor",
      "---------------------------------------------------------------------------",
      "KeyboardInterrupt                         Traceback (most recent call last)",
    ].join("\n");
    assert.deepEqual(await primaryOf("tsai-639.log", `${text}\n`), { category: "nan_loss", ruleId: "nan_loss_table" });
  });

  test("the Hugging Face Trainer's notebook table (Step / Training Loss / Validation Loss) with nan rows", async () => {
    // The table's layout as the Trainer prints it (tab-separated, values indented), e.g. the finite
    // tables quoted in speech fine-tuning notes; here its rows after the loss went nan.
    const text = [
      "Step\tTraining Loss\tValidation Loss\tWer",
      "400\t    3.193200\t    0.618208\t    1.000000",
      "800\t    nan\t    nan\t    1.000000",
    ].join("\n");
    assert.deepEqual(await primaryOf("hf-table.log", `${text}\n`), { category: "nan_loss", ruleId: "nan_loss_table" });
  });

  test("fastai v1's single-spaced table: 'train loss' and 'valid loss' are one column each", async () => {
    // https://github.com/fastai/fastai/issues/941: both losses nan about an hour into training.
    const text = ["epoch train loss valid loss accuracy_thresh f2_opt", "0 nan nan 0.997788 0.000000", "", "71.39% [6930/9707 3:56:27<1:34:45 nan]"].join("\n");
    assert.deepEqual(await primaryOf("fastai-941.log", `${text}\n`), { category: "nan_loss", ruleId: "nan_loss_table" });
    // A sentence is no header: its words line up with no row's values.
    assert.equal(await primaryOf("prose.log", "the loss is fine here and training goes on\n0 nan nan 1 2 3 4 5\n"), null);
  });

  test("near misses: finite tables, 'No log' cells, evaluation tables of classes, a validation loss alone", async () => {
    // Finite values and the Trainer's "No log" (no training loss logged yet).
    assert.equal(await primaryOf("hf-ok.log", "Epoch\tTraining Loss\tValidation Loss\tAccuracy\n1\tNo log\t0.960511\t0.689000\n2\tNo log\t0.620671\t0.824000\n"), null);
    // mmsegmentation's per-class table: nan for classes the validation set lacks (healthy).
    assert.equal(await primaryOf("mmseg.log", "+------------+-------+-------+\n| Class      | IoU   | Acc   |\n+------------+-------+-------+\n| background | 99.1  | 99.5  |\n| valve      | nan   | nan   |\n"), null);
    // A validation loss nan under a finite training loss (an empty validation loader returns nan: LLMs-from-scratch#124).
    assert.equal(await primaryOf("val-only.log", "epoch     train_loss  valid_loss  error_rate  time    \n0         0.512345    0.401234    0.120000    00:10\n1         0.412345    nan         0.110000    00:10\n"), null);
    // A pandas frame with NaN cells but no loss column.
    assert.equal(await primaryOf("frame.log", "    A\tB\tC\n0\t1.0\t5.0\t1\n1\t2.0\tNaN\t2\n2\tNaN\tNaN\t3\n"), null);
    // A best-so-far column is inf before the first evaluation.
    assert.equal(await primaryOf("best.log", "epoch\ttrain_loss\tbest_loss\tlr\n0\t0.5\tinf\t0.001\n"), null);
  });

  test("a NaN table long before a later, separate failure is history, not the cause", async () => {
    const rows = Array.from({ length: 600 }, (_, i) => `step ${i} ok`);
    const text = ["epoch\ttrain_loss\tvalid_loss\taccuracy\ttime", "0\tnan\tnan\t0.958595\t00:03", ...rows, "RuntimeError: CUDA error: an illegal memory access was encountered"].join("\n");
    assert.deepEqual(await primaryOf("later.log", `${text}\n`), { category: "cuda_error", ruleId: "cuda_illegal_address" });
  });
});

describe("seventh round C, kills by exit code in any tool's words, and PBS deleting a job", () => {
  testFamilies(rules, [
    {
      // A child's exit code -9 (SIGKILL) however a supervisor words it: "exited unexpectedly (code -9)",
      // "fails with exit code -9", "terminated unexpectedly with code -9".
      rule: "killed_launcher_signal",
      real: [
        ["crash-corpus process_killed/dramatiq-333-worker-exited-code-minus-9-kill.log (y), https://github.com/Bogdanp/dramatiq/issues/333", "[CRITICAL] Worker with PID 88666 exited unexpectedly (code -9). Shutting down..."],
        ["https://github.com/coin-or/Cbc/issues/345 (title)", "cbc spuriously fails with exit code -9"],
        // PBS/Torque deleting a job (server log, or the job's mail), beside Slurm's CANCELLED AT.
        ["crash-corpus process_killed/cbio-cluster-403-job-terminated-deleted-by-root.log (y), https://github.com/cBio/cbio-cluster/issues/403", "04/18/2016 22:55:25;0008;PBS_Server.12149;Job;7082041.hal-sched1.local;Job deleted at request of root@hal-sched1"],
        ["PSNC DRMAA for PBS notes (Torque server log, found with find_string)", "10/15/2011 21:19:25;0008;PBS_Server;Job;113045.grass1.man.poznan.pl;Job deleted at request of mmamonski@grass1.man.poznan.pl"],
      ],
      nearMiss: [
        // workerman's "exit with status 9" is printed for workers it stops itself on reload (walkor/webman#232).
        ["2021-10-05 23:54:51 pid:1 worker[webman:44] exit with status 9", null],
        ["exited with code -1", null],
        ["Process finished with exit code -90", null],
        ["09/29/2008 15:52:16;0008;PBS_Server;Job;799.xxx.xxx.xxx;Job Modified at request of Scheduler_at_xxx.xxx.xxx", null],
      ],
    },
  ]);
});

describe("seventh round C, host hardware: uncorrectable memory errors, fatal hardware error records, thermal shutdown", () => {
  testFamilies(rules, [
    {
      rule: "host_hardware_fatal",
      real: [
        ["crash-corpus gpu_hardware/lwa-issues-117-edac-ue-memory-pcie-hardware-error.log (y), https://github.com/ovro-lwa/lwa-issues/issues/117", "[11189.970968] EDAC MC3: 1 UE memory read error on CPU_SrcID#1_MC#1_Chan#2_DIMM#0 (channel:2 slot:0 page:0xb757589 offset:0x140 grain:32 -  OVERFLOW err_code:0101:0092 socket:1 imc:1 rank:0 bg:3 ba:0 row:1a1e8 col:180)"],
        ["a skx_edac dmesg quoted in a kernel report (find_string)", "[   77.633608] EDAC MC3: 1 UE memory read error on CPU_SrcID#0_MC#3_Chan#0_DIMM#0 (channel:0 slot:0 page:0x7e025e offset:0x400 grain:32 -  err_code:0x00a0:0x0090  SystemAddress:0x7e025e400 ProcessorSocketId:0x0 MemoryControllerId:0x3"],
        // APEI/GHES fatal records (a Dell PER640's i40e PCIe error at shutdown, linux-pci thread; find_string).
        ["dell-per640 dmesg in a linux-pci patch thread (find_string)", "[   71.100610] {1}[Hardware Error]: event severity: fatal"],
        ["a syslog grep of a thermal shutdown (find_string)", "/var/log/syslog:11407:Jan  3 11:19:54 Mirkwood kernel: [   42.487785] thermal thermal_zone4: critical temperature reached (128 C), shutting down"],
      ],
      nearMiss: [
        // Corrected errors and the machine-check notice printed for them (openstreetmap/operations#300: faulty RAM, no crash).
        ["May  7 06:45:12 errol kernel: [21584690.529877] EDAC MC0: 4 CE error on CPU#0Channel#2_DIMM#0 (channel:2 slot:0 page:0x0 offset:0x0 grain:8 syndrome:0x0)", null],
        ["May  7 06:45:12 errol kernel: [21584690.529862] mce: [Hardware Error]: Machine check events logged", null],
        // A recoverable APEI record (lwa-issues#117 itself, andikleen/mcelog#74).
        ["[11219.196558] {1}[Hardware Error]: event severity: recoverable", null],
        ["EDAC MC0: 0 UE memory read error on DIMM_A1", null],
      ],
    },
  ]);
});

describe("seventh round C, NaN on a loss named by its function (GluonCV's CrossEntropy / SmoothL1 metrics)", () => {
  testFamilies(rules, [
    {
      rule: "nan_loss_metric",
      real: [
        ["crash-corpus nan_loss/gluon-cv-142-ssd-smoothl1-nan-crossentropy-explodes.log (y), https://github.com/dmlc/gluon-cv/issues/142", "INFO:root:[Epoch 0][Batch 1], Speed: 24.210 samples/sec, CrossEntropy=2911234189311495764698741583380480.000, SmoothL1=nan"],
      ],
      nearMiss: [
        ["INFO:root:[Epoch 0][Batch 0], Speed: 1.764 samples/sec, CrossEntropy=19.147, SmoothL1=3.899", null],
        // A best-so-far sentinel is inf before the first evaluation.
        ["best_cross_entropy: inf", null],
      ],
    },
  ]);
});

describe("seventh round C, a loss that becomes NaN in any verb (what users and trainers write)", () => {
  testFamilies(rules, [
    {
      rule: "nan_loss_metric",
      real: [
        ["crash-corpus nan_loss/wesup-2-loss-nan-after-first-iteration.log (y), https://github.com/mrcfps/WESUP/issues/2", "while training just after 1st iteration in 1st epoch, loss value becomes nan. How to solve this?"],
        ["crash-corpus nan_loss/lightnet-2-softmaxcost-nan-second-iteration.log (y), https://github.com/daniel89710/lightNet/issues/2", "The loss becomes NaN from second iteration, could you help to give some hints? Thank you in advance!"],
        ["https://github.com/karpathy/nanoGPT/issues/167 (title)", "Loss becomes nan after training ~6000 iterations"],
        ["https://github.com/showlab/ShowUI/issues/88 (title)", "When training reaches the 10th epoch, the loss becomes nan"],
      ],
      nearMiss: [
        // Conditions and options, not events.
        ["If the loss becomes nan, training is stopped.", null],
        ["Stop training when the loss becomes NaN", null],
        ["the loss is going down", null],
      ],
    },
  ]);
});

describe("seventh round C, a loss reported 'at epoch N' with a NaN value", () => {
  testFamilies(rules, [
    {
      rule: "nan_loss_metric",
      real: [["https://github.com/gautham20/pytorch-ts/issues/4 (quoted in the description)", "Training loss at epoch 25 - nan"]],
      nearMiss: [
        ["Training loss at epoch 25 - 0.3123", null],
        ["val_loss at epoch 3: 0.5", null],
        // A best-so-far value starts at inf.
        ["best loss at epoch 0 is inf", null],
      ],
    },
  ]);
});

describe("seventh round C, a logger's histogram of NaN weights or gradients (beside TensorFlow's 'Nan in summary histogram')", () => {
  testFamilies(rules, [
    {
      rule: "nan_check_numerics",
      real: [
        // torch.histc under wandb's gradient hook (fastai run in a sweep).
        ["https://github.com/wandb/wandb/issues/955", "RuntimeError: range of [nan, nan] is not finite"],
        // numpy.histogram under wandb.Histogram(value.grad...) "when the model has been trained for several iterations".
        ["https://github.com/wandb/wandb/pull/984 (comment), https://github.com/milesial/Pytorch-UNet/issues/346", "ValueError: autodetected range of [nan, nan] is not finite"],
      ],
      nearMiss: [
        // numpy's older wording names no values (C-PAC's QC images of data: FCP-INDI/C-PAC#1194).
        ["ValueError: range parameter must be finite.", null],
        ["ValueError: autodetected range of [0.0, 1.0] is not finite", null],
      ],
    },
  ]);
});
