/**
 * Eighteenth rules round, second part (tune collection zy: GPU training off the Linux+CUDA path, ROCm/HIP, Intel,
 * Habana Gaudi, Ascend, DirectML, Jetson, WSL): Habana's fatal error records and its device-memory allocator, CANN's
 * runtime error records (EExxxx) and HCCL's fftsplus task timeout, nccl-tests' own failure line, pytorch-directml's
 * CHECK on an HRESULT, Jetson's GPU driver failing to power the GPU on and WSL's GPU driver crashing the guest kernel
 * (docs/crash-accuracy.md, "Eighteenth round, second part", items 240-244).
 * Real lines name where they come from (`find_string` hits are public repositories the tool does not name, cited by
 * hit id); near misses must not be the rule (null: no rule at all); whole texts check the primary choice.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-eighteenth-round-zy-");

describe("eighteenth round, zy: rule families", () => {
  const families: Family[] = [
    {
      // Habana's logger (synapse_logger) records a fatal error as `[Rank:N] FATAL ERROR :: MODULE:<module> <what>`
      // (find_string hit 66690357553 is the macro that prints it); the bridge then raises it as c10::Error/RuntimeError.
      rule: "cuda_hpu_fatal_error",
      real: [
        ["crash-corpus zy optimumhabana-pr1038, https://github.com/huggingface/optimum-habana/pull/1038", "  what():  [Rank:0] FATAL ERROR :: MODULE:PT_DEVICE GRAPH:: Capture must end on the same stream it began on."],
        ["crash-corpus optimum-habana-1426 (tune), https://github.com/huggingface/optimum-habana/issues/1426", "[rank6]: RuntimeError: [Rank:6] FATAL ERROR :: MODULE:PT_BRIDGE Exception in Launch thread..."],
        ["find_string hit 60013763179 (a Gaudi vLLM deployment's notes: prompt warm-up)", "RuntimeError: [Rank:0] FATAL ERROR :: MODULE:PT_LAZY Error,"],
        ["find_string hit 48978063391 (a graph-classification example on Gaudi)", "RuntimeError: [Rank:0] FATAL ERROR :: MODULE:PT_BRIDGE Exception in Lowering thread..."],
        ["find_string hit 48978063391", "[Rank:0] FATAL ERROR :: MODULE:PT_EAGER HabanaLaunchOpPT Run returned exception...."],
      ],
      nearMiss: [
        // Habana's device-memory allocator failing is the HPU's out of memory (the next family).
        ["RuntimeError: [Rank:0] FATAL ERROR :: MODULE:PT_DEVMEM Allocation failed for size::939524096 (896)MB", "cuda_oom_generic"],
        // The line the bridge adds after the record names the call, not the failure.
        ["[Rank:0] Habana exception raised from mark_step at HPUGraph.cpp:138", null],
        // find_string hit 66690357553: the logger's source text, no module name after the colon.
        ['            "FATAL ERROR :: MODULE:",                                          \\', null],
      ],
    },
    {
      rule: "cuda_oom_generic",
      real: [
        ["find_string hits 2953215113, 9041482689, 70922333426 (vLLM on Gaudi: calibration and troubleshooting notes)", "RuntimeError: [Rank:0] FATAL ERROR :: MODULE:PT_DEVMEM Allocation failed for size::939524096 (896)MB"],
        ["find_string hit 64968190 (DeepSpeed's HPU memory notes: 'a OOM error from HPU SW stack')", "FATAL ERROR :: MODULE:DEVMEM Allocation failed for size::40960000 (39.0625)MB"],
      ],
      nearMiss: [
        ["RuntimeError: FATAL ERROR :: MODULE:BRIDGE Exception in Launch thread...", "cuda_hpu_fatal_error"],
      ],
    },
    {
      // CANN's runtime error records: the code (EE: the runtime module), the process, the time stamp, the message.
      rule: "cuda_npu_runtime_error",
      real: [
        ["crash-corpus zy vllmascend-1007, https://github.com/vllm-project/vllm-ascend/issues/1007", "(NPURayWorkerWrapper pid=21122) ERROR 05-30 09:16:50 worker_base.py:581] EE1001: [PID: 21122] 2025-05-30-09:16:47.275.008 The argument is invalid.Reason: Memory async failed, src loc type=1, dst loc type=1, kind=1 is invalid!"],
        ["find_string hit 55887240917 (a vLLM-Ascend engine core, the same copy kind)", "ERROR 05-13 09:39:22 core.py:291] EE1001: [PID: 1850] 2025-05-13-09:39:22.216.023 The argument is invalid.Reason: Memory async failed, src loc type=1, dst loc type=1, kind=1 is invalid!"],
        ["find_string hit 55807691416 (a vLLM-Ascend worker synchronising a captured stream)", "(VllmWorker TP2 pid=102322) ERROR 08-27 01:44:46 [multiproc_executor.py:602] EE9999: [PID: 102322] 2025-08-27-01:44:46.558.672 Not allow to synchronize captured-stream, stream_id=9.[FUNC:StreamSynchronize][FILE:api_error.cc][LINE:960]"],
        ["find_string hit 48236290802 (an Ascend porting FAQ: a stream destroyed from another context)", "EE9999: [PID: 65276] 2025-04-27-08:22:06.816.143 Stream destroy failed, stream is not in current ctx, stream_id=2.[FUNC:StreamDestroy][FILE:api_impl.cc][LINE:1096]"],
        ["find_string hit 66583302522 (the code before the PID, newer CANN)", "EE9999[PID: 697] 2026-05-21-12:39:23.687.932 (EE9999):  rtStreamSynchronizeWithTimeout execution failed, reason=vector core exception[FUNC:FuncErrorReason][FILE:error_message_manage.cc][LINE:65]"],
      ],
      nearMiss: [
        // The header CANN prints before the record: the record says what failed.
        ["EE9999: Inner Error!", null],
        // CANN's plog line naming the module of a report (find_string hit 54204427104, CANN's troubleshooting page).
        ["[ERROR] RUNTIME(291088,python3):2024-01-29-19:2856.519.792 [api_error.cc:963]291577 MemcpyAsyncCheckKindAndLocation:[EXEC][EXEC]report error module_name=EE1001", null],
        // A stream synchronisation that timed out keeps its timeout rule (studied fresh8 zg ascend-pytorch-48).
        ["EE1002: 2024-09-03-16:50:00.041.231 Stream synchronize timeout. rtDeviceSynchronize execute failed, reason=[stream sync timeout]", "timeout_npu_stream_sync"],
        // HCCL's codes (EI) are the collective library's (crash-corpus zy vllmascend-3413).
        ["EI0002: [PID: 2969] 2025-10-11-15:09:34.713.335 The wait execution of the Notify register times out. Reason: The Notify register has not received the Notify record from remote rank: [", "nccl_hccl_timeout"],
      ],
    },
    {
      // HCCL's fftsplus task timeout: the device reports a collective's task stuck on a notify (HCCL_EXEC_TIMEOUT), the
      // same wait as EI0002's. CANN's runtime prints it under the HCCL module (find_string hit 55755375522:
      // RT_LOG_CALL_MSG(ERR_MODULE_HCCL, "... hccl fftsplus task timeout occurred during task execution ...")).
      rule: "nccl_hccl_timeout",
      real: [
        ["crash-corpus zy ascendpytorch-54, https://github.com/Ascend/pytorch/issues/54", "EI9999: 2024-10-21-10:42:00.358.410  The error from device(chipId:3, dieId:0), serial number is 9, hccl fftsplus task timeout occurred during task execution, stream_id:5, sq_id:5, task_id:38827, stuck notify num:1, timeout:30min(default).[FUNC:ProcessStarsHcclFftsPlusTimeoutErrorInfo][FILE:device_er"],
        ["find_string hit 69598353532 (a multi-node job's worker-1)", "worker-1: EI9999: 2024-07-03-11:28:40.419.527  The error from device(chipId:0, dieId:0), serial number is 1, hccl fftsplus task timeout occurred during task execution, stream_id:4, sq_id:4, task_id:5, stuck notify num:7, timeout:1836.[FUNC:ProcessStarsHcclFftsPlusTimeoutErrorInfo][FILE:device_error_proc.cc][LINE:1389]"],
      ],
      nearMiss: [
        // find_string hit 69694841410: a project digest naming the error in prose, no error code.
        ["*   **长时间运行崩溃问题 (#16654, #16652)**：在 Atlas 800 A3（2节点 P/D 分离架构）和 A2（双机混部架构）上部署 GLM-5.2（W8A8C8 量化）时，运行 3-8 小时后分别出现 `fftsplus aicore error` 和 `hccl fftsplus task timeout`，最终导致 EngineCore 异常退出。", null],
        // find_string hit 56033236199: the runtime's table of task-scheduler errors (a non-HCCL fftsplus task).
        ['    {TS_ERROR_FFTSPLUS_TASK_TIMEOUT, RT_ERROR_TSFW_FFTS_PLUS_TIMEOUT, ERR_MODULE_RTS, "fftsplus task timeout"},', null],
      ],
    },
    {
      // nccl-tests / rccl-tests: the harness's NCCLCHECK prints `<host>: Test NCCL failure <file>:<line> '<ncclGetErrorString> / <last error>'`
      // (find_string hits 1814710576, 27581247259: the macro), whatever NCCL said.
      rule: "nccl_tests_failure",
      real: [
        ["crash-corpus zy rccltests-50, https://github.com/ROCm/rccl-tests/issues/50", "sharbox-ultra: Test NCCL failure common.cu:1285 'internal error - please report this issue to the NCCL developers'"],
        ["find_string hit 36300798708 (a supercomputer centre's NCCL page: the network plugin not found)", "    nid006352: Test NCCL failure common.cu:958 'invalid usage (run with NCCL_DEBUG=WARN for details)"],
      ],
      nearMiss: [
        // NCCL's own texts that a rule reads keep it (studied fresh7 zb nccl-tests-322; find_string hit 69430145926, rccl).
        ["HCA-14: Test NCCL failure common.cu:1204 'unhandled cuda error (run with NCCL_DEBUG=INFO for details) / '", "nccl_cuda_error"],
        ["catalyst-convoy: Test NCCL failure common.cu:1285 'unhandled cuda error'", "nccl_cuda_error"],
        // The harness's second line, and the macro's source text.
        [" .. sharbox-ultra pid 117738: Test failure common.cu:1161", null],
        ["    printf(\"Test NCCL failure %s:%d '%s'\\n\",        \\", null],
      ],
    },
    {
      // pytorch-directml checks each DirectML / D3D12 call's HRESULT with protobuf's CHECK (caffe2/dml/*.cc).
      rule: "cuda_dml_hresult_check",
      real: [
        ["crash-corpus zy directml-169, https://github.com/microsoft/DirectML/issues/169", "[libprotobuf FATAL D:\\a\\_work\\1\\s\\caffe2\\dml\\dml_command_recorder.cc:361] CHECK failed: ((((HRESULT)((current_command_list_->Close()))) >= 0)) == (true):"],
        ["https://github.com/microsoft/DirectML/issues/261", "[libprotobuf FATAL D:\\a\\_work\\1\\s\\pytorch-directml\\caffe2\\dml\\dml_operator.cc:116] CHECK failed: ((((HRESULT)((backend_->dml_device->CreateOperator(&op_desc_, __uuidof(**(&op)), IID_PPV_ARGS_Helper(&op))))) >= 0)) == (true):"],
        ["https://github.com/microsoft/DirectML/issues/261", "RuntimeError: CHECK failed: ((((HRESULT)((backend_->dml_device->CreateOperator(&op_desc_, __uuidof(**(&op)), IID_PPV_ARGS_Helper(&op))))) >= 0)) == (true):"],
        ["https://github.com/microsoft/DirectML/issues/328 (description)", "CHECK failed: ((((HRESULT)((backend_->dml_device->CreateOperator(&op_desc_, __uuidof(**(&op)), IID_PPV_ARGS_Helper(&op))))) >= 0)) == (true)"],
      ],
      nearMiss: [
        // The device removed (https://github.com/microsoft/DirectML/issues/287) keeps gpu_device_lost.
        ["[libprotobuf FATAL D:\\a\\_work\\1\\s\\pytorch-directml\\caffe2\\dml\\dml_command_recorder.cc:392] CHECK failed: ((((HRESULT)((dml_device_->GetDeviceRemovedReason()))) >= 0)) == (true):", "gpu_device_lost"],
        // protobuf's own CHECK on a message (https://github.com/ruotianluo/pytorch-faster-rcnn/issues/16): no HRESULT.
        ["libprotobuf FATAL google/protobuf/wire_format.cc:830] CHECK failed: (output->ByteCount()) == (expected_endpoint): : Protocol message serialized to a size different from what was originally expected.  Perhaps it was modified by another thread during serialization?", null],
      ],
    },
    {
      // Jetson's integrated-GPU driver (nvgpu) failing to power the GPU on: no GPU device for CUDA after it.
      rule: "gpu_accelerator_fault",
      real: [
        ["crash-corpus zy metategra-1613, https://github.com/OE4T/meta-tegra/issues/1613", "Jul 10 16:36:36 jetson-agx-orin-devkit kernel: nvgpu: 17000000.gpu            nvgpu_finalize_poweron:1095 [ERR]  Failed initialization for: g->ops.cbc.cbc_init_support"],
        ["find_string hit 66426830937 (a Jetson container toolkit's notes: the ACR firmware did not boot)", "nvgpu: nvgpu_finalize_poweron:1287 [ERR]  Failed initialization for: g->ops.acr.acr_construct_execute"],
        ["find_string hit 51776675421 (a Talos Jetson image's notes: the PMU firmware could not be read)", "nvgpu: nvgpu_finalize_poweron:1096 [ERR] Failed initialization"],
        ["find_string hit 61105510675 (an Orin ROS setup's notes: NO GPU DETECTED)", "nvgpu: 17000000.gpu nvgpu_finalize_poweron: Failed initialization for: g->ops.acr.acr_construct_execute"],
      ],
      nearMiss: [
        // The steps before it: an informational DMA failure and a unit's error, which the driver may survive.
        ["Jul 10 16:36:36 jetson-agx-orin-devkit kernel: nvgpu: 17000000.gpu               nvgpu_dma_print_err:101  [INFO]  DMA alloc FAILED: [sysmem] size=257490944 aligned=257490944 flags:PHYSICALLY_ADDRESSED", null],
        ["Jul 10 16:36:36 jetson-agx-orin-devkit kernel: nvgpu: 17000000.gpu            nvgpu_cbc_init_support:91   [ERR]  Failed to allocate comptags", null],
        // find_string hit 1607425217: nvgpu's unit test text.
        ['\t\t\t\t "nvgpu_finalize_poweron returned failure\\n");', null],
      ],
    },
    {
      // WSL2's GPU paravirtualisation driver (dxgkrnl: its handle table, the VM bus packet handler) faulting in the guest kernel.
      rule: "gpu_wsl_dxgkrnl_fault",
      real: [
        ["crash-corpus zy wsl-10558, https://github.com/microsoft/WSL/issues/10558", "[   94.413216] RIP: 0010:hmgrtable_free_handle+0x91/0xa0"],
        ["https://github.com/microsoft/WSL/issues/10558 (first report: a CUDA event-handler thread)", "[14820.508794] RIP: 0010:hmgrtable_free_handle+0x91/0xa0"],
        ["https://github.com/microsoft/WSL/issues/7052 (CUDA unit tests; after dxgk:err: did not find packet to complete)", "[ 1728.363683] RIP: 0010:process_completion_packet"],
      ],
      nearMiss: [
        // dxgkrnl's error records that a running program prints through (https://github.com/microsoft/wslg/issues/424).
        ["[  568.678000] dxgk:err: hmgrtable_get_object_by_type invalid handle 40000080", null],
        ["[ 1728.344430] dxgk:err: did not find packet to complete", null],
        // The utility VM's fatal error alone names no driver (any guest panic).
        ["'417D5D8A-B284-4A60-A558-2890EEED33F7' has encountered a fatal error.  The guest operating system reported that it failed with the following error codes: ErrorCode0: 0x0, ErrorCode1: 0x0, ErrorCode2: 0x0, ErrorCode3: 0x0, ErrorCode4: 0x0.  PreOSId: 0.", null],
        // A kernel WARNING prints a RIP too: dxgkrnl's FORTIFY warning on every boot, the GPU working fine
        // (https://github.com/microsoft/WSL/issues/40580, a comment's trace; found by the reviewer, NOTES.md 22:25).
        ["[  792.229381] RIP: 0010:dxgvmb_send_wait_sync_object_gpu+0x271/0x290", null],
        // A frame of the call trace is not where it faulted (https://github.com/microsoft/WSL/issues/10345).
        ["[ 1351.970434]  dxgsyncobject_destroy+0x10f/0x180", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("eighteenth round, zy: whole excerpts", () => {
  const cases: [string, string, string][] = [
    ["cuda_error/zy-optimumhabana-pr1038-sdxl-train-gaudi1-hpugraph-capture-stream.log", "cuda_error", "cuda_hpu_fatal_error"],
    ["gpu_hardware/zy-metategra-1613-orin-nvgpu-dma-alloc-failed-poweron.log", "gpu_hardware", "gpu_accelerator_fault"],
    ["cuda_error/zy-vllmascend-1007-ray-worker-ee1001-memory-async-failed.log", "cuda_error", "cuda_npu_runtime_error"],
    ["gpu_hardware/zy-wsl-10558-guest-kernel-panic-hmgrtable-free-handle-python.log", "gpu_hardware", "gpu_wsl_dxgkrnl_fault"],
    ["nccl_error/zy-rccltests-50-mi210-all-reduce-perf-internal-error.log", "nccl_error", "nccl_tests_failure"],
    ["cuda_error/zy-directml-169-resnet50-train-dml-command-list-close-check-failed.log", "cuda_error", "cuda_dml_hresult_check"],
    ["nccl_error/zy-ascendpytorch-54-lmdeploy-broadcast-hccl-fftsplus-task-timeout.log", "nccl_error", "nccl_hccl_timeout"],
  ];
  for (const [file, category, ruleId] of cases) {
    test(`tune ${file.split("/")[1]!.replace(/\.log$/, "")}: ${category} by ${ruleId}`, async () => {
      assert.deepEqual(await primaryOf(file.split("/")[1]!, corpus(file)), { category, ruleId });
    });
  }

  test("at -1, an NPU out-of-memory in the same incident names the cause, not the runtime record before it", async () => {
    // Constructed from real lines: vllmascend-1007's record, then zy helios-62's EL0004 allocation failure.
    const text = [
      "EE1001: [PID: 21122] 2025-05-30-09:16:47.275.008 The argument is invalid.Reason: Memory async failed, src loc type=1, dst loc type=1, kind=1 is invalid!",
      "[PID: 210907] 2026-04-09-21:56:40.384.694 Memory_Allocation_Failure(EL0004): Failed to allocate memory requested by GE module.",
      "",
    ].join("\n");
    assert.equal((await primaryOf("ee-then-oom.log", text))?.category, "cuda_oom");
  });

  test("at -1, Habana's device-memory failure after the bridge's launch-thread record is the HPU's out of memory", async () => {
    // The two lines of DeepSpeed's HPU memory notes (find_string hit 64968190), in their order.
    const text = ["RuntimeError: FATAL ERROR :: MODULE:BRIDGE Exception in Launch thread...", "FATAL ERROR :: MODULE:DEVMEM Allocation failed for size::40960000 (39.0625)MB", ""].join("\n");
    assert.deepEqual(await primaryOf("hpu-devmem.log", text), { category: "cuda_oom", ruleId: "cuda_oom_generic" });
  });
});
