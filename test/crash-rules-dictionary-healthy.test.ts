/**
 * Crash rules by enumeration from the sources, seventh round (issue 10; docs/crash-accuracy.md, items 800-): healthy
 * runs that print alarming words. The goal is no false alarm on logs nobody has seen, so this round enumerates
 * what training that goes on prints with crash words in it (OOM, out of memory, NaN / Inf, error, failed, timeout,
 * killed, signal, retry, abort, exception, Xid, ECC, corrupt) across the stacks users run: mixed-precision loss scalers
 * (DeepSpeed, apex, fairseq, Megatron, LOMO), an OOM caught and retried with a smaller batch (accelerate's
 * find_executable_batch_size, Lightning's BatchSizeFinder, fairseq), allocators that say the failure is not one
 * (TensorFlow's BFC), inference engines in RL loops (vLLM's capture notice and preemption, SGLang's retraction), NaN
 * counters and filters, elastic agents that restarted workers, NCCL's INFO lines, argument and config dumps whose field
 * names hold the words, GPU monitoring tables (nvidia-smi, `nvidia-smi -q`, DCGM), compiler notices (torch.compile's
 * recompile limit, XLA's slow-operation alarm). Each family also has rows where the same words do end a run, with the
 * category the corpus gives them (the last group).
 *
 * Sources: `find_string hit N` is a public repository file (the library's source, or a real log quoting the text) the
 * search tool does not name, cited by its hit id; `corpus: ...` names studied corpus entries holding the text with
 * their label; `not looked up` quotes a text as known from the library's source without a look-up this round, in the
 * line shape the looked-up rows show.
 */
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner } from "./helpers/crash-families.js";
import { PROGRESS, healthy, pyTrace, testDictionary, type Row } from "./helpers/crash-dictionary.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-dictionary-healthy-");

// ---------------------------------------------------------------------------------------------------------------
// Line shapes.

const SITE = "/usr/local/lib/python3.10/dist-packages";

/** DeepSpeed's logger record (deepspeed/utils/logging.py). */
function dsRecord(level: "INFO" | "WARNING" | "ERROR", where: string, text: string): string {
  return `[2024-05-02 10:11:12,345] [${level}] [${where}] ${text}`;
}

/** A TensorFlow / XLA C++ log record (tsl/platform/default/logging.cc). */
function tfRecord(level: "I" | "W" | "E", file: string, text: string): string {
  return `2024-05-02 10:11:12.345678: ${level} ${file}] ${text}`;
}

/** Megatron-LM's training_log line (megatron/training/training.py). */
function megatronIter(iteration: number, rest: string): string {
  return ` iteration     ${iteration}/  500000 | consumed samples:      ${iteration * 1024} | elapsed time per iteration (ms): 1234.5 | learning rate: 2.999E-04 | global batch size:  1024 | ${rest}`;
}

/** A Python logging record as transformers, accelerate, vLLM and most trainers print it. */
function pyLog(level: "INFO" | "WARNING" | "ERROR", logger: string, text: string): string {
  return `${level}:${logger}:${text}`;
}

/** vLLM's logger record (vllm/logger.py). */
function vllmRecord(level: "INFO" | "WARNING", where: string, text: string): string {
  return `${level} 05-02 10:11:12 [${where}] ${text}`;
}

/** fairseq's logger record (fairseq_cli/train.py's format). */
function fairseqRecord(level: "INFO" | "WARNING", logger: string, text: string): string {
  return `2024-05-02 10:11:12 | ${level} | ${logger} | ${text}`;
}

/** torch.distributed.elastic's agent record (its `[default]` role). */
function elastic(level: "INFO" | "WARNING" | "ERROR", text: string): string {
  return `${level}:torch.distributed.elastic.agent.server.api:${text}`;
}

/** A log that ends in `lines` after some training (no traceback). */
function tail(lines: string[]): string {
  return [...PROGRESS, ...lines, ""].join("\n");
}

/** torchrun's agent after rank 1 ran out of memory: its traceback, the agent's records, and a restart of the worker group. */
const ELASTIC_RESTART = [
  "[rank1]: Traceback (most recent call last):",
  '[rank1]:   File "/workspace/train.py", line 212, in <module>',
  "[rank1]:     main()",
  '[rank1]:   File "/workspace/train.py", line 187, in main',
  "[rank1]:     loss = train_step(model, batch, optimizer)",
  "[rank1]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 1 has a total capacity of 79.14 GiB of which 1.02 GiB is free. Including non-PyTorch memory, this process has 78.10 GiB memory in use.",
  "W0502 10:11:13.345000 48213 torch/distributed/elastic/multiprocessing/api.py:897] Sending process 48214 closing signal SIGTERM",
  "E0502 10:11:14.345000 48213 torch/distributed/elastic/multiprocessing/api.py:869] failed (exitcode: 1) local_rank: 1 (pid: 48215) of binary: /usr/bin/python3",
  "I0502 10:11:14.345000 48213 torch/distributed/elastic/agent/server/api.py:733] [default] Worker group FAILED. 3/3 attempts left; will restart worker group",
  "I0502 10:11:14.345000 48213 torch/distributed/elastic/agent/server/api.py:899] [default] Stopping worker group",
  "I0502 10:11:14.345000 48213 torch/distributed/elastic/agent/server/api.py:525] [default] Rendezvous'ing worker group",
  "I0502 10:11:15.345000 48213 torch/distributed/elastic/agent/server/api.py:680] [default] Starting worker group",
];

/** Ray Train's controller restarting the worker group (ray/train/v2 controller, FailureConfig.max_failures): its notice, then each failed rank's error. */
function rayTrainFailure(verb: "Restarting" | "Terminating"): string[] {
  const c = "(TrainController pid=48213)";
  return [
    `${c} ${verb} training worker group after encountering ${verb === "Restarting" ? "failures" : "failure(s)"} on 1 worker(s):`,
    `${c} [Rank 0]`,
    `${c} Traceback (most recent call last):`,
    `${c}   File "/workspace/train.py", line 140, in train_func`,
    `${c}     loss = model(batch).loss`,
    `${c} torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.14 GiB of which 1.02 GiB is free.`,
  ];
}

// ---------------------------------------------------------------------------------------------------------------

const FAMILIES: Record<string, Row[]> = {
  "1. mixed precision: loss scalers that skip a step and go on": [
    [healthy([
      dsRecord("INFO", "loss_scaler.py:183:update_scale", "[deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 65536, reducing to 32768"),
      dsRecord("INFO", "logging.py:96:log_dist", "[Rank 0] step=10, skipped=1, lr=[1.9999e-05], mom=[(0.9, 0.999)]"),
    ]), "none", "DeepSpeed's DynamicLossScaler (deepspeed/runtime/fp16/loss_scaler.py, find_string hit 1167965335) and its step record"],
    [healthy([
      dsRecord("INFO", "loss_scaler.py:183:update_scale", "[deepspeed] OVERFLOW! Rank 0 Skipping step."),
      dsRecord("INFO", "loss_scaler.py:183:update_scale", "[deepspeed] OVERFLOW! Rank 0 Skipping step."),
    ]), "none", "the same scaler when the dtype is not fp16: the message without the scale (loss_scaler.py, find_string hit 578198151)"],
    [healthy([
      "[deepspeed] fp16 dynamic loss scale overflow! Rank 0 Skipping step. Attempted loss scale: 4294967296, reducing to 2147483648",
      "[deepspeed] fp16 dynamic loss scale overflow! Rank 0 Skipping step. Attempted loss scale: 2147483648, reducing to 1073741824",
    ]), "none", "ZeRO stage 1/2's older print (deepspeed/runtime/zero/stage2.py, find_string hit 5743223490)"],
    [healthy([
      dsRecord("INFO", "stage3.py:1860:_overflow_clean_up", "[deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 65536, reducing to 32768"),
      dsRecord("WARNING", "lr_schedules.py:683:get_lr", "Attempting to get learning rate from scheduler before it has started"),
      pyLog("WARNING", "transformers.trainer", "tried to get lr value before scheduler/optimizer started stepping, returning lr=0"),
    ]), "none", "ZeRO-3's overflow record (stage3.py, find_string hit 9246854232) and Trainer's lr warning while the first steps are skipped (transformers/trainer.py, find_string hit 13504490992; DeepSpeed's lr_schedules warning not looked up)"],
    [healthy([
      "[deepscale] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 65536, reducing to 32768",
      "[LOMO] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 32768, reducing to 16384",
    ]), "none", "the scaler's older name and LOMO's copy of it (find_string hits 35064104196, 54881644032)"],
    [healthy([
      fairseqRecord("INFO", "fairseq.trainer", "NOTE: gradient overflow detected, ignoring gradient, setting loss scale to: 64.0"),
      fairseqRecord("INFO", "fairseq.trainer", "NOTE: gradient overflow detected, ignoring gradient, setting loss scale to: 32.0"),
      fairseqRecord("INFO", "train_inner", "epoch 001:    200 / 1563 loss=9.873, nll_loss=9.102, ppl=549.6, wps=31872.5, ups=2.71, wpb=11747.3, bsz=389.1, num_updates=200, lr=2.5e-05, gnorm=2.093, loss_scale=32, train_wall=73, gb_free=9.2, wall=78"),
    ]), "none", "fairseq's FP16Optimizer catching OverflowError (fairseq/trainer.py `NOTE: gradient overflow detected, ignoring gradient, setting loss scale to: %s`; not looked up)"],
    [healthy([
      megatronIter(10, "lm loss: 1.010967E+01 | loss scale: 4096.0 | grad norm: 178.553 | number of skipped iterations:   1 | number of nan iterations:   0 |"),
      megatronIter(20, "lm loss: 8.861832E+00 | loss scale: 2048.0 | grad norm: 46.241 | number of skipped iterations:   0 | number of nan iterations:   0 |"),
    ]), "none", "Megatron's counters of skipped and nan iterations (find_string hits 1594498988, 25139531826; corpus: none megatron-lm-756 holds them)"],
  ],

  "2. an out-of-memory error caught and retried": [
    [healthy([
      "`Trainer.fit` stopped: `max_steps=3` reached.",
      "Batch size 2 succeeded, trying batch size 4",
      "`Trainer.fit` stopped: `max_steps=3` reached.",
      "Batch size 4 succeeded, trying batch size 8",
      "Batch size 8 failed, trying batch size 4",
      "Finished batch size finder, will continue with full run using batch size 4",
      "Restoring states from the checkpoint path at /workspace/.scale_batch_size_ecc0c8e8-6ba5-426f-963f-e717de5a9ec6.ckpt",
    ]), "none", "Lightning's BatchSizeFinder: a size that ran out of memory, then the run at the size that fit (find_string hit 4615195167)"],
    [healthy([
      "Decreasing batch size to: 64",
      "Decreasing batch size to: 32",
    ]), "none", "accelerate's find_executable_batch_size as a trainer logs it (find_string hits 26116615053, 36029031273)"],
    [healthy([
      "WARNING:__main__:Decreasing batch size to 32.",
      "WARNING:__main__:Error: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 23.65 GiB of which 1.12 GiB is free. Including non-PyTorch memory, this process has 22.52 GiB memory in use..",
    ]), "none", "a find_executable_batch_size copy that logs the OOM it caught before halving (find_string hit 10123060697)"],
    [healthy([
      "OOM Detected, reducing batch/grad size to 16/16.",
      "Traceback (most recent call last):",
      '  File "/workspace/utils/memory.py", line 121, in decorator',
      "    return function(batch_size, grad_size, prof, *args, **kwargs)",
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.50 GiB. GPU 0 has a total capacity of 79.14 GiB of which 1.02 GiB is free.",
      "Epoch 1/10:   1%|          | 12/1000 [00:09<12:41,  1.30it/s, loss=2.41]",
    ]), "none", "a batch-size search that prints the caught OOM's traceback (traceback.print_exc) and goes on (find_string hit 21084365452)"],
    [healthy([
      "INFO:__main__:Trying batch size: 64",
      "INFO:__main__:Reduced batch size to 32",
      "INFO:__main__:Trying batch size: 32",
    ]), "none", "a batch-size probe over accelerate's should_reduce_batch_size (find_string hit 8007798663)"],
    [healthy([
      fairseqRecord("WARNING", "fairseq.trainer", "OOM: Ran out of memory with exception: CUDA out of memory. Tried to allocate 62.00 MiB (GPU 0; 15.90 GiB total capacity; 14.59 GiB already allocated; 9.88 MiB free; 15.19 GiB reserved in total by PyTorch)"),
      fairseqRecord("WARNING", "fairseq.trainer", "|===========================================================================|"),
      fairseqRecord("WARNING", "fairseq.trainer", "|                  PyTorch CUDA memory summary, device ID 0                 |"),
      fairseqRecord("WARNING", "fairseq.trainer", "|            CUDA OOMs: 1            |        cudaMalloc retries: 2         |"),
      fairseqRecord("WARNING", "fairseq.trainer", "attempting to recover from OOM in forward/backward pass"),
      fairseqRecord("INFO", "train_inner", "epoch 003:    400 / 1563 loss=6.021, nll_loss=4.732, ppl=26.57, wps=30112.1, ups=2.6, wpb=11580.2, bsz=380.4, num_updates=3526, lr=0.000441, gnorm=0.611, loss_scale=16, train_wall=75, gb_free=8.7, wall=1391"),
    ]), "none", "fairseq's trainer: _log_oom's record and memory summary, then its recovery (fairseq/trainer.py, find_string hits 13888272497, 17991982179, 21896901558)"],
    [healthy([
      "| WARNING: attempting to recover from OOM in forward/backward pass",
      "| WARNING: OOM in all workers, skipping update",
      "| epoch 004 | loss 5.112 | nll_loss 3.601 | ppl 12.13 | wps 28411 | ups 2 | wpb 11204.9 | bsz 371.0 | num_updates 5200 | lr 0.0004 | gnorm 0.582 | clip 0.000 | oom 1.000 | loss_scale 16.000 | wall 2033 | train_wall 1951",
    ]), "none", "older fairseq's prints, and its epoch summary with an `oom` counter (fairseq/trainer.py, find_string hits 74489502, 21896901558)"],
    [healthy([
      "AutoBatch: Computing optimal batch size for imgsz=1280",
      "AutoBatch: CUDA:0 (NVIDIA GeForce RTX 4070 Laptop GPU) 8.00G total, 0.57G reserved, 0.53G allocated, 6.90G free",
      "      Params      GFLOPs  GPU_mem (GB)  forward (ms) backward (ms)                   input                  output",
      "   140045044       835.1         2.233         125.5         52.49      (1, 3, 1280, 1280)                    list",
      "   140045044        1670         3.288         170.6         80.59      (2, 3, 1280, 1280)                    list",
      "   140045044        3340         5.677         355.8         130.8      (4, 3, 1280, 1280)                    list",
      "   140045044        6681         9.836          5323          2526      (8, 3, 1280, 1280)                    list",
      "CUDA out of memory. Tried to allocate 126.00 MiB (GPU 0; 8.00 GiB total capacity; 13.08 GiB already allocated; 0 bytes free; 13.51 GiB reserved in total by PyTorch) If reserved memory is >> allocated memory try setting max_split_size_mb to avoid fragmentation.  See documentation for Memory Management and PYTORCH_CUDA_ALLOC_CONF",
      "AutoBatch: Using batch-size 3 for CUDA:0 4.95G/8.00G (62%) ✅",
    ]), "none", "Ultralytics' AutoBatch: its profile logs the OOM of the batch size that did not fit and the run trains at a smaller one (https://github.com/PetervanLunteren/AddaxAI/issues/27, the maintainer: `standard practise when YOLOv5 is checking the maximum batch size`; the last line in the shape of ultralytics/yolov5#9287)"],
    [healthy([
      "AutoBatch: WARNING ⚠️ error detected: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 3.95 GiB total capacity; 3.12 GiB already allocated; 11.12 MiB free; 3.20 GiB reserved in total by PyTorch),  using default batch-size 16.",
    ]), "none", "AutoBatch falling back to the default size when its profile fails (utils/autobatch.py, find_string hits 24573735418, 321000716)"],
    [healthy([
      "AutoBatch: WARNING ⚠️ CUDA anomaly detected, using default batch-size 16.",
      "WARNING ⚠️ CUDA OutOfMemoryError in TaskAlignedAssigner, using CPU",
    ]), "none", "AutoBatch's implausible fit (find_string hit 24573735418) and Ultralytics' assigner moving to the CPU after a caught OOM (https://github.com/ultralytics/ultralytics/issues/4057: `WARNING: CUDA OutOfMemoryError in TaskAlignedAssigner, using CPU`)"],
    [healthy([
      tfRecord("W", "tensorflow/core/common_runtime/bfc_allocator.cc:290", "Allocator (GPU_0_bfc) ran out of memory trying to allocate 3.21GiB with freed_by_count=0. The caller indicates that this is not a failure, but this may mean that there could be performance gains if more memory were available."),
      "1250/1250 [==============================] - 183s 146ms/step - loss: 0.4121 - accuracy: 0.8712 - val_loss: 0.3977 - val_accuracy: 0.8803",
    ]), "none", "TensorFlow's BFC allocator's notice (corpus: 5 none hold `The caller indicates that this is not a failure`)"],
    [healthy([
      vllmRecord("INFO", "model_runner.py:1512", "Capturing cudagraphs for decoding. This may lead to unexpected consequences if the model is not static. To run the model in eager mode, set 'enforce_eager=True' or use '--enforce-eager' in the CLI. If out-of-memory error occurs during cudagraph capture, consider decreasing `gpu_memory_utilization` or switching to eager mode. You can also reduce the `max_num_seqs` as needed to decrease memory usage."),
      "Capturing CUDA graph shapes: 100%|██████████| 35/35 [00:19<00:00,  1.80it/s]",
      vllmRecord("INFO", "model_runner.py:1562", "Graph capturing finished in 20 secs, took 0.39 GiB"),
    ]), "none", "vLLM's capture notice on every start, one line (find_string hits 67361077313, 33220888888: a GRPO run with vLLM rollouts)"],
    [healthy([
      vllmRecord("INFO", "model_runner.py:1413", "Capturing cudagraphs for decoding. This may lead to unexpected consequences if the model is not static. To run the model in eager mode, set 'enforce_eager=True' or use '--enforce-eager' in the CLI."),
      vllmRecord("INFO", "model_runner.py:1417", "If out-of-memory error occurs during cudagraph capture, consider decreasing `gpu_memory_utilization` or switching to eager mode. You can also reduce the `max_num_seqs` as needed to decrease memory usage."),
      vllmRecord("INFO", "model_runner.py:1527", "Graph capturing finished in 13 secs, took 0.27 GiB"),
    ]), "none", "the same notice as its own record in vLLM 0.6 (find_string hit 5773335890)"],
    [healthy([
      vllmRecord("INFO", "model_runner.py:1011", "CUDA graphs can take additional 1~3 GiB memory per GPU. If you are running out of memory, consider decreasing `gpu_memory_utilization` or enforcing eager mode. You can also reduce the `max_num_seqs` as needed to decrease memory usage."),
      vllmRecord("INFO", "model_runner.py:1225", "Graph capturing finished in 9 secs."),
    ]), "none", "vLLM 0.3-0.5's wording of the notice (not looked up)"],
    [healthy([
      vllmRecord("WARNING", "scheduler.py:1680", "Sequence group 42 is preempted by PreemptionMode.RECOMPUTE mode because there is not enough KV cache space. This can affect the end-to-end performance. Increase gpu_memory_utilization or tensor_parallel_size to provide more KV cache memory. total_num_cumulative_preemption=1"),
      "Processed prompts: 100%|██████████| 512/512 [00:41<00:00, 12.31it/s, est. speed input: 1843.22 toks/s, output: 6120.83 toks/s]",
    ]), "none", "vLLM's scheduler preempting a sequence for KV cache space during rollouts (find_string hits 55817850116, 21232203047)"],
    [healthy([
      "[2026-09-13 16:06:07] KV cache pool is full. Retract requests. #retracted_reqs: 1, #new_tokens_gained: 646, #new_token_ratio: 0.0980 -> 0.3487",
      "[2026-09-13 16:06:08] Decode batch, #running-req: 65, #token: 86012, token usage: 0.98, cuda graph: True, gen throughput (token/s): 2531.20, #queue-req: 14",
    ]), "none", "SGLang's scheduler retracting a request (python/sglang/srt/managers/scheduler.py; find_string hits 71323622913, 60730671376: `it is okay`)"],
    [healthy([
      dsRecord("WARNING", "stage3.py:2117:step", "1 pytorch allocator cache flushes since last step. this happens when there is high memory pressure and is detrimental to performance. if this is happening frequently consider adjusting settings to reduce memory consumption. If you are unable to make the cache flushes go away consider adding get_accelerator().empty_cache() calls in your training loop to ensure that all ranks flush their caches at the same time"),
    ]), "none", "ZeRO-3's cache-flush warning, the accelerator wording (deepspeed/runtime/zero/stage3.py; the torch wording is a healthy ending of test/crash-healthy-endings.test.ts)"],
    [healthy([
      `${SITE}/torch/utils/checkpoint.py:91: UserWarning: None of the inputs have requires_grad=True. Gradients will be None`,
      "  warnings.warn(",
      "Reducing maxBytes to 12703978837 due to memory limitation",
    ]), "none", "warnings about memory and gradients that do not stop a run (torch/utils/checkpoint.py; nccl-tests' maxBytes notice, find_string hit 69409530096)"],
  ],

  "3. NaN and Inf that a healthy run prints": [
    [healthy([
      "TrainingArguments(",
      "_n_gpu=1,",
      "ddp_timeout=1800,",
      "fp16=True,",
      "half_precision_backend=auto,",
      "ignore_data_skip=False,",
      "logging_nan_inf_filter=True,",
      "skip_memory_metrics=True,",
      "torch_empty_cache_steps=None,",
      ")",
    ]), "none", "Trainer's TrainingArguments dump (transformers/training_args.py's field names; not looked up)"],
    [healthy([
      "------------------------ arguments ------------------------",
      "  check_for_nan_in_loss_and_grad .................. True",
      "  check_for_spiky_loss ............................ False",
      "  distributed_timeout_minutes ..................... 10",
      "  exit_on_missing_checkpoint ...................... False",
      "  exit_signal_handler ............................. False",
      "  loss_scale ...................................... None",
      "  rerun_mode ...................................... disabled",
      "-------------------- end of arguments ---------------------",
    ]), "none", "Megatron's print of its arguments (megatron/training/arguments.py; not looked up)"],
    [healthy([
      dsRecord("INFO", "config.py:1001:print", "  dump_state ................... False"),
      dsRecord("INFO", "config.py:1001:print", "  dynamic_loss_scale_args ...... {'init_scale': 65536, 'scale_window': 1000, 'delayed_shift': 2, 'consecutive_hysteresis': False, 'min_scale': 1}"),
      dsRecord("INFO", "config.py:1001:print", "  fp16_enabled ................. True"),
      dsRecord("INFO", "config.py:1001:print", "  loss_scale ................... 0"),
      dsRecord("INFO", "config.py:1001:print", "  timers_config ................ enabled=True synchronized=True"),
    ]), "none", "DeepSpeed's config print at engine start (deepspeed/runtime/config.py; not looked up)"],
    [healthy([
      "Namespace(activation_dropout=0.0, arch='transformer_wmt_en_de', fp16=True, fp16_init_scale=128, fp16_scale_tolerance=0.0, fp16_scale_window=None, max_tokens=4096, min_loss_scale=0.0001, skip_invalid_size_inputs_valid_test=True, threshold_loss_scale=None, update_freq=[1])",
    ]), "none", "fairseq's argument Namespace (corpus: nan_loss fairseq-1215 holds `min_loss_scale` in one; here in a healthy run; not looked up)"],
    [healthy([
      `${SITE}/torch/autograd/__init__.py:266: UserWarning: Anomaly Detection has been enabled. This mode will increase the runtime and should only be enabled for debugging.`,
      "  warnings.warn(",
    ]), "none", "torch.autograd.detect_anomaly's notice (torch/autograd/anomaly_mode.py; not looked up)"],
    [healthy([
      "WARNING:root:NaN or Inf found in input tensor.",
      "step 1200 | loss 2.3314 | grad_norm 0.81",
    ]), "none", "tensorboardX's warning for a NaN scalar it was given (tensorboardX/x2num.py; not looked up)"],
    [healthy([
      megatronIter(100, "lm loss: 7.012345E+00 | loss scale: 1.0 | grad norm: 2.345 | num zeros: 0.0 | params norm: 231.556 | number of skipped iterations:   0 | number of nan iterations:   0 |"),
      "[after training is done] datetime: 2024-05-02 12:11:12",
    ]), "none", "Megatron's bf16 record (loss scale 1.0) and its end (find_string hit 8059730573 shows the fields)"],
    [healthy([
      "2021-11-22 01:31:40,113 - mmocr - INFO - Epoch [1][100/62598]\tlr: 1.000e-03, eta: 6 days, 15:22:46, time: 0.539, data_time: 0.051, memory: 7239, loss_ce: 1.2757, horizon_bbox_loss: 0.2828, vertical_bbox_loss: 0.3507, loss: 1.9091, grad_norm: nan",
      "2021-11-22 01:32:34,502 - mmocr - INFO - Epoch [1][200/62598]\tlr: 1.000e-03, eta: 7 days, 15:55:58, time: 0.705, data_time: 0.002, memory: 7239, loss_ce: 0.5921, horizon_bbox_loss: 0.2210, vertical_bbox_loss: 0.1055, loss: 0.9186, grad_norm: 3.9772",
    ]), "none", "mmcv's fp16 hook: a grad norm of nan at the first logging step, then finite (https://github.com/JiaquanYe/TableMASTER-mmocr/issues/32, the maintainer: normal under mixed precision; corpus: none tablemaster-mmocr-32)"],
    [healthy([
      "2024/05/10 15:46:31 - mmengine - INFO - Epoch(train)  [2][ 50/788]  lr: 2.0000e-03  eta: 4:14:00  time: 0.8167  data_time: 0.0169  memory: 15943  grad_norm: 3.4572  loss: 1.5043  loss_cls: 0.8781  loss_bbox: 0.6262",
      "2024/05/10 15:47:12 - mmengine - INFO - Epoch(train)  [2][100/788]  lr: 2.0000e-03  eta: 4:12:59  time: 0.8248  data_time: 0.0158  memory: 15871  grad_norm: inf  loss: 63.1261  loss_cls: 61.5992  loss_bbox: 1.5268",
      "2024/05/10 15:47:54 - mmengine - INFO - Epoch(train)  [2][150/788]  lr: 2.0000e-03  eta: 4:12:14  time: 0.8396  data_time: 0.0166  memory: 15559  grad_norm: 4.1027  loss: 1.4712  loss_cls: 0.8493  loss_bbox: 0.6219",
    ]), "none", "mmengine's AmpOptimWrapper logging an inf grad norm in an early epoch, the run going on (https://github.com/open-mmlab/mmdetection/issues/11708; the inf record is its words, `sometimes the grad_norm value becomes inf`, put on the quoted record)"],
  ],

  "4. restarts, retries and waits that recovered": [
    [healthy([
      ...ELASTIC_RESTART,
      "Resuming from checkpoint /ckpt/checkpoint-3000",
      "{'loss': 0.4012, 'grad_norm': 1.733, 'learning_rate': 1.97e-05, 'epoch': 3.52}",
    ]), "none", "torchrun with --max-restarts: rank 1's OOM, the agent restarting the worker group, and training going on (torch/distributed/elastic/agent/server/api.py, find_string hits 26587540575, 52022581099: NeMo's ft_launcher shows the same records)"],
    [healthy([
      "[E502 10:11:12.345678 48213 torch/distributed/elastic/multiprocessing/api.py:874] failed (exitcode: -9) local_rank: 0 (pid: 48214) of binary: /usr/bin/python3",
      "[2024-05-02 10:11:12,345] [INFO] [ft_launcher] [default] Worker group FAILED. 3/5 attempts left; will restart worker group",
      "[2024-05-02 10:11:12,345] [INFO] [ft_launcher] Stopping workers... Timeout = 30 sec.",
      "[2024-05-02 10:11:13,345] [INFO] [ft_launcher] The node 'gpu-node-07_48213_0' attempts to join the next round of the rendezvous 'job-4242'.",
      "Loading checkpoint from /checkpoints/step_3000 ...",
    ]), "none", "NeMo's fault-tolerance launcher restarting after a worker was killed, training going on (find_string hit 52022581099)"],
    [healthy([
      ...rayTrainFailure("Restarting"),
      "(RayTrainWorker pid=48401, ip=10.0.0.7) Restored from checkpoint /mnt/cluster_storage/ckpt/checkpoint_000012",
      "(RayTrainWorker pid=48401, ip=10.0.0.7) epoch 13 | step 120 | loss 0.4012",
    ]), "none", "Ray Train restarting the worker group after rank 0 ran out of memory, the restarted workers training on (ray/train/v2 controller, find_string hits 2116459889, 22230508980)"],
    [healthy([
      "2024-05-02 10:11:12,345 INFO elastic_training_agent.py:612 [default] Worker group FAILED, is failure node: False,3/3 attempts left; will restart worker group.",
    ]), "none", "DLRover's agent wording (find_string hits 290012585, 40655687120)"],
    [healthy([
      elastic("INFO", "[default] worker group successfully finished. Waiting 300 seconds for other agents to finish."),
      elastic("INFO", "Local worker group finished (WorkerState.SUCCEEDED). Waiting 300 seconds for other agents to finish"),
      elastic("INFO", "Done waiting for other agents. Elapsed: 0.0009479522705078125 seconds"),
    ]), "none", "torchrun's normal end with its exit barrier (api.py, find_string hit 26587540575)"],
    [healthy([
      dsRecord("INFO", "launch.py:351:main", "Process 48214 exits successfully."),
      dsRecord("INFO", "launch.py:351:main", "Process 48215 exits successfully."),
    ]), "none", "DeepSpeed's launcher at a normal end (deepspeed/launcher/launch.py; not looked up)"],
    [healthy([
      "gpu-node-07:48213:48420 [0] NCCL INFO NET/Plugin : dlerror=libnccl-net.so: cannot open shared object file: No such file or directory No plugin found (libnccl-net.so), using internal implementation",
      "gpu-node-07:48213:48420 [0] NCCL INFO cudaDriverVersion 12040",
      "NCCL version 2.19.3+cuda11.8",
    ]), "none", "NCCL's INFO on a host without a net plugin (find_string hit 11228648548)"],
    [healthy([
      "gpu-node-07:48213:48420 [0] NCCL INFO NCCL_IB_TIMEOUT set by environment to 22.",
      "gpu-node-07:48213:48420 [0] NCCL INFO NCCL_SOCKET_IFNAME set by environment to eth0",
      "gpu-node-07:48213:48420 [0] NCCL INFO Failed to open libibverbs.so[.1]",
      "gpu-node-07:48213:48420 [0] NCCL INFO NET/Socket : Using [0]eth0:10.0.0.7<0>",
      "gpu-node-07:48213:48420 [0] NCCL INFO comm 0x55d5c0a3e2c0 rank 0 nranks 8 cudaDev 0 nvmlDev 0 busId 7000 commId 0x9a1b2c3d4e5f6a7b - Init COMPLETE",
    ]), "none", "NCCL's INFO lines about its settings and a missing IB library (NCCL's init.cc / ibvwrap.cc; find_string hit 16766122070 shows the env lines; the IB library line not looked up)"],
    [healthy([
      "07d92dd514d4:142935:143254 [0] transport/net_ib.cc:100 NCCL WARN NET/IB : mlx5_3:1 Got async event : GID table change",
      "07d92dd514d4:142935:143254 [0] transport/net_ib.cc:100 NCCL WARN NET/IB : mlx5_3:1 Got async event : GID table change",
    ]), "none", "NCCL's IB async thread reporting a RoCE GID table change, an informational verbs event (transport/net_ib.cc `WARN(\"NET/IB : %s:%d Got async event : %s\")`, find_string hits 975366350, 57057854740; libibverbs' ibv_event_type_str names)"],
    [healthy([
      "gpu-node-07:48213:48420 [0] NCCL WARN NET/IB : Got async event : port active",
      "gpu-node-07:48213:48420 [0] NCCL WARN NET/IB : Got async event : SM change",
      "gpu-node-07:48213:48420 [0] NCCL WARN NET/IB : Got async event : client reregistration",
    ]), "none", "the same thread's older wording for a port coming up and a subnet manager change (find_string hit 975366350; the event names not looked up)"],
    [healthy([
      "gpu-node-07:48213:48420 [0] NCCL INFO Call to connect returned Connection refused, retrying",
      "gpu-node-07:48213:48420 [0] NCCL INFO Call to connect returned Connection refused, retrying",
      "gpu-node-07:48213:48420 [0] NCCL INFO Channel 00/02 :    0   1   2   3   4   5   6   7",
    ]), "none", "NCCL's bootstrap connect retried while the peer starts (NCCL's socket.cc; the eighteenth round's item 200)"],
    [healthy([
      "[W502 10:11:12.345678 ProcessGroupNCCL.cpp:1130] Warning: Environment variable NCCL_BLOCKING_WAIT is deprecated; use TORCH_NCCL_BLOCKING_WAIT instead (function getCvarBool)",
      "[W502 10:11:12.345679 Utils.hpp:135] Warning: Environment variable NCCL_ASYNC_ERROR_HANDLING is deprecated; use TORCH_NCCL_ASYNC_ERROR_HANDLING instead (function getCvarInt)",
    ]), "none", "torch's deprecation warnings for the NCCL error-handling variables (find_string hit 11228648548 quotes the second)"],
    [healthy([
      "wandb: 429 encountered (Filestream rate limit exceeded, retrying in 2.3 seconds.), retrying request",
      "wandb: Network error (ConnectionError), entering retry loop.",
      "wandb: Network error resolved after 0:00:31.004212, resuming normal operation.",
    ]), "none", "W&B's rate-limit and network retries (wandb/sdk/internal/internal_api.py; not looked up)"],
    [healthy([
      "WARNING mlflow.utils.autologging_utils: Encountered unexpected error during pytorch autologging: 'NoneType' object has no attribute 'item'",
      "2024/05/02 10:11:12 WARNING mlflow.utils.requirements_utils: Found torch version (2.1.0+cu118) contains a local version label (+cu118). MLflow logged a pip requirement for this package as 'torch==2.1.0' without the local version label to make it installable from PyPI.",
    ]), "none", "MLflow's autologging catching its own error (mlflow/utils/autologging_utils; not looked up)"],
    [healthy([
      "== Status ==",
      "Current time: 2024-05-02 10:11:12 (running for 01:02:03.45)",
      "Number of trials: 8/8 (8 TERMINATED)",
      "Trial train_fn_2a3b4_00007 completed. Last result: loss=0.3121,accuracy=0.9012",
    ]), "none", "Ray Tune's status table: TERMINATED is its word for a finished trial (not looked up)"],
    [healthy([
      "  Warning  Unhealthy  3m (x2 over 4m)  kubelet  Liveness probe failed: Get \"http://10.0.0.7:8080/healthz\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
      "  Normal   Pulled     2m               kubelet  Container image \"trainer:1.4\" already present on machine",
    ]), "none", "a Kubernetes probe timing out once while the pod stays up (kubelet's event; not looked up)"],
  ],

  "5. GPU monitoring and compiler notices": [
    [healthy([
      "+-----------------------------------------------------------------------------+",
      "| NVIDIA-SMI 525.85.12    Driver Version: 525.85.12    CUDA Version: 12.0     |",
      "|-------------------------------+----------------------+----------------------+",
      "| GPU  Name        Persistence-M| Bus-Id        Disp.A | Volatile Uncorr. ECC |",
      "| Fan  Temp  Perf  Pwr:Usage/Cap|         Memory-Usage | GPU-Util  Compute M. |",
      "|                               |                      |               MIG M. |",
      "|===============================+======================+======================|",
      "|   0  NVIDIA A100-SXM...  On   | 00000000:07:00.0 Off |                    0 |",
      "| N/A   34C    P0    61W / 400W |  35420MiB / 81920MiB |     98%      Default |",
      "|                               |                      |             Disabled |",
      "+-------------------------------+----------------------+----------------------+",
    ]), "none", "nvidia-smi's table with a zero ECC count and N/A fan (corpus: none pixel_link-135, 3D-Deepbox-44)"],
    [healthy([
      "    ECC Errors",
      "        Volatile",
      "            SRAM Correctable              : 0",
      "            SRAM Uncorrectable            : 0",
      "            DRAM Correctable              : 0",
      "            DRAM Uncorrectable            : 0",
      "    Retired Pages",
      "        Single Bit ECC                    : N/A",
      "        Double Bit ECC                    : N/A",
      "        Pending Page Blacklist            : N/A",
      "    Remapped Rows",
      "        Correctable Error                 : 0",
      "        Uncorrectable Error               : 0",
      "        Pending                           : No",
      "        Remapping Failure Occurred        : No",
    ]), "none", "`nvidia-smi -q` on a clean GPU (find_string hits 27272816670, 70561579436)"],
    [healthy([
      "+---------------------------+----------------------------------------------------------+",
      "| Health Monitor Report                                                                |",
      "+===========================+==========================================================+",
      "| Overall Health            | Healthy                                                  |",
      "+---------------------------+----------------------------------------------------------+",
    ]), "none", "`dcgmi health -c` on a healthy GPU (not looked up)"],
    [healthy([
      "DCGM_FI_DEV_XID_ERRORS{gpu=\"0\",UUID=\"GPU-1a2b3c4d\",device=\"nvidia0\",Hostname=\"gpu-node-07\"} 0",
      "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu=\"0\",UUID=\"GPU-1a2b3c4d\",device=\"nvidia0\",Hostname=\"gpu-node-07\"} 0",
    ]), "none", "dcgm-exporter's metrics at zero (not looked up)"],
    [healthy([
      "W0502 10:11:12.345000 48213 torch/_dynamo/convert_frame.py:906] [0/8] torch._dynamo hit config.recompile_limit (8)",
      "W0502 10:11:12.345000 48213 torch/_dynamo/convert_frame.py:906] [0/8]    function: 'forward' (/workspace/model.py:212)",
      "W0502 10:11:12.345000 48213 torch/_dynamo/convert_frame.py:906] [0/8]    last reason: 0/7: tensor 'x' size mismatch at index 0. expected 16, actual 24",
      "W0502 10:11:12.345000 48213 torch/_dynamo/convert_frame.py:906] [0/8] To log all recompilation reasons, use TORCH_LOGS=\"recompiles\".",
      "W0502 10:11:12.345000 48213 torch/_dynamo/convert_frame.py:906] [0/8] To diagnose recompilation issues, see https://pytorch.org/docs/main/torch.compiler_troubleshooting.html.",
    ]), "none", "torch.compile falling back to eager after its recompile limit (torch/_dynamo/convert_frame.py; find_string hits 60265956669, 60936308304: the frame then runs eagerly)"],
    [healthy([
      "W0502 10:11:12.345000 48213 torch/_dynamo/convert_frame.py:762] torch._dynamo hit config.cache_size_limit (8)",
      "W0502 10:11:12.345000 48213 torch/_dynamo/convert_frame.py:762]    function: 'forward' (/workspace/model.py:212)",
    ]), "none", "the same warning before torch 2.6 (config.cache_size_limit; not looked up)"],
    [healthy([
      "E0912 06:23:40.705004   53744 slow_operation_alarm.cc:73] ",
      "********************************",
      "[Compiling module jit_train_step for GPU] Very slow compile? If you want to file a bug, run with envvar XLA_FLAGS=--xla_dump_to=/tmp/foo and attach the results.",
      "********************************",
      "E0912 06:24:12.423666   53703 slow_operation_alarm.cc:140] The operation took 2m31.718613s",
    ]), "none", "XLA's slow-operation alarm, an E record on a compile that finishes (find_string hit 66531308899)"],
    [healthy([
      tfRecord("E", "external/local_xla/xla/service/slow_operation_alarm.cc:65", "Constant folding an instruction is taking > 1s:"),
      "",
      "  %reduce.1 = f32[4096]{0} reduce(f32[4096,4096]{1,0} %constant.2, f32[] %constant.3), dimensions={1}, to_apply=%region_0.4",
      "",
      "This isn't necessarily a bug; constant-folding is inherently a trade-off between compilation time and speed at runtime. XLA has some guards that attempt to keep constant folding from taking too long, but fundamentally you'll always be able to come up with an input program that takes a long time.",
    ]), "none", "XLA's constant-folding alarm (find_string hit 58014068943 quotes it; xla/service/slow_operation_alarm.cc)"],
    [healthy([
      "E0000 00:00:1727170392.931025    2403 gpu_timer.cc:183] Delay kernel timed out: measured time has sub-optimal accuracy. There may be a missing warmup execution, please investigate in Nsight Systems.",
      "E0000 00:00:1727170392.931117    2403 gpu_timer.cc:183] Delay kernel timed out: measured time has sub-optimal accuracy. There may be a missing warmup execution, please investigate in Nsight Systems.",
    ]), "none", "XLA's GPU timer during autotuning (find_string hit 2847489389)"],
    [healthy([
      tfRecord("W", "external/local_xla/xla/service/gpu/nvptx_compiler.cc:765", "The NVIDIA driver's CUDA version is 12.2 which is older than the ptxas CUDA version (12.4.131). Because the driver is older than the ptxas version, XLA is disabling parallel compilation, which may slow down compilation. You should update your NVIDIA driver or use the NVIDIA-provided CUDA forward compatibility packages."),
    ]), "none", "XLA's ptxas version notice (not looked up)"],
  ],

  "6. the same words ending a run": [
    [tail([
      "AutoBatch: Computing optimal batch size for imgsz=480",
      "AutoBatch: CUDA:0 (NVIDIA GeForce RTX 4090) 23.99G total, 0.22G reserved, 0.05G allocated, 23.71G free",
      "      Params      GFLOPs  GPU_mem (GB)  forward (ms) backward (ms)                   input                  output",
      "     3011043       73.75         1.197         20.45         17.97       (16, 3, 480, 480)                    list",
      "AutoBatch: Using batch-size 281 for CUDA:0 16.87G/23.99G (70%) ✅",
      "",
      "      Epoch    GPU_mem   box_loss   cls_loss   dfl_loss  Instances       Size",
      "  0%|          | 0/2 [00:33<?, ?it/s]",
      "Traceback (most recent call last):",
      '  File "/usr/local/bin/yolo", line 8, in <module>',
      "    sys.exit(entrypoint())",
      "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 3.22 GiB (GPU 0; 23.99 GiB total capacity; 19.31 GiB already allocated; 1.52 GiB free; 20.62 GiB reserved in total by PyTorch)",
    ]), "cuda_oom", "the batch size AutoBatch chose, out of memory in training (https://github.com/ultralytics/ultralytics/issues/1451; the exception's numbers from ultralytics/ultralytics#4679's title)"],
    [tail([...rayTrainFailure("Terminating"), "(TrainController pid=48213) ray.train.TrainingFailedError: Training failed due to worker errors."]), "cuda_oom", "Ray Train giving up (`Terminating training worker group after encountering failure(s)`; find_string hit 22230508980)"],
    [tail([...rayTrainFailure("Restarting")]), "cuda_oom", "Ray Train's restart notice with nothing trained after it: the failure stays"],
    [tail([
      ...ELASTIC_RESTART,
      "Resuming from checkpoint /ckpt/checkpoint-3000",
      "{'loss': 0.4012, 'grad_norm': 1.733, 'learning_rate': 1.97e-05, 'epoch': 3.52}",
      "[rank1]: Traceback (most recent call last):",
      '[rank1]:   File "/workspace/train.py", line 187, in main',
      "[rank1]:     loss = train_step(model, batch, optimizer)",
      "[rank1]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 1 has a total capacity of 79.14 GiB of which 0.98 GiB is free. Including non-PyTorch memory, this process has 78.14 GiB memory in use.",
      "E0502 10:31:14.345000 48213 torch/distributed/elastic/multiprocessing/api.py:869] failed (exitcode: 1) local_rank: 1 (pid: 49215) of binary: /usr/bin/python3",
    ]), "cuda_oom", "the restarted workers running out of memory again: the failure after the restart ends the run (api.py)"],
    [tail([...ELASTIC_RESTART]), "cuda_oom", "a log that ends at the restart, before the restarted workers trained: the failure stays (api.py)"],
    [tail([
      "gpu-node-07:48213:48420 [0] transport/net_ib.cc:100 NCCL WARN NET/IB : mlx5_0:1 Got async event : port error",
      "gpu-node-07:48213:48511 [0] transport/net_ib.cc:1295 NCCL WARN NET/IB : Got completion from peer 10.0.0.8<37441> with status=12 opcode=0 len=0 vendor err 129 (Recv) localGid ::ffff:10.0.0.7 remoteGids::ffff:10.0.0.8",
      "torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1970, unhandled system error (run with NCCL_DEBUG=INFO for details), NCCL version 2.19.3",
    ]), "nccl_error", "the same thread reporting a port error, then a completion error and torch's NCCL error (net_ib.cc, find_string hit 975366350)"],
    [tail([
      "{'loss': 0.2051, 'grad_norm': nan, 'learning_rate': 9.774074342405685e-06, 'epoch': 0.53}",
      "{'loss': 0.0, 'grad_norm': nan, 'learning_rate': 9.773696745450087e-06, 'epoch': 0.53}",
      "{'loss': 0.0, 'grad_norm': nan, 'learning_rate': 9.773318840518906e-06, 'epoch': 0.53}",
    ]), "nan_loss", "Trainer's logging_nan_inf_filter leaving every NaN step out: loss 0.0 with a nan grad norm to the log's end (https://github.com/AnswerDotAI/ModernBERT/issues/233)"],
    [tail([
      ...Array.from({ length: 4 }, () => dsRecord("INFO", "loss_scaler.py:183:update_scale", "[deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 1, reducing to 1")),
      "Traceback (most recent call last):",
      `  File "${SITE}/deepspeed/runtime/fp16/loss_scaler.py", line 175, in update_scale`,
      "    raise Exception(",
      "Exception: Current loss scale already at minimum - cannot decrease scale anymore. Exiting run.",
    ]), "nan_loss", "DeepSpeed's scaler at its floor with raise_error_at_min_scale (loss_scaler.py, find_string hit 578198151; corpus: 6 nan_loss hold the text)"],
    [pyTrace([
      `  File "${SITE}/fairseq/optim/fp16_optimizer.py", line 466, in clip_grad_norm`,
      "    raise FloatingPointError(",
      "FloatingPointError: Minimum loss scale reached (0.0001). Your loss is probably exploding. Try lowering the learning rate, using gradient clipping or increasing the batch size.",
    ]), "nan_loss", "fairseq's FP16Optimizer at its floor (find_string hit 5945351902; corpus: 4 nan_loss hold the text)"],
    [tail([
      "1187/1250 [===========================>..] - ETA: 9s - loss: 0.4121 - accuracy: 0.8712",
      "Batch 1188: Invalid loss, terminating training",
      "1189/1250 [===========================>..] - ETA: 9s - loss: nan - accuracy: 0.8701",
    ]), "nan_loss", "Keras' TerminateOnNaN (keras/callbacks.py, find_string hit 510630119; corpus: 4 nan_loss hold the text)"],
    [pyTrace([
      `  File "${SITE}/megatron/core/distributed/param_and_grad_buffer.py", line 114, in start_grad_sync`,
      "    assert not norm.isnan(), (",
      "AssertionError: Rank 13: found NaN in local grad norm in backward pass before data-parallel communication collective. Device: 5, node: node-15-11",
    ]), "nan_loss", "Megatron's check_for_nan_in_loss_and_grad firing (find_string hit 35650569728; corpus: 7 nan_loss hold the text)"],
    [tail([
      megatronIter(3380, "lm loss: 2.183411E+00 | loss scale: 1.0 | grad norm: 0.412 | number of skipped iterations:   0 | number of nan iterations:   0 |"),
      megatronIter(3390, "lm loss: NaN | loss scale: 1.0 | grad norm: nan | number of skipped iterations:  10 | number of nan iterations:  10 |"),
      megatronIter(3400, "lm loss: NaN | loss scale: 1.0 | grad norm: nan | number of skipped iterations:  10 | number of nan iterations:  10 |"),
    ]), "nan_loss", "Megatron's nan-iteration counter climbing to the log's end (corpus: nan_loss megatron-llm-33)"],
    [pyTrace([
      `  File "${SITE}/accelerate/utils/memory.py", line 152, in decorator`,
      '    raise RuntimeError("No executable batch size found, reached zero.")',
      "RuntimeError: No executable batch size found, reached zero.",
    ], [
      '  File "/workspace/train.py", line 88, in train',
      "    inner_training_loop()",
    ]), "cuda_oom", "accelerate's find_executable_batch_size when every size ran out of memory (accelerate/utils/memory.py, find_string hit 24134923998)"],
    [pyTrace([
      `  File "${SITE}/vllm/worker/worker.py", line 262, in initialize_cache`,
      "    raise_if_cache_size_invalid(num_gpu_blocks,",
      `  File "${SITE}/vllm/worker/worker.py", line 493, in raise_if_cache_size_invalid`,
      '    raise ValueError("No available memory for the cache blocks. "',
      "ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing the engine.",
    ]), "cuda_oom", "vLLM with no room for its KV cache (corpus: 3 cuda_oom hold the text)"],
    [tail([
      fairseqRecord("WARNING", "fairseq.trainer", "OOM: Ran out of memory with exception: CUDA out of memory. Tried to allocate 62.00 MiB (GPU 0; 15.90 GiB total capacity; 14.59 GiB already allocated; 9.88 MiB free; 15.19 GiB reserved in total by PyTorch)"),
      fairseqRecord("WARNING", "fairseq.trainer", "attempting to recover from OOM in forward/backward pass"),
      "Traceback (most recent call last):",
      `  File "${SITE}/fairseq/trainer.py", line 918, in train_step`,
      "    raise e",
      "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 62.00 MiB (GPU 0; 15.90 GiB total capacity; 14.61 GiB already allocated; 5.88 MiB free; 15.19 GiB reserved in total by PyTorch)",
    ]), "cuda_oom", "fairseq's recovery that ends in the OOM raised again (raise_oom / a second OOM; fairseq/trainer.py)"],
    [tail([
      "Batch size 2 succeeded, trying batch size 4",
      "Batch size 4 failed, trying batch size 2",
      "Finished batch size finder, will continue with full run using batch size 2",
      "Traceback (most recent call last):",
      '  File "/workspace/train.py", line 61, in main',
      "    trainer.fit(model, datamodule=dm)",
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 3.00 GiB. GPU 0 has a total capacity of 23.65 GiB of which 1.12 GiB is free.",
    ]), "cuda_oom", "the full run after the finder, out of memory at the chosen size (Lightning; not looked up)"],
    [tail([
      tfRecord("W", "tensorflow/core/common_runtime/bfc_allocator.cc:479", "Allocator (GPU_0_bfc) ran out of memory trying to allocate 3.21GiB (rounded to 3443523840)requested by op model/conv2d_5/Conv2D"),
      tfRecord("W", "tensorflow/core/framework/op_kernel.cc:1780", "OP_REQUIRES failed at conv_ops.cc:1068 : RESOURCE_EXHAUSTED: OOM when allocating tensor with shape[64,256,112,112] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc"),
      "tensorflow.python.framework.errors_impl.ResourceExhaustedError: OOM when allocating tensor with shape[64,256,112,112] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc [Op:Conv2D]",
    ]), "cuda_oom", "TensorFlow's BFC allocator when the failure is one (corpus: 3 cuda_oom hold `ran out of memory trying to allocate`)"],
    [tail([
      "[E502 10:11:12.345678 48213 torch/distributed/elastic/multiprocessing/api.py:874] failed (exitcode: -9) local_rank: 0 (pid: 48214) of binary: /usr/bin/python3",
      "Traceback (most recent call last):",
      '  File "/usr/local/bin/torchrun", line 8, in <module>',
      "    sys.exit(main())",
      "torch.distributed.elastic.multiprocessing.errors.ChildFailedError: ",
      "============================================================",
      "train.py FAILED",
      "------------------------------------------------------------",
      "Root Cause (first observed failure):",
      "[0]:",
      "  time      : 2024-05-02_10:11:12",
      "  host      : gpu-node-07",
      "  rank      : 0 (local_rank: 0)",
      "  exitcode  : -9 (pid: 48214)",
      "  error_file: <N/A>",
      "  traceback : Signal 9 (SIGKILL) received by PID 48214",
      "============================================================",
    ]), "process_killed", "the elastic agent out of restarts (it raises ChildFailedError instead of the restart notice), its last worker killed (corpus: 3 entries hold `Worker group FAILED` with the cause's category)"],
    [tail([
      "    Remapped Rows",
      "        Correctable Error                 : 0",
      "        Uncorrectable Error               : 8",
      "        Pending                           : Yes",
      "        Remapping Failure Occurred        : Yes",
      "[  812.345678] NVRM: Xid (PCI:0000:07:00): 64, pid='<unknown>', name=<unknown>, Row Remapper Error: (0x00000005f8a1c0e0) - All reserved rows for bank are remapped",
      "RuntimeError: CUDA error: uncorrectable ECC error encountered",
    ]), "gpu_hardware", "a GPU whose row remapping failed, then torch's ECC error (find_string hits 27272816670, 55100743856)"],
    [tail([
      "|   3  NVIDIA A100-SXM...  On   | 00000000:47:00.0 Off |                  ERR! |",
      "|ERR!  ERR!  ERR!    ERR! / ERR! |  80994MiB / 81920MiB |    ERR!      Default |",
    ]), "gpu_hardware", "nvidia-smi's ERR! row for a GPU that fell over (corpus: gpu_hardware gpu-operator-559)"],
    [tail([
      "W0502 10:11:12.345000 48213 torch/_dynamo/convert_frame.py:906] [0/8] torch._dynamo hit config.recompile_limit (8)",
      "Traceback (most recent call last):",
      '  File "/workspace/train.py", line 140, in train_one_epoch',
      "    out = model(batch)",
      "torch._dynamo.exc.FailOnRecompileLimitHit: recompile_limit reached with one_graph=True. Excessive recompilations can degrade performance due to the compilation overhead of each recompilation. To monitor recompilations, enable TORCH_LOGS=recompiles. If recompilations are expected, consider increasing torch._dynamo.config.cache_size_limit to an appropriate value.",
    ]), "python_exception", "torch.compile told to fail on the limit (fail_on_recompile_limit_hit; not looked up)"],
  ],
};

testDictionary("crash rules dictionary, seventh round: healthy runs that print alarming words", FAMILIES, primaryOf);
