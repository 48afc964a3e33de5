/**
 * Sixth rules round (issue 10): first contact on the tune collection `p` (test/fixtures/crash-corpus,
 * manifest-p; each batch scanned once before any change for it: docs/crash-accuracy.md, "Sixth round"),
 * and the weak families widened with phrasings from other projects found with the search tool: NaN
 * metric lines, unreadable checkpoints and tokenizer files, scheduler wall-clock limits, coordination
 * heartbeats, accelerator faults of AMD, TPU and Gaudi, Intel XPU runtime errors. Each rule is tried on
 * real lines (where they come from) and on near misses that must not be that rule (null: no rule at
 * all); whole texts check the engine changes (a log that ends in a stuck store barrier, an end of file
 * inside a checkpoint loader, a tokenizer config that is not JSON). The NaN patterns reworked for
 * speed are checked against their former forms on every line of the tune material.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-sixth-round-");

const families: Family[] = [
  {
    // Loss metric lines as loggers of other projects print them: mmengine/mmdet records, TF's
    // global-step line, plain step lines, tqdm descriptions, Paddle's array print, Keras' History dict.
    rule: "nan_loss_metric",
    real: [
      ["https://github.com/open-mmlab/mmdetection/issues/11893", "08/03 22:09:24 - mmengine - INFO - Epoch(train)  [1][ 500/2931]  lr: 2.0000e-02  eta: 0:39:15  time: 0.0578  data_time: 0.0017  memory: 2389  loss: nan  loss_rpn_cls: nan  loss_rpn_bbox: nan  loss_cls: nan  acc: 0.0000  loss_bbox: nan"],
      ["https://github.com/open-mmlab/mmdetection/issues/5581", "2021-07-10 20:53:14,106 - mmdet - INFO - Epoch [1][50/115]\tlr: 4.995e-05, eta: 3:17:46, time: 2.169, data_time: 0.230, memory: 29025, loss_rpn_cls: 0.6867, loss_rpn_bbox: 0.0241, loss_cls: 0.6853, acc: 52.8721, loss_bbox: nan, loss: nan"],
      ["https://github.com/ardiya/HashtagPrediction/issues/6", "INFO:tensorflow:global step 2458: loss = nan (2.34 sec/step)"],
      ["https://github.com/MahmudulAlam/Automatic-Identification-and-Counting-of-Blood-Cells/issues/15", "step 1655 - loss        nan - moving ave loss        nan"],
      ["https://github.com/InhwanBae/DMRGCN/issues/1", "Valid Epoch: 16 Loss: nan: 100% 660/660 [00:04<00:00, 143.71it/s]"],
      ["https://github.com/RyanWangZf/transtab/issues/1", "epoch: 0, test val_loss: nan"],
      ["https://github.com/PacktPublishing/Hands-On-Deep-Learning-for-Finance/issues/11", "Epoch: 79/100 Iteration: 80 Validation loss:    nan Validation acc: nan"],
      ["crash-corpus nan_loss/PaddleSlim-1582-paddle-loss-bracket-nan.log (p), https://github.com/PaddlePaddle/PaddleSlim/issues/1582", "2022-12-08 17:57:32,672-INFO: Total iter: 10, epoch: 0, batch: 10, loss: [nan]"],
      ["https://github.com/arita37/mlmodels_store (CI log of mlmodels' model_keras/armdn.py)", "  fitted metrics {'loss': [nan, nan, nan, nan, nan, nan, nan, nan, nan, nan]} "],
      ["https://github.com/Kotlin/kotlindl/issues/8", "Training batch 28 ends with loss NaN."],
      ["https://github.com/shinjayne/shinTB/issues/14", "GLOBAL STEP : 29003 / LEARNING RATE : 0.001 / **LOSS : nan** ( 1.9297988414764404 secs)"],
    ],
    nearMiss: [
      // A misspelt key, a finite first value, the loss scale, counters and a healthy initial best.
      ["Train_loss: 46.05170378351126, Val_los: nan", null],
      ["{'loss': [0.6931, nan]}", null],
      ["loss_scale: nan", null],
      ["| number of skipped iterations:   0 | number of nan iterations:   0 |", null],
      ["best_val_loss: inf", null],
      // A trainer that skips the batch or step and goes on (alibaba/FederatedScope#777,
      // utcsilab/deep-jsense#2): no crash by itself; metric lines say when the run diverged.
      ["WARNING: Skip the batch due to the loss is NaN, it may be caused by exceeding the precision or invalid labels", null],
      ["skipping a NaN loss", null],
      // A NaN loss named in prose (a maintainer explaining a benign warning).
      ["When a NaN loss is encountered, the batch is skipped and loss scale is adjusted - global step is not incremented.", null],
    ],
  },
  {
    // safetensors' header error kinds by name: they survive a message mangled in the paste.
    rule: "ckpt_safetensors_header",
    real: [
      ["crash-corpus checkpoint_corrupt/dreamfusionacc-5-safetensors-metadata-incomplete-buffer.log (p), https://github.com/chinhsuanwu/dreamfusionacc/issues/5", "safetensors_rust. SafetensorError: Error while de eserializing header:MetadataIncompleteBuffer"],
      ["https://github.com/Comfy-Org/ComfyUI/issues/3225 (title)", "Error happend：safetensors_rust.SafetensorError: Error while deserializing header: MetadataIncompleteBuffer"],
      ["https://github.com/safetensors/safetensors/issues/278", "safetensors_rust.SafetensorError: Error while deserializing header: InvalidHeaderDeserialization"],
    ],
    nearMiss: [
      // A key the file does not hold is a model/checkpoint mismatch, not a broken file.
      ["safetensors_rust.SafetensorError: File does not contain tensor model.embed_tokens.weight", null],
    ],
  },
  {
    // Saved models their loader cannot read, in GGUF's, TensorFlow's and Orbax/TensorStore's words.
    rule: "ckpt_bad_format",
    real: [
      ["https://github.com/OpenBMB/MiniCPM/issues/250", "gguf_init_from_file: invalid magic characters 'vers'"],
      ["https://github.com/ggml-org/llama.cpp/issues/3492", "gguf_init_from_file: invalid magic number 67676a74"],
      ["https://github.com/unslothai/unsloth/issues/1500", "gguf_init_from_file: invalid magic characters ''"],
      ["https://github.com/city96/ComfyUI-GGUF/issues/43", "ValueError: GGUF magic invalid"],
      ["https://github.com/YangZeyu95/unofficial-implement-of-openpose/issues/33", "DataLossError (see above for traceback): Checksum does not match: stored 2112521139 vs. calculated on the restored bytes 4004437628"],
      ["crash-corpus checkpoint_corrupt/orbax-1484-ocdbt-zarr-metadata-does-not-exist.log (p), https://github.com/google/orbax/issues/1484", "ValueError: NOT_FOUND: Error opening \"cast\" driver: Error opening \"zarr\" driver:"],
      ["https://github.com/google/orbax/issues/324", "ValueError: FAILED_PRECONDITION: Error opening \"zarr\" driver: Expected \"compressor\" of {\"id\":\"gzip\",\"level\":1} but received: {\"id\":\"zstd\",\"level\":1}"],
      ["https://github.com/cgarciae/ciclo/issues/12", "FileNotFoundError: File not found: ss_model/checkpoint_-0.19632871448993683/.zarray. In many cases, this results from copying a checkpoint without using the `-a` flag."],
    ],
    nearMiss: [
      ["Error: invalid file magic", null],
      ["WARNING:absl:Configured `CheckpointManager` using deprecated legacy API. Please follow the instructions at https://orbax.readthedocs.io/en/latest/api_refactor.html to migrate.", null],
    ],
  },
  {
    rule: "ckpt_truncated",
    real: [
      ["https://github.com/cleinc/bts/issues/76", "`RuntimeError : storage has wrong size: expected 0 got 82944`"],
    ],
    nearMiss: [["RuntimeError: shape '[64, 3, 7, 7]' is invalid for input of size 9408", "python_shape_mismatch"]],
  },
  {
    // Hugging Face tokenizers (Rust serde_json) reading a tokenizer.json that is not JSON.
    rule: "ckpt_tokenizer_json",
    real: [
      ["https://github.com/FlagAI-Open/Aquila2/issues/63", "Exception: EOF while parsing a value at line 156568 column 3"],
      ["https://github.com/huggingface/transformers/issues/22389", "Exception: expected value at line 1 column 1"],
      ["https://github.com/Saganaki22/Higgs_v3-TTS-ComfyUI/issues/12", "- **Exception Message:** Exception: expected value at line 1 column 1"],
      ["https://github.com/huggingface/tokenizers/issues/1506", "Exception: invalid type: integer `404`, expected struct Tokenizer at line 1 column 3"],
    ],
    nearMiss: [
      // A tokenizer.json written by a newer tokenizers release: the file is fine, the library is old.
      ["Exception: data did not match any variant of untagged enum ModelWrapper at line 1 column 2", null],
      ["json.decoder.JSONDecodeError: Expecting value: line 2 column 1 (char 1)", null],
    ],
  },
  {
    // The accelerator itself failing: AMD's HSA runtime, TPU runtimes, Habana's kernel driver.
    rule: "gpu_accelerator_fault",
    real: [
      ["https://github.com/ROCm/legacy-rocm-build/issues/5259", "HW Exception by GPU node-4 (Agent handle: 0x1ebc04e0) reason :GPU Hang"],
      ["https://github.com/lamikr/rocm_sdk_builder/issues/141", "`HW Exception by GPU node-1 (Agent handle: 0x5ab48bbcc960) reason :GPU Hang`"],
      ["https://github.com/komikndr/raylight/issues/102", "(pid=63079) :  25%|████████▊                 | 5.00/20.0 [1:04:24<3:07:19, 749s/it]HW Exception by GPU node-1 (Agent handle: 0x3508fba0) reason :GPU Hang"],
      ["https://github.com/tensorflow/tpu/issues/785", "Core halted unexpectedly:"],
      ["https://github.com/zihangdai/xlnet/issues/90", "I0629 20:17:54.098071 140019624834816 error_handling.py:70] Error recorded from outfeed: Bad hardware status: 0x1"],
      ["https://github.com/AI-Hypercomputer/maxtext/pull/2041", "E0511 18:18:50.796852     915 tpunetd_client.cc:311] Detected failure SLICE_FAILURE_CHIP_DRIVER_ERROR in session e6c885828b538167; Start failure handling"],
      ["https://github.com/AI-Hypercomputer/maxtext/pull/2041", "E0511 18:18:50.796514     915 session_master.cc:505] Session is failing with the following status: Session master detected TPU session error from worker tpu-job-jax-v6e-8-5-15.headless-svc:8471. The reporting TPU chip locations are:tpu31:pe4:3, "],
      ["crash-corpus gpu_hardware/HabanaAI-setup-1-gaudi-device-not-usable-cpu-cp-timeout.log (p), https://github.com/HabanaAI/Setup_and_Install/issues/1", "[   72.993269] habanalabs 0000:1a:00.0: Failed to initialize hl2. Device is NOT usable !"],
      ["crash-corpus gpu_hardware/HabanaAI-setup-1-gaudi-device-not-usable-cpu-cp-timeout.log (p), https://github.com/HabanaAI/Setup_and_Install/issues/1", "[   72.993087] habanalabs hl2: Failed to communicate with Device CPU (CPU-CP timeout)"],
    ],
    nearMiss: [
      ["habanalabs hl0: Successfully added device 0000:1a:00.0 to habanalabs driver", null],
      // Gaudi's busy device is a scheduling problem, not a broken one.
      ["RuntimeError: synStatus=20 [Device already acquired] Device acquire failed.", null],
    ],
  },
  {
    // The MES firmware of an AMD GPU no longer answering: the hang before a reset.
    rule: "gpu_amdgpu_reset",
    real: [["https://github.com/lamikr/rocm_sdk_builder/issues/141", "2024-08-18T01:19:27.141093+00:00 minipc kernel: amdgpu 0000:c3:00.0: amdgpu: MES failed to respond to msg=REMOVE_QUEUE"]],
    nearMiss: [["[    9.928570] amdgpu 0000:7b:00.0: amdgpu: Fetched VBIOS from VFCT", null]],
  },
  {
    // Other schedulers' wall-clock limits (PBS/Torque, LSF, Moab), as Slurm's TIME LIMIT.
    rule: "timeout_scheduler_limit",
    real: [
      ["https://github.com/marbl/canu/issues/1214", "=>> PBS: job killed: walltime 86415 exceeded limit 86400"],
      ["https://github.com/biocore/qiime/issues/1048", "=>> PBS: job killed: walltime 259217 exceeded limit 259200"],
      ["https://github.com/marbl/canu/issues/444", "TERM_RUNLIMIT: job killed after reaching LSF run time limit."],
      ["https://github.com/CoBrALab/MAGeTbrain/issues/20", "MOAB_INFO:  job exceeded wallclock limit"],
    ],
    nearMiss: [
      ["#PBS -l walltime=24:00:00", null],
      ["    Run time :                                   3609 sec.", null],
    ],
  },
  {
    // A connection or download timing out in macOS' errno and urllib's own wording.
    rule: "timeout_python",
    real: [
      ["https://github.com/ondyari/FaceForensics/issues/27", "> urllib.error.URLError: <urlopen error [Errno 60] Operation timed out>"],
      ["https://github.com/DCASE-REPO/dcase_util/issues/30", "> urllib.error.URLError: urlopen error timed out"],
    ],
    nearMiss: [
      // A refused connection is not a timeout.
      ["urllib.error.URLError: <urlopen error [WinError 10061]，Loading pretrained weights from url Downloading", null],
      ["urllib.error.URLError: <urlopen error [Errno 111] Connection refused>", null],
    ],
  },
  {
    // A distributed runtime's coordination service giving up on a task (JAX/XLA, TensorFlow).
    rule: "timeout_coordination_heartbeat",
    real: [["crash-corpus timeout/jax-23599-coordination-service-heartbeat-timeout.log (p), https://github.com/jax-ml/jax/issues/23599", "2024-10-09 15:47:38.568412: E external/xla/xla/tsl/distributed_runtime/coordination/coordination_service.cc:1170] /job:jax_worker/replica:0/task:0 has been set to ERROR in coordination service: UNAVAILABLE: Task /job:jax_worker/replica:0/task:0 heartbeat timeout. This indicates that the remote task has failed, got preempted, or crashed unexpectedly."]],
    nearMiss: [["jax.distributed.initialize(coordinator_address, num_processes, process_id, heartbeat_timeout_seconds=100)", null]],
  },
  {
    // ProcessGroupNCCL's heartbeat monitor aborting a rank whose watchdog is stuck: the watchdog family.
    rule: "nccl_watchdog_heartbeat",
    real: [
      ["https://github.com/hiyouga/LlamaFactory/issues/6953", "[rank144]:[E ProcessGroupNCCL.cpp:1316] [PG 0 Rank 144] Heartbeat monitor timed out! Process will be terminated after dumping debug info. workMetaList_.size()=1"],
      ["https://github.com/Intellindust-AI-Lab/DEIM/issues/105", "[rank1]:[E ProcessGroupNCCL.cpp:1316] [PG 0 Rank 1] Heartbeat monitor timed out! Process will be terminated after dumping debug info. workMetaList_.size()=103"],
      ["https://github.com/xdit-project/xDiT/issues/147", "[rank4]:[E ProcessGroupNCCL.cpp:1316] [PG 5 Rank 0] Heartbeat monitor timed out! Process will be terminated after dumping debug info. workMetaList_.size()=2"],
    ],
    nearMiss: [["export TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC=1800", null]],
  },
  {
    // The c10d store get that NCCL's communicator set-up waits on, timing out.
    rule: "timeout_store_socket",
    real: [["crash-corpus timeout/pytorch-82091-nccluniqueid-store-get-timeout-waiting-for-key.log (p), https://github.com/pytorch/pytorch/issues/82091", "# RuntimeError: [1] is setting up NCCL communicator and retreiving ncclUniqueId from [0] via c10d key-value store by key '0', but store->get('0') got error: Timeout waiting for key: default_pg/0/0 after"]],
    nearMiss: [["[I socket.cpp:624] [c10d] The client socket has connected to [localhost]:29500 on [localhost]:52338.", null]],
  },
  {
    // CuPy's memory pool running out (Chainer's trainer prints it as "Exception in main training loop").
    rule: "cuda_oom_other_runtimes",
    real: [
      ["crash-corpus cuda_oom/see-27-chainer-main-loop-out-of-memory-to-allocate.log (r), https://github.com/Bartzi/see/issues/27", "Exception in main training loop: out of memory to allocate 172800000 bytes (total 4223769600 bytes)"],
      ["https://github.com/motokimura/spacenet_building_detection/issues/3", "Exception in main training loop: out of memory to allocate 163840000 bytes (total 1673061376 bytes)"],
      ["https://github.com/cupy/cupy/issues/2537", "Exception in main training loop: Out of memory allocating 25,600,000 bytes (allocated so far: 3,635,267,072 bytes)."],
    ],
    nearMiss: [
      // With its type on the line, the generic OOM rule names it first.
      ["cupy.cuda.memory.OutOfMemoryError: out of memory to allocate 1073741824 bytes (total 12373894656 bytes)", "cuda_oom_generic"],
      ["numpy.core._exceptions._ArrayMemoryError: Unable to allocate 3.73 GiB for an array with shape (500000, 1000) and data type float64", "host_oom_numpy"],
    ],
  },
  {
    // bitsandbytes failing to load its CUDA library at import (its own wording, old and new).
    rule: "import_native_library",
    real: [
      ["crash-corpus import_error/bitsandbytes-492-centos-cuda-setup-failed-rich-trace.log (r), https://github.com/bitsandbytes-foundation/bitsandbytes/issues/492", "        CUDA Setup failed despite GPU being available. Please run the following command to get more information:"],
      ["https://github.com/bitsandbytes-foundation/bitsandbytes/issues/1522", "        CUDA Setup failed despite GPU being available. Inspect the CUDA SETUP outputs above to fix your environment!"],
      ["https://github.com/bitsandbytes-foundation/bitsandbytes/issues/1193", "CUDA SETUP: Setup Failed!"],
    ],
    nearMiss: [["CUDA SETUP: WARNING! CUDA runtime files not found in any environmental path.", null]],
  },
  {
    // A batch-size probe's failed try (heretic): the probe catches it and goes on.
    rule: "cuda_oom_batch_reduced",
    real: [["crash-corpus none/heretic-362-batch-size-probe-oom-recovered.log (r), https://github.com/p-e-w/heretic/pull/362", "* Trying batch size 256... Failed (CUDA out of memory...)"]],
    nearMiss: [["* Trying batch size 128... Ok (814 tokens/s)", null]],
  },
  {
    // NCCL_DEBUG=INFO's trace of an error code on its way back up to the API call (group.cc).
    rule: "nccl_error_return_chain",
    real: [
      ["crash-corpus nccl_error/nccl-1099-socketpollconnect-silent-minus-2-chain.log (r), https://github.com/NVIDIA/nccl/issues/1099", "nd20-01:191191:191191 [0] NCCL INFO group.cc:106 -> 2"],
      ["https://github.com/NVIDIA/nccl/issues/1653", "DESKTOP-1CE5APL:2852:3596 [0] NCCL INFO group.cc:64 -> 1 [Async thread]"],
      ["https://github.com/alisson-anjos/diffusion-pipe-ui/issues/10", "bd73ab638b22:502:502 [0] NCCL INFO group.cc:418 -> 1"],
    ],
    nearMiss: [
      // Lower frames of the chain say where it began; a zero is success.
      ["nd20-01:191191:219889 [0] NCCL INFO misc/socket.cc:564 -> 2", null],
      ["node1:1:2 [0] NCCL INFO group.cc:106 -> 0", null],
    ],
  },
  {
    // Windows' access violation (0xC0000005) as subprocess reports a child's exit status.
    rule: "segfault_windows_access_violation",
    real: [
      ["crash-corpus segfault/kohya-ss-2556-accelerate-exit-status-3221225477.log (r), https://github.com/bmaltais/kohya_ss/issues/2556", "subprocess.CalledProcessError: Command '['C:\\\\kohya_new\\\\kohya_ss\\\\venv\\\\Scripts\\\\python.exe', 'C:/kohya_new/kohya_ss/sd-scripts/sdxl_train_network.py']' returned non-zero exit status 3221225477."],
      ["https://github.com/worawit/blutter/issues/203 (title)", "subprocess.CalledProcessError returned non-zero exit status 3221225477."],
    ],
    nearMiss: [["subprocess.CalledProcessError: Command '['python', 'train.py']' returned non-zero exit status 1.", null]],
  },
  {
    // gloo's own assertion failing in its TCP transport (Caffe2, torch's gloo backend).
    rule: "gloo_enforce_fail",
    real: [["crash-corpus nccl_error/caffe2-360-gloo-enforcenotmet-fd-not-closed.log (r)", "  what():  [enforce fail at /nfs/AMBUJ/Caffe2_LatestGLOO2/caffe2/third_party/gloo/gloo/transport/tcp/pair.cc:592] fd_ == FD_INVALID. 46 vs -1. File descriptor not closed"]],
    nearMiss: [["RuntimeError: [enforce fail at inline_container.cc:145] . PytorchStreamReader failed reading zip archive: failed finding central directory", "ckpt_torch_zip"]],
  },
  {
    // Open MPI aborting on an error (MPI_ERRORS_ARE_FATAL), as Horovod jobs print it.
    rule: "mpi_errors_fatal",
    real: [["crash-corpus nccl_error/horovod-465-mpi-init-thread-null-communicator-abort.log (r)", "*** An error occurred in MPI_Init_thread"]],
    nearMiss: [["[host1:71142] Local abort before MPI_INIT completed completed successfully,", null]],
  },
  {
    // NCCL's last warning as XLA quotes it in its own error.
    rule: "cuda_oom_nccl",
    real: [["crash-corpus cuda_oom/openxla-xla-7201-ncclcomminitrank-cuda-failure-out-of-memory.log (r)", "NCCL operation ncclCommInitRank(&comm, nranks, id, rank) failed: unhandled cuda error (run with NCCL_DEBUG=INFO for details). Last NCCL warning(error) log entry (may be unrelated) 'Cuda failure 2 'out of memory''.; current tracing scope: all-reduce-start.285"]],
    nearMiss: [["NCCL operation ncclCommInitRank(&comm, nranks, id, rank) failed: unhandled cuda error (run with NCCL_DEBUG=INFO for details).", "nccl_cuda_error"]],
  },
  {
    rule: "cuda_oom_xla",
    real: [["crash-corpus cuda_oom/xla-1735-tpu-hbm-attempting-to-reserve-bottom-of-memory.log (r)", "Attempting to reserve 3.95G at the bottom of memory. That was not possible. There are 1.92G free, 0B reserved, and 1.92G reservable.; "]],
    nearMiss: [["; attempting reservation for program memory", null]],
  },
  {
    // glibc aborting a thread that caught its forced-unwind exception and did not rethrow it.
    rule: "segfault_heap_corruption",
    real: [["crash-corpus segfault/pytorch-136726-rpc-exception-not-rethrown-aborted.log (r), https://github.com/pytorch/pytorch/issues/136726", "FATAL: exception not rethrown"]],
    nearMiss: [["[E926 11:11:00.604243366 thread_pool.cpp:138] Exception in thread pool task: unknown", null]],
  },
  {
    // bash's job report of a segfault in a Chinese locale.
    rule: "segfault_shell",
    real: [["crash-corpus segfault/sling-160-bash-localized-segfault-train-sh.log (r)", "./sling/nlp/parser/tools/train.sh: 行 242:  6496 段错误               python sling/nlp/parser/tools/train.py --master_spec=\"${OUTPUT_FOLDER}/master_spec\""]],
    nearMiss: [["段错误是什么意思", null]],
  },
  {
    // A CUDA call NCCL made that failed, as NCCL reports it (its WARN line or the "Last error:" of
    // ncclUnhandledCudaError): labelled nccl_error in the corpus (p's nccl-1653 says cuda_error; r,
    // tune and heldout say nccl_error), OOM and illegal address keep their own rules.
    rule: "nccl_cuda_error",
    real: [
      ["crash-corpus nccl_error/NeMo-RL-1683-cuda-failure-217-peer-access-one-line.log (r), https://github.com/NVIDIA-NeMo/RL/issues/1683", "Cuda failure 217 'peer access is not supported between these two devices'"],
      ["https://github.com/NVIDIA/nccl/issues/1410", "[rank7]: Cuda failure 1 'invalid argument'"],
      ["https://github.com/NVIDIA/nccl-tests/issues/276", "gpu47:4962:5097 [1] transport/nvls.cc:223 NCCL WARN Cuda failure 999 'unknown error"],
    ],
    nearMiss: [
      ["[2025-09-24 16:15:28] cw-dfw-h100-001-132-026:2999605:3004403 [0] include/alloc.h:228 NCCL WARN Cuda failure 2 'out of memory'", "cuda_oom_nccl"],
      ["node1:1234:5678 [0] include/alloc.h:228 NCCL WARN Cuda failure 700 'an illegal memory access was encountered'", "cuda_illegal_address"],
    ],
  },
  {
    // TensorFlow's wording of cuBLAS failing to create its handle: the GPU already full.
    rule: "cuda_oom_handle_create",
    real: [["crash-corpus cuda_oom/tensorflow-30912-cublas-not-initialized-cuda-error-oom-32m.log (r), https://github.com/tensorflow/tensorflow/issues/30912", "2019-07-21 23:23:06.224853: E tensorflow/stream_executor/cuda/cuda_blas.cc:238] failed to create cublas handle: CUBLAS_STATUS_NOT_INITIALIZED"]],
    nearMiss: [["2019-07-21 23:23:06.136829: I tensorflow/stream_executor/platform/default/dso_loader.cc:42] Successfully opened dynamic library libcublas.so.10", null]],
  },
  {
    // Intel XPU (SYCL / Unified Runtime) errors through torch's xpu device and IPEX.
    rule: "cuda_xpu_native_api",
    real: [
      ["https://github.com/intel/ipex-llm/issues/10173", "RuntimeError: Native API failed. Native API returns: -999 (Unknown PI error) -999 (Unknown PI error)"],
      ["https://github.com/intel/AI-Playground/issues/125", "RuntimeError: Native API failed. Native API returns: -1102 (PI_ERROR_UNINITIALIZED) -1102 (PI_ERROR_UNINITIALIZED)"],
      ["https://github.com/intel/torch-xpu-ops/issues/1498", "RuntimeError: Native API failed. Native API returns: 29 (UR_RESULT_ERROR_INVALID_KERNEL_NAME)"],
      ["https://github.com/intel/torch-xpu-ops/issues/1236", "RuntimeError: Native API failed. Native API returns: 2147483646 (UR_RESULT_ERROR_UNKNOWN)"],
      ["crash-corpus cuda_error/ipex-822-xpu-ur-error-bernoulli.log (p), https://github.com/intel/intel-extension-for-pytorch/issues/822", "RuntimeError: UR error"],
    ],
    nearMiss: [
      // Out of device memory is an OOM, whatever runtime says it.
      ["RuntimeError: Native API failed. Native API returns: 39 (UR_RESULT_ERROR_OUT_OF_DEVICE_MEMORY)", "cuda_oom_other_runtimes"],
      ["RuntimeError: URL error", null],
    ],
  },
];

testFamilies(rules, families);

// The NaN metric patterns were rewritten so that V8 starts each match at its literal ("loss",
// "iteration") instead of trying a variable prefix at every position; the former forms are kept here
// and must give the same answer (match or not, and the value) on every line of the tune material.
// The two Megatron patterns became one (the absence of "loss: " is checked once per line).
const FORMER_PLAIN_KEY = String.raw`\b(?:lm |train[_/ ]?|total[_ ]|val[_ ]|valid[_ ]|eval[_ ]|validation[_ ])?loss\b["'\]]?\s*[:=]?\s*["']?(?:tensor\(\[?|\[)?[-+]?(?<value>nan|inf)\b`;
const FORMER_PREFIXED_KEY = String.raw`\b(?:[a-z0-9]{1,32}[_/.]){0,6}loss(?:[_/.](?!scale)[a-z0-9]{1,32}){0,4}["']?\s*[:=]\s*["']?(?:tensor\(\[?|\[)?[-+]?(?<value>nan)\b`;
const FORMER_MEGATRON = [
  String.raw`\biteration\s+\d+/\s*\d+ \|(?:(?!loss: ).)*\| loss scale: 1\.0 \|(?:(?!loss: |skipped iterations: +[1-9]).)*$`,
  String.raw`\biteration\s+\d+/\s*\d+ \|(?:(?!loss: ).)*\| number of skipped iterations: +0 \|(?:(?!loss: ).)*$`,
];

test("the NaN patterns reworked for speed match exactly the lines their former forms matched", () => {
  const rule = (id: string) => rules.rules.find((r) => r.id === id)!;
  // Each: the former form(s) (a line matches when one does) and the pattern now.
  const pairs: [RegExp[], RegExp][] = [
    [[new RegExp(FORMER_PLAIN_KEY, "i")], rule("nan_loss_metric").patterns[0]!],
    [[new RegExp(FORMER_PREFIXED_KEY, "i")], rule("nan_loss_metric").patterns[1]!],
    [FORMER_MEGATRON.map((src) => new RegExp(src)), rule("nan_loss_megatron_missing").patterns[0]!],
  ];
  assert.equal(rule("nan_loss_megatron_missing").patterns.length, 1);
  const corpus = path.join(import.meta.dirname, "fixtures", "crash-corpus");
  const lines: string[] = [];
  for (const m of ["a", "b", "e", "j", "k", "m", "n"]) {
    for (const l of fs.readFileSync(path.join(corpus, `manifest-${m}.jsonl`), "utf8").split("\n").filter(Boolean)) {
      lines.push(...fs.readFileSync(path.join(corpus, (JSON.parse(l) as { file: string }).file), "utf8").split(/\r?\n/));
    }
  }
  // Lines of every shape the patterns care about, hits and near misses.
  lines.push(
    "[default0]: iteration     1200/  500000 | consumed samples:      1536000 | learning rate: 1.2E-04 | global batch size:  1280 | loss scale: 1.0 | grad norm: nan | number of skipped iterations:   0 | number of nan iterations:   0 |",
    "[default0]: iteration     1200/  500000 | consumed samples:      1536000 | lm loss: 2.3E+00 | loss scale: 1.0 | grad norm: 0.3 | number of skipped iterations:   0 |",
    " iteration      100/   10000 | loss scale: 1.0 | number of skipped iterations:   3 | number of nan iterations:   3 |",
    "train/loss_step=nan, val.loss: NaN, a_b_c_d_e_f_g_loss: nan, loss_scale: nan, x_loss = -nan, 'loss': [nan]",
    "lm loss: NaN | valid loss inf | xloss: nan | Train_loss: inf | eval_loss=-inf | total loss: nan",
  );
  let hits = 0;
  for (const line of lines) {
    for (const [former, now] of pairs) {
      const a = former.map((re) => re.exec(line)).find((m) => m !== null) ?? null;
      const b = now.exec(line);
      assert.equal(b?.groups?.value, a?.groups?.value, `${now.source} on ${JSON.stringify(line.slice(0, 200))}`);
      assert.equal(b !== null, a !== null, `${now.source} on ${JSON.stringify(line.slice(0, 200))}`);
      if (a) hits++;
    }
  }
  assert.ok(hits >= 10, `only ${hits} matching lines: the comparison must see hits`);
});

const BARRIER = (rank: number, count: number, world = 8) =>
  `05/10/2023 23:07:45 - INFO - torch.distributed.distributed_c10d - Waiting in store based barrier to initialize process group for rank: ${rank}, key: store_based_barrier_key:2 (world_size=${world}, worker_count=${count}, timeout=0:30:00)`;

test("a log that ends with ranks still waiting in the store-based barrier is a timeout (accelerate#1401)", async () => {
  const text = ["zet zero3_init_flag=false ,also get same error", "", "```shell", ...[0, 1, 2, 3, 4].map(() => BARRIER(0, 1)), "```", ""].join("\n");
  assert.deepEqual(await primaryOf("stuck-barrier.log", text), { category: "timeout", ruleId: "store_barrier_stuck" });
  // More workers than the world size (yolov5#4574: two jobs on one store) never completes either.
  const over = Array.from({ length: 4 }, () => "Waiting in store based barrier to initialize process group for rank: 0, key: store_based_barrier_key:1 (world_size=4, worker_count=8, timeout=0:30:00)").join("\n");
  assert.deepEqual(await primaryOf("over-barrier.log", `${over}\n`), { category: "timeout", ruleId: "store_barrier_stuck" });
});

test("store-based barrier waits a healthy start prints are no crash: completed, followed by training, or a single wait", async () => {
  const completed = [BARRIER(0, 7), BARRIER(0, 7), "INFO - torch.distributed.distributed_c10d - Rank 0: Completed store-based barrier for key:store_based_barrier_key:1 with 8 nodes.", "{'loss': 2.3011, 'learning_rate': 4.9e-05, 'epoch': 0.01}"].join("\n");
  assert.equal(await primaryOf("completed.log", `${completed}\n`), null);
  assert.equal(await primaryOf("one-wait.log", `starting\n${BARRIER(3, 7)}\n`), null);
  assert.equal(await primaryOf("all-joined.log", `${BARRIER(0, 8)}\n${BARRIER(0, 8)}\n`), null);
});

test("a store-based barrier after a real failure does not hide it", async () => {
  const text = ["Traceback (most recent call last):", '  File "train.py", line 10, in <module>', "    import deepspeed", "ModuleNotFoundError: No module named 'deepspeed'", BARRIER(0, 7), BARRIER(0, 7)].join("\n");
  assert.equal((await primaryOf("failure-then-wait.log", `${text}\n`))?.category, "import_error");
});

test("an end of file inside a framework's checkpoint loader is a broken checkpoint (mmdetection#8204, IPython)", async () => {
  const text = [
    "EOFError                                  Traceback (most recent call last)",
    "/tmp/ipykernel_60391/991485170.py in <module>",
    "----> 1 train_detector(model, datasets[0], cfg, distributed=False, validate=True)",
    "",
    "~/.local/lib/python3.8/site-packages/mmcv/runner/base_runner.py in load_checkpoint(self, filename, map_location, strict, revise_keys)",
    "--> 339         return load_checkpoint(",
    "",
    "~/.local/lib/python3.8/site-packages/mmcv/runner/checkpoint.py in load_checkpoint(model, filename, map_location, strict, logger, revise_keys)",
    "--> 617     checkpoint = _load_checkpoint(filename, map_location, logger)",
    "",
    "EOFError: Ran out of input",
  ].join("\n");
  assert.equal((await primaryOf("mmcv-eof.log", `${text}\n`))?.category, "checkpoint_corrupt");
  // The same error unpickling what a parent process sent is that parent's death, not a file.
  const spawn = [
    "Traceback (most recent call last):",
    '  File "<string>", line 1, in <module>',
    '  File "C:\\Python38\\lib\\multiprocessing\\spawn.py", line 116, in spawn_main',
    "    exitcode = _main(fd, parent_sentinel)",
    '  File "C:\\Python38\\lib\\multiprocessing\\spawn.py", line 126, in _main',
    "    self = reduction.pickle.load(from_parent)",
    "EOFError: Ran out of input",
  ].join("\n");
  assert.equal((await primaryOf("spawn-eof.log", `${spawn}\n`))?.category, "python_exception");
});

test("a tokenizer config that is not JSON is a broken checkpoint file; other JSON errors stay exceptions", async () => {
  const frames = (inner: string[]) => [
    "Traceback (most recent call last):",
    '  File "train.py", line 12, in <module>',
    "    tokenizer = AutoTokenizer.from_pretrained(args.model)",
    ...inner,
    '  File "/usr/lib/python3.10/json/decoder.py", line 340, in decode',
    '    raise JSONDecodeError("Extra data", s, end)',
    "json.decoder.JSONDecodeError: Extra data: line 62 column 2 (char 1304)",
  ].join("\n");
  const tokenizer = frames(['  File "/opt/venv/lib/python3.10/site-packages/transformers/models/auto/tokenization_auto.py", line 1073, in from_pretrained', "    tokenizer_config = get_tokenizer_config(pretrained_model_name_or_path, **kwargs)", '  File "/opt/venv/lib/python3.10/site-packages/transformers/models/auto/tokenization_auto.py", line 905, in get_tokenizer_config', "    result = json.load(reader)"]);
  assert.equal((await primaryOf("tokenizer-config.log", `${tokenizer}\n`))?.category, "checkpoint_corrupt");
  const data = frames(['  File "train.py", line 30, in load_rows', "    rows = json.loads(line)"]);
  assert.equal((await primaryOf("data-json.log", `${data}\n`))?.category, "python_exception");
});

test("a batch-size probe that recovers from its failed tries is no crash; a failure right after it is the OOM", async () => {
  const probe = ["Determining optimal batch size...", "* Trying batch size 128... Ok (814 tokens/s)", "* Trying batch size 256... Failed (CUDA out of memory...)", "* Trying batch size 192... Ok (902 tokens/s)", "* Chosen batch size: 192"].join("\n");
  assert.equal(await primaryOf("probe-ok.log", `${probe}\n`), null);
  const failed = [probe, "Traceback (most recent call last):", '  File "run.py", line 40, in <module>', "    main()", "RuntimeError: probe left no batch size that fits"].join("\n");
  assert.equal((await primaryOf("probe-failed.log", `${failed}\n`))?.category, "cuda_oom");
});

test("a traceback cut inside DeepSpeed's launcher after it killed the workers is its teardown: the worker's exception is the cause (DeepSpeed#854)", async () => {
  const text = [
    "IndexError: list index out of range",
    "Killing subprocess 3232868",
    "Killing subprocess 3232869",
    "Traceback (most recent call last):",
    '  File "/home/stas/anaconda3/envs/main-38/lib/python3.8/runpy.py", line 194, in _run_module_as_main',
    "    return _run_code(code, main_globals, None,",
    '  File "/mnt/nvme1/code/github/00optimize/DeepSpeed/deepspeed/launcher/launch.py", line 171, in <module>',
    "    main()",
    '  File "/mnt/nvme1/code/github/00optimize/DeepSpeed/deepspeed/launcher/launch.py", line 161, in main',
    "    sigkill_handler(signal.SIGTERM, None)  # not coming back",
  ].join("\n");
  assert.deepEqual(await primaryOf("ds-teardown.log", `${text}\n`), { category: "python_exception", ruleId: "python_traceback" });
  // The launcher killing its workers with no exception before it still names the kill.
  assert.equal((await primaryOf("ds-kill-only.log", "Killing subprocess 3232868\nKilling subprocess 3232869\n"))?.category, "process_killed");
});


test("an exception raised in a finalizer (__del__) is one Python ignored, even when the excerpt lost its 'Exception ignored in' line", async () => {
  const del = (lines: string[]) => ["Traceback (most recent call last):", '  File "/opt/conda/lib/python3.8/site-packages/torch/utils/data/dataloader.py", line 1466, in __del__', "    self._shutdown_workers()", '  File "/opt/conda/lib/python3.8/multiprocessing/process.py", line 160, in is_alive', "    assert self._parent_pid == os.getpid(), 'can only test a child process'", "AssertionError: can only test a child process", ...lines].join("\n");
  assert.equal(await primaryOf("del-ignored.log", `${del(["100%|██████████| 800/800 [01:02<00:00, 12.8it/s]"])}\n`), null);
});

test("a log that ends while c10d or urllib3 still retries a timed-out connection is a timeout; retries followed by progress are not", async () => {
  const c10d = "[W socket.cpp:601] [c10d] The client socket has failed to connect to [::ffff:0.0.3.241]:55121 (errno: 110 - Connection timed out).";
  assert.deepEqual(await primaryOf("c10d-retry.log", `${c10d}\n`), { category: "timeout", ruleId: "connect_retry_stuck" });
  assert.equal(await primaryOf("c10d-retry-then-ok.log", `${c10d}\n${c10d}\n[I socket.cpp:624] [c10d] The client socket has connected to [localhost]:29500 on [localhost]:52338.\n{'loss': 2.1, 'epoch': 0.01}\n`), null);
  const urllib3 = "2026-07-30 08:51:27.071 | WARNING  | urllib3.connectionpool:urlopen:869 - Retrying (Retry(total=2, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ConnectTimeoutError(<HTTPSConnection(host='download.openmmlab.com', port=443) at 0x7e79a14cb230>, 'Connection to download.openmmlab.com timed out. (connect timeout=10)')': /mmdetection/v2.0/yolox/yolox_l.pth";
  assert.deepEqual(await primaryOf("urllib3-retry.log", `Downloading pretrained weights\n${urllib3}\n`), { category: "timeout", ruleId: "connect_retry_stuck" });
  assert.equal(await primaryOf("urllib3-retry-then-ok.log", `${urllib3}\nDownloaded 356 MB in 41 s\nEpoch 1/10 step 10 loss 1.93\n`), null);
});

describe("sixth round, leftovers", () => {
  // Phrasings from projects the corpus never saw, found with the search tool (issue 10's leftovers,
  // by family: AMD's RAS and HSA runtime, torch's zip reader, huggingface_hub's download check,
  // TensorFlow's deadline error).
  const leftovers: Family[] = [
    {
      // amdgpu's RAS unit reporting an uncorrectable hardware error (the GPU is reset after it).
      rule: "gpu_amdgpu_reset",
      real: [
        ["https://github.com/ROCm/legacy-rocm-build/issues/4021", "[13850.912648] amdgpu 0000:1c:00.0: {1}uncorrectable hardware error(ERREVENT_ATHUB_INTERRUPT) detected!"],
        ["https://github.com/ROCm/legacy-rocm-build/issues/1886", "[Sat Jan  7 14:25:56 2023] amdgpu 0000:e3:00.0: amdgpu: uncorrectable hardware error(ERREVENT_ATHUB_INTERRUPT) detected!"],
        ["https://github.com/ROCm/legacy-rocm-build/issues/1386", "_[ 1358.996458] amdgpu 0000:83:00.0: uncorrectable hardware error(ERREVENT_ATHUB_INTERRUPT) detected!_"],
      ],
      nearMiss: [
        // A corrected PCIe error (ROCm/legacy-rocm-build#2927), ECC being active, a correctable count.
        ["kernel: [ 2484.374028] {359}[Hardware Error]: It has been corrected by h/w and requires no further action", null],
        ["[Sat Jan  7 14:25:56 2023] amdgpu 0000:e3:00.0: amdgpu: SRAM ECC is active.", null],
        ["amdgpu 0000:03:00.0: amdgpu: 1 correctable hardware errors detected in umc block", null],
      ],
    },
    {
      // Intel's i915 driver detecting a GPU hang and resetting the engine or the chip.
      rule: "gpu_device_lost",
      real: [
        ["https://github.com/intel/compute-runtime/issues/132", "[377999.628419] [drm] GPU HANG: ecode 9:0:0x85ddfffb, in luxmark.bin [20464], reason: Hang on rcs0, action: reset"],
        ["https://github.com/intel/compute-runtime/issues/132", "[377999.628425] i915 0000:00:02.0: Resetting rcs0 after gpu hang"],
        ["https://github.com/intel/linux-intel-4.9/issues/9", "[   83.878613] drm/i915: Resetting chip after gpu hang"],
        ["https://github.com/FreeBSDDesktop/DEPRECATED-freebsd-base-graphics/issues/2", "[drm] GPU HANG: ecode 7:0:0x87c3ffff, reason: Ring hung, action: reset"],
      ],
      nearMiss: [
        // The driver's advice printed with every hang, and a question about hangs.
        ["[   83.830102] [drm] GPU hangs can indicate a bug anywhere in the entire gfx stack, including userspace.", null],
        ["How can I detect the GPU hang?", null],
      ],
    },
    {
      // The ROCm runtime aborting a queue on a device exception (0x1016: memory aperture violation,
      // ROCm's illegal memory access): a CUDA-class error, like "Memory access fault by GPU node-N".
      rule: "cuda_rocm_queue_abort",
      real: [
        ["https://github.com/ROCm/legacy-rocm-build/issues/6023", ":0:rocdevice.cpp:3586: Callback: Queue 0x7f78cb400000 aborting with error : HSA_STATUS_ERROR_EXCEPTION: An HSAIL operation resulted in a hardware exception. code: 0x1016"],
        ["https://github.com/iree-org/iree/issues/17872", ":0:rocdevice.cpp            :2893: 90021033577 us: [pid:192145 tid:0x76fa7d3ff640] Callback: Queue 0x76f676200000 aborting with error : HSA_STATUS_ERROR_EXCEPTION: An HSAIL operation resulted in a hardware exception. code: 0x1016"],
        ["https://github.com/vllm-project/vllm/issues/20007 (title)", "[Bug]: error on ROCM :0:rocdevice.cpp :3020: 5875275709338d us: Callback: Queue 0x7f4580c00000 aborting with error : HSA_STATUS_ERROR_EXCEPTION: An HSAIL operation resulted in a hardware exception. co"],
      ],
      nearMiss: [
        // The status named in prose; a queue aborted for resources, not a device exception.
        ["HSA_STATUS_ERROR_EXCEPTION is one of the status codes of the HSA runtime", null],
        [":0:rocdevice.cpp            :2614: 2150012352 us: [pid:1 tid:0x7f] Callback: Queue 0x7f1000000000 aborting with error : HSA_STATUS_ERROR_OUT_OF_RESOURCES: The runtime failed to allocate the necessary resources. code: 0x1008", null],
      ],
    },
    {
      // torch's zip reader finding no version record: the file is not a whole torch archive.
      rule: "ckpt_torch_zip",
      real: [
        ["https://github.com/Victorwz/LongMem/issues/15", "RuntimeError: Expected hasRecord(\"version\") to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.)"],
        ["https://github.com/nmndeep/revisiting-at/issues/7", "`RuntimeError: Expected hasRecord(\"version\") to be true, but got false`."],
        ["https://github.com/Nithin-GK/AT-DDPM/issues/1 (title)", "RuntimeError: Expected hasRecord(\"version\") to be true, but got false. (Could this error message be improved? If so, please report an enhancement request to PyTorch.)"],
      ],
      nearMiss: [["RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!", "python_device_mismatch"]],
    },
    {
      // A legacy torch file whose storage is cut; huggingface_hub's size check after a download.
      rule: "ckpt_truncated",
      real: [
        ["https://github.com/mahmoodlab/SISH/issues/3", "RuntimeError: storage has wrong byte size: expected %ld got %ld-7214483042584977081024"],
        ["https://github.com/HKUDS/RAG-Anything/issues/168", "ERROR:root:[MinerU] OSError: Consistency check failed: file should be of size 713217212 but has size 776131772 (model.safetensors)."],
        ["https://github.com/huggingface/huggingface_hub/issues/2464 (title)", "OSError: Consistency check failed: file should be of size 28754810880 but has size 26303841200"],
      ],
      nearMiss: [["Consistency check passed for model.safetensors", null]],
    },
    {
      // HDF5 (Keras .h5 weights) in older h5py wording and with a capital letter.
      rule: "ckpt_bad_format",
      real: [
        ["https://github.com/fchollet/deep-learning-models/issues/64", "IOError: Unable to open file (Unable to find a valid file signature)"],
        ["https://github.com/Azure/MachineLearningNotebooks/issues/614", "`OSError: Unable to open file (Bad object header version number)`"],
      ],
      // A file that is not there is a path problem, not a broken file.
      nearMiss: [["OSError: Unable to open file (unable to open file: name = 'weights.h5', errno = 2, error message = 'No such file or directory', flags = 0, o_flags = 0)", null]],
    },
    {
      // The kubelet's graceful node shutdown terminating the pod (the run did not fail).
      rule: "killed_preempted",
      real: [["https://github.com/kubernetes/kubernetes/pull/102840", "* Message: Node is shutting, evicting pods ----> Pod was terminated in response to node shutdown."]],
      // A pod refused while the node shuts down never ran.
      nearMiss: [["* Message: Node is in progress of shutting down, not admitting any new pods ----> Pod was rejected as node is shutting down.", null]],
    },
    {
      // TensorFlow's Python class for a gRPC deadline.
      rule: "timeout_grpc_deadline",
      real: [["https://github.com/xuanyuzhou98/SqueezeSegV2/issues/8 (title)", "tensorflow.python.framework.errors_impl.DeadlineExceededError: Timed out waiting for notification"]],
      nearMiss: [
        ["Retrying after DeadlineExceededError: Timed out waiting for notification", null],
        ["deadline_exceeded_errors: 0", null],
      ],
    },
  ];
  testFamilies(rules, leftovers);

  test("an exception pasted before its frames ('Full traceback:') gets those frames (nbrg-ppcu/prokbert#114)", async () => {
    const pasted = (frames: string[]) => [
      "it fails for prokbert-mini-long with this error:",
      "",
      "json.decoder.JSONDecodeError: Extra data: line 62 column 2 (char 1304)   ",
      "   ",
      "  Full traceback:   ",
      ...frames,
    ].join("\n");
    const tokenizer = pasted(['  File "transformers/models/auto/tokenization_auto.py", line 1073, in from_pretrained   ', "      tokenizer_config = get_tokenizer_config(pretrained_model_name_or_path, **kwargs)   "]);
    assert.deepEqual(await primaryOf("pasted-tokenizer.log", `${tokenizer}\n`), { category: "checkpoint_corrupt", ruleId: "python_traceback" });
    // The same paste over a data file's reader stays an exception; so does the error with no frames.
    const data = pasted(['  File "train.py", line 30, in load_rows', "    rows = json.loads(line)"]);
    assert.equal((await primaryOf("pasted-data.log", `${data}\n`))?.category, "python_exception");
    assert.equal((await primaryOf("pasted-bare.log", `${pasted([])}\n`))?.category, "python_exception");
    // Frames that end in an exception line of their own are that traceback, not the pasted error's.
    const own = pasted(['  File "transformers/models/auto/tokenization_auto.py", line 1073, in from_pretrained', "      tokenizer_config = get_tokenizer_config(pretrained_model_name_or_path, **kwargs)", "ValueError: bad config"]);
    assert.equal((await primaryOf("pasted-own.log", `${own}\n`))?.category, "python_exception");
  });
});

describe("sixth round, lead: a traceback logged by the availability probe that caught it", () => {
  // xformers' `_is_triton_available` catches the ImportError of a missing or mismatched Triton and
  // logs it with its traceback (logging's exc_info starts at the catching frame), then training goes
  // on: "normal on Windows and won't affect training" (maintainers in the threads below).
  const hallo2 = [ // https://github.com/fudan-generative-vision/hallo2/issues/46
    "A matching Triton is not available, some optimizations will not be enabled",
    "Traceback (most recent call last):",
    '  File "D:\\AI\\Hallo2\\hallo2\\runtime\\lib\\site-packages\\xformers\\__init__.py", line 55, in _is_triton_available',
    "    from xformers.triton.softmax import softmax as triton_softmax  # noqa",
    '  File "D:\\AI\\Hallo2\\hallo2\\runtime\\lib\\site-packages\\xformers\\triton\\softmax.py", line 11, in <module>',
    "    import triton",
    "ModuleNotFoundError: No module named 'triton'",
    "Running on local URL:  http://127.0.0.1:7860",
  ];
  const loraScripts = [ // https://github.com/derrian-distro/LoRA_Easy_Training_Scripts/issues/228
    "A matching Triton is not available, some optimizations will not be enabled",
    "Traceback (most recent call last):",
    '  File "D:\\LoRA_Easy_Training_Scripts\\backend\\sd_scripts\\venv\\lib\\site-packages\\xformers\\__init__.py", line 57, in _is_triton_available',
    "    import triton  # noqa",
    "ModuleNotFoundError: No module named 'triton'",
  ];

  test("is no finding, whether the log goes on or ends there", async () => {
    assert.equal(await primaryOf("probe-goes-on.log", `${hallo2.join("\n")}\n`), null);
    assert.equal(await primaryOf("probe-ends.log", `${loraScripts.join("\n")}\n`), null);
  });

  test("the same ImportError raised through the program's own frames is still an import error", async () => {
    // Near miss: the probe is an inner frame and the traceback starts at the program's top level, so
    // nothing caught it (the shape of huggingface/diffusers#2575 and LPengYang/MotionClone#23).
    const uncaught = [
      "Traceback (most recent call last):",
      '  File "train_dreambooth.py", line 12, in <module>',
      "    from diffusers.models.attention import CrossAttention",
      '  File "/opt/conda/lib/python3.7/site-packages/xformers/__init__.py", line 44, in _is_triton_available',
      "    from xformers.triton.softmax import softmax as triton_softmax  # noqa",
      "ModuleNotFoundError: No module named 'triton'",
    ];
    assert.equal((await primaryOf("probe-inner.log", `${uncaught.join("\n")}\n`))?.category, "import_error");
    // And a real failure after a caught probe is still found (the probe's lines above it, then the
    // program's own missing module, as a user's GeometryCrafter run printed them).
    const after = [
      ...loraScripts,
      "Traceback (most recent call last):",
      '  File "D:\\GeometryCrafter\\run.py", line 146, in <module>',
      "    Fire(main)",
      '  File "D:\\GeometryCrafter\\third_party\\moge\\moge\\utils\\geometry_numpy.py", line 77, in solve_optimal_focal_shift',
      "    from scipy.optimize import least_squares",
      "ModuleNotFoundError: No module named 'scipy'",
    ];
    assert.deepEqual(await primaryOf("probe-then-crash.log", `${after.join("\n")}\n`), { category: "import_error", ruleId: "import_no_module" });
  });
});
