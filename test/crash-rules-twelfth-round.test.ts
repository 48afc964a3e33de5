/**
 * Twelfth rules round, on the studied fresh8 (manifests zg and zh, measured once at 11:57): Metal's GPU
 * watchdog aborting a command buffer, the Windows C++ runtime's `bad allocation` (std::bad_alloc's what()),
 * cuDNN 8's own loader failing on its sub-libraries, bash's job report with nothing after `Killed`,
 * localised segfault reports quoted with `> `, MinIO's full-disk refusal, Ascend's stream-sync timeout and
 * MindSpore's "memory isn't enough" in an exception's message; each widened to the family it belongs to
 * (docs/crash-accuracy.md, "Twelfth round", items 86-89). Real lines name where they come from; near misses
 * must not be the rule (null: no rule at all); whole texts check the primary choice.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { classifyLine, loadRules } from "../agent/crash/rules.js";
import { readExceptionMessage } from "../agent/crash/failure.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twelfth-round-");

describe("twelfth round: rule families", () => {
  const families: Family[] = [
    {
      // Apple's GPU driver killing a Metal command buffer that ran past the GPU watchdog, on Intel Macs' AMD
      // GPUs (IOAccel), Apple silicon (IOGPU) and in the older "IOAF code 2" wording.
      rule: "gpu_metal_command_timeout",
      real: [
        ["crash-corpus zg pytorch-125954, https://github.com/pytorch/pytorch/issues/125954", "\tCaused GPU Timeout Error (00000002:kIOAccelCommandBufferCallbackErrorTimeout)"],
        ["crash-corpus zg airllm-367, https://github.com/lyogavin/airllm/issues/367", "libc++abi: terminating due to uncaught exception of type std::runtime_error: [METAL] Command buffer execution failed: Caused GPU Timeout Error (00000002:kIOGPUCommandBufferCallbackErrorTimeout)"],
        ["https://github.com/pjsip/pjproject/issues/4676", "2025-11-12 13:38:49.226192+0800 ios-swift-pjsua2[76521:4005157] Execution of the command buffer was aborted due to an error during execution. Caused GPU Timeout Error (00000002:kIOGPUCommandBufferCallbackErrorTimeout)"],
        ["https://github.com/gfx-rs/wgpu/issues/336", "2019-09-09 22:46:02.894432-0700 test[13776:6361225] Execution of the command buffer was aborted due to an error during execution. Caused GPU Timeout Error (IOAF code 2)"],
      ],
      nearMiss: [
        // The buffers discarded or ignored after the fault (wgpu#336, flutter#97910) are its aftermath, and
        // Metal's out-of-memory status stays the GPU OOM it is.
        ["2019-09-09 22:46:02.894697-0700 test[13776:6361225] Execution of the command buffer was aborted due to an error during execution. Discarded (victim of GPU error/recovery) (IOAF code 5)", null],
        ["Execution of the command buffer was aborted due to an error during execution. Ignored (for causing prior/excessive GPU errors) (00000004:kIOGPUCommandBufferCallbackErrorSubmissionsIgnored)", null],
        ["Execution of the command buffer was aborted due to an error during execution. Insufficient Memory (00000008:kIOGPUCommandBufferCallbackErrorOutOfMemory)", "cuda_oom_other_runtimes"],
        ["the GPU timeout error went away after updating macOS", null],
      ],
    },
    {
      // MSVC's std::bad_alloc says "bad allocation": LightGBM logs it, its wrappers raise it.
      rule: "host_oom_memory_error",
      real: [
        ["crash-corpus zg mlnet-3872, https://github.com/dotnet/machinelearning/issues/3872", "[LightGBM] [Warning] bad allocation"],
        ["https://github.com/dotnet/machinelearning/issues/6961 (ML.NET's CI, the same warning before the test host crashed)", "[LightGBM] [Warning] bad allocation"],
        ["https://github.com/microsoft/SynapseML/issues/783", "java.lang.Exception: Dataset create call failed in LightGBM with error: bad allocation"],
        ["https://github.com/lightgbm-org/LightGBM/issues/4612 (the error as its title quotes it)", "LightGBMError: bad allocation"],
      ],
      nearMiss: [
        ["Got \"Bad allocation\" exception when training using Light GBM", null],
        ["the scheduler made a bad allocation of GPUs to jobs", null],
        ["[LightGBM] [Warning] bad allocations are retried", null],
      ],
    },
    {
      // cuDNN 8 loads its sub-libraries itself and reports a missing one or a version mismatch between them
      // in its own words (a symbol of one sub-library not defined in another).
      rule: "import_native_library",
      real: [
        ["crash-corpus zg paddlex-846, https://github.com/PaddlePaddle/PaddleX/issues/846", "Could not load library libcudnn_cnn_train.so.8. Error: /home/xxx/anaconda3/envs/py38-paddle2.1/bin/../lib/libcudnn_ops_train.so.8: symbol _Z22cudnnGenericOpTensorNdILi3EE13cudnnStatus_tP12cudnnContext16cudnnGenericOp_t21cudnnNanPropagation_tPKdPKvPK17cudnnTensorStructS8_S8_SB_S8_S8_SB_Pv version libcudnn_ops_infer.so.8 not defined in file libcudnn_ops_infer.so.8 with link time reference"],
        ["crash-corpus zg paddlex-846", "Please make sure libcudnn_cnn_train.so.8 is in your library path!"],
        ["https://github.com/NVIDIA/nvidia-docker/issues/1726", "Could not load library libcudnn_cnn_train.so.8. Error: /usr/local/cuda-11.1/targets/x86_64-linux/lib/libcudnn_ops_train.so.8: symbol _Z22cudnnGenericOpTensorNdILi3EE13cudnnStatus_tP12cudnnContext16cudnnGenericOp_t21cudnnNanPropagation_tPKdPKvPK17cudnnTensorStructS8_S8_SB_S8_S8_SB_Pv, version libcudnn_ops_infer.so.8 not defined in file libcudnn_ops_infer.so.8 with link time reference"],
        ["https://github.com/ultralytics/ultralytics/issues/10203 (after a progress bar)", "  0%|          | 0/10 [00:00<?, ?it/s]Could not load library libcudnn_cnn_train.so.8. Error: /usr/local/cuda/11.8.0/lib64/libcudnn_cnn_train.so.8: symbol _ZN10cask_cudnn2kr8isAmpereEPNS0_5spa_tERKi, version libcudnn_cnn_infer.so.8 not defined in file libcudnn_cnn_infer.so.8 with link time reference"],
        ["https://github.com/PaddlePaddle/PaddleSlim/issues/1619", "Could not load library libcudnn_cnn_train.so.8.     Error: /home/zjl/anaconda3/envs/paddle/bin/../lib/libcudnn_ops_train.so.8 :undefined symbol: _ZN5cudnn3ops26JoinInternalPriorityStreamEP12cudnnContexti , version libcudnn_ops_infer.so.8"],
        ["https://github.com/RVC-Boss/GPT-SoVITS/issues/490", "Could not load library libcudnn_cnn_train.so.8. Error: /usr/local/cuda/lib64/libcudnn_cnn_train.so.8: undefined symbol: _ZN5cudnn3cnn34layerNormFwd_execute_internal_implERKNS_7backend11VariantPackEP11CUstream_stRNS0_18LayerNormFwdParamsERKNS1_20NormForwardOperationEmb, version libcudnn_cnn_infer.so.8"],
        ["https://github.com/PaddlePaddle/PaddleNLP/issues/1257", "Please make sure libcudnn_adv_train.so.8 is in your library path!"],
        // The form the rule already read (a sub-library's dependency missing): crash-corpus zg anomalydiffusion-76.
        ["crash-corpus zg anomalydiffusion-76", "Could not load library libcudnn_cnn_infer.so.8. Error: libcuda.so: cannot open shared object file: No such file or directory"],
      ],
      nearMiss: [
        // TensorFlow's dso_loader probe goes on without the GPU (excluded since the first round).
        ["2021-03-01 10:00:00.000000: W tensorflow/stream_executor/platform/default/dso_loader.cc:60] Could not load dynamic library 'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object file: No such file or directory", null],
        ["if it could not load library libcudnn, set LD_LIBRARY_PATH", null],
      ],
    },
    {
      // bash's job report of a killed command, also when nothing follows `Killed` (the command was `sh -c`'s
      // only word, or the excerpt trims it).
      rule: "killed_shell_report",
      real: [
        ["crash-corpus zh khd2020-62, https://github.com/Korea-Health-Datathon/KHD2020/issues/62", "/bin/bash: line 1:    50 Killed"],
        ["crash-corpus c3nl_cluster-20 (tune)", "/tmp/slurmd/job603995/slurm_script: line 9:  4727 Killed "],
        ["crash-corpus lightning-3582 (tune, quoted with '> ')", "> /var/spool/slurmd/job220424/slurm_script: line 15: 39865 Killed                  python roco_train_mlm_lightning.py --run_name debug --precision 16 --mlm_prob 0.15"],
      ],
      nearMiss: [
        ["see line 12:  4 Killedroy was here", null],
        ["line 3: Killed processes are restarted by the supervisor", null],
      ],
    },
    {
      // Localised segfault reports of a shell, also when a issue or a README quotes the log with `> `.
      rule: "segfault_signal",
      real: [
        ["crash-corpus zh gaussian-splatting-1291, https://github.com/graphdeco-inria/gaussian-splatting/issues/1291", "> 段错误 (核心已转储)"],
        ["a README of LearningOS' rCore tutorial tests (find_string), quoted inside a list item", "   > 段错误 (核心已转储)"],
        ["a note on golang/go#68867 in a public repository (find_string)", "> 段错误 (核心已转储)"],
        ["the same line unquoted (the form the rule already read)", "段错误 (核心已转储)"],
      ],
      nearMiss: [
        ["> 段错误 (核心已转储) 怎么办", null],
        ["> 出现段错误 (核心已转储)", null],
      ],
    },
    {
      // MinIO refusing writes at its free-space floor (disk or drive, with or without "backend has").
      rule: "disk_full",
      real: [
        ["crash-corpus zh naver-ai-vision-141, https://github.com/Naver-AI-Hackathon/AI-Vision/issues/141", "minio.error.ResponseError: ResponseError: code: XMinioStorageFull, message: Storage backend has reached its minimum free disk threshold. Please delete a few objects to proceed., bucket_name: sessions, object_name: Avantgarde_Vision/ir_ph1_v2/89/nsml_model/41/model/model, request_id: 157871940BF524E7"],
        ["https://github.com/minio/minio/pull/12376 (mint's functional tests)", "  \"error\": \"Storage backend has reached its minimum free disk threshold. Please delete a few objects to proceed.\","],
        ["https://github.com/minio/minio/issues/18639", "Error: unable to replicate for object loki-logs/prod/cd73d82bd1b1d01/18bca207577:18bca207579:b126ba93(null): Storage backend has reached its minimum free drive threshold. Please delete a few objects to proceed. (*errors.errorString)"],
        ["https://github.com/minio/minio/issues/17692", "Error: Storage reached its minimum free disk threshold. (cmd.StorageFull)"],
      ],
      nearMiss: [
        ["minio: minimum free disk threshold is 1 GiB by design", null],
        ["Storage backend has reached its maximum object count", null],
      ],
    },
    {
      // Ascend's runtime (CANN) giving up on a stream that did not finish within its timeout; the same
      // runtime's other reasons (an AI CPU exception, a failed model stream) are no timeout.
      rule: "timeout_npu_stream_sync",
      real: [
        ["crash-corpus zg ascend-pytorch-48, https://github.com/Ascend/pytorch/issues/48", "EE1002: 2024-09-03-16:50:00.041.231 Stream synchronize timeout. rtDeviceSynchronize execute failed, reason=[stream sync timeout]"],
        ["https://github.com/vllm-project/vllm-ascend/issues/2800", "(VllmWorker TP1 pid=961) ERROR 09-07 01:11:09 [multiproc_executor.py:596]         rtStreamSynchronizeWithTimeout execute failed, reason=[fftsplus timeout][FUNC:FuncErrorReason][FILE:error_message_manage.cc][LINE:53]"],
      ],
      nearMiss: [
        ["        rtStreamSynchronize execute failed, reason=[the model stream execute failed][FUNC:FuncErrorReason][FILE:error_message_manage.cc][LINE:45]", null],
        ["        rtMemcpyAsync execute failed, reason=[aicpu exception][FUNC:FuncErrorReason][FILE:error_message_manage.cc][LINE:53][THREAD:123358]", null],
      ],
    },
  ];
  testFamilies(rules, families);

  test("an exception's message saying MindSpore's device memory isn't enough is a GPU OOM", () => {
    // crash-corpus zg mindone-465; MindSpore's kernel_runtime.cc raises the second (find_string).
    assert.equal(readExceptionMessage({ type: "RuntimeError", message: "Malloc for kernel output failed, Memory isn't enough, node:Default/Cast-op446" })?.category, "cuda_oom");
    assert.equal(readExceptionMessage({ type: "RuntimeError", message: "Device memory isn't enough and alloc failed, alloc size:1048576" })?.category, "cuda_oom");
    // Not memory at all.
    assert.equal(readExceptionMessage({ type: "ValueError", message: "The number of samples isn't enough for 5 folds" }), null);
  });
});

describe("twelfth round: whole texts", () => {
  const fixed: [string, string, string][] = [
    ["timeout/zg-ascend-pytorch-48-npu-stream-synchronize-timeout.log", "timeout", "timeout_npu_stream_sync"],
    ["cuda_oom/zg-mindone-465-mindspore-malloc-kernel-output-memory-not-enough.log", "cuda_oom", "python_traceback"],
    ["gpu_hardware/zg-pytorch-125954-mps-radeon-command-buffer-gpu-timeout.log", "gpu_hardware", "gpu_metal_command_timeout"],
    ["gpu_hardware/zg-airllm-367-metal-command-buffer-gpu-timeout-abort.log", "gpu_hardware", "gpu_metal_command_timeout"],
    ["import_error/zg-paddlex-846-faster-rcnn-libcudnn-cnn-train-symbol-version.log", "import_error", "import_native_library"],
    ["host_oom/zg-mlnet-3872-lightgbm-bad-allocation-process-exit.log", "host_oom", "host_oom_memory_error"],
    ["process_killed/zh-khd2020-62-bash-line-killed.log", "process_killed", "killed_shell_report"],
    ["segfault/zh-gaussian-splatting-1291-saving-gaussians-segfault-zh.log", "segfault", "segfault_signal"],
    ["disk_full/zh-naver-ai-vision-141-minio-storage-full-model-save.log", "disk_full", "disk_full"],
  ];
  for (const [file, category, ruleId] of fixed) {
    test(`${path.basename(file, ".log")}: ${category}`, async () => {
      assert.deepEqual(await primaryOf(path.basename(file), corpus(file)), { category, ruleId });
    });
  }
});
