/**
 * Eighth rules round (issue 10), role D: the misses of the studied collection fresh6 (manifests v, w, x)
 * in nan_loss, timeout, checkpoint_corrupt and cuda_error, each widened to a family: the same message
 * as other tools or versions print it, from real lines of several threads (fresh6 and the tune corpus;
 * the search tool's budget was used up this round, so no thread outside the corpus was added). Each
 * rule is tried on real lines (where they come from) and on near misses that must not be that rule
 * (null: no rule at all); whole texts check the primary choice.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner, testFamilies } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-eighth-round-d-");

describe("eighth round D, checkpoints: a TensorFlow checkpoint that is not an sstable, whichever reader says it", () => {
  testFamilies(rules, [
    {
      rule: "ckpt_bad_format",
      real: [
        // The V1 reader's warning for each file it cannot open (tensor_slice_reader.cc), before the restore fails.
        ["crash-corpus checkpoint_corrupt/w-gpt2-ml-29-not-an-sstable.log (fresh6), https://github.com/imcaspar/gpt2-ml/issues/29", "2019-12-04 11:03:11.980040: W tensorflow/core/util/tensor_slice_reader.cc:95] Could not open models/mega/model.ckpt-100000.data: Data loss: not an sstable (bad magic number): perhaps your file is in a different file format and you need to use a different restore operator?"],
        // The same status raised as a DataLossError by the restore op (the older form, still matched).
        ["crash-corpus checkpoint_corrupt/cosine-metric-learning-36-tf-not-an-sstable.log (tune), https://github.com/nwojke/cosine_metric_learning/issues/36", "DataLossError (see above for traceback): Unable to open table file /home/sdu/cosine_metric_learning/output/mars/cosine-softmax/checkpoint: Data loss: not an sstable (bad magic number): perhaps your file is in a different file format and you need to use a different restore operator?"],
        ["crash-corpus checkpoint_corrupt/w-crnn-tf-96-checkpoint-bad-magic.log (fresh6), https://github.com/MaybeShewill-CV/CRNN_Tensorflow/issues/96", "2018-06-11 09:13:59.204794: W tensorflow/core/framework/op_kernel.cc:1192] Data loss: Unable to open table file model/shadownet/checkpoint: Data loss: not an sstable (bad magic number): perhaps your file is in a different file format and you need to use a different restore operator?"],
      ],
      nearMiss: [
        // The reader failing for another reason (a missing file) says nothing about the file's format.
        ["W tensorflow/core/util/tensor_slice_reader.cc:95] Could not open models/mega/model.ckpt-100000.data: Not found: models/mega; No such file or directory", null],
        ["Could not open the checkpoint: Data loss: truncated record at 123", null],
      ],
    },
  ]);
});

describe("eighth round D, cuBLAS: a glog CHECK of a cuBLAS call's status, the status printed as a number", () => {
  // Since the twenty-second round the CHECK status family has one owner in rules.json (cuda_error_library_check, its
  // allocation statuses cuda_oom_library_check), no longer cuBLAS's rule and final-error.ts each.
  testFamilies(rules, [
    {
      rule: "cuda_error_library_check",
      real: [
        // Caffe's CUBLAS_CHECK (CHECK_EQ(call, CUBLAS_STATUS_SUCCESS)): 14 is CUBLAS_STATUS_INTERNAL_ERROR.
        ["crash-corpus cuda_error/x-bvlc-caffe-58-cublassgemm-check-failed.log (fresh6), https://github.com/BVLC/caffe/issues/58", "F0127 14:32:39.484519 19425 math_functions.cpp:45] Check failed: (cublasSgemm_v2(Caffe::cublas_handle(), cuTransB, cuTransA, N, M, K, &alpha, B, ldb, A, lda, &beta, C, N)) == CUBLAS_STATUS_SUCCESS (14 vs. 0) "],
        // Paddle's (v1) CHECK of the same status: 13 is CUBLAS_STATUS_EXECUTION_FAILED.
        ["crash-corpus cuda_error/paddle-346-cublas-execution-failed-illegal-access.log (tune), https://github.com/PaddlePaddle/Paddle/issues/346", "..........F1104 11:19:11.596421 87418 hl_cuda_cublas.cc:220] Check failed: stat == CUBLAS_STATUS_SUCCESS (13 vs. 0) [cublas status]: execution failed"],
      ],
      nearMiss: [
        // 3 is CUBLAS_STATUS_ALLOC_FAILED: out of GPU memory, not this rule.
        ["F0127 14:32:39.484519 19425 math_functions.cpp:45] Check failed: (cublasSgemm_v2(handle, ...)) == CUBLAS_STATUS_SUCCESS (3 vs. 0) ", "cuda_oom_library_check"],
        // The CUDA runtime's allocation status (Caffe's OOM, fresh6 x-ron-4).
        ["F0718 15:20:34.923629 16833 syncedmem.cpp:56] Check failed: error == cudaSuccess (2 vs. 0)  out of memory", "cuda_oom_library_check"],
        ["cublasStatus_t status = cublasSgemm(...); CHECK(status == CUBLAS_STATUS_SUCCESS);", null],
      ],
    },
  ]);

  test("Caffe's training log ending in the failed cuBLAS check is a CUDA error", async () => {
    const text = [
      "I0127 14:32:16.080762 19425 solver.cpp:66] Iteration 1620, loss = 1.67767",
      "F0127 14:32:39.484519 19425 math_functions.cpp:45] Check failed: (cublasSgemm_v2(Caffe::cublas_handle(), cuTransB, cuTransA, N, M, K, &alpha, B, ldb, A, lda, &beta, C, N)) == CUBLAS_STATUS_SUCCESS (14 vs. 0) ",
      "*** Check failure stack trace: ***",
      "    @     0x7fa69de70b7d  google::LogMessage::Fail()",
      "    @           0x42ee79  caffe::caffe_gpu_gemm<>()",
    ].join("\n");
    assert.deepEqual(await primaryOf("caffe.log", `${text}\n`), { category: "cuda_error", ruleId: "cuda_error_library_check" });
  });
});

describe("eighth round D, timeouts: Ray marking a node dead after missed heartbeats, in every version's words", () => {
  testFamilies(rules, [
    {
      rule: "timeout_ray_node_dead",
      real: [
        ["crash-corpus timeout/v-ray-3446-node-marked-dead-monitor-heartbeats.log (fresh6), https://github.com/ray-project/ray/issues/3446", "The node with client ID 1eadc9db2f074bfec34caf25dd5bf1f99fad0d59 has been marked dead because the monitor has missed too many heartbeats from it."],
        ["crash-corpus timeout/v-ray-18449-shuffle-nodes-marked-dead-heartbeats.log (fresh6), https://github.com/ray-project/ray/issues/18449", "2021-09-05 05:42:39,292 WARNING worker.py:1228 -- The node with node id: 9d2c254a88cf3dfc896b1b1cfa4b62cf2b95aff0ab4e066aceda60d4 and ip: 172.31.12.38 has been marked dead because the detector has missed too many heartbeats from it. This can happen when a raylet crashes unexpectedly or has lagging heartbeats."],
        // KubeRay's GCS event (RAY_NODE_REMOVED) as JSON.
        ["crash-corpus timeout/v-kuberay-3827-gcs-node-removed-missed-heartbeats.log (fresh6), https://github.com/ray-project/kuberay/issues/3827", "{\"custom_fields\":{\"ip\":\"156.176.0.154\"},\"label\":\"RAY_NODE_REMOVED\",\"message\":\"The node with node id: ada3a3771fac751bd7c6b674e3b5e2df045b93550e6d31a410cad0be and address: 156.176.0.154 and node name: 156.176.0.154 has been marked dead because the detector has missed too many heartbeats from it. This can happen when a \\t(1) raylet crashes unexpectedly (OOM, etc.) \\\\n\\t(2) raylet has lagging heartbeats due to slow network or busy workload.\",\"severity\":\"ERROR\",\"source_type\":\"GCS\"}"],
      ],
      nearMiss: [
        ["(raylet) [2021-09-05 05:40:01,000 I 123 123] node_manager.cc:600: Sending heartbeat to GCS", null],
        ["The autoscaler removed the idle node 172.31.12.38.", null],
      ],
    },
  ]);

  test("a node marked dead is the timeout; a kill of its raylet in the same incident is the death that explains it", async () => {
    const dead = "2021-09-05 05:42:38,294\tWARNING worker.py:1228 -- The node with node id: 0fc14938add3345146c57e92449e77a584cace230879f50fd0813cc0 and ip: 172.31.57.35 has been marked dead because the detector has missed too many heartbeats from it. This can happen when a raylet crashes unexpectedly or has lagging heartbeats.";
    assert.deepEqual(await primaryOf("ray-dead.log", `Reduce Progress.:  69%|######9   | 691/1000 [28:51<28:26,  5.52s/it]\n${dead}\n`), { category: "timeout", ruleId: "timeout_ray_node_dead" });
    const killed = await primaryOf("ray-dead-killed.log", `[Sun Sep  5 05:42:30 2021] Out of memory: Killed process 4242 (raylet) total-vm:2000000kB, anon-rss:1900000kB\n${dead}\n`);
    assert.equal(killed?.category, "process_killed");
  });
});

describe("eighth round D, NaN: BasicSR's loss keys (l_pix, l_g_gan, ...) in its progress line", () => {
  testFamilies(rules, [
    {
      rule: "nan_loss_metric",
      real: [
        // BasicSR's MessageLogger (new form, `[epoch: .., iter: .., lr:(..)]`), used by EFNet.
        ["crash-corpus nan_loss/x-efnet-11-l-pix-nan.log (fresh6), https://github.com/AHupuJR/EFNet/issues/11", "2023-06-15 21:08:18,450 INFO: [debug..][epoch:  0, iter:     649, lr:(2.000e-04,2.000e-05,)] [eta: 5 days, 8:38:06, time (data): 4.499 (1.987)] l_pix: nan "],
        // The old form (`<epoch: .., iter: 10,100, lr:..>`) and traiNNer's fork with GAN keys, as their finite lines show them (tune: basicsr-211, trainner-72), with the value NaN/Inf.
        ["format of https://github.com/XPixelGroup/BasicSR/issues/211 (tune, finite there)", "19-08-22 10:12:46.002 - INFO: <epoch:  5, iter:  10,100, lr:1.992e-04> l_pix: nan "],
        ["format of https://github.com/victorca25/traiNNer/issues/72 (tune, finite there)", "22-12-06 08:58:44.018 - INFO: <epoch:249, iter:     250, lr:1.000e-04, t:286.9083s, td:4.1610s, eta:39828.4575h> pix-l1: 6.5921e-04 fea-vgg19-l1: 1.2665e+00 l_g_gan: inf l_d_real: 4.7929e-02 "],
      ],
      nearMiss: [
        // The real finite lines (healthy).
        ["19-08-22 10:12:46.002 - INFO: <epoch:  5, iter:  10,100, lr:1.992e-04> l_pix: 1.8082e-02 ", null],
        ["22-12-06 08:58:44.018 - INFO: <epoch:249, iter:     250, lr:1.000e-04, t:286.9083s, td:4.1610s, eta:39828.4575h> pix-l1: 6.5921e-04 fea-vgg19-l1: 1.2665e+00 l_g_gan: 1.7134e-02 l_d_real: 4.7929e-02 l_d_fake: 5.9880e-02 D_real: -4.6602e+00 D_fake: -8.0312e+00 ", null],
        // An l_ key outside BasicSR's progress line says nothing about a loss.
        ["config: l_pix: nan_guard", null],
      ],
    },
  ]);
});

describe("eighth round D, NaN: a log whose grad norm turned NaN and stayed so although no line failed", () => {
  test("a grad norm that turned NaN at the last record, after finite ones, is a NaN run (GLM-4#174, ms-swift#2436)", async () => {
    const glm = [
      "{'loss': 0.1459, 'grad_norm': 5.28125, 'learning_rate': 0.000261, 'epoch': 5.36}",
      "{'loss': 0.2096, 'grad_norm': nan, 'learning_rate': 0.00026000000000000003, 'epoch': 5.38}",
    ].join("\n");
    assert.deepEqual(await primaryOf("glm4.log", `${glm}\n`), { category: "nan_loss", ruleId: "nan_grad_norm_at_end" });
    const swift = [
      "{\"loss\": 1.394207, \"acc\": 0.63822227, \"grad_norm\": 4.16534615, \"learning_rate\": 1.623e-05, \"memory(GiB)\": 19.54, \"global_step/max_steps\": \"8275/11043\"}",
      "{\"loss\": 2.23302879, \"acc\": 0.26443233, \"grad_norm\": NaN, \"learning_rate\": 1.617e-05, \"memory(GiB)\": 19.54, \"global_step/max_steps\": \"8280/11043\"}",
    ].join("\n");
    assert.deepEqual(await primaryOf("swift.log", `${swift}\n`), { category: "nan_loss", ruleId: "nan_grad_norm_at_end" });
  });

  test("a NaN grad norm the run recovers from, or only at the first record (fp16 warm-up), is no crash", async () => {
    // TableMASTER-mmocr#32 (tune, healthy): nan at the first logging step, finite after.
    const recovered = [
      " Epoch [1][100/62598]\tlr: 1.000e-03, eta: 6 days, 15:22:46, time: 0.539, data_time: 0.051, memory: 7239, loss_ce: 1.2757, loss: 1.9091, grad_norm: nan",
      "2021-11-22 01:32:34,502 - mmocr - INFO - Epoch [1][200/62598]\tlr: 1.000e-03, eta: 7 days, 15:55:58, time: 0.705, data_time: 0.002, memory: 7239, loss_ce: 0.5921, loss: 0.9186, grad_norm: 3.9772",
    ].join("\n");
    assert.equal(await primaryOf("recovered.log", `${recovered}\n`), null);
    assert.equal(await primaryOf("first-only.log", "{'loss': 1.0446, 'grad_norm': nan, 'learning_rate': 1.4925373134328357e-08, 'epoch': 0.0}\n"), null);
    const midRun = [
      "{'loss': 0.1459, 'grad_norm': 5.28125, 'learning_rate': 0.000261, 'epoch': 5.36}",
      "{'loss': 0.2096, 'grad_norm': nan, 'learning_rate': 0.00026, 'epoch': 5.38}",
      "{'loss': 0.1388, 'grad_norm': 2.5, 'learning_rate': 0.000259, 'epoch': 5.40}",
    ].join("\n");
    assert.equal(await primaryOf("mid-run.log", `${midRun}\n`), null);
    // Megatron's skipped iteration (Megatron-LLM#34, tune, healthy): its grad-norm warning is no metric record.
    const megatron = [
      " iteration     3633/    8000 | consumed samples:       232512 | learning rate: 6.245E-06 | global batch size:    64 | loss scale: 1.0 | grad norm: 0.794 | number of skipped iterations:   0 | number of nan iterations:   0 |",
      "***WARNING*** Bad grad_norm detected (grad_norm=nan)",
      " iteration     3634/    8000 | consumed samples:       232576 | learning rate: 6.245E-06 | global batch size:    64 | loss scale: 1.0 | number of skipped iterations:   1 |",
    ].join("\n");
    assert.equal(await primaryOf("megatron-skip.log", `${megatron}\n`), null);
  });
});
