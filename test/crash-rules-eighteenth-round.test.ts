/**
 * Eighteenth rules round (the studied fresh11, manifests zq and zr, and the tune collection zx: schedulers, clusters and
 * managed platforms): DeepSpeed's transformer kernel printing cuBLAS's status as a number (`!!!! kernel execution error.
 * (m: ..., error: 13)`), NCCL status checks with the code as a number (`status == ncclSuccess. 2 vs 0`, `==
 * ncclSuccess (1 vs. 0)`), c10d's socket poll that ran out its timeout (`returned 0, likely a timeout`), the sstable
 * reader's `not an sstable (bad magic number)` whatever precedes it, Volcano's job controller handling a pod's eviction
 * (`Event:PodEvicted`), Torque's job mail `Job exceeded its walltime limit. Job was aborted`; and two readings of how a
 * failed run's output ends without a Python traceback: an exception line whose message starts on the next line, and a
 * C++ exception named in a glog error record (docs/crash-accuracy.md, "Eighteenth round", items 220-).
 * Real lines name where they come from (`find_string` hits are public repositories the tool does not name); near
 * misses must not be the rule (null: no rule at all); whole texts check the primary choice.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { capturePrefixLength } from "../agent/crash/capture-prefix.js";
import { parseFailure } from "../agent/crash/traceback.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-eighteenth-round-");

const DEEPSPEED_454 = "cuda_error/zq-deepspeed-454-squad-transformer-kernel-execution-error-13.log";
const LLAMAFACTORY_9350 = "timeout/zq-llamafactory-9350-multinode-waitforinput-socket-timeout.log";
const SAFETENSORS_842 = "python_exception/zq-safetensors-842-msswift-save-fuse-os-error-95.log";
const VOLCANO_1241 = "process_killed/zr-volcano-1241-horovod-job-pod-evicted-restart.log";
const NONLOCAL_14 = "nccl_error/zr-video-nonlocal-net-14-caffe2-nccl-allreduce-system-error.log";
const COLLISION_11 = "checkpoint_corrupt/zr-rl-collision-avoidance-11-restore-not-an-sstable.log";
const CBIOCLUSTER_256 = "timeout/zx-cbiocluster-256-pbs-walltime-exceeded.log";
const MADEWITHML_271 = "python_exception/zx-madewithml-271-ray-train-trainingfailederror.log";
const SIMPLETUNER_1888 = "cuda_error/zx-simpletuner-1888-runpod-cuda-driver-init-failed.log";
const ONECATVLLM_6 = "gpu_hardware/zx-1catvllm-6-docker-nvml-unknown-gpu-handle-lost.log";
const PAYU_587 = "disk_full/zx-payu-587-gadi-pbs-killed-jobfs-quota.log";
const RAY_58179 = "checkpoint_corrupt/zx-ray-58179-tuner-restore-pickle-eof.log";
const DETERMINED_3275 = "python_exception/zx-determined-3275-horovod-detected-nonzero-exit.log";

/** A one-frame Python traceback (`file`, its line, function and code) ending in the exception's lines, as text. */
function traceback(file: string, line: number, fn: string, code: string, ...exception: string[]): string {
  return [
    "Traceback (most recent call last):",
    `  File "${file}", line ${line}, in ${fn}`,
    `    ${code}`,
    ...exception,
    "",
  ].join("\n");
}

/** The line of a corpus excerpt that holds `text`. */
function lineOf(file: string, text: string): string {
  const line = corpus(file).split("\n").find((l) => l.includes(text));
  assert.ok(line, `${file} has no line with ${text}`);
  return line;
}

describe("eighteenth round: rule families", () => {
  const families: Family[] = [
    {
      // DeepSpeed's transformer kernel (csrc/transformer/cublas_wrappers.cu) prints cublasGemmEx's status as a number:
      // 13 is CUBLAS_STATUS_EXECUTION_FAILED. Status 3 (ALLOC_FAILED) is the GPU's memory by the corpus's convention,
      // left to no rule here as in the glog form of the same family.
      rule: "cuda_cublas_status_other",
      real: [
        ["crash-corpus fresh11 zq deepspeed-454, https://github.com/deepspeedai/DeepSpeed/issues/454", lineOf(DEEPSPEED_454, "kernel execution error")],
        ["https://github.com/deepspeedai/DeepSpeed-MII/issues/436 (long context, inference kernels)", "!!!! kernel execution error. (m: 22016, n: 768, k: 4096, error: 13)"],
      ],
      nearMiss: [
        ["!!!! kernel execution error. (m: 768, n: 4608, k: 3072, error: 3)", null],
      ],
    },
    {
      // An NCCL call's result checked against ncclSuccess with the code as a number: Caffe2's CAFFE_ENFORCE (`status ==
      // ncclSuccess. 2 vs 0.`) and glog's CHECK (`== ncclSuccess (2 vs. 0)`). 2 is ncclSystemError.
      rule: "nccl_system_error",
      real: [
        ["crash-corpus fresh11 zr video-nonlocal-net-14, https://github.com/facebookresearch/video-nonlocal-net/issues/14", lineOf(NONLOCAL_14, "ncclSuccess")],
        ["https://github.com/ppengtang/oicr/issues/10 (Caffe's parallel.cpp)", "F0118 23:24:48.788218 37264 parallel.cpp:135] Check failed: result == ncclSuccess (2 vs. 0)  unhandled system error. *** Check failure stack trace: ***"],
      ],
      nearMiss: [
        // NCCL's internal error (3) is not a system error; no rule reads the number (the parser reads the record).
        ["[E net_dag.cc:188] Exception from operator chain starting at '' (type 'NCCLAllreduce'): caffe2::EnforceNotMet: [enforce fail at cuda_nccl_gpu.cc:24] status == ncclSuccess. 3 vs 0.  Error at: cuda_nccl_gpu.cc24: internal error Error from operator: ", null],
        // The same check on a CUDA call (Detectron's cudnn convolution) keeps its own rule.
        ["RuntimeError: [enforce fail at conv_op_cudnn.cc:807] status == CUDNN_STATUS_SUCCESS. 8 vs 0. , Error at: /pytorch/caffe2/operators/conv_op_cudnn.cc:807: CUDNN_STATUS_EXECUTION_FAILED Error from operator", "cuda_cudnn_status"],
      ],
    },
    {
      // ... code 1 is ncclUnhandledCudaError: PaddlePaddle's check of ncclGroupEnd prints the number alone.
      rule: "nccl_cuda_error",
      real: [
        ["https://github.com/PaddlePaddle/models/issues/1464 (Paddle's nccl_helper.h, no message)", "F1126 11:50:09.250226 11615 nccl_helper.h:62] Check failed: dynload::ncclGroupEnd() == ncclSuccess (1 vs. 0) "],
        ["https://github.com/BVLC/caffe/issues/5599", "F0508 14:41:40.563820 19761 parallel.cpp:195] Check failed: result == ncclSuccess (1 vs. 0)  unhandled cuda error"],
      ],
      nearMiss: [
        ["F0118 23:24:48.788218 37264 parallel.cpp:135] Check failed: result == ncclSuccess (2 vs. 0)  unhandled system error.", "nccl_system_error"],
      ],
    },
    {
      // c10d's Socket::waitForInput: a poll() that returned 0 waited its whole timeout for the store (the master's
      // port). torch prints it as a warning and polls again until the deadline; the rank is waiting for a peer.
      rule: "timeout_store_socket",
      real: [
        ["crash-corpus fresh11 zq llamafactory-9350, https://github.com/hiyouga/LlamaFactory/issues/9350", lineOf(LLAMAFACTORY_9350, "likely a timeout")],
        ["find_string hit 53484261006 (a GPU stress tool's notes, 8x V100, the line wrapped)", "SocketImpl(fd=5, addr=[localhost]:39284, remote=[localhost]:47115) returned 0, likely a timeout"],
        ["find_string hit 59124637252 (a cluster run's diagnosis, elided addresses)", "[W805 01:44:10...] waitForInput: poll for socket addr=[i20r02c04s06...]:39582, remote=[i20r02c04s04...]:45361 returned 0, likely a timeout"],
      ],
      nearMiss: [
        // https://github.com/hermit-os/kernel/pull/1085: poll's contract in prose.
        ["`poll` should return 0, if the system call timed out", null],
      ],
    },
    {
      // The sstable reader (TensorFlow's table, LevelDB) finding no magic number at the end of a checkpoint's table
      // file, whatever prefix its status carries: `Data loss: `, the Python exception's `DataLossError: `, `Corruption: `.
      rule: "ckpt_bad_format",
      real: [
        ["crash-corpus fresh11 zr rl-collision-avoidance-11, https://github.com/mit-acl/rl_collision_avoidance/issues/11", lineOf(COLLISION_11, "DataLossError")],
        ["https://github.com/google/leveldb/issues/706 (title)", "Corruption: not an sstable (bad magic number)"],
        ["crash-corpus zr learn-prox-ops-2 (read before)", "2018-04-09 17:11:20.266064: W tensorflow/core/framework/op_kernel.cc:1192] Data loss: not an sstable (bad magic number)"],
      ],
      nearMiss: [
        // https://github.com/pmcfadin/cqlite/issues/153: a reader that does not know a newer format (no corruption).
        ["Unsupported SSTable format: magic number 0x71160000 not recognized.", null],
      ],
    },
    {
      // Volcano's job controller handling a pod's eviction (preemption by a higher-priority job, node pressure, a
      // drain): the pod was killed from outside, whatever action the job's policy takes next.
      rule: "killed_preempted",
      real: [
        ["crash-corpus fresh11 zr volcano-1241, https://github.com/volcano-sh/volcano/issues/1241", lineOf(VOLCANO_1241, "Event:PodEvicted")],
        ["https://github.com/volcano-sh/volcano/issues/4814", "I1215 12:28:18.432174       1 job_controller.go:356] Try to handle request <Queue: , Job: default/vjtest, Task:task0, Pod:vjtest-task0-1, Event:PodEvicted, ExitCode:0, Action:, JobVersion: 0>"],
      ],
      nearMiss: [
        // https://github.com/volcano-sh/volcano/issues/4072: the job deleted by its user (OutOfSync, then Killing Job).
        ["I0310 07:15:48.566586       1 job_controller.go:328] Try to handle request <Queue: , Job: aiap/svc780962027be44531a6092b2d2edf81a2, Task:, Event:OutOfSync, ExitCode:0, Action:, JobVersion: 1>", null],
        ["I0310 07:15:48.550224       1 job_controller_actions.go:47] Killing Job <aiap/svc780962027be44531a6092b2d2edf81a2>, current version 1", null],
        // https://github.com/volcano-sh/volcano/issues/5885: a job's policy in YAML names the event.
        ["            PodEvicted", null],
      ],
    },
    {
      // Torque's MOM message in the job's mail (msg_momjoboverwalltimelimit): the job ran past its walltime.
      rule: "timeout_scheduler_limit",
      real: [
        ["crash-corpus zx cbiocluster-256, https://github.com/cBio/cbio-cluster/issues/256", lineOf(CBIOCLUSTER_256, "walltime limit")],
        ["find_string hit 21770570225 (a PBS job's mail quoted in a repository's notes, Exit_status=-11)", "  Job exceeded its walltime limit. Job was aborted"],
        ["find_string hit 16334970310 (a quantum chemistry group's error notes)", "    Job exceeded its walltime limit. Job was aborted"],
      ],
      nearMiss: [
        // find_string hit 53237926894: a Slurm helper's explanation text, not the scheduler's message.
        ['    "TimeLimit": "The job exceeded its walltime limit — try increasing --time",', null],
        // Torque's sibling message for memory (find_string hit 5654732243, its source) is a memory kill.
        ["Job exceeded a memory resource limit (vmem, pvmem, etc.). Job was aborted", "killed_cgroup_oom"],
      ],
    },
    {
      // torch's lazy CUDA init when cudaGetDeviceCount fails with cudaErrorInitializationError: the driver could not be
      // initialised (no GPU visible to the container, a driver/runtime that do not fit). The UserWarning torch prints
      // for the same state from torch.cuda.is_available() is a warning (the run may go on on the CPU).
      rule: "cuda_driver_mismatch",
      real: [
        ["crash-corpus zx simpletuner-1888, https://github.com/bghira/SimpleTuner/issues/1888", lineOf(SIMPLETUNER_1888, "driver initialization failed")],
        ["https://github.com/ErlerPhilipp/points2surf/issues/17", "RuntimeError: CUDA driver initialization failed, you might not have a CUDA gpu."],
        ["https://github.com/facebookresearch/detectron2/issues/2848 (title)", "RuntimeError: CUDA driver initialization failed, you might not have a CUDA gpu."],
      ],
      nearMiss: [
        // https://github.com/pytorch/pytorch/issues/131117 (title): the warning form.
        ["UserWarning: CUDA initialization: CUDA driver initialization failed, you might not have a CUDA gpu.", null],
      ],
    },
    {
      // nvidia-smi's device-handle failure with the GPU's index before its PCI address (`for GPU1: 0000:02:00.0:`), as
      // newer nvidia-smi prints it; the rule read `for GPU 0000:02:00.0:` and `for GPU0: Unknown Error`.
      rule: "gpu_device_handle_unknown",
      real: [
        ["crash-corpus zx 1catvllm-6, https://github.com/1CatAI/1Cat-vLLM/issues/6", lineOf(ONECATVLLM_6, "device handle")],
        ["find_string hit 66856138510 (a Jetson Thor bring-up log)", "Unable to determine the device handle for GPU0: 0000:01:00.0: Unknown Error"],
        ["find_string hit 39941924988 (a CUDA 12 integration note, after `CUDA failure 100: no CUDA-capable device is detected`)", "Unable to determine the device handle for GPU0: 0000:81:00.0: Unknown Error"],
        ["find_string hit 68355611358 (a cluster job's notes, the older form, read before)", "Unable to determine the device handle for GPU0: Unknown Error"],
      ],
      nearMiss: [
        ["No devices were found", null],
      ],
    },
    {
      // NCI Gadi's PBS killing a job whose node-local disk (jobfs) reached its quota: a full disk quota.
      rule: "disk_quota_exceeded",
      real: [
        ["crash-corpus zx payu-587, https://github.com/payu-org/payu/issues/587", lineOf(PAYU_587, "jobfs quota")],
        ["find_string hit 70946219549 (a repository's test quoting Gadi's line)", "Job 1.gadi-pbs killed due to exceeding jobfs quota. Quota: 100MB, Used: 1GB"],
      ],
      nearMiss: [
        // The resource summary after it names the jobfs it asked for and used, no kill.
        ["   JobFS requested:    60.0GB                 JobFS used: 11.74GB         ", null],
      ],
    },
  ];
  testFamilies(rules, families);

  test("whole excerpts: fresh11's rule gaps and zx cbiocluster-256 get their labels", async () => {
    assert.deepEqual(await primaryOf("ds-454.log", corpus(DEEPSPEED_454)), { category: "cuda_error", ruleId: "cuda_cublas_status_other" });
    assert.deepEqual(await primaryOf("lf-9350.log", corpus(LLAMAFACTORY_9350)), { category: "timeout", ruleId: "timeout_store_socket" });
    assert.deepEqual(await primaryOf("volcano-1241.log", corpus(VOLCANO_1241)), { category: "process_killed", ruleId: "killed_preempted" });
    assert.deepEqual(await primaryOf("nonlocal-14.log", corpus(NONLOCAL_14)), { category: "nccl_error", ruleId: "nccl_system_error" });
    assert.deepEqual(await primaryOf("collision-11.log", corpus(COLLISION_11)), { category: "checkpoint_corrupt", ruleId: "ckpt_bad_format" });
    assert.deepEqual(await primaryOf("cbio-256.log", corpus(CBIOCLUSTER_256)), { category: "timeout", ruleId: "timeout_scheduler_limit" });
    assert.deepEqual(await primaryOf("st-1888.log", corpus(SIMPLETUNER_1888)), { category: "cuda_error", ruleId: "cuda_driver_mismatch" });
    assert.deepEqual(await primaryOf("1cat-6.log", corpus(ONECATVLLM_6)), { category: "gpu_hardware", ruleId: "gpu_device_handle_unknown" });
    assert.deepEqual(await primaryOf("payu-587.log", corpus(PAYU_587)), { category: "disk_full", ruleId: "disk_quota_exceeded" });
  });
});

describe("eighteenth round: how a failed run's output ends without a traceback", () => {
  test("an exception line whose message starts on the next line is the failure (fresh11 zq safetensors-842)", async () => {
    const report = parseFailure(corpus(SAFETENSORS_842).split("\n"));
    assert.equal(report?.exception?.type, "safetensors._safetensors_rust.SafetensorError");
    assert.match(report?.exception?.message ?? "", /^Error while serializing: I\/O error:\nOperation not supported \(os error 95\)/);
    assert.deepEqual(await primaryOf("st-842.log", corpus(SAFETENSORS_842)), { category: "python_exception", ruleId: "python_traceback" });
  });

  test("near misses: a heading's bare `Error:`, a type and colon with nothing after them, a run that goes on", async () => {
    assert.equal(await primaryOf("heading.log", ["Error:", "  see the documentation for the list of options", ""].join("\n")), null);
    assert.equal(await primaryOf("alone.log", ["Epoch 3: loss 0.41", "ValueError:", ""].join("\n")), null);
    const goesOn = ["ValueError:", "bad value in row 17, skipped", ...Array.from({ length: 3 }, (_, i) => `Epoch ${i + 4}: loss 0.3${i}`), ""].join("\n");
    assert.equal(await primaryOf("goes-on.log", goesOn), null);
  });

  test("a C++ exception named in a glog error record is the failure, read by its message", async () => {
    // caffe2#1936's record head (https://github.com/facebookarchive/caffe2/issues/1936) with an enforce no rule reads
    // (Detectron#287's filter check, https://github.com/facebookresearch/Detectron/issues/287): constructed from real
    // line shapes.
    const enforce = "E0628 19:13:22.730840  3624 net_dag.cc:195] Exception from operator chain starting at '' (type 'Conv'): caffe2::EnforceNotMet: [enforce fail at conv_op_cudnn.cc:500] filter.dim32(1) == C / group_. Error from operator:";
    const report = parseFailure([enforce, 'input: "gpu_0/data" output: "gpu_0/conv1" name: "" type: "Conv"']);
    assert.equal(report?.exception?.kind, "cpp");
    assert.equal(report?.exception?.type, "caffe2::EnforceNotMet");
    assert.deepEqual(await primaryOf("enforce.log", `${enforce}\n`), { category: "python_exception", ruleId: "cpp_terminate" });
    // Its message names the collective library: NCCL's internal error (code 3, which no rule reads) is nccl_error.
    const nccl = "[E net_dag.cc:188] Exception from operator chain starting at '' (type 'NCCLAllreduce'): caffe2::EnforceNotMet: [enforce fail at cuda_nccl_gpu.cc:24] status == ncclSuccess. 3 vs 0.  Error at: cuda_nccl_gpu.cc24: internal error Error from operator: ";
    assert.deepEqual(await primaryOf("nccl3.log", `${nccl}\n`), { category: "nccl_error", ruleId: "cpp_terminate" });
  });

  test("near misses: an info record naming a C++ type, an error record the run goes past", async () => {
    assert.equal(await primaryOf("info.log", "I0628 19:13:22.730840  3624 net_dag.cc:195] caffe2::EnforceNotMet: handled by the retry policy\n"), null);
    const past = ["E0628 19:13:22.730840  3624 net_dag.cc:195] Exception from operator chain starting at '' (type 'Conv'): caffe2::EnforceNotMet: [enforce fail at conv_op_cudnn.cc:500] filter.dim32(1) == C / group_. Error from operator:", ...Array.from({ length: 3 }, (_, i) => `I0628 19:14:0${i}.120000  3624 train_net.py:120] iter: ${20 * (i + 1)}, loss: 1.2${i}`), ""].join("\n");
    assert.equal(await primaryOf("past.log", past), null);
  });

  test("TensorFlow's tf_should_use notice (a creation stack, not a traceback) is no crash; a traceback after it still is", async () => {
    // The notice's shape as TensorFlow's tf_should_use.py logs it (find_string hit 26874369383, its source) with the
    // frames on their own lines as in find_string hit 24409206820 (a notebook's output) and tensorflow/models#8474 (the
    // reviewer's case, NOTES.md 22:03); the training lines before it from find_string hit 41998226236.
    const notice = [
      "step 8, loss: 2.896871",
      "step 9, loss: 3.313305",
      "ERROR:tensorflow:==================================",
      "Object was never used (type <class 'tensorflow.python.ops.tensor_array_ops.TensorArray'>):",
      "<tensorflow.python.ops.tensor_array_ops.TensorArray object at 0x7f21d9740c50>",
      'If you want to mark it as used call its "mark_used()" method.',
      "It was originally created here:",
      '  File "test-tf11-tfshoulduse-crash.py", line 328, in <module>',
      "    test()",
      '  File "/usr/local/lib/python3.6/dist-packages/tensorflow/python/util/tf_should_use.py", line 170, in wrapped',
      "    return _add_should_use_warning(fn(*args, **kwargs))",
      "==================================",
    ];
    assert.equal(await primaryOf("tf-should-use.log", `${notice.join("\n")}\n`), null);
    // hit 13313981938: the notice after the run's own AttributeError, which ended it.
    const crashed = traceback("using_tensorboard.py", 11, "<module>", "merged = tf.merge_all_summaries()", "AttributeError: 'module' object has no attribute 'merge_all_summaries'", ...notice.slice(2));
    assert.deepEqual(await primaryOf("tf-should-use-after.log", crashed), { category: "python_exception", ruleId: "python_traceback" });
  });

  test("Ray Train's TrainingFailedError names OOM only as an example: zx madewithml-271 is python_exception", async () => {
    // Its message is fixed text (ray/train/base_trainer.py), also in https://github.com/ray-project/ray/issues/39380.
    assert.deepEqual(await primaryOf("mwml-271.log", corpus(MADEWITHML_271)), { category: "python_exception", ruleId: "python_traceback" });
    const ray39380 = traceback(
      "/opt/homebrew/lib/python3.11/site-packages/ray/train/base_trainer.py",
      630,
      "fit",
      "raise TrainingFailedError(",
      "ray.train.base_trainer.TrainingFailedError: The Ray Train run failed. Please inspect the previous error messages for a cause. After fixing the issue (assuming that the error is not caused by your own application logic, but rather an error such as OOM), you can restart the run from scratch or continue this run.",
    );
    assert.deepEqual(await primaryOf("ray-39380.log", ray39380), { category: "python_exception", ruleId: "python_traceback" });
  });

  test("unpickling the bytes a file read returned is loading that file: zx ray-58179's empty tuner.pkl is checkpoint_corrupt", async () => {
    assert.deepEqual(await primaryOf("ray-58179.log", corpus(RAY_58179)), { category: "checkpoint_corrupt", ruleId: "python_traceback" });
    // Near miss: the same EOFError unpickling what a socket received (a peer that went away), not a file.
    const socket = traceback("worker.py", 40, "serve", "msg = pickle.loads(conn.recv(4096))", "EOFError: Ran out of input");
    assert.deepEqual(await primaryOf("socket.log", socket), { category: "python_exception", ruleId: "python_traceback" });
  });

  test("Determined's CLI prefix (`<level> [time] container || `) is a capture prefix, in its three forms; other `<...>` line starts are not", () => {
    const cases: [string, string][] = [
      ["<info>    [2021-12-07 10:43:22] ef45fdce || INFO: container failed with non-zero exit code:  (exit code 137)", "INFO: container failed with non-zero exit code:  (exit code 137)"],
      ["<>        [2021-12-07 10:43:01] 087c0ee7 || Exit code: 1", "Exit code: 1"],
      // https://github.com/determined-ai/determined/issues/8844 and #2290 (the master's own lines).
      ["<info> [2024-02-13 22:50:35] [2b9091c2] copying files to container: /run/determined", "copying files to container: /run/determined"],
      ["<info> [2024-02-13 22:50:35] || INFO: Trial 6 (Experiment 6) was assigned to an agent", "INFO: Trial 6 (Experiment 6) was assigned to an agent"],
      ['<error>   [2021-04-28, 08:20:22] unexpected failure of trial after restart 2/5: container failed with non-zero exit code: 137 (exit code 137)  experiment-id="1"', 'unexpected failure of trial after restart 2/5: container failed with non-zero exit code: 137 (exit code 137)  experiment-id="1"'],
    ];
    for (const [line, rest] of cases) assert.equal(line.slice(capturePrefixLength(line)), rest, line);
    for (const line of ["<stdin>:1: SyntaxWarning: invalid escape sequence", "<Raw>[ExitCustomizedDiagnostics]:", "<frozen importlib._bootstrap>:241: RuntimeWarning"]) assert.equal(capturePrefixLength(line), 0, line);
  });

  test("mpirun's and Horovod's report of the first process that exited: later kills are the launcher's cleanup (zx determined-3275)", async () => {
    // Horovod's RuntimeError names process 1's exit code 1; the 137 after it is another container cleaned up.
    assert.deepEqual(await primaryOf("det-3275.log", corpus(DETERMINED_3275)), { category: "python_exception", ruleId: "python_traceback" });
    const report = parseFailure(corpus(DETERMINED_3275).split("\n").map((l) => l.slice(capturePrefixLength(l))));
    assert.equal(report?.launcher?.exitCode, 1);
    // mpirun's own report (https://github.com/horovod/horovod/issues/1421), nothing else: the launcher says a process failed.
    const mpirun = [
      "Primary job  terminated normally, but 1 process returned",
      "a non-zero exit code. Per user-direction, the job has been aborted.",
      "--------------------------------------------------------------------------",
      "mpirun detected that one or more processes exited with non-zero status, thus causing",
      "the job to be terminated. The first process to do so was:",
      "",
      "  Process name: [[29973,1],0]",
      "  Exit code:    1",
      "--------------------------------------------------------------------------",
      "",
    ].join("\n");
    assert.deepEqual(await primaryOf("mpirun-1421.log", mpirun), { category: "python_exception", ruleId: "launcher_failure" });
    // https://github.com/horovod/horovod/issues/2484: the first process was killed (137), which the rules already name.
    const elastic = traceback(
      "/opt/anaconda3/lib/python3.6/site-packages/horovod/runner/gloo_run.py",
      318,
      "launch_gloo_elastic",
      ".format(name=name, code=exit_code))",
      "RuntimeError: Horovod detected that one or more processes exited with non-zero status, thus causing the job to be terminated. The first process to do so was:",
      "Process name: elastic-test-worker-1[0]",
      "Exit code: 137",
    );
    assert.equal((await primaryOf("hvd-2484.log", elastic))?.category, "process_killed");
  });
});
