/**
 * Fourth rules round (issue 10): the misses of the tuning collection `k` (test/fixtures/crash-corpus,
 * manifest-k, split `tune`, never studied before), widened to their families with phrasings found with
 * the search tool in public threads and repositories. Each rule is tried on real lines (where they come
 * from) and on near misses that must not be that rule (null: no rule at all); whole texts then check
 * the primary choice where the change is in the engine (the failure fallback, a priority).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-fourth-round-");

const families: Family[] = [
  {
    // TensorFlow 1.x names no device on the OOM line (the op's device is on the next lines); on a
    // training host with a GPU that is the GPU's allocator (the bfc_allocator dump precedes it).
    rule: "cuda_oom_other_runtimes",
    real: [
      ["crash-corpus cuda_oom/tensorflow-4735-slim-resource-exhausted-midtraining.log (k), https://github.com/tensorflow/tensorflow/issues/4735", "ResourceExhaustedError (see above for traceback): OOM when allocating tensor with shape[256,112,112,64]"],
      ["https://github.com/tensorflow/tensorflow/issues/17669", "ResourceExhaustedError (see above for traceback): OOM when allocating tensor with shape[1,5095,3729,3]"],
      ["https://github.com/santi-pdp/segan/issues/42", "ResourceExhaustedError (see above for traceback): OOM when allocating tensor with shape[100,4096,32]"],
      ["a TensorFlow 1.x MNIST log quoted in a public repository", "W tensorflow/core/framework/op_kernel.cc:993] Resource exhausted: OOM when allocating tensor with shape[10000,32,28,28]"],
      ["a TensorFlow 1.x training log quoted in a public repository", "2017-11-06 08:55:24.921993: W tensorflow/core/framework/op_kernel.cc:1192] Resource exhausted: OOM when allocating tensor with shape[128,225,225,3]"],
    ],
    nearMiss: [
      // On the CPU device it is the host's memory.
      ["W tensorflow/core/framework/op_kernel.cc:1198] Resource exhausted: OOM when allocating tensor with shape[1000] and type float on /job:localhost/replica:0/task:0/device:CPU:0 by allocator cpu", "host_oom_tf_cpu"],
      ["ResourceExhaustedError (see above for traceback): OOM when allocating tensor with shape[64,1024] and type float on /job:localhost/replica:0/task:0/device:CPU:0 by allocator cpu", "host_oom_tf_cpu"],
      // A gRPC message limit is not memory.
      ["grpc._channel._InactiveRpcError: status = StatusCode.RESOURCE_EXHAUSTED details = \"Received message larger than max (4194309 vs. 4194304)\"", null],
    ],
  },
  {
    rule: "cuda_oom_kv_cache",
    real: [
      ["crash-corpus cuda_oom/vllm-10439-docker-no-cache-blocks.log (k), https://github.com/vllm-project/vllm/issues/10439", "vllm-1  | ERROR 11-18 18:07:28 engine.py:366] ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing the engine."],
      ["crash-corpus cuda_oom/vllm-omni-946-ci-kv-cache-no-memory.log (k), https://github.com/vllm-project/vllm-omni/issues/946", "  | (EngineCore_DP0 pid=6804) ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing the engine. See https://docs.vllm.ai/en/latest/configuration/conserving_memory/ for more details."],
      ["https://github.com/QwenLM/Qwen3/issues/12", "ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing the engine."],
      ["https://github.com/vllm-project/vllm/pull/31418 (the message that replaces a bare assert for num_gpu_blocks)", "ValueError: Insufficient GPU memory for KV cache: num_gpu_blocks=0. "],
    ],
    nearMiss: [
      // vLLM's profiling result on a healthy start, and a KV-cache manager's back-pressure warning.
      ["INFO 04-27 10:13:05 llm_engine.py:275] # GPU blocks: 2048, # CPU blocks: 256", null],
      ["(EngineCore_DP0 pid=10311) [kvcached][WARNING][2025-10-25 11:17:27][kv_cache_manager.py:164] available_size()=9.0 < need_size=30", null],
      ["INFO 10-25 13:08:43 [gpu_worker.py:276] Available KV cache memory: 41.23 GiB", null],
    ],
  },
  {
    rule: "host_oom_library",
    real: [
      ["crash-corpus host_oom/arrow-2549-table-to-pandas-arrowmemoryerror.log (k), https://github.com/apache/arrow/issues/2549", "pyarrow.lib.ArrowMemoryError"],
      ["https://github.com/rom1504/img2dataset/issues/443", "pyarrow.lib.ArrowMemoryError: realloc of size 2172846080 failed"],
      ["https://github.com/aertslab/scenicplus/issues/230", "ArrowMemoryError: malloc of size 2417947094267967360 failed"],
      ["crash-corpus host_oom/yolact-288-cant-pickle-memoryerror-dataloader.log (k), https://github.com/dbolya/yolact/issues/288", "_pickle.PicklingError: Can't pickle <class 'MemoryError'>: it's not the same object as builtins.MemoryError`"],
      ["https://github.com/DataXujing/YOLO-v5/issues/34", "Can't pickle <class 'MemoryError'>: it's not the same object as builtins.MemoryError"],
    ],
    nearMiss: [
      // IPython's header names the type before the traceback, not the failure (cudf: jemalloc's page size).
      ["ArrowMemoryError                          Traceback (most recent call last)", null],
      ["AttributeError: Can't pickle local object 'InMemoryStore.__init__.<locals>.<lambda>'", null],
      ["_pickle.PicklingError: Can't pickle <class 'ValueError'>: it's not the same object as builtins.ValueError", null],
    ],
  },
  {
    rule: "nccl_error_other",
    real: [
      ["crash-corpus nccl_error/nccl-1591-vllm-pynccl-internal-error-ray-worker.log (k), https://github.com/NVIDIA/nccl/issues/1591", "RuntimeError: NCCL error: internal error - please report this issue to the NCCL developers"],
      ["https://github.com/vllm-project/vllm/issues/7201", "RuntimeError: NCCL error: invalid usage"],
    ],
    nearMiss: [
      // pynccl's system and CUDA errors keep their own rules (the advice differs).
      ["RuntimeError: NCCL error: unhandled system error", "nccl_system_error"],
      ["[rank0]: RuntimeError: NCCL error: unhandled cuda error (run with NCCL_DEBUG=INFO for details)", "nccl_cuda_error"],
      ["NCCL INFO NET/Socket : Using [0]eth0:10.1.0.68<0>", null],
      ["INFO 11-25 08:17:30 pynccl.py:69] vLLM is using nccl==2.21.5", null],
      ["Set NCCL_DEBUG=WARN to see NCCL error messages when a collective fails", null],
    ],
  },
  {
    rule: "nan_loss_metric",
    real: [
      ["crash-corpus nan_loss/OpenNMT-py-1072-ppl-nan-after-step-5650.log (k), https://github.com/OpenNMT/OpenNMT-py/issues/1072", "[2018-11-26 15:06:01,481 INFO] Step 5650/50000; acc:   0.19; ppl:   nan; xent:  nan; lr: 0.00070; 1928/2310 tok/s;  21110 sec"],
      ["https://github.com/harvardnlp/data2text/issues/9", "Epoch 10 ; Iter 50/213 ; LR 1.0000 ; Target tokens/s 2135 ; PPL nan ;"],
      ["https://github.com/harvardnlp/data2text/issues/9", "Validation perplexity: nan"],
      ["https://github.com/neubig/nmt-tips/issues/3", "so I experimenting subwords units to minimise vocabs, but always end-up with `ppl=-nan`."],
      ["crash-corpus nan_loss/deepxde-491-train-loss-bracketed-nan.log (k), https://github.com/lululxvi/deepxde/pull/491", "2000      [nan]         [nan]         [nan]"],
    ],
    nearMiss: [
      // Healthy lines of the same formats.
      ["[2018-11-26 14:47:26,759 INFO] Step 5350/50000; acc:  51.25; ppl:  8.43; xent: 2.13; lr: 0.00066; 1320/1445 tok/s;  19995 sec", null],
      ["Epoch  1, 12850/37527; acc:   3.99; ppl: 12792.57; xent:   9.46; 3438 src tok/s; 3517 tgt tok/s;   9823 s elapsed", null],
      ["PPL: 1.0010; Speed: 12549.65 sps", null],
      ["1000      [5.47e+03]    [6.44e+03]    [1.00e+00]", null],
      // Translating with a model and the wrong tokenization (https://github.com/OpenNMT/OpenNMT-py/issues/1633): not training.
      ["PRED AVG SCORE: nan, PRED PPL: nan", null],
      // Only the test column is nan (a too sparse test set, https://github.com/lululxvi/deepxde/issues/164): training goes on.
      ["3000      [1.21e-02]    [nan]         [nan]", null],
    ],
  },
];

testFamilies(rules, families);

test("a DataLoader's shared-memory write that found no space outranks the worker's bus error it caused", async () => {
  // crash-corpus disk_full/hopsworks-1557-dataloader-bus-error-shm-no-space.log (k), https://github.com/logicalclocks/hopsworks/issues/1557
  const text = [
    "RuntimeError: DataLoader worker (pid 729) is killed by signal: Bus error. It is possible that dataloader's workers are out of shared memory. Please try to raise your shared memory limit.",
    "Traceback (most recent call last):",
    '  File "/srv/hops/anaconda/envs/hopsworks_environment/lib/python3.10/multiprocessing/queues.py", line 244, in _feed',
    "    obj = _ForkingPickler.dumps(obj)",
    '  File "/srv/hops/anaconda/envs/hopsworks_environment/lib/python3.10/site-packages/torch/storage.py", line 526, in _share_fd_cpu_',
    "    return super()._share_fd_cpu_(*args, **kwargs)",
    "RuntimeError: unable to write to file </torch_739_144252761_4>: No space left on device (28)",
    "",
  ].join("\n");
  assert.deepEqual(await primaryOf("shm.log", text), { category: "disk_full", ruleId: "disk_full_shm" });
  // The bus error alone stays a segfault-family crash.
  assert.deepEqual(await primaryOf("bus.log", text.split("\n")[0]! + "\n"), { category: "segfault", ruleId: "segfault_dataloader_bus_error" });
});

test("a lost connection raised from torch.distributed's process-group setup or first collective is nccl_error", async () => {
  // https://github.com/pytorch/pytorch/issues/74146 (crash-corpus nccl_error/pytorch-74146-nccl-init-connection-reset-by-peer.log, k)
  const init = [
    "Traceback (most recent call last):",
    '  File "/mnt/sdc2/file/project/distributed/index.py", line 10, in <module>',
    "    dist.init_process_group(backend=backend, rank=rank,init_method='tcp://192.168.1.2:23456',  world_size=2,timeout=datetime.timedelta(seconds=15))",
    '  File "/root/miniconda3/envs/vision/lib/python3.9/site-packages/torch/distributed/distributed_c10d.py", line 611, in init_process_group',
    "    default_pg._set_sequence_number_for_group()",
    "RuntimeError: Connection reset by peer",
    "",
  ].join("\n");
  assert.deepEqual(await primaryOf("init.log", init), { category: "nccl_error", ruleId: "python_traceback" });
  // DDP's first collective (https://github.com/Lightning-AI/pytorch-lightning/issues/16673).
  const ddp = [
    "Traceback (most recent call last):",
    '  File "mnist.py", line 204, in main',
    "    model = torch.nn.parallel.DistributedDataParallel(model, bucket_cap_mb=100, broadcast_buffers=False,",
    '  File "/usr/local/lib/python3.8/dist-packages/torch/nn/parallel/distributed.py", line 655, in __init__',
    "    _verify_param_shape_across_processes(self.process_group, parameters)",
    '  File "/usr/local/lib/python3.8/dist-packages/torch/distributed/utils.py", line 112, in _verify_param_shape_across_processes',
    "    return dist._verify_params_across_processes(process_group, tensors, logger)",
    "RuntimeError: Connection reset by peer",
    "",
  ].join("\n");
  assert.deepEqual(await primaryOf("ddp.log", ddp), { category: "nccl_error", ruleId: "python_traceback" });
  // Near misses: the same message from the user's own socket code, and Python's own ConnectionResetError
  // from multiprocessing (a DataLoader's pin-memory thread), are not the collective backend.
  const own = [
    "Traceback (most recent call last):",
    '  File "/home/u/client.py", line 30, in <module>',
    "    fetch(sock)",
    '  File "/home/u/client.py", line 12, in fetch',
    "    raise RuntimeError(str(err))",
    "RuntimeError: Connection reset by peer",
    "",
  ].join("\n");
  assert.deepEqual(await primaryOf("own.log", own), { category: "python_exception", ruleId: "python_traceback" });
  const mp = [
    "Traceback (most recent call last):",
    '  File "/home/u/miniconda3/envs/c/lib/python3.8/multiprocessing/resource_sharer.py", line 87, in get_connection',
    "    c = Client(address, authkey=process.current_process().authkey)",
    '  File "/home/u/miniconda3/envs/c/lib/python3.8/multiprocessing/connection.py", line 509, in Client',
    "    deliver_challenge(c, authkey)",
    "ConnectionResetError: [Errno 104] Connection reset by peer",
    "",
  ].join("\n");
  assert.notEqual((await primaryOf("mp.log", mp))?.category, "nccl_error");
});

test("pyarrow's ArrowMemoryError with a message no rule knows is host_oom by its type", async () => {
  const text = [
    "Traceback (most recent call last):",
    '  File "/home/u/prep.py", line 40, in <module>',
    "    df = table.to_pandas()",
    '  File "pyarrow/error.pxi", line 85, in pyarrow.lib.check_status',
    "pyarrow.lib.ArrowMemoryError: cannot allocate buffer for column 'text'",
    "",
  ].join("\n");
  assert.deepEqual(await primaryOf("arrow.log", text), { category: "host_oom", ruleId: "python_traceback" });
});
