/**
 * Seventh rules round (issue 10), role B: GPU hardware, kills, segfaults, disk, host and GPU memory,
 * CUDA and collective errors, widened by family with phrasings real tools print, found with the search
 * tool in threads of projects the corpus has not seen (docs/crash-accuracy.md, "Seventh round"). Each
 * family is tried on real lines (where they come from) and on near misses that must not be that rule
 * (null: no rule at all).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-seventh-round-b-");

describe("seventh round (B): native crashes", () => {
  const families: Family[] = [
    {
      // glibc's heap checks abort with one of a fixed set of messages (malloc.c's malloc_printerr):
      // the family by its function prefix and the words it uses, not message by message; and the
      // stack protector's and FORTIFY_SOURCE's aborts.
      rule: "segfault_heap_corruption",
      real: [
        ["https://github.com/rbgirshick/py-faster-rcnn/issues/443", "*** Error in `python': corrupted double-linked list: 0x00000000269f9640 ***"],
        ["https://github.com/AlexeyAB/darknet/issues/1621 (title)", "*** Error in `./darknet': corrupted double-linked list (not small): 0x000000006f020a80 ***"],
        ["https://github.com/weiliu89/caffe/issues/438", "*** Error in `./build/tools/caffe': malloc(): smallbin double linked list corrupted: 0x00007fce87574000 ***"],
        ["https://github.com/datalab-to/marker/issues/824", "malloc(): unsorted double linked list corrupted"],
        ["https://github.com/bahlolab/superSTR/issues/21", "*** stack smashing detected ***: <unknown> terminated"],
        ["https://github.com/luckiezhou/DynamicTriad/issues/2", "*** stack smashing detected ***: python terminated"],
        ["https://github.com/zq-david-wang/linux-tools/issues/1", "*** stack smashing detected ***: terminated"],
      ],
      nearMiss: [
        // Prose about heap corruption, an allocator's statistics, a compiler flag.
        ["A corrupted double-linked list usually means heap corruption in a native extension", null],
        ["malloc(): 1234 bytes in 12 chunks", null],
        ["CFLAGS=-O2 -fstack-protector-strong (stack smashing protection)", null],
      ],
    },
    {
      // SIGILL, however it is reported: bash without a core, macOS' "Illegal instruction: 4", a
      // lower-case report, the kernel's trap line.
      rule: "segfault_shell",
      real: [
        ["https://github.com/tensorflow/tensorflow/issues/25822", "Illegal instruction: 4"],
        ["https://github.com/adeshpande3/March-Madness-ML/issues/11", "Illegal instruction: 4"],
        ["https://github.com/wenbowen123/BundleTrack/issues/43", "> illegal instruction (core dumped)"],
      ],
      nearMiss: [
        ["Illegal instruction errors mean the CPU lacks AVX", null],
      ],
    },
    {
      rule: "segfault_signal",
      real: [
        ["https://github.com/keroro824/HashingDeepLearning/issues/13", "[`7506565.490401] traps: runme[27327] trap invalid opcode ip:5654a0192380 sp:7ffd6a645dd0 error:0 in runme[5654a0188000+1c000]`"],
        ["https://github.com/keras-team/keras/issues/2863", "Exception Type:        EXC_BAD_INSTRUCTION (SIGILL)"],
        ["https://github.com/pytorch/pytorch/issues/22338", "Thread 1 \"python\" received signal SIGILL, Illegal instruction."],
      ],
      nearMiss: [
        ["traps: python[1234] trap int3 ip:7f00 sp:7ffc error:0", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("seventh round (B): memory", () => {
  const families: Family[] = [
    {
      // torch's caching allocator message for any device backend (Ascend NPU, Intel XPU, ...), and
      // the CUDA math libraries' allocation failures.
      rule: "cuda_oom_generic",
      real: [
        ["https://github.com/vllm-project/vllm-ascend/issues/19", "> > RuntimeError: NPU out of memory. Tried to allocate 22.00 MiB (NPU 0; 60.97 GiB total capacity; 10.24 GiB already allocated; 10.24 GiB current active; 19.52 MiB free; 10.65 GiB reserved in total by PyTorch) If reserved memory is >> allocated memory try setting max_split_size_mb to avoid fragmentation."],
        ["https://github.com/sgl-project/sglang/issues/15453", "RuntimeError: NPU out of memory. Tried to allocate 226.00 MiB (NPU 2; 60.96 GiB total capacity; 58.13 GiB already allocated; 58.13 GiB current active; 97.16 MiB free; 58.42 GiB reserved in total by PyTorch) If reserved memory is >> allocated memory try setting max_split_size_mb to avoid fragmentation."],
        ["https://github.com/intel/intel-extension-for-pytorch/issues/629", "RuntimeError: XPU out of memory. Tried to allocate 1.71 GiB (GPU 0; 15.56 GiB total capacity; 0 bytes already allocated; 0 bytes reserved in total by PyTorch)"],
        ["https://github.com/pytorch/pytorch/issues/6511", "RuntimeError: cuFFT error: CUFFT_ALLOC_FAILED"],
        ["https://github.com/cupy/cupy/issues/1063", "cupy.cuda.cufft.CuFftError: CUFFT_ALLOC_FAILED"],
      ],
      nearMiss: [
        ["NPU memory usage: 10.2 GiB / 64 GiB", null],
        ["export PYTORCH_NPU_ALLOC_CONF=expandable_segments:True", null],
      ],
    },
    {
      // The host refusing memory in Rust's words (tokenizers, safetensors: an abort with no Python
      // exception) and Windows' commit limit as Rust's io::Error prints it, in any language.
      rule: "host_oom_memory_error",
      real: [
        ["https://github.com/libbpf/blazesym/issues/10", "memory allocation of 2656 bytes failed"],
        ["https://github.com/dtolnay/cargo-tally/pull/100", "memory allocation of 8192 bytes failed"],
        ["https://github.com/XAMPPRocky/tokei/issues/1265", "memory allocation of 18446744073709551615 bytes failed"],
        ["https://github.com/Comfy-Org/ComfyUI/issues/8065", "OSError: The paging file is too small for this operation to complete. (os error 1455)"],
        ["https://github.com/Comfy-Org/ComfyUI/issues/6606", "OSError: 页面文件太小，无法完成操作。 (os error 1455)"],
        ["https://github.com/Comfy-Org/ComfyUI/issues/11009", "2025-11-28T21:22:46.272540 - !!! Exception during processing !!! El archivo de paginación es demasiado pequeño para completar la operación. (os error 1455)"],
      ],
      nearMiss: [
        ["Peak memory allocation of 1234 bytes failed to be freed early", null],
        ["OSError: The system cannot find the file specified. (os error 2)", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("seventh round (B): CUDA libraries and collectives", () => {
  const families: Family[] = [
    {
      // cuFFT / cuSOLVER / cuRAND / cuSPARSE status codes (cuBLAS and cuDNN have their own rules).
      rule: "cuda_math_library_status",
      real: [
        ["https://github.com/TungChintao/APM/issues/5", "RuntimeError: cuFFT error: CUFFT_INTERNAL_ERROR"],
        ["https://github.com/yeyupiaoling/AudioClassification-PaddlePaddle/issues/9", "  [Hint: 'CUFFT_INTERNAL_ERROR'. Driver or internal cuFFT library error] (at /paddle/paddle/phi/kernels/funcs/cufft_util.h:127)"],
        ["https://github.com/nerdyrodent/VQGAN-CLIP/issues/143", "RuntimeError: cusolver error: CUSOLVER_STATUS_INTERNAL_ERROR, when calling `cusolverDnCreate(handle)`"],
        ["https://github.com/google-deepmind/alphafold/issues/306", "I1213 13:02:06.025453 140646328219456 run_docker.py:222] RuntimeError: jaxlib/cusolver_kernels.cc:44: operation cusolverDnCreate(&handle) failed: cuSolver internal error"],
        ["https://github.com/jzhangbs/Vis-MVSNet/issues/38", "RuntimeError: cusolver error: 7, when calling `cusolverDnCreate(handle)`"],
        ["https://github.com/deepmodeling/abacus-develop/issues/6751", "ERROR: CUSOLVER_STATUS_INTERNAL_ERROR /opt/apps/abacus/abacus-develop-LTSv3.10.1/source/module_hsolver/kernels/cuda/diag_cusolvermp.cu 207"],
      ],
      nearMiss: [
        // A success status printed in a loop (merzlab/QUICK#98), a cache setting, an allocation failure.
        ["CUSOLVER_STATUS_SUCCESS ", null],
        ["export CUFFT_PLAN_CACHE=1", null],
        ["RuntimeError: cuFFT error: CUFFT_ALLOC_FAILED", "cuda_oom_generic"],
      ],
    },
    {
      // Huawei's HCCL (torch_npu's ProcessGroupHCCL), NCCL's counterpart on Ascend NPUs.
      rule: "nccl_error_other",
      real: [
        ["https://github.com/hiyouga/LlamaFactory/issues/3839", "RuntimeError: [ERROR] HCCL error in: torch_npu/csrc/distributed/ProcessGroupHCCL.cpp:64"],
        ["https://github.com/vllm-project/vllm-ascend/issues/486", "[rank1]: RuntimeError: InnerRunOpApi:torch_npu/csrc/framework/OpParamMaker.cpp:281 OPS function error: HcclAllreduce, error code is 6"],
      ],
      nearMiss: [
        ["export HCCL_CONNECT_TIMEOUT=1200", null],
        ["HCCL error codes are listed in the CANN documentation", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("seventh round (B): kills and exits by signal", () => {
  const families: Family[] = [
    {
      // A process killed by SIGKILL in the words of GNU time, the shells, MPICH's Hydra: "<killed|
      // terminated|died|exited> <by|with|on> signal 9|SIGKILL", Hydra's exit string and exit code.
      rule: "killed_launcher_signal",
      real: [
        ["https://github.com/tesseract-ocr/tesseract/issues/2016", "Command terminated by signal 9"],
        ["https://github.com/ncbi/fcs/issues/69", "`Command terminated by signal 9` means the command was terminated by an external SIGKILL signal"],
        ["https://github.com/openai/jukebox/issues/155", "YOUR APPLICATION TERMINATED WITH THE EXIT STRING: Killed (signal 9)"],
        ["https://github.com/openai/jukebox/issues/155", "=   EXIT CODE: 9"],
        ["https://github.com/je-santos/MPLBM-UT/issues/92", "=   EXIT CODE: 9"],
      ],
      nearMiss: [
        // torchelastic stopping the other workers, and a graceful stop, are not a kill.
        ["WARNING:torch.distributed.elastic.multiprocessing.api:Sending process 10401 closing signal SIGTERM", null],
        ["Command terminated by signal 15", "killed_sigterm"],
        ["=   EXIT CODE: 1", null],
      ],
    },
    {
      rule: "segfault_exit_code",
      real: [
        ["https://github.com/arut/nginx-rtmp-module/issues/470", "2014/09/15 11:34:24 [alert] 27#0: worker process 28 exited on signal 11"],
        ["https://github.com/danielgtaylor/jpeg-archive/issues/88", "What does “terminated by signal 11” mean in the screen output?"],
        // The other native-crash signals (7 SIGBUS, 4 SIGILL, 8 SIGFPE) by number, and Open MPI's and
        // MPICH's "<name> (<number>)" reports.
        ["https://github.com/graph500/graph500/issues/42 (title)", "Terminated with signal 7"],
        ["https://github.com/open-mpi/ompi/issues/3251", "[pax11-00:65294] Signal: Bus error (7)"],
        ["https://github.com/deepmodeling/abacus-develop/issues/787 (title)", "LCAO throws Bus error (signal 7) when using a dozen of processes"],
      ],
      nearMiss: [
        ["2014/09/15 11:34:24 [alert] 27#0: worker process 28 exited on signal 1", null],
        // An abort is the message before it, and a named segmentation fault is the cause rule.
        ["[pax11-00:65294] Signal: Aborted (6)", null],
        ["mpirun noticed that process rank 0 with PID 636815 on node fl98 exited on signal 11 (Segmentation fault).", "segfault_signal"],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("seventh round (B): disk", () => {
  const families: Family[] = [
    {
      // Windows' ERROR_DISK_FULL as Rust's io::Error prints it, in the system's language.
      rule: "disk_full",
      real: [
        ["https://github.com/thewh1teagle/vibe/issues/1168", "    There is not enough space on the disk. (os error 112)"],
        ["https://github.com/thewh1teagle/vibe/issues/1147", "    Espacio en disco insuficiente. (os error 112)"],
        ["https://github.com/thewh1teagle/vibe/issues/909", "    Espace insuffisant sur le disque. (os error 112)"],
        ["https://github.com/thewh1teagle/vibe/issues/1043", "    Недостаточно места на диске. (os error 112)"],
      ],
      nearMiss: [
        ["Error: The system cannot find the path specified. (os error 3)", null],
        ["(os error 1121)", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("seventh round (B): GPU, disk pressure and the network under Ray", () => {
  const families: Family[] = [
    {
      // nvidia-smi's per-device handle failure, whichever verb the build prints.
      rule: "gpu_device_handle_unknown",
      real: [
        ["crash-corpus gpu_hardware/Easy-GPU-PV-276-nvml-device-handle-unknown-error.log (u), https://github.com/jamesstringer90/Easy-GPU-PV/issues/276", "Unable to detect the device handle for GPU0000:B1:00.0: Unknown Error"],
        ["https://github.com/NVIDIA/dcgm-exporter/issues/604", "Unable to determine the device handle for GPU 000:BA:80.0: Unknown Error"],
      ],
      nearMiss: [
        // The container-level NVML failure (a cgroup/driver-library matter, not a device).
        ["Failed to initialize NVML: Unknown Error", null],
      ],
    },
    {
      // A Kubernetes node evicting pods for disk pressure, in the kubelet's two wordings.
      rule: "disk_full",
      real: [
        ["https://github.com/gitpod-io/gitpod/issues/935", "Evicted: Pod The node had condition: [DiskPressure]."],
        ["https://github.com/gitpod-io/gitpod/issues/1229 (title)", "Evicted: Pod The node was low on resource: [DiskPressure]"],
        ["crash-corpus disk_full/operate-first-1352-ml-pods-evicted-diskpressure.log (u), https://github.com/operate-first/apps/issues/1352", "build-log-clustering-sklearn-default-0-classifier-56b4b9d9vkc4t   ds-ml-workflows-ws                                 Evicted   oct-03-09-compute   Pod The node had condition: [DiskPressure]. "],
      ],
      nearMiss: [
        ["The node had condition: [MemoryPressure].", null],
        ["  DiskPressure     False   Mon, 01 Jan 2024 00:00:00 +0000   KubeletHasNoDiskPressure     kubelet has no disk pressure", null],
      ],
    },
    {
      // An InfiniBand/RoCE work completion with an error in the older NCCL wording (no peer) and
      // as the mlx5 user-space driver prints it.
      rule: "nccl_ib_completion_other",
      real: [
        ["https://github.com/NVIDIA/nccl/issues/426 (title)", "NCCL WARN NET/IB : Got completion with error 12, opcode 0, len 0, vendor err 129"],
        ["https://github.com/Caffe-MPI/Caffe-MPI.github.io/issues/9 (title)", "mlx5: ${hostname}: got completion with error"],
        ["crash-corpus nccl_error/openrlhf-621-ray-ppo-broadcast-remote-exited.log (u), https://github.com/OpenRLHF/OpenRLHF/issues/621", "(RayWorkerWrapper pid=92234, ip=172.19.24.110) mlx5: host_unknown: got completion with error: [repeated 2x across cluster]"],
      ],
      nearMiss: [
        ["NCCL WARN NET/IB : Got completion from peer 10.216.210.236<54862> with status=12 opcode=0 len=0 vendor err 129 (Recv)", "nccl_ib_completion_error"],
        ["NCCL INFO NET/IB : Using [0]mlx5_bond_1:1/RoCE [1]mlx5_bond_2:1/RoCE; OOB bond0:172.36.134.184<0>", null],
      ],
    },
  ];
  testFamilies(rules, families);

  // Ray's notice that a worker vanished names no cause (it lists the OOM killer, `ray stop` and a
  // native crash as possibilities), so a rule-named cause in the same incident says more; alone it
  // is still a kill. Lines of OpenRLHF/OpenRLHF#621 (collection u).
  const raylet = "(raylet) A worker died or was killed while executing a task by an unexpected system error. To troubleshoot the problem, check the logs for the dead worker. RayTask ID: fffffffffffffffff274c61d686e9942cf058dcc11000000 Worker ID: d893621a96e2f86610a449412008b6be271a3f20fb114a86dc99951c Node ID: 8440b94a47cd6aec9329c5f1a1ac0cc7ea3b7fe6586ac18245731034 Worker IP address: 172.19.24.110 Worker port: 10185 Worker PID: 90738 Worker exit type: SYSTEM_ERROR Worker exit detail: Worker unexpectedly exits with a connection error code 2. End of file. There are some potential root causes. (1) The process is killed by SIGKILL by OOM killer due to high memory usage. (2) ray stop --force is called. (3) The worker is crashed unexpectedly due to SIGSEGV or other unexpected errors.";
  const mlx5 = "(RayWorkerWrapper pid=92234, ip=172.19.24.110) mlx5: host_unknown: got completion with error: [repeated 2x across cluster]";
  test("a vanished Ray worker gives way to a network cause in the same incident, and alone is a kill", async () => {
    assert.deepEqual(await primaryOf("ray-ib.log", `${raylet}\n${mlx5}\n`), { category: "nccl_error", ruleId: "nccl_ib_completion_other" });
    assert.deepEqual(await primaryOf("ray-alone.log", `${raylet}\n`), { category: "process_killed", ruleId: "killed_ray_worker_vanished" });
  });
});

describe("seventh round (B): collections t and u, by family", () => {
  const families: Family[] = [
    {
      // An NVSwitch's fatal SXid: "Fatal" on the first line, or the driver's severity 1 (FATAL; 0 is
      // NONFATAL in the nvswitch driver's NVSWITCH_ERROR_SEVERITY_TYPE) on its detail line.
      rule: "gpu_nvswitch_fatal",
      real: [
        ["crash-corpus gpu_hardware/open-gpu-kernel-modules-1118-a100-nvswitch-sxid-24007.log (u), https://github.com/NVIDIA/open-gpu-kernel-modules/issues/1118", "192.168.11.119: kern:     err: [2026-04-22T21:25:20.466440686Z]: nvidia-nvswitch1: SXid (PCI:0000:aa:00.0): 24007, Severity 1 Engine instance 12 Sub-engine instance 00"],
        ["leptonai/gpud's SXid test data, quoting https://access.redhat.com/solutions/6619941 (cihlab/fics-cluster-guide#53 reports the same SXid 20034 Fatal)", "[131453.740743] nvidia-nvswitch0: SXid (PCI:0000:a9:00.0): 20034, Fatal, Link 30 LTSSM Fault Up"],
      ],
      nearMiss: [
        // Non-fatal SXids and their severity-0 detail lines (NVIDIA/nvtrust#124).
        ["[   38.178720] nvidia-nvswitch3: SXid (PCI:0000:04:00.0): 22013, Non-fatal, Link 44 Minion Link DLREQ interrupt", null],
        ["[   38.180708] nvidia-nvswitch3: SXid (PCI:0000:04:00.0): 22013, Severity 0 Engine instance 44 Sub-engine instance 00", null],
      ],
    },
    {
      // torchelastic's SignalException message, also when a wrapper prints it without the type.
      rule: "killed_death_signal",
      real: [
        ["crash-corpus process_killed/flytekit-2064-kfpytorch-elastic-signalexception-15.log (u), https://github.com/flyteorg/flytekit/pull/2064", "    Process 107 got signal: 15"],
      ],
      nearMiss: [
        // Ctrl-C is the user's, and the source line that raises it is no message.
        ["    Process 107 got signal: 2", null],
        ["        raise SignalException(f\"Process {os.getpid()} got signal: {sigval}\", sigval=sigval)", null],
      ],
    },
    {
      // paddle.distributed.launch reporting a worker that died of SIGKILL.
      rule: "killed_launcher_signal",
      real: [
        ["crash-corpus process_killed/paddleocr-11773-two-gpu-rec-container-code-minus-9.log (u), https://github.com/PaddlePaddle/PaddleOCR/issues/11773", "Container rank 0 status failed cmd ['/home/ /.conda/envs/paddle26/bin/python', '-u', 'tools/train.py', '-c', 'configs/a_rec_self/ch_PP_OCRv4_rec_pplcnetv3_01.yml''] code -9 log ./debug/workerlog.0"],
      ],
      nearMiss: [
        ["Container rank 0 status failed cmd ['/usr/bin/python', '-u', 'tools/train.py'] code 1 log ./debug/workerlog.0", null],
      ],
    },
    {
      // XLA failing to place a constant in device memory.
      rule: "cuda_oom_xla",
      real: [
        ["https://github.com/octo-models/octo/issues/22", "jaxlib.xla_extension.XlaRuntimeError: INTERNAL: Failed to allocate 98697216 bytes for new constant"],
        ["https://github.com/kalininalab/alphafold_non_docker/issues/55", "> 2023-01-01 07:07:23.507834: E external/org_tensorflow/tensorflow/compiler/xla/pjrt/pjrt_stream_executor_client.cc:2130] Execution of replica 0 failed: INTERNAL: Failed to allocate 50331648 bytes for new constant"],
      ],
      nearMiss: [
        ["INTERNAL: Failed to allocate 0 streams for new stream group", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("seventh round (B): HIP errors read like CUDA's", () => {
  const families: Family[] = [
    {
      // torch on ROCm prints HIP's errors where a CUDA build prints CUDA's.
      rule: "cuda_error_generic",
      real: [
        ["https://github.com/pytorch/pytorch/issues/164346", "torch.AcceleratorError: HIP error: invalid device function"],
        ["https://github.com/etched-ai/open-oasis/issues/27", "RuntimeError: HIP error: invalid device function  "],
        ["https://github.com/pytorch/pytorch/issues/164346", "Search for `hipErrorInvalidDeviceFunction' in https://docs.nvidia.com/cuda/cuda-runtime-api/group__HIPRT__TYPES.html for more information."],
      ],
      nearMiss: [
        ["RuntimeError: HIP error: out of memory", "cuda_oom_generic"],
        // hipStreamQuery's "not ready yet" is a poll result that debug logs print, not a failure.
        [":3:hip_stream.cpp           :390 : 123456789 us: [pid:1234 tid:0x7f] hipStreamQuery: Returned hipErrorNotReady : ", null],
        // The hint under the error's message is not the error: since the twenty-second round (zzk) the hint rule's
        // symptom, which the `HIP error: ...` line above it outranks.
        ["HIP kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.", "cuda_error_async_hint"],
      ],
    },
    {
      // No code object for this GPU's architecture: HIP's "no kernel image".
      rule: "cuda_no_kernel_image",
      real: [
        ["https://github.com/easydiffusion/easydiffusion/issues/1477", "hipErrorNoBinaryForGpu: Unable to find code object for all current devices!"],
        ["https://github.com/ROCm/tensorflow-upstream/issues/1106 (title)", "hip_code_object.cpp:92: guarantee(false && \"hipErrorNoBinaryForGpu: Coudn't find binary for current devices!\")"],
      ],
      nearMiss: [
        ["export HSA_OVERRIDE_GFX_VERSION=10.3.0", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("seventh round (B): faulthandler on Windows, vLLM's KV cache", () => {
  const families: Family[] = [
    {
      // faulthandler's Windows report names the exception (CPython's faulthandler.c list) or prints an
      // NTSTATUS error code; MSVC's C++ exception code 0xe06d7363 is printed for exceptions that are
      // often caught, so it is not a crash.
      rule: "segfault_windows_access_violation",
      real: [
        ["https://github.com/AG-w/sd-webui-smea/issues/7", "Windows fatal exception: stack overflow"],
        ["https://github.com/mkondratyev85/raster_tracer/issues/42 (title)", "Windows fatal exception: stack overflow"],
      ],
      nearMiss: [
        ["Windows fatal exception: code 0xe06d7363", null],
        ["Windows fatal exception: code 0x406d1388", null],
      ],
    },
    {
      // vLLM finding too little GPU memory for one sequence's KV cache at start-up (an OOM in
      // disguise: raise gpu_memory_utilization or lower max_model_len, as its maintainers answer).
      rule: "cuda_oom_kv_cache",
      real: [
        ["https://github.com/QwenLM/Qwen3/issues/295", "ValueError: The model's max seq len (32768) is larger than the maximum number of tokens that can be stored in KV cache (7344). Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine."],
        ["https://github.com/Graph-COM/SubgraphRAG/issues/19", "\"ValueError: The model's max seq len (131072) is larger than the maximum number of tokens that can be stored in KV cache (39024). Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.\""],
      ],
      nearMiss: [
        ["INFO 06-28 06:11:45 distributed_gpu_executor.py:45] # GPU blocks: 378, # CPU blocks: 1638", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("seventh round (B): pinned host memory", () => {
  const families: Family[] = [
    {
      // Page-locked host memory for the GPU's DMA that the host could not give (MindSpore, Paddle,
      // TensorFlow's stream executor), host RAM rather than GPU memory.
      rule: "host_oom_pinned",
      real: [
        ["crash-corpus host_oom/mindspore-172-lenet-wsl2-cudahostalloc-out-of-memory.log (u), https://github.com/mindspore-ai/mindspore/issues/172", "[ERROR] MD(14433,7fea2effd700,python):2021-12-12-14:13:43.932.181 [mindspore/ccsrc/minddata/dataset/util/arena.cc:250] Init] cudaHostAlloc failed, ret[2], out of memory"],
        ["https://github.com/PaddlePaddle/PaddleDetection/issues/4878", "    cudaHostAlloc Cannot allocate 32 bytes in CUDAPinnedPlace**"],
        ["https://github.com/talmolab/sleap/issues/2001", "2024-10-22 09:22:17.233972: E tensorflow/stream_executor/cuda/cuda_driver.cc:802] failed to alloc 34359738368 bytes on host: CUDA_ERROR_OUT_OF_MEMORY: out of memory"],
      ],
      nearMiss: [
        // Another driver error on the same call is not a memory shortage (rishizek/tensorflow-deeplab-v3-plus#8).
        ["2018-04-19 09:42:36.892859: E tensorflow/stream_executor/cuda/cuda_driver.cc:967] failed to alloc 2304 bytes on host: CUDA_ERROR_UNKNOWN", "cuda_error_generic"],
        ["E tensorflow/stream_executor/cuda/cuda_driver.cc:802] failed to alloc 17179869184 bytes on device: CUDA_ERROR_OUT_OF_MEMORY: out of memory", "cuda_oom_generic"],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("seventh round (B): a DataLoader worker dead of another native-crash signal", () => {
  testFamilies(rules, [
    {
      rule: "segfault_dataloader_worker",
      real: [
        ["https://github.com/rowanz/r2c/issues/18", "RuntimeError: DataLoader worker (pid 6645) is killed by signal: Illegal instruction."],
        ["https://github.com/facebookresearch/nocturne/issues/42 (title)", "RuntimeError: DataLoader worker (pid 7036) is killed by signal: Floating point exception."],
        ["https://github.com/MhLiao/DB/issues/94", "RuntimeError: DataLoader worker (pid 25902) is killed by signal: Segmentation fault"],
      ],
      nearMiss: [
        // SIGKILL is a kill (usually memory), SIGBUS its own rule (shared memory), SIGTERM a stop.
        ["RuntimeError: DataLoader worker (pid 1817) is killed by signal: Killed. ", "killed_launcher_signal"],
        ["DataLoader worker (pid 13176) is killed by signal: Bus error", "segfault_dataloader_bus_error"],
        // (SIGTERM is killed_sigterm since the thirteenth round: strsignal's "Terminated".)
        ["RuntimeError: DataLoader worker (pid 23616) is killed by signal: Terminated.", "killed_sigterm"],
      ],
    },
  ]);
});

describe("seventh round (B): the exception type DistBackendError", () => {
  // torch raises DistBackendError only when the collective backend library fails (pytorch#88134), so
  // one whose message no rule knows is an NCCL failure; lines of pytorch/pytorch#131781 (the frames
  // as the issue pasted them, without their Traceback line).
  const frames = [
    '[rank15]:   File "/home/joe/micromamba/lib/python3.10/site-packages/torch/distributed/distributed_c10d.py", line 2288, in all_reduce',
    "[rank15]:     work = group.allreduce([tensor], opts)",
  ];
  const cpp = [
    "[rank15]: Exception raised from recvBytes at ../torch/csrc/distributed/c10d/Utils.hpp:672 (most recent call first):",
    "[rank15]: frame #0: c10::Error::Error(c10::SourceLocation, std::string) + 0x96 (0x7fca98f77f86 in /home/joe/micromamba/lib/python3.10/site-packages/torch/lib/libc10.so)",
  ];
  test("an unexplained DistBackendError is nccl_error; one a rule reads (a store timeout) keeps the rule's category", async () => {
    const reset = "[rank15]: torch.distributed.DistBackendError: [15] is setting up NCCL communicator and retrieving ncclUniqueId from [0] via c10d key-value store by key '0', but store->get('0') got error: Connection reset by peer";
    assert.deepEqual(await primaryOf("dbe-reset.log", `${[...frames, reset, ...cpp].join("\n")}\n`), { category: "nccl_error", ruleId: "python_traceback" });
    // RUCAIBox/RecBole#2069's message on the same frames: the timeout rule names it.
    const timeout = "torch.distributed.DistBackendError: [5] is setting up NCCL communicator and retrieving ncclUniqueId from [0] via c10d key-value store by key '0', but store->get('0') got error: Socket Timeout";
    assert.equal((await primaryOf("dbe-timeout.log", `${[...frames, timeout].join("\n")}\n`))?.category, "timeout");
    // The same frames ending in another type stay a Python exception.
    const other = "[rank15]: ValueError: Tensors must be contiguous";
    assert.equal((await primaryOf("dbe-other.log", `${[...frames, other].join("\n")}\n`))?.category, "python_exception");
  });
});

describe("seventh round (B): a scheduler killing a job for its memory limit", () => {
  testFamilies(rules, [
    {
      // Slurm's older memory enforcement, LSF and PBS/Torque: the job exceeded its memory request and
      // the scheduler killed it (the project reads a memory kill as process_killed, like the cgroup's).
      rule: "killed_cgroup_oom",
      real: [
        ["https://github.com/bcbio/bcbio-nextgen/issues/2393", "slurmstepd-dback-c11-n01: error: Job 848444 exceeded memory limit (33715636 > 32757760), being killed"],
        ["https://github.com/bcbio/bcbio-nextgen/issues/2393", "slurmstepd-dback-c11-n01: error: Exceeded job memory limit"],
        ["https://github.com/openbabel/openbabel/issues/2658", "slurmstepd-falkor7: error: Step 1141810.0 exceeded memory limit (52917772 > 20971520), being killed"],
        ["https://github.com/openbabel/openbabel/issues/2658", "srun: Exceeded job memory limit"],
        ["https://github.com/wheaton5/souporcell/issues/20", "TERM_MEMLIMIT: job killed after reaching LSF memory usage limit."],
        ["https://github.com/marbl/canu/issues/530", "=>> PBS: job killed: mem 38427376kb exceeded limit 33554432kb"],
        ["https://github.com/dask/dask-jobqueue/issues/178", "```dask-worker.o1838772:=>> PBS: job killed: mem job total 115343360 kb exceeded limit 115343360 kb```"],
        ["https://github.com/veg/hyphy/issues/500", "=>> PBS: job killed: vmem 3372163072 exceeded limit 2147483648"],
        ["https://github.com/nf-core/sarek/issues/541", "Job exceeded a memory resource limit (vmem, pvmem, etc.). Job was aborted"],
        // Spark on YARN (TensorFlowOnSpark), beside YARN's own "running beyond physical memory limits".
        ["https://github.com/yahoo/TensorFlowOnSpark/issues/134", "17/11/25 18:23:24 ERROR YarnClusterScheduler: Lost executor 9 on harrisburg.cs.colostate.edu: Container killed by YARN for exceeding memory limits. 7.2 GB of 4.2 GB virtual memory used. Consider boosting spark.yarn.executor.memoryOverhead."],
        ["https://github.com/apache/spark/pull/20735", "ExecutorLostFailure (executor 121 exited caused by one of the running tasks) Reason: Container killed by YARN for exceeding memory limits. 30.7 GB of 30 GB physical memory used. Consider boosting spark.yarn.executor.memoryOverhead."],
      ],
      nearMiss: [
        // Slurm's after-the-fact notice, printed for jobs that completed (chaos/slurm#54, galaxy#2309).
        ["slurmstepd: Exceeded step memory limit at some point.", null],
        ["slurmstepd: error: Exceeded step memory limit at some point. Step may have been partially swapped out to disk.", null],
        // A wall-clock limit is a timeout.
        ["=>> PBS: job killed: walltime 172830 exceeded limit 172800", "timeout_scheduler_limit"],
      ],
    },
  ]);
});

describe("seventh round (B): Colab's notice that the session used all its RAM", () => {
  testFamilies(rules, [
    {
      // Read as host_oom until the sixteenth round; since then a kill from outside (process_killed, the corpus's
      // OOM-kill convention: the lead's decision on zs ftcp-8, docs/crash-accuracy.md item 160).
      rule: "killed_cgroup_oom",
      real: [
        ["https://github.com/PV-Lab/FTCP/issues/8", "> Your session crashed after using all available RAM. If you are interested in access to high-RAM runtimes, you may want to check out [Colab Pro](https://colab.research.google.com/signup/pricing?utm_source=dialog&utm_medium=link&utm_campaign=oom)."],
        ["https://github.com/googlecolab/colabtools/issues/2332", "**Your session crashed after using all available RAM.** "],
        ["https://github.com/borisdayma/dalle-mini/issues/207", "\"Your session crashed after using all available RAM. As a Colab Pro user, you have higher memory than non-subscribed users..\""],
      ],
      nearMiss: [
        // A crash Colab does not attribute to memory.
        ["Your session crashed for an unknown reason.", null],
      ],
    },
  ]);
});

describe("seventh round (B): device memory exhausted under Vulkan and Metal", () => {
  testFamilies(rules, [
    {
      // Vulkan's and Metal's out-of-device-memory results (llama.cpp's backends, MLX on Apple silicon).
      rule: "cuda_oom_other_runtimes",
      real: [
        ["https://github.com/ggml-org/llama.cpp/issues/15256", "ggml_vulkan: Device memory allocation of size 118497280 failed."],
        ["https://github.com/ggml-org/llama.cpp/issues/15256", "ggml_vulkan: vk::Device::allocateMemory: ErrorOutOfDeviceMemory"],
        ["https://github.com/RippeR37/GL_vs_VK/issues/2", "`vk::CommandBuffer::end: ErrorOutOfDeviceMemory`"],
        ["https://github.com/ggml-org/llama.cpp/pull/7010", "error: Insufficient Memory (00000008:kIOGPUCommandBufferCallbackErrorOutOfMemory)"],
        ["https://github.com/youssofal/MTPLX/issues/194 (title)", "libc++abi: terminating due to uncaught exception of type std::runtime_error: [METAL] Command buffer execution failed: Insufficient Memory (00000008:kIOGPUCommandBufferCallbackErrorOutOfMemory)"],
      ],
      nearMiss: [
        // Host memory in Vulkan's words, and Metal's generic command-buffer status.
        ["VK_ERROR_OUT_OF_HOST_MEMORY", null],
        ["ggml_metal_graph_compute: command buffer 0 failed with status 5", null],
      ],
    },
  ]);
});

describe("seventh round (B): Vulkan's lost device as vulkan-hpp throws it", () => {
  testFamilies(rules, [
    {
      rule: "gpu_device_lost",
      real: [
        ["https://github.com/ggml-org/llama.cpp/issues/13248 (title)", "terminate called after throwing an instance of 'vk::DeviceLostError'"],
        ["https://github.com/jsoulier/ray_tracing_in_one_weekend/issues/4", "Failed to acquire fence: vkQueueSubmit VK_ERROR_DEVICE_LOST"],
      ],
      nearMiss: [
        ["catch (const vk::OutOfDateKHRError&) { recreateSwapchain(); }", null],
      ],
    },
  ]);
});

describe("seventh round (B): Horovod shutting its collectives down", () => {
  testFamilies(rules, [
    {
      // A surviving rank's notice (peer_wait): the exception of the rank that failed first explains it.
      rule: "horovod_shut_down",
      real: [
        ["https://github.com/horovod/horovod/issues/3412", "[1,0]<stderr>:Horovod has been shut down. This was caused by an exception on one of the ranks or an attempt to allreduce, allgather or broadcast a tensor after one of the ranks finished execution. If the shutdown was caused by an exception, you should see the exception in the log before the first shutdown message."],
        ["https://github.com/horovod/horovod/issues/410", "2018-07-30 06:41:52.525932: W tensorflow/core/framework/op_kernel.cc:1318] OP_REQUIRES failed at mpi_ops.cc:422 : Aborted: Horovod has been shut down. This was caused by an exception on one of the ranks or an attempt to allreduce, allgather or broadcast a tensor after one of the ranks finished execution. If the shutdown was caused by an exception, you should see the exception in the log before the first shutdown message."],
        ["https://github.com/horovod/horovod/issues/243", "AbortedError (see above for traceback): Horovod has been shut down. This has been caused by an exception on one of the rank or an attempt to allreduce, allgather or broadcast a tensor after one of the ranks has finished execution."],
      ],
      nearMiss: [
        ["Horovod has been shut down cleanly.", null],
      ],
    },
  ]);
  test("alone, Horovod's shutdown notice is a collective failure", async () => {
    const line = "AbortedError (see above for traceback): Horovod has been shut down. This has been caused by an exception on one of the rank or an attempt to allreduce, allgather or broadcast a tensor after one of the ranks has finished execution.";
    assert.deepEqual(await primaryOf("hvd-alone.log", `${line}\n`), { category: "nccl_error", ruleId: "horovod_shut_down" });
  });
});

describe("seventh round (B): VS Code's notice of a crashed Jupyter kernel", () => {
  testFamilies(rules, [
    {
      // Like Jupyter's "The kernel appears to have died": a kill or native crash of the kernel process,
      // read as a kill (a symptom) when nothing else in the log says why.
      rule: "killed_jupyter_kernel_died",
      real: [
        ["https://github.com/microsoft/vscode-jupyter/issues/15936", "The Kernel crashed while executing code in the current cell or a previous cell. "],
        ["https://github.com/mrdbourke/tensorflow-deep-learning/issues/531", "The Kernel crashed while executing code in the the current cell or a previous cell. Please review the code in the cell(s) to identify a possible cause of the failure. Click [here](https://aka.ms/vscodeJupyterKernelCrash) for more info. View Jupyter [log](command:jupyter.viewOutput) for further details.`"],
        ["https://github.com/AammarTufail/Ramzan_python_for_data_Science_Batch2023/issues/1", "The Kernel crashed while executing code in the the current cell or a previous cell. Please review the code in the cell(s) to identify a possible cause of the failure."],
      ],
      nearMiss: [
        ["Restarting kernel...", null],
      ],
    },
  ]);
});

describe("seventh round (B): the amdgpu driver's GPU page fault", () => {
  testFamilies(rules, [
    {
      // ROCm's illegal memory access as the kernel driver logs it (with or without the hub number, and
      // the older "no-retry" wording), like `Memory access fault by GPU node`.
      rule: "cuda_amdgpu_page_fault",
      real: [
        ["https://github.com/ROCm/amdgpu/issues/172", "[ 4778.915423] amdgpu 0000:c6:00.0: amdgpu: [gfxhub0] no-retry page fault (src_id:0 ring:24 vmid:3 pasid:32769)"],
        ["https://github.com/ROCm/TheRock/issues/986", "[Tue Jul 15 19:00:37 2025] amdgpu 0000:c5:00.0: amdgpu: [gfxhub] page fault (src_id:0 ring:24 vmid:8 pasid:32769)"],
        ["https://github.com/ROCm/amdgpu/issues/150", "[282248.294764] amdgpu 0000:88:00.0: amdgpu: [mmhub0] no-retry page fault (src_id:0 ring:24 vmid:8 pasid:32768, for process ipython3 pid 846049 thread ipython3 pid 846049)"],
      ],
      nearMiss: [
        // Retry faults are resolved by the driver under XNACK; the fault's detail lines name nothing.
        ["amdgpu 0000:03:00.0: amdgpu: [gfxhub0] retry page fault (src_id:0 ring:0 vmid:8 pasid:32771, for process python3 pid 12345 thread python3 pid 12345)", null],
        ["[ 5071.443239] amdgpu 0000:c2:00.0: amdgpu: GCVM_L2_PROTECTION_FAULT_STATUS:0x00800932", null],
      ],
    },
  ]);
});

describe("seventh round (B): SIGTERM, a consequence unless nothing else says why", () => {
  testFamilies(rules, [
    {
      rule: "killed_sigterm",
      real: [
        ["https://github.com/ruotianluo/pytorch-faster-rcnn/issues/28 (title)", "Error occur during training , Command terminated by signal 15"],
        ["crash-corpus timeout/desitarget-628-srun-step-cancelled-due-to-time-limit.log (p), https://github.com/desihub/desitarget/issues/628", "srun: error: nid01934: tasks 2,4-5,7: Terminated"],
      ],
      nearMiss: [
        // torchelastic stopping the other workers names no SIGTERM death, and SIGKILL is a kill rule.
        ["WARNING:torch.distributed.elastic.multiprocessing.api:Sending process 10401 closing signal SIGTERM", null],
        ["Command terminated by signal 9", "killed_launcher_signal"],
      ],
    },
  ]);
});

describe("seventh round (B): the NCCL watchdog's own notice of a failed work item", () => {
  testFamilies(rules, [
    {
      // torch 2.3+ logs this for an error or a timeout alike, so it says only that a collective failed;
      // the "Watchdog caught collective operation timeout" line before it, when kept, names a timeout.
      rule: "nccl_error_other",
      real: [
        ["https://github.com/XPixelGroup/BasicSR/issues/737", "[rank1]:[E626 06:24:44.906457629 ProcessGroupNCCL.cpp:1785] [PG ID 0 PG GUID 0(default_pg) Rank 1] Exception (either an error or timeout) detected by watchdog at work: 808, last enqueued NCCL work: 811, last completed NCCL work: 807."],
        ["https://github.com/hiyouga/LlamaFactory/issues/7396", "[80748] [rank0]:[E321 02:07:08.465150152 ProcessGroupNCCL.cpp:1664] [PG 1 Rank 0] Exception (either an error or timeout) detected by watchdog at work: 1580, last enqueued NCCL work: 1582, last completed NCCL work: 1579."],
        ["https://github.com/modelscope/DiffSynth-Studio/issues/458", "[rank4]:[E318 07:39:53.792772442 ProcessGroupNCCL.cpp:1785] [PG ID 2 PG GUID 9 Rank 4] Exception (either an error or timeout) detected by watchdog at work: 610, last enqueued NCCL work: 616, last completed NCCL work: 609."],
      ],
      nearMiss: [
        // The comment above the log call in ProcessGroupNCCL.cpp.
        ["// If work hits an exception (either an error or timeout)", null],
      ],
    },
  ]);
  test("with the watchdog's timeout line kept, the timeout rule is the primary", async () => {
    const log = [
      "[rank1]:[E626 06:24:44.903881913 ProcessGroupNCCL.cpp:616] [Rank 1] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=808, OpType=ALLREDUCE, NumelIn=9801523, NumelOut=9801523, Timeout(ms)=600000) ran for 600020 milliseconds before timing out.",
      "[rank1]:[E626 06:24:44.906457629 ProcessGroupNCCL.cpp:1785] [PG ID 0 PG GUID 0(default_pg) Rank 1] Exception (either an error or timeout) detected by watchdog at work: 808, last enqueued NCCL work: 811, last completed NCCL work: 807.",
    ].join("\n");
    assert.deepEqual(await primaryOf("wd-timeout.log", `${log}\n`), { category: "nccl_error", ruleId: "nccl_watchdog_timeout" });
  });
});

describe("seventh round (B): torch's CUDA driver errors", () => {
  testFamilies(rules, [
    {
      // C10_CUDA_DRIVER_CHECK words a failed driver-API call "CUDA driver error: <the driver's string>",
      // as CUDA_ERROR_* are the driver's codes; the runtime's "CUDA error:" lines are the same family.
      rule: "cuda_error_generic",
      real: [
        ["https://github.com/noonghunna/club-3090/issues/60", "After upgrading the driver to `596.36`, the error changed to `RuntimeError: CUDA driver error: device not ready` (already reboot the windows host):"],
        ["https://github.com/Schaka/rocm-gfx803/issues/2", "@Schaka [ERROR] !!! Exception during processing !!! RuntimeError: CUDA driver error: 209"],
      ],
      nearMiss: [
        ["RuntimeError: CUDA driver error: out of memory", "cuda_oom_generic"],
        // The title of https://github.com/vllm-project/vllm/issues/25661: a named error keeps its own rule.
        ["[Bug]: RedhatAI/Qwen3-30B-A3B-FP8-dynamic TP=1 H100 RuntimeError: CUDA driver error: an illegal memory access was encountered", "cuda_illegal_address"],
        ["# torch surfaces driver-API failures with the \"CUDA driver error\" prefix via C10_CUDA_DRIVER_CHECK", null],
      ],
    },
  ]);
});

describe("seventh round (B): NCCL's error code as cupy and older bindings word it", () => {
  testFamilies(rules, [
    {
      // "NCCL Error <code>: <ncclGetErrorString>" (cupy.cuda.nccl, as vLLM 0.1 and tensor_parallel used it);
      // codes 1 and 2 (unhandled cuda/system error) keep their own rules.
      rule: "nccl_error_other",
      real: [
        ["https://github.com/BlackSamorez/tensor_parallel/issues/121 (title)", "RuntimeError: NCCL Error 3: internal error"],
        ["https://github.com/vllm-project/vllm/issues/427", "Unhandled exception: St13runtime_error. what(): NCCL Error 5: invalid usage"],
      ],
      nearMiss: [
        ["RuntimeError: NCCL Error 1: unhandled cuda error", "nccl_cuda_error"],
        ["NCCL Error 0: no error", null],
      ],
    },
  ]);
});
