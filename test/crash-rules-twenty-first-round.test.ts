/**
 * Twenty-first rules round (issue 10), on the studied fresh13: from its seven misses, the readings that hold for logs
 * not seen. dask's nanny reporting a worker killed by a signal (exit 255 is its "unknown signal"), gperftools
 * tcmalloc's invalid-free abort (a heap corruption, like glibc's), XGBoost's CUDA check (`<file>.cu: <line>: <CUDA
 * error string>`), torch.distributed asked for NCCL on a build without it, Python's name suggestion after an
 * AttributeError message whose type was cut, and libc++abi's one-line terminate (macOS), which no reading knew
 * (docs/crash-accuracy.md, "Twenty-first round, on the studied fresh13"). Real lines name where they come from; near
 * misses must not be the rule (null: no rule at all); whole texts check the primary choice on the corpus entries.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { parseFailure } from "../agent/crash/traceback.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twenty-first-round-");

describe("twenty-first round (fresh13): rule families", () => {
  const families: Family[] = [
    {
      // dask's nanny (distributed/nanny.py) after its worker process ended without a clean exit: "was killed by
      // signal N", or "by unknown signal" for exit status 255. The nanny restarts it; the worker's tasks died with it.
      rule: "killed_pool_worker_died",
      real: [
        ["crash-corpus fresh13 zzc rapids-notebooks-89, https://github.com/rapidsai/notebooks/issues/89", "distributed.nanny - WARNING - Worker process 50 was killed by unknown signal"],
        ["crash-corpus zw dask-cuda-165, https://github.com/rapidsai/dask-cuda/issues/165 (after the memory budget's restart)", "distributed.nanny - INFO - Worker process 79862 was killed by signal 15"],
        ["https://github.com/dask/distributed/issues/1863", "distributed.nanny - WARNING - Worker process 30448 was killed by signal 15"],
        ["https://github.com/dask/dask-jobqueue/issues/20", "distributed.nanny - WARNING - Worker process 12826 was killed by unknown signal"],
      ],
      nearMiss: [
        ["distributed.nanny - WARNING - Restarting worker", null],
        // A worker that exited with a status raised an error of its own: its traceback says why, not a kill.
        ["distributed.nanny - INFO - Worker process 79862 exited with status 1", null],
        ["distributed.nanny - INFO - Failed to start worker process.  Restarting", null],
      ],
    },
    {
      // gperftools' tcmalloc aborting on a free of a pointer it never allocated: a heap corruption, the same family as
      // glibc's `free(): invalid pointer` (segfault by the corpus's convention). Printed without a line break of its
      // own after a progress bar's `\r` redraws.
      rule: "segfault_heap_corruption",
      real: [
        ["crash-corpus fresh13 zzd pytorch-yolov3-650, https://github.com/eriklindernoren/PyTorch-YOLOv3/issues/650", "Training Epoch 14:   0% 0/101 [00:00<?, ?it/s]src/tcmalloc.cc:283] Attempt to free invalid pointer 0x1 "],
        ["https://github.com/flux-framework/flux-core/issues/5479", "src/tcmalloc.cc:333] Attempt to free invalid pointer 0x55e2188ad780 "],
        ["https://github.com/Bing-su/adetailer/issues/378", "src/tcmalloc.cc:284] Attempt to free invalid pointer 0x35604010 "],
        ["https://github.com/kcat/openal-soft/issues/134", "src/tcmalloc.cc:284] Attempt to free invalid pointer 0x3c84420 "],
      ],
      nearMiss: [
        // gdb's frame of the same abort (openal-soft#134): a debugger's stack, not the process's report.
        ["#3  0x00007ffff1d738a7 in (anonymous namespace)::InvalidFree (ptr=<optimized out>) at src/tcmalloc.cc:284", null],
        // tcmalloc's large-allocation report (Colab prints it in healthy runs).
        ["tcmalloc: large alloc 1073741824 bytes == 0x5585d9a22000 @  0x7f1a2b3c4d5e 0x7f1a2b3e5f60", null],
        ["Fix the 'attempt to free invalid pointer' problem revealed by tcmalloc", null],
      ],
    },
    {
      // XGBoost's dh::ThrowOnCudaError: `<file>.cu: <line>: <cudaGetErrorString>`, quoted in its XGBoostError. Out of
      // memory in that shape is cuda_oom_toolkit_status's; the other CUDA error strings are a failed call.
      rule: "cuda_error_toolkit_status",
      real: [
        ["crash-corpus fresh13 zzc xgboost-4245, https://github.com/dmlc/xgboost/issues/4245", "/workspace/src/tree/updater_gpu_hist.cu: 279: invalid argument\\n\\nStack trace returned 10 entries:\\n[bt] (0) /home/kyoungrok/anaconda3/xgboost/libxgboost.so(dmlc::StackTrace()+0x3d) [0x7fda1e32ab0d]\\n[bt] "],
      ],
      nearMiss: [
        // The same shape in https://github.com/dmlc/xgboost/issues/4144, read by the launch-failure rule before it.
        ["[16:23:44] /root/repo/xgboost/rabit/include/rabit/./internal/../../dmlc/./logging.h:300: [16:23:44] /root/repo/xgboost/src/common/./common.h:41: /root/repo/xgboost/src/tree/updater_gpu_hist.cu: 606: unspecified launch failure", "cuda_launch_failure"],
        ["/workspace/src/tree/updater_gpu_hist.cu: 279: out of memory", "cuda_oom_toolkit_status"],
        ["kernel.cu(12): warning: variable \"x\" was declared but never referenced", null],
        ["ops.cu: 88: invalid arguments count", null],
      ],
    },
    {
      // torch.distributed's check in _new_process_group_helper: the NCCL backend asked for on a build without NCCL
      // (Windows, macOS, CPU-only wheels).
      rule: "nccl_not_built_in",
      real: [
        ["crash-corpus fresh13 zzc mmsegmentation-1787, https://github.com/open-mmlab/mmsegmentation/issues/1787", "RuntimeError: Distributed package doesn't have NCCL built in"],
        ["https://github.com/bshall/hubert/issues/1 (test/fixtures/crash/nccl_error/hubert-1-distributed-package-no-nccl-built-in.log)", "RuntimeError: Distributed package doesn't have NCCL built in"],
        ["https://github.com/bmaltais/kohya_ss/issues/1347 (under rich's boxed traceback)", "RuntimeError: Distributed package doesn't have NCCL built in"],
        ["https://github.com/Alpha-VLLM/LLaMA2-Accessory/issues/166", "RuntimeError: Distributed package doesn't have NCCL built in"],
      ],
      nearMiss: [
        // The raising source line, as tracebacks print it (two string literals) and as mmsegmentation-1787's cut it.
        ["    raise RuntimeError(\"Distributed package doesn't have NCCL \" \"built in\")", null],
        ["    raise RuntimeError(\"Distributed package doesn't have NCCL \"", null],
        // The warning the same build prints earlier (pytorch#159742): not yet a failure.
        ["D:\\Python39\\lib\\site-packages\\torch\\distributed\\distributed_c10d.py:613: UserWarning: Attempted to get default timeout for nccl backend, but NCCL support is not compiled", null],
        ["RuntimeError: Distributed package doesn't have MPI built in", null],
      ],
    },
    {
      // Python 3.10+'s name suggestion (`. Did you mean: 'x'?`) is added only when the traceback is displayed, so it
      // marks an AttributeError's printed message even when the paste lost the type before it.
      rule: "python_attribute_suggestion",
      real: [
        ["crash-corpus fresh13 zzb ms-swift-4965, https://github.com/modelscope/ms-swift/issues/4965", "'transformers.models.qwen2_5_vl.modeling_qwen2_5_vl' has no attribute '_flash_attention_forward'. Did you mean: 'eager_attention_forward'?"],
        ["https://github.com/VisionRush/DeepFakeDefenders/issues/13 (test/fixtures/crash/python_exception/deepfakedefenders-13-attribute-did-you-mean-module.log)", "AttributeError: 'augment_inputs_network' object has no attribute 'module'. Did you mean: 'modules'?"],
      ],
      nearMiss: [
        // Without the suggestion the exception line is the parser's (python_exception by its traceback), not a rule's.
        ["AttributeError: 'Trainer' object has no attribute 'meta_val_interval'", null],
        ["    raise AttributeError(\"'{}' object has no attribute '{}'\".format(", null],
        ["NameError: name 'np' is not defined. Did you mean: 'nn'?", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("twenty-first round (fresh13): whole entries", () => {
  const cases: [string, string, string][] = [
    ["process_killed/zzc-rapids-notebooks-89-dask-nanny-worker-killed-unknown-signal.log", "process_killed", "killed_pool_worker_died"],
    ["segfault/zzd-pytorch-yolov3-650-tcmalloc-invalid-free-worker-aborted.log", "segfault", "segfault_heap_corruption"],
    ["cuda_error/zzc-xgboost-4245-gpu-hist-invalid-argument.log", "cuda_error", "cuda_error_toolkit_status"],
    ["nccl_error/zzc-mmsegmentation-1787-windows-dist-train-no-nccl-built-in.log", "nccl_error", "nccl_not_built_in"],
    ["python_exception/zzb-ms-swift-4965-qwen25vl-sft-flash-attention-forward-attr.log", "python_exception", "python_attribute_suggestion"],
  ];
  for (const [file, category, ruleId] of cases) {
    test(`${file.split("/")[1]} reads ${category} (${ruleId})`, async () => {
      assert.deepEqual(await primaryOf(file.split("/")[1]!, corpus(file)), { category, ruleId });
    });
  }
});

describe("twenty-first round (fresh13): libc++abi's one-line terminate", () => {
  test("the type and what() on one line are the failure (ml-explore/mlx#63's line)", () => {
    const f = parseFailure(["0 GB", "9 GB", "libc++abi: terminating due to uncaught exception of type std::runtime_error: [malloc_or_wait] Unable to allocate 9663676416 bytes.", "zsh: abort      /opt/homebrew/bin/python3.10 "]);
    assert.equal(f?.exceptions.at(-1)?.kind, "cpp");
    assert.equal(f?.exceptions.at(-1)?.type, "std::runtime_error");
    assert.equal(f?.exceptions.at(-1)?.message, "[malloc_or_wait] Unable to allocate 9663676416 bytes.");
  });
  test("older macOS's libc++abi.dylib form with a namespaced type (mamba-org/mamba#448)", () => {
    const f = parseFailure(["libc++abi.dylib: terminating with uncaught exception of type std::runtime_error: pybind11_object_dealloc(): Tried to deallocate unregistered instance!"]);
    assert.equal(f?.exceptions.at(-1)?.type, "std::runtime_error");
    assert.equal(f?.exceptions.at(-1)?.message, "pybind11_object_dealloc(): Tried to deallocate unregistered instance!");
  });
  test("a log ending in it is a crash, read by its message: an allocation that failed, or not", async () => {
    // fresh13 zzb mlx-examples-70 (labelled host_oom, with the collector's doubt: Metal's allocator on unified memory);
    // the message reading takes an allocation failure without a host word as the accelerator's, as for MPS.
    assert.equal((await primaryOf("mlx-70.log", corpus("host_oom/zzb-mlx-examples-70-lora-malloc-or-wait-unable-to-allocate.log")))?.category, "cuda_oom");
    assert.equal((await primaryOf("mamba-448.log", "libc++abi.dylib: terminating with uncaught exception of type std::runtime_error: pybind11_object_dealloc(): Tried to deallocate unregistered instance!\n[1]    34039 abort      mamba env create -f environment.yml\n"))?.category, "python_exception");
  });
  test("near misses: libc++abi's other aborts and the words in prose are no exception", () => {
    assert.equal(parseFailure(["libc++abi: Pure virtual function called!"]), null);
    assert.equal(parseFailure(["On macOS the process ends with libc++abi: terminating, see the issue."]), null);
  });
});
