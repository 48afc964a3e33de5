/**
 * Tenth rules round: the misses of fresh7 (manifests zb and zc), studied after its one measurement
 * (docs/crash-accuracy.md, "Tenth round, on the studied fresh7"), each widened to the family it belongs
 * to. Real lines name where they come from; near misses must not be the rule (null: no rule at all);
 * whole excerpts check the primary choice.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-tenth-round-");

describe("tenth round: rule families", () => {
  const families: Family[] = [
    {
      // TensorFlow's cuBLAS call failing to launch (GEMM, SGEMM, GEMV): cuBLAS without GPU memory for its
      // workspace or a CUDA/cuBLAS mismatch, a CUDA-level failure whatever the op.
      rule: "cuda_tf_blas_launch_failed",
      real: [
        ["crash-corpus zb dpgen-753, https://github.com/deepmodeling/dpgen/issues/753", "  (0) Internal: Blas GEMM launch failed : a.shape=(64, 50), b.shape=(50, 180), m=64, n=180, k=50"],
        ["crash-corpus zb image-caption-generator-20, https://github.com/dabasajay/Image-Caption-Generator/issues/20", "tensorflow.python.framework.errors_impl.InternalError: Blas GEMM launch failed : a.shape=(938, 256), b.shape=(256, 256), m=938, n=256, k=256"],
        ["https://github.com/countywest/SAUM/issues/1", "InternalError (see above for traceback): Blas GEMM launch failed : a.shape=(4, 1024), b.shape=(4, 3072), m=1024, n=3072, k=4"],
        ["https://github.com/matterport/Mask_RCNN/issues/2469 (title)", "tensorflow.python.framework.errors_impl.InternalError: Blas SGEMM launch failed : m=65536, n=256, k=64"],
        ["https://github.com/mattshma/bigdata/issues/99", "tensorflow.python.framework.errors_impl.InternalError: Blas GEMV launch failed:  m=2, n=100"],
        ["https://github.com/ageron/handson-ml2/issues/310", "InternalError: Blas GEMM launch failed : a.shape=(1, 400), b.shape=(400, 120), m=1, n=120, k=400 [Op:MatMul]"],
      ],
      nearMiss: [
        ["Blas GEMM launch succeeded after retry", null],
        ["BlasGemmLaunchFailed test skipped", null],
        ["kernel launch failed: none, 0 retries", null],
      ],
    },
    {
      // A Slurm client command timing out on slurmctld or a node's slurmd: the step never started.
      rule: "timeout_slurm_socket",
      real: [
        ["crash-corpus zb batchtools-201, https://github.com/mlr-org/batchtools/issues/201", "srun: error: slurm_receive_msgs: [[ubuntu4]:6818] failed: Socket timed out on send/recv operation"],
        ["crash-corpus zb batchtools-201", "srun: error: Task launch for StepId=34.0 failed on node ubuntu4: Socket timed out on send/recv operation"],
        ["crash-corpus zb batchtools-201", "srun: error: Application launch failed: Socket timed out on send/recv operation"],
        ["crash-corpus zb hpcfund-83", "srun: error: Unable to allocate resources: Socket timed out on send/recv operation"],
      ],
      nearMiss: [
        // The message without a Slurm command in front (a help text), and srun's other errors.
        ["Socket timed out on send/recv operation", null],
        ["MessageTimeout avoids 'Socket timed out on send/recv operation' under load", null],
        ["srun: error: Unable to allocate resources: Invalid account or account/partition combination specified", null],
      ],
    },
    {
      // numpy's tofile (np.save) that wrote nothing: a full volume.
      rule: "disk_full_short_write",
      real: [
        ["crash-corpus zc tacotron-5, https://github.com/keithito/tacotron/issues/5", "OSError: 726725 requested and 0 written"],
        ["https://github.com/numpy/numpy/issues/17589 (a partition with < 200 MB free)", "OSError: 300000000 requested and 0 written   # We expect this"],
        ["https://github.com/xor2k/npy-append-array/issues/11 (the markdown quote mark '> ' left out)", "OSError: 40140800 requested and 0 written."],
      ],
      nearMiss: [
        // A short write that wrote something, and numpy's other write error.
        ["OSError: 726725 requested and 4096 written", null],
        ["OSError: problem writing element 524288 to file", null],
      ],
    },
    {
      // The TF stream executor failing to allocate on an AMD GPU (HIP's out-of-memory code, by name or number).
      rule: "cuda_oom_generic",
      real: [
        ["crash-corpus zb keras-13889, https://github.com/keras-team/keras/issues/13889", "2023-11-01 16:19:17.812101: E tensorflow/compiler/xla/stream_executor/rocm/rocm_driver.cc:606] failed to allocate 127.99TiB (140729850295296 bytes) from device: HIP_ERROR_OutOfMemory"],
        ["https://github.com/ROCm/tensorflow-upstream/issues/82", "2019-01-08 19:06:11.303639: E tensorflow/stream_executor/rocm/rocm_driver.cc:601] failed to allocate 7.35G (7889485824 bytes) from device: hipError_t(1002)"],
      ],
      nearMiss: [
        ["failed to allocate 2.00G (2147483648 bytes) from device: hipError_t(101)", null],
        ["from device: HIP_ERROR_InvalidValue", null],
      ],
    },
    {
      // XLA on a TPU: the allocation (not only the reservation at the bottom of memory) that was not possible.
      rule: "cuda_oom_xla",
      real: [
        ["crash-corpus zb trax-431, https://github.com/google/trax/issues/431", "UnfilteredStackTrace: RuntimeError: RESOURCE_EXHAUSTED: Attempting to allocate 31.06M. That was not possible. There are 58.64M free. Due to fragmentation, the largest contiguous region of free memory is 30.56M.; (0x0x0_HBM0)"],
        ["crash-corpus tune pytorch-xla-3470 (the reservation, as before)", "2022-04-04 00:27:49.642380: E tensorflow/compiler/xla/xla_client/xla_util.cc:88]   (1) RESOURCE_EXHAUSTED: Attempting to reserve 6.48G at the bottom of memory. That was not possible. There are 6.78G free, 0B reserved, and 3.33G reservable."],
      ],
      nearMiss: [
        ["RESOURCE_EXHAUSTED: Attempting to allocate 31.06M", null],
      ],
    },
    {
      // Host allocators of numeric libraries: Paddle's system allocator with errno 12 (ENOMEM).
      rule: "host_oom_cpu_allocator",
      real: [
        ["crash-corpus zb paddleocr-2199, https://github.com/PaddlePaddle/PaddleOCR/issues/2199", "ResourceExhaustedError: Fail to alloc memory of 564023296 size, error code is 12."],
        ["https://github.com/PaddlePaddle/PaddleOCR/issues/7710 (title)", "ResourceExhaustedError: Fail to alloc memory of 776212480 size, error code is 12."],
      ],
      nearMiss: [
        ["ResourceExhaustedError: Fail to alloc memory of 564023296 size, error code is 1.", null],
      ],
    },
    {
      // MKL's allocator failing (faster-whisper, whisperx on CPU): the host ran out of RAM.
      rule: "host_oom_library",
      real: [
        ["crash-corpus zb whisper-standalone-win-511, https://github.com/Purfview/whisper-standalone-win/issues/511", "RuntimeError: mkl_malloc: failed to allocate memory"],
        ["a public repository's README quoting the error after repeated whisperx runs filled RAM (find_string)", "    - Error is: RuntimeError: mkl_malloc: failed to allocate memory"],
      ],
      nearMiss: [
        ["mkl_malloc: allocated 64 MB", null],
      ],
    },
    {
      // torch_npu's copy of the process-group watchdog: the same timeout on Ascend's HCCL.
      rule: "nccl_watchdog_timeout",
      real: [
        ["crash-corpus zb vllm-ascend-382, https://github.com/vllm-project/vllm-ascend/issues/382", "[rank1]:[E324 13:00:25.428029551 compiler_depend.ts:574] [Rank 1] Watchdog caught collective operation timeout: WorkHCCL(SeqNum=196, OpType=ALLREDUCE, Timeout(ms)=3600000) ran for 3600185 milliseconds before timing out."],
        ["https://github.com/XPixelGroup/BasicSR/issues/737 (NCCL, as before)", "[rank1]:[E626 06:24:44.903881913 ProcessGroupNCCL.cpp:616] [Rank 1] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=808, OpType=ALLREDUCE, NumelIn=9801523, NumelOut=9801523, Timeout(ms)=600000) ran for 600020 milliseconds before timing out."],
      ],
      nearMiss: [
        ["Watchdog caught collective operation timeout: WorkGLOO(SeqNum=1, OpType=ALLREDUCE)", null],
      ],
    },
    {
      // transformers' and diffusers' refusal of a weights file (diffusers drops "pytorch").
      rule: "ckpt_unreadable_weights",
      real: [
        ["crash-corpus zc taskmatrix-293, https://github.com/chenfei-wu/TaskMatrix/issues/293", "OSError: Unable to load weights from checkpoint file for '/root/.cache/huggingface/hub/models--runwayml--stable-diffusion-inpainting/snapshots/afeee10def38be19995784bcc811882409d066e5/unet/diffusion_pytorch_model.bin' at"],
        ["https://github.com/hpcaitech/ColossalAI/issues/2198", "OSError: Unable to load weights from checkpoint file for 'output/unet/diffusion_pytorch_model.bin' at 'output/unet/diffusion_pytorch_model.bin'. If you tried to  load a PyTorch model from a TF 2.0 checkpoint, please set from_tf=True"],
        ["https://github.com/guoyww/AnimateDiff/issues/320", "OSError: Unable to load weights from checkpoint file for 'models/StableDiffusion/stable-diffusion-v1-5/unet/diffusion_pytorch_model.safetensors' at 'models/StableDiffusion/stable-diffusion-v1-5/unet/diffusion_pytorch_model.safetensors'. If you tried to load a PyTorch model from a TF 2.0 checkpoint, please set from_tf=True."],
        ["https://github.com/zjunlp/KnowLM/issues/31 (transformers, as before)", "OSError: Unable to load weights from pytorch checkpoint file for './zhixi-diff-fp16/pytorch_model-00001-of-00003.bin' at "],
      ],
      nearMiss: [
        ["Unable to load weights from checkpoint directory, falling back to random init", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("tenth round: whole excerpts", () => {
  const cases: [string, string, string][] = [
    ["cuda_error/zb-dpgen-753-tf-blas-gemm-launch-failed.log", "cuda_error", "cuda_tf_blas_launch_failed"],
    ["cuda_error/zb-image-caption-generator-20-blas-gemm-lstm.log", "cuda_error", "cuda_tf_blas_launch_failed"],
    ["timeout/zb-batchtools-201-srun-socket-timed-out.log", "timeout", "timeout_slurm_socket"],
    ["timeout/zb-hpcfund-83-srun-allocate-socket-timeout.log", "timeout", "timeout_slurm_socket"],
    ["disk_full/zc-tacotron-5-preprocess-np-save-0-written.log", "disk_full", "disk_full_short_write"],
    ["cuda_oom/zb-keras-13889-tf-rocm-hip-error-outofmemory.log", "cuda_oom", "cuda_oom_generic"],
    ["cuda_oom/zb-trax-431-tpu-hbm-allocate-fragmentation.log", "cuda_oom", "cuda_oom_xla"],
    ["host_oom/zb-paddleocr-2199-fail-to-alloc-error-code-12.log", "host_oom", "host_oom_cpu_allocator"],
    ["host_oom/zb-whisper-standalone-win-511-mkl-malloc-failed.log", "host_oom", "host_oom_library"],
    ["nccl_error/zb-vllm-ascend-382-hccl-watchdog-allreduce-timeout.log", "nccl_error", "nccl_watchdog_timeout"],
    ["checkpoint_corrupt/zc-taskmatrix-293-unet-bin-unable-to-load-weights.log", "checkpoint_corrupt", "ckpt_unreadable_weights"],
  ];
  for (const [file, category, ruleId] of cases) {
    test(`${file}: ${category} (${ruleId})`, async () => {
      assert.deepEqual(await primaryOf(path.basename(file), corpus(file)), { category, ruleId });
    });
  }
});

describe("tenth round: apex's loss scale halved to a collapse at the end of the log (diverged-end.ts)", () => {
  const AT_END = { category: "nan_loss", ruleId: "nan_loss_scale_collapse_at_end" };
  const notice = (scale: number) => `Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to ${scale.toFixed(1)}`;
  const halvings = (from: number, n: number) => Array.from({ length: n }, (_, i) => notice(from / 2 ** i));

  test("logs that end in ten or more halvings in a row are a NaN run (stylegan2-pytorch#100 tune, apex#834 fresh7)", async () => {
    assert.deepEqual(await primaryOf("stylegan2.log", corpus("nan_loss/stylegan2-pytorch-100-amp-gradient-overflow-scale-collapse.log")), AT_END);
    assert.deepEqual(await primaryOf("apex834.log", corpus("nan_loss/zc-apex-834-o1-loss-scale-32768-to-half.log")), AT_END);
    // Two ranks printing each halving (Horovod's / torchrun's tags stripped or not) count it once.
    const twoRanks = halvings(32768, 10).flatMap((l) => [`[1,0]<stdout>:${l}`, `[1,1]<stdout>:${l}`]);
    assert.deepEqual(await primaryOf("two-ranks.log", `${twoRanks.join("\n")}\n`), AT_END);
  });

  test("a healthy start's search, a run that goes on, and broken sequences are no finding", async () => {
    // The first six lines of apex#834's sequence (a unit fixture, healthy) and LasNet#3 (heldout, three halvings at the end).
    assert.equal(await primaryOf("apex834-start.log", fs.readFileSync(path.join(import.meta.dirname, "fixtures/crash/healthy/apex-834-gradient-overflow-sequence.log"), "utf8")), null);
    assert.equal(await primaryOf("lasnet.log", corpus("none/lasnet-3-early-gradient-overflow-ok.log")), null);
    // Nine halvings: not yet a factor of 1024.
    assert.equal(await primaryOf("nine.log", `${halvings(32768, 9).join("\n")}\n`), null);
    // Ten halvings, then training goes on.
    assert.equal(await primaryOf("goes-on.log", `${halvings(32768, 10).join("\n")}\nEpoch 3 | step 1200 | loss 0.412\n`), null);
    // Ten notices whose scales do not halve one after the other (a raised scale between them).
    const raised = [...halvings(32768, 5), notice(65536), ...halvings(32768, 4)];
    assert.equal(await primaryOf("raised.log", `${raised.join("\n")}\n`), null);
  });
});
