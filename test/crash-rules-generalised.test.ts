/**
 * Rule families widened to generalise beyond the excerpts they were first tuned on (issue 10, after the
 * blind `fresh` measurement): each rule is tried on real lines, verbatim from a public thread (URL) or
 * from a `tune` corpus excerpt (test/fixtures/crash-corpus/<file>, manifests a, b and e), and on near
 * misses that must not be that rule (null: no rule at all). Whole logs then check the primary choice
 * where the new rule meets others (the kill before the symptom, NCCL's own memory errors).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-generalised-");

const families: Family[] = [
  {
    rule: "gpu_gsp_failure",
    real: [
      ["https://github.com/NVIDIA/open-gpu-kernel-modules/issues/1230", "[   24.302465] NVRM: GPU6 _kgspIsHeartbeatTimedOut: Heartbeat timed out, currentTimeMs 812751949 heartbeat 1899482 heartbeatWithOffsetMs 812745879 diff 6070 timeout 5200"],
      // An Xid 119 quotes a GSP RPC timeout: the firmware failed (hardware), not an unknown Xid and not the timeout family.
      ["https://github.com/NVIDIA/gpu-operator/issues/1146", "Dec  2 12:15:04 worker4 kernel: [ 2396.246922] NVRM: GPU 0000:0a:00.0: rm_init_adapter failed, device minor number 5"],
      ["crash-corpus gpu_hardware/gpud-500-xid119-gsp-rpc-timeout-scan.log", '[XID found] (54 minutes ago) "NVRM: Xid (PCI:0000:9b:00): 119, pid=4071838, name=python, Timeout after 45s of waiting for RPC response from GPU4 GSP! Expected function 76 (GSP_RM_CONTROL) (0x20801702 0x4)."'],
    ],
    nearMiss: [
      ["NVRM: Xid (PCI:0000:01:00): 13, Graphics Exception: ChID 0003, Class 00008297, Offset 000015e0, Data 00000000", "gpu_xid_other"],
      ["NVRM: loading NVIDIA UNIX Open Kernel Module for x86_64  595.71.05  Release Build", null],
      ["RuntimeError: connect() timed out. Original timeout was 60000 ms.", "timeout_python"],
    ],
  },
  {
    rule: "gpu_fallen_off_bus",
    real: [
      // Older drivers (Bumblebee/Optimus era): "GPU at <address> has fallen off the bus".
      ["crash-corpus gpu_hardware/Bumblebee-554-dmesg-nvrm-fallen-off-bus-os-pci-init.log", "[   49.261458] NVRM: GPU at 0000:01:00.0 has fallen off the bus."],
    ],
    nearMiss: [
      ["[   49.261465] NVRM: os_pci_init_handle: invalid context!", null],
      ["[  416.096724] NVRM: GPU at PCI:0000:01:00: GPU-462c5715-f9c5-3eed-56ad-35fdd066205f", null],
    ],
  },
  {
    rule: "gpu_xid_fatal",
    real: [
      ["https://github.com/ethereum-mining/ethminer/issues/349", "[ 4815.817352] NVRM: Xid (PCI:0000:07:00): 62, 1d6e(35f8) 00000000 00000000"],
      ["an Ubuntu forums post (2019) stored in a public repository", "[  416.096726] NVRM: Xid (PCI:0000:01:00): 62, pid=2763, 0c83(1870) 00000000 00000000"],
      ["llm-jp/nii-sakura-cluster-configs health-check/README.md", "[Sun Aug 25 20:10:45 2024] NVRM: Xid (PCI:0000:2a:00): 140, pid='<unknown>', name=<unknown>, An uncorrectable ECC error detected (possible firmware handling failure) DRAM:0, LTC:0, MMU:0, PCIE:0"],
    ],
    nearMiss: [
      // Xid 45 is the driver cleaning up after an earlier error (https://github.com/NVIDIA/open-gpu-kernel-modules/issues/1150):
      // an unknown-Xid symptom, not a failure of its own.
      ["kernel: NVRM: Xid (PCI:0000:dc:00): 45, pid=1818990, name=python3, Ch 00000001 caused by previous Xid 149", "gpu_xid_other"],
      ["NVRM: Xid (PCI:0000:01:00): 620, pid=1", "gpu_xid_other"],
    ],
  },
  {
    rule: "gpu_xid_other",
    real: [
      // Older drivers print the PCI address without "PCI:" (a syslog excerpt quoted in a forum thread).
      ["an Ubuntu forums syslog (2012) stored in a public repository, found with the search tool", "May 10 22:25:01 jambi kernel: [176830.774761] NVRM: Xid (0000:03:00): 13, 0003 00000000 00008297 00001098 00000000 00000044"],
    ],
    nearMiss: [
      ["May 10 22:25:03 jambi kernel: [176832.847248] sched: RT throttling activated", null],
      // The same old form with Xid 79 is the fallen-off-the-bus rule, not an unknown Xid.
      ["[1.0] NVRM: Xid (0000:03:00): 79, GPU has fallen off the bus.", "gpu_xid_79_fallen_off_bus"],
    ],
  },
  {
    rule: "killed_exit_137",
    real: [
      ["https://github.com/kubernetes/kubernetes/issues/122256", "      Exit Code: 137"],
      // kubectl describe aligns the value (the column layout of https://github.com/kubernetes/kubernetes/issues/131530).
      ["kubectl describe pod, aligned columns", "  Exit Code:    137"],
    ],
    nearMiss: [
      ["  Exit Code:    0", null],
      ["  Exit Code:    1370", null],
    ],
  },
  {
    rule: "killed_launcher_signal",
    real: [
      ["https://github.com/horovod/horovod/issues/469", "mpirun noticed that process rank 7 with PID 0 on node HOSTNAME exited on signal 9 (Killed)."],
      ["https://github.com/open-mpi/ompi/issues/2661", "mpirun noticed that process rank 0 with PID 21183 on node host01 exited on signal 9 (Killed)."],
    ],
    nearMiss: [
      // SIGABRT is no kill; since the fifth enumeration round (docs/crash-accuracy.md item 602) it is an abort with
      // nothing before it, segfault_abort_exit (a symptom at -3), as torchrun's exitcode -6 is.
      ["mpiexec noticed that process rank 0 with PID 10313 on node proton exited on signal 6 (Aborted).", "segfault_abort_exit"],
      ["mpirun noticed that process rank 0 with PID 0 on node x exited on signal 11 (Segmentation fault).", "segfault_signal"],
    ],
  },
  {
    rule: "gpu_pcie_fatal",
    real: [
      ["https://github.com/wilicc/gpu-burn/issues/1", "[74889.542031] pcieport 0000:00:02.0: AER: Uncorrected (Fatal) error received: id=0010"],
      ["https://github.com/wilicc/gpu-burn/issues/1", "[74889.542044] pcieport 0000:00:02.0: PCIe Bus Error: severity=Uncorrected (Fatal), type=Transaction Layer, id=0010(Receiver ID)"],
    ],
    nearMiss: [
      // Corrected and correctable PCIe errors are logged all the time on healthy nodes.
      ["[74785.660380] pcieport 0000:00:02.0: PCIe Bus Error: severity=Corrected, type=Data Link Layer, id=0010(Transmitter ID)", null],
      ["Sep 19 16:18:04 bubz kernel: [68185.875295] nvidia 0000:07:00.0: PCIe Bus Error: severity=Correctable, type=Data Link Layer, (Transmitter ID)", null],
      ["[  +0.000316] pcieport 0000:00:03.0: AER: Corrected error received: 0000:00:03.0", null],
    ],
  },
  {
    rule: "killed_host_oom",
    real: [
      ["https://github.com/alibaba-archive/alicloud-duplicity/issues/3", "[35881895.791331] Out of memory: Kill process 21518 (python2) score 752 or sacrifice child"],
      ["https://github.com/deepjyoti30/ytmdl/issues/71", "Apr 30 16:34:37 gdnafr kernel: [17323088.222213] oom_reaper: reaped process 15889 (ytmdl), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB"],
    ],
    nearMiss: [
      ["Apr 25 06:31:56 yihuachiu-GTX1080 kernel: [594675.027262] python invoked oom-killer: gfp_mask=0x14200ca(GFP_HIGHUSER_MOVABLE), nodemask=(null), order=0, oom_score_adj=0", "killed_oom_killer_invoked"],
      ["Kill process group on exit: enabled", null],
    ],
  },
  {
    rule: "killed_cgroup_oom",
    real: [
      ["https://github.com/snakemake/snakemake-executor-plugin-slurm/pull/371", "slurmstepd: error: Detected 2 oom_kill events in StepId=JOBID.13. Some of the step tasks have been OOM Killed."],
      ["https://github.com/snakemake/snakemake-executor-plugin-slurm/pull/371", "srun: error: NODE: task 0: Out Of Memory"],
      ["https://github.com/hafs-community/HAFS/issues/101", "srun: error: Orion-01-01: task 4: Out Of Memory"],
      ["crash-corpus process_killed/zenn-ykesamaru-oomd-killed-training-scope.log", "12月 17 10:04:41 user systemd-oomd[588]: Killed /user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn-f6518140-41fe-4a13-b828-55c5b8738fb8.scope due to memory pressure for /user.slice/user-1000.slice/user@1000.service being 57.97% > 50.00% for > 20s"],
    ],
    nearMiss: [
      // The same srun report for another reason is not a memory kill.
      ["srun: error: Orion-18-69: task 289: Bus error", "segfault_shell"],
      ["srun: error: nid01934: tasks 2,4-5,7: Terminated", "killed_sigterm"],
      ["systemd-oomd[588]: Considered 3 cgroups for killing, top candidates were:", null],
    ],
  },
  {
    rule: "killed_death_signal",
    real: [
      ["https://github.com/modelscope/ms-swift/issues/64", " 16%|█▋        | 4084/25120 [3:02:22<16:20:02,  2.80s/it]WARNING:torch.distributed.elastic.agent.server.api:Received 1 death signal, shutting down workers"],
      ["https://github.com/PrimeIntellect-ai/prime-rl/issues/1360", "W1130 12:13:49.388000 124326 torch/distributed/elastic/agent/server/api.py:723] Received 15 death signal, shutting down workers"],
    ],
    nearMiss: [
      // Ctrl-C by the user (https://github.com/MCG-NJU/RTD-Action/issues/31) is not a kill from outside.
      ["WARNING:torch.distributed.elastic.agent.server.api:Received 2 death signal, shutting down workers", null],
      ["WARNING:torch.distributed.elastic.multiprocessing.api:Sending process 2973583 closing signal SIGHUP", null],
    ],
  },
  {
    rule: "killed_ray_memory_monitor",
    real: [
      ["crash-corpus process_killed/EasyR1-185-raylet-workers-killed-memory-pressure.log", "(raylet) [2025-04-02 15:02:00,117 E 135782 135782] (raylet) node_manager.cc:3069: 1 Workers (tasks / actors) killed due to memory pressure (OOM), 0 Workers crashed due to other reasons at node (ID: 351e406b196f66bb45eaad02a3b8b4725babfa8cc12949432f7ad7d8"],
    ],
    nearMiss: [["(raylet) node_manager.cc:3069: 0 Workers (tasks / actors) killed due to memory pressure (OOM), 1 Workers crashed due to other reasons", null]],
  },
  {
    rule: "killed_ray_worker_vanished",
    real: [
      // Ray lists SIGKILL by the OOM killer and SIGSEGV as possible causes: not a segfault by itself.
      ["crash-corpus process_killed/Search-R1-45-ray-worker-died-sigkill-oom-killer.log", "Worker exit type: SYSTEM_ERROR Worker exit detail: Worker unexpectedly exits with a connection error code 2. End of file. There are some potential root causes. (1) The process is killed by SIGKILL by OOM killer due to high memory usage. (2) ray stop --force is called. (3) The worker is crashed unexpectedly due to SIGSEGV or other unexpected errors."],
    ],
    nearMiss: [["(raylet) A worker died or was killed while executing a task by an unexpected system error.", null]],
  },
  {
    rule: "timeout_scheduler_limit",
    real: [
      ["https://github.com/Nextomics/NextDenovo/issues/114", "slurmstepd: error: *** JOB 867816 ON c0700a-s1 CANCELLED AT 2021-05-11T12:06:17 DUE TO TIME LIMIT ***"],
      ["https://github.com/desihub/desitarget/issues/628", "slurmstepd: error: *** STEP 32233190.0 ON nid01934 CANCELLED AT 2020-07-03T02:59:56 DUE TO TIME LIMIT ***"],
    ],
    nearMiss: [
      // A step cancelled with no reason: a consequence-only kill notice since the fifth round (test/crash-rules-fifth-round.test.ts).
      ["slurmstepd: error: *** STEP 3495064.0 ON orion-01-01 CANCELLED AT 2021-10-27T19:35:36 ***", "killed_slurm_step_cancelled"],
      ["#SBATCH --time=13-24:00:00 # days-hh:mm:ss", null],
    ],
  },
  {
    rule: "timeout_grpc_deadline",
    real: [
      ["https://github.com/ayaka14732/llama-2-jax/issues/20", "jaxlib.xla_extension.XlaRuntimeError: DEADLINE_EXCEEDED: Barrier timed out. Barrier_id: PjRT_Client_Connect. Timed out task names:"],
      ["https://github.com/google/paxml/issues/77", "2024-04-12 23:39:41.656900: E external/xla/xla/pjrt/distributed/client.cc:96] Coordination service agent in error status: DEADLINE_EXCEEDED: Deadline Exceeded"],
    ],
    nearMiss: [
      // A client that says it will retry has not failed yet.
      ["W0412 23:39:41.000000 grpc: DEADLINE_EXCEEDED, retrying in 2s", null],
      ["JAX_COORDINATION_SERVICE_HEARTBEAT_TIMEOUT_SECONDS=3600", null],
    ],
  },
  {
    rule: "timeout_python",
    real: [
      ["crash-corpus timeout/dgl-4509-prefetcher-thread-timeout.log", "RuntimeError: Prefetcher thread timed out at 30 seconds."],
      ["crash-corpus timeout/pytorch-69197-c10d-rdzv-connect-timeout.log", "RuntimeError: connect() timed out. Original timeout was 60000 ms."],
      // The continuation line of torchrun's RuntimeError (crash-corpus timeout/ChatGLM2-6B-199-torchrun-client-socket-errno-110.log).
      ["https://github.com/THUDM/ChatGLM2-6B/issues/199", "failed to connect to iZuf6ecr9qv7cnmhk33jk7Z:43393 (errno: 110 - Connection timed out)."],
    ],
    nearMiss: [
      // c10d prints this warning on every retry while the master is not up yet; a run that then connects is healthy.
      ["[W socket.cpp:601] [c10d] The client socket has failed to connect to [::ffff:0.0.3.241]:55121 (errno: 110 - Connection timed out).", null],
      ["prefetch timeout set at 30 seconds", null],
      ["connect() returned in 12 ms", null],
    ],
  },
  {
    rule: "timeout_wandb_init",
    real: [
      ["https://github.com/wandb/wandb/issues/1287", "wandb.errors.error.Error: Couldn't communicate with backend after 15 seconds"],
    ],
    nearMiss: [
      ["wandb: Network error (ReadTimeout), entering retry loop.", null],
      ["wandb: Syncing run with backend after 15 seconds of buffering", null],
    ],
  },
  {
    rule: "nccl_error_other",
    real: [
      ["crash-corpus nccl_error/ms-swift-7992-nccl-watchdog-hang-at-release.log", "18:19:06.687 [rank2]:[F205 18:19:06.383067836 ProcessGroupNCCL.cpp:1614] [PG ID 17 PG GUID 137(INTRA_DISTRIBUTED_OPTIMIZER_INSTANCE_GROUP) Rank 2] [PG ID 17 PG GUID 137(INTRA_DISTRIBUTED_OPTIMIZER_INSTANCE_GROUP) Rank 2] Terminating the process after attempting to dump debug info, due to ProcessGroupNCCL watchdog hang."],
      ["https://github.com/hiyouga/LlamaFactory/issues/8549", "[rank2]:[E704 13:48:58.260494728 ProcessGroupNCCL.cpp:1746] [PG ID 0 PG GUID 0(default_pg) Rank 2] ProcessGroupNCCL's watchdog got stuck for 480 seconds without making progress in monitoring enqueued collectives."],
      ["crash-corpus nccl_error/vdvae-jax-2-xla-ncclallreduce-invalid-usage.log", "RuntimeError: Internal: external/org_tensorflow/tensorflow/compiler/xla/service/gpu/nccl_all_reduce_thunk.cc:162: NCCL operation ncclAllReduce(send_buffer, recv_buffer, buffer.element_count, datatype, reduce_op, comm, *cu_stream) failed: invalid usage"],
      ["crash-corpus nccl_error/mlcommons-training-272-tf-ringreduce-socket-closed.log", "2019-05-19 15:08:13.128241: E tensorflow/core/common_runtime/ring_reducer.cc:369] Aborting RingReduce with Unavailable: Socket closed"],
      ["crash-corpus nccl_error/mlcommons-training-272-tf-ringreduce-socket-closed.log", "2019-05-19 15:08:13.128323: W tensorflow/core/common_runtime/base_collective_executor.cc:203] BaseCollectiveExecutor::StartAbort Unavailable: Socket closed"],
    ],
    nearMiss: [
      ["[rank0]:[I ProcessGroupNCCL.cpp:852] [PG 0 Rank 0] ProcessGroupNCCL initialization options: TIMEOUT(ms): 600000", null],
      ["NCCL INFO Channel 00/0 : 0[0] -> 1[1] via P2P/NVLink", null],
      // TensorFlow prints this at the end of every epoch of a healthy tf.data run ("IT IS SAFE TO IGNORE",
      // Coursera TF notebooks and many issues): not a collective failure.
      ["2020-03-01 10:00:00.000000: W tensorflow/core/common_runtime/base_collective_executor.cc:217] BaseCollectiveExecutor::StartAbort Out of range: End of sequence", null],
      ["2020-03-01 10:00:00.000000: E tensorflow/core/common_runtime/ring_reducer.cc:369] Aborting RingReduce with Out of range: End of sequence", null],
    ],
  },
  {
    rule: "nccl_net_register_memory",
    real: [
      ["crash-corpus nccl_error/nccl-563-ofi-register-mr-enomem.log", "10.0.87.143: 10.0.87.143: ip-10-0-87-143:149:298 [5] register_mr_buffers:465 NCCL WARN NET/OFI Unable to register memory (type = 1) for device 0. RC: 12, Error: Cannot allocate memory"],
    ],
    nearMiss: [
      // Outside NCCL the same words are the host out of memory.
      ["OSError: [Errno 12] Cannot allocate memory", "host_oom_memory_error"],
      ["NCCL WARN Cuda failure 'out of memory'", "cuda_oom_nccl"],
    ],
  },
  {
    rule: "host_oom_cpu_allocator",
    real: [
      ["https://github.com/thuml/Xlearn/issues/6", "RuntimeError: $ Torch: not enough memory: you tried to allocate 0GB. Buy new RAM! at /pytorch/torch/lib/TH/THGeneral.c:270"],
      ["https://github.com/torch/torch7/issues/942", "/home/ric8ard/torch/install/share/lua/5.1/nn/THNN.lua:109: $ Torch: not enough memory: you tried to reallocate 36GB. Buy new RAM! at /home/ric8ard/torch/pkg/torch/lib/TH/THGeneral.c:251"],
      ["crash-corpus host_oom/squad-5-posix-memalign-12-vs-0.log", "enforce fail at CPUAllocator.cpp:56] posix_memalign(&data, gAlignment, nbytes) == 0. 12 vs 0"],
    ],
    nearMiss: [
      ["enforce fail at CPUAllocator.cpp:56] posix_memalign(&data, gAlignment, nbytes) == 0. 22 vs 0", null],
      ["Torch: memory check passed", null],
    ],
  },
  {
    rule: "host_oom_tf_cpu",
    real: [
      ["https://github.com/thtrieu/darkflow/issues/873", "tensorflow.python.framework.errors_impl.ResourceExhaustedError: OOM when allocating tensor with shape[16,19,19,1024] and type float on /job:localhost/replica:0/task:0/device:CPU:0 by allocator cpu"],
      ["https://github.com/Kyubyong/transformer/issues/116", "ResourceExhaustedError (see above for traceback): OOM when allocating tensor with shape[1024,98,98] and type float on /job:localhost/replica:0/task:0/device:CPU:0 by allocator cpu"],
    ],
    nearMiss: [
      // The same error on a GPU is GPU memory.
      ["tensorflow.python.framework.errors_impl.ResourceExhaustedError: OOM when allocating tensor with shape[128,768] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc [Op:StridedSliceGrad]", "cuda_oom_generic"],
    ],
  },
  {
    rule: "host_oom_tf_cpu",
    real: [
      ["https://github.com/googlecolab/colabtools/issues/3050", ": java.lang.OutOfMemoryError: Java heap space"],
      ["https://github.com/JohnSnowLabs/spark-nlp/issues/13583", "\"message\": \"An error occurred while calling o84.fit.\\n: java.lang.OutOfMemoryError: Java heap space\\n\\tat org.apache.spark.unsafe.types.UTF8String.getBytes(UTF8String.java:258)"],
    ],
    nearMiss: [
      // Without the JVM the same class name is torch's CUDA OOM.
      ["torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB", "cuda_oom_alloc"],
      ["-Xmx8g -XX:+HeapDumpOnOutOfMemoryError", null],
    ],
  },
  {
    rule: "nan_loss_autograd",
    real: [
      ["https://github.com/rtqichen/torchdiffeq/issues/52", "RuntimeError: Function 'torch::autograd::GraphRoot' returned nan values in its 0th output."],
      ["https://github.com/pytorch/pytorch/issues/38714", "RuntimeError: Function 'PowBackward1' returned nan values in its 1st output."],
    ],
    nearMiss: [["RuntimeError: Function 'PowBackward1' returned an invalid gradient at index 0", null]],
  },
  {
    rule: "nan_loss_metric",
    real: [
      ["https://github.com/MeteoSwiss/ldcast/issues/7", "Monitored metric val_rec_loss = nan is not finite. Previous best value was 0.045. Signaling Trainer to stop."],
      ["https://github.com/keras-team/keras-tuner/issues/442", "   1/1500 [..............................] - ETA: 0s - loss: 2.2759 - accuracy: 0.2188Batch 1: Invalid loss, terminating training"],
      ["https://github.com/keras-team/keras/issues/6747", "Batch 6: Invalid loss, terminating training"],
      ["crash-corpus nan_loss/ChatGLM-finetune-LoRA-32-printed-tensor-nan.log", "tensor(nan, device='cuda:0')"],
      ["https://github.com/ultralytics/ultralytics/issues/19357", "     91/300        17G        nan        nan        nan          2        640: 100%|██████████| 278/278 [02:11<00:00,  2.11it/s]"],
    ],
    nearMiss: [
      ["Metric val_rec_loss improved by 0.010 >= min_delta = 0.0. New best score: 0.045", null],
      ["Monitored metric val_loss did not improve in the last 3 records. Best score: 0.054. Signaling Trainer to stop.", null],
      ["tensor(3.2207, device='cuda:0')", null],
      ["mask = tensor(nan_mask, device='cuda:0')", null],
      ["     90/300        17G      1.757      1.015       0.96          1        640: 100%|██████████| 278/278 [02:11<00:00,  2.11it/s]", null],
    ],
  },
  {
    rule: "disk_full_shm",
    real: [
      ["crash-corpus disk_full/nnUNet-294-shm-unable-to-write-no-errno.log", "RuntimeError: unable to write to file </torch_15769_1517813162>"],
      ["crash-corpus disk_full/dls-example-26-thallocator-unable-to-write.log", "RuntimeError: unable to write to file </torch_76_3625483894> at /pytorch/aten/src/TH/THAllocator.c:383"],
    ],
    nearMiss: [
      ["RuntimeError: unable to open shared memory object </torch_76_3625483894> in read-write mode", null],
      ["OSError: unable to write to file /data/ckpt/model.pt", null],
    ],
  },
  {
    rule: "disk_full",
    real: [
      ["https://github.com/play-with-docker/play-with-docker/issues/376", "docker: write /var/lib/docker/tmp/xxx no space left on device."],
      ["https://github.com/docker/for-linux/issues/214", "Service '*' failed to build: mkdir /var/run/docker/libcontainerd/: no space left on device"],
      // tempfile tries every candidate folder and finds none writable: in practice a full disk
      // (https://github.com/capreolus-ir/capreolus/issues/154 follows "no space left on device").
      ["https://github.com/capreolus-ir/capreolus/issues/154", "FileNotFoundError: [Errno 2] No usable temporary directory found in ['/tmp', '/var/tmp', '/usr/tmp', '/home/user1/capreolus']"],
      ["https://github.com/overviewer/Minecraft-Overviewer/issues/426", "IOError: [Errno 2] No usable temporary directory found in ['/tmp', '/var/tmp', '/usr/tmp', '/home/mc404mapper/overviewer/Minecraft-Overviewer']"],
      ["https://github.com/coreylynch/grid-lstm/issues/5", "/home/____/torch/install/bin/luajit: /home/____/torch/install/share/lua/5.1/torch/File.lua:210: write error: wrote 39776036 blocks instead of 41251350 at /tmp/luarocks_torch-scm-1-1419/torch7/lib/TH/THDiskFile.c:340"],
    ],
    nearMiss: [
      ["no space left in the batch, flushing", null],
      ["write error count: 0 blocks", null],
      // ENOSPC from inotify (file watchers), not from a disk.
      ["Error: ENOSPC: System limit for number of file watchers reached, watch '/home/user/project/data'", null],
      // The message's source line in tempfile.py, as a traceback shows it.
      ['                            "No usable temporary directory found in %s" %', null],
    ],
  },
  {
    rule: "segfault_shell",
    real: [
      ["https://github.com/python/cpython/issues/121047", "zsh: segmentation fault python src/toolkit/app.py"],
      ["https://github.com/SkywalkerDarren/chatWeb/issues/14", "zsh: segmentation fault python3 main.py"],
      // srun reporting a task dead of SIGBUS (the job's segfault family; its OOM report is killed_cgroup_oom).
      ["https://github.com/hafs-community/HAFS/issues/101", "srun: error: Orion-18-69: task 289: Bus error"],
      // zsh's job-control report of a background job (https://github.com/pytorch/pytorch/issues/5848, indented as pasted).
      ["https://github.com/pytorch/pytorch/issues/5848", "    [1]    4939 bus error  python demo_network.py"],
    ],
    nearMiss: [["zsh: command not found: python", null]],
  },
  {
    rule: "segfault_exit_code",
    real: [["https://github.com/YanWenKun/ComfyUI-Docker/issues/68", "comfyui-1 exited with code 139"]],
    nearMiss: [
      ["comfyui-1 exited with code 1390", null],
      ["comfyui-1 exited with code 0", null],
    ],
  },
  {
    rule: "segfault_windows_access_violation",
    real: [
      ["https://github.com/milesial/Pytorch-UNet/issues/205", "Process finished with exit code -1073741819 (0xC0000005)"],
      ["https://github.com/eriklindernoren/PyTorch-YOLOv3/issues/362 (title)", "loss.backward() Process finished with exit code -1073741819 (0xC0000005)"],
      // faulthandler on Windows.
      ["https://github.com/pytorch/pytorch/issues/162333", "Windows fatal exception: access violation"],
      ["https://github.com/ROCm/TheRock/issues/2600", "2025-12-17T12:10:47.8192227Z Windows fatal exception: access violation"],
      // Fail-fast stack buffer overrun in native code (https://github.com/frapa/tbcnn/issues/8, same line).
      ["https://github.com/macanv/BERT-BiLSTM-CRF-NER/issues/399", "Process finished with exit code -1073740791 (0xC0000409)"],
    ],
    nearMiss: [
      ["Process finished with exit code 0", null],
      ["Process finished with exit code -10737418190", null],
    ],
  },
  {
    rule: "segfault_heap_corruption",
    real: [
      ["https://github.com/MendelXu/SAN/issues/6", "*** Error in `/home/anaconda3/envs/guangrui_cuda11/bin/python': double free or corruption (!prev): 0x000055bbaca66830 ***"],
      ["https://github.com/pytorch/pytorch/issues/31906", "*** Error in `python': malloc(): memory corruption (fast): 0x00007ffef09a9958 ***"],
      ["https://github.com/PaddlePaddle/PaddleOCR/issues/1958", "double free or corruption (fasttop)"],
      ["https://github.com/pytorch/pytorch/issues/50137", "    free(): double free detected in tcache 2"],
    ],
    nearMiss: [
      ["    del op  # avoid a double free of the buffer", null],
      ["INFO: freeing unused kernel memory: 2048K", null],
    ],
  },
];

testFamilies(rules, families);

test("the kernel's kill names the cause; the OOM killer's invocation and the shell's Killed are its symptoms", async () => {
  // https://github.com/deepjyoti30/ytmdl/issues/71 (older kernel wording), then the shell's report.
  const text = [
    "Apr 30 16:34:37 gdnafr kernel: [17323087.561248] Out of memory: Kill process 15889 (ytmdl) score 279 or sacrifice child",
    "Apr 30 16:34:37 gdnafr kernel: [17323087.655158] Killed process 15889 (ytmdl) total-vm:5119936kB, anon-rss:5029560kB, file-rss:0kB, shmem-rss:0kB",
    "Apr 30 16:34:37 gdnafr kernel: [17323088.222213] oom_reaper: reaped process 15889 (ytmdl), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
    "Killed",
  ];
  assert.deepEqual(await primaryOf("kernel-oom.log", text.join("\n") + "\n"), { category: "process_killed", ruleId: "killed_host_oom" });
});

test("Slurm's OOM kill before its task report; a time limit is a timeout, not a crash of the code", async () => {
  // https://github.com/hafs-community/HAFS/issues/101
  const oom = [
    "slurmstepd: error: Detected 1 oom-kill event(s) in step 3495064.0 cgroup. Some of your processes may have been killed by the cgroup out-of-memory handler.",
    "srun: error: Orion-01-01: task 4: Out Of Memory",
    "srun: Terminating job step 3495064.0",
    "slurmstepd: error: *** STEP 3495064.0 ON orion-01-01 CANCELLED AT 2021-10-27T19:35:36 ***",
  ];
  assert.equal((await primaryOf("slurm-oom.log", oom.join("\n") + "\n"))?.category, "process_killed");
  // https://github.com/desihub/desitarget/issues/628
  const limit = [
    "srun: Force Terminated job 32233190",
    "srun: Job step aborted: Waiting up to 32 seconds for job step to finish.",
    "slurmstepd: error: *** STEP 32233190.0 ON nid01934 CANCELLED AT 2020-07-03T02:59:56 DUE TO TIME LIMIT ***",
    "srun: error: nid01934: tasks 2,4-5,7: Terminated",
  ];
  assert.deepEqual(await primaryOf("slurm-limit.log", limit.join("\n") + "\n"), { category: "timeout", ruleId: "timeout_scheduler_limit" });
});

test("torchrun's own death signal after healthy steps is a kill from outside; a rank's error before it is the cause", async () => {
  // https://github.com/modelscope/ms-swift/issues/64
  const sighup = [
    "{'loss': 2.2907, 'learning_rate': 9.547e-05, 'epoch': 2.6, 'global_step': 4080}",
    " 16%|█▋        | 4084/25120 [3:02:22<16:20:02,  2.80s/it]WARNING:torch.distributed.elastic.agent.server.api:Received 1 death signal, shutting down workers",
    "WARNING:torch.distributed.elastic.multiprocessing.api:Sending process 2973583 closing signal SIGHUP",
  ];
  assert.deepEqual(await primaryOf("sighup.log", sighup.join("\n") + "\n"), { category: "process_killed", ruleId: "killed_death_signal" });
  const oomFirst = ["torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB", ...sighup.slice(1)];
  assert.equal((await primaryOf("oom-then-signal.log", oomFirst.join("\n") + "\n"))?.category, "cuda_oom");
});

test("NCCL failing to register buffers is a NCCL error even though it says 'Cannot allocate memory'", async () => {
  // crash-corpus nccl_error/nccl-563-ofi-register-mr-enomem.log (first lines)
  const text = [
    "10.0.87.143: 10.0.87.143: ip-10-0-87-143:149:298 [5] register_mr_buffers:465 NCCL WARN NET/OFI Unable to register memory (type = 1) for device 0. RC: 12, Error: Cannot allocate memory",
    "10.0.87.143: 10.0.87.143: ip-10-0-87-143:149:298 [5] NCCL INFO include/net.h:23 -> 2",
    "10.0.87.143: 10.0.87.143: ip-10-0-87-143:149:298 [5] NCCL INFO transport/net.cc:223 -> 2",
  ];
  assert.deepEqual(await primaryOf("nccl-enomem.log", text.join("\n") + "\n"), { category: "nccl_error", ruleId: "nccl_net_register_memory" });
});

test("a Lightning run stopped by EarlyStopping's finite check is nan_loss; a normal early stop is healthy", async () => {
  // https://github.com/MeteoSwiss/ldcast/issues/7 (progress-bar segments as tqdm writes them, split by \r)
  const diverged = [
    "Epoch 11: : 1200it [21:02,  1.05s/it, loss=0.0638, v_num=0, val_loss=0.054, val_rec_loss=0.0454, val_kl_loss=0.819]\rMetric val_rec_loss improved by 0.010 >= min_delta = 0.0. New best score: 0.045",
    "Epoch 12: : 1200it [20:40,  1.03s/it, loss=0.0641, v_num=0, val_loss=0.054, val_rec_loss=0.0454, val_kl_loss=0.819]\rMonitored metric val_rec_loss = nan is not finite. Previous best value was 0.045. Signaling Trainer to stop.",
  ];
  assert.equal((await primaryOf("lightning-nan.log", diverged.join("\n") + "\n"))?.category, "nan_loss");
  assert.equal(await primaryOf("lightning-healthy.log", diverged[0] + "\n"), null);
});

test("torchrun names the first failed rank: its exception is the cause, not the store timeout another rank reports", async () => {
  // The torchrun run recorded in test/fixtures/tracebacks/torchrun-child-filenotfound.log (rank 1 dies of
  // FileNotFoundError, torchrun's table names rank 1 as root cause), with rank 0's error replaced by the
  // c10d store timeout a surviving rank reports when its peer is gone (https://github.com/pytorch/pytorch/issues/55571).
  const recorded = fs.readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), "fixtures", "tracebacks", "torchrun-child-filenotfound.log"), "utf8");
  const withTimeout = recorded.replace(/^\[rank0\]: RuntimeError: .*$/m, "[rank0]: RuntimeError: Socket Timeout");
  assert.notEqual(withTimeout, recorded);
  assert.deepEqual(await primaryOf("torchrun-peer-timeout.log", withTimeout), { category: "python_exception", ruleId: "python_traceback" });
  // Without the launcher's table, rank 1's exception, raised before rank 0's timeout, is still what the
  // timeout waited for (third round: test/crash-rules-third-round.test.ts); the timeout alone stands.
  const noTable = withTimeout.slice(0, withTimeout.indexOf("W1205 08:29:06.226000"));
  assert.deepEqual(await primaryOf("ranks-only.log", noTable), { category: "python_exception", ruleId: "python_traceback" });
  const timeoutOnly = noTable.split("\n").filter((l) => l.startsWith("[rank0]:")).join("\n") + "\n";
  assert.deepEqual(await primaryOf("rank0-only.log", timeoutOnly), { category: "timeout", ruleId: "timeout_store_socket" });
});

test("torchrun's agent line alone (log cut before its summary table) still reports the failed worker", async () => {
  // https://github.com/THUDM/ChatGLM2-6B/issues/199: a worker exited with code 1, its traceback is elsewhere.
  const exit1 = "ERROR:torch.distributed.elastic.multiprocessing.api:failed (exitcode: 1) local_rank: 0 (pid: 2126) of binary: /usr/bin/python3";
  assert.deepEqual(await primaryOf("agent-exit1.log", `${exit1}\n`), { category: "python_exception", ruleId: "launcher_failure" });
  // https://github.com/lmzpai/roboMamba/issues/10: -9 is a kill (the rule for torchrun's exitcode -9 names it).
  const killed = "E0325 20:57:27.620000 2606 site-packages/torch/distributed/elastic/multiprocessing/api.py:869] failed (exitcode: -9) local_rank: 5 (pid: 2630) of binary: /root/miniconda3/bin/python";
  assert.equal((await primaryOf("agent-killed.log", `${killed}\n`))?.category, "process_killed");
  // A worker that is still training after a restart is not a failure of this run.
  const recovered = [exit1, ...Array.from({ length: 100 }, (_, i) => `{'loss': ${(2 - i / 100).toFixed(4)}, 'grad_norm': 1.2, 'learning_rate': 1e-05, 'epoch': ${(i / 100).toFixed(2)}}`)];
  assert.equal(await primaryOf("agent-recovered.log", recovered.join("\n") + "\n"), null);
});
