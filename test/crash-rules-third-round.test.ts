/**
 * Third rules round (issue 10): phrasings of the weak families found with the search tool in public
 * threads and repositories, and in the new tuning collection `j` (test/fixtures/crash-corpus,
 * manifest-j, split `tune`). Each rule is tried on real lines (where they come from) and on near
 * misses that must not be that rule (null: no rule at all); whole texts then check the primary choice
 * where the change is in the engine (a traceback cut before its exception line, a disk-full warning
 * before a failure).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-third-round-");

const families: Family[] = [
  {
    rule: "cuda_oom_other_runtimes",
    real: [
      ["https://github.com/ggml-org/llama.cpp/issues/20431", "ggml_backend_cuda_buffer_type_alloc_buffer: allocating 144817.04 MiB on device 0: cudaMalloc failed: out of memory"],
      ["https://github.com/pytorch/pytorch/issues/152351", "RuntimeError: MPS backend out of memory (MPS allocated: 11.14 GB, other allocations: 6.65 GB, max allowed: 18.13 GB). Tried to allocate 375.40 MB on private pool. Use PYTORCH_MPS_HIGH_WATERMARK_RATIO=0.0 to disable upper limit for memory allocations (may cause system failure)."],
      ["https://github.com/knaw-huc/loghi/issues/55", "9:07:50.044545: W external/local_xla/xla/tsl/framework/bfc_allocator.cc:501] Allocator (GPU_0_bfc) ran out of memory trying to allocate 34.10MiB (rounded to 35758080)requested by op StatefulPartitionedCall/model_new14_1/batch_normalization_36_1/moments/SquaredDifference"],
      ["https://github.com/CharlesShang/FastMaskRCNN/issues/129", ": F tensorflow/core/common_runtime/gpu/gpu_device.cc:103] EigenAllocator for GPU ran out of memory when allocating 0. See error logs for more detailed info."],
      ["a PaddlePaddle error summary quoted in a public repository", "Out of memory error on GPU 0. Cannot allocate 27.000000MB memory on GPU 0, 10.906372GB memory has been allocated and available memory is only 4.062500MB."],
      ["an MXNet error quoted in a public repository", "MXNetError: cudaMalloc retry failed: out of memory"],
      ["darknet's check_error (its CUDA errors print as in crash-corpus gpu_hardware/j-darknet-5547-illegal-instruction-hw.log)", "CUDA Error: out of memory"],
    ],
    nearMiss: [
      // TensorFlow's allocator retries: "not a failure" (https://github.com/tensorflow/tensorflow/issues/43546).
      ["2020-09-24 21:35:23.363348: W tensorflow/core/common_runtime/bfc_allocator.cc:246] Allocator (GPU_0_bfc) ran out of memory trying to allocate 1.02GiB with freed_by_count=0. The caller indicates that this is not a failure, but may mean that there could be performance gains if more memory were available.", null],
      // Pinned host memory refused for another reason (https://github.com/ggml-org/llama.cpp/issues/9629).
      ["ggml_cuda_host_malloc: failed to allocate 1900,00 MiB of pinned memory: invalid argument", null],
      // Another CUDA code in the same check is no OOM; since the eleventh round it is read as the CUDA error it is.
      ["F0214 14:48:56.695240  8276 syncedmem.cpp:56] Check failed: error == cudaSuccess (9 vs. 0)  invalid configuration argument", "cuda_error_library_check"],
      // The same check with code 2 (a Caffe training log quoted in a public repository) is the CHECK status family's
      // allocation status since the twenty-second round (one owner in rules.json).
      ["F0214 14:48:56.695240  8276 syncedmem.cpp:56] Check failed: error == cudaSuccess (2 vs. 0)  out of memory", "cuda_oom_library_check"],
    ],
  },
  {
    rule: "cuda_oom_xla",
    real: [
      ["crash-corpus cuda_oom/llnerf-9-resource-exhausted-out-of-memory-allocating.log (j)", "jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory allocating 20029400304 bytes."],
      ["crash-corpus cuda_oom/deeplearningexamples-405-xla-resource-exhausted.log (j)", "  (0) Resource exhausted: Out of memory while trying to allocate 68852648264 bytes."],
      // The message wrapped by the terminal in the middle of the phrase.
      ["crash-corpus cuda_oom/jax-788-replica-resource-exhausted-wrapped.log (j)", "[1] 2019-06-13 01:17:08.886805: E external/org_tensorflow/tensorflow/compiler/xla/python/local_client.cc:672] Execution of replica 0 failed: Resource exhausted: Out "],
      ["crash-corpus cuda_oom/pytorch-xla-3470-tpu-attempting-to-reserve.log (j)", "2022-04-04 00:27:49.642380: E tensorflow/compiler/xla/xla_client/xla_util.cc:88]   (1) RESOURCE_EXHAUSTED: Attempting to reserve 6.48G at the bottom of memory. That was not possible. There are 6.78G free, 0B reserved, and 3.33G reservable."],
    ],
    nearMiss: [
      ["grpc._channel._InactiveRpcError: <_InactiveRpcError of RPC that terminated with: status = StatusCode.RESOURCE_EXHAUSTED details = \"Received message larger than max (4194309 vs. 4194304)\"", null],
      // On the CPU device it is the host's memory.
      ["Resource exhausted: OOM when allocating tensor with shape[1024,1024,64] and type float on /job:localhost/replica:0/task:0/device:CPU:0 by allocator cpu", "host_oom_tf_cpu"],
    ],
  },
  {
    rule: "timeout_collective_gloo",
    real: [
      ["https://github.com/Intellindust-AI-Lab/DEIMv2/issues/65", "RuntimeError: [../third_party/gloo/gloo/transport/tcp/unbound_buffer.cc:81] Timed out waiting 1800000ms for recv operation to complete"],
      ["https://github.com/FoundationVision/VNext/issues/9", "RuntimeError: [/opt/conda/conda-bld/pytorch_1656352430114/work/third_party/gloo/gloo/transport/tcp/unbound_buffer.cc:136] Timed out waiting 1800000ms for send operation to complete"],
      // torch.distributed.monitored_barrier on rank 0 (as quoted in a public tutorial stored in a repository).
      ["a torch.distributed tutorial in a public repository", "RuntimeError: Rank 1 failed to pass monitoredBarrier in 2000 ms"],
    ],
    nearMiss: [
      ["[/opt/conda/conda-bld/pytorch_1656352430114/work/third_party/gloo/gloo/transport/tcp/pair.cc:598] Connection closed by peer [10.0.0.2]:29500", "nccl_peer_connection_closed"],
      ["HOROVOD_GLOO_TIMEOUT_SECONDS=240 horovodrun -np 64 python train.py", null],
    ],
  },
  {
    rule: "nccl_watchdog_timeout",
    real: [
      // PyTorch <= 1.10 printed no SeqNum (as quoted in a public repository's setup notes).
      ["setup notes in a public repository", "Watchdog caught collective operation timeout: WorkNCCL(OpType=BROADCAST, Timeout(ms)=1800000) ran for 1804406 milliseconds before timing out."],
      ["https://github.com/OFA-Sys/OFA/issues/271", "[E ProcessGroupNCCL.cpp:737] [Rank 1] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=469508, OpType=ALLREDUCE, Timeout(ms)=1800000) ran for 1802212 milliseconds before timing out."],
    ],
    nearMiss: [["NCCL_TIMEOUT=1800 TORCH_NCCL_ASYNC_ERROR_HANDLING=1 torchrun --nproc_per_node 8 train.py", null]],
  },
  {
    rule: "timeout_python",
    real: [
      // vLLM's engine log: a time stamp before the exception line.
      ["crash-corpus timeout/local-inference-lab-vllm-827-rpc-sample-tokens-timed-out.log (j)", "09:14:37 TimeoutError: RPC call to sample_tokens timed out."],
    ],
    nearMiss: [
      ["09:14:37 (Worker_TP0) No available shared memory broadcast block found in 60 seconds.", null],
      ["09:14:37 INFO retrying after TimeoutError: read timed out", null],
    ],
  },
  {
    rule: "killed_shell_report",
    real: [
      ["zsh's report in a public repository's session notes", "zsh: killed     nebula upgrade"],
      ["bash job control (a public repository's notes on kill -9)", "[1]+  Killed                  sleep 1000"],
      ["bash job control, several jobs", "[6]-  Killed                  sleep 6000"],
      ["macOS bash (a public repository's build notes)", "Killed: 9"],
      // The shell's (zh_CN) message glued to mmcv's progress bar.
      ["crash-corpus process_killed/j-mmdet-5263-zh-killed-progressbar.log (j)", "[>>>>>>>>>> ] 1022/5000, 1.5 task/s, elapsed: 673s, ETA: 2621s已杀死"],
    ],
    nearMiss: [
      ["[1]+  Stopped                 strace -cp 27288", null],
      ["[1]+  Done                    python train.py", null],
      ["zsh: command not found: python", null],
      ["mobsKilled: 92,", null],
      ["[>>>>>>>>>> ] 1022/5000, 1.5 task/s, elapsed: 673s, ETA: 2621s", null],
    ],
  },
  {
    rule: "killed_cgroup_oom",
    real: [
      ["systemd journal quoted in a public repository", "Aug 19 03:13:59 k8s-worker-01 systemd[1]: backend-app.service: Failed with result 'oom-kill'."],
      ["a Hadoop troubleshooting note in a public repository", "Container [pid=48338,containerID=container_1417574466181_3484_01_000043] is running beyond physical memory limits. Current usage: 1.0 GB of 1 GB physical memory used; 2.0 GB of 2.1 GB virtual memory used. Killing container. Dump of the process-tree for container_1417574466181_3484_01_000043 :"],
      ["a kernel memcg OOM report quoted in a public repository (cgroup v1)", "Nov 30 02:53:56 server01 kernel: [  818.375717] Task in /1037/uid killed as a result of limit of /1037"],
    ],
    nearMiss: [
      ["py-monitor.service: Failed with result 'exit-code'.", null],
      ["yarn.nodemanager.pmem-check-enabled=false  # physical memory limits", null],
    ],
  },
  {
    rule: "killed_launcher_signal",
    real: [
      ["systemd journal quoted in a public repository", "May 22 15:41:02 server systemd[1]: app.service: Main process exited, code=killed, status=9/KILL"],
      ["docker ps output in a public repository", "e5c656e1e1e1        ubuntu              \"/bin/sh -c 'while...\"   10 minutes ago      Exited (137) 5 seconds ago                       daemon_dave"],
      ["a compiler backend killed under memory pressure (a public repository's notes)", "  - `Backend exited with code -9`"],
    ],
    nearMiss: [
      ["myapp.service: Main process exited, code=exited, status=0/SUCCESS", null],
      ["docs-app-dev-1\tExited (0) 24 minutes ago", null],
      ["Exited (1370) 2 minutes ago", null],
      ["Server process exited with code -90", null],
    ],
  },
  {
    rule: "killed_sigkill_exit",
    real: [
      // billiard (celery) spells it in lower case.
      ["celery worker log quoted in a public repository", "[2026-02-22 10:27:55,867: ERROR] WorkerLostError: Worker exited prematurely: signal 9 (SIGKILL)"],
    ],
    nearMiss: [["Process 'ForkPoolWorker-2' pid:23 exited with 'exitcode 0'", null]],
  },
  {
    rule: "segfault_signal",
    real: [
      ["a kernel log quoted in a public repository (Ubuntu forums)", "[100988.858923] transmission-da[28274]: segfault at 0 ip 00007f32b7026b59 sp 00007f32b1df8930 error 4 in libgnutls.so.26.22.6[7f32b6fb2000+b6000]"],
      ["dmesg quoted in a public repository", "[Fri May 30 08:29:18 2025] traps: nano[3312930] general protection fault ip:14f27ed59a3f sp:7fffd97387b8 error:0 in libncursesw.so.6.5[14f27ed45000+25000]"],
      ["https://github.com/pytorch/pytorch/issues/33890 (AddressSanitizer report)", "==29495==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 (pc 0x7f0e1b8c2b5d bp 0x7ffd3a0c1c80 sp 0x7ffd3a0c1c60 T0)"],
    ],
    nearMiss: [
      ["segfault_handler installed; core dumps go to /var/crash", null],
      ["ASAN_OPTIONS=detect_leaks=0 python train.py", null],
    ],
  },
  {
    rule: "segfault_exit_code",
    real: [
      // torchrun's table for a rank dead of SIGBUS (a public repository's log).
      ["torchrun ChildFailedError table in a public repository", "  exitcode  : -7 (pid: 10)"],
      ["pwntools' report in a public repository's write-up", "[*] Process './just_do_it' stopped with exit code -11 (SIGSEGV) (pid 63659)"],
      ["ROS launch's report (a public repository's test data)", "process has died [pid 10, exit code -11, cmd teardown]"],
    ],
    nearMiss: [
      ["  exitcode  : -70 (pid: 10)", null],
      ["  exitcode  : 1 (pid: 10)", null],
    ],
  },
  {
    rule: "ckpt_bad_format",
    real: [
      ["crash-corpus checkpoint_corrupt/cnngesturerecognizer-40-h5-file-signature-not-found.log (j)", "OSError: Unable to open file (file signature not found)"],
      ["torch/serialization.py's legacy loader (raised for a file that is not a torch checkpoint)", "RuntimeError: Invalid magic number; corrupt file?"],
      ["llama.cpp's loader (llama-model-loader.cpp)", "llama_model_load: error loading model: tensor 'blk.0.attn_q.weight' data is not within the file bounds, model is corrupted or incomplete"],
      // transformers (configuration_utils.py) when config.json does not parse: an LFS pointer, an HTML page, a cut save.
      ["transformers' configuration_utils.py", "OSError: It looks like the config file at '/data/ckpt/checkpoint-500/config.json' is not a valid JSON file."],
    ],
    nearMiss: [
      // A missing file is not a broken one.
      ["OSError: Unable to open file (unable to open file: name = 'model.h5', errno = 2, error message = 'No such file or directory', flags = 0, o_flags = 0)", null],
      ["h5py: Unable to open file (file locking disabled on this file system)", null],
    ],
  },
  {
    rule: "nan_check_numerics",
    real: [
      ["https://github.com/tensorflow/models/issues/5516", "INFO:tensorflow:Error reported to Coordinator: <class 'tensorflow.python.framework.errors_impl.InvalidArgumentError'>, LossTensor is inf or nan. : Tensor had NaN values"],
      ["https://github.com/DeepLabCut/DeepLabCut/issues/1017", "InvalidArgumentError: LossTensor is inf or nan : Tensor had NaN values"],
    ],
    nearMiss: [
      // tensorboard's scalar check: printed during normal AMP loss-scale warm-up too (healthy).
      ["[1,0]<stdout>:Warning: NaN or Inf found in input tensor.", null],
      ["    total_loss = tf.check_numerics(total_loss, 'LossTensor is inf or nan.')", null],
    ],
  },
  {
    rule: "nan_grad_norm_check",
    real: [
      // Megatron's forward-loss check (a public repository's run notes).
      ["Megatron-LM run notes in a public repository", "AssertionError: Rank 7: found NaN in local forward loss calculation. Device: 7, node: gpu-node-3"],
    ],
    nearMiss: [["check_for_nan_in_loss_and_grad: True", null]],
  },
  {
    rule: "disk_full_warning",
    real: [
      ["crash-corpus disk_full/vits-fast-fine-tuning-397-shm-semlock-errno28.log (j)", "/root/miniconda3/envs/vits/lib/python3.8/site-packages/joblib/_multiprocessing_helpers.py:46: UserWarning: [Errno 28] No space left on device.  joblib will operate in serial mode"],
      ["crash-corpus disk_full/huggingface-hub-2742-not-enough-free-disk.log (tune)", "/opt/venv/lib/python3.12/site-packages/huggingface_hub/file_download.py:651: UserWarning: Not enough free disk space to download the file. The expected file size is: 3945.44 MB. The target location /root/.cache/huggingface/hub/models--Qwen--Qwen2.5-7B-Instruct/blobs only has 3421.60 MB free disk space."],
    ],
    nearMiss: [
      ["/usr/lib/python3/dist-packages/torch/utils/data/dataloader.py:557: UserWarning: This DataLoader will create 16 worker processes in total.", null],
      // Not a warning: the disk_full rule itself.
      ["OSError: [Errno 28] No space left on device", "disk_full"],
    ],
  },
  {
    rule: "gpu_nvidia_smi_err",
    real: [
      ["crash-corpus gpu_hardware/gpu-operator-559-nvidia-smi-err-row.log (j)", "|   0  ERR!                On   | 00000000:19:00.0 Off |                 ERR! |"],
      ["crash-corpus gpu_hardware/gpu-operator-559-nvidia-smi-err-row.log (j)", "|ERR!  ERR! ERR!    ERR! / ERR! |      0MiB / 46068MiB |    ERR!      Default |"],
    ],
    nearMiss: [
      ["|   1  NVIDIA A40          On   | 00000000:1A:00.0 Off |                    0 |", null],
      // ECC column only: a counter nvidia-smi cannot read is not a lost GPU.
      ["|   0  Tesla V100-SXM2...  On   | 00000000:00:1E.0 Off |                 ERR! |", null],
    ],
  },
  {
    rule: "nan_loss_megatron_missing",
    real: [["crash-corpus nan_loss/megatron-deepspeed-434-nan-no-lm-loss-print.log (j)", " iteration        9/      10 | consumed samples:          108 | consumed tokens:       442368 | elapsed time per iteration (ms): 1979.2 | learning rate: 4.219E-07 | global batch size:    12 | loss scale: 1.0 | actual seqlen:  4096 | number of skipped iterations:   0 | number of nan iterations:   0 | samples per second: 6.063 | tokens per gpu per second (tgs): 2069.506 | TFLOPs: 127.00 |"]],
    nearMiss: [
      // A finite grad norm: the step was fine, the excerpt just lacks the loss (crash-corpus none/megatron-llm-pr34-bad-grad-norm-skipped.log, j).
      [" iteration     3633/    8000 | consumed samples:       232512 | elapsed time per iteration (ms): 6956.6 | learning rate: 6.245E-06 | global batch size:    64 | loss scale: 1.0 | grad norm: 0.794 | number of skipped iterations:   0 | number of nan iterations:   0 |", null],
    ],
  },
  {
    rule: "gpu_xid_reported",
    real: [
      ["https://github.com/NVIDIA/NVSentinel/pull/973", "  GpuAllWatch                                True      Mon, 09 Mar 2026 11:41:19 +0530   Mon, 09 Mar 2026 11:41:19 +0530   GpuAllWatchIsNotHealthy               ErrorCode:DCGM_FR_UNCONTAINED_ERROR GPU:0 PCI:0000:16:00.0 GPU_UUID:GPU-65e4956a-8db1-af7f-47f8-b355e3b7bf07 GPU had an uncontained error (XID 95) Drain the GPU and reset it or reboot the node. Recommended Action=RESTART_VM;"],
    ],
    nearMiss: [
      // Xid 31 (an MMU fault) is usually the application's (https://github.com/NVIDIA/NVSentinel/issues/911).
      ["ErrorCode:DCGM_FR_XID_ERROR GPU:4 PCI:0000:c4:00.0 GPU_UUID:GPU-d1816eb1-2926-4fbc-13f6-1cf1ba1b921b Detected XID 31 for GPU 4 Please consult the documentation for details of this XID. Recommended Action=NONE;", null],
      ["healthCheck report XidCriticalError: Xid=999 on Device=GPU-XXXX, but i can not find Xid error 999 in nvidia doc", null],
    ],
  },
  {
    rule: "timeout_scheduler_limit",
    real: [["kubectl describe job (a public repository's troubleshooting notes)", "Message:      Job was active longer than specified deadline"]],
    nearMiss: [["  activeDeadlineSeconds: 3600", null]],
  },
  {
    rule: "killed_launcher_signal",
    real: [
      ["a Slurm run log quoted in a public repository", "slurmstepd: error: *** JOB 1877080 ON r002 CANCELLED AT 2026-09-25T10:25:59 DUE TO PREEMPTION ***"],
      // Plain scancel writes no reason (as a public repository's parser notes).
      ["a Slurm job's error file quoted in a public repository", "*** JOB 15880485 ON node2431 CANCELLED AT 2026-06-11T17:03:03 ***"],
    ],
    nearMiss: [["slurmstepd: error: *** JOB 636782 ON n-805 CANCELLED AT 2026-07-02T16:04:53 DUE TO TIME LIMIT ***", "timeout_scheduler_limit"],
      // srun cancelling the rest of a step after one task failed (test/crash-rules-generalised.test.ts): not a kill
      // from outside by itself; its own rule (a consequence, test/crash-rules-fifth-round.test.ts) names it last.
      ["slurmstepd: error: *** STEP 3495064.0 ON orion-01-01 CANCELLED AT 2021-10-27T19:35:36 ***", "killed_slurm_step_cancelled"],
    ],
  },
  {
    rule: "killed_ray_worker_vanished",
    real: [["Ray's error as raised in a public repository's log", "ray.exceptions.WorkerCrashedError: The worker died unexpectedly while executing this task. Check python-core-worker-*.log files for more information."]],
    nearMiss: [["ray.exceptions.RayTaskError(ValueError): ray::train() (pid=1234, ip=10.0.0.2)", null]],
  },
  {
    rule: "cuda_rocm_memory_fault",
    real: [
      ["https://github.com/ROCmSoftwarePlatform/hiptensorflow/issues/60", "Memory access fault by GPU node-1 on address 0x1e4000. Reason: Page not present or supervisor privilege."],
      ["https://github.com/ROCm/legacy-rocm-build/issues/1535", "Memory access fault by GPU node-2 (Agent handle: 0x55fea5592860) on address 0x7fc133800000. Reason: Page not present or supervisor privilege."],
    ],
    nearMiss: [["HSA_OVERRIDE_GFX_VERSION=10.3.0 python train.py  # avoids memory access faults on gfx1031", null]],
  },
  {
    rule: "killed_preempted",
    real: [
      ["crash-corpus process_killed/j-mozilla-translations-964-gcp-spot-power-key.log (j)", "Dec 17 16:03:58Z translations-1-b-linux-v100-gpu-4-1tb-vvppjagzspgzcf58mfvmzw-1 start-worker 2024/12/17 16:03:58 GCP Metadata Service says termination is imminent"],
      ["crash-corpus process_killed/j-mozilla-translations-964-gcp-spot-power-key.log (j)", "Dec 17 16:04:09Z translations-1-b-linux-v100-gpu-4-1tb-vvppjagzspgzcf58mfvmzw-1 systemd-logind Power key pressed."],
    ],
    nearMiss: [["systemd-logind[812]: New session 4 of user ubuntu.", null]],
  },
  {
    rule: "ckpt_bad_format",
    real: [
      // TensorFlow's checkpoint reader (py_checkpoint_reader turns "Unable to open table file" into DataLossError).
      ["TensorFlow's checkpoint reader (table/format.cc, py_checkpoint_reader.py)", "tensorflow.python.framework.errors_impl.DataLossError: Unable to open table file ./model.ckpt: Data loss: not an sstable (bad magic number): perhaps your file is in a different file format and you need to use a different restore operator?"],
    ],
    nearMiss: [["tensorflow.python.framework.errors_impl.DataLossError: truncated record at 1234567", null]],
  },
  {
    rule: "disk_full_nccl_shm",
    real: [
      ["crash-corpus disk_full/nccl-525-kubeflow-posix-fallocate-shm.log (j), https://github.com/NVIDIA/nccl/issues/525", "[3] include/shm.h:28 NCCL WARN Call to posix_fallocate failed : No space left on device"],
      ["crash-corpus disk_full/nccl-290-horovod-docker-shm-fallocate.log (j), https://github.com/NVIDIA/nccl/issues/290", "gpu2-ru7:2143:2561 [1] include/shm.h:28 NCCL WARN Call to posix_fallocate failed : No space left on device"],
    ],
    nearMiss: [
      ["[3] include/shm.h:48 NCCL WARN Error while creating shared memory segment nccl-shm-recv-1462445a6f01cbfc-1-2-3 (size 9637888)", "nccl_warn_other"],
      ["gpu2-ru7:2143:2561 [1] NCCL INFO include/shm.h:41 -> 2", null],
    ],
  },
  {
    rule: "timeout_rendezvous",
    real: [
      // torchelastic's error handler, the c10d store unreachable for the rendezvous timeout (crash-corpus
      // timeout/pytorch-64926-elastic-multi-nic-rendezvous-connection.log, j; https://github.com/pytorch/pytorch/issues/64926).
      ["https://github.com/pytorch/pytorch/issues/64926", '    "message": "RendezvousConnectionError: The connection to the C10d store has failed. See inner exception for details.",'],
    ],
    nearMiss: [["  rdzv_configs     : {'timeout': 900}", null]],
  },
  {
    rule: "cuda_oom_handle_create",
    real: [
      ["crash-corpus cuda_oom/sockeye-897-mxnet-create-cublas-handle-failed.log (j), https://github.com/awslabs/sockeye/issues/897", "  what():  [18:47:35] /home/centos/mxnet/3rdparty/mshadow/mshadow/./stream_gpu-inl.h:134: Check failed: err == CUBLAS_STATUS_SUCCESS (1 vs. 0) : Create cublas handle failed"],
    ],
    nearMiss: [
      // torch's wording of the same status: cuda_error by the corpus's labels (chatglm-efficient-tuning-288 and
      // ai-toolkit-97 show no memory shortage; twenty-third round, docs item 490).
      ["RuntimeError: CUDA error: CUBLAS_STATUS_NOT_INITIALIZED when calling `cublasCreate(handle)`", "cuda_cublas_failure"],
      // Another cuBLAS call failing is a CUDA error, not memory.
      ["RuntimeError: CUDA error: CUBLAS_STATUS_EXECUTION_FAILED when calling `cublasSgemm( handle, opa, opb, m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc)`", "cuda_cublas_failure"],
    ],
  },
  {
    rule: "nan_loss_metric",
    real: [
      // darknet's iteration line (a YOLO training log quoted in a public repository).
      ["a darknet training log quoted in a public repository", "  70: -nan, -nan avg loss, 0.000000 rate, 332.178208 seconds, 4480 images, 717.177361 hours left"],
    ],
    nearMiss: [["  70: 1456.231201, 1456.231201 avg loss, 0.000000 rate, 3.178208 seconds, 4480 images, 7.177361 hours left", null]],
  },
  {
    rule: "cuda_oom_cudnn_algo",
    real: [
      // Maintainers: "This is due to OOM with the GPU" (https://github.com/marqo-ai/marqo/issues/101),
      // "generally caused by insufficient memory of the gpu" (https://github.com/TQTQliu/MVSGaussian/issues/18).
      ["https://github.com/deepakn97/relationPrediction/issues/37", "RuntimeError: Unable to find a valid cuDNN algorithm to run convolution (try_all at /opt/conda/conda-bld/pytorch_1591914868920/work/aten/src/ATen/native/cudnn/Conv.cpp:693)"],
    ],
    nearMiss: [["torch.backends.cudnn.benchmark = True  # find the fastest convolution algorithm", null]],
  },
  {
    rule: "cuda_oom_generic",
    real: [
      ["a training runbook in a public repository", "   - Training will crash with `RuntimeError: CUDA driver error: out of memory`"],
      ["a ROCm troubleshooting note in a public repository", "RuntimeError: HIP error: out of memory"],
    ],
    // Another driver error is a CUDA error, not memory (seventh round B).
    nearMiss: [["RuntimeError: CUDA driver error: invalid device ordinal", "cuda_error_generic"]],
  },
  {
    rule: "timeout_python",
    real: [
      ["a public repository's bug report (qdrant client over httpx)", "httpx.ReadTimeout: The read operation timed out"],
      ["requests' exception class name", "requests.exceptions.ConnectTimeout: HTTPSConnectionPool(host='example.org', port=443): Max retries exceeded"],
      ["curl's own message (as a public repository's tests reproduce it)", "curl: (28) Connection timed out after 30001 milliseconds"],
      ["Windows' connect timeout in a urllib error (a public repository's notes)", "urllib.error.URLError: <urlopen error [WinError 10060] A connection attempt failed because the connected party did not properly respond after a period of time>"],
      ["a urllib error quoted in a public repository's notes", "urllib.error.URLError: <urlopen error ftp error: TimeoutError(110, 'Connection timed out')>"],
      ["Python's ssl module, as a public repository's error table quotes it", "<--,-- timeout('_ssl.c:1112: The handshake operation timed out')"],
    ],
    nearMiss: [["httpx.Timeout(10.0, read=30.0)", null]],
  },
  {
    rule: "nccl_error_other",
    real: [["a NCCL hang report in a public repository", "[rank1]:[E1003 18:37:01.833621509 ProcessGroupNCCL.cpp:1709] [PG 0 (default_pg) Rank 1] Timeout at NCCL work: 6463, last enqueued NCCL work: 6463, last completed NCCL work: 6462."]],
    nearMiss: [["[rank1]:[I1003 18:30:01.833621509 ProcessGroupNCCL.cpp:1709] [PG 0 (default_pg) Rank 1] ProcessGroupNCCL initialization options: TIMEOUT(ms): 600000", null]],
  },
  {
    rule: "segfault_windows_access_violation",
    real: [["a public repository's notes (PyCharm on Windows: stack overflow)", "Process finished with exit code -1073741571 (0xC00000FD)"]],
    nearMiss: [["Process finished with exit code 0", null]],
  },
  {
    rule: "gpu_nvlink_degraded",
    real: [
      ["crash-corpus gpu_hardware/nccl-2329-p2p-disabled-nvlink-hw-issue.log (j), https://github.com/NVIDIA/nccl/issues/2329", "P2P is disabled between NVLINK connected GPUs 1 and 0. This should not be the case given their connectivity, and is probably due to a hardware issue. If you still want to proceed, you can set NCCL_IGNORE_DISABLED_P2P=1."],
      ["crash-corpus gpu_hardware/gpud-1085-nvml-nvlink-all-links-inactive.log (j)", "NVML: Unable to retrieve NVLink information as all links are inActive"],
      ["crash-corpus gpu_hardware/dcgm-304-nvls-bind-cuda-401-bad-nvlink.log (j)", "[2026-06-23 15:45:07] gpu-stress-dgc86-xfpt6:420:437 [5] transport/nvls.cc:379 (nvlsAllocateMem) NCCL WARN Failed to bind NVLink SHARP (NVLS) Multicast memory of size 2097152 : CUDA error 401 'the operation cannot be performed in the present state'"],
    ],
    nearMiss: [
      ["NCCL INFO NVLS multicast support is not available on dev 0", null],
      ["NCCL INFO P2P/CUMEM/read via NVLink", null],
    ],
  },
  {
    rule: "gpu_row_remap",
    real: [["crash-corpus gpu_hardware/gpud-pr80-remapped-rows-pending-uncorrectable.log (j), nvidia-smi -q", "        Uncorrectable Error               : 4"]],
    nearMiss: [
      ["        Uncorrectable Error               : 0", null],
      ["        Correctable Error                 : 3", null],
      ["        Remapping Failure Occurred        : No", null],
    ],
  },
  {
    rule: "host_oom_memory_error",
    real: [
      // Other runtimes' host OOM: Go (a syslog quoted in a public repository) and Node's V8 heap.
      ["a Go service's syslog quoted in a public repository", "Aug 31 16:24:36 invader11 goes.vnetd[3516]: fatal error: runtime: out of memory"],
      ["Node.js (V8) heap limit", "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"],
    ],
    nearMiss: [
      ["GOMEMLIMIT=8GiB ./serve --max-old-space-size=4096", null],
      ["fatal error: runtime: cgo argument has Go pointer to Go pointer", null],
    ],
  },
  {
    rule: "disk_full",
    real: [
      // Kubernetes evicting the pod for its node's disk (kubectl describe pod, quoted in a public repository).
      ["kubectl describe pod quoted in a public repository", "    Message:        The node was low on resource: ephemeral-storage. Container controller was using 16372Ki, which exceeds its request of 0.  "],
    ],
    nearMiss: [["  Message: The node was low on resource: memory. Threshold quantity: 100Mi, available: 80Mi", "killed_cgroup_oom"]],
  },
  {
    rule: "nan_invalid_values",
    real: [
      ["an RL training log quoted in a public repository", "Expected parameter loc (Tensor of shape (5120, 10)) of distribution Normal(loc: torch.Size([5120, 10]), scale: torch.Size([5120, 10])) to satisfy the constraint Real(), but found invalid values:"],
      ["a public repository's notes on a PPO crash", "> `ValueError: Expected parameter logits (Tensor of shape (64, 3)) of distribution Categorical to satisfy the constraint Real(), but found invalid values: nan`"],
      ["a public repository's bug note (torch.multinomial)", "RuntimeError: probability tensor contains either `inf`, `nan` or element < 0"],
    ],
    nearMiss: [["torch.distributions.Distribution.set_default_validate_args(False)  # skip constraint checks", null]],
  },
];

testFamilies(rules, families);

test("a traceback cut before its exception line is a failure; a disk-full warning before it names the cause", async () => {
  // crash-corpus disk_full/vits-fast-fine-tuning-397-shm-semlock-errno28.log (j), shortened.
  const frames = [
    "Traceback (most recent call last):",
    '  File "finetune_speaker_v2.py", line 372, in <module>',
    "    main()",
    '  File "finetune_speaker_v2.py", line 55, in main',
    "    mp.spawn(run, nprocs=n_gpus, args=(n_gpus, hps,))",
    '  File "/root/miniconda3/envs/vits/lib/python3.8/multiprocessing/queues.py", line 336, in __init__',
    "    self._rlock = ctx.Lock()",
  ];
  const warning = [
    "/root/miniconda3/envs/vits/lib/python3.8/site-packages/joblib/_multiprocessing_helpers.py:46: UserWarning: [Errno 28] No space left on device.  joblib will operate in serial mode",
    "  warnings.warn('%s.  joblib will operate in serial mode' % (e,))",
  ];
  assert.deepEqual(await primaryOf("cut.log", `${frames.join("\n")}\n`), { category: "python_exception", ruleId: "python_traceback" });
  assert.deepEqual(await primaryOf("cut-after-enospc.log", `${[...warning, ...frames].join("\n")}\n`), { category: "disk_full", ruleId: "disk_full_warning" });
  // The warning alone: joblib carries on in serial mode (test/fixtures/crash/healthy/vits-397-...).
  assert.equal(await primaryOf("warning-only.log", `${warning.join("\n")}\nEpoch 1: 100%|██████████| 50/50 [00:30<00:00, 1.6it/s]\n`), null);
  // A finished traceback after the warning: still the warning that explains it.
  assert.deepEqual(await primaryOf("enospc-then-error.log", `${[...warning, ...frames, "OSError: [Errno 24] Too many open files"].join("\n")}\n`), { category: "disk_full", ruleId: "disk_full_warning" });
});

test("a cut traceback never outranks what the rest of the log says (a worker's segfault, a launcher's kill)", async () => {
  const text = [
    "ERROR: Unexpected segmentation fault encountered in worker.",
    "Traceback (most recent call last):",
    '  File "/usr/lib/python3.8/site-packages/torch/utils/data/dataloader.py", line 1163, in _try_get_data',
    "    data = self._data_queue.get(timeout=timeout)",
  ].join("\n");
  assert.deepEqual(await primaryOf("cut-after-segv.log", `${text}\n`), { category: "segfault", ruleId: "segfault_worker_message" });
});

test("a time-stamped TimeoutError ends a vLLM engine's log: timeout, not a shared-memory warning", async () => {
  const text = [
    "09:10:37 (Worker_TP0) No available shared memory broadcast block found in 60 seconds.",
    "09:14:37 ERROR dump_input: Dumping scheduler stats: SchedulerStats(num_running_reqs=1, num_waiting_reqs=0,",
    "09:14:37 TimeoutError: RPC call to sample_tokens timed out.",
    "09:14:37 EngineCore encountered a fatal error.",
  ].join("\n");
  assert.deepEqual(await primaryOf("vllm-rpc.log", `${text}\n`), { category: "timeout", ruleId: "timeout_python" });
});

test("torchelastic's old summary ('Root Cause:' alone on its line) names the failed rank", async () => {
  // crash-corpus python_exception/pytorch-pr65041-torchelastic-error-json-runtimeerror.log (j), https://github.com/pytorch/pytorch/pull/65041
  const text = [
    "                                                    run_script_path FAILED",
    "====================================================================",
    "Root Cause:",
    "[0]:",
    "  time: 2021-09-14_22:01:06",
    "  rank: 0 (local_rank: 0)",
    "  exitcode: 1 (pid: 1092727)",
    "  error_file: /tmp/torchelastic_aeyvjbpe/none_8zuih7tj/attempt_0/0/error.json",
    "  msg:",
    "    {",
    '      "message": "RuntimeError: rasing error since --throw was specified",',
  ].join("\n");
  assert.deepEqual(await primaryOf("elastic-old.log", `${text}\n`), { category: "python_exception", ruleId: "launcher_failure" });
  // "Root Cause:" inside a sentence is not a summary.
  assert.equal(await primaryOf("root-cause-prose.log", "Root Cause: the data loader was slow; fixed by raising num_workers\nepoch 3 step 100 loss 0.21\n"), null);
});

test("an exception followed only by its epoch bar's final redraw (100%, N/N) ends the log", async () => {
  // crash-corpus python_exception/fff-3-lightning-modelcheckpoint-monitor-missing.log (j)
  const exc = "lightning.fabric.utilities.exceptions.MisconfigurationException: `ModelCheckpoint(monitor='validation/nll_dec')` could not find the monitored key in the returned metrics: ['training/loss', 'training/nll']";
  const done = "Epoch 1: 100%|██████████| 391/391 [01:55<00:00,  3.38it/s, v_num=1, training/loss=0.592, validation/loss=12.60]";
  assert.deepEqual(await primaryOf("lightning.log", `${exc}\n${done}\n`), { category: "python_exception", ruleId: "python_traceback" });
  // The next epoch's bar is training going on: the exception was handled.
  const next = "Epoch 2:  12%|█▏        | 47/391 [00:13<01:38,  3.49it/s, v_num=1, training/loss=0.581]";
  assert.equal(await primaryOf("lightning-went-on.log", `${exc}\n${done}\n${next}\n`), null);
});

test("gloo's send/recv timeouts are a timeout; with the NCCL watchdog's they are the NCCL failure's symptoms", async () => {
  // crash-corpus nccl_error/j-dfine-75-gloo-nccl-interleaved-timeout.log (j), shortened.
  const gloo = "RuntimeError: [../third_party/gloo/gloo/transport/tcp/unbound_buffer.cc:81] Timed out waiting 1800000ms for recv operation to complete";
  const nccl = "[rank0]:[E1112 23:34:28.613510957 ProcessGroupNCCL.cpp:616] [Rank 0] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=40402014, OpType=_ALLGATHER_BASE, NumelIn=513, NumelOut=2052, Timeout(ms)=1800000) ran for 1800046 milliseconds before timing out";
  assert.deepEqual(await primaryOf("gloo.log", `${gloo}\n`), { category: "timeout", ruleId: "timeout_collective_gloo" });
  assert.deepEqual(await primaryOf("gloo-nccl.log", `${gloo}\n${nccl}\n`), { category: "nccl_error", ruleId: "nccl_watchdog_timeout" });
});

test("torch 2.6's weights_only refusal is a code change, not a broken checkpoint; an unsupported operand is a broken file", async () => {
  // https://github.com/pytorch/pytorch/issues/150998 and https://github.com/gpoesia/minimo/pull/21
  const head = [
    "Traceback (most recent call last):",
    '  File "/home/kojoe/train.py", line 12, in <module>',
    "    state = torch.load(path)",
    '  File "/home/kojoe/.local/lib/python3.10/site-packages/torch/serialization.py", line 1548, in load',
    "    raise pickle.UnpicklingError(_get_wo_message(str(e))) from None",
  ];
  const refused = "_pickle.UnpicklingError: Weights only load failed. This file can still be loaded, to do so you have two options, do those steps only if you trust the source of the checkpoint. (1) In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` from `False` to `True`.";
  const operand = [
    "_pickle.UnpicklingError: Weights only load failed. In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will likely succeed, but it can result in arbitrary code execution. Do it only if you got the file from a trusted source.",
    "Please file an issue with the following so that we can make `weights_only=True` compatible with your use case: WeightsUnpickler error: Unsupported operand 118",
  ];
  assert.deepEqual(await primaryOf("weights-only.log", `${[...head, refused].join("\n")}\n`), { category: "python_exception", ruleId: "python_traceback" });
  assert.deepEqual(await primaryOf("weights-only-operand.log", `${[...head, ...operand].join("\n")}\n`), { category: "checkpoint_corrupt", ruleId: "python_traceback" });
});

test("a peer's death explains the other ranks' timeouts, even when its rule is a symptom", async () => {
  // Rank 1's DataLoader worker killed (https://github.com/eriklindernoren/PyTorch-YOLOv3/issues/300 wording),
  // rank 0 then times out in the store and in the NCCL watchdog.
  const text = [
    "[rank1]: RuntimeError: DataLoader worker (pid 4123) is killed by signal: Killed.",
    "[rank0]: torch.distributed.DistStoreError: Socket Timeout",
    "[rank0]:[E1112 23:34:28.613510957 ProcessGroupNCCL.cpp:616] [Rank 0] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=7, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600046 milliseconds before timing out",
  ];
  assert.equal((await primaryOf("peer-killed.log", `${text.join("\n")}\n`))?.category, "process_killed");
  // Without the death, the timeout is the finding.
  assert.deepEqual(await primaryOf("store-timeout.log", `${text.slice(1, 2).join("\n")}\n`), { category: "timeout", ruleId: "timeout_dist_socket" });
  // DeepSpeed killing the other workers after the timeout is its consequence, not a death that explains it.
  const cleanup = [text[1]!, "[2023-11-13 16:59:54,760] [INFO] [launch.py:314:sigkill_handler] Killing subprocess 9439"];
  assert.equal((await primaryOf("timeout-cleanup.log", `${cleanup.join("\n")}\n`))?.category, "timeout");
});

test("an UnpicklingError is a broken saved file even when the excerpt folds the loader's frames (IPython)", async () => {
  // crash-corpus checkpoint_corrupt/ultralytics-hub-1230-resume-epoch-27-404-unpickling.log (j), shortened.
  const text = [
    "WARNING ⚠️ Download failure, retrying 1/3 https://storage.googleapis.com/ultralytics-hub.appspot.com/users/x/models/y/epoch-27.pt... HTTP Error 404: Not Found",
    "---------------------------------------------------------------------------",
    "UnpicklingError                           Traceback (most recent call last)",
    "[/tmp/ipython-input-3430809648.py](https://localhost:8080/#) in <cell line: 0>()",
    "      2 ",
    "----> 3 model = YOLO('https://hub.ultralytics.com/models/Lh6VMAauscLE6JTQMHyB')",
    "      4 results = model.train()",
    "",
    "7 frames",
  ];
  assert.deepEqual(await primaryOf("ipython-unpickling.log", `${text.join("\n")}\n`), { category: "checkpoint_corrupt", ruleId: "python_traceback" });
});

test("a launcher's rank dead of SIGILL or SIGFPE is a native crash (segfault family), like SIGSEGV", async () => {
  // torchrun's summary table format (https://github.com/pytorch/pytorch/issues/64926 era), exit code -4 = SIGILL.
  const table = (code: string) => [
    "Root Cause (first observed failure):",
    "[0]:",
    "  time      : 2023-03-29_22:03:17",
    "  host      : finetune-job-96q2q",
    "  rank      : 4 (local_rank: 4)",
    `  exitcode  : ${code} (pid: 10)`,
    "  error_file: <N/A>",
    "==================================================",
  ].join("\n");
  assert.deepEqual(await primaryOf("sigill.log", `${table("-4")}\n`), { category: "segfault", ruleId: "launcher_root_cause_signal" });
  assert.deepEqual(await primaryOf("exit1.log", `${table("1")}\n`), { category: "python_exception", ruleId: "launcher_failure" });
});

test("in an exception chain the first exception that names a category wins over the generic wrapper raised from it", async () => {
  // The shape of a resume that reads an empty checkpoint (EOFError inside torch.load) re-raised by the caller.
  const text = [
    "Traceback (most recent call last):",
    '  File "/work/train.py", line 40, in resume',
    "    state = torch.load(path, map_location=\"cpu\")",
    '  File "/usr/lib/python3.10/site-packages/torch/serialization.py", line 1040, in load',
    "    return _legacy_load(opened_file, map_location, pickle_module, **pickle_load_args)",
    '  File "/usr/lib/python3.10/site-packages/torch/serialization.py", line 1258, in _legacy_load',
    "    magic_number = pickle_module.load(f, **pickle_load_args)",
    "EOFError: Ran out of input",
    "",
    "The above exception was the direct cause of the following exception:",
    "",
    "Traceback (most recent call last):",
    '  File "/work/train.py", line 90, in <module>',
    "    resume(args.ckpt)",
    '  File "/work/train.py", line 42, in resume',
    "    raise RuntimeError(f\"cannot resume from {path}\") from err",
    "RuntimeError: cannot resume from /ckpt/last.pt",
  ];
  assert.deepEqual(await primaryOf("chain.log", `${text.join("\n")}\n`), { category: "checkpoint_corrupt", ruleId: "python_traceback" });
});

test("a DataLoader worker's own segfault notice explains the main process's 'exited unexpectedly'", async () => {
  // The notice torch's worker signal handler prints, then the main process's error (crash-corpus segfault
  // entries of manifests a/b show the pair).
  const text = [
    "ERROR: Unexpected segmentation fault encountered in worker.",
    "Traceback (most recent call last):",
    '  File "/usr/lib/python3.8/site-packages/torch/utils/data/dataloader.py", line 990, in _try_get_data',
    "    data = self._data_queue.get(timeout=timeout)",
    "RuntimeError: DataLoader worker (pid(s) 12345) exited unexpectedly",
  ];
  assert.deepEqual(await primaryOf("worker-segv.log", `${text.join("\n")}\n`), { category: "segfault", ruleId: "segfault_worker_message" });
  // Without the notice the exit says nothing about why: the exception is reported as it is.
  assert.deepEqual(await primaryOf("worker-exit.log", `${text.slice(1).join("\n")}\n`), { category: "python_exception", ruleId: "python_traceback" });
});

test("wandb's closing report after a traceback (its last loss and step) is not training going on", async () => {
  // The report wandb prints at exit, crashed or not (format of wandb 0.15+: run history, run summary, run URL).
  const tb = [
    "Traceback (most recent call last):",
    '  File "/work/train.py", line 90, in <module>',
    "    main()",
    '  File "/work/train.py", line 60, in main',
    "    batch = next(it)",
    "KeyError: 'input_ids'",
  ];
  const report = [
    "wandb: ",
    "wandb: Run history:",
    "wandb:    train/loss █▆▅▄▃▂▂▁",
    "wandb: Run summary:",
    "wandb:    train/loss 1.2345",
    "wandb:    train/global_step 500",
    "wandb: 🚀 View run fine-tune-7b at: https://wandb.ai/team/proj/runs/abc123",
  ];
  assert.deepEqual(await primaryOf("wandb-after-crash.log", `${[...tb, ...report].join("\n")}\n`), { category: "python_exception", ruleId: "python_traceback" });
  // Real progress after the exception still means it was handled.
  assert.equal(await primaryOf("handled.log", `${[...tb, "{'loss': 0.4123, 'learning_rate': 1e-05, 'epoch': 0.43}", ...report].join("\n")}\n`), null);
});

test("tqdm redrawing its bar at the count it had reached, on the way out, is not training going on", async () => {
  const bar = "Epoch 3:  45%|████▌     | 225/500 [01:02<01:16,  3.60it/s, loss=0.31]";
  const tb = [
    "Traceback (most recent call last):",
    '  File "/work/train.py", line 60, in main',
    "    loss = model(**batch).loss",
    "KeyError: 'pixel_values'",
  ];
  assert.equal((await primaryOf("redraw.log", `${[bar, ...tb, bar].join("\n")}\n`))?.category, "python_exception");
  // The bar moving on (226/500) is training going on: the exception was handled.
  const next = "Epoch 3:  45%|████▌     | 226/500 [01:02<01:16,  3.60it/s, loss=0.30]";
  assert.equal(await primaryOf("moved-on.log", `${[bar, ...tb, next].join("\n")}\n`), null);
});

test("a long c10 stack (frame #N lines) after the exception still leaves it terminal", async () => {
  const text = [
    "Traceback (most recent call last):",
    '  File "/work/train.py", line 60, in main',
    "    out = custom_op(x)",
    "RuntimeError: custom_op: unsupported layout Strided",
    "Exception raised from check_layout at /work/csrc/op.cpp:42 (most recent call first):",
    ...Array.from({ length: 120 }, (_, i) => `frame #${i}: <unknown function> + 0x${(0x1000 + i).toString(16)} (0x7f00000${i} in /usr/lib/libtorch_cpu.so)`),
  ];
  assert.deepEqual(await primaryOf("c10-stack.log", `${text.join("\n")}\n`), { category: "python_exception", ruleId: "python_traceback" });
});

test("the other ranks' timeouts name the exception one rank raised just before them (no launcher summary)", async () => {
  const rank1 = [
    "[rank1]: Traceback (most recent call last):",
    '[rank1]:   File "/work/train.py", line 60, in main',
    "[rank1]:     batch = collate(samples)",
    "[rank1]: KeyError: 'pixel_values'",
  ];
  const rank0 = [
    "[rank0]: Traceback (most recent call last):",
    '[rank0]:   File "/usr/lib/python3.10/site-packages/torch/distributed/distributed_c10d.py", line 3915, in barrier',
    "[rank0]:     work = default_pg.barrier(opts=opts)",
    "[rank0]: torch.distributed.DistStoreError: Socket Timeout",
  ];
  assert.deepEqual(await primaryOf("rank1-keyerror.log", `${[...rank1, ...rank0].join("\n")}\n`), { category: "python_exception", ruleId: "python_traceback" });
  // The timeout alone is the finding; an exception after the timeouts is not what they waited for.
  assert.deepEqual(await primaryOf("rank0-only.log", `${rank0.join("\n")}\n`), { category: "timeout", ruleId: "timeout_dist_socket" });
  // A retried download timing out before is another wait, not the failure.
  const retry = ["Traceback (most recent call last):", '  File "/work/data.py", line 9, in fetch', "    r = requests.get(url, timeout=10)", "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='example.org', port=443): Read timed out."];
  assert.equal((await primaryOf("retry-then-timeout.log", `${[...retry, ...rank0].join("\n")}\n`))?.category, "timeout");
});

test("an exit status reported by Slurm, PyCharm or GNU time without a traceback is still a failure", async () => {
  // srun's report as public repositories' notes quote it ("srun: error: ault43: task 0: Exited with exit code 1").
  assert.deepEqual(await primaryOf("srun-exit.log", "step 100 loss 2.31\nsrun: error: ault43: task 0: Exited with exit code 1\n"), { category: "python_exception", ruleId: "launcher_failure" });
  assert.deepEqual(await primaryOf("pycharm-exit.log", "epoch 3 loss 0.52\nProcess finished with exit code 1\n"), { category: "python_exception", ruleId: "launcher_failure" });
  // 139 = 128 + SIGSEGV.
  assert.equal((await primaryOf("pycharm-139.log", "epoch 3 loss 0.52\nProcess finished with exit code 139 (interrupted by signal 11: SIGSEGV)\n"))?.category, "segfault");
  // Success, or the SIGTERM of Slurm's own cascade after scancel (143), is not a crash to report.
  assert.equal(await primaryOf("pycharm-ok.log", "epoch 3 loss 0.52\nProcess finished with exit code 0\n"), null);
  assert.equal(await primaryOf("srun-143.log", "step 100 loss 2.31\nsrun: error: node7: task 3: Exited with exit code 143\n"), null);
  // With the rank's traceback above, the exception is what is reported.
  const tb = ["Traceback (most recent call last):", '  File "/work/train.py", line 5, in <module>', "    main()", "KeyError: 'labels'"];
  assert.deepEqual(await primaryOf("srun-tb.log", `${tb.join("\n")}\nsrun: error: ault43: task 0: Exited with exit code 1\n`), { category: "python_exception", ruleId: "python_traceback" });
});

test("a kill after a printed exception (no launcher summary) is what ended the process", async () => {
  // A thread's exception printed, then the shell reports the kill (the OOM killer; the shape of many
  // 'Killed' reports, e.g. https://github.com/CharlesShang/FastMaskRCNN/issues/172).
  const text = [
    "Exception in thread Thread-3:",
    "Traceback (most recent call last):",
    '  File "/usr/lib/python3.8/threading.py", line 932, in _bootstrap_inner',
    "    self.run()",
    "ConnectionResetError: [Errno 104] Connection reset by peer",
    "Killed",
  ];
  assert.deepEqual(await primaryOf("exc-then-killed.log", `${text.join("\n")}\n`), { category: "process_killed", ruleId: "killed_shell_report" });
  // Without the kill the exception is the failure.
  assert.equal((await primaryOf("exc-only.log", `${text.slice(0, -1).join("\n")}\n`))?.category, "python_exception");
});
