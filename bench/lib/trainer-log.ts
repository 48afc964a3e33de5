/**
 * A realistic multi-framework training log, generated deterministically from a seed, for the crash
 * scan benchmark (bench/crash-scan.bench.ts) and the prefilter equivalence test
 * (test/crash-prefilter.test.ts).
 *
 * What makes it realistic (issue 13 item 3: the old bench log, one step line repeated with a warning
 * every 101 lines, was too easy): runs of HF Trainer (tqdm bars joined by "\r" into long lines, then
 * the `{'loss': ...}` dict), Megatron iteration lines (`lm loss`, `loss scale: 1.0`, `grad norm`,
 * `number of nan iterations`), DeepSpeed step and timer lines (OVERFLOW on fp16), Lightning epoch
 * bars and checkpoint lines; an NCCL INFO burst at each (re)start; a Python warning every ~1,000
 * lines; handled exceptions with their tracebacks (retries, `Exception ignored in`); torchrun rank
 * prefixes; config dumps several KB long. These are exactly the words a literal prefilter trips on
 * (`loss`, `grad`, `nan`, `Error`, `memory`, `NCCL`, `Timeout`), so most lines are candidates.
 * The log ends in a CUDA OOM on rank 2 followed by NCCL watchdog timeouts and torchrun's summary.
 */
import fs from "node:fs";

export interface TrainerLogResult {
  readonly sizeBytes: number;
  readonly lines: number;
  /** 1-based line number of the planted CUDA OOM (the expected primary finding). */
  readonly crashLine: number;
  /** Rule id the scanner should name for the planted OOM. */
  readonly crashRuleId: string;
}

/** Mulberry32: a small, fast, seedable PRNG (same sequence for the same seed on every machine). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WARNINGS = [
  "/opt/conda/lib/python3.10/site-packages/torch/utils/checkpoint.py:464: UserWarning: torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. In version 2.4 we will raise an exception if use_reentrant is not passed. use_reentrant=False is recommended, but if you need to preserve the current default behavior, you can pass use_reentrant=True. Refer to docs for more details on the differences between the two variants.\n  warnings.warn(",
  "/opt/conda/lib/python3.10/site-packages/torch/utils/checkpoint.py:91: UserWarning: None of the inputs have requires_grad=True. Gradients will be None\n  warnings.warn(",
  "train.py:196: FutureWarning: `torch.cuda.amp.GradScaler(args...)` is deprecated. Please use `torch.amp.GradScaler('cuda', args...)` instead.\n  scaler = torch.cuda.amp.GradScaler(enabled=True)",
  "/opt/conda/lib/python3.10/site-packages/torch/optim/lr_scheduler.py:139: UserWarning: Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will result in PyTorch skipping the first value of the learning rate schedule. See more details at https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate\n  warnings.warn(\"Detected call of `lr_scheduler.step()` before `optimizer.step()`. \"",
  "/opt/conda/lib/python3.10/site-packages/torch/autograd/graph.py:744: UserWarning: Grad strides do not match bucket view strides. This may indicate grad was not created according to the gradient layout contract, or that the param's strides changed since DDP was constructed.  This is not an error, but may impair performance.\ngrad.sizes() = [4096, 1024], strides() = [1, 4096]\nbucket_view.sizes() = [4096, 1024], strides() = [1024, 1] (Triggered internally at ../torch/csrc/distributed/c10d/reducer.cpp:339.)\n  return Variable._execution_engine.run_backward(  # Calls into the C++ engine to run the backward pass",
  "huggingface/tokenizers: The current process just got forked, after parallelism has already been used. Disabling parallelism to avoid deadlocks...\nTo disable this warning, you can either:\n\t- Avoid using `tokenizers` before the fork if possible\n\t- Explicitly set the environment variable TOKENIZERS_PARALLELISM=(true | false)",
  "wandb: WARNING Serializing object of type dict that is 1048677 bytes",
  "/opt/conda/lib/python3.10/site-packages/transformers/trainer.py:2860: FutureWarning: `torch.cuda.amp.autocast(args...)` is deprecated. Please use `torch.amp.autocast('cuda', args...)` instead.\n  with torch.cuda.amp.autocast(enabled=True, dtype=torch.bfloat16):",
  "/opt/conda/lib/python3.10/site-packages/torch/distributed/fsdp/_state_dict_utils.py:773: UserWarning: When using ``NO_SHARD`` for ``ShardingStrategy``, full_state_dict will be used instead of the sharded state dict.\n  warnings.warn(",
  "/opt/conda/lib/python3.10/site-packages/lightning/pytorch/trainer/connectors/data_connector.py:441: PossibleUserWarning: The 'train_dataloader' does not have many workers which may be a bottleneck. Consider increasing the value of the `num_workers` argument` to `num_workers=31` in the `DataLoader` to improve performance.",
  "[rank0]:[W1128 21:14:07.512893771 ProcessGroupNCCL.cpp:4115] [PG 0 Rank 0]  using GPU 0 to perform barrier as devices used by this process are currently unknown. This can potentially cause a hang if this rank to GPU mapping is incorrect.Specify device_ids in barrier() to force use of a particular device,or call init_process_group() with a device_id.",
  "/opt/conda/lib/python3.10/site-packages/deepspeed/runtime/zero/stage_1_and_2.py:1952: UserWarning: The torch.cuda.*DtypeTensor constructors are no longer recommended. It's best to use methods such as torch.tensor(data, dtype=*, device='cuda') to create tensors. (Triggered internally at ../torch/csrc/tensor/python_tensor.cpp:83.)\n  overflow_gpu = get_accelerator().ByteTensor([overflow])",
  "TrainingArguments(ddp_timeout=1800, logging_nan_inf_filter=True, max_steps=-1, save_steps=500, dataloader_num_workers=8)",
  "wandb: Network error (TransientError), entering retry loop.",
];

/** Tracebacks of exceptions the trainer caught and survived (they must not become the primary). */
const HANDLED = [
  [
    "Exception ignored in: <function _MultiProcessingDataLoaderIter.__del__ at 0x7f3c2a1b5e10>",
    "Traceback (most recent call last):",
    '  File "/opt/conda/lib/python3.10/site-packages/torch/utils/data/dataloader.py", line 1479, in __del__',
    "    self._shutdown_workers()",
    '  File "/opt/conda/lib/python3.10/site-packages/torch/utils/data/dataloader.py", line 1443, in _shutdown_workers',
    "    if w.is_alive():",
    '  File "/opt/conda/lib/python3.10/multiprocessing/process.py", line 160, in is_alive',
    "    assert self._parent_pid == os.getpid(), 'can only test a child process'",
    "AssertionError: can only test a child process",
  ],
  [
    "wandb: ERROR Error while calling W&B API: An internal error occurred. Please contact support. (<Response [500]>)",
    "Traceback (most recent call last):",
    '  File "/opt/conda/lib/python3.10/site-packages/wandb/sdk/lib/retry.py", line 131, in __call__',
    "    result = self._call_fn(*args, **kwargs)",
    '  File "/opt/conda/lib/python3.10/site-packages/wandb/sdk/internal/internal_api.py", line 366, in execute',
    "    return self.client.execute(*args, **kwargs)  # type: ignore",
    '  File "/opt/conda/lib/python3.10/site-packages/requests/models.py", line 1021, in raise_for_status',
    "    raise HTTPError(http_error_msg, response=self)",
    "requests.exceptions.HTTPError: 500 Server Error: Internal Server Error for url: https://api.wandb.ai/graphql",
    "wandb: Network error (HTTPError), entering retry loop.",
  ],
  [
    "Failed to push checkpoint to the Hub, retrying in 10 s",
    "Traceback (most recent call last):",
    '  File "/opt/conda/lib/python3.10/site-packages/urllib3/connectionpool.py", line 793, in urlopen',
    "    response = self._make_request(",
    '  File "/opt/conda/lib/python3.10/site-packages/urllib3/connectionpool.py", line 537, in _make_request',
    "    response = conn.getresponse()",
    '  File "/opt/conda/lib/python3.10/http/client.py", line 1375, in getresponse',
    "    response.begin()",
    "ConnectionResetError: [Errno 104] Connection reset by peer",
    "",
    "During handling of the above exception, another exception occurred:",
    "",
    "Traceback (most recent call last):",
    '  File "/opt/conda/lib/python3.10/site-packages/requests/adapters.py", line 682, in send',
    "    raise ConnectionError(err, request=request)",
    "requests.exceptions.ConnectionError: ('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))",
    "Upload succeeded on attempt 2/5",
  ],
];

const pad = (n: number, w: number) => String(n).padStart(w, " ");
const two = (n: number) => String(n).padStart(2, "0");

/**
 * Writes a training log of about `sizeBytes` bytes to `file` (same bytes for the same seed), ending
 * in a CUDA OOM (the planted crash) and its NCCL aftermath.
 */
export function writeTrainerLog(file: string, sizeBytes: number, seed = 13): TrainerLogResult {
  const rnd = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const fd = fs.openSync(file, "w");
  let written = 0;
  let pendingBytes = 0;
  let batch: string[] = [];
  let lines = 0;
  const flush = () => {
    if (!batch.length) return;
    const s = batch.join("\n") + "\n";
    written += fs.writeSync(fd, s);
    batch = [];
    pendingBytes = 0;
  };
  const push = (s: string) => {
    // Multi-line entries count their own lines.
    for (let i = s.indexOf("\n"); i !== -1; i = s.indexOf("\n", i + 1)) lines++;
    lines++;
    batch.push(s);
    pendingBytes += s.length + 1; // close enough for the size target (bars hold a few UTF-8 blocks)
    if (pendingBytes > 4 << 20) flush();
  };

  let clockS = 0;
  const stamp = () => {
    const s = Math.floor(clockS);
    return `2025-11-${two(1 + (Math.floor(s / 86400) % 28))} ${two(Math.floor(s / 3600) % 24)}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
  };
  const host = `gpu-node-${int(1, 64)}`;
  let step = 0;
  let nextWarning = int(800, 1200);
  let nextHandled = int(20_000, 60_000);
  const bar = (pct: number, done: number, total: number, extra: string) => {
    const filled = Math.floor(pct / 10);
    return `${pad(pct, 3)}%|${"█".repeat(filled)}${pct % 10 ? "▍" : " "}${" ".repeat(Math.max(0, 9 - filled))}| ${done}/${total} [${two(Math.floor(done / 60) % 60)}:${two(done % 60)}<${two(int(0, 59))}:${two(int(0, 59))}, ${(1 + rnd() * 3).toFixed(2)}it/s${extra}]`;
  };

  const ncclBurst = (prefix: string) => {
    const pid = int(1000, 4_000_000);
    const n = int(60, 300);
    const ranks = pick([8, 16, 32, 64, 128]);
    for (let i = 0; i < n; i++) {
      const dev = i % 8;
      const head = `${prefix}${host}:${pid + dev}:${pid + dev + 171} [${dev}] NCCL INFO `;
      const k = i % 9;
      if (k === 0) push(`${head}Bootstrap : Using ib0:10.${int(0, 9)}.${int(0, 255)}.${int(1, 254)}<0>`);
      else if (k === 1) push(`${head}NET/IB : Using [0]mlx5_0:1/IB [1]mlx5_1:1/IB [2]mlx5_2:1/IB [3]mlx5_3:1/IB ; OOB ib0:10.1.2.3<0>`);
      else if (k === 2) push(`${head}Channel ${two(i % 32)}/${two(32)} : ${dev}[${dev}] -> ${(dev + 1) % 8}[${(dev + 1) % 8}] via P2P/IPC/read`);
      else if (k === 3) push(`${head}Trees [0] ${dev + 1}/-1/-1->${dev}->${dev ? dev - 1 : -1} [1] ${dev + 1}/-1/-1->${dev}->${dev ? dev - 1 : -1}`);
      else if (k === 4) push(`${head}threadThresholds 8/8/64 | ${ranks * 8}/8/64 | 512 | 512`);
      else if (k === 5) push(`${head}Connected all rings`);
      else if (k === 6) push(`${head}NCCL_IB_HCA set to mlx5_0,mlx5_1,mlx5_2,mlx5_3`);
      else if (k === 7) push(`${head}ncclCommInitRank comm 0x${int(0x1000000, 0xfffffff).toString(16)} rank ${dev} nranks ${ranks} cudaDev ${dev} nvmlDev ${dev} busId ${(0x18 + dev * 0x10).toString(16)}000 commId 0x${int(0x1000000, 0xfffffff).toString(16)} - Init COMPLETE`);
      else push(`${head}cudaDriverVersion 12040`);
    }
  };

  const configDump = () => {
    const fields: string[] = [];
    const names = ["_n_gpu", "adafactor", "adam_beta1", "adam_beta2", "adam_epsilon", "auto_find_batch_size", "bf16", "bf16_full_eval", "data_seed", "dataloader_drop_last", "dataloader_num_workers", "ddp_backend", "ddp_timeout", "deepspeed", "disable_tqdm", "eval_steps", "evaluation_strategy", "fp16", "gradient_accumulation_steps", "gradient_checkpointing", "learning_rate", "log_level", "logging_nan_inf_filter", "logging_steps", "lr_scheduler_type", "max_grad_norm", "max_steps", "num_train_epochs", "optim", "output_dir", "per_device_train_batch_size", "save_steps", "save_total_limit", "seed", "warmup_ratio", "weight_decay"];
    for (const n of names) fields.push(`${n}=${n === "ddp_timeout" ? 1800 : n === "logging_nan_inf_filter" ? "True" : n === "output_dir" ? "/checkpoints/run-7" : int(0, 1000)}`);
    push(`TrainingArguments(\n${fields.join(",\n")},\n)`);
    push(`[INFO|trainer.py:2134] 2025-11-28 21:00:00,000 >> ***** Running training *****\n[INFO|trainer.py:2135] >>   Num examples = 1,281,167\n[INFO|trainer.py:2136] >>   Num Epochs = 3\n[INFO|trainer.py:2138] >>   Total optimization steps = 120,114`);
  };

  const frameworks = ["hf", "megatron", "deepspeed", "lightning"] as const;
  while (written + pendingBytes < sizeBytes) {
    const fw = pick(frameworks);
    const prefix = rnd() < 0.4 ? `[rank${int(0, 7)}]:` : "";
    ncclBurst(rnd() < 0.5 ? prefix : "");
    if (fw === "hf") configDump();
    const phaseLines = int(20_000, 200_000);
    const phaseEnd = lines + phaseLines;
    while (lines < phaseEnd && written + pendingBytes < sizeBytes) {
      step++;
      clockS += 0.3 + rnd();
      if (lines >= nextWarning) {
        push(pick(WARNINGS));
        nextWarning = lines + int(800, 1200);
      }
      if (lines >= nextHandled) {
        for (const l of pick(HANDLED)) push(prefix + l);
        nextHandled = lines + int(20_000, 60_000);
      }
      const loss = (2 + Math.sin(step / 97) + rnd() * 0.1).toFixed(4);
      if (fw === "hf") {
        const total = 120_114;
        const bars: string[] = [];
        for (let k = int(1, 24); k > 0; k--) bars.push(bar(Math.floor((step * 100) / total) % 100, step % total, total, ""));
        push(`\r${bars.join("\r")}{'loss': ${loss}, 'grad_norm': ${(rnd() * 2).toFixed(6)}, 'learning_rate': ${(rnd() * 5e-5).toExponential(4)}, 'epoch': ${(step / 40_038).toFixed(2)}}`);
        if (step % 500 === 0) push(`[INFO|trainer.py:3478] ${stamp()},${int(100, 999)} >> Saving model checkpoint to /checkpoints/run-7/checkpoint-${step}`);
      } else if (fw === "megatron") {
        push(`${prefix} [${stamp()}] iteration ${pad(step, 8)}/  500000 | consumed samples: ${pad(step * 1280, 12)} | elapsed time per iteration (ms): ${(1300 + rnd() * 200).toFixed(1)} | throughput per GPU (TFLOP/s/GPU): ${(180 + rnd() * 15).toFixed(1)} | learning rate: ${(3e-4 * rnd()).toExponential(6).toUpperCase()} | global batch size:  1280 | lm loss: ${Number(loss).toExponential(6).toUpperCase()} | loss scale: 1.0 | grad norm: ${(rnd() * 0.6).toFixed(3)} | number of skipped iterations:   0 | number of nan iterations:   0 |`);
        if (step % 1000 === 0) push(`${prefix}(min, max) time across ranks (ms):\n    forward-backward ...............................: (${int(1000, 1200)}.12, ${int(1200, 1400)}.77)\n    optimizer ......................................: (${int(30, 60)}.01, ${int(60, 90)}.40)`);
      } else if (fw === "deepspeed") {
        const ts = `[${stamp()},${int(100, 999)}]`;
        if (step % 10 === 0) push(`${prefix}${ts} [INFO] [logging.py:128:log_dist] [Rank 0] step=${step}, skipped=${Math.floor(step / 3000)}, lr=[${(rnd() * 3e-5).toExponential(5)}], mom=[(0.9, 0.999)]`);
        else if (step % 10 === 5) push(`${prefix}${ts} [INFO] [timer.py:264:stop] epoch=0/micro_step=${step * 2}/global_step=${step}, RunningAvgSamplesPerSec=${(50 + rnd() * 10).toFixed(3)}, CurrSamplesPerSec=${(50 + rnd() * 10).toFixed(3)}, MemAllocated=${(20 + rnd()).toFixed(2)}GB, MaxMemAllocated=${(38 + rnd()).toFixed(2)}GB`);
        else if (rnd() < 0.002) push(`${prefix}${ts} [INFO] [loss_scaler.py:183:update_scale] [deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 65536, reducing to 32768`);
        else push(`${prefix}{'loss': ${loss}, 'grad_norm': ${(rnd() * 2).toFixed(4)}, 'learning_rate': ${(rnd() * 3e-5).toExponential(4)}, 'epoch': ${(step / 9000).toFixed(2)}}`);
      } else {
        const epoch = Math.floor(step / 1000);
        const bars: string[] = [];
        for (let k = int(1, 12); k > 0; k--) bars.push(`Epoch ${epoch}: ${bar(Math.floor(((step % 1000) * 100) / 1000), step % 1000, 1000, `, v_num=${seed % 100}, train_loss=${Number(loss).toFixed(3)}`)}`);
        push(`\r${bars.join("\r")}`);
        if (step % 1000 === 999) push(`Epoch ${epoch}, global step ${step}: 'val_loss' reached ${loss} (best ${loss}), saving model to '/checkpoints/lightning/epoch=${epoch}-step=${step}.ckpt' as top 3`);
      }
    }
  }
  // The crash: rank 2 runs out of GPU memory, the other ranks' NCCL watchdogs time out, torchrun reports.
  const crash = "[rank2]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 4.35 GiB. GPU 2 has a total capacity of 79.15 GiB of which 1.70 GiB is free. Including non-PyTorch memory, this process has 77.44 GiB memory in use. Of the allocated memory 71.20 GiB is allocated by PyTorch, and 4.93 GiB is reserved by PyTorch but unallocated.";
  for (const l of [
    "[rank2]: Traceback (most recent call last):",
    '[rank2]:   File "/workspace/train.py", line 412, in <module>',
    "[rank2]:     main()",
    '[rank2]:   File "/workspace/train.py", line 388, in main',
    "[rank2]:     loss = model(**batch).loss",
    '[rank2]:   File "/opt/conda/lib/python3.10/site-packages/torch/nn/modules/module.py", line 1553, in _wrapped_call_impl',
    "[rank2]:     return self._call_impl(*args, **kwargs)",
  ]) push(l);
  push(crash);
  const crashLine = lines;
  push("[rank5]:[E1128 21:59:08.408271257 ProcessGroupNCCL.cpp:607] [Rank 5] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=1580, OpType=ALLREDUCE, NumelIn=466119168, NumelOut=466119168, Timeout(ms)=600000) ran for 600060 milliseconds before timing out.");
  push("[rank5]:[E1128 21:59:08.409182211 ProcessGroupNCCL.cpp:1664] [PG 0 (default_pg) Rank 5] Exception (either an error or timeout) detected by watchdog at work: 1580, last enqueued NCCL work: 1580, last completed NCCL work: 1579.");
  push("W1128 21:59:09.120000 3304089 site-packages/torch/distributed/elastic/multiprocessing/api.py:897] Sending process 3304207 closing signal SIGTERM");
  push("E1128 21:59:09.971000 3304089 site-packages/torch/distributed/elastic/multiprocessing/api.py:882] failed (exitcode: 1) local_rank: 2 (pid: 3304209) of binary: /opt/conda/bin/python3");
  flush();
  fs.closeSync(fd);
  return { sizeBytes: written, lines, crashLine, crashRuleId: "cuda_oom_alloc" };
}
