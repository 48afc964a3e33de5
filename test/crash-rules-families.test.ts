/**
 * Rule families added or widened after studying the misses of the first corpus collection (tune and
 * held back, docs/crash-accuracy.md): each rule is tried on real lines, verbatim from a corpus
 * excerpt (test/fixtures/crash-corpus/<file>) or a public thread (URL), and on near misses that must
 * not be that rule (null: no rule at all). Then whole logs check the primary choice around them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-families-");

const families: Family[] = [
  {
    rule: "gpu_nvlink_uncorrectable",
    real: [
      ["crash-corpus gpu_hardware/pytorch-58155-nvlink-uncorrectable.log", "  what():  CUDA error: uncorrectable NVLink error detected during the execution"],
    ],
    nearMiss: [
      ["NCCL INFO Channel 00/0 : 0[0] -> 1[1] via P2P/NVLink", null],
      ["RuntimeError: CUDA error: uncorrectable ECC error encountered", "gpu_ecc_uncorrectable"],
      ["RuntimeError: CUDA error: unspecified launch failure", "cuda_launch_failure"],
    ],
  },
  {
    rule: "killed_ray_memory_monitor",
    real: [
      ["https://github.com/real-stanford/flingbot/issues/11", "ray.exceptions.OutOfMemoryError: Task was killed due to the node running low on memory."],
      ["https://github.com/primihub/primihub-platform/issues/122", "The actor is dead because its worker process has died. Worker exit type: NODE_OUT_OF_MEMORY Worker exit detail: Task was killed due to the node running low on memory."],
    ],
    nearMiss: [
      // A CUDA OOM inside a Ray task stays a CUDA OOM.
      ["torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB", "cuda_oom_alloc"],
      ["ray.exceptions.RayTaskError(OutOfMemoryError): ray::Trainer.train() (pid=4242, ip=10.0.0.2)", null],
    ],
  },
  {
    rule: "killed_launcher_cleanup",
    real: [
      ["crash-corpus process_killed/accelerate-193-killing-subprocess-json.log", "Killing subprocess 5571"],
      ["https://github.com/deepspeedai/DeepSpeed/issues/1581", "[2021-11-21 08:32:07,148] [INFO] [launch.py:131:sigkill_handler] Killing subprocess 250621"],
      ["https://github.com/CASIA-LMC-Lab/AnomalyGPT/issues/43", "[2023-11-13 16:59:54,760] [INFO] [launch.py:314:sigkill_handler] Killing subprocess 9439"],
    ],
    nearMiss: [
      ["WARNING:torch.distributed.elastic.multiprocessing.api:Sending process 4031 closing signal SIGTERM", null],
      ["[2023-11-13 16:59:55,650] [ERROR] [launch.py:320:sigkill_handler] ['/opt/conda/bin/python', '-u', 'train_mvtec.py', '--local_rank=1'] exits with return code = -9", "killed_launcher_signal"],
    ],
  },
  {
    rule: "killed_exit_137",
    real: [
      ["https://github.com/mozilla/addons/issues/5259", "Exited with code 137"],
      ["https://github.com/hashicorp/nomad/issues/6060 (title)", "Docker container exited with non-zero exit code: 137 (NOT OOM-KILLED)"],
      ["https://github.com/hashicorp/vagrant/issues/4247 (title)", "returned a non-zero code: 137"],
      ["YARN's container report", "Container killed on request. Exit code is 137"],
    ],
    nearMiss: [
      ["Container exited. Exit code is 0", null],
      ["Exit code: 1370 bytes written", null],
      ["exited with code 1", null],
    ],
  },
  {
    rule: "killed_shell_report",
    real: [
      ["https://github.com/ArjunaCluster/ArjunaUsers/issues/52", "/var/spool/slurmd/job00191/slurm_script: line 28:  8156 Killed                  python3 main.py --prop hform --epochs 400"],
      ["srun's report of a task killed by SIGKILL (same form as srun's `task 0: Out Of Memory`, https://github.com/FoNDUE-HTR/Documentation/issues/5)", "srun: error: gpu001: task 0: Killed"],
    ],
    nearMiss: [
      ["srun: error: gpu001: task 0: Exited with exit code 1", null],
      ["Killed 3 stale workers: 100%|██████████| 3/3 [00:00<00:00, 912.3it/s]", null],
    ],
  },
  {
    rule: "segfault_worker_bus_error",
    real: [
      ["crash-corpus segfault/mmf-441-bus-error-training-loop.log", "ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm)."],
      ["crash-corpus segfault/paddleclas-999-bus-error-worker.log", "ERROR: Unexpected BUS error encountered in DataLoader worker. This might be caused by insufficient shared memory (shm), please check whether use_shared_memory is set and storage space in /dev/shm is enough"],
      ["https://github.com/open-mmlab/mmsegmentation/issues/1356", "**ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm).**"],
    ],
    nearMiss: [
      ["ERROR: Unexpected segmentation fault encountered in worker.", "segfault_worker_message"],
      ["train_dataloader = dict(batch_size=8, num_workers=8, persistent_workers=True, use_shared_memory=True)", null],
    ],
  },
  {
    rule: "segfault_shell",
    real: [
      ["bash's report of a SIGFPE (as segfault_shell's `Segmentation fault (core dumped)`)", "Floating point exception (core dumped)"],
      ["bash's report of a SIGILL", "Illegal instruction (core dumped)"],
      ["bash's job report of a SIGBUS", "train.sh: line 12: 40231 Bus error               (core dumped) python train.py"],
    ],
    nearMiss: [
      ["RuntimeError: CUDA error: an illegal instruction was encountered", "cuda_launch_failure"],
      ["FloatingPointError: Minimum loss scale reached (0.0001).", "nan_loss_min_scale"],
    ],
  },
  {
    rule: "timeout_http_request",
    real: [
      ["crash-corpus timeout/huggingface-hub-2568-tokenizer-read-timeout.log", "- ReadTimeout: (ReadTimeoutError(\"HTTPSConnectionPool(host='cdn-lfs-us-1.hf.co', port=443): Read timed out. (read timeout=10)\"), '(Request ID: 835293f3-08b9-4ec4-bbf1-4f9d8c1eaf61)')"],
      ["requests' timeout on any host", "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='s3.amazonaws.com', port=443): Read timed out. (read timeout=60)"],
    ],
    nearMiss: [
      // A retry that may still succeed is not the crash (crash-corpus timeout/geti-7155-weights-connect-timeout.log, tune).
      ["2026-07-30 08:51:27.071 | WARNING  | urllib3.connectionpool:urlopen:869 - Retrying (Retry(total=2, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ConnectTimeoutError(<HTTPSConnection(host='download.openmmlab.com', port=443) at 0x7e79a14cb230>, 'Connection to download.openmmlab.com timed out. (connect timeout=10)')': /mmdetectio", null],
      ["'(ReadTimeoutError(\"HTTPSConnectionPool(host='cdn-lfs.huggingface.co', port=443): Read timed out. (read timeout=10)\"), '(Request ID: 1)')' thrown while requesting GET https://huggingface.co/x/resolve/main/model.safetensors", null],
      ["--hub_timeout 10 --read_timeout 60", null],
    ],
  },
  {
    rule: "import_no_module",
    real: [
      ["crash-corpus import_error/deepspeed-windows-2-no-module-main.log", "D:\\anaconda3\\envs\\cyh-Fuyu\\python.exe: No module named deepspeed.__main__; 'deepspeed' is a package and cannot be directly executed"],
      ["runpy for `python3 -m` of a module that is not installed", "/usr/bin/python3: No module named torch.distributed.run"],
    ],
    nearMiss: [
      ["/usr/bin/python3: can't open file '/app/train.py': [Errno 2] No such file or directory", null],
      ["[WARNING] python: no module check requested", null],
    ],
  },
  {
    rule: "disk_write_failed",
    real: [["crash-corpus disk_full/pytorch-10577-write-fd-io-error-disk-saturated.log", "RuntimeError: write(): fd 29 failed with Input/output error"]],
    nearMiss: [
      ["RuntimeError: write(): fd 5 failed with No space left on device", "disk_full"],
      ["OSError: [Errno 5] Input/output error", null],
    ],
  },
  {
    rule: "disk_full",
    real: [
      ["sqlite (wandb, optuna, HF datasets' caches)", "sqlite3.OperationalError: database or disk is full"],
      ["Hugging Face datasets before a download", "OSError: Not enough disk space. Needed: 1.25 GiB (download: 400.00 MiB, generated: 850.00 MiB, post-processed: Unknown size)"],
    ],
    nearMiss: [
      // huggingface_hub's warning, not a crash by itself: a warning-severity finding that explains a failure after it
      // (crash-corpus disk_full/huggingface-hub-2742-not-enough-free-disk.log, tune; test/crash-rules-third-round.test.ts).
      ["/opt/venv/lib/python3.12/site-packages/huggingface_hub/file_download.py:651: UserWarning: Not enough free disk space to download the file. The expected file size is: 3945.44 MB. The target location /root/.cache/huggingface/hub/models--Qwen--Qwen2.5-7B-Instruct/blobs only has 3421.60 MB free disk space.", "disk_full_warning"],
      ["sqlite3.OperationalError: database is locked", null],
    ],
  },
  {
    rule: "nan_loss_metric",
    real: [
      ["crash-corpus nan_loss/lion-9-hvae-loss-nan.log", "2023-01-25 00:21:34.569 | INFO     | trainers.base_trainer:train_epochs:256 - [R0] | E6 iter[ 14/ 15] | [Loss] nan | [exp] ./exp/0125/car/3dbf3ah_hvae_lion_B40 | [step]   104 |"],
      ["crash-corpus nan_loss/llama-cookbook-300-train-epoch-loss-nan.log", "Epoch 4: train_perplexity=nan, train_epoch_loss=nan, epoch time 242.3404811769724s"],
      ["crash-corpus nan_loss/llama-cookbook-300-train-epoch-loss-nan.log", " eval_ppl=tensor(nan, device='cuda:0') eval_epoch_loss=tensor(nan, device='cuda:0')"],
      ["https://github.com/prannaykaul/lvc/issues/20", "loss_dict = {'loss_box_reg_stage0': tensor(nan, device='cuda:0', grad_fn=<MeanBackward0>), 'data_time': 0.007915766909718513}"],
      ["https://github.com/wogur110/PNI_anomaly_detection/issues/7", "Epoch 0: 100%|█████████████| 320/320 [00:21<00:00, 14.77it/s, loss=nan, v_num=0]"],
    ],
    nearMiss: [
      ["Validation loss decreased (inf --> 0.693100).  Saving model ...", null],
      ["best_val_loss = inf", null],
      ["min_val_loss: inf", null],
      ["logging_nan_inf_filter=True,", null],
      ["loss_scale: nan", null],
      ["| epoch 027 | loss 6.343 | nll_loss 4.984 | ppl 31.65 | loss_scale 0.500", null],
    ],
  },
  {
    rule: "nan_loss_hf_filtered",
    real: [
      ["crash-corpus nan_loss/modernbert-233-loss-zero-grad-norm-nan.log", "{'loss': 0.0, 'grad_norm': nan, 'learning_rate': 9.773696745450087e-06, 'epoch': 0.53}"],
      ["https://github.com/chengtan9907/mc-cot/issues/2 (title)", "在推理生成和答案推理两个阶段的训练中都出现了'loss': 0.0, 'grad_norm': nan"],
    ],
    nearMiss: [
      // One overflowing fp16 step: grad_norm nan, loss fine (a warning only).
      ["{'loss': 0.2051, 'grad_norm': nan, 'learning_rate': 9.774074342405685e-06, 'epoch': 0.53}", "nan_grad_norm"],
      ["{'loss': 0.0, 'grad_norm': 0.0123, 'learning_rate': 1e-05, 'epoch': 3.0}", null],
    ],
  },
  {
    rule: "nan_loss_megatron_missing",
    real: [
      ["crash-corpus nan_loss/megatron-llm-33-falcon-nan-after-3383.log", "iteration     3385/    8000 | consumed samples:       216640 | elapsed time per iteration (ms): 7624.3 | learning rate: 6.676E-06 | global batch size:    64 | loss scale: 1.0 | gr"],
      ["crash-corpus nan_loss/megatron-deepspeed-434-nan-no-lm-loss-print.log", " iteration        9/      10 | consumed samples:          108 | consumed tokens:       442368 | elapsed time per iteration (ms): 1979.2 | learning rate: 4.219E-07 | global batch size:    12 | loss scale: 1.0 | actual seqlen:  4096 | number of skipped iterations:   0 | number of nan iterations:   0 | samples per second: 6.063 | tokens per gpu per second (tgs): 2069.506 | TFLOPs: 127.00 |"],
    ],
    nearMiss: [
      ["iteration     3384/    8000 | consumed samples:       216576 | elapsed time per iteration (ms): 7845.5 | learning rate: 6.678E-06 | global batch size:    64 | lm loss: 7.072597E-01 | loss scale: 1.0 | grad norm: 0.741 | number of skipped iterations:   0 | number of nan iterations:   0 |", null],
      // fp16 warm-up: every iteration of the interval skipped, so no loss is printed; healthy.
      [" iteration        1/  500000 | consumed samples:           32 | elapsed time per iteration (ms): 5123.4 | learning rate: 0.000E+00 | global batch size:    32 | loss scale: 4294967296.0 | number of skipped iterations:   1 | number of nan iterations:   0 |", null],
      [" iteration       10/  500000 | consumed samples:          320 | elapsed time per iteration (ms): 812.0 | learning rate: 0.000E+00 | global batch size:    32 | loss scale: 1.0 | number of skipped iterations:  10 | number of nan iterations:   0 |", null],
      // The loss-free line that also shows the NaN gradient norm keeps its own rule.
      [" iteration     5427/  250000 | consumed samples:        43416 | consumed tokens:     88915968 | elapsed time per iteration (ms): 4225.8 | learning rate: 2.999E-04 | global batch size:     8 | loss scale: 1.0 | grad norm: nan | actual seqlen:  2048 | number of skipped iterations:   0 | number of nan iterations:   0 |", "nan_loss_grad_norm_collapsed_scale"],
    ],
  },
  {
    rule: "nan_loss_min_scale",
    real: [
      ["crash-corpus nan_loss/fairseq-512-overflow-cascade-min-scale.log", "| WARNING: overflow detected, setting loss scale to: 0.0001220703125"],
      ["https://github.com/facebookresearch/fairseq/issues/1895", "2020-03-23 11:41:18 | INFO | fairseq.trainer | NOTE: overflow detected, setting loss scale to: 0.00048828125"],
    ],
    nearMiss: [
      // fairseq went on training at these scales (https://github.com/facebookresearch/fairseq/issues/515).
      ["| WARNING: overflow detected, setting loss scale to: 0.00390625", null],
      ["2020-08-01 12:39:16 | INFO | fairseq.trainer | NOTE: overflow detected, setting loss scale to: 1024.0", null],
    ],
  },
  {
    rule: "ckpt_torch_zip",
    real: [
      ["https://github.com/k2-fsa/snowfall/issues/186", "RuntimeError: [enforce fail at inline_container.cc:145] . PytorchStreamReader failed reading file data/57885792: invalid header or archive is corrupted"],
      ["https://github.com/CompVis/stable-diffusion/issues/230", "RuntimeError: PytorchStreamReader failed reading file data/11: invalid header or archive is corrupted"],
    ],
    nearMiss: [
      ["RuntimeError: [enforce fail at inline_container.cc:337] . PytorchStreamWriter failed writing file data/0: file write failed", "disk_full"],
      ["Loading PytorchStreamReader-based checkpoint from /ckpt/model.pt", null],
    ],
  },
  {
    rule: "ckpt_truncated",
    real: [
      ["torch's reader missing a record", "RuntimeError: [enforce fail at inline_container.cc:209] . file not found: archive/data.pkl"],
      ["h5py on a cut Keras checkpoint", "OSError: Unable to open file (truncated file: eof = 96, sblock->base_addr = 0, stored_eof = 2048)"],
    ],
    nearMiss: [
      ["RuntimeError: [enforce fail at inline_container.cc:595] . unexpected pos 4426816 vs 4426712", "disk_full"],
      ["OSError: Unable to open file (unable to open file: name = 'x.h5', errno = 2, error message = 'No such file or directory')", null],
    ],
  },
];

testFamilies(rules, families);

const chatglm = [
  "Loading checkpoint shards:   0%|          | 0/7 [00:00<?, ?it/s][2023-09-10 11:45:59,207] [INFO] [launch.py:428:sigkill_handler] Killing subprocess 6293",
  "[2023-09-10 11:45:59,501] [INFO] [launch.py:428:sigkill_handler] Killing subprocess 6294",
];

test("launcher cleanup: alone it is a silent death (process_killed); the exit status it reports decides otherwise", async () => {
  // crash-corpus process_killed/chatglm-finetuning-102-killing-subprocess.log: ranks vanish while loading shards.
  assert.deepEqual(await primaryOf("cleanup.log", chatglm.join("\n") + "\n"), { category: "process_killed", ruleId: "killed_launcher_cleanup" });
  // DeepSpeed then names the first worker's status: -9 is a kill ...
  const killed = [...chatglm, "[2023-09-10 11:45:59,900] [ERROR] [launch.py:434:sigkill_handler] ['/usr/bin/python', '-u', 'main.py', '--local_rank=1'] exits with return code = -9"];
  assert.equal((await primaryOf("cleanup-9.log", killed.join("\n") + "\n"))?.category, "process_killed");
  // ... 1 is the worker's own error, whose traceback is elsewhere: not a kill.
  const failed = [...chatglm, "[2023-09-10 11:45:59,900] [ERROR] [launch.py:434:sigkill_handler] ['/usr/bin/python', '-u', 'main.py', '--local_rank=1'] exits with return code = 1"];
  assert.deepEqual(await primaryOf("cleanup-1.log", failed.join("\n") + "\n"), { category: "python_exception", ruleId: "launcher_failure" });
  // A rank's traceback before the cleanup is the cause.
  const withTraceback = [
    "Traceback (most recent call last):",
    '  File "main.py", line 40, in <module>',
    "    model = load(args.model_dir)",
    "KeyError: 'lm_head.weight'",
    ...chatglm,
  ];
  assert.equal((await primaryOf("cleanup-tb.log", withTraceback.join("\n") + "\n"))?.category, "python_exception");
});

test("an uncorrectable NVLink error is the hardware cause of the C++ terminate and CUDA errors around it", async () => {
  // crash-corpus gpu_hardware/pytorch-58155-nvlink-uncorrectable.log (first lines).
  const text = [
    "terminate called after throwing an instance of 'std::system_error'",
    "  what():  Transport endpoint is not connected",
    "terminate called after throwing an instance of 'c10::Error'",
    "  what():  CUDA error: uncorrectable NVLink error detected during the execution",
    "Exception raised from create_event_internal at /pytorch/c10/cuda/CUDACachingAllocator.cpp:733 (most recent call first):",
    "RuntimeError: CUDA error: an illegal memory access was encountered",
  ];
  assert.deepEqual(await primaryOf("nvlink.log", text.join("\n") + "\n"), { category: "gpu_hardware", ruleId: "gpu_nvlink_uncorrectable" });
});

test("Hugging Face Trainer: a NaN grad norm with a real loss is a warning; loss 0.0 with it is divergence", async () => {
  const healthy = [
    "{'loss': 0.2137, 'grad_norm': 1.84, 'learning_rate': 9.8e-06, 'epoch': 0.5}",
    "{'loss': 0.2051, 'grad_norm': nan, 'learning_rate': 9.774074342405685e-06, 'epoch': 0.53}",
    "{'loss': 0.1987, 'grad_norm': 1.62, 'learning_rate': 9.7e-06, 'epoch': 0.56}",
  ];
  assert.equal(await primaryOf("hf-healthy.log", healthy.join("\n") + "\n"), null);
  // crash-corpus nan_loss/modernbert-233-loss-zero-grad-norm-nan.log
  const diverged = [
    "{'loss': 0.2051, 'grad_norm': nan, 'learning_rate': 9.774074342405685e-06, 'epoch': 0.53}",
    "{'loss': 0.0, 'grad_norm': nan, 'learning_rate': 9.773696745450087e-06, 'epoch': 0.53}",
    "{'loss': 0.0, 'grad_norm': nan, 'learning_rate': 9.773318840518906e-06, 'epoch': 0.53} ",
  ];
  assert.deepEqual(await primaryOf("hf-diverged.log", diverged.join("\n") + "\n"), { category: "nan_loss", ruleId: "nan_loss_hf_filtered" });
});

test("Megatron: fp16 warm-up lines without a loss are healthy; a bf16 line that loses its loss is NaN", async () => {
  const warmup = [
    " iteration        1/  500000 | consumed samples:           32 | elapsed time per iteration (ms): 5123.4 | learning rate: 0.000E+00 | global batch size:    32 | loss scale: 4294967296.0 | number of skipped iterations:   1 | number of nan iterations:   0 |",
    " iteration        2/  500000 | consumed samples:           64 | elapsed time per iteration (ms): 801.2 | learning rate: 0.000E+00 | global batch size:    32 | loss scale: 2147483648.0 | number of skipped iterations:   1 | number of nan iterations:   0 |",
    " iteration        3/  500000 | consumed samples:           96 | elapsed time per iteration (ms): 800.7 | learning rate: 1.500E-07 | global batch size:    32 | lm loss: 1.105328E+01 | loss scale: 1073741824.0 | number of skipped iterations:   0 | number of nan iterations:   0 |",
  ];
  assert.equal(await primaryOf("megatron-warmup.log", warmup.join("\n") + "\n"), null);
  const falcon = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "crash-corpus", "nan_loss", "megatron-llm-33-falcon-nan-after-3383.log"), "utf8");
  assert.deepEqual(await primaryOf("megatron-nan.log", falcon), { category: "nan_loss", ruleId: "nan_loss_megatron_missing" });
});
