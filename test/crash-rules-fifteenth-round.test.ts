/**
 * Fifteenth rules round, on the studied fresh10 (zl, zm): CatBoost's and boost.compute's (LightGBM's OpenCL) GPU
 * allocation failures, the Ascend runtime's RTS_HWTS exception record, SageMaker's report of a user script that
 * failed, a final exception whose message ends in the I/O operation that timed out (xgboost's rabit), and a
 * FileNotFoundError naming a native library a package loads, and CPython's abort report ranked below the error
 * printed before it (docs/crash-accuracy.md, "Fifteenth round", items 111-).
 * Real lines name where they come from; near misses must not be the rule (null: no rule at all); whole texts
 * check the primary choice.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-fifteenth-round-");

describe("fifteenth round: rule families", () => {
  const families: Family[] = [
    {
      // CatBoost's GPU memory pool refusing a request (NCudaLib::TOutOfMemoryError, stack_like_memory_pool.h), as its
      // uncaught-exception report prints it; and boost.compute's opencl_error for CL_MEM_OBJECT_ALLOCATION_FAILURE
      // (LightGBM's OpenCL trainer, boost.compute users), a device buffer that could not be allocated.
      rule: "cuda_oom_other_runtimes",
      real: [
        ["crash-corpus zm catboost-2750, https://github.com/catboost/catboost/issues/2750", "(NCudaLib::TOutOfMemoryError) /src/catboost/catboost/cuda/cuda_lib/memory_pool/stack_like_memory_pool.h:303: Error: Out of memory. Requested 8880 MB; Free 5902.061425 MB"],
        ["crash-corpus zm catboost-2750", "    type -> NCudaLib::TOutOfMemoryError"],
        ["https://github.com/catboost/catboost/issues/1347", "(NCudaLib::TOutOfMemoryError) catboost/cuda/cuda_lib/memory_pool/stack_like_memory_pool.h:303: Error: Out of memory. Requested 11032 MB; Free 8260.007324 MB"],
        ["https://github.com/catboost/catboost/issues/2678", "(NCudaLib::TOutOfMemoryError) /src/catboost/catboost/cuda/cuda_lib/memory_pool/stack_like_memory_pool.h:303: Error: Out of memory. Requested 776.3222656 MB; Free 676.4537106 MB"],
        ["https://github.com/catboost/catboost/issues/302", "Application terminated with error: (NCudaLib::TOutOfMemoryError) catboost/cuda/cuda_lib/memory_pool/stack_like_memory_pool.h:294: Error: Out of memory. Requested 1070.546387; Free 1010.952393"],
        ["https://github.com/catboost/catboost/issues/405 (no type line before it)", '    what() -> "catboost/cuda/cuda_lib/memory_pool/stack_like_memory_pool.h:305: Error: Out of memory. Requested 17476.96875; Free 2255.542871"'],
        ["crash-corpus zm lightgbm-4480, https://github.com/lightgbm-org/LightGBM/issues/4480", "  what():  Memory Object Allocation Failure"],
        ["find_string hit 54298469929 (a boost.compute thread: a buffer over the device's limit)", "  what():  Memory Object Allocation Failure  "],
        ["find_string hit 54248854816 (a boost.compute thread: after several iterations)", '  what():  Memory Object Allocation Failure"'],
      ],
      nearMiss: [
        // https://github.com/lightgbm-org/LightGBM/issues/1410: an OpenCL driver that is not installed properly.
        ["Unknown OpenCL Error (221)", null],
        // https://github.com/catboost/catboost/issues/407 (titled NCudaLib::TOutOfMemoryError): a parameter error.
        ["_catboost.CatboostError: Invalid param `pinned_memory_size`.", null],
      ],
    },
    {
      // The Ascend runtime's exception stream record for a kernel that faulted on an AI Core (HWTS: the hardware task
      // scheduler), the record torch_npu's "The Inner error is reported as above" refers to.
      rule: "cuda_npu_kernel_error",
      real: [
        ["crash-corpus zm llamafactory-3670, https://github.com/hiyouga/LlamaFactory/issues/3670", "  Message info[0]:RTS_HWTS: aicore exception, slot_id=31, stream_id=3"],
        ["https://github.com/vllm-project/vllm-ascend/issues/10122", "(EngineCore pid=247) ERROR 06-08 14:11:34 [core.py:1136]   Message info[0]:RTS_HWTS: Aicore exception, slot_id=13, stream_id=4"],
      ],
      nearMiss: [
        // The same record's head and stream line name no fault.
        ["EXCEPTION STREAM:", null],
        ["  Exception info:TGID=196191, model id=65535, stream id=3, stream phase=3", null],
      ],
    },
    {
      // SageMaker's training container: the user's script exited with an error (a symptom: any cause in the log wins).
      rule: "sagemaker_user_script_error",
      real: [
        ["crash-corpus zm hf-notebooks-136, https://github.com/huggingface/notebooks/issues/136", "Error:- Error for Training job huggingface-pytorch-training-2022-01-25-19-23-38-888: Failed. Reason: AlgorithmError: ExecuteUserScriptError:"],
        ["https://github.com/aws/sagemaker-python-sdk/issues/1225", "UnexpectedStatusException: Error for Training job sagemaker-scikit-learn-2020-01-11-00-25-23-491: Failed. Reason: AlgorithmError: ExecuteUserScriptError:"],
      ],
      nearMiss: [
        // https://github.com/aws/amazon-sagemaker-examples/issues/1234: a custom container's exit code, no user-script report.
        ["UnexpectedStatusException: Error for Training job xyz-2020-05-22-11-02-50-985: Failed. Reason: AlgorithmError: Exit Code: 1", null],
        // https://github.com/aws/amazon-sagemaker-examples/issues/1740: the framework's own error, with its traceback after it.
        ["UnexpectedStatusException: Error for Training job rf-scikit-2023-09-28-07-37-56-820: Failed. Reason: AlgorithmError: framework error: ", null],
      ],
    },
    {
      // CPython's report of SIGABRT: the process aborted itself (a library's fatal check, an uncaught C++ exception), a
      // cause below the error it printed before (priority -2), not above it like a segmentation fault.
      rule: "segfault_fatal_python_abort",
      real: [
        ["crash-corpus zm tensorflow-60706, https://github.com/tensorflow/tensorflow/issues/60706", "Fatal Python error: Aborted"],
        ["crash-corpus zg physical-ai-studio-440 (after an XPU out of device memory)", "Fatal Python error: Aborted"],
        ["https://github.com/tensorflow/tensorflow/issues/56684 (alone, then the shell's Aborted)", "Fatal Python error: Aborted "],
      ],
      nearMiss: [
        // Native crashes that are no self-abort keep the priority-0 rule.
        ["Fatal Python error: Segmentation fault", "segfault_fatal_python"],
        ["Fatal Python error: Bus error", "segfault_fatal_python"],
      ],
    },
  ];
  testFamilies(rules, families);

  test("whole excerpts: zm catboost-2750, lightgbm-4480, llamafactory-3670 and hf-notebooks-136 are read by their rules", async () => {
    assert.deepEqual(await primaryOf("catboost-2750.log", corpus("cuda_oom/zm-catboost-2750-gpu-toutofmemoryerror.log")), { category: "cuda_oom", ruleId: "cuda_oom_other_runtimes" });
    assert.deepEqual(await primaryOf("lightgbm-4480.log", corpus("cuda_oom/zm-lightgbm-4480-opencl-memory-object-allocation-failure.log")), { category: "cuda_oom", ruleId: "cuda_oom_other_runtimes" });
    assert.deepEqual(await primaryOf("llamafactory-3670.log", corpus("cuda_error/zm-llamafactory-3670-ascend-aicore-exception.log")), { category: "cuda_error", ruleId: "cuda_npu_kernel_error" });
    assert.deepEqual(await primaryOf("hf-notebooks-136.log", corpus("python_exception/zm-hf-notebooks-136-sagemaker-user-script-error.log")), { category: "python_exception", ruleId: "sagemaker_user_script_error" });
  });

  test("sagemaker_user_script_error is a symptom: the script's own failure in the same log is read instead", async () => {
    // Constructed from real lines: sagemaker-python-sdk#1225's report after a CUDA OOM as torch words it.
    const text = [
      "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 15.78 GiB total capacity; 14.71 GiB already allocated; 4.75 MiB free; 14.73 GiB reserved in total by PyTorch)",
      "UnexpectedStatusException: Error for Training job sagemaker-scikit-learn-2020-01-11-00-25-23-491: Failed. Reason: AlgorithmError: ExecuteUserScriptError:",
      "",
    ].join("\n");
    assert.equal((await primaryOf("sm-oom.log", text))?.category, "cuda_oom");
  });
});

describe("fifteenth round: an abort after the error that caused it", () => {
  test("zm tensorflow-60706: gRPC's DEADLINE_EXCEEDED, TF's fatal check on the server's Stop(), then the abort: timeout", async () => {
    assert.deepEqual(await primaryOf("tf-60706.log", corpus("timeout/zm-tensorflow-60706-mwms-grpc-deadline-exceeded.log")), { category: "timeout", ruleId: "timeout_grpc_deadline" });
  });

  test("causes of priority 0 and above before an abort keep their reading (zg physical-ai-studio-440, zb raylight-102)", async () => {
    assert.deepEqual(await primaryOf("pais-440.log", corpus("cuda_oom/zg-physical-ai-studio-440-xpu-level-zero-out-of-device-memory.log")), { category: "cuda_oom", ruleId: "cuda_oom_other_runtimes" });
    assert.equal((await primaryOf("raylight-102.log", corpus("gpu_hardware/zb-raylight-102-rocm-gpu-hang-sigabrt.log")))?.category, "gpu_hardware");
  });

  test("https://github.com/tensorflow/tensorflow/issues/56684: an abort with nothing before it is still the segfault family", async () => {
    const text = ["Fatal Python error: Aborted", "Thread 0x00007f6af96de740 (most recent call first):", "<no Python frame>", "Aborted", ""].join("\n");
    assert.deepEqual(await primaryOf("tf-56684.log", text), { category: "segfault", ruleId: "segfault_fatal_python_abort" });
  });
});

describe("fifteenth round: a final exception's message ending in the I/O operation that timed out", () => {
  test("zm xgboost-ray-256: rabit's `socket.h:170: Poll timeout` is a timeout", async () => {
    assert.deepEqual(await primaryOf("xgboost-ray-256.log", corpus("timeout/zm-xgboost-ray-256-rabit-poll-timeout.log")), { category: "timeout", ruleId: "python_traceback" });
  });

  test("https://github.com/dmlc/xgboost/issues/9700: the same message with its frames and dmlc's stack", async () => {
    const text = [
      '  File "/usr/local/lib/python3.8/dist-packages/xgboost/core.py", line 281, in _check_call',
      "    raise XGBoostError(py_str(_LIB.XGBGetLastError()))",
      "xgboost.core.XGBoostError: [23:13:08] /workspace/rabit/include/rabit/internal/socket.h:170: Poll timeout",
      "Stack trace:",
      "  [bt] (0) /usr/local/lib/python3.8/dist-packages/xgboost/lib/libxgboost.so(+0x1ba0be) [0x7f1de26270be]",
      "  [bt] (1) /usr/local/lib/python3.8/dist-packages/xgboost/lib/libxgboost.so(+0x77acec) [0x7f1de2be7cec]",
      "  [bt] (2) /usr/local/lib/python3.8/dist-packages/xgboost/lib/libxgboost.so(+0x774572) [0x7f1de2be1572]",
      "",
    ].join("\n");
    assert.deepEqual(await primaryOf("xgboost-9700.log", text), { category: "timeout", ruleId: "python_traceback" });
  });

  test("near miss (constructed): a message that names a timeout setting, not an operation that ran out of time", async () => {
    const text = [
      "Traceback (most recent call last):",
      '  File "train.py", line 12, in <module>',
      "    client = connect(cfg)",
      "RuntimeError: unsupported option: timeout",
      "",
    ].join("\n");
    assert.deepEqual(await primaryOf("option.log", text), { category: "python_exception", ruleId: "python_traceback" });
  });
});

describe("fifteenth round: a FileNotFoundError naming a native library is a missing shared library", () => {
  test("zl dgl-7438: DGL's `Cannot find DGL C++ graphbolt library at .../libgraphbolt_pytorch_2.3.0.so` is import_error", async () => {
    assert.deepEqual(await primaryOf("dgl-7438.log", corpus("import_error/zl-dgl-7438-graphbolt-library-not-found.log")), { category: "import_error", ruleId: "python_traceback" });
  });

  test("https://github.com/zshicode/GNN-for-text-classification/issues/7: ctypes' `Could not find module '...dgl.dll'`", async () => {
    const text = [
      "Traceback (most recent call last):",
      '  File "C:\\Users\\Ramy\\Desktop\\GCNTEST\\GNN-for-text-classification-master\\main.py", line 13, in <module>',
      "    import dgl",
      '  File "C:\\Users\\Ramy\\anaconda3\\lib\\site-packages\\dgl\\__init__.py", line 13, in <module>',
      "    from .backend import load_backend, backend_name",
      '  File "C:\\Users\\Ramy\\anaconda3\\lib\\site-packages\\dgl\\backend\\__init__.py", line 95, in <module>',
      "    load_backend(get_preferred_backend())",
      '  File "C:\\Users\\Ramy\\anaconda3\\lib\\site-packages\\dgl\\backend\\__init__.py", line 41, in load_backend',
      "    from .._ffi.base import load_tensor_adapter # imports DGL C library",
      '  File "C:\\Users\\Ramy\\anaconda3\\lib\\site-packages\\dgl\\_ffi\\base.py", line 44, in <module>',
      "    _LIB, _LIB_NAME, _DIR_NAME = _load_lib()",
      '  File "C:\\Users\\Ramy\\anaconda3\\lib\\site-packages\\dgl\\_ffi\\base.py", line 34, in _load_lib',
      "    lib = ctypes.CDLL(lib_path[0])",
      '  File "C:\\Users\\Ramy\\anaconda3\\lib\\ctypes\\__init__.py", line 382, in __init__',
      "    self._handle = _dlopen(self._name, mode)",
      "FileNotFoundError: Could not find module 'C:\\Users\\Ramy\\anaconda3\\lib\\site-packages\\dgl\\dgl.dll' (or one of its dependencies). Try using the full path",
      "",
    ].join("\n");
    assert.deepEqual(await primaryOf("gnn-7.log", text), { category: "import_error", ruleId: "python_traceback" });
  });

  test("near miss (constructed): a FileNotFoundError for a checkpoint or a data file stays the exception", async () => {
    for (const message of ["[Errno 2] No such file or directory: 'checkpoints/model_final.pth'", "[Errno 2] No such file or directory: 'data/train.solutions.json'"]) {
      const text = ["Traceback (most recent call last):", '  File "train.py", line 40, in <module>', "    state = load(path)", `FileNotFoundError: ${message}`, ""].join("\n");
      assert.deepEqual(await primaryOf("fnf.log", text), { category: "python_exception", ruleId: "python_traceback" }, message);
    }
  });
});

// zn's first-contact misses (docs/crash-accuracy.md, items 116-): Metal's command-buffer failures other than its OOM
// and watchdog forms, and Ray's report of a worker that SIGTERM stopped.
describe("fifteenth round, zn: Metal's failed command buffer and Ray's SIGTERM", () => {
  testFamilies(rules, [
    {
      // MLX's `[METAL] Command buffer execution failed: <status>` for a status other than Insufficient Memory (cuda_oom)
      // and Caused GPU Timeout Error (gpu_hardware): the GPU aborted the work, a CUDA launch failure's counterpart.
      rule: "cuda_metal_command_buffer_failed",
      real: [
        ["crash-corpus zn mlx-examples-664, https://github.com/ml-explore/mlx-examples/issues/664", "libc++abi: terminating due to uncaught exception of type std::runtime_error: [METAL] Command buffer execution failed: Internal Error (0000000e:Internal Error)"],
        ["https://github.com/Blaizzy/mlx-vlm/issues/270 (title)", "libc++abi: terminating due to uncaught exception of type std::runtime_error: [METAL] Command buffer execution failed: Invalid Resource (00000009:kIOGPUCommandBufferCallbackErrorInvalidResource)"],
        ["find_string hit 66623278711 (a training run's interruption record: 96 iterations planned, ended after 88)", "RuntimeError: [METAL] Command buffer execution failed: Internal Error (0000000e:Internal Error)."],
        ["find_string hit 61325037139 (aborts quoted in a source comment, another status code)", "//!   [METAL] Command buffer execution failed: Internal Error (00000206:Internal Error)."],
      ],
      nearMiss: [
        // The same message's OOM and watchdog statuses keep their own rules (MTPLX#194's title; crash-corpus zg airllm-367).
        ["libc++abi: terminating due to uncaught exception of type std::runtime_error: [METAL] Command buffer execution failed: Insufficient Memory (00000008:kIOGPUCommandBufferCallbackErrorOutOfMemory)", "cuda_oom_other_runtimes"],
        ["libc++abi: terminating due to uncaught exception of type std::runtime_error: [METAL] Command buffer execution failed: Caused GPU Timeout Error (00000002:kIOGPUCommandBufferCallbackErrorTimeout)", "gpu_metal_command_timeout"],
        // https://github.com/nanoporetech/dorado/issues/35: a failed buffer the basecaller retries (not fatal).
        ["Metal command buffer execution failed: 5, try #0", null],
        // https://github.com/ml-explore/mlx/pull/479: the PR that made MLX raise the error, describing it in prose.
        ["Previously the command buffer would silently fail on execution errors and we would continue business as usual with wrong results.", null],
      ],
    },
    {
      // Ray's worker exit detail for a worker stopped by SIGTERM (its own line when a thread wraps it, or after
      // `Exit code: N. `): like the other SIGTERM kills, a symptom (a scheduler, an operator, Ray stopping workers).
      rule: "killed_sigterm",
      real: [
        ["crash-corpus zn verl-1986, https://github.com/verl-project/verl/issues/1986 (the thread wraps the line)", "The process receives a SIGTERM. "],
        ["find_string hit 33225870585 (a verl PPO/GRPO notes file quoting the raylet; the excerpt's part of the line)", "Worker PID: 269812 Worker exit type: SYSTEM_ERROR Worker exit detail: Worker exits unexpectedly by a signal. SystemExit is raised (sys.exit is called). Exit code: 1. The process receives a SIGTERM."],
        ["find_string hit 35008738383 (a Ray job's log; the excerpt's part of the line)", "Worker IP address: 10.0.83.247 Worker port: 10525 Worker PID: 92026 Worker exit type: SYSTEM_ERROR Worker exit detail: Worker exits unexpectedly by a signal. SystemExit is raised (sys.exit is called). Exit code: 1. The process receives a SIGTERM."],
      ],
      nearMiss: [
        // The same words in code comments (find_string hits 6976529325, 25082775224): no signal was received.
        [" * This function is called when the process receives a SIGTERM signal.", null],
        ["// Emitted when the process receives a SIGTERM signal (e.g., when the process is terminated by the operating system).", null],
        // The raylet's head line of the same report names no signal.
        ["(raylet) A worker died or was killed while executing a task by an unexpected system error. To troubleshoot the problem, check the logs for the dead worker.", null],
      ],
    },
  ]);

  test("zn mlx-examples-664: the Metal failure is the primary, not the abort after it", async () => {
    assert.deepEqual(await primaryOf("mlx-664.log", corpus("cuda_error/zn-mlx-examples-664-lora-metal-command-buffer-failed.log")), { category: "cuda_error", ruleId: "cuda_metal_command_buffer_failed" });
  });

  test("zn verl-1986: Ray's SIGTERM report alone is a kill", async () => {
    assert.deepEqual(await primaryOf("verl-1986.log", corpus("process_killed/zn-verl-1986-raylet-worker-sigterm.log")), { category: "process_killed", ruleId: "killed_sigterm" });
  });

  test("Ray's SIGTERM report after a worker's CUDA OOM: the OOM is the cause", async () => {
    // Constructed from real lines: torch's OOM as it words it, then zn verl-1986's report.
    const text = [
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacity of 79.15 GiB of which 4.75 MiB is free.",
      "(raylet) A worker died or was killed while executing a task by an unexpected system error. To troubleshoot the problem, check the logs for the dead worker.",
      "Worker exit type: SYSTEM_ERROR Worker exit detail: Worker exits unexpectedly by a signal. SystemExit is raised (sys.exit is called). Exit code: 1. The process receives a SIGTERM.",
      "",
    ].join("\n");
    assert.equal((await primaryOf("ray-oom.log", text))?.category, "cuda_oom");
  });
});
