/**
 * Nineteenth rules round, part a (the studied fresh12, manifest zw): readings that hold beyond the excerpts they came
 * from: an exception type that names a full disk (Ray's OutOfDiskError), a cancelled task that is only the timeout's
 * own first step, a C++ allocation failure whose stack allocates on a GPU, numpy's allocation message without its
 * type, RAPIDS' RMM pool running out, MXNet's NDArray loader refusing a params file (docs/crash-accuracy.md,
 * "Nineteenth round, on the studied fresh12", items 300-304).
 * Real lines name where they come from; near misses must not be the rule (null: no rule at all); whole texts
 * check the primary choice.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-nineteenth-round-a-");

describe("nineteenth round a: rule families", () => {
  const families: Family[] = [
    {
      // MXNet's NDArray::Load (mx.nd.load, model.load_checkpoint) on a .params file that is cut or not a params file.
      rule: "ckpt_bad_format",
      real: [
        ["crash-corpus zw simpledet-270, https://github.com/tusen-ai/simpledet/issues/270", "mxnet.base.MXNetError: [10:00:45] src/ndarray/ndarray.cc:1851: Check failed: fi->Read(data): Invalid NDArray file format"],
        ["https://github.com/apache/mxnet/issues/1534", "[14:36:59] ./dmlc-core/include/dmlc/logging.h:241: [14:36:59] src/ndarray/ndarray.cc:593: Check failed: fi->Read(data) Invalid NDArray file format"],
        ["https://github.com/tusen-ai/simpledet/issues/67", "mxnet.base.MXNetError: [07:32:30] src/ndarray/ndarray.cc:1749: Check failed: fi->Read(&header) Invalid NDArray file format"],
        ["https://github.com/mahyarnajibi/SNIPER/issues/5", "mxnet.base.MXNetError: [04:49:05] /home/czn/scc/SNIPER/SNIPER-mxnet/src/ndarray/ndarray.cc:1770: Check failed: fi->Read(data) Invalid NDArray file format"],
        ["https://github.com/apache/mxnet/issues/9201", "[14:47:44] /home/yuhailong/mxnet/mxnet100/dmlc-core/include/dmlc/./logging.h:308: [14:47:44] src/ndarray/ndarray.cc:1053: Check failed: fi->Read(data) Invalid NDArray file format"],
      ],
      nearMiss: [
        // The same runs' ordinary records before the load (apache/mxnet#16224): a symbol file upgraded, not a broken file.
        ["[13:43:35] C:\\Jenkins\\workspace\\mxnet-tag\\mxnet\\src\\nnvm\\legacy_json_util.cc:209: Loading symbol saved by previous version v0.8.0. Attempting to upgrade...", null],
        ["[13:43:35] C:\\Jenkins\\workspace\\mxnet-tag\\mxnet\\src\\nnvm\\legacy_json_util.cc:217: Symbol successfully upgraded!", null],
        // The error's words quoted in prose (an issue title, apache/mxnet#2860's source excerpt), not a failed check.
        ["Invalid NDArray file format while vgg19.py for neural-style", null],
        ['      << "Invalid NDArray file format";', null],
      ],
    },
    {
      // RAPIDS' RMM pool (cuDF, dask-cuda, cupoch) refusing to grow past its maximum: device memory, whatever the
      // std::bad_alloc around it (which alone is read as host memory).
      rule: "cuda_oom_generic",
      real: [
        ["crash-corpus zw dask-cuda-859, https://github.com/rapidsai/dask-cuda/issues/859", "distributed.utils - ERROR - std::bad_alloc: out_of_memory: RMM failure at:/datasets/vjawa/miniconda3/envs/rapids-gpu-bdb-dask-sql-feb-11/include/rmm/mr/device/pool_memory_resource.hpp:192: Maximum pool size exceeded"],
        ["https://github.com/rapidsai/rmm/issues/1421", "MemoryError: std::bad_alloc: out_of_memory: RMM failure at:/blue/program/miniconda3/envs/rapids-23.10/include/rmm/mr/device/pool_memory_resource.hpp:196: Maximum pool size exceeded"],
        ["https://github.com/neka-nat/cupoch/issues/98", "MemoryError: std::bad_alloc: RMM failure at:/home/adolf/cupoch/third_party/rmm/include/rmm/mr/device/pool_memory_resource.hpp:179: Maximum pool size exceeded"],
      ],
      nearMiss: [
        // A bad_alloc without RMM stays the host's (the corpus's convention).
        ["terminate called after throwing an instance of 'std::bad_alloc'", "host_oom_memory_error"],
        // The pool being set up (rapidsai/rmm#600's session), not an allocation that failed.
        ["rmm.reinitialize(pool_allocator=True,initial_pool_size=15e+9,managed_memory=False)", null],
      ],
    },
    {
      // numpy's _ArrayMemoryError message, also where the type is printed apart from it (VS Code's exception view puts
      // "Exception has occurred: MemoryError" on the line before).
      rule: "host_oom_numpy",
      real: [
        ["crash-corpus zw lstm-fcn-23, https://github.com/titu1994/LSTM-FCN/issues/23", "Unable to allocate 574. TiB for an array with shape (30734400, 5132157) and data type float32"],
        ["crash-corpus a keypointfusion-3", "numpy.core._exceptions._ArrayMemoryError: Unable to allocate 58.0 GiB for an array with shape (176351, 176460) and data type uint16"],
        ["crash-corpus k autofeat-24", "MemoryError: Unable to allocate 2.05 GiB for an array with shape (501, 550174) and data type float64"],
        ["crash-corpus zb deepviral-1", "numpy.core._exceptions.MemoryError: Unable to allocate 10.9GiB for an array with shape (14661920, 4) and data type <U50"],
      ],
      nearMiss: [
        // Slurm's allocation of nodes, not of memory.
        ["srun: error: Unable to allocate resources: Requested node configuration is not available", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("nineteenth round a: exception types and native failures", () => {
  test("zw secretflow-347: Ray's OutOfDiskError in a notebook's traceback header is a full disk, even with its message cut", async () => {
    assert.deepEqual(await primaryOf("secretflow-347.log", corpus("disk_full/zw-secretflow-347-fl-model-fit-outofdiskerror.log")), { category: "disk_full", ruleId: "python_traceback" });
  });

  test("ray.exceptions.OutOfDiskError with its message (ray-project/ray#50408) is a full disk", async () => {
    const text = [
      "Traceback (most recent call last):",
      '  File "train.py", line 12, in <module>',
      "    ref = ray.put(batch)",
      "ray.exceptions.OutOfDiskError: ('50084993dcbe7a5cffffffffffffffffffffffff0200000083000000', b'', '')",
      "The object cannot be created because the local object store is full and the local disk's utilization is over capacity (95% by default).Tip: Use `df` on this node to check disk usage and `ray memory` to check object store memory usage.",
      "",
    ].join("\n");
    assert.equal((await primaryOf("ray-50408.log", text))?.category, "disk_full");
  });

  test("zw dask-9502: asyncio.wait_for's TimeoutError raised from the task it cancelled is a timeout, not the CancelledError", async () => {
    assert.deepEqual(await primaryOf("dask-9502.log", corpus("timeout/zw-dask-9502-worker-connect-asyncio-timeout.log")), { category: "timeout", ruleId: "timeout_python" });
  });

  test("near miss: a real failure handled into a timeout is still the failure the wait came from", async () => {
    // Constructed: any failure other than a cancellation before the wait keeps the peer-wait reading (items 300-301).
    const text = [
      "Traceback (most recent call last):",
      '  File "worker.py", line 40, in run',
      "    batch = next(loader)",
      "ValueError: could not broadcast input array from shape (3,224,224) into shape (3,256,256)",
      "",
      "During handling of the above exception, another exception occurred:",
      "",
      "Traceback (most recent call last):",
      '  File "worker.py", line 44, in run',
      "    await asyncio.wait_for(report(), 30)",
      '  File "/usr/lib/python3.9/asyncio/tasks.py", line 492, in wait_for',
      "    raise exceptions.TimeoutError() from exc",
      "asyncio.exceptions.TimeoutError",
      "",
    ].join("\n");
    assert.deepEqual(await primaryOf("handled.log", text), { category: "python_exception", ruleId: "python_traceback" });
  });

  test("zw paddle-42341: a C++ BadAlloc whose stack allocates on a GPUContext is the GPU's memory", async () => {
    assert.deepEqual(await primaryOf("paddle-42341.log", corpus("cuda_oom/zw-paddle-42341-badalloc-gpu-scale-kernel.log")), { category: "cuda_oom", ruleId: "cpp_terminate" });
  });

  test("near miss: the same BadAlloc with a CPU stack is the host's memory", async () => {
    // Constructed from zw paddle-42341 with the kernel on a CPUContext: no GPU in the stack.
    const text = corpus("cuda_oom/zw-paddle-42341-badalloc-gpu-scale-kernel.log").replaceAll("GPUContext", "CPUContext");
    assert.deepEqual(await primaryOf("paddle-cpu.log", text), { category: "host_oom", ruleId: "cpp_terminate" });
  });

  test("near miss: another C++ exception with a GPU stack is no allocation failure", async () => {
    const text = corpus("cuda_oom/zw-paddle-42341-badalloc-gpu-scale-kernel.log").replace("paddle::memory::allocation::BadAlloc", "paddle::platform::EnforceNotMet");
    assert.equal((await primaryOf("paddle-enforce.log", text))?.category, "python_exception");
  });

  test("whole excerpts: zw lstm-fcn-23, dask-cuda-859 and simpledet-270 are read by their rules", async () => {
    assert.deepEqual(await primaryOf("lstm-fcn-23.log", corpus("host_oom/zw-lstm-fcn-23-to-categorical-memoryerror.log")), { category: "host_oom", ruleId: "host_oom_numpy" });
    assert.deepEqual(await primaryOf("dask-cuda-859.log", corpus("cuda_oom/zw-dask-cuda-859-rmm-pool-size-exceeded.log")), { category: "cuda_oom", ruleId: "cuda_oom_generic" });
    assert.deepEqual(await primaryOf("simpledet-270.log", corpus("checkpoint_corrupt/zw-simpledet-270-pretrain-params-invalid-ndarray.log")), { category: "checkpoint_corrupt", ruleId: "ckpt_bad_format" });
  });
});
