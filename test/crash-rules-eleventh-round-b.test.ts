/**
 * Eleventh rules round (issue 10), role B: GPU simulators' CUDA errors and memory (NVIDIA PhysX under
 * Isaac Gym / Isaac Sim / Isaac Lab), Vulkan's lost device in every binding's spelling, Habana's
 * SynapseAI status, bash's job report with macOS' signal names, a process pool's worker that died
 * (ProcessPoolExecutor, joblib/loky, dask), CUDA's error strings as glog checks and darknet print
 * them, torch failing to count CUDA devices (driver stack), and asynchronous CUDA kernel faults
 * ranked above the values printed before them; from the misses of the tune collections ze and zf,
 * widened to the family each belongs to (docs/crash-accuracy.md, "Eleventh round", items 76-80).
 * Real lines name where they come from; near misses must not be the rule (null: no rule at all);
 * whole texts check the primary choice.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { classifyLine, loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-eleventh-round-b-");

describe("eleventh round (B): rule families", () => {
  const families: Family[] = [
    {
      // NVIDIA PhysX's GPU pipeline failing on CUDA, in every PhysX version's words: its kernels failing
      // to launch (`GPU <kernel> fail to launch kernel!!`), its stream synchronisation failing (with or
      // without the CUDA code), Omniverse's `PhysX error: <stage> failed! 7xx` (CUDA's sticky fault codes:
      // 700 illegal address, 719 launch failure) and the context manager giving up.
      rule: "cuda_physx_gpu_error",
      real: [
        ["crash-corpus ze isaacgymenvs-79, https://github.com/isaac-sim/IsaacGymEnvs/issues/79", "/buildAgent/work/99bede84aa0a52c2/source/gpuarticulation/src/PxgArticulationCore.cpp (859) : internal error : GPU solveSelfConstraints fail to launch kernel!!"],
        ["https://github.com/isaac-sim/IsaacLab/issues/2423", "2025-05-04 10:16:56 [58,167ms] [Error] [omni.physx.plugin] PhysX error: GPU convexCoreConvexNphase_Kernel fail to launch!!"],
        ["https://github.com/Hellod035/LeggedLab/issues/31", "2025-07-03 08:02:38 [25,857ms] [Error] [omni.physx.plugin] PhysX error: GPU prepareLostFoundPairs_Stage1 fail to launch kernel!!"],
        ["https://github.com/NVIDIAGameWorks/PhysX/issues/154", "GPU radix sort fail to launch kernel!!"],
        ["https://github.com/NVIDIAGameWorks/PhysX-3.4/issues/74 (PhysX 3.4 on Windows)", "C:\\buildAgent\\work\\ec03eeb8e2a0ca1f\\sw\\physx\\PhysXSDK\\3.4\\trunk\\Source\\GpuCommon\\include\\PxgCudaUtils.h (53) : unknown error : SynchronizeStreams failed"],
        ["crash-corpus ze isaaclab-1460, https://github.com/isaac-sim/IsaacLab/issues/1460", "2024-11-25 09:13:08 [11,526ms] [Error] [omni.physx.plugin] PhysX error: Synchronizing GPU Narrowphase failed! 700"],
        ["crash-corpus ze isaaclab-1460", "2024-11-25 09:13:08 [11,526ms] [Error] [omni.physx.plugin] PhysX error: SynchronizeStreams cuEventRecord failed with error 700"],
        ["crash-corpus ze isaaclab-1460", "2024-11-25 09:13:08 [11,526ms] [Error] [omni.physx.plugin] Cuda context manager error, simulation will be stopped and new cuda context manager will be created."],
        ["crash-corpus ze omniisaacgymenvs-11, https://github.com/isaac-sim/OmniIsaacGymEnvs/issues/11", "2022-09-19 00:58:31 [21,848ms] [Error] [omni.physx.plugin] PhysX error: SynchronizeStreams cuStreamWaitEvent failed"],
        ["crash-corpus ze walk-these-ways-20, https://github.com/Improbable-AI/walk-these-ways/issues/20", "/buildAgent/work/99bede84aa0a52c2/source/gpucommon/include/PxgCudaUtils.h (54) : internal error : SynchronizeStreams cuEventRecord failed"],
        ["https://github.com/NVIDIA-Omniverse/PhysX/issues/246", "PhysX Internal CUDA error. Simulation can not continue! Error code 700!"],
      ],
      nearMiss: [
        // PhysX falling back to the CPU, its pinned-memory warning and its info lines are no crash
        // (extreme-parkour#4's title, walk-these-ways#20, NVIDIA-Omniverse/PhysX#195).
        ["Failed to create a valid PhysX CUDA Context Manager. Falling back to CPU.", null],
        ["/buildAgent/work/99bede84aa0a52c2/source/gpucommon/src/PxgCudaMemoryAllocator.cpp (59) : warning : Failed to allocate pinned memory.", null],
        ["C:\\b\\w\\2a49d215dfbd0a40\\source\\cudamanager\\src\\CudaContextManager.cpp (653) : info : No PhysX capable GPU suggested.", null],
        // Constructed: a PhysX error that is no CUDA code, prose about launch failures.
        ["2024-11-25 09:13:08 [11,526ms] [Error] [omni.physx.plugin] PhysX error: Synchronizing GPU Narrowphase failed! 2", null],
        ["the kernels fail to launch when the GPU is not supported", null],
      ],
    },
    {
      // PhysX's own GPU allocator out of device memory (cudaErrorMemoryAllocation = 2) and Apple's GPU
      // asked for more than Metal's largest buffer, beside the other runtimes' OOM lines.
      rule: "cuda_oom_other_runtimes",
      real: [
        ["crash-corpus ze walk-these-ways-20, https://github.com/Improbable-AI/walk-these-ways/issues/20", "PxgCudaDeviceMemoryAllocator fail to allocate memory 339738624 bytes!! Result = 2"],
        ["https://github.com/isaac-sim/IsaacGymEnvs/issues/256", "2025-03-15T15:07:10Z [job] PxgCudaDeviceMemoryAllocator fail to allocate memory 100663296 bytes!! Result = 2 "],
        ["crash-corpus ze omniisaacgymenvs-11, https://github.com/isaac-sim/OmniIsaacGymEnvs/issues/11", "PxgCudaDeviceMemoryAllocator fail to allocate memory 71303168 bytes!! Result = 2"],
        // Apple's GPU asked for a buffer above Metal's maximum buffer length: torch MPS's `Invalid buffer
        // size` (an OOM on the Mac, diffusers#5894's maintainers) and MLX's metal::malloc.
        ["https://github.com/huggingface/diffusers/issues/9972", "RuntimeError: Invalid buffer size: 10973.48 GB"],
        ["https://github.com/invoke-ai/InvokeAI/issues/3168 (title)", "[bug]: RuntimeError: Invalid buffer size: 2.25 GB"],
        ["https://github.com/kijai/ComfyUI-SUPIR/issues/151 (ComfyUI's report)", "- **Exception Message:** Invalid buffer size: 19.38 GiB"],
        ["https://github.com/lmstudio-ai/lmstudio-bug-tracker/issues/2240", "RuntimeError: [metal::malloc] Attempting to allocate 48736917632 bytes which is greater than the maximum allowed buffer size of 30150672384 bytes."],
      ],
      nearMiss: [
        ["PxgCudaDeviceMemoryAllocator: allocated 339738624 bytes", null],
        // MPS's placeholder mismatch is a placement bug, not memory (pytorch#78042); a size without a unit.
        ["Device MPS: -> RuntimeError Placeholder buffer size is not large enough to contain the Tensor storage of size", null],
        ["Invalid buffer size: -1", null],
      ],
    },
    {
      // A graphics API's lost device in every spelling a binding prints: Vulkan's C enum, Omniverse's carb
      // `VkResult: ERROR_DEVICE_LOST`, vulkan-hpp's `ErrorDeviceLost` / `vk::Result::eErrorDeviceLost`, and
      // Direct3D 12's DXGI_ERROR_DEVICE_REMOVED / "device instance has been suspended" under DirectML.
      rule: "gpu_device_lost",
      real: [
        ["crash-corpus ze genie-sim-70, https://github.com/AgibotTech/genie_sim/issues/70", "2025-09-11 22:10:06 [50,010ms] [Error] [carb.graphics-vulkan.plugin] VkResult: ERROR_DEVICE_LOST"],
        ["crash-corpus ze isaacsim-431, https://github.com/isaac-sim/IsaacSim/issues/431", "2026-01-22T14:49:49Z [258,132ms] [Error] [carb.graphics-vulkan.plugin] VkResult: ERROR_DEVICE_LOST"],
        ["https://github.com/vkmark/vkmark/issues/17", "  what():  VULKAN_HPP_NAMESPACE::Device::waitIdle: ErrorDeviceLost"],
        ["https://github.com/Facepunch/sbox-issues/issues/4624", "2024/01/28 15:42:37.7042\t[engine/RenderSystem] ERROR! VK call failed! result = VK_ERROR_DEVICE_LOST ( vkQueueSubmit( pQueue, 1, &submitInfo, pFence->Get() ) )\t"],
        ["https://github.com/RPCS3/rpcs3/issues/7907", "F {PPU[0x1000023] Thread (9qstY) [0x01d7562c]} SIG: Thread terminated due to fatal error: Assertion Failed! Vulkan API call failed with unrecoverable error: Device lost (Driver crashed with unspecified error or stopped responding and recovered) (VK_ERROR_DEVICE_LOST)"],
        // Direct3D 12's removed device as DirectML reports it (TensorFlow-DirectML, torch_directml, ONNX
        // Runtime's DML provider): the same driver reset under Windows' name (a GPU timeout/TDR most often).
        ["https://github.com/microsoft/DirectML/issues/462 (tensorflow-directml)", "2023-05-28 18:58:27.210590: E tensorflow/c/logging.cc:40] The DirectML device has encountered an unrecoverable error (DXGI_ERROR_DEVICE_REMOVED). This is most often caused by a timeout occurring on the GPU. Please visit https://aka.ms/tfdmltimeout for more information and troubleshooting steps."],
        ["https://github.com/microsoft/DirectML/issues/550 (torch_directml)", "RuntimeError: The GPU device instance has been suspended. Use GetDeviceRemovedReason to determine the appropriate action."],
        ["https://github.com/microsoft/onnxruntime/issues/22700 (DML execution provider)", "[ONNXRuntimeError] : 1 : FAIL : D:\\a\\_work\\1\\s\\onnxruntime\\core\\providers\\dml\\DmlExecutionProvider\\src\\ExecutionProvider.cpp(962)\\onnxruntime_pybind11_state.pyd!00007FFABA30B0B1: (caller: 00007FFABA30B740) Exception(3) tid(5a68) 887A0005 The GPU device instance has been suspended. Use GetDeviceRemovedReason to determine the appropriate action."],
      ],
      nearMiss: [
        // Other Vulkan results: an out-of-date swapchain is an ordinary resize (sbox-issues#4624).
        ["2024/01/28 15:42:38.4123\t[engine/RenderSystem] CSwapChainVulkan::SwapBuffers vkAcquireNextImageKHR - completed result = VK_ERROR_OUT_OF_DATE_KHR\t", null],
        ["2025-09-11 22:10:06 [50,010ms] [Error] [carb.graphics-vulkan.plugin] VkResult: ERROR_OUT_OF_DATE_KHR", null],
        // DirectML's other messages: a pull request's prose about removal, TensorFlow's allocator notice.
        ["Device hung errors should allow the user to fallback instead of crashing the process.", null],
        ["2023-05-29 10:58:06.403006: W tensorflow/core/common_runtime/pluggable_device/pluggable_device_bfc_allocator.cc:37] Ignoring the value of TF_FORCE_GPU_ALLOW_GROWTH because force_memory_growth was requested by the device.", null],
        // Identifiers that contain the name.
        ["void onErrorDeviceLostCallback(VkDevice device);", null],
      ],
    },
    {
      // Habana's SynapseAI returning an error status for a graph (compile or launch): the HPU's kernel
      // error. Memory statuses are left to the OOM rules.
      rule: "cuda_hpu_synapse_status",
      real: [
        ["crash-corpus zf optimum-habana-1426, https://github.com/huggingface/optimum-habana/issues/1426", "[rank2]: RuntimeError: Graph compile failed. synStatus=synStatus 26 [Generic failure]."],
        ["crash-corpus zf optimum-habana-1426", "Check $HABANA_LOGS/ for detailsGraph compile failed. synStatus=synStatus 26 [Generic failure]."],
        ["https://github.com/huggingface/optimum-habana/issues/1012", "RuntimeError: Graph compile failed. synStatus=synStatus 26 [Generic failure]."],
      ],
      nearMiss: [
        // Java/JS code in public repositories (find_string) with the same words.
        ["          this.form.synStatus=synStatus;", null],
        ["\t    this.synStatus=synStatus;", null],
      ],
    },
    {
      // bash's job report for a killed command, with macOS' signal description (`Killed: 9`, strsignal
      // on BSD) as well as Linux's (`Killed`).
      rule: "killed_shell_report",
      real: [
        ["crash-corpus ze rl-swarm-303, https://github.com/gensyn-ai/rl-swarm/issues/303 (macOS, glued after tqdm's bar)", " 85%|████████████████████████████████████████████████████████████████▌           | 17/20 [13:46<03:05, 61.82s/it]./run_rl_swarm.sh: line 266: 33498 Killed: 9               python -m hivemind_exp.gsm8k.train_single_gpu --hf_token \"$HUGGINGFACE_ACCESS_TOKEN\""],
        ["crash-corpus vulchecker-8 (Linux)", "model_train_demo.sh: line 5:  1921 Killed                  hector feature_stats --indexes ~/dataset/CWE190/indexes-190.json --depth-limit 40"],
        ["crash-corpus opennmt-py-1824 (Linux)", "run.sh: line 66: 777016 Killed                  CUDA_VISIBLE_DEVICES=$gpu python train.py"],
      ],
      nearMiss: [
        // Other signals keep their rules; prose about a line that was killed is no report.
        ["./run_rl_swarm.sh: line 266: 33498 Segmentation fault: 11  python -m train", "segfault_shell"],
        ["./run.sh: line 12: 4242 Killed: 9x", null],
        ["see line 266: 33498 Killedby was renamed", null],
      ],
    },
    {
      // A pool's worker that died without raising, as the pool reports it: Python's ProcessPoolExecutor
      // (both wordings of BrokenProcessPool), joblib/loky's TerminatedWorkerError, dask's KilledWorker
      // (the task killed its worker on every retry; old tuple form and new sentence). Most often a
      // memory kill; a native crash reported beside it says more (cause -2, like Ray's vanished worker).
      rule: "killed_pool_worker_died",
      real: [
        ["https://github.com/ma-compbio/Hyper-SAGNN/issues/4", "concurrent.futures.process.BrokenProcessPool: A process in the process pool was terminated abruptly while the future was running or pending."],
        ["https://github.com/LorenFrankLab/spyglass/issues/153 (IPython)", "BrokenProcessPool: A process in the process pool was terminated abruptly while the future was running or pending"],
        ["https://github.com/epam/ai-dial-rag/issues/11 (a worker's OOM)", "`BrokenProcessPool: A child process terminated abruptly, the process pool is not usable anymore`"],
        ["crash-corpus t so-vits-svc-fork-234", "joblib.externals.loky.process_executor.TerminatedWorkerError: A worker process managed by the executor was unexpectedly terminated. This could be caused by a segmentation fault while calling the function or by an excessive memory usage causing the Operating System to kill the worker."],
        ["https://github.com/coiled/benchmarks/pull/1308", "> FAILED tests/tpch/test_correctness.py::test_dask_results[9] - distributed.scheduler.KilledWorker: Attempted to run task ('readparquet-fused-chunk-03c3a346f7973a36c8db77225bf8e915', 1) on 4 different workers, but all those workers died while running it. The last worker that attempt to run the task was tcp://127.0.0.1:33209."],
        ["https://github.com/dask/distributed/issues/5293 (the older tuple form)", "distributed.scheduler.KilledWorker: ('dask_handle_action-4a06b355f7a37ba7d3bd220335831392', <WorkerState 'tcp://10.232.46.54:40203', name: tcp://10.232.46.54:40203, memory: 0, processing: 6>)"],
      ],
      nearMiss: [
        // The class named in code and prose (dask#2694, dask#5234's title), the exit-code line loky prints
        // next (its signal has its own rules).
        ["    except BrokenProcessPool:", null],
        ["It seems there are 2 ways that workers can return `KilledWorker` (please let me know if there are any more)", null],
        ["KilledWorker Exception based on executing tasks, not processing.", null],
        ["The exit codes of the workers are {SIGSEGV(-11)}", "segfault_signal"],
      ],
    },
    {
      // The CUDA runtime's error strings as other tools print them, without torch's `CUDA error:` prefix: a
      // glog check on a CUDA call with its numeric code (Caffe, Caffe2, mshadow: `Check failed: error ==
      // cudaSuccess (8 vs. 0)  <string>`), darknet's `CUDA Error[ Prev]: <string>`, old Caffe's `Cuda kernel
      // failed. Error: <string>`, the common `cudaCheckError() failed : <string>` macro. Out of memory and
      // driver mismatches keep their rules (earlier in the file).
      rule: "cuda_error_generic",
      real: [
        ["https://github.com/AlexeyAB/darknet/issues/8652", " CUDA Error: invalid device function"],
        ["https://github.com/AlexeyAB/darknet/issues/700", "CUDA Error: invalid device function: No error"],
        ["https://github.com/digitalbrain79/pyyolo/issues/15", "CUDA Error: invalid device function"],
        ["https://github.com/BVLC/caffe/issues/138", "F0221 16:54:21.855986 11564 im2col.cu:49] Cuda kernel failed. Error: invalid device function "],
        ["https://github.com/DayBreak-u/Thundernet_Pytorch/issues/46 (title)", "cudaCheckError() failed : invalid device function"],
      ],
      nearMiss: [
        // The same forms for an OOM, a driver mismatch and a missing GPU keep their rules (darknet's own
        // lines, crash-corpus x-ron-4 and darknet-1090); darknet's location header names no error.
        ["CUDA Error: out of memory", "cuda_oom_other_runtimes"],
        // The glog check on a CUDA call with its numeric code is the CHECK status family's since the twenty-second round
        // (one owner, rules.json's cuda_error_library_check / cuda_oom_library_check), whatever string follows it.
        ["F1127 10:48:39.644999 18156 im2col.cu:59] Check failed: error == cudaSuccess (8 vs. 0)  invalid device function", "cuda_error_library_check"],
        ["F1208 15:16:46.872542 15643 pooling_layer.cu:212] Check failed: error == cudaSuccess (8 vs. 0)  invalid device function", "cuda_error_library_check"],
        ["Check failed: error == cudaSuccess (2 vs. 0)  out of memory", "cuda_oom_library_check"],
        ["CUDA Error: CUDA driver version is insufficient for CUDA runtime version", "cuda_driver_mismatch"],
        ["CUDA status Error: file: ./src/blas_kernels.cu : () : line: 741 : build time: Sep  1 2022 - 20:13:02", null],
        ["Check failed: error == cudaSuccess", null],
      ],
    },
    {
      // The CUDA driver stack unusable in torch's words when it counts devices (`Unexpected error from
      // cudaGetDeviceCount() ... Error 80N: ...`: 802 fabric manager not running, 803 driver and runtime
      // that do not fit, 804 forward compatibility on a GPU without it), beside the older driver-mismatch
      // lines; the same text as torch's `CUDA initialization:` warning is a fallback to the CPU, no crash.
      rule: "cuda_driver_mismatch",
      real: [
        ["https://github.com/PKU-YuanGroup/Video-LLaVA/issues/22", "RuntimeError: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions before calling NumCudaDevices() that might have already set an error? Error 804: forward compatibility was attempted on non supported HW"],
        ["https://github.com/gpustack/gpustack/issues/1540 (vLLM's engine)", "ERROR 03-26 05:25:01 engine.py:389] Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions before calling NumCudaDevices() that might have already set an error? Error 804: forward compatibility was attempted on non supported HW"],
        ["https://github.com/chenfei-wu/TaskMatrix/issues/379 (the message wrapped)", "already set an error? Error 804: forward compatibility was attempted on non supported HW"],
      ],
      nearMiss: [
        // torch's warning with the same text (it goes on without CUDA; autodistill-sam-clip#3, ColossalAI#4381).
        ["CUDA initialization: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions before calling NumCudaDevices() that might have already set an error? Error 804: forward compatibility was attempted on non supported HW (Triggered internally at ../c10/cuda/CUDAFunctions.cpp:108.)", null],
        ["  /opt/conda/lib/python3.9/site-packages/torch/cuda/__init__.py:83: UserWarning: CUDA initialization: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions before calling NumCudaDevices() that might have already set an error? Error 804: forward compatibility was attempted on non supported HW (Triggered internally at  /opt/conda/conda-bld/pytorch_1659484809662/work/c10/cuda/CUDAFunctions.cpp:109.)", null],
        // NVML's version mismatch is often only nvidia-smi or a monitoring thread failing while training
        // runs on (tensorpack#1244, StatCan/aaw#1581): not read.
        ["Failed to initialize NVML: Driver/library version mismatch", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("eleventh round (B): whole texts", () => {
  // Every ze/zf miss of these families, scanned whole: the category and the rule that names it.
  const cases: [string, string, string][] = [
    ["cuda_error/isaacgymenvs-79-physx-gpu-kernels-fail-to-launch.log", "cuda_error", "cuda_physx_gpu_error"],
    ["cuda_error/isaaclab-1460-rl-env-physx-narrowphase-failed-700.log", "cuda_error", "cuda_physx_gpu_error"],
    ["cuda_error/omniisaacgymenvs-11-physx-gpu-solver-fail-to-launch-kernel.log", "cuda_error", "cuda_physx_gpu_error"],
    ["cuda_oom/walk-these-ways-20-physx-gpu-memory-allocator-fail.log", "cuda_oom", "cuda_oom_other_runtimes"],
    ["gpu_hardware/genie-sim-70-isaac-sim-vulkan-gpu-crash-device-lost.log", "gpu_hardware", "gpu_device_lost"],
    ["gpu_hardware/isaacsim-431-headless-container-error-device-lost-gpu-crash.log", "gpu_hardware", "gpu_device_lost"],
    ["cuda_error/optimum-habana-1426-bloomz-finetune-gaudi2-graph-compile-failed.log", "cuda_error", "cuda_hpu_synapse_status"],
    ["process_killed/rl-swarm-303-grpo-mac-run-script-killed-9.log", "process_killed", "killed_shell_report"],
    ["cuda_error/graphvite-67-node2vec-solver-illegal-memory-access.log", "cuda_error", "cuda_illegal_address"],
  ];
  for (const [file, category, ruleId] of cases) {
    test(`${file}: ${category} (${ruleId})`, async () => {
      assert.deepEqual(await primaryOf(path.basename(file), corpus(file)), { category, ruleId });
    });
  }

  test("a CUDA kernel fault reported after a NaN loss is the cause (CUDA reports kernel faults asynchronously)", async () => {
    // graphvite#67's shape: the NaN printed first, then the fault at the next synchronisation.
    const nanThenFault = ["Batch id: 0 / 7122", "loss = -nan", "", "RuntimeError: CUDA error: an illegal memory access was encountered", "CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect."];
    assert.deepEqual(await primaryOf("nan-then-fault.log", `${nanThenFault.join("\n")}\n`), { category: "cuda_error", ruleId: "cuda_illegal_address" });
    const nanThenLaunch = ["epoch 3 | loss: nan", "RuntimeError: CUDA error: unspecified launch failure"];
    assert.deepEqual(await primaryOf("nan-then-launch.log", `${nanThenLaunch.join("\n")}\n`), { category: "cuda_error", ruleId: "cuda_launch_failure" });
  });

  test("a log that ends in a pool's broken-pool traceback is a kill; a native crash reported beside it is the segfault", async () => {
    // cdbexplore#19's traceback, verbatim.
    const tb = [
      "Traceback (most recent call last):",
      '  File "/home/rn/git/cdbexplore/cdbbulksearch.py", line 153, in <module>',
      "    print(f.result(), flush=True)",
      '  File "/usr/lib/python3.10/concurrent/futures/_base.py", line 458, in result',
      "    return self.__get_result()",
      '  File "/usr/lib/python3.10/concurrent/futures/_base.py", line 403, in __get_result',
      "    raise self._exception",
      "concurrent.futures.process.BrokenProcessPool: A process in the process pool was terminated abruptly while the future was running or pending.",
    ];
    assert.deepEqual(await primaryOf("broken-pool.log", `${tb.join("\n")}\n`), { category: "process_killed", ruleId: "killed_pool_worker_died" });
    // so-vits-svc-fork-234 (tune): loky's notice and its SIGKILL exit codes.
    assert.deepEqual(await primaryOf("loky.log", corpus("process_killed/so-vits-svc-fork-234-joblib-terminated-worker-sigkill.log")), { category: "process_killed", ruleId: "killed_pool_worker_died" });
    // Constructed: the same traceback after the worker's own segfault report.
    assert.equal((await primaryOf("pool-segv.log", `Fatal Python error: Segmentation fault\n\n${tb.join("\n")}\n`))?.category, "segfault");
  });

  test("NCCL's own plugin loader failing to find its optional libnccl-net.so at start-up is healthy, not an import error", async () => {
    // NCCL 2.19+ with NCCL_DEBUG=INFO: three public repositories' logs (find_string) print these lines on a
    // healthy start, then go on with the internal network plugin.
    const startup = [
      "fsdp-worker-1:73:73 [0] NCCL INFO Bootstrap : Using eth0:192.168.1.136<0>",
      "fsdp-worker-1:73:73 [0] NCCL INFO NET/Plugin: No plugin found (libnccl-net.so)",
      "fsdp-worker-1:73:73 [0] NCCL INFO NET/Plugin: Plugin load returned 2 : libnccl-net.so: cannot open shared object file: No such file or directory : when loading libnccl-net.so",
      "fsdp-worker-1:73:73 [0] NCCL INFO NET/Plugin: Using internal network plugin.",
    ];
    assert.equal(await primaryOf("nccl-plugin.log", `${startup.join("\n")}\n`), null);
    assert.equal(classifyLine(rules, "deepseek-v2-5-0:5969:5969 [0] NCCL INFO NET/Plugin: Plugin load returned 2 : libnccl-net.so: cannot open shared object file: No such file or directory : when loading libnccl-net.so"), null);
    // A library the program itself needs is still an import error.
    assert.equal(classifyLine(rules, "ImportError: libcudnn.so.8: cannot open shared object file: No such file or directory")?.rule.id, "import_native_library");
  });

  test("NCCL's proxy service thread closing its connections at teardown is no lost peer", async () => {
    // NCCL_DEBUG=INFO at the end of healthy runs (two public repositories' logs, find_string): an all-reduce
    // benchmark that printed its answer, a three-rank test that printed `ok`, then the teardown.
    const benchmark = [
      "answer: 7864320.0",
      "lsp-ws1:7650:7729 [0] NCCL INFO [Service thread] Connection closed by localRank 0",
      "lsp-ws1:7655:7655 [0] NCCL INFO comm 0x4d2d12d0 rank 5 nranks 16 cudaDev 5 busId 92000 - Abort COMPLETE",
      "lsp-ws1:7650:7650 [0] NCCL INFO comm 0x37c6a330 rank 0 nranks 16 cudaDev 0 busId 4b000 - Abort COMPLETE",
    ];
    assert.equal(await primaryOf("nccl-teardown.log", `${benchmark.join("\n")}\n`), null);
    const threeRanks = ["rank 0/3 ok val=3.0 (expect 3)", "", "node0:4744:4765 [0] NCCL INFO [Service thread] Connection closed by localRank 0", "node0:4744:4770 [0] NCCL INFO comm 0x43dc13b0 rank 0 nranks 3 cudaDev 0 busId 80 - Abort COMPLETE"];
    assert.equal(await primaryOf("nccl-teardown-2.log", `${threeRanks.join("\n")}\n`), null);
    // A peer's socket closed under a collective is still the symptom (crash-corpus a nccl-tests-166).
    assert.equal(classifyLine(rules, "gpu004:2200689:2200706 [3] misc/socket.cc:49 NCCL WARN socketProgress: Connection closed by remote peer gpu004.ds-a4-r02.abc.com<55693>")?.rule.id, "nccl_peer_connection_closed");
  });

  test("RCCL's host-tuning advice at init (NUMA balancing, iommu=pt) is no collective failure", async () => {
    // A healthy vLLM-on-ROCm start and an rccl-tests run in public repositories (find_string); RCCL's docs
    // and a benchmark note call these performance advice ("can add jitter"). The iommu line's text is
    // RCCL's init.cc (the public log that shows it was cut after `Missing "io`).
    const start = [
      "node01:5646:5646 [0] /data/jenkins_workspace/workspace/rccl_release/build/hipify/src/init.cc:115 NCCL WARN NUMA auto balancing enabled which can lead to variability in the RCCL performance! Disable by \"sudo sysctl kernel.numa_balancing=0\"",
      "node01:5646:5646 [0] NCCL INFO Kernel version: 4.18.0-305.3.1.el8.x86_64",
      "",
      "node01:5646:5646 [0] /data/jenkins_workspace/workspace/rccl_release/build/hipify/src/init.cc:136 NCCL WARN Missing \"iommu=pt\" from kernel command line which can lead to system instablity or hang!",
    ];
    assert.equal(await primaryOf("rccl-start.log", `${start.join("\n")}\n`), null);
    assert.equal(classifyLine(rules, "(EngineCore_DP0 pid=742) (RayWorkerWrapper pid=927) [2025-11-12 11:11:57] corona:927:927 [0] /longer_pathname_so_that_rpms_can_support_packaging_the_debug_info_for_all_os_profiles/src/out/ubuntu-22.04/22.04/build/rccl/hipify/src/init.cc:140 NCCL WARN NUMA auto balancing enabled which can lead to variability in the RCCL performance! Disable by \"sudo sysctl kernel.numa_balancing=0\""), null);
    // Other NCCL warnings stay the symptom they were (crash-corpus a nccl-1129).
    assert.equal(classifyLine(rules, "misc/ibvwrap.cc:280 NCCL WARN Call to ibv_create_qp failed")?.rule.id, "nccl_warn_other");
  });

  test("TensorFlow's failed cuInit probe (it goes on without a GPU) is no CUDA error; a fatal check on the same code is", async () => {
    // TensorFlow logs the probe at E level and places the graph on the CPU (FPN_Tensorflow#91: "the model trains
    // on the CPU"); reward-learning-rl#15 and FPN_Tensorflow#146 show the line.
    assert.equal(classifyLine(rules, "Error: (pid=3343) 2019-08-13 11:02:51.856630: E tensorflow/stream_executor/cuda/cuda_driver.cc:300] failed call to cuInit: CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected"), null);
    assert.equal(classifyLine(rules, "2020-12-29 10:10:44.476602: E tensorflow/stream_executor/cuda/cuda_driver.cc:318] failed call to cuInit: CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected"), null);
    // Caffe's fatal check on the same condition (ethanhe42/channel-pruning#89) ends the process.
    assert.equal(classifyLine(rules, "F0303 09:50:12.085932 3744 common.cpp:152] Check failed: error == cudaSuccess (38 vs. 0) no CUDA-capable device is detected")?.rule.id, "cuda_driver_mismatch");
  });

  test("a NaN loss followed by a device-side assert stays a NaN run (NaN inputs trip kernels' asserts)", async () => {
    const nanThenAssert = ["epoch 3 | loss: nan", "/pytorch/aten/src/ATen/native/cuda/Loss.cu:106: operator(): block: [0,0,0], thread: [0,0,0] Assertion `input_val >= zero && input_val <= one` failed.", "RuntimeError: CUDA error: device-side assert triggered"];
    assert.equal((await primaryOf("nan-then-assert.log", `${nanThenAssert.join("\n")}\n`))?.category, "nan_loss");
  });
});
