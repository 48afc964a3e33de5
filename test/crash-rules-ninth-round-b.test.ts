/**
 * Ninth rules round (issue 10), role B: kills, disk, GPU and NPU faults, kernel errors of other
 * accelerators, and two engine fixes (an IPython traceback chain cut before its end; a scheduler's
 * notice that ends the job), from the misses of the tune collections z and za, widened to the family
 * each one belongs to (docs/crash-accuracy.md, "Ninth round"). Real lines name where they come from;
 * near misses must not be the rule (null: no rule at all); whole texts check the primary choice.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { parseExceptions } from "../agent/crash/traceback.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-ninth-round-b-");

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
    {
      // Huawei's HCCL timing out by its error code (CANN's "HCCL Errors" class): a collective's notify
      // wait (EI0002, the NCCL watchdog's analogue) or the socket to a peer (EI0006), in every form CANN
      // prints the code (`EIxxxx:`, `EIxxxx Communication_Error_...:`, `Communication_Error_...(EIxxxx):`).
      rule: "nccl_hccl_timeout",
      real: [
        ["crash-corpus zd llamafactory-975, https://github.com/hiyouga/LlamaFactory/pull/975", "EI0002: The wait execution of the Notify register times out. Reason: The Notify register has not received the Notify record from remote rank [4294967295].base information: [streamID:[1], taskID[39], taskType[Notify Wait], tag[AllReduce_192.168.0.116%enp69s0_60000_0_1694500287022627].] task information: [notify id:[0x0000000500000010], stage:[0], remote rank:[local].]"],
        ["crash-corpus zd llamafactory-5071, https://github.com/hiyouga/LlamaFactory/issues/5071", "EI0006: 2024-08-05-18:15:21.270.506 Getting socket times out. Reason: Remote Rank did not send the data in time. Please check the reason for the rank being stuck"],
        ["a vLLM-on-Ascend engine log in a public repository (find_string)", "ERROR 07-01 00:40:04 [engine.py:458] EI0006: [PID: 176930] 2025-07-01-00:40:04.135.732 Getting socket times out. Reason: Remote Rank did not send the data in time. Please check the reason for the rank being stuck"],
        ["a vllm-ascend worker log in a public repository (find_string)", "(Worker_TP11 pid=15618) ERROR 10-11 11:32:59 [model_runner_v1.py:3556] EI0006: [PID: 15618] 2025-10-11-11:32:29.335.888 Getting socket times out. Reason: Remote Rank did not send the data in time. Please check the reason for the rank being stuck"],
        ["a DeepEP-on-Ascend note in a public repository (find_string)", "        EI0006 Communication_Error_Get_Socket: Getting socket times out."],
      ],
      nearMiss: [
        // CANN's error table and a CI comment naming the code: no failure.
        ['      "ErrMessage": "Getting socket times out. Reason: %s",', null],
        ['# the link first (EI0006 "Getting socket times out"). Same values as the proven', null],
      ],
    },
    {
      // NCCL's warnings that an optional transport library is missing (it goes on over sockets) are no
      // failure, in ibvwrap's newer words too; other NCCL warnings still are.
      rule: "nccl_warn_other",
      real: [
        ["crash-corpus a horovod-1651 (tune)", "ta1-1:2712:2824 [0] misc/ibvwrap.cu:280 NCCL WARN Call to ibv_create_qp failed"],
      ],
      nearMiss: [
        ["[rank0]:[2026-09-11 23:05:42] devvm7508:2914395:2914395 [0] misc/ibvwrap.cc:185 (wrap_ibv_alloc_pd) NCCL WARN lib wrapper not initialized.", null],
        ["[2026-06-26 05:21:42] gpu-dev-eb3b2c7f:1805:1805 [7] misc/ibvwrap.cc:173 NCCL WARN lib wrapper not initialized.", null],
        ["ufee:19773:20233 [0] misc/ibvwrap.cc:63 NCCL WARN Failed to open libibverbs.so[.1]", null],
      ],
    },
    {
      // ProcessGroupNCCL's flight-recorder notice after a collective timed out (torch 2.4+), from the rank
      // that timed out or from another: the watchdog's timeout in other words, a peer-wait symptom.
      rule: "nccl_watchdog_dump",
      real: [
        ["crash-corpus zd simple-grpo-46, https://github.com/lsdefine/simple_GRPO/issues/46", "[rank5]:[E723 01:58:45.667329643 ProcessGroupNCCL.cpp:1743] [PG ID 0 PG GUID 0(default_pg) Rank 5] Received a dump signal due to a collective timeout from  rank 2 and we will try our best to dump the debug info. Last enqueued NCCL work: 136, last completed NCCL work: 136.This is most likely caused by incorrect usages of collectives, e.g., wrong sizes used across ranks, the order of collectives is not same for all ranks or the scheduled collective, for some reason, didn't run. Additionally, this can be caused by GIL deadlock or other reasons such as network errors or bugs in the communications library (e.g. NCCL), etc. "],
        ["an incident write-up in a public repository quoting its ranks (find_string)", "[rank2]: Received a dump signal due to a collective timeout from rank 10 ... Last enqueued NCCL work: 166, last completed NCCL work: 166."],
      ],
      nearMiss: [
        // torch's source that prints it, and the notice that a dump was asked for.
        ['      "Received a dump signal due to a collective timeout from ",', null],
        ["[rank5]:[E703 17:54:18.884528282 ProcessGroupNCCL.cpp:1985] [PG ID 0 PG GUID 0(default_pg) Rank 5] Observed flight recorder dump signal from another rank via TCPStore.", null],
      ],
    },
    {
      // Ray reporting an actor whose worker process went away without an error (the same death as a
      // crashed worker's): a kill by the OOM killer first, as Ray's own explanation says.
      rule: "killed_ray_worker_vanished",
      real: [
        ["crash-corpus zd verl-2987, https://github.com/verl-project/verl/issues/2987", "(TaskRunner pid=892962) ray.exceptions.ActorDiedError: The actor died unexpectedly before finishing this task."],
        ["crash-corpus tool-star-10 (tune), https://github.com/RUC-NLPIR/Tool-Star/issues/10", "ray.exceptions.RayActorError: The actor died unexpectedly before finishing this task."],
      ],
      nearMiss: [
        // An actor whose constructor raised is a Python error, not a death.
        ["ray.exceptions.ActorDiedError: The actor died because of an error raised in its creation task, ray::Worker.__init__() (pid=123, ip=10.0.0.1)", null],
      ],
    },
    {
      // The kernel's OOM kill as syslog/journald record it (`<date> <host> kernel: Killed process ...`,
      // without printk's `[seconds]`), and in newer kernels' words (`(comm), UID N, total-vm`).
      rule: "killed_host_oom",
      real: [
        ["crash-corpus zd systemd-6966, https://github.com/systemd/systemd/issues/6966", "Aug 18 03:19:11 169 kernel: Killed process 7748 (python) total-vm:12907828kB, anon-rss:11500204kB, file-rss:0kB"],
        ["a syslog excerpt in a public repository (find_string)", "Sep  8 15:37:32 test06 kernel: Killed process 13091 (rqlited) total-vm:10856164kB, anon-rss:6421440kB, file-rss:2020kB, shmem-rss:0kB"],
        ["a memory note in a public repository (find_string)", "Aug 17 02:05:38 txy-bj-jr-data-pro-node1 kernel: Killed process 19690 (java), UID 1003, total-vm:10257752kB, anon-rss:2705008kB, file-rss:0kB, shmem-rss:0kB"],
      ],
      nearMiss: [
        // A test fixture's string and prose with the words.
        ["foreach(['Sep 13 13:59:00 host kernel: Out of memory','2026-09-13T12:59:00Z host kernel: Killed process 100'] as $line)", null],
        ["The OOM killer Killed process 1234 (python) total-vm:1kB in our test", null],
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

  test("a healthy torchtitan start-up with NCCL's missing-ibverbs warning is no crash (torchtitan#4628)", async () => {
    assert.equal(await primaryOf("titan.log", corpus("none/torchtitan-4628-debugmodel-startup-nccl-warn-lib-wrapper-healthy.log")), null);
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
