/**
 * Fifth rules round (issue 10): the misses of the new tuning collections `m` and `n`
 * (test/fixtures/crash-corpus, manifest-m and manifest-n, split `tune`; each batch was scanned once
 * before any change for it: docs/crash-accuracy.md, "Fifth round"), widened to their families with
 * phrasings found with the search tool in public threads. Each rule is tried on real lines (where they
 * come from) and on near misses that must not be that rule (null: no rule at all); whole texts then
 * check the primary choice where the change is in the engine.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-fifth-round-");

const families: Family[] = [
  {
    // NCCL >= 2.19 prints the CUDA error code before its name ("Cuda failure 2 'out of memory'").
    rule: "cuda_oom_nccl",
    real: [
      ["crash-corpus cuda_oom/megatron-bridge-771-nccl-alloc-oom-fp8.log (n), https://github.com/NVIDIA-NeMo/Megatron-Bridge/issues/771", "[2025-09-24 16:15:28] cw-dfw-h100-001-132-026:2999605:3004403 [0] include/alloc.h:228 NCCL WARN Cuda failure 2 'out of memory'"],
      ["https://github.com/NVIDIA/nccl/issues/844", "696b7901f9044f23b786795c0ef7257b000000:39:298 [0] include/alloc.h:48 NCCL WARN Cuda failure 'out of memory'"],
    ],
    nearMiss: [
      // Another CUDA failure NCCL reports is that failure, not memory.
      ["node1:1234:5678 [0] include/alloc.h:228 NCCL WARN Cuda failure 700 'an illegal memory access was encountered'", "cuda_illegal_address"],
      ["gpu-3:99:100 [1] NCCL INFO include/alloc.h:228 Mem Alloc Size 311296 pointer 0x7f47e800df80", null],
    ],
  },
  {
    // TensorFlow 2's eager/GPU allocator failure, and the hint TensorFlow prints under every OOM it raises.
    rule: "cuda_oom_other_runtimes",
    real: [
      ["crash-corpus cuda_oom/gpt-2-simple-282-colab-resourceexhausted-failed-alloc.log (n), https://github.com/minimaxir/gpt-2-simple/issues/282", "ResourceExhaustedError: failed to allocate memory"],
      ["https://github.com/faustomorales/keras-ocr/issues/195", "ResourceExhaustedError: failed to allocate memory [Op:AddV2]"],
      ["https://github.com/faustomorales/keras-ocr/issues/195 (title)", "RESOURCE_EXHAUSTED: failed to allocate memory"],
      ["https://github.com/pengming617/bert_classification/issues/8", "Hint: If you want to see a list of allocated tensors when OOM happens, add report_tensor_allocations_upon_oom to RunOptions for current allocation info."],
      ["https://github.com/dBeker/Faster-RCNN-TensorFlow-Python3/issues/110", "Hint: If you want to see a list of allocated tensors when OOM happens, add report_tensor_allocations_upon_oom to RunOptions for current allocation info."],
    ],
    nearMiss: [
      // A CPU tensor is the host's memory; a gRPC size limit is no memory at all.
      ["ResourceExhaustedError (see above for traceback): OOM when allocating tensor with shape[64,1024] and type float on /job:localhost/replica:0/task:0/device:CPU:0 by allocator cpu", "host_oom_tf_cpu"],
      ["grpc._channel._InactiveRpcError: status = StatusCode.RESOURCE_EXHAUSTED details = \"Received message larger than max (4194309 vs. 4194304)\"", null],
      ["I tensorflow/core/common_runtime/bfc_allocator.cc:1066] InUse at 703b13000 of size 256 next 279", null],
    ],
  },
  {
    // NVML's GPU_IS_LOST (15) is the driver's NV_ERR_GPU_IS_LOST, "GPU lost from the bus", as the
    // monitors that call NVML report it (pynvml, slurmstepd's GPU accounting, the k8s device plugin).
    rule: "gpu_fallen_off_bus",
    real: [
      ["crash-corpus gpu_hardware/nvgpu-6-pynvml-nvmlerror-gpuislost.log (m), https://github.com/rossumai/nvgpu/issues/6", "NVMLError_GpuIsLost: GPU is lost"],
      ["crash-corpus gpu_hardware/plmfit-40-slurmstepd-nvml-gpu-is-lost.log (m), https://github.com/LSSI-ETH/plmfit/issues/40", "slurmstepd: error: NVML: Failed to get usage(15): GPU is lost"],
      ["https://github.com/NVIDIA/k8s-device-plugin/issues/231", "Pod Allocate failed due to device plugin GetPreferredAllocation rpc failed with err: rpc error: code = Unknown desc = Unable to retrieve list of available devices: error creating nvml.Device 3: nvml: GPU is lost, which is unexpected"],
      ["https://github.com/NVIDIA/open-gpu-kernel-modules/issues/688", "Feb 17 08:00:34 abggdna-DGX-Station-A100 kernel: NVRM: nvAssertOkFailedNoLog: Assertion failed: GPU lost from the bus [NV_ERR_GPU_IS_LOST] (0x0000000F) returned from rmStatus @ kernel_ce_gv100.c:106"],
    ],
    nearMiss: [
      // A container that lost its device nodes (systemd reload) is not a lost GPU.
      ["Failed to initialize NVML: Unknown Error", null],
      ["| N/A   34C    P0    44W / 300W |      0MiB / 16160MiB |      0%      Default |", null],
    ],
  },
  {
    rule: "cuda_cudnn_no_engine",
    real: [
      ["crash-corpus cuda_error/Open-Sora-254-cudnn-get-unable-to-find-engine.log (m), https://github.com/hpcaitech/Open-Sora/issues/254", "RuntimeError: GET was unable to find an engine to execute this computation"],
      ["https://github.com/facebookresearch/vggt/issues/183", "RuntimeError: FIND was unable to find an engine to execute this computation"],
      ["https://github.com/openvla/openvla/issues/238", "Caught exception: GET was unable to find an engine to execute this computation"],
    ],
    nearMiss: [
      ["UserWarning: Plan failed with a cudnnException: CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR: cudnnFinalize Descriptor Failed cudnn_status: CUDNN_STATUS_NOT_SUPPORTED", null],
      ["RuntimeError: Unable to find a valid cuDNN algorithm to run convolution", "cuda_oom_cudnn_algo"],
    ],
  },
  {
    // An amdgpu ring timeout (the GPU stopped answering) and the reset the driver does next, as the
    // kernel logs them on Linux and FreeBSD: the AMD counterpart of an NVIDIA Xid that loses the GPU.
    rule: "gpu_amdgpu_reset",
    real: [
      ["crash-corpus gpu_hardware/legacy-rocm-build-2533-rx7900-ring-sdma0-timeout-gpu-reset.log (m), https://github.com/ROCm/legacy-rocm-build/issues/2533", "Oct  7 12:58:23 Ubuntu-Desktop kernel: [ 2237.944235] [drm:amdgpu_job_timedout [amdgpu]] *ERROR* ring sdma0 timeout, signaled seq=16060, emitted seq=16062"],
      ["crash-corpus gpu_hardware/ROCm-xformers-14-gfx900-ring-timeout-baco-reset-vram-lost.log (m), https://github.com/ROCm/xformers/issues/14", "[ 2744.090643] [drm] VRAM is lost due to GPU reset!"],
      ["https://github.com/ValveSoftware/SteamOS/issues/2802", "[Thu Sep 10 14:36:16 2026] amdgpu 0000:03:00.0: amdgpu: ring gfx_0.0.0 timeout, signaled seq=7292300, emitted seq=7292304"],
      ["https://github.com/freebsd/drm-kmod/issues/387", "[drm ERROR :amdgpu_job_timedout] ring gfx_0.0.0 timeout, signaled seq=12174921, emitted seq=12174923"],
      ["https://github.com/freebsd/drm-kmod/issues/387", "drmn0: GPU reset begin!"],
      ["https://github.com/rocm-arch/rocm-arch/issues/829", "[ 2679.300601] amdgpu 0000:0c:00.0: amdgpu: GPU reset begin!"],
      ["https://github.com/wayvr-org/wayvr/issues/650", "amdgpu 0000:2d:00.0: VRAM is lost due to GPU reset!"],
    ],
    nearMiss: [
      // Recovered without a reset (https://github.com/freebsd/drm-kmod/issues/78), and the display
      // driver's own fence wait (a compositor stall, not the compute ring).
      ["[drm:amdgpu_job_timedout [amdgpu]] *ERROR* ring gfx timeout, but soft recovered", null],
      ["[  169.972780] [drm:amdgpu_dm_commit_planes [amdgpu]] *ERROR* Waiting for fences timed out!", null],
      ["[drm] PCIE GART of 512M enabled (table at 0x0000008000900000).", null],
    ],
  },
  {
    // transformers' (and diffusers') lazy modules re-raise any error of an import as a RuntimeError;
    // the line after names it (a version mismatch of torch, protobuf, numpy or a compiled extension).
    rule: "import_lazy_module",
    real: [
      ["crash-corpus import_error/e2_tts-21-lightning-transformers-optimization-protobuf-builder.log (m), https://github.com/bfs18/e2_tts/issues/21", "RuntimeError: Failed to import transformers.optimization because of the following error (look up to see its traceback):"],
      ["https://github.com/project-baize/baize-chatbot/issues/24", "RuntimeError: Failed to import transformers.trainer because of the following error (look up to see its traceback):"],
      ["https://github.com/huggingface/transformers/issues/18483", "RuntimeError: Failed to import transformers.pipelines because of the following error (look up to see its traceback): initialization failed"],
      ["https://github.com/modelscope/facechain/issues/485", "Failed to import transformers.generation.utils because of the following error (look up to see its traceback):"],
    ],
    nearMiss: [
      // transformers' own source line, shown in a rich traceback, is not the error.
      ['    1120                 f"Failed to import {self.__name__}.{module_name} because of the following error (look up to see its"', null],
      ["ImportError: cannot import name 'LRScheduler' from 'torch.optim.lr_scheduler'", "import_cannot_import_name"],
    ],
  },
  {
    // The underlying error of such a re-raise, printed on its own line without "ImportError: ".
    rule: "import_cannot_import_name",
    real: [
      ["crash-corpus import_error/e2_tts-21-lightning-transformers-optimization-protobuf-builder.log (m), https://github.com/bfs18/e2_tts/issues/21", "cannot import name 'builder' from 'google.protobuf.internal' (/storage/plzen4-ntis/home/dtihelka/Experiments/E2TTS.v1/.local/lib/python3.10/site-packages/google/protobuf/internal/__init__.py)"],
      ["https://github.com/pysentimiento/pysentimiento/issues/54", "cannot import name 'UNSIGNED' from 'botocore' (unknown location)"],
    ],
    nearMiss: [
      ["# we cannot import name resolution helpers from 'typing' on 3.8", null],
      ["    from transformers import AutoModel  # cannot import name 'AutoModel' from 'transformers' on old versions", null],
    ],
  },
  {
    rule: "cuda_oom_batch_finder",
    real: [
      ["https://github.com/huggingface/accelerate/issues/1934", "RuntimeError: No executable batch size found, reached zero."],
      ["https://github.com/AUTOMATIC1111/stable-diffusion-webui/issues/11184 (title)", "[Bug]: No executable batch size found, reached zero."],
      ["https://github.com/wangyuxinwhy/uniem/issues/136", "RuntimeError: No executable batch size found, reached zero. 有点奇怪"],
    ],
    nearMiss: [
      ["Trainer: auto_find_batch_size=True, starting with batch size 64", null],
      // accelerate's own source and a caller testing for the message, as IPython tracebacks show them
      // whatever the exception was (https://github.com/bryanchrist/MathNeuro/issues/3).
      ['    155     raise RuntimeError("No executable batch size found, reached zero.")', null],
      ['    699     if "No executable batch size found" in str(e):', null],
    ],
  },
  {
    // A loop that catches the OOM and retries smaller: a warning while it recovers; it explains a failure after it.
    rule: "cuda_oom_batch_reduced",
    real: [
      ["crash-corpus cuda_oom/sd-dreambooth-extension-852-oom-detected-reducing-batch.log (n), https://github.com/d8ahazard/sd_dreambooth_extension/issues/852", "OOM Detected, reducing batch/grad size to 12/1."],
    ],
    nearMiss: [
      ["Steps:   0%|          | 0/19700 [00:00<?, ?it/s]", null],
    ],
  },
  {
    // Paddle's CPU allocator: posix_memalign returning ENOMEM (12), in the old and the newer wording.
    rule: "host_oom_cpu_allocator",
    real: [
      ["crash-corpus host_oom/paddle-17050-bert-cpu-posix-memalign-alloc-error.log (n), https://github.com/PaddlePaddle/Paddle/issues/17050", "paddle.fluid.core.EnforceNotMet: Enforce failed. Expected posix_memalign(&p, alignment, size) == 0, but received posix_memalign(&p, alignment, size):12 != 0:0."],
      ["crash-corpus host_oom/paddle-17050-bert-cpu-posix-memalign-alloc-error.log (n)", "Alloc 524288000 error! at [/paddle/paddle/fluid/memory/detail/system_allocator.cc:51]"],
      ["https://github.com/PaddlePaddle/Paddle/issues/29854 (title)", "Error: Alloc 524288000 error! [Hint: Expected posix_memalign(&p, alignment, size) == 0, but received posix_memalign(&p, alignment, size):12 != 0:0.] at (/paddle/paddle/fluid/memory/detail/system_alloc"],
      ["https://github.com/PaddlePaddle/Paddle/issues/19217 (title)", "Expected posix_memalign(&p, alignment, size) == 0, but received posix_memalign(&p, alignment, size):12 != 0:0."],
    ],
    nearMiss: [
      // EINVAL (22): a bad alignment, not memory.
      ["Expected posix_memalign(&p, alignment, size) == 0, but received posix_memalign(&p, alignment, size):22 != 0:0.", null],
    ],
  },
];

testFamilies(rules, families);

test("a TensorFlow session's OOM with no device on its line, then its hint: cuda_oom, not the bare exception", async () => {
  const text = [
    "ResourceExhaustedError                    Traceback (most recent call last)",
    "/usr/local/lib/python3.7/dist-packages/tensorflow/python/client/session.py in _do_call(self, fn, *args)",
    "   1379     try:",
    "-> 1380       return fn(*args)",
    "",
    "ResourceExhaustedError: failed to allocate memory",
    "\t [[{{node model/h18/ln_2/add_1}}]]",
    "Hint: If you want to see a list of allocated tensors when OOM happens, add report_tensor_allocations_upon_oom to RunOptions for current allocation info.",
    "",
  ].join("\n");
  assert.deepEqual(await primaryOf("tf-session-oom.log", text), { category: "cuda_oom", ruleId: "cuda_oom_other_runtimes" });
});

// torch.multiprocessing.spawn's parent reports the SIGKILL; the spawned child, whose pipe from the
// parent was cut, then fails unpickling what it was sent (https://github.com/Megvii-BaseDetection/YOLOX/issues/593,
// crash-corpus process_killed/YOLOX-593-spawn-sigkill-then-pickle-truncated.log (m); the same child
// traceback alone: https://github.com/Chiaraplizz/ST-TR/issues/38).
const spawnChild = [
  "Traceback (most recent call last):",
  '  File "<string>", line 1, in <module>',
  '  File "/home/u/anaconda3/envs/yolox/lib/python3.8/multiprocessing/spawn.py", line 116, in spawn_main',
  "    exitcode = _main(fd, parent_sentinel)",
  '  File "/home/u/anaconda3/envs/yolox/lib/python3.8/multiprocessing/spawn.py", line 126, in _main',
  "    self = reduction.pickle.load(from_parent)",
  "_pickle.UnpicklingError: pickle data was truncated",
  "",
];

test("a spawned child failing to unpickle what its parent sent is the parent's death, not a broken file", async () => {
  const text = [
    "Traceback (most recent call last):",
    '  File "tools/train.py", line 125, in <module>',
    "    launch(",
    '  File "/home/u/anaconda3/envs/yolox/lib/python3.8/site-packages/torch/multiprocessing/spawn.py", line 105, in join',
    "    raise Exception(",
    "Exception: process 0 terminated with signal SIGKILL",
    ...spawnChild,
  ].join("\n");
  assert.deepEqual(await primaryOf("spawn-sigkill.log", text), { category: "process_killed", ruleId: "killed_launcher_signal" });
});

test("near miss: the user's own pickle.load of a truncated file stays a broken file", async () => {
  // https://github.com/CorralPeltzer/newTrackon/issues/52
  const text = [
    "Traceback (most recent call last):",
    '  File "server.py", line 11, in <module>',
    "    import trackon",
    '  File "/root/newTrackon/trackon.py", line 21, in <module>',
    "    submitted_data = pickle.load(open('submitted_data.pickle', 'rb'))",
    "_pickle.UnpicklingError: pickle data was truncated",
    "",
  ].join("\n");
  assert.deepEqual(await primaryOf("user-pickle.log", text), { category: "checkpoint_corrupt", ruleId: "ckpt_unreadable_weights" });
  // The child's traceback alone: nothing else says why the pipe was cut, so its finding (a symptom
  // now) is still what is reported.
  assert.equal((await primaryOf("spawn-child-only.log", spawnChild.join("\n")))?.ruleId, "ckpt_unreadable_weights");
});

test("an OOM-retry wrapper's warning explains the failure that follows it; alone it is no crash", async () => {
  const warned = ["Steps:   0%|          | 0/19700 [00:00<?, ?it/s]", "OOM Detected, reducing batch/grad size to 12/1."];
  // The retry failed too and the log ends inside its traceback (https://github.com/d8ahazard/sd_dreambooth_extension/issues/852).
  const failed = [
    ...warned,
    "Traceback (most recent call last):",
    '  File "E:\\AI\\sd\\extensions\\sd_dreambooth_extension\\dreambooth\\memory.py", line 121, in decorator',
    "    return function(batch_size, grad_size, prof, log_file, *args, **kwargs)",
    '  File "E:\\AI\\sd\\venv\\lib\\site-packages\\torch\\nn\\modules\\module.py", line 1194, in _call_impl',
    "    return forward_call(*input, **kwargs)",
    "",
  ];
  assert.deepEqual(await primaryOf("oom-retry-failed.log", failed.join("\n")), { category: "cuda_oom", ruleId: "cuda_oom_batch_reduced" });
  // The retry worked and training goes on: a warning only.
  const recovered = [...warned, "Steps:   1%|          | 120/19700 [02:00<5:26:00,  1.00it/s, loss=0.112]", ""];
  assert.equal(await primaryOf("oom-retry-recovered.log", recovered.join("\n")), null);
});

test("transformers' lazy import failure is import_error; the error it wraps, when a rule knows it, is the one named", async () => {
  const text = [
    '  File "/x/site-packages/transformers/utils/import_utils.py", line 1101, in _get_module',
    "    raise RuntimeError(",
    "RuntimeError: Failed to import transformers.optimization because of the following error (look up to see its traceback):",
    "cannot import name 'builder' from 'google.protobuf.internal' (/x/site-packages/google/protobuf/internal/__init__.py)",
    "wandb: Waiting for W&B process to finish... (failed 1).",
    "",
  ].join("\n");
  assert.deepEqual(await primaryOf("lazy-import.log", text), { category: "import_error", ruleId: "import_cannot_import_name" });
  // An underlying error no rule knows: the wrapper's line names the category.
  const unknown = text.replace(/^cannot import name .*$/m, "partially initialized module 'torchvision' has no attribute 'extension' (most likely due to a circular import)");
  assert.deepEqual(await primaryOf("lazy-import-unknown.log", unknown), { category: "import_error", ruleId: "import_lazy_module" });
});
