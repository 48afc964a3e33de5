/**
 * Seventh rules round (issue 10), role A: NaN/Inf, checkpoints, timeouts, exceptions and the traceback
 * parser, widened by family for data not tuned on (phrasings and formats other projects print, found
 * with the search tool in threads the corpus does not hold). Each rule is tried on real lines (where
 * they come from) and on near misses that must not be that rule (null: no rule at all); whole texts
 * check the engine changes.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-seventh-round-a-");

describe("seventh round A, NaN: any loss-like key, any separator, any non-finite spelling", () => {
  const families: Family[] = [
    {
      rule: "nan_loss_metric",
      real: [
        // A prefixed key with the value after spaces (TensorFlow pix2pix-style progress prints).
        ["https://github.com/zhysora/PSGan-Family/issues/10", "discrim_loss nan"],
        // Java/Scala (BigDL) and JSON spell infinity out.
        ["https://github.com/intel/ipex-llm/issues/1486", "2017-08-20 16:11:46 INFO  DistriOptimizer$:295 - [Epoch 64 740096/1281167][Iteration 45459][Wall Clock 197340.717246379s] Train 1792 in 4.006890034seconds. Throughput is 447.22968 records/second. Loss is Infinity. Current learning rate is 0.046281366472703075. Current weight decay is 1.0E-4. Current momentum is 0.9."],
        // Inf on a prefixed key (mmdet's RPN loss), as the user quotes the training log.
        ["https://github.com/open-mmlab/mmdetection/issues/4893", "loss_rpn_bbox: inf"],
        ["https://github.com/hardmaru/write-rnn-tensorflow/issues/38 (title)", "train_loss = inf, valid_loss = inf, time/batch = 0.368"],
        ["https://github.com/valeoai/DADA/issues/14 (title)", "loss_seg_src_main = nan loss_depth_src_main = nan loss_adv_trg_main = nan loss_d_main = nan"],
      ],
      nearMiss: [
        // Initial "best" sentinels are inf in every healthy run (Keras' ModelCheckpoint, early stopping).
        ["Epoch 00001: val_loss improved from inf to 0.86118, saving model to xray_class_my_model.best.hdf5", null],
        ["best_loss: inf", null],
        ["min_val_loss = inf", null],
        ["loss_scale: inf", null],
        // Finite values, and a fairseq validation line whose best_loss is a number.
        ["| epoch 011 | valid on 'valid' subset | loss 3.337 | nll_loss 1.518 | ppl 2.86 | num_updates 90000 | best_loss 3.33733", null],
        ["The model loss is fine but the output image is nan", null],
      ],
    },
    {
      // A progress line whose metrics are all NaN, whatever the trainer names its losses.
      rule: "nan_loss_record",
      real: [
        ["https://github.com/junyanz/pytorch-CycleGAN-and-pix2pix/issues/1220", "(epoch: 1, iters: 100, time: 0.317, data: 2.125) D_A: nan G_A: nan cycle_A: nan idt_A: nan D_B: nan G_B: nan cycle_B: nan idt_B: nan "],
        ["https://github.com/marcoppasini/musika/issues/22", "Epoch 41/250: 100%|████████████████| 9375/9375 [07:11<00:00, 21.73it/s, DR=713, DF=nan, G=nan, GP=2.16e+4, LR=0.0001, TIME=0.0615]"],
      ],
      nearMiss: [
        // Evaluation metrics are nan for classes a validation set lacks (mmsegmentation, healthy runs).
        ["2022-09-16 09:50:50,201 - mmseg - INFO - Iter(val) [199]\taAcc: 0.0000, mIoU: 0.0000, mAcc: 0.0000, IoU.back: 0.0000, IoU.circular_valve: nan, IoU.fire_extinguisher: nan, IoU.straight_valve: nan, IoU.water_hose_box: nan", null],
        ["2021-10-14 18:03:45,350 - mmseg - INFO - Iter(val) [400]\taAcc: 0.9996, mIoU: 0.4998, mAcc: 0.9996, IoU.background: 0.9996, IoU.building: 0.0000, Acc.background: 0.9996, Acc.building: nan", null],
        ["epoch 5 val_acc: nan val_f1: nan", null],
        // One metric nan among finite ones is not a diverged run (a GAN's unused gradient-penalty term).
        ["(epoch: 1, iters: 100, time: 0.317, data: 2.125) D_A: 0.2 G_A: 0.5 cycle_A: nan idt_A: 0.3", null],
      ],
    },
  ];
  testFamilies(rules, families);

  test("a CycleGAN log whose losses are all NaN is a NaN run", async () => {
    const text = [
      "create web directory ./checkpoints\\horse2zebra_pretrained\\web...",
      "(epoch: 1, iters: 100, time: 0.317, data: 2.125) D_A: nan G_A: nan cycle_A: nan idt_A: nan D_B: nan G_B: nan cycle_B: nan idt_B: nan ",
      "(epoch: 1, iters: 200, time: 0.320, data: 0.000) D_A: nan G_A: nan cycle_A: nan idt_A: nan D_B: nan G_B: nan cycle_B: nan idt_B: nan ",
    ].join("\n");
    assert.deepEqual(await primaryOf("cyclegan.log", `${text}\n`), { category: "nan_loss", ruleId: "nan_loss_record" });
  });
});

describe("seventh round A, timeouts: any client's read timeout, timeout types and messages, a hub stuck retrying", () => {
  testFamilies(rules, [
    {
      // urllib3's read timeout for any host (the Hub's CDN hf.co, mirrors, GitHub), also cut after "Read timed out.".
      rule: "timeout_http_request",
      real: [
        ["crash-corpus timeout/marker-308-cdn-lfs-readtimeout.log (t), https://github.com/datalab-to/marker/issues/308", `- ReadTimeout: (ReadTimeoutError("HTTPSConnectionPool(host='cdn-lfs-us-1.hf.co', port=443): Read timed out.`],
        ["https://github.com/AUTOMATIC1111/stable-diffusion-webui-rembg/issues/40 (comment)", "HTTPSConnectionPool(host='gitapi.simplehac.top', port=443): Read timed out."],
      ],
      nearMiss: [
        // urllib3 retrying, and huggingface_hub's warning that it falls back to the cache: not the end.
        [`WARNING:urllib3.connectionpool:Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ReadTimeoutError("HTTPSConnectionPool(host='pypi.org', port=443): Read timed out. (read timeout=15)")': /simple/torch/`, null],
        [`'(ReadTimeoutError("HTTPSConnectionPool(host='huggingface.co', port=443): Read timed out. (read timeout=10)"), '(Request ID: 621b36cd-5b11-4361-bbd3-c1f008d1a9e3)')' thrown while requesting HEAD https://huggingface.co/CIDAS/clipseg-rd64-refined/resolve/main/preprocessor_config.json`, null],
      ],
    },
  ]);

  // huggingface_hub's timed-out HEAD requests and its retry notices (Avarok-Cybersecurity/dgx-vllm#16).
  const hubWarning = `(APIServer pid=1) [2026-05-21 23:55:54] WARNING _http.py:320: '(MaxRetryError("HTTPSConnectionPool(host='huggingface.co', port=443): Max retries exceeded with url: /openai/gpt-oss-120b/resolve/main/config.json (Caused by ConnectTimeoutError(<HTTPSConnection(host='huggingface.co', port=443) at 0xf0ff49d14050>, 'Connection to huggingface.co timed out. (connect timeout=10)'))"), '(Request ID: 092a846c-0a2a-4c7b-9fe6-cc51013bccfa)')' thrown while requesting HEAD https://huggingface.co/openai/gpt-oss-120b/resolve/main/config.json`;
  const hubRetry = ["(APIServer pid=1) Retrying in 8s [Retry 4/5].", "(APIServer pid=1) [2026-05-21 23:55:54] WARNING _http.py:329: Retrying in 8s [Retry 4/5]."];

  test("a log that ends while the Hub's timed-out requests are still retried is stuck on the network", async () => {
    // The read timeouts of unslothai/unsloth#3486 (two files, the log ends there), then retries.
    const unsloth = [
      `'(ReadTimeoutError("HTTPSConnectionPool(host='huggingface.co', port=443): Read timed out. (read timeout=10)"), '(Request ID: 7d76f590-4653-46a3-8cec-2473bc91d595)')' thrown while requesting HEAD https://huggingface.co/unsloth/Qwen2.5-7B-Instruct-bnb-4bit/resolve/main/model.safetensors.index.json`,
      "",
      `'(ReadTimeoutError("HTTPSConnectionPool(host='huggingface.co', port=443): Read timed out. (read timeout=10)"), '(Request ID: 5dbccdb5-53a5-4e10-bbe1-83fff0ab55f3)')' thrown while requesting HEAD https://huggingface.co/unsloth/qwen2.5-7b-instruct-bnb-4bit/resolve/main/adapter_config.json `,
    ];
    assert.deepEqual(await primaryOf("hub-two-timeouts.log", `${unsloth.join("\n")}\n`), { category: "timeout", ruleId: "connect_retry_stuck" });
    assert.deepEqual(await primaryOf("hub-retrying.log", `${[unsloth[0], ...hubRetry].join("\n")}\n`), { category: "timeout", ruleId: "connect_retry_stuck" });
    // The connect timeouts' "Max retries exceeded" form names the download that gave up (its own rule).
    assert.deepEqual(await primaryOf("hub-max-retries.log", `${[hubWarning, ...hubRetry].join("\n")}\n`), { category: "timeout", ruleId: "timeout_http_retries" });
  });

  const clipsegWarning = `'(ReadTimeoutError("HTTPSConnectionPool(host='huggingface.co', port=443): Read timed out. (read timeout=10)"), '(Request ID: 621b36cd-5b11-4361-bbd3-c1f008d1a9e3)')' thrown while requesting HEAD https://huggingface.co/CIDAS/clipseg-rd64-refined/resolve/main/preprocessor_config.json`;

  test("the Hub's timeout warning alone, or followed by the run going on, is no crash", async () => {
    // It falls back to the cached file (fixture healthy/unsloth-3486-hf-hub-retry-warning.log); the
    // ComfyUI node of biegert/ComfyUI-CLIPSeg#4 went on detecting after three of them.
    assert.equal(await primaryOf("hub-warning.log", `${clipsegWarning}\n`), null);
    const clipseg = [
      clipsegWarning,
      `'(ReadTimeoutError("HTTPSConnectionPool(host='huggingface.co', port=443): Read timed out. (read timeout=10)"), '(Request ID: 50506107-44dc-4bf4-9fb7-48cf7ad9c640)')' thrown while requesting HEAD https://huggingface.co/CIDAS/clipseg-rd64-refined/resolve/main/tokenizer_config.json`,
      "# of Detected SEGS: 1",
      "Detailer: segment upscale for ((419, 390)) | crop region (838, 780) x 1.8331748251748252 -> (1536, 1429)",
    ];
    assert.equal(await primaryOf("hub-goes-on.log", `${clipseg.join("\n")}\n`), null);
    // Retry notices with no timed-out request before them are not this wait.
    assert.equal(await primaryOf("retry-only.log", `${hubRetry.join("\n")}\n`), null);
  });

  test("an exception that says it timed out is a timeout whatever its type; a timeout setting's error is not", async () => {
    // aws-samples/eks-kubeflow-workshop#86: a generic Exception raised by a wait for a TFJob.
    const kubeflow = [
      "INFO:root:Current condition of kubeflow.org/tfjobs mnist-5500928c-3475-4dd7-9463-570f5c0a494a in namespace anonymous is Created.",
      "Traceback (most recent call last):",
      '  File "/ml/launch_tfjob.py", line 136, in <module>',
      "    main()",
      '  File "/ml/launch_tfjob.py", line 131, in main',
      "    timeout=datetime.timedelta(minutes=args.tfjobTimeoutMinutes))",
      '  File "/ml/launch_crd.py", line 75, in wait_for_condition',
      '    "conditions {4}.".format(self.group, self.plural, name, namespace, expected_conditions))',
      "Exception: Timeout waiting for kubeflow.org/tfjobs mnist-5500928c-3475-4dd7-9463-570f5c0a494a in namespace anonymous to enter one of the conditions ['Succeeded', 'Failed'].",
    ];
    assert.deepEqual(await primaryOf("kubeflow.log", `${kubeflow.join("\n")}\n`), { category: "timeout", ruleId: "python_traceback" });
    // intel/ipex-llm#5560 (title): Java's TimeoutException wrapped by jep.
    assert.deepEqual(await primaryOf("jep.log", "jep.JepException: java.util.concurrent.TimeoutException: Futures timed out after [100 seconds]\n"), { category: "timeout", ruleId: "python_traceback" });
    // Near miss: a timeout value rejected by the code is a configuration error.
    const config = ["Traceback (most recent call last):", '  File "train.py", line 12, in <module>', "    main(args.timeout)", "ValueError: timeout must be a positive number, got -1"];
    assert.deepEqual(await primaryOf("config.log", `${config.join("\n")}\n`), { category: "python_exception", ruleId: "python_traceback" });
  });
});

describe("seventh round A, NaN (t/u misses, widened by family)", () => {
  testFamilies(rules, [
    {
      rule: "nan_loss_metric",
      real: [
        // Decoration between the key and its colon; a printed fp16 loss tensor.
        ["crash-corpus nan_loss/PLeak-2-fp16-print-loss-tensor-nan.log (t), https://github.com/BHui97/PLeak/issues/2", "-----------loss------------:  tensor(nan, device='cuda:3', dtype=torch.float16)"],
        // Python's format fill character after the value ('{:x<6f}': nan -> nanxxx).
        ["crash-corpus nan_loss/PaddleOCR-10042-crnn-loss-nanxxx.log (t), https://github.com/PaddlePaddle/PaddleOCR/issues/10042", "[2023/05/26 21:49:05] ppocr INFO: epoch: [1/2000], global_step: 174, lr: 0.000013, acc: 0.000000, norm_edit_dis: 0.000000, loss: nanxxx, avg_reader_cost: 0.01411 s, avg_batch_cost: 0.91575 s, avg_samples: 1560.0, ips: 1703.52077 samples/s, eta: 23 days, 9:29:5"],
        // A printed gradient tensor holding NaN, whatever the language of its label.
        ["crash-corpus nan_loss/nlesc-dirac-pytorch-4-gradient-nan-entries.log (t), https://github.com/nlesc-dirac/pytorch/issues/4", "Gradiente:  tensor([-969.7510,    0.0000,       nan,       nan,    0.0000],"],
        // "Loss is not finite" in its spellings (a typo included), when it ends training.
        ["crash-corpus nan_loss/3D-R1-16-sft-loss-not-finite-terminate.log (t), https://github.com/AIGeeksGroup/3D-R1/issues/16", "Loss in not finite. Terminate training."],
      ],
      nearMiss: [
        ["-----------loss------------:  tensor(0.1054, device='cuda:3', dtype=torch.float16)", null],
        ["Gradiente:  tensor([-951.9085,    0.0000,       0.5,       0.2,    0.0000],", null],
        // The same trainer skipping a step (the sixth round's skip notices are healthy).
        ["Loss in not finite. Skip this training step.", null],
      ],
    },
    {
      rule: "nan_loss_record",
      real: [
        // The step counter's first value (FermiNet's energy) is NaN.
        ["crash-corpus nan_loss/ferminet-57-beh-adam-energy-nan-step-3455.log (u), https://github.com/google-deepmind/ferminet/issues/57", "INFO:absl:Step 03455: nan E_h, variance=nan E_h^2, pmove=0.51"],
      ],
      nearMiss: [["INFO:absl:Step 03454: -14.9189 E_h, variance=0.0443 E_h^2, pmove=0.51", null]],
    },
    {
      rule: "nan_grad_norm_check",
      real: [
        // Gradient checks reporting NaN: a debugging hook, DyNet's trainer, an assert message.
        ["crash-corpus nan_loss/unsloth-2040-gemma3-v100-nan-gradient-detected.log (u), https://github.com/unslothai/unsloth/issues/2040", "NaN gradient detected in Linear4bit's input gradient "],
        ["https://github.com/datquocnguyen/jointRE/issues/7", "RuntimeError: Magnitude of gradient is bad: -nan"],
        ["https://github.com/alibaba-edu/simple-effective-text-matching/issues/3 (the title quotes the assert; this is its message as Python prints it)", "AssertionError: encounter nan in gradients"],
      ],
      nearMiss: [
        // A trainer that checks its gradients and skips the step (nianticlabs/mickey#23: "That is a
        // warning log"), and ESPnet's CTC ignoring samples (modelscope/FunASR#1124).
        ["Found NaN/Inf in depth0/depth1 gradients!", null],
        ["[autodl-container-4d6411b93c-8a044365] 2023-11-24 08:26:08,148 (ctc:67) WARNING: 1/140 samples got nan grad. These were ignored for CTC loss.", null],
      ],
    },
  ]);
});

describe("seventh round A, parser: an exception Python printed and ignored ends nothing, whatever a rule says about it", () => {
  test("an ImportError in a finalizer at interpreter shutdown is no crash (3.14's wording too)", async () => {
    // tinygrad/tinygrad#11382: the compile finished ("test done"), then finalizers failed at exit.
    const tinygrad = [
      "**** test done ****",
      "Exception ignored in: <function HCQGraph.__del__ at 0x7f9ecfb6a0>",
      "Traceback (most recent call last):",
      '  File "/data/openpilot/tinygrad/runtime/graph/hcq.py", line 225, in __del__',
      '  File "/data/openpilot/tinygrad/runtime/ops_qcom.py", line 313, in _free',
      '  File "/data/openpilot/tinygrad/runtime/ops_qcom.py", line 358, in _gpu_free',
      '  File "/data/openpilot/tinygrad/runtime/autogen/kgsl.py", line 132, in _do_ioctl',
      '  File "/data/openpilot/tinygrad/runtime/support/hcq.py", line 29, in ioctl',
      "ImportError: sys.meta_path is None, Python is likely shutting down",
    ];
    assert.equal(await primaryOf("tinygrad-exit.log", `${tinygrad.join("\n")}\n`), null);
    // uqfoundation/dill#735: Python 3.14 prints "Exception ignored while calling deallocator".
    const py314 = [
      "Exception ignored while calling deallocator <function IOBase.__del__ at 0x7fffaeb99bc0>:",
      "Traceback (most recent call last):",
      '  File "/usr/lib/python3.14/_pyio.py", line 411, in __del__',
      '  File "/usr/lib/python3.14/_pyio.py", line 2701, in _dealloc_warn',
      '  File "/usr/lib/python3.14/_pyio.py", line 861, in _dealloc_warn',
      '  File "/usr/lib/python3.14/_pyio.py", line 1613, in _dealloc_warn',
      "ImportError: sys.meta_path is None, Python is likely shutting down",
    ];
    assert.equal(await primaryOf("py314-exit.log", `${py314.join("\n")}\n`), null);
  });

  test("the same ImportError raised by the program is still an import error, also after an ignored one", async () => {
    // Near miss: urllib3/urllib3#2608 quotes it raised through requests' frames (not a finalizer).
    const raised = [
      "Traceback (most recent call last):",
      '  File "/home/liron/mambaforge/envs/dm-sdk-dev/lib/python3.10/site-packages/requests/api.py", line 117, in post',
      '  File "/home/liron/mambaforge/envs/dm-sdk-dev/lib/python3.10/site-packages/urllib3/connection.py", line 380, in connect',
      "ImportError: sys.meta_path is None, Python is likely shutting down",
    ];
    assert.equal((await primaryOf("raised.log", `${raised.join("\n")}\n`))?.category, "import_error");
    const after = [
      "Exception ignored in: <bound method _WeChatRobotClient.__del__ of <class 'wxRobot._WeChatRobotClient'>>",
      "Traceback (most recent call last):",
      '  File "C:\\Users\\xinhua\\PycharmProjects\\crypto\\wxRobot.py", line 38, in __del__',
      "ImportError: sys.meta_path is None, Python is likely shutting down",
      "Traceback (most recent call last):",
      '  File "train.py", line 3, in <module>',
      "    import scipy",
      "ModuleNotFoundError: No module named 'scipy'",
    ];
    assert.deepEqual(await primaryOf("ignored-then-crash.log", `${after.join("\n")}\n`), { category: "import_error", ruleId: "import_no_module" });
  });
});

describe("seventh round A, NaN: a loss scale that collapsed to 1 explains the failure after it", () => {
  testFamilies(rules, [
    {
      rule: "nan_loss_scale_collapsed",
      real: [
        // DeepSpeed halving its scale down to 1 (every step skipped), then the run raised.
        ["crash-corpus nan_loss/chatglm-finetuning-130-ds-overflow-every-step-scale-to-1.log (u), https://github.com/liucongg/ChatGLM-Finetuning/issues/130", "[2024-01-17 10:10:25,080] [INFO] [loss_scaler.py:183:update_scale] [deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 2, reducing to 1"],
        ["https://github.com/deepspeedai/DeepSpeed/pull/1593 (quoting transformers#14531)", "OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 1, reducing to 1"],
      ],
      nearMiss: [
        // The scale search at the start of every fp16 run (zai-org/CogVideo#233: "It recovered after few steps").
        ["[2024-09-11 17:52:18,030] [INFO] [loss_scaler.py:183:update_scale] [deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 4294967296, reducing to 2147483648", null],
        ["[2023-06-07 22:16:00,018] [INFO] [loss_scaler.py:181:update_scale] [deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 16, reducing to 8", null],
      ],
    },
  ]);

  const collapse = [
    "[2024-01-17 10:10:24,477] [INFO] [logging.py:96:log_dist] [Rank 0] step=16, skipped=16, lr=[0.0001], mom=[(0.9, 0.95)]",
    "[2024-01-17 10:10:25,080] [INFO] [loss_scaler.py:183:update_scale] [deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 2, reducing to 1",
    "[2024-01-17 10:10:25,080] [INFO] [logging.py:96:log_dist] [Rank 0] step=17, skipped=17, lr=[0.0001], mom=[(0.9, 0.95)]",
  ];

  test("a failure right after the collapse (here only its Traceback line: the log ends there) is the NaN run", async () => {
    assert.deepEqual(await primaryOf("collapse-then-raise.log", `${[...collapse, "Traceback (most recent call last):"].join("\n")}\n`), { category: "nan_loss", ruleId: "nan_loss_scale_collapsed" });
  });

  test("the collapse alone is a warning, and a Traceback line alone names no error but is a failure", async () => {
    assert.equal(await primaryOf("collapse-alone.log", `${collapse.join("\n")}\n`), null);
    assert.deepEqual(await primaryOf("traceback-head.log", "epoch 3 step 200 loss 1.25\nTraceback (most recent call last):\n\n"), { category: "python_exception", ruleId: "python_traceback" });
    // A Traceback line followed by anything else is not cut there (its frames or other records follow).
    assert.equal(await primaryOf("traceback-head-then-log.log", "Traceback (most recent call last):\nepoch 3 step 200 loss 1.25\nepoch 3 step 300 loss 1.20\n"), null);
  });
});

describe("seventh round A, checkpoints: protobuf models that do not parse, a model config that is not JSON", () => {
  testFamilies(rules, [
    {
      // A TensorFlow .pb graph or an ONNX file cut short or not a model (maintainers: re-download it).
      rule: "ckpt_bad_format",
      real: [
        ["https://github.com/tensorflow/tensorflow/issues/3002", "google.protobuf.message.DecodeError: Truncated message."],
        ["https://github.com/onnx/onnx/issues/3682", "google.protobuf.message.DecodeError: Error parsing message"],
        ["https://github.com/mithril-security/blindai/issues/146", "DecodeError: Error parsing message with type 'onnx.ModelProto'"],
        ["https://github.com/onnx/onnx/issues/278", "DecodeError: Protobuf decoding consumed too few bytes: None out of 243863373"],
      ],
      nearMiss: [
        ["json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)", null],
        ["UnicodeDecodeError: 'utf-8' codec can't decode byte 0x80 in position 0: invalid start byte", null],
      ],
    },
  ]);

  test("a JSONDecodeError in a model config reader is a broken saved file; one reading data is not", async () => {
    // JeremyLinky/YouTube-VLN#6: the frames as the issue shows them; the exception line is its title.
    const vln = [
      "Loading model",
      "Traceback (most recent call last):",
      '  File "/home/kamran-rehman/anaconda3/envs/lily/data/YouTube-VLN/pretrain.py", line 54, in main',
      "    config = BERT_CONFIG_FACTORY[args.model_name].from_json_file(args.config_file)",
      '  File "/home/kamran-rehman/anaconda3/envs/lily/data/YouTube-VLN/vilbert/vilbert.py", line 182, in from_json_file',
      "    params = json.load(fid)",
      '  File "/home/kamran-rehman/anaconda3/envs/lily/lib/python3.6/json/__init__.py", line 299, in load',
      "    parse_constant=parse_constant, object_pairs_hook=object_pairs_hook, **kw)",
      "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)",
    ];
    assert.deepEqual(await primaryOf("vln.log", `${vln.join("\n")}\n`), { category: "checkpoint_corrupt", ruleId: "python_traceback" });
    // Lightning-AI/lit-llama#283: a data preparation script reading its own dataset.
    const litLlama = [
      "Traceback (most recent call last):",
      '  File "/home/ubuntu/miniconda3/lib/python3.8/json/decoder.py", line 355, in raw_decode',
      '    raise JSONDecodeError("Expecting value", s, err.value) from None',
      "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)",
    ];
    assert.deepEqual(await primaryOf("lit-llama.log", `${litLlama.join("\n")}\n`), { category: "python_exception", ruleId: "python_traceback" });
  });
});

describe("seventh round A, imports: native libraries missing on Windows and macOS, numpy's C-API mismatch", () => {
  testFamilies(rules, [
    {
      rule: "import_native_library",
      real: [
        // torch's DLL preload on Windows, in any language of the OS message.
        ["https://github.com/pytorch/pytorch/issues/133076", `OSError: [WinError 126] The specified module could not be found. Error loading "C:\\Users\\DELL\\Downloads\\SPORTS\\anaconda\\Lib\\site-packages\\torch\\lib\\fbgemm.dll" or one of its dependencies. even though i installed and import torch its showing like this only.`],
        ["https://github.com/chn-lee-yumi/MaterialSearch/issues/105", `OSError: [WinError 126] 找不到指定的模块。 Error loading "E:\\MaterialSearch_tmp\\MaterialSearchWindows\\lib\\site-packages\\torch\\lib\\fbgemm.dll" or one of its dependencies.`],
        // macOS' dynamic loader, inside an ImportError or on its own.
        ["https://github.com/pytorch/pytorch/issues/36941", "ImportError: dlopen(/Users/vincent/Development/whatlies/venv/lib/python3.7/site-packages/torch/_C.cpython-37m-darwin.so, 9): Library not loaded: @rpath/libc++.1.dylib"],
        ["https://github.com/LaurentMazare/tch-rs/issues/776", "dyld[25249]: Library not loaded: @rpath/libtorch_cpu.dylib"],
      ],
      nearMiss: [
        // Windows' paging file exhausted while loading a DLL is memory (B's rule), not a missing library.
        [`OSError: [WinError 1455] The paging file is too small for this operation to complete. Error loading "C:\\x\\torch\\lib\\cudnn_adv_infer64_8.dll" or one of its dependencies.`, "host_oom_memory_error"],
      ],
    },
    {
      rule: "import_numpy_abi",
      real: [
        ["https://github.com/zju3dv/NeuralRecon/issues/147", "RuntimeError:module compiled against API version 0x10 but this version of numpy is 0xe . Check the section C-API incompatibility at the Troubleshooting ImportError section at https://numpy.org/devdocs/user/troubleshooting-importerror.html#c-api-incompatibility for indications on how to solve this problem ."],
        ["https://github.com/vanzytay/pytorch_sentiment_rnn/issues/5", "RuntimeError: module compiled against API version 0xb but this version of numpy is 0xa"],
      ],
      nearMiss: [["AttributeError: module 'numpy' has no attribute 'float'.", null]],
    },
  ]);
});

describe("seventh round A, checkpoints: ONNX Runtime's and NumPy's readers refusing a model file", () => {
  testFamilies(rules, [
    {
      rule: "ckpt_bad_format",
      real: [
        // ONNX Runtime: a model cut short or a Git LFS pointer (commavq#12: "forgot the git lfs pull").
        ["https://github.com/levihsu/OOTDiffusion/issues/118", "onnxruntime.capi.onnxruntime_pybind11_state.InvalidProtobuf: [ONNXRuntimeError] : 7 : INVALID_PROTOBUF : Load model from /home/jovyan/workspace/OOTDiffusion/checkpoints/humanparsing/parsing_atr.onnx failed:Protobuf parsing failed."],
        ["https://github.com/hacksider/Deep-Live-Cam/issues/438", "onnxruntime.capi.onnxruntime_pybind11_state.InvalidProtobuf: [ONNXRuntimeError] : 7 : INVALID_PROTOBUF : Load model from C:\\Users\\tHE\\Deep-Live-Cam\\models\\inswapper_128_fp16.onnx failed:Protobuf parsing failed."],
        ["https://github.com/ai-forever/ghost/issues/104", "ssion::InferenceSession status.IsOK() was false. Given model could not be parsed while creating inference session. Error message: Protobuf parsing failed."],
        ["https://github.com/commaai/commavq/issues/12", "ValidationError: Unable to parse proto from file: /home/mojo/dev/commavq-challenge/commavq/models/decoder.onnx. Please check if it is a valid protobuf file of proto."],
        // NumPy weights that are not an .npy/.npz (a Git LFS pointer, an interrupted write).
        ["https://github.com/ajbrock/Neural-Photo-Editor/issues/15", "IOError: Failed to interpret file 'IAN_simple.npz' as a pickle"],
        ["https://github.com/StanislasBertrand/RetinaFace-tf2/issues/28", "OSError: Failed to interpret file './data/retinafaceweights.npy' as a pickle"],
      ],
      nearMiss: [
        // A valid pickle refused by np.load's default (a call to change, not a broken file).
        ["ValueError: Cannot load file containing pickled data when allow_pickle=False", null],
      ],
    },
  ]);
});
