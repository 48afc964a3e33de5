/**
 * Ninth rules round (issue 10), role B: kills, disk, GPU and NPU faults, kernel errors of other
 * accelerators, and two engine fixes (an IPython traceback chain cut before its end; a scheduler's
 * notice that ends the job), from the misses of the tune collections z and za, widened to the family
 * each one belongs to (docs/crash-accuracy.md, "Ninth round"). Real lines name where they come from;
 * near misses must not be the rule (null: no rule at all); whole texts check the primary choice.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { loadRules } from "../agent/crash/rules.js";
import { parseExceptions } from "../agent/crash/traceback.js";
import { primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-ninth-round-b-");
const corpus = (file: string) => fs.readFileSync(path.join(import.meta.dirname, "fixtures/crash-corpus", file), "utf8");

describe("ninth round (B): rule families", () => {
  const families: Family[] = [
    {
      // The shell's report of a kill, wherever the killed process left its cursor: zsh's job report
      // (`[1]    PID killed     cmd`, lower case, padded) and bash's `Killed` glued to an unterminated
      // progress line (tqdm's `it/s]`, Keras' bar ending in a metric value).
      rule: "killed_shell_report",
      real: [
        ["crash-corpus z baichuan2-138, https://github.com/baichuan-inc/Baichuan2/issues/138", "Loading checkpoint shards:   0%|                                                                                                                                                      | 0/3 [00:00<?, ?it/s][1]    26478 killed     python test.py"],
        ["'22 trillion parameters in Python', a blog post's source in a public repository (find_string)", "[1]    220471 killed     python trillion.py"],
        ["a blog post on the GIL in a public repository (find_string): the report glued after the user's ^C", "^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C^C[2]    86736 killed     python -c \"print(0 in list(range(2**32))[::-1])\""],
        ["crash-corpus z keras-3476, https://github.com/keras-team/keras/issues/3476", "165376/296960 [===============>..............] - ETA: 365s - loss: 2.1371Killed"],
        ["crash-corpus a video-llava-13, https://github.com/PKU-YuanGroup/Video-LLaVA/issues/13", "Loading checkpoint shards:   0%|                                                                                                                              | 0/2 [00:00<?, ?it/s]Killed"],
        ["crash-corpus a simsg-3, https://github.com/he-dhamo/simsg/issues/3", "  6%|██████                                                                                               | 3787/62565 [04:47<1:10:53, 13.82it/s]Killed"],
      ],
      nearMiss: [
        // zsh's other job states, a citation, a status word after a colon, identifiers.
        ["[1]  + 26478 done       python test.py", null],
        ["[1]  + 26478 suspended  python test.py", null],
        ["[1] killed processes are reaped by init", null],
        ["Task status: Killed", null],
        ["if (proc.wasKilled) return", null],
      ],
    },
    {
      // A kernel failing on an Ascend NPU, as CANN's runtime reports it: an AI Core / AI CPU / vector
      // core exception or timeout (the NPU's CUDA kernel error), whatever the framework on top.
      rule: "cuda_npu_kernel_error",
      real: [
        ["crash-corpus za mindact-1752, https://github.com/candle-org/MindAct/issues/1752", "        Kernel task happen error, retCode=0x2a, [aicpu exception].[FUNC:PreCheckTaskErr][FILE:task_info.cc][LINE:1776][THREAD:123358]"],
        ["crash-corpus za mindact-1752", "        AICPU Kernel task happen error, retCode=0x2a.[FUNC:GetError][FILE:stream.cc][LINE:1512][THREAD:123358]"],
        ["crash-corpus za mindact-1752", "E39999: 2024-10-20-22:34:40.965.193  The error from device(chipId:0, dieId:0), serial number is 3, an exception occurred during AICPU execution, stream_id:2, task_id:19016, errcode:21008, msg:inner error.[FUNC:ProcessStarsAicpuErrorInfo][FILE:device_error_proc.cc][LINE:1232][THREAD:123358]"],
        ["crash-corpus za mindaudio-164, https://github.com/mindspore-lab/mindaudio/issues/164", "E39999  Aicpu kernel execute failed, device_id=0, stream_id=12, task_id=2.[FUNC:PrintAicpuErrorInfo][FILE:task.cc][LINE:747]"],
        ["https://github.com/vllm-project/vllm-ascend/issues/2763", "Kernel task happen error, retCode=0x31, [vector core exception].[FUNC:PreCheckTaskErr][FILE:davinci_kernel_task.cc][LINE:1539]"],
        ["https://github.com/vllm-project/vllm-ascend/issues/2763", "AIV Kernel happen error, retCode=0x31.[FUNC:GetError][FILE:stream.cc][LINE:1183]"],
        ["https://github.com/vllm-project/vllm-ascend/issues/4972", "        AICORE Kernel task happen error, retCode=0x25.[FUNC:GetError][FILE:stream.cc][LINE:1191]"],
        ["https://github.com/vllm-project/vllm-ascend/issues/4972", "        Aicore kernel execute failed, device_id=0, stream_id=2, report_stream_id=2, task_id=7267, flip_num=0, fault kernel_name=MoeDistributeDispatchV2_ND_ND_BF16_INT8_high_performance_2000001002, fault kernel info ext=none, program id=85, hash=6122622606017578243.[FUNC:GetError][FILE:stream.cc][LINE:1191]"],
        // torch_npu's exception for the same failures, by the ACL runtime's code (rt_error_codes.h:
        // 507014/507015 AI Core timeout/exception, 507017/507018 AI CPU, 507034/507035 vector core, 507048
        // the fftsplus task's timeout).
        ["https://github.com/vllm-project/vllm-ascend/issues/2763 (title)", "RuntimeError: ACL stream synchronize failed, error code:507035"],
        ["https://github.com/vllm-project/vllm-ascend/issues/1972 (title)", "RuntimeError: ACL stream synchronize failed, error code:507034"],
        ["https://github.com/vllm-project/vllm-ascend/issues/2800 (title)", "RuntimeError: operator():build/CMakeFiles/torch_npu.dir/compiler_depend.ts:47 NPU function error: c10_npu::acl::AclrtSynchronizeStreamWithTimeout(copy_stream), error code is 507048"],
        ["https://github.com/vllm-project/vllm-ascend/issues/1443 (title)", "RuntimeError: npuSynchronizeDevice:build/CMakeFiles/torch_npu.dir/compiler_depend.ts:479 NPU function error: AclrtSynchronizeDeviceWithTimeout, error code is 507048"],
        ["https://github.com/hw-native-sys/PTOAS/pull/482", "EZ9999[PID: 110830] 2026-04-15-11:19:38.491.647 (EZ9999):  The error from device(chipId:0, dieId:0), serial number is 11, there is an aicore error exception, core id is 0, error code = 95, dump info: pc start: 0x100040800008, current: 0x100040800188, sc error info: 0xffffffffffff, su error info: 0xfefffeec1efe9387,0x7fddfebff8007fff, mte error info: 0x22601000002005d, vec error info: 0, cube error info: 0, l1 error info: 0xffbf0017f6ee, aic error mask: 0x395856, para base: 0x100040200000, mte error: 0x80000000.[FUNC:ProcessDavidStarsCoreErrorInfo][FILE:device_error_proc_c.cc][LINE:580]"],
      ],
      nearMiss: [
        // CANN's generic headers say nothing by themselves (an OOM prints them too); the stream's
        // failure is the consequence line.
        ["E39999: Inner Error!", null],
        // Other ACL codes name no kernel fault: a host-side sync timeout, a model execute failure, a device
        // that did not start (Ascend/pytorch#62, vllm-ascend#7676, Ascend/samples#21).
        ["RuntimeError: npuSynchronizeDevice:torch_npu/csrc/core/npu/NPUStream.cpp:435 NPU function error: aclrtSynchronizeDevice, error code is 507046", null],
        ["RuntimeError: synchronize:build/CMakeFiles/torch_npu.dir/compiler_depend.ts:361 NPU function error: c10_npu::acl::AclrtSynchronizeStreamWithTimeout(stream()), error code is 507011", null],
        ["aclrtSetDevice: open device 0 failed, runtime result = 507033", null],
        ["[ERROR] RecentErrMsg: EZ9999: Inner Error!", null],
        ["        rtStreamSynchronize execute failed, reason=[the model stream execute failed][FUNC:FuncErrorReason][FILE:error_message_manage.cc][LINE:45]", null],
      ],
    },
    {
      // The NPU itself gone, in CANN's words: its heartbeat lost, the device absent or abnormal.
      rule: "gpu_accelerator_fault",
      real: [
        ["crash-corpus za vllm-ascend-8186, https://github.com/vllm-project/vllm-ascend/issues/8186", "        Device[1] lost heartbeat.[FUNC:SyncTask][FILE:direct_hwts_engine.cc][LINE:407]"],
        ["crash-corpus za vllm-ascend-8186", "        rtDeviceSynchronizeWithTimeout execution failed, reason=lost heartbeat[FUNC:FuncErrorReason][FILE:error_message_manage.cc][LINE:65]"],
        ["crash-corpus za vllm-ascend-8186", "[PID: 389] 2026-05-01-10:59:14.702.326 Device_Absent/Abnormal(EL0001): Device not found or invalid."],
        ["https://github.com/hw-native-sys/PTOAS/pull/523", "[ERROR] RecentErrMsg: [PID: 726962] 2026-04-20-19:23:08.682.108 Inner_Error_Device_Status_Abnormal(E39009): Failed to connect the device."],
      ],
      nearMiss: [
        // Other programs' heartbeats (a ROS planner, an orchestrator), found with find_string.
        ['ROS_ERROR("[traj_server] Lost heartbeat from the planner, is it dead?");', null],
        ["[WARNING] Lost heartbeat from orch-1 @ 10.0.0.7", null],
      ],
    },
    {
      // TensorFlow maps ENOSPC/EDQUOT to RESOURCE_EXHAUSTED: its checkpoint writer failing on its
      // temporary `.tempstate<N>` file is a full disk, with or without the errno text (TF 0.x has none).
      rule: "disk_full",
      real: [
        ["crash-corpus z tensorflow-4350, https://github.com/tensorflow/tensorflow/issues/4350", "ResourceExhaustedError: ./model/model-49.tempstate5787507096018461664"],
        ["crash-corpus keras-tuner-390 (tune)", " I am also getting this isssue.      tensorflow.python.framework.errors_impl.ResourceExhaustedError: models/singleton_classifiers/context.model/variables/variables_temp_d0c7555bd2aa4ae682695465c0d0e2f4/part-00000-of-00002.data-00000-of-00001.tempstate8490917510693379885; No space left on device"],
      ],
      nearMiss: [
        // The same status for memory, and a path without the writer's temporary file.
        ["tensorflow.python.framework.errors_impl.ResourceExhaustedError: 2 root error(s) found.", null],
        ["ResourceExhaustedError: ./model/model-49.index", null],
      ],
    },
    {
      // LSF's reasons for a job it ended on someone's order (bhist's and the job report's TERM_ codes):
      // the owner's or an administrator's bkill, a signal from outside LSF, preemption. Its memory and
      // run-time limits keep their own rules.
      rule: "killed_launcher_signal",
      real: [
        ["https://github.com/IBM/CAST/issues/776 (bhist -l, wrapped at 80 columns)", "Tue Jul 30 21:43:41: Exited by LSF signal TERM_EXTERNAL_SIGNAL. The CPU time us"],
        ["https://github.com/IBM/CAST/issues/776 (bhist -l, wrapped at 80 columns)", "Tue Jul 30 21:43:41: Completed <exit>; TERM_EXTERNAL_SIGNAL: job killed by a si"],
        ["https://github.com/nextflow-io/nextflow/issues/1592 (the LSF job report)", "TERM_OWNER: job killed by owner."],
      ],
      nearMiss: [
        ["TERM_RUNLIMIT: job killed after reaching LSF run time limit.", "timeout_scheduler_limit"],
        ["TERM_MEMLIMIT: job killed after reaching LSF memory usage limit.", "killed_cgroup_oom"],
        ["Successfully completed.", null],
      ],
    },
    {
      // Ascend's device memory exhausted, in CANN's words (the error code EL0004, the allocator's
      // rtMalloc failure), beside torch_npu's own "NPU out of memory" line.
      rule: "cuda_oom_other_runtimes",
      real: [
        ["https://github.com/PKU-YuanGroup/Helios/issues/62", "ERROR 04-09 21:56:46 [diffusion_worker.py:452]         Call rtMalloc fail, purpose: page caching, type = 2, size:3221291008, device_id:0[FUNC:Alloc][FILE:device_allocator.cc][LINE:72]"],
        ["a torch_npu + MSLite profiling note in a public repository (find_string)", "Memory_Allocation_Failure(EL0004): Failed to allocate memory requested by GE module."],
        ["the same note", "Call rtMalloc fail, purpose: page caching, type = 2, size:17179934720, device_id:0"],
      ],
      nearMiss: [
        // CANN's source (the format string itself) and a failure without the allocator's words.
        ['    REPORT_INNER_ERR_MSG("E19999", "Call rtMalloc fail, purpose:%s, size:%zu, device_id:%u",', null],
        ["ERROR 04-09 21:56:46 [diffusion_worker.py:452]         [Exec][Op]Execute op failed. op type = Conv2D, ge result = 4294967295[FUNC:ReportCallError][FILE:acl_op_executor_log_inner.cpp][LINE:124]", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("ninth round (B): engine", () => {
  test("an IPython chain cut before its last exception line ends in the cause's rule (tacotron2-japanese#22)", async () => {
    const text = corpus("process_killed/tacotron2-japanese-22-colab-dataloader-worker-killed-epoch-0.log");
    const ex = parseExceptions(text.split("\n"));
    assert.equal(ex.length, 2);
    assert.equal(ex[1]!.cut, true);
    assert.equal(ex[1]!.chainKind, "cause");
    assert.equal(ex[1]!.chainedFrom, ex[0]);
    assert.deepEqual(await primaryOf("tacotron.log", text), { category: "process_killed", ruleId: "killed_launcher_signal" });
  });

  test("a complete IPython chain links its tracebacks: the rule-named kill it was raised from explains it", async () => {
    const text = [
      "RuntimeError                              Traceback (most recent call last)",
      "/usr/local/lib/python3.7/dist-packages/torch/utils/data/dataloader.py in _try_get_data(self, timeout)",
      "RuntimeError: DataLoader worker (pid 1469) is killed by signal: Killed. ",
      "",
      "The above exception was the direct cause of the following exception:",
      "",
      "ValueError                                Traceback (most recent call last)",
      "<ipython-input-3-1a2b3c> in <module>",
      "ValueError: could not broadcast input array from shape (3,) into shape (4,)",
    ];
    const ex = parseExceptions(text);
    assert.equal(ex[1]!.cut, undefined);
    assert.equal(ex[1]!.chainedFrom, ex[0]);
    assert.equal((await primaryOf("ipython-chain.log", `${text.join("\n")}\n`))?.category, "process_killed");
  });

  test("Slurm's kill of the job is the end even when a step line lands after it (coqui-ai/STT#2238)", async () => {
    assert.deepEqual(await primaryOf("coqui.log", corpus("process_killed/coqui-stt-2238-slurm-job-exceeded-memory-limit-killed.log")), { category: "process_killed", ruleId: "killed_cgroup_oom" });
  });

  test("a requeued job that starts again is history, as before", async () => {
    const text = [
      // submitit#1708's notice, then a new run's progress (the requeued job started again).
      "slurmstepd: error: *** JOB 608 ON SERVER_NAME CANCELLED AT 2022-08-12T02:06:12 DUE TO JOB REQUEUE ***",
      "Epoch 3 | step 1200 | loss 0.412",
      "Epoch 3 | step 1210 | loss 0.409",
    ];
    assert.equal(await primaryOf("requeue.log", `${text.join("\n")}\n`), null);
  });
});
