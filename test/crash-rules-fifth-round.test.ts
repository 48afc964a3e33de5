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
      // The allocator's memory map after a failed allocation: read since the sixteenth round by its own rule (a cause at
      // -1, below the failure line this rule reads), not by this one.
      ["I tensorflow/core/common_runtime/bfc_allocator.cc:1066] InUse at 703b13000 of size 256 next 279", "cuda_oom_bfc_memory_dump"],
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
      ["https://github.com/QwenLM/Qwen/issues/629 (title)", "使用web_demo.py应该怎样退出，Ctrl+c退出显卡会出现error，显示GPU is lost"],
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
  {
    // HIP's wording of PyTorch's device-side assert (ROCm builds): "Device-side assertion `...' failed."
    rule: "cuda_device_assert",
    real: [
      ["crash-corpus cuda_error/composer-2758-rocm-hip-indexselect-device-side-assertion.log (m), https://github.com/mosaicml/composer/issues/2758", "/pytorch/aten/src/ATen/native/hip/Indexing.hip:1292: indexSelectLargeIndex: Device-side assertion `srcIndex < srcSelectDimSize' failed."],
      ["https://github.com/AkariAsai/self-rag/issues/91 (the CUDA wording, already known)", "../aten/src/ATen/native/cuda/Indexing.cu:1292: indexSelectLargeIndex: block: [654,0,0], thread: [120,0,0] Assertion `srcIndex < srcSelectDimSize` failed."],
    ],
    nearMiss: [
      ["Device-side assertions will be enabled for this build (TORCH_USE_CUDA_DSA=1)", null],
      // torch's hint under a CUDA error's message: not the assert itself; since the twenty-second round (zzk) the hint
      // rule's symptom, which the error line above it outranks.
      ["Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.", "cuda_error_async_hint"],
    ],
  },
  {
    // XLA's TPU compiler refusing a program that needs more HBM than the chip has.
    rule: "cuda_oom_xla",
    real: [
      ["crash-corpus cuda_oom/easydel-166-xla-tpu-compile-ran-out-of-hbm.log (n), https://github.com/erfanzar/EasyDeL/issues/166", "jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: XLA:TPU compile permanent error. Ran out of memory in memory space hbm. Used 63.80G of 30.75G hbm. Exceeded hbm capacity by 33.05G."],
      ["https://github.com/LargeWorldModel/LWM/issues/60", "jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: XLA:TPU compile permanent error. Ran out of memory in memory space hbm. Used 21.95G of 15.48G hbm."],
      ["https://github.com/huggingface/diffusers/issues/856 (title)", 'JAX / Flax pipeline: "Ran out of memory in memory space hbm." on TPU v2-8'],
    ],
    nearMiss: [
      // The compiler's scratch spaces (vector / scalar memory): a compiler limit or bug, not the model's memory.
      ["Compilation failed: Compilation failure: Ran out of memory in memory space vmem. Please file a bug against XLA.", null],
      ["RuntimeError: Bad StatusOr access: RESOURCE_EXHAUSTED: XLA:TPU compile permanent error. Ran out of memory in memory space smem. Used 1.00M of 1.00M smem. Exceeded smem capacity by 1.7K.", null],
    ],
  },
  {
    // Tenstorrent's allocator (tt-metal bank manager): device DRAM or on-chip L1 exhausted.
    rule: "cuda_oom_other_runtimes",
    real: [
      ["crash-corpus cuda_oom/tt-xla-1650-dram-buffer-out-of-memory.log (n), https://github.com/tenstorrent/tt-xla/issues/1650", "Out of Memory: Not enough space to allocate 204800000 B DRAM buffer across 12 banks, where each bank needs to store 17088000 B, but bank size is only 1073741792 B"],
      ["https://github.com/tenstorrent/tt-xla/issues/4685", "2026-05-14 01:00:31.755 | critical |          Always | TT_FATAL: Out of Memory: Not enough space to allocate 3294625792 B DRAM buffer across 12 banks, where each bank needs to store 274686208 B, but bank size is 1071821792 B (allocated: 784847680 B, free: 286974112 B, largest free block: 216504544 B) (assert.hpp:104)"],
      ["https://github.com/tenstorrent/tt-xla/issues/1722", "Out of Memory: Not enough space to allocate 61079552 B L1 buffer across 64 banks, where each bank needs to store 954368 B, but bank size is only 1364928 B"],
      ["https://github.com/intel/torch-xpu-ops/issues/5432", "RuntimeError: level_zero backend failed with error: 39 (UR_RESULT_ERROR_OUT_OF_DEVICE_MEMORY)"],
      // HAMi's vGPU layer refusing an allocation over the pod's GPU memory share (res=2: CUDA_ERROR_OUT_OF_MEMORY).
      ["https://github.com/Project-HAMi/HAMi/issues/585", "[HAMI-core ERROR (pid:7 thread=140360328144640 allocator.c:115)]: cuMemoryAllocate failed res=2"],
    ],
    nearMiss: [
      ["2025-10-23 04:15:30.108 | INFO     | models.tt_transformers.tt.generator:prefill_forward_llama_vision:627 - Prefilling User 1 up to 8010 tokens", null],
      ["[HAMI-core ERROR (pid:7 thread=140360328144640 allocator.c:115)]: cuMemoryAllocate failed res=1", null],
    ],
  },
  {
    // Ray's raylet finding its session / spill folder nearly full: printed every 10 s while the job runs
    // on, a warning that explains a failure after it (https://github.com/ray-project/ray/issues/36959:
    // printed with 1.3 GB left, "it annoys me").
    rule: "disk_full_warning",
    real: [
      ["crash-corpus disk_full/openrlhf-638-raylet-tmp-ray-over-95-percent-full.log (n), https://github.com/OpenRLHF/OpenRLHF/issues/638", "(raylet) [2024-12-30 05:28:51,682 E 1256 1290] (raylet) file_system_monitor.cc:111: /tmp/ray/session_2024-12-27_07-51-19_644705_918 is over 95% full, available space: 133932761088; capacity: 3998267736064. Object creation will fail if spilling is required."],
      ["https://github.com/InternLM/lmdeploy/issues/3457", "(raylet) [2025-04-21 10:05:37,313 E 959680 959717] file_system_monitor.cc:116: /tmp/ray/session_2025-03-25_17-33-57_554404_959134 is over 95% full, available space: 42.6695 GB; capacity: 876.137 GB. Object creation will fail if spilling is required."],
    ],
    nearMiss: [
      ["(raylet) [2025-04-21 10:05:37,313 I 959680 959717] file_system_monitor.cc:116: /tmp/ray/session_2025-03-25 is 41% full", null],
    ],
  },
  {
    // Slurm cancelling a step with no reason on the line (scancel, a preemption the JOB line names, or
    // srun stopping the other tasks after one failed): a consequence, primary only when nothing says more.
    rule: "killed_slurm_step_cancelled",
    real: [
      ["crash-corpus process_killed/everyvoice-183-slurm-preemption-step-cancelled.log (n), https://github.com/EveryVoiceTTS/EveryVoice/issues/183", "slurmstepd: error: *** STEP 4714782.0 ON ib12gpu-001 CANCELLED AT 2023-11-29T15:47:21 ***"],
      ["https://github.com/facebookincubator/submitit/issues/1613", "slurmstepd: error: *** STEP 37361369.0 ON learnfair5146 CANCELLED AT 2021-03-15T17:50:23 ***"],
    ],
    nearMiss: [
      // Slurm stopping the other tasks because one failed: a consequence, the failing task says why.
      ["[2026-04-29T23:36:37.809] error: *** STEP 52222788.0 ON nid002888 CANCELLED AT 2026-04-29T23:36:37 DUE TO TASK FAILURE ***", null],
      ["slurmstepd: error: *** STEP 494583.0 ON ... CANCELLED AT 2024-04-20T09:09:37 DUE TO TIME LIMIT ***", "timeout_scheduler_limit"],
    ],
  },
  {
    // Jupyter / Colab restarting a kernel that died with no Python error (usually killed for RAM).
    rule: "killed_jupyter_kernel_died",
    real: [
      ["crash-corpus process_killed/colabtools-513-runtime-log-table-kernel-restarted-after-large-alloc.log (m), https://github.com/googlecolab/colabtools/issues/513", "May 4, 2020, 5:02:35 PM | WARNING | WARNING:root:kernel 4222e7b2-aca5-4c53-972e-ea8892e41d74 restarted"],
      ["https://github.com/mrdbourke/m1-machine-learning-test/issues/17", "[I 2023-08-25 17:12:15.769 ServerApp] AsyncIOLoopKernelRestarter: restarting kernel (1/5), keep random ports"],
      ["https://github.com/mrdbourke/m1-machine-learning-test/issues/17", "[W 2023-08-25 17:12:15.769 ServerApp] kernel e2dcf2e8-1352-4305-957d-eedf1d33904a restarted"],
      ["https://github.com/mrdbourke/m1-machine-learning-test/issues/17", "The kernel for Untitled.ipynb appears to have died. It will restart automatically."],
      ["https://github.com/jupyter/notebook/issues/4097 (title)", "The kernel appears to have died. It will restart automatically."],
    ],
    nearMiss: [
      // A restart the user asked for, and the server starting a kernel.
      ["[I 2023-08-25 17:20:01.123 ServerApp] Kernel restarted: e2dcf2e8-1352-4305-957d-eedf1d33904a", null],
      ["[I 2023-08-25 17:12:15.779 ServerApp] Starting buffering for e2dcf2e8-1352-4305-957d-eedf1d33904a:b37bd840-f8d0-43f7-97f3-b6701599982d", null],
    ],
  },
  {
    // The k8s device plugin logs XidCriticalError only for Xids other than the application ones it
    // skips (13, 31, 43, 45, 68, 109: internal/rm/health.go), so any Xid it names is the GPU's.
    rule: "gpu_xid_reported",
    real: [
      ["crash-corpus gpu_hardware/k8s-device-plugin-189-xidcriticalerror-xid69-device-marked-unhealthy.log (m), https://github.com/NVIDIA/k8s-device-plugin/issues/189", "2020/08/10 19:09:42 XidCriticalError: Xid=69 on Device=GPU-7540a9b3-eeb9-1214-1526-f93c9ea826a8, the device will go unhealthy."],
      // The newer wording, as internal/rm/health.go of NVIDIA/k8s-device-plugin logs it.
      ["NVIDIA/k8s-device-plugin internal/rm/health.go (format)", "I0810 19:09:42.000000       1 health.go:214] XidCriticalError: Xid=79 on Device=GPU-7540a9b3-eeb9-1214-1526-f93c9ea826a8; marking device as unhealthy."],
    ],
    nearMiss: [
      // A question quoting a value the plugin does not log that way (test/crash-rules-third-round.test.ts).
      ["healthCheck report XidCriticalError: Xid=999 on Device=GPU-XXXX, but i can not find Xid error 999 in nvidia doc", null],
      ["2020/08/10 19:09:42 'nvidia.com/gpu' device marked healthy: GPU-7540a9b3-eeb9-1214-1526-f93c9ea826a8", null],
      ["I0810 19:09:40.000000 1 health.go:99] Ignoring the following XIDs for health checks: map[13:true 31:true 43:true 45:true 68:true 109:true]", null],
    ],
  },
  {
    // JAX's debug_nans / debug_infs stopping on the first non-finite value (also in Jupyter's JSON error form).
    rule: "nan_check_numerics",
    real: [
      ["crash-corpus nan_loss/jax-19595-debug-nans-floatingpointerror-jit-train-step.log (n), https://github.com/jax-ml/jax/issues/19595", '\t"message": "invalid value (nan) encountered in jit(compiled_train_step). Because jax_config.debug_nans.value and/or config.jax_debug_infs is set, the de-optimized function (i.e., the function as if the `jit` decorator were removed) was called in an attempt to get a more precise error message.'],
      ["https://github.com/jax-ml/jax/issues/25299", "FloatingPointError: invalid value (nan) encountered in jit(f)"],
      ["https://github.com/jax-ml/jax/issues/7634", "FloatingPointError: invalid value (nan) encountered in convert_element_type"],
      ["https://github.com/jax-ml/jax/pull/25519", "jax._src.source_info_util.JaxStackTraceBeforeTransformation: FloatingPointError: invalid value (nan) encountered in mul"],
    ],
    nearMiss: [
      // numpy's warning (no value in parentheses) and JAX's notice before it re-runs the function.
      ["/x/train.py:41: RuntimeWarning: invalid value encountered in divide", null],
      ["Invalid nan value encountered in the output of a jax.jit function. Calling the de-optimized version.", null],
    ],
  },
  {
    // A GPU the driver reset ("device lost") as Intel's Level Zero runtime, the xe kernel driver and Vulkan report it.
    rule: "gpu_device_lost",
    real: [
      ["crash-corpus gpu_hardware/torch-xpu-ops-5164-arc-b60-ddp-device-lost-xe-engine-reset.log (m), https://github.com/intel/torch-xpu-ops/issues/5164", "RuntimeError: level_zero backend failed with error: 20 (UR_RESULT_ERROR_DEVICE_LOST)"],
      ["crash-corpus gpu_hardware/torch-xpu-ops-5164-arc-b60-ddp-device-lost-xe-engine-reset.log (m)", "xe 0000:2c:00.0: [drm] GT0: Engine reset: engine_class=ccs, logical_mask: 0x1, guc_id=3"],
      ["https://github.com/intel/torch-xpu-ops/issues/2757", "RuntimeError: level_zero backend failed with error: 20 (UR_RESULT_ERROR_DEVICE_LOST)"],
      ["https://github.com/freebsd/drm-kmod/issues/426", "RADV reporting VK_ERROR_DEVICE_LOST"],
    ],
    nearMiss: [
      // Out of device memory is an OOM, not a lost device.
      ["RuntimeError: level_zero backend failed with error: 39 (UR_RESULT_ERROR_OUT_OF_DEVICE_MEMORY)", "cuda_oom_other_runtimes"],
      ["[level_zero:gpu][level_zero:0] Intel(R) oneAPI Unified Runtime over Level-Zero V2, Intel(R) Arc(TM) Pro B70 Graphics 20.2.0 [1.17.39395+13]", null],
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

test("a Slurm step cancelled with no reason is a kill only when nothing else in the log says why", async () => {
  // https://github.com/EveryVoiceTTS/EveryVoice/issues/183: the whole excerpt.
  const alone = "slurmstepd: error: *** STEP 4714782.0 ON ib12gpu-001 CANCELLED AT 2023-11-29T15:47:21 ***\n";
  assert.deepEqual(await primaryOf("step-cancelled.log", alone), { category: "process_killed", ruleId: "killed_slurm_step_cancelled" });
  // After the ranks' collective timeouts srun stops the step: the timeouts are what the log says, the
  // cancellation is not the death that explains them.
  const afterWatchdog = [
    "[rank1]:[E ProcessGroupNCCL.cpp:616] [Rank 1] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=4211, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=1800000) ran for 1800087 milliseconds before timing out.",
    "srun: Job step aborted: Waiting up to 32 seconds for job step to finish.",
    "slurmstepd: error: *** STEP 812734.0 ON gpu-a-07 CANCELLED AT 2024-03-02T11:20:41 ***",
    "",
  ].join("\n");
  assert.equal((await primaryOf("watchdog-then-step-cancelled.log", afterWatchdog))?.category, "nccl_error");
});
