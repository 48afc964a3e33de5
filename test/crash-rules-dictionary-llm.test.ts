/**
 * Crash rules by enumeration from the sources, third round (issue 10; docs/crash-accuracy.md, items 440-): the texts
 * the LLM / diffusion training stack prints when a run ends (transformers, accelerate, peft, trl, datasets, tokenizers,
 * safetensors, huggingface_hub; DeepSpeed, apex, Megatron-LM / NeMo, Lightning; torch.compile / Inductor / Triton,
 * flash-attn, xformers, bitsandbytes; vLLM, SGLang and Ray as RL trainers use them), each in the line shape it is printed
 * in, inside a short traceback or log tail, with the category the corpus's conventions give it. `none` rows are near
 * misses: the same words in healthy runs (a skipped overflow step, a retried download, a warning naming an error).
 *
 * Sources: `find_string hit N` is a public repository file the search tool does not name, cited by its hit id (the
 * format string, or the text as a user's log quotes it); `corpus: ...` is a studied corpus entry holding the text with
 * its label; a repository + path without a hit is the file the text is raised from, quoted from the project's sources
 * as known, not looked up this round (each such row says so).
 */
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner } from "./helpers/crash-families.js";
import { PROGRESS, childFailedReport, healthy, pyTrace, testDictionary, type Row } from "./helpers/crash-dictionary.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-dictionary-llm-");

// ---------------------------------------------------------------------------------------------------------------
// Line shapes.

const SITE = "/usr/local/lib/python3.10/dist-packages";

/** Frames of the Hugging Face Trainer's training loop (transformers/trainer.py). */
const TRAINER_FRAMES = [
  `  File "${SITE}/transformers/trainer.py", line 1938, in train`,
  "    return inner_training_loop(",
  `  File "${SITE}/transformers/trainer.py", line 2279, in _inner_training_loop`,
  "    tr_loss_step = self.training_step(model, inputs)",
];

/** Frames of `from_pretrained` (transformers/modeling_utils.py). */
const FROM_PRETRAINED_FRAMES = [
  `  File "${SITE}/transformers/models/auto/auto_factory.py", line 564, in from_pretrained`,
  "    return model_class.from_pretrained(",
  `  File "${SITE}/transformers/modeling_utils.py", line 3838, in from_pretrained`,
  "    ) = cls._load_pretrained_model(",
];

/** A Python traceback through the Trainer ending in `last`. */
function trainerTrace(last: string | string[]): string {
  return pyTrace(last, TRAINER_FRAMES);
}

/** A DeepSpeed log record (deepspeed/utils/logging.py): `[date time,ms] [LEVEL] [file:line:function] text`. */
function dsRecord(level: "INFO" | "WARNING" | "ERROR", where: string, text: string): string {
  return `[2024-05-02 10:11:12,345] [${level}] [${where}] ${text}`;
}

/** Megatron-LM's training_log line (megatron/training/training.py). */
function megatronIter(iteration: number, rest: string): string {
  return ` iteration     ${iteration}/  500000 | consumed samples:      ${iteration * 1024} | elapsed time per iteration (ms): 1234.5 | learning rate: 2.999E-04 | global batch size:  1024 | ${rest}`;
}

/** A vLLM V1 log record: `(Process pid=N) LEVEL MM-DD HH:MM:SS [file.py:line] text`. */
function vllmRecord(proc: string, level: "INFO" | "WARNING" | "ERROR", where: string, text: string): string {
  return `(${proc} pid=48213) ${level} 05-02 10:11:12 [${where}] ${text}`;
}

/** torchrun's ChildFailedError table under accelerate's multi-GPU launcher. */
function accelerateElastic(exitcode: number, traceback: string): string {
  const frames = [
    '  File "/usr/local/bin/accelerate", line 8, in <module>',
    "    sys.exit(main())",
    `  File "${SITE}/accelerate/commands/launch.py", line 1159, in launch_command`,
    "    multi_gpu_launcher(args)",
    `  File "${SITE}/accelerate/commands/launch.py", line 793, in multi_gpu_launcher`,
    "    distrib_run.run(args)",
    `  File "${SITE}/torch/distributed/launcher/api.py", line 263, in launch_agent`,
  ];
  return [...childFailedReport({ exitcode, pid: 48214, rank: 1, frames, traceback }), ""].join("\n");
}

const TORCH_OOM = "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.95 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.02 GiB is free. Process 48213 has 78.12 GiB memory in use. Of the allocated memory 75.40 GiB is allocated by PyTorch, and 1.21 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)";

const DYNAMO_SUFFIX = [
  "",
  'Set TORCH_LOGS="+dynamo" and TORCHDYNAMO_VERBOSE=1 for more information',
  "",
  "",
  "You can suppress this exception and fall back to eager by setting:",
  "    import torch._dynamo",
  "    torch._dynamo.config.suppress_errors = True",
];

// ---------------------------------------------------------------------------------------------------------------
// The dictionary.

const FAMILIES: Record<string, Row[]> = {
  "1. transformers, accelerate, peft, trl, datasets, tokenizers, safetensors, huggingface_hub": [
    [pyTrace("OSError: Unable to load weights from checkpoint file for '/models/llama/model-00003-of-00004.safetensors' at '/models/llama/model-00003-of-00004.safetensors'. If you tried to load a PyTorch model from a TF 2.0 checkpoint, please set from_tf=True.", FROM_PRETRAINED_FRAMES), "checkpoint_corrupt", "transformers/modeling_utils.py load_state_dict (the `checkpoint file` wording of 4.3x, without `pytorch`; corpus: 9 checkpoint_corrupt hold `Unable to load weights`)"],
    [pyTrace([
      `  File "${SITE}/transformers/modeling_utils.py", line 512, in load_state_dict`,
      "    with safe_open(checkpoint_file, framework=\"pt\") as f:",
      "safetensors_rust.SafetensorError: Error while deserializing header: MetadataIncompleteBuffer",
      "",
      "During handling of the above exception, another exception occurred:",
      "",
      "Traceback (most recent call last):",
      '  File "/workspace/train.py", line 40, in <module>',
      "    model = AutoModelForCausalLM.from_pretrained(args.model)",
      "OSError: Unable to load weights from checkpoint file for '/models/llama/model-00001-of-00002.safetensors' at '/models/llama/model-00001-of-00002.safetensors'. If you tried to load a PyTorch model from a TF 2.0 checkpoint, please set from_tf=True.",
    ], FROM_PRETRAINED_FRAMES), "checkpoint_corrupt", "the same load failing on a cut safetensors shard (safetensors' header check under transformers' handler; corpus: 20 checkpoint_corrupt hold `Error while deserializing header`)"],
    [pyTrace("OSError: Error no file named pytorch_model.bin, model.safetensors, tf_model.h5, model.ckpt.index or flax_model.msgpack found in directory /output/checkpoint-3000.", FROM_PRETRAINED_FRAMES), "python_exception", "transformers/modeling_utils.py from_pretrained given a folder without weights (not looked up): a wrong path, no file to be corrupt"],
    [pyTrace("OSError: /models/llama-7b does not appear to have a file named config.json. Checkout 'https://huggingface.co//models/llama-7b/tree/None' for available files."), "python_exception", "transformers/utils/hub.py cached_file (not looked up): a wrong path"],
    [pyTrace([
      "RuntimeError: Error(s) in loading state_dict for PeftModelForCausalLM:",
      "\tsize mismatch for base_model.model.lm_head.weight: copying a param with shape torch.Size([32001, 4096]) from checkpoint, the shape in current model is torch.Size([32000, 4096]).",
    ]), "python_exception", "torch/nn/modules/module.py load_state_dict under peft's set_peft_model_state_dict (rule python_state_dict_mismatch): a model / checkpoint mismatch"],
    [pyTrace("ValueError: Target modules {'q_proj', 'v_proj'} not found in the base model. Please check the target modules and try again."), "python_exception", "peft/tuners/tuners_utils.py inject_adapter (not looked up)"],
    [pyTrace([
      "requests.exceptions.ConnectTimeout: (MaxRetryError(\"HTTPSConnectionPool(host='huggingface.co', port=443): Max retries exceeded with url: /meta-llama/Llama-2-7b-hf/resolve/main/config.json (Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at 0x7f3c2a1b4740>, 'Connection to huggingface.co timed out. (connect timeout=10)'))\"), '(Request ID: 3f2a9c1d-7b4e-4c5d-9e7f-0a1b2c3d4e5f)')",
      "",
      "The above exception was the direct cause of the following exception:",
      "",
      "Traceback (most recent call last):",
      `  File "${SITE}/transformers/utils/hub.py", line 402, in cached_file`,
      "    resolved_file = hf_hub_download(",
      "huggingface_hub.errors.LocalEntryNotFoundError: An error happened while trying to locate the file on the Hub and we cannot find the requested files in the local cache. Please check your connection and try again or make sure your Internet connection is on.",
      "",
      "The above exception was the direct cause of the following exception:",
      "",
      "Traceback (most recent call last):",
      '  File "/workspace/train.py", line 40, in <module>',
      "    tokenizer = AutoTokenizer.from_pretrained(args.model)",
      "OSError: We couldn't connect to 'https://huggingface.co' to load this file, couldn't find it in the cached files and it looks like meta-llama/Llama-2-7b-hf is not the path to a directory containing a file named config.json.",
      "Checkout your internet connection or see how to run the library in offline mode at 'https://huggingface.co/docs/transformers/installation#offline-mode'.",
    ]), "timeout", "huggingface_hub's download on a cluster without a route out, under transformers' cached_file (corpus: rsprompter-78, zl-ns2vc-25 and 5 more `Max retries exceeded` entries, all timeout)"],
    [pyTrace([
      "huggingface_hub.errors.LocalEntryNotFoundError: Cannot find the requested files in the disk cache and outgoing traffic has been disabled. To enable hf.co look-ups and downloads online, set 'local_files_only' to False.",
      "",
      "The above exception was the direct cause of the following exception:",
      "",
      "Traceback (most recent call last):",
      '  File "/workspace/train.py", line 40, in <module>',
      "    model = AutoModelForCausalLM.from_pretrained(args.model)",
      "OSError: We couldn't connect to 'https://huggingface.co' to load the files, and couldn't find them in the cached files.",
      "Check your internet connection or see how to run the library in offline mode at 'https://huggingface.co/docs/transformers/installation#offline-mode'.",
    ]), "python_exception", "huggingface_hub with HF_HUB_OFFLINE=1 and a model not in the cache (file_download.py; not looked up): nothing waited or timed out, the files are not there"],
    [pyTrace([
      "huggingface_hub.errors.GatedRepoError: 401 Client Error. (Request ID: Root=1-663371a0-5c1f2d3e4b5a6978)",
      "",
      "Cannot access gated repo for url https://huggingface.co/meta-llama/Llama-2-7b-hf/resolve/main/config.json.",
      "Access to model meta-llama/Llama-2-7b-hf is restricted. You must have access to it and be authenticated to access it. Please log in.",
    ]), "python_exception", "huggingface_hub/utils/_http.py hf_raise_for_status (not looked up): an access error"],
    [pyTrace("Exception: data did not match any variant of untagged enum ModelWrapper at line 1251003 column 3", [
      `  File "${SITE}/transformers/tokenization_utils_fast.py", line 115, in __init__`,
      "    fast_tokenizer = TokenizerFast.from_file(fast_tokenizer_file)",
    ]), "python_exception", "tokenizers' serde reading a tokenizer.json written by a newer tokenizers (serde's untagged-enum error, find_string hits 68366156652, 41596838307): a version mismatch, the file is whole"],
    [pyTrace("Exception: EOF while parsing a string at line 1 column 1048576", [
      `  File "${SITE}/transformers/tokenization_utils_fast.py", line 115, in __init__`,
      "    fast_tokenizer = TokenizerFast.from_file(fast_tokenizer_file)",
    ]), "checkpoint_corrupt", "tokenizers' serde_json on a cut tokenizer.json (rule ckpt_tokenizer_json)"],
    [pyTrace([
      "thread '<unnamed>' panicked at 'called `Result::unwrap()` on an `Err` value: Os { code: 28, kind: StorageFull, message: \"No space left on device\" }', src/utils/parallelism.rs:137:45",
      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
      "pyo3_runtime.PanicException: called `Result::unwrap()` on an `Err` value: Os { code: 28, kind: StorageFull, message: \"No space left on device\" }",
    ]), "disk_full", "a Rust panic through pyo3 (PanicException) carrying io::ErrorKind::StorageFull (not looked up; safetensors' and tokenizers' io errors print the same Os {...} form)"],
    [pyTrace([
      `  File "${SITE}/datasets/arrow_writer.py", line 588, in write_table`,
      "    self.pa_writer.write_table(pa_table, writer_batch_size)",
      '  File "pyarrow/ipc.pxi", line 525, in pyarrow.lib._CRecordBatchWriter.write_table',
      '  File "pyarrow/error.pxi", line 89, in pyarrow.lib.check_status',
      "OSError: [Errno 28] Error writing bytes to file. Detail: [errno 28] No space left on device",
    ]), "disk_full", "pyarrow's file writer under datasets' ArrowWriter (arrow/io/file.cc `Error writing bytes to file`; not looked up)"],
    [pyTrace([
      "pyarrow.lib.ArrowInvalid: JSON parse error: Missing a name for object member. in row 0",
      "",
      "The above exception was the direct cause of the following exception:",
      "",
      "Traceback (most recent call last):",
      '  File "/workspace/train.py", line 52, in <module>',
      "    ds = load_dataset(\"json\", data_files=args.data)",
      "datasets.exceptions.DatasetGenerationError: An error occurred while generating the dataset",
    ]), "python_exception", "datasets/builder.py _prepare_split_single (not looked up): a bad data file"],
    [pyTrace("RuntimeError: One of the subprocesses has abruptly died during map operation.To debug the error, disable multiprocessing.", [
      `  File "${SITE}/datasets/arrow_dataset.py", line 3161, in map`,
      "    for rank, done, content in iflatmap_unordered(",
    ]), "process_killed", "datasets/utils/py_utils.py iflatmap_unordered (find_string hits 38331389, 26937367769; users' notes 63451617096: the kernel's OOM killer taking a `num_proc` worker): a pool worker that died without raising"],
    [trainerTrace("ValueError: Can't find a valid checkpoint at /output/checkpoint-3000"), "checkpoint_corrupt", "transformers/trainer.py _load_from_checkpoint (corpus: medicalgpt-91, checkpoint_corrupt)"],
    [trainerTrace("FileNotFoundError: [Errno 2] No such file or directory: '/output/checkpoint-3000/trainer_state.json'"), "checkpoint_corrupt", "transformers/trainer.py resuming from a checkpoint folder cut before its state was written (rule ckpt_incomplete_resume; corpus: 2 checkpoint_corrupt)"],
    [pyTrace("ValueError: No valid checkpoint found in output directory (/output)", [
      '  File "/workspace/train.py", line 260, in main',
      "    trainer.train(resume_from_checkpoint=True)",
      `  File "${SITE}/transformers/trainer.py", line 1910, in train`,
      "    raise ValueError(f\"No valid checkpoint found in output directory ({args.output_dir})\")",
    ]), "python_exception", "transformers/trainer.py train(resume_from_checkpoint=True) with no checkpoint at all (not looked up): nothing to be corrupt"],
    [trainerTrace("ValueError: Attempting to unscale FP16 gradients."), "python_exception", "torch/amp/grad_scaler.py unscale_ with fp16 master weights (not looked up)"],
    [pyTrace([
      "torch.distributed.DistNetworkError: The server socket has failed to listen on any local network address. port: 29500, useIpv6: 0, code: -98, name: EADDRINUSE, message: address already in use",
    ], [
      `  File "${SITE}/accelerate/state.py", line 212, in __init__`,
      "    torch.distributed.init_process_group(backend=self.backend, **kwargs)",
    ]), "python_exception", "c10d's TCPStore server under accelerate's process-group set-up (corpus: zzg-metax-forum-430, python_exception: a port already taken)"],
    [pyTrace("ValueError: Error initializing torch.distributed using env:// rendezvous: environment variable RANK expected, but not set", [
      `  File "${SITE}/accelerate/state.py", line 212, in __init__`,
      "    torch.distributed.init_process_group(backend=self.backend, **kwargs)",
    ]), "python_exception", "torch/distributed/rendezvous.py _env_rendezvous_handler (not looked up): a script started without its launcher"],
    [[
      ...PROGRESS,
      "[rank1]: Traceback (most recent call last):",
      '[rank1]:   File "/workspace/train.py", line 187, in main',
      "[rank1]:     accelerator.backward(loss)",
      `[rank1]: ${TORCH_OOM}`,
      "W0502 10:11:13.123000 48200 torch/distributed/elastic/multiprocessing/api.py:897] Sending process 48213 closing signal SIGTERM",
      accelerateElastic(1, "To enable traceback see: https://pytorch.org/docs/stable/elastic/errors.html"),
    ].join("\n"), "cuda_oom", "accelerate launch --multi_gpu: rank 1's CUDA OOM (torch's 2.4+ wording), then torchrun's table with exit code 1 (accelerate/commands/launch.py multi_gpu_launcher; not looked up)"],
    [[...PROGRESS, accelerateElastic(-9, "Signal 9 (SIGKILL) received by PID 48214")].join("\n"), "process_killed", "the same launcher after a rank was SIGKILLed (torch/distributed/elastic/multiprocessing/errors)"],
    [[
      ...PROGRESS,
      "{'loss': 1.2311, 'grad_norm': 3.91, 'learning_rate': 1.97e-05, 'epoch': 0.42}",
      "{'loss': 0.0, 'grad_norm': nan, 'learning_rate': 1.96e-05, 'epoch': 0.43}",
      "{'loss': 0.0, 'grad_norm': nan, 'learning_rate': 1.95e-05, 'epoch': 0.44}",
      "{'loss': 0.0, 'grad_norm': nan, 'learning_rate': 1.94e-05, 'epoch': 0.45}",
      "",
    ].join("\n"), "nan_loss", "the Trainer's log records (transformers/trainer.py _maybe_log_save_evaluate) once fp16/bf16 training diverged: grad_norm nan and the loss logged as 0.0 to the end"],
    [trainerTrace("ValueError: You can't train a model that has been loaded in 8-bit or 4-bit precision on a different device than the one you're training on. Make sure you loaded the model on the correct device using for example `device_map={'':torch.cuda.current_device()}` or `device_map={'':torch.xpu.current_device()}`"), "python_exception", "accelerate/accelerator.py prepare_model (not looked up)"],
    [pyTrace("RuntimeError: [enforce fail at inline_container.cc:595] . PytorchStreamWriter failed writing file data/12: file write failed", [
      `  File "${SITE}/transformers/trainer.py", line 3311, in _save_optimizer_and_scheduler`,
      "    torch.save(self.optimizer.state_dict(), os.path.join(output_dir, OPTIMIZER_NAME))",
    ]), "disk_full", "torch.save's zip writer under the Trainer's checkpoint save (caffe2/serialize/inline_container.cc; corpus: llamafactory-1223, chatglm-6b-1166 and 3 more, disk_full)"],
    [pyTrace("RuntimeError: Internal: src/sentencepiece_processor.cc(1101) [model_proto->ParseFromArray(serialized.data(), serialized.size())] ", [
      `  File "${SITE}/transformers/models/llama/tokenization_llama.py", line 201, in get_spm_processor`,
      "    tokenizer.Load(self.vocab_file)",
      `  File "${SITE}/sentencepiece/__init__.py", line 310, in LoadFromFile`,
      "    return _sentencepiece.SentencePieceProcessor_LoadFromFile(self, arg)",
    ]), "checkpoint_corrupt", "sentencepiece's model loader on a tokenizer.model that is not a model proto (a cut download or a git-lfs pointer; src/sentencepiece_processor.cc; not looked up)"],
    [pyTrace("OSError: Can't load tokenizer for 'meta-llama/Llama-2-7b-hf'. If you were trying to load it from 'https://huggingface.co/models', make sure you don't have a local directory with the same name. Otherwise, make sure 'meta-llama/Llama-2-7b-hf' is the correct path to a directory containing all relevant files for a LlamaTokenizerFast tokenizer."), "python_exception", "transformers/tokenization_utils_base.py from_pretrained (not looked up): a wrong name or path"],
    [pyTrace("pyarrow.lib.ArrowInvalid: Parquet magic bytes not found in footer. Either the file is corrupted or this is not a parquet file.", [
      `  File "${SITE}/datasets/packaged_modules/parquet/parquet.py", line 83, in _generate_tables`,
      "    parquet_file = pq.ParquetFile(f)",
    ]), "python_exception", "pyarrow's parquet reader on a cut data shard under datasets (not looked up): a data file, not a checkpoint (the second round's MONAI row)"],
    [pyTrace("FileNotFoundError: Unable to find '/data/sft/train.jsonl'", [
      `  File "${SITE}/datasets/data_files.py", line 386, in resolve_pattern`,
      "    raise FileNotFoundError(error_msg)",
    ]), "python_exception", "datasets/data_files.py resolve_pattern (not looked up)"],
    [pyTrace([
      "OSError: Consistency check failed: file should be of size 4976698672 but has size 1237583872 (model-00001-of-00004.safetensors).",
      "We are sorry for the inconvenience. Please retry with `force_download=True`.",
      "If the issue persists, please let us know by opening an issue on https://github.com/huggingface/huggingface_hub.",
    ], [
      `  File "${SITE}/huggingface_hub/file_download.py", line 541, in http_get`,
      "    raise EnvironmentError(",
    ]), "checkpoint_corrupt", "huggingface_hub's download size check (file_download.py http_get, not looked up; corpus: 2 checkpoint_corrupt hold `Consistency check failed`): a weights file cut short"],
    [pyTrace("safetensors_rust.SafetensorError: Error while deserializing header: incomplete metadata, file not fully covered", [
      `  File "${SITE}/safetensors/torch.py", line 313, in load_file`,
      "    with safe_open(filename, framework=\"pt\", device=device) as f:",
    ]), "checkpoint_corrupt", "safetensors' Metadata_incomplete_buffer in its later wording (find_string hits 23795492346, 56264161979, 61421379962: a partial download)"],
    [pyTrace("ValueError: The checkpoint you are trying to load has model type `qwen2` but Transformers does not recognize this architecture. This could be because of an issue with the checkpoint, or because your version of Transformers is out of date.", [
      `  File "${SITE}/transformers/models/auto/configuration_auto.py", line 1035, in from_pretrained`,
      "    raise ValueError(",
    ]), "python_exception", "transformers/models/auto/configuration_auto.py (find_string hits 31119500837, 51877411292): a transformers too old for the model, the checkpoint is whole"],
    [pyTrace([
      "OSError: meta-llama/Llama-3-8b is not a local folder and is not a valid model identifier listed on 'https://huggingface.co/models'",
      "If this is a private repository, make sure to pass a token having permission to this repo either by logging in with `huggingface-cli login` or by passing `token=<your_token>`",
    ]), "python_exception", "transformers/utils/hub.py cached_file on a RepositoryNotFoundError (not looked up)"],
    [trainerTrace([
      "RuntimeError: ",
      "            Some tensors share memory, this will lead to duplicate memory on disk and potential differences when loading them again: [{'lm_head.weight', 'model.embed_tokens.weight'}].",
      "            A potential way to correctly save your model is to use `save_model`.",
      "            More information at https://huggingface.co/docs/safetensors/torch_shared_tensors",
      "            ",
    ]), "python_exception", "safetensors/torch.py _flatten at the Trainer's save (not looked up)"],
    [pyTrace("OSError: [Errno 122] Disk quota exceeded: '/home/me/.cache/huggingface/datasets/json/default-3f2a9c1d7b4e/0.0.0/cache-8f2a9c1d.arrow'", [
      `  File "${SITE}/datasets/arrow_writer.py", line 343, in __init__`,
      "    self.stream = self._fs.open(path, \"wb\")",
    ]), "disk_full", "errno EDQUOT's strerror from datasets' cache writer (corpus: 6 disk_full hold `Disk quota exceeded`)"],
    [[
      ...PROGRESS,
      "{'loss': 1.2311, 'grad_norm': 3.91, 'learning_rate': 1.97e-05, 'epoch': 0.42}",
      "{'loss': nan, 'grad_norm': nan, 'learning_rate': 1.96e-05, 'epoch': 0.43}",
      "{'loss': nan, 'grad_norm': nan, 'learning_rate': 1.95e-05, 'epoch': 0.44}",
      "",
    ].join("\n"), "nan_loss", "the Trainer's log records with the loss itself NaN to the end (transformers/trainer.py)"],
    [trainerTrace("ValueError: Asking to pad but the tokenizer does not have a padding token. Please select a token to use as `pad_token` `(tokenizer.pad_token = tokenizer.eos_token e.g.)` or add a new pad token via `tokenizer.add_special_tokens({'pad_token': '[PAD]'})`."), "python_exception", "transformers/tokenization_utils_base.py _get_padding_truncation_strategies (not looked up)"],
    [pyTrace("ConnectionError: The vLLM server can't be reached at 0.0.0.0:8000 after 240 seconds. Make sure the server is running by running `trl vllm-serve`.", [
      `  File "${SITE}/trl/extras/vllm_client.py", line 160, in check_server_health`,
      "    raise ConnectionError(",
    ]), "timeout", "TRL's vllm_client.check_server_health (find_string hits 35149683318, 66027295599): GRPO waited for its generation server"],
    [trainerTrace("RuntimeError: Expected to have finished reduction in the prior iteration before starting a new one. This error indicates that your module has parameters that were not used in producing loss. You can enable unused parameter detection by passing the keyword argument `find_unused_parameters=True` to `torch.nn.parallel.DistributedDataParallel`, and by making sure all `forward` function outputs participate in calculating loss."), "python_exception", "torch's DDP reducer (torch/csrc/distributed/c10d/reducer.cpp; not looked up) under accelerate with a PEFT model"],
    [trainerTrace("RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn"), "python_exception", "torch's autograd engine with gradient checkpointing on a frozen base model (torch/csrc/autograd; not looked up)"],
    [trainerTrace("ValueError: Must flatten tensors with uniform dtype but got torch.bfloat16 and torch.float32"), "python_exception", "torch FSDP's flat-param check under accelerate (torch/distributed/fsdp/_flat_param.py; not looked up)"],
  ],

  "2. DeepSpeed, apex, Megatron-LM / NeMo, Lightning": [
    [[
      ...PROGRESS,
      dsRecord("INFO", "loss_scaler.py:190:update_scale", "[deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 2, reducing to 1"),
      dsRecord("INFO", "loss_scaler.py:183:update_scale", "[deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 1, reducing to 1"),
      "Traceback (most recent call last):",
      '  File "/workspace/train.py", line 212, in <module>',
      "    model_engine.step()",
      `  File "${SITE}/deepspeed/runtime/fp16/loss_scaler.py", line 181, in update_scale`,
      '    raise Exception(',
      "Exception: Current loss scale already at minimum - cannot decrease scale anymore. Exiting run.",
      "",
    ].join("\n"), "nan_loss", "deepspeed/runtime/fp16/loss_scaler.py DynamicLossScaler.update_scale (corpus: 6 nan_loss, llamafactory-251, deepspeedexamples-531, ...)"],
    [[
      ...PROGRESS,
      ...Array.from({ length: 6 }, () => dsRecord("INFO", "loss_scaler.py:183:update_scale", "[deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 1, reducing to 1")),
      "",
    ].join("\n"), "nan_loss", "the same scaler with min_loss_scale reached and raise_error_at_min_scale off: every step skipped to the log's end (corpus: 4 nan_loss hold `OVERFLOW!` at the floor)"],
    [[
      ...PROGRESS,
      "Traceback (most recent call last):",
      '  File "/workspace/train.py", line 212, in <module>',
      "    model_engine.backward(loss)",
      TORCH_OOM,
      dsRecord("INFO", "launch.py:319:sigkill_handler", "Killing subprocess 48213"),
      dsRecord("INFO", "launch.py:319:sigkill_handler", "Killing subprocess 48214"),
      dsRecord("ERROR", "launch.py:325:sigkill_handler", "['/usr/bin/python3', '-u', 'train.py', '--local_rank=1', '--deepspeed', 'ds_config.json'] exits with return code = 1"),
      "",
    ].join("\n"), "cuda_oom", "DeepSpeed's launcher (deepspeed/launcher/launch.py sigkill_handler) after a rank's CUDA OOM: the rank's error, not the launcher, is the cause"],
    [[
      ...PROGRESS,
      dsRecord("INFO", "launch.py:319:sigkill_handler", "Killing subprocess 48213"),
      dsRecord("ERROR", "launch.py:325:sigkill_handler", "['/usr/bin/python3', '-u', 'train.py', '--local_rank=0', '--deepspeed', 'ds_config.json'] exits with return code = -9"),
      "",
    ].join("\n"), "process_killed", "DeepSpeed's launcher, a rank SIGKILLed (corpus: 3 process_killed hold `exits with return code`)"],
    [pyTrace([
      "[1/3] /usr/local/cuda/bin/nvcc  -DTORCH_EXTENSION_NAME=fused_adam -DTORCH_API_INCLUDE_EXTENSION_H -I/usr/local/lib/python3.10/dist-packages/deepspeed/ops/csrc/includes -gencode=arch=compute_90,code=sm_90 -c /usr/local/lib/python3.10/dist-packages/deepspeed/ops/csrc/adam/multi_tensor_adam.cu -o multi_tensor_adam.cuda.o",
      "FAILED: multi_tensor_adam.cuda.o",
      "nvcc fatal   : Unsupported gpu architecture 'compute_90'",
      "ninja: build stopped: subcommand failed.",
      "",
      "The above exception was the direct cause of the following exception:",
      "",
      "Traceback (most recent call last):",
      `  File "${SITE}/deepspeed/ops/op_builder/builder.py", line 480, in load`,
      "    return self.jit_load(verbose)",
      `  File "${SITE}/torch/utils/cpp_extension.py", line 2120, in _run_ninja_build`,
      "    raise RuntimeError(message) from e",
      "RuntimeError: Error building extension 'fused_adam'",
    ], [
      `  File "${SITE}/torch/utils/cpp_extension.py", line 2104, in _run_ninja_build`,
      "    subprocess.run(",
      "subprocess.CalledProcessError: Command '['ninja', '-v']' returned non-zero exit status 1.",
    ]), "import_error", "DeepSpeed's JIT op builder through torch/utils/cpp_extension.py _run_ninja_build (find_string hits 17016766416, 41133265398; users' notes 6257622288: a CUDA toolkit that does not match): the native op cannot be built, like a missing library. Doubt: the corpus has no entry with this text"],
    [pyTrace("deepspeed.ops.op_builder.builder.MissingCUDAException: CUDA_HOME does not exist, unable to compile CUDA op(s)", [
      `  File "${SITE}/deepspeed/ops/op_builder/builder.py", line 103, in installed_cuda_version`,
      "    raise MissingCUDAException(\"CUDA_HOME does not exist, unable to compile CUDA op(s)\")",
    ]), "import_error", "deepspeed/ops/op_builder/builder.py installed_cuda_version (find_string hits 3819058972, 21562807281, 56274220762: raised at `import deepspeed` without a CUDA toolkit)"],
    [pyTrace("deepspeed.ops.op_builder.builder.CUDAMismatchException: >- DeepSpeed Op Builder: Installed CUDA version 11.8 does not match the version torch was compiled with 12.1, unable to compile cuda/cpp extensions without a matching cuda version.", [
      `  File "${SITE}/deepspeed/ops/op_builder/builder.py", line 110, in assert_no_cuda_mismatch`,
      "    raise CUDAMismatchException(",
    ]), "import_error", "deepspeed/ops/op_builder/builder.py assert_no_cuda_mismatch (find_string hits 44689392242, 29278962886, 49051455425; the older plain `Exception` form in 5470354145)"],
    [pyTrace([
      "ImportError: /root/.cache/torch_extensions/py310_cu121/cpu_adam/cpu_adam.so: cannot open shared object file: No such file or directory",
      "Exception ignored in: <function DeepSpeedCPUAdam.__del__ at 0x7f3c2a1b4740>",
      "Traceback (most recent call last):",
      `  File "${SITE}/deepspeed/ops/adam/cpu_adam.py", line 102, in __del__`,
      "    self.ds_opt_adam.destroy_adam(self.opt_id)",
      "AttributeError: 'DeepSpeedCPUAdam' object has no attribute 'ds_opt_adam'",
    ]), "import_error", "DeepSpeed's CPU Adam whose extension did not load, then its finalizer (deepspeed/ops/adam/cpu_adam.py; corpus: zq-autopoison-6, import_error)"],
    [pyTrace("RuntimeError: [enforce fail at alloc_cpu.cpp:83] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate 27917287424 bytes. Error code 12 (Cannot allocate memory)", [
      `  File "${SITE}/deepspeed/runtime/zero/stage_1_and_2.py", line 450, in __init__`,
      "    self.single_partition_of_fp32_groups.append(self.parallel_partitioned_bit16_groups[i][partition_id].to(self.device).clone().float().detach())",
    ]), "host_oom", "ZeRO-Offload allocating its fp32 partitions in host memory (c10/core/impl/alloc_cpu.cpp; corpus: host_oom's convention)"],
    [pyTrace(TORCH_OOM, [
      `  File "${SITE}/deepspeed/runtime/zero/partition_parameters.py", line 1156, in all_gather_coalesced`,
      "    param_buffer = torch.empty(",
    ]), "cuda_oom", "ZeRO-3 gathering parameters (deepspeed/runtime/zero/partition_parameters.py) with torch 2.4+'s OOM wording"],
    [[
      ...PROGRESS,
      ...Array.from({ length: 12 }, (_, i) => `Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to ${(2 ** -(i + 4)).toString()}`),
      "",
    ].join("\n"), "nan_loss", "apex.amp's dynamic scaler (apex/amp/scaler.py, `Gradient overflow.  Skipping step, loss scaler %d reducing loss scale to %s`) halving to the end of the log (rule nan_loss_min_scale, diverged-end's apex reading)"],
    [pyTrace("RuntimeError: Rank 3, node gpu-node-07, device 3, iteration 1200: Unexpected result nan (message='found NaN in local grad norm for bucket #0 in backward pass before data-parallel communication collective')", [
      `  File "/opt/megatron-lm/megatron/core/distributed/param_and_grad_buffer.py", line 153, in check_grads`,
      "    rerun_state_machine.validate_result(",
    ]), "nan_loss", "megatron/core/distributed/param_and_grad_buffer.py with the rerun state machine (corpus: nemo-15108, NeMo-Speech-14348, nan_loss)"],
    [pyTrace("AssertionError: Rank 3: found NaN in local grad norm in backward pass before data-parallel communication collective. Device: 3, node: gpu-node-07", [
      `  File "/opt/megatron-lm/megatron/core/distributed/param_and_grad_buffer.py", line 115, in start_grad_sync`,
      "    assert not norm.isnan(), (",
    ]), "nan_loss", "Megatron-core's check before the rerun state machine (corpus: pai-megatron-patch-437 and 3 more, nan_loss)"],
    [[
      megatronIter(1180, "lm loss: 2.412100E+00 | loss scale: 1.0 | grad norm: 0.812 | number of skipped iterations:   0 | number of nan iterations:   0 |"),
      megatronIter(1190, "loss scale: 1.0 | number of skipped iterations:  10 | number of nan iterations:  10 |"),
      megatronIter(1200, "loss scale: 1.0 | number of skipped iterations:  10 | number of nan iterations:  10 |"),
      "",
    ].join("\n"), "nan_loss", "Megatron-LM's training_log once every iteration is NaN (megatron/training/training.py: the loss key is left out of skipped iterations; rule nan_loss_megatron_missing)"],
    [pyTrace("torch.multiprocessing.spawn.ProcessExitedException: process 1 terminated with signal SIGKILL", [
      `  File "${SITE}/lightning/pytorch/strategies/launchers/multiprocessing.py", line 144, in launch`,
      "    while not process_context.join():",
      `  File "${SITE}/torch/multiprocessing/spawn.py", line 170, in join`,
      "    raise ProcessExitedException(",
    ]), "process_killed", "torch/multiprocessing/spawn.py under Lightning's ddp_spawn launcher (corpus: prompt4nr-3 and 4 more, process_killed)"],
    [[
      ...PROGRESS,
      "INFO: [rank: 1] Child process with PID 48214 terminated with code -9. Forcefully terminating all other processes to avoid zombies 🧟",
      "Killed",
      "",
    ].join("\n"), "process_killed", "Lightning's _ChildProcessObserver (lightning/fabric/strategies/launchers/subprocess_script.py, find_string hits 1596148340, 26502633795; a user's log 60470945614 with code -9)"],
    [[
      ...PROGRESS,
      "[rank1]: Traceback (most recent call last):",
      '[rank1]:   File "/workspace/train.py", line 96, in training_step',
      "[rank1]:     loss = self.model(**batch).loss",
      `[rank1]: ${TORCH_OOM}`,
      "INFO: [rank: 1] Child process with PID 48214 terminated with code 1. Forcefully terminating all other processes to avoid zombies 🧟",
      "",
    ].join("\n"), "cuda_oom", "the same observer after rank 1 raised (find_string hit 55097318429 shows code 1 after a rank's error)"],
    [pyTrace("lightning.fabric.utilities.exceptions.MisconfigurationException: No supported gpu backend found!"), "python_exception", "lightning/fabric/accelerators (not looked up; corpus: 6 MisconfigurationException entries, python_exception)"],
    [pyTrace("deepspeed.runtime.zero.utils.ZeRORuntimeException: The checkpoint being loaded used a DP world size of 8 but the current world size is 4. Automatic adjustment of ZeRO's optimizer state partitioning with a new world size is not currently supported.", [
      `  File "${SITE}/deepspeed/runtime/zero/stage_1_and_2.py", line 2223, in load_state_dict`,
      "    raise ZeRORuntimeException(",
    ]), "python_exception", "DeepSpeed ZeRO-1/2 resuming on another world size (deepspeed/runtime/zero/stage_1_and_2.py; not looked up): a configuration, the checkpoint is whole"],
    [[
      ...PROGRESS,
      "gpu-node-08: [2024-05-02 10:11:12,345] [INFO] [launch.py:319:sigkill_handler] Killing subprocess 48213",
      "gpu-node-08: [2024-05-02 10:11:12,346] [ERROR] [launch.py:325:sigkill_handler] ['/usr/bin/python3', '-u', 'train.py', '--local_rank=3', '--deepspeed', 'ds_config.json'] exits with return code = -9",
      "pdsh@gpu-node-07: gpu-node-08: ssh exited with exit code 247",
      "",
    ].join("\n"), "process_killed", "DeepSpeed's multi-node runner through pdsh (each line prefixed by its host; deepspeed/launcher/multinode_runner.py, not looked up)"],
    [pyTrace("ModuleNotFoundError: No module named 'amp_C'", [
      `  File "${SITE}/apex/optimizers/fused_adam.py", line 84, in __init__`,
      "    import amp_C",
    ]), "import_error", "apex installed without its CUDA extensions (corpus: apex-1208, import_error)"],
    [pyTrace("RuntimeError: Lightning can't create new processes if CUDA is already initialized. Did you manually call `torch.cuda.*` functions, have moved the model to the device, or allocated memory on the GPU any other way? Please remove any such calls, or change the selected strategy. You will have to restart the Python kernel."), "python_exception", "lightning/fabric/strategies/launchers/multiprocessing.py _check_bad_cuda_fork (not looked up)"],
    [pyTrace("AssertionError: Check batch related parameters. train_batch_size is not equal to micro_batch_per_gpu * gradient_acc_step * world_size 64 != 8 * 4 * 4", [
      `  File "${SITE}/deepspeed/runtime/config.py", line 904, in _batch_assertion`,
      "    assert train_batch == micro_batch * grad_acc * self.world_size, (",
    ]), "python_exception", "deepspeed/runtime/config.py _batch_assertion (not looked up)"],
    [pyTrace("RuntimeError: Early stopping conditioned on metric `val_loss` which is not available. Pass in or modify your `EarlyStopping` callback to use any of the following: `train_loss`, `train_loss_step`, `train_loss_epoch`", [
      `  File "${SITE}/lightning/pytorch/callbacks/early_stopping.py", line 153, in _validate_condition_metric`,
      "    raise RuntimeError(error_msg)",
    ]), "python_exception", "lightning/pytorch/callbacks/early_stopping.py (not looked up)"],
    [pyTrace([
      "ValueError: Expected parameter loc (Tensor of shape (64, 6)) of distribution Normal(loc: torch.Size([64, 6]), scale: torch.Size([64, 6])) to satisfy the constraint Real(), but found invalid values:",
      "tensor([[nan, nan, nan, nan, nan, nan],",
      "        [nan, nan, nan, nan, nan, nan]], device='cuda:0', grad_fn=<AddmmBackward0>)",
    ], [
      `  File "${SITE}/torch/distributions/normal.py", line 59, in __init__`,
      "    super().__init__(batch_shape, validate_args=validate_args)",
    ]), "nan_loss", "torch/distributions/distribution.py's argument validation in an RL policy's forward (corpus: 3 nan_loss hold `found invalid values`)"],
    [pyTrace("ModuleNotFoundError: No module named 'fused_layer_norm_cuda'", [
      `  File "${SITE}/apex/normalization/fused_layer_norm.py", line 34, in forward`,
      "    fused_layer_norm_cuda = importlib.import_module(\"fused_layer_norm_cuda\")",
    ]), "import_error", "apex built without --cuda_ext (apex/normalization/fused_layer_norm.py; not looked up)"],
    [[
      "Epoch 2: 100%|██████████| 1250/1250 [05:12<00:00,  4.00it/s, v_num=3, train_loss=0.412]",
      "Epoch 3:  41%|████      | 512/1250 [02:08<03:04,  4.00it/s, v_num=3, train_loss=nan]",
      "Epoch 3:  42%|████▏     | 520/1250 [02:10<03:02,  4.00it/s, v_num=3, train_loss=nan]",
      "",
    ].join("\n"), "nan_loss", "Lightning's progress bar with the logged loss NaN where the log ends (corpus: 1 nan_loss holds `train_loss=nan`)"],
    [trainerTrace("ValueError: [deepspeed] failed to resume from checkpoint /output/checkpoint-3000"), "checkpoint_corrupt", "transformers/integrations/deepspeed.py deepspeed_load_checkpoint (find_string hits 13040827, 4876188862): the checkpoint folder's DeepSpeed state did not load, the branch beside `Can't find a valid checkpoint` (medicalgpt-91's label)"],
    [pyTrace("AssertionError: Device compute capability 8.9 or higher required for FP8 execution.", [
      `  File "${SITE}/transformer_engine/pytorch/fp8.py", line 614, in fp8_autocast`,
      "    assert fp8_available, reason_for_no_fp8",
    ]), "python_exception", "Transformer Engine's FP8 check under Megatron / NeMo (transformer_engine/pytorch/fp8.py check_fp8_support, find_string hits 828683827, 52117658608; a user's note 53276008635 with this AssertionError): a GPU that cannot run FP8, no CUDA error"],
  ],

  "3. torch.compile / Inductor / Triton, flash-attn, xformers, bitsandbytes": [
    [pyTrace([
      "torch._dynamo.exc.BackendCompilerFailed: backend='inductor' raised:",
      "CompilationError: at 12:4:",
      "    xmask = xindex < xnumel",
      "    x0 = xindex",
      "    tmp0 = tl.load(in_ptr0 + (x0), xmask)",
      "    ^",
      ...DYNAMO_SUFFIX,
    ]), "python_exception", "torch/_dynamo/output_graph.py call_user_compiler wrapping Triton's CompilationError (not looked up)"],
    [pyTrace([
      "torch._inductor.exc.InductorError: OutOfResources: out of resource: shared memory, Required: 262144, Hardware limit: 232448. Reducing block sizes or `num_stages` may help.",
      ...DYNAMO_SUFFIX,
    ]), "cuda_error", "Triton's OutOfResources (triton/runtime/errors.py; the first dictionary reads it bare as cuda_error) wrapped by torch 2.7+'s InductorError (torch/_inductor/exc.py; not looked up)"],
    [pyTrace([
      "torch._dynamo.exc.BackendCompilerFailed: backend='inductor' raised:",
      "OutOfResources: out of resource: shared memory, Required: 167936, Hardware limit: 101376. Reducing block sizes or `num_stages` may help.",
      ...DYNAMO_SUFFIX,
    ]), "cuda_error", "the same under torch 2.1-2.6's BackendCompilerFailed (torch/_dynamo/exc.py; not looked up)"],
    [pyTrace([
      "torch._dynamo.exc.BackendCompilerFailed: backend='inductor' raised:",
      "RuntimeError: Cannot find a working triton installation. Either the package is not installed or it is too old. More information on installing Triton can be found at https://github.com/openai/triton",
      ...DYNAMO_SUFFIX,
    ]), "import_error", "torch/_inductor/scheduler.py's Triton check (find_string hits 69433985662, 56837620262): a missing package"],
    [pyTrace("torch._inductor.exc.TritonMissing: Cannot find a working triton installation. Either the package is not installed or it is too old. More information on installing Triton can be found at: https://github.com/triton-lang/triton"), "import_error", "torch 2.6+'s TritonMissing (torch/_inductor/exc.py; find_string hits 56837620262, 61091457528)"],
    [pyTrace([
      "torch._dynamo.exc.BackendCompilerFailed: backend='inductor' raised:",
      "RuntimeError: Found Tesla P100-PCIE-16GB which is too old to be supported by the triton GPU compiler, which is used as the backend. Triton only supports devices of CUDA Capability >= 7.0, but your device is of CUDA capability 6.0",
      ...DYNAMO_SUFFIX,
    ]), "python_exception", "torch/_inductor/scheduler.py's device check (not looked up): a GPU this code path does not support, no CUDA error"],
    [pyTrace("RuntimeError: FlashAttention only supports Ampere GPUs or newer.", [
      `  File "${SITE}/flash_attn/flash_attn_interface.py", line 90, in _flash_attn_forward`,
      "    out, softmax_lse, S_dmask, rng_state = flash_attn_cuda.fwd(",
    ]), "python_exception", "flash-attn's TORCH_CHECK in csrc/flash_attn/flash_api.cpp (find_string hits 4953046092, 63453008469): a GPU the kernel does not support, no CUDA error"],
    [pyTrace("RuntimeError: FlashAttention only support fp16 and bf16 data type", [
      `  File "${SITE}/flash_attn/flash_attn_interface.py", line 90, in _flash_attn_forward`,
      "    out, softmax_lse, S_dmask, rng_state = flash_attn_cuda.fwd(",
    ]), "python_exception", "flash-attn's dtype TORCH_CHECK (flash_api.cpp, the line after the GPU check in hit 4953046092)"],
    [pyTrace("ImportError: FlashAttention2 has been toggled on, but it cannot be used due to the following error: the package flash_attn seems to be not installed. Please refer to the documentation of https://huggingface.co/docs/transformers/perf_infer_gpu_one#flashattention-2 to install Flash Attention 2.", FROM_PRETRAINED_FRAMES), "import_error", "transformers/modeling_utils.py _check_and_enable_flash_attn_2 (not looked up)"],
    [pyTrace("ImportError: /usr/local/lib/python3.10/dist-packages/flash_attn_2_cuda.cpython-310-x86_64-linux-gnu.so: undefined symbol: _ZN3c105ErrorC2ENS_14SourceLocationENSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE", [
      `  File "${SITE}/flash_attn/flash_attn_interface.py", line 10, in <module>`,
      "    import flash_attn_2_cuda as flash_attn_cuda",
    ]), "import_error", "flash-attn built against another torch (corpus: 25 import_error hold `flash_attn`)"],
    [pyTrace([
      "NotImplementedError: No operator found for `memory_efficient_attention_forward` with inputs:",
      "     query       : shape=(2, 4096, 8, 40) (torch.float16)",
      "     key         : shape=(2, 4096, 8, 40) (torch.float16)",
      "     value       : shape=(2, 4096, 8, 40) (torch.float16)",
      "     attn_bias   : <class 'NoneType'>",
      "     p           : 0.0",
      "`decoderF` is not supported because:",
      "    xFormers wasn't build with CUDA support",
      "`flshattF@v2.3.2` is not supported because:",
      "    xFormers wasn't build with CUDA support",
      "    operator wasn't built - see `python -m xformers.info` for more info",
    ]), "python_exception", "xformers/ops/fmha/dispatch.py _run_priority_list (corpus: zn-xformers-1263, python_exception)"],
    [pyTrace([
      "RuntimeError: ",
      "        CUDA Setup failed despite GPU being available. Please run the following command to get more information:",
      "",
      "        python -m bitsandbytes",
      "",
      "        Inspect the output of the command and see if you can locate CUDA libraries. You might need to add them",
      "        to your LD_LIBRARY_PATH. If you suspect a bug, please take the information from python -m bitsandbytes",
      "        and open an issue at: https://github.com/TimDettmers/bitsandbytes/issues",
    ]), "import_error", "bitsandbytes 0.39-0.42 cextension.py (corpus: bitsandbytes-492, import_error)"],
    [pyTrace("AttributeError: /usr/local/lib/python3.10/dist-packages/bitsandbytes/libbitsandbytes_cpu.so: undefined symbol: cget_col_row_stats", [
      `  File "${SITE}/bitsandbytes/functional.py", line 1698, in get_colrow_absmax`,
      "    lib.cget_col_row_stats(ptrA, ptrRowStats, ptrColStats, ct.c_int32(rows), ct.c_int32(cols))",
      `  File "/usr/lib/python3.10/ctypes/__init__.py", line 392, in __getattr__`,
      "    func = self.__getitem__(name)",
    ]), "import_error", "bitsandbytes' CPU library loaded instead of its CUDA one (ctypes' lookup; find_string hit 69733643878 shows the same `libbitsandbytes_cpu.so: undefined symbol`)"],
    [pyTrace("RuntimeError: Configured CUDA binary not found at /usr/local/lib/python3.10/dist-packages/bitsandbytes/libbitsandbytes_cuda126.so", [
      `  File "${SITE}/bitsandbytes/cextension.py", line 290, in <module>`,
      "    lib = get_native_library()",
    ]), "import_error", "bitsandbytes 0.43+ cextension.py get_native_library (find_string hit 18203489637; users' logs 34084474825, 52440024396): no binary for this CUDA"],
    [pyTrace("ImportError: Using `bitsandbytes` 4-bit quantization requires the latest version of bitsandbytes: `pip install -U bitsandbytes`", FROM_PRETRAINED_FRAMES), "import_error", "transformers/quantizers/quantizer_bnb_4bit.py validate_environment (not looked up)"],
    [pyTrace("RuntimeError: Triton Error [CUDA]: an illegal memory access was encountered", [
      `  File "${SITE}/triton/backends/nvidia/driver.py", line 444, in __call__`,
      "    self.launch(*args, **kwargs)",
    ]), "cuda_error", "Triton's driver check (`Triton Error [CUDA]: ` + cuGetErrorString; corpus: triton-1320, zn-unsloth-3590, zn-pylate-75, cuda_error)"],
    [pyTrace("RuntimeError: Failed to find C compiler. Please specify via CC environment variable or set triton.knobs.build.impl.", [
      `  File "${SITE}/triton/runtime/build.py", line 32, in _build`,
      "    raise RuntimeError(",
    ]), "import_error", "Triton building its driver module at the first kernel launch (triton/runtime/build.py, find_string hits 60401766636, 8882356135; users' notes 63199776681, 71233143426): a missing build dependency, the same family as a native op that cannot be built. Doubt: no corpus entry"],
    [pyTrace("RuntimeError: Error: accessing tensor output of CUDAGraphs that has been overwritten by a subsequent run. Stack trace: File \"/workspace/model.py\", line 88, in forward. To prevent overwriting, clone the tensor outside of torch.compile() or call torch.compiler.cudagraph_mark_step_begin() before each model invocation."), "python_exception", "torch/_inductor/cudagraph_trees.py (not looked up): a usage error"],
    [pyTrace("RuntimeError: FlashAttention forward only supports head dimension at most 256", [
      `  File "${SITE}/flash_attn/flash_attn_interface.py", line 90, in _flash_attn_forward`,
      "    out, softmax_lse, S_dmask, rng_state = flash_attn_cuda.fwd(",
    ]), "python_exception", "flash-attn's head-dimension TORCH_CHECK (csrc/flash_attn/flash_api.cpp; not looked up)"],
    [pyTrace("ValueError: `.to` is not supported for `4-bit` or `8-bit` bitsandbytes models. Please use the model as it is, since the model has already been set to the correct devices and casted to the correct `dtype`."), "python_exception", "transformers/modeling_utils.py to() on a quantized model (not looked up)"],
    [pyTrace([
      "torch._dynamo.exc.BackendCompilerFailed: backend='inductor' raised:",
      "FileNotFoundError: [Errno 2] No such file or directory: 'gcc'",
      ...DYNAMO_SUFFIX,
    ]), "import_error", "Inductor's C++ launcher code compiled in a container without gcc (the chain quoted in find_string hit 52131619527): a missing build dependency, like Triton's `Failed to find C compiler`"],
    [pyTrace("torch._inductor.exc.InductorError: InvalidCxxCompiler: No working C++ compiler found in torch._inductor.config.cpp.cxx: (None, 'g++')"), "import_error", "torch/_inductor/exc.py InvalidCxxCompiler (the exception named in find_string hit 68972958490; its message as known, not looked up)"],
    [[
      ...PROGRESS,
      vllmRecord("EngineCore_0", "ERROR", "core.py:700", "EngineCore failed to start."),
      vllmRecord("EngineCore_0", "ERROR", "core.py:700", "Traceback (most recent call last):"),
      vllmRecord("EngineCore_0", "ERROR", "core.py:700", `  File "${SITE}/vllm/v1/worker/gpu_model_runner.py", line 2456, in profile_run`),
      vllmRecord("EngineCore_0", "ERROR", "core.py:700", "torch._inductor.exc.InductorError: OSError: [Errno 28] No space left on device"),
      "RuntimeError: Engine core initialization failed. See root cause above. Failed core proc(s): {}",
      "",
    ].join("\n"), "disk_full", "Triton's kernel cache on a full container root, re-raised by Inductor in vLLM's engine core (find_string hits 57418246301, 67391243590 show `InductorError: OSError: [Errno N]` killing EngineCore)"],
  ],

  "4. vLLM, SGLang and Ray as RL trainers use them": [
    [pyTrace("ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing the engine."), "cuda_oom", "vllm/worker/worker.py (corpus: vllm-10439, rl-swarm-118, cuda_oom)"],
    [pyTrace("ValueError: The model's max seq len (32768) is larger than the maximum number of tokens that can be stored in KV cache (22032). Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine."), "cuda_oom", "vllm/worker/worker.py raise_if_cache_size_invalid (find_string hits 982890698, 34225081537)"],
    [pyTrace("ValueError: To serve at least one request with the models's max seq len (131072), (16.00 GiB KV cache is needed, which is larger than the available KV cache memory (9.12 GiB). Based on the available memory, the estimated maximum model length is 74672. Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine."), "cuda_oom", "vLLM V1's check_enough_kv_cache_memory (vllm/v1/core/kv_cache_utils.py; not looked up)"],
    [pyTrace("ValueError: To serve at least one request with the model's max seq len (300000), 13.53 GiB KV cache is needed, which is larger than the available KV cache memory (3.74 GiB). Based on the available memory, the estimated maximum model length is 82944. Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine."), "cuda_oom", "the same check's later wording, without the parenthesis (find_string hits 70846693782, 61480249375, 68312686270; the older `models's ... (N GiB` form in 53780153125, 43514820805)"],
    [pyTrace("ValueError: Free memory on device (13.21/79.11 GiB) on startup is less than desired GPU memory utilization (0.9, 71.20 GiB). Decrease GPU memory utilization or reduce GPU memory used by other processes."), "cuda_oom", "vLLM V1's gpu_worker.py init_device (the wording in find_string hit 58815939761)"],
    [[
      ...PROGRESS,
      vllmRecord("EngineCore_0", "ERROR", "core.py:700", "EngineCore failed to start."),
      vllmRecord("EngineCore_0", "ERROR", "core.py:700", "Traceback (most recent call last):"),
      vllmRecord("EngineCore_0", "ERROR", "core.py:700", `  File "${SITE}/vllm/v1/worker/gpu_model_runner.py", line 2456, in profile_run`),
      vllmRecord("EngineCore_0", "ERROR", "core.py:700", "    hidden_states = self._dummy_run(self.max_num_tokens)"),
      vllmRecord("EngineCore_0", "ERROR", "core.py:700", TORCH_OOM),
      "Traceback (most recent call last):",
      '  File "/workspace/grpo.py", line 88, in <module>',
      "    llm = LLM(model=args.model, gpu_memory_utilization=0.3)",
      `  File "${SITE}/vllm/v1/engine/core_client.py", line 462, in __init__`,
      "    self._wait_for_engine_startup()",
      "RuntimeError: Engine core initialization failed. See root cause above. Failed core proc(s): {}",
      "",
    ].join("\n"), "cuda_oom", "vLLM V1's engine core start-up (vllm/v1/engine/core_client.py; find_string hits 63295283161, 56920250746): the root cause is what the EngineCore process printed above"],
    [[
      ...PROGRESS,
      vllmRecord("EngineCore_0", "ERROR", "core.py:586", "EngineCore encountered a fatal error."),
      vllmRecord("EngineCore_0", "ERROR", "core.py:586", "Traceback (most recent call last):"),
      vllmRecord("EngineCore_0", "ERROR", "core.py:586", `  File "${SITE}/vllm/v1/engine/core.py", line 577, in run_engine_core`),
      vllmRecord("EngineCore_0", "ERROR", "core.py:586", "    engine_core.run_busy_loop()"),
      vllmRecord("EngineCore_0", "ERROR", "core.py:586", "RuntimeError: CUDA error: an illegal memory access was encountered"),
      vllmRecord("APIServer", "ERROR", "async_llm.py:538", "AsyncLLM output_handler failed."),
      vllmRecord("APIServer", "ERROR", "async_llm.py:538", "vllm.v1.engine.exceptions.EngineDeadError: EngineCore encountered an issue. See stack trace (above) for the root cause."),
      "",
    ].join("\n"), "cuda_error", "vLLM V1's engine dying mid-run (vllm/v1/engine/exceptions.py EngineDeadError; users' logs find_string hits 66024971964, 63390294774)"],
    [pyTrace([
      TORCH_OOM,
      "",
      "The above exception was the direct cause of the following exception:",
      "",
      "Traceback (most recent call last):",
      '  File "/workspace/rl_trainer.py", line 301, in generate',
      "    outputs = await engine.generate(prompt, params, request_id)",
      "vllm.engine.async_llm_engine.AsyncEngineDeadError: Background loop has errored already.",
    ]), "cuda_oom", "vLLM V0's AsyncLLMEngine (vllm/engine/async_llm_engine.py start_background_loop, find_string hits 14980703842, 988879) after its loop died of an OOM"],
    [pyTrace("RuntimeError: Not enough memory. Please try to increase --mem-fraction-static.", [
      `  File "${SITE}/sglang/srt/model_executor/model_runner.py", line 1089, in init_memory_pool`,
      "    raise RuntimeError(",
    ]), "cuda_oom", "SGLang's model_runner.py init_memory_pool (find_string hits 562710086, 4633402845, 10267136): no room for the KV pool after the weights"],
    [pyTrace([
      "Exception: Capture cuda graph failed: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.20 GiB is free. Including non-PyTorch memory, this process has 77.94 GiB memory in use.",
      "Possible solutions:",
      "1. disable cuda graph by --disable-cuda-graph",
      "2. set --mem-fraction-static to a smaller value",
      "3. disable torch compile by not using --enable-torch-compile",
    ], [
      `  File "${SITE}/sglang/srt/model_executor/cuda_graph_runner.py", line 267, in __init__`,
      "    raise Exception(",
    ]), "cuda_oom", "SGLang's cuda_graph_runner.py (find_string hits 1083683914, 33140722986)"],
    [pyTrace("TimeoutError: Placement group creation timed out. Make sure your cluster either has enough resources or use an autoscaling cluster. If you are running on a cluster, make sure you specify an address in `ray.init()`, for example, `ray.init(\"auto\")`. You can also increase the timeout by setting the TRAIN_PLACEMENT_GROUP_TIMEOUT_S environment variable.", [
      `  File "${SITE}/ray/train/_internal/backend_executor.py", line 254, in _create_placement_group`,
      "    raise TimeoutError(",
    ]), "timeout", "Ray Train's backend_executor.py (find_string hits 27092243342, 6142866167; the older wording in 53381204)"],
    [pyTrace([
      "ray.exceptions.ActorDiedError: The actor died unexpectedly before finishing this task.",
      "\tclass_name: create_colocated_worker_cls.<locals>.WorkerDict",
      "\tactor_id: 8f2a9c1d7b4e4c5d9e7f0a1b01000000",
      "\tpid: 48213",
      "\tnamespace: 3f2a9c1d-7b4e-4c5d-9e7f-0a1b2c3d4e5f",
      "\tip: 10.0.0.12",
      "The actor is dead because its worker process has died. Worker exit type: SYSTEM_ERROR Worker exit detail: Worker unexpectedly exits with a connection error code 2. End of file. There are some potential root causes. (1) The process is killed by SIGKILL by OOM killer due to high memory usage. (2) ray stop --force is called. (3) The worker is crashed unexpectedly due to SIGSEGV or other unexpected errors.",
    ], [
      `  File "${SITE}/ray/_private/worker.py", line 2667, in get`,
      "    raise value",
    ]), "process_killed", "Ray's ActorDiedError in a verl-style colocated worker (ray/exceptions.py; rule killed_ray_worker_vanished)"],
    [pyTrace("RuntimeError: NCCL error: unhandled cuda error (run with NCCL_DEBUG=INFO for details)", [
      `  File "${SITE}/vllm/distributed/device_communicators/pynccl_wrapper.py", line 287, in NCCL_CHECK`,
      "    raise RuntimeError(f\"NCCL error: {error_str}\")",
    ]), "nccl_error", "vLLM's own NCCL binding (vllm/distributed/device_communicators/pynccl_wrapper.py NCCL_CHECK with ncclGetErrorString; not looked up), as RL trainers syncing weights into vLLM hit it"],
    [pyTrace([
      "ray.exceptions.RayTaskError(OutOfMemoryError): ray::WorkerDict.actor_rollout_generate_sequences() (pid=48213, ip=10.0.0.12, actor_id=8f2a9c1d7b4e4c5d9e7f0a1b01000000, repr=<verl.single_controller.ray.base.WorkerDict object at 0x7f3c2a1b4740>)",
      `  File "${SITE}/verl/workers/rollout/vllm_rollout/vllm_rollout_spmd.py", line 288, in generate_sequences`,
      "    outputs = self.inference_engine.generate(",
      TORCH_OOM,
    ], [
      `  File "${SITE}/ray/_private/worker.py", line 2667, in get`,
      "    raise value.as_instanceof_cause()",
    ]), "cuda_oom", "Ray re-raising a verl rollout worker's CUDA OOM (ray/exceptions.py RayTaskError(<cause>); the second round's Ray rows)"],
    [[
      ...PROGRESS,
      "[2024-05-02 10:11:12 TP0] Scheduler hit an exception: Traceback (most recent call last):",
      `  File "${SITE}/sglang/srt/managers/scheduler.py", line 2310, in run_scheduler_process`,
      "    scheduler.event_loop_overlap()",
      "RuntimeError: CUDA error: an illegal memory access was encountered",
      "CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.",
      "For debugging consider passing CUDA_LAUNCH_BLOCKING=1.",
      "",
      "[2024-05-02 10:11:12] Received sigquit from a child process. It usually means the child failed.",
      "Killed",
      "",
    ].join("\n"), "cuda_error", "SGLang's scheduler process dying, then the server's SIGQUIT handler (sglang/srt/managers/scheduler.py, entrypoints/engine.py; the strings in find_string hit 71538899930; corpus: 3 entries hold `Scheduler hit an exception`)"],
    [pyTrace("RuntimeError: Cannot re-initialize CUDA in forked subprocess. To use CUDA with multiprocessing, you must use the 'spawn' start method", [
      `  File "${SITE}/vllm/worker/worker.py", line 182, in init_device`,
      "    torch.cuda.set_device(self.device)",
      `  File "${SITE}/torch/cuda/__init__.py", line 300, in _lazy_init`,
      "    raise RuntimeError(",
    ]), "python_exception", "torch/cuda/__init__.py _lazy_init in a vLLM worker forked after the trainer touched CUDA (not looked up): a usage error, no CUDA error"],
    [pyTrace("ValueError: Bfloat16 is only supported on GPUs with compute capability of at least 8.0. Your Tesla V100-SXM2-32GB GPU has compute capability 7.0. You can use float16 instead by explicitly setting the`dtype` flag in CLI, for example: --dtype=half."), "python_exception", "vllm/config.py _check_valid_dtype (find_string hits 124706674, 34224317296, 19391104323)"],
    [pyTrace("RuntimeError: Worker failed with error 'CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.02 GiB is free. Including non-PyTorch memory, this process has 78.12 GiB memory in use.', please check the stack trace above for the root cause", [
      `  File "${SITE}/vllm/v1/executor/multiproc_executor.py", line 243, in collective_rpc`,
      "    raise RuntimeError(",
    ]), "cuda_oom", "vLLM V1's multiproc executor re-raising a worker's error (the `Worker failed with error '...'` form in find_string hit 56920250746; its ending is not shown there)"],
    [[
      ...PROGRESS,
      "(raylet) [2024-05-02 10:11:12,345 E 48213 48240] (raylet) node_manager.cc:3064: 1 Workers (tasks / actors) killed due to memory pressure (OOM), 0 Workers crashed due to other reasons at node (ID: 8f2a9c1d7b4e, IP: 10.0.0.12) over the last time period.",
      "2024-05-02 10:12:12,345\tWARNING worker.py:2058 -- The node with node id: 3f2a9c1d7b4e4c5d9e7f0a1b and address: 10.0.0.13 and node name: 10.0.0.13 has been marked dead because the detector has missed too many heartbeats from it. This can happen when a \t(1) raylet crashes unexpectedly (OOM, etc.) ",
      "\t(2) raylet has lagging heartbeats due to slow network or busy workload.",
      "",
    ].join("\n"), "process_killed", "Ray's raylet killing a worker under memory pressure, then the GCS marking a node dead (corpus: ray memory monitor and `marked dead` conventions; the kill explains the lost heartbeats)"],
    [pyTrace("AssertionError: Error in memory profiling. Initial free memory 58.23 GiB, current free memory 59.34 GiB. This happens when other processes sharing the same container release GPU memory while vLLM is profiling during init.", [
      `  File "${SITE}/vllm/v1/worker/gpu_worker.py", line 265, in determine_available_memory`,
      "    assert self.init_snapshot.free_memory > free_gpu_memory, (",
    ]), "python_exception", "vLLM V1's profiling check when a colocated trainer frees memory during it (vllm/v1/worker/gpu_worker.py, find_string hits 56340132760, 57553763272: `not an OOM`)"],
    [pyTrace([
      "ray.exceptions.RayTaskError(DistBackendError): ray::WorkerDict.actor_rollout_update_actor() (pid=48213, ip=10.0.0.12, actor_id=8f2a9c1d7b4e4c5d9e7f0a1b01000000, repr=<verl.single_controller.ray.base.WorkerDict object at 0x7f3c2a1b4740>)",
      "torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1970, unhandled system error (run with NCCL_DEBUG=INFO for details), NCCL version 2.20.5",
      "ncclSystemError: System call (e.g. socket, malloc) or external library call failed or device error. ",
      "Last error:",
      "socketStartConnect: Connect to 10.0.0.13<45123> failed : Software caused connection abort",
    ], [
      `  File "${SITE}/ray/_private/worker.py", line 2667, in get`,
      "    raise value.as_instanceof_cause()",
    ]), "nccl_error", "Ray re-raising a verl worker's NCCL failure (RayTaskError(<cause>) with torch's C10D_NCCL_CHECK text)"],
  ],

  "5. diffusion training and its wrappers (diffusers, kohya sd-scripts, the SD web UI), fine-tuning wrappers": [
    [pyTrace("OSError: Unable to load weights from checkpoint file for '/models/sd15/unet/diffusion_pytorch_model.safetensors' at '/models/sd15/unet/diffusion_pytorch_model.safetensors'. ", [
      `  File "${SITE}/diffusers/models/model_loading_utils.py", line 170, in load_state_dict`,
      "    raise OSError(",
    ]), "checkpoint_corrupt", "diffusers/models/model_loading_utils.py load_state_dict (not looked up; corpus: 2 checkpoint_corrupt hold `diffusion_pytorch_model`)"],
    [pyTrace("OSError: Error no file named diffusion_pytorch_model.bin found in directory /models/sd15/unet.", [
      `  File "${SITE}/diffusers/models/modeling_utils.py", line 730, in from_pretrained`,
      "    model_file = _get_model_file(",
    ]), "python_exception", "diffusers/utils/hub_utils.py _get_model_file (not looked up): a folder without the weights, a wrong path"],
    [pyTrace("RuntimeError: NaN detected in latents: /data/train/img/10_person/0042.png", [
      `  File "/workspace/sd-scripts/library/train_util.py", line 2460, in cache_batch_latents`,
      "    raise RuntimeError(f\"NaN detected in latents: {info.absolute_path}\")",
    ]), "nan_loss", "kohya sd-scripts' latent cache check, older versions (library/train_util.py; find_string hit 35028022762 lists the RuntimeError; corpus: 1 nan_loss holds `NaN detected in latents`): the fp16 VAE produced NaN"],
    [pyTrace("modules.devices.NansException: A tensor with all NaNs was produced in Unet. This could be either because there's not enough precision to represent the picture, or because your video card does not support half type. Try setting the \"Upcast cross attention layer to float32\" option in Settings > Stable Diffusion or using the --no-half commandline argument to fix this. Use --disable-nan-check commandline argument to disable this check.", [
      `  File "/workspace/stable-diffusion-webui/modules/devices.py", line 255, in test_for_nans`,
      "    raise NansException(message)",
    ]), "nan_loss", "the SD web UI's NaN check (modules/devices.py test_for_nans, find_string hits 20637875771, 5818300144, 30222482154)"],
    [pyTrace("ImportError: cannot import name 'cached_download' from 'huggingface_hub' (/usr/local/lib/python3.10/dist-packages/huggingface_hub/__init__.py)", [
      `  File "${SITE}/diffusers/utils/dynamic_modules_utils.py", line 28, in <module>`,
      "    from huggingface_hub import cached_download, hf_hub_download, model_info",
    ]), "import_error", "an old diffusers against huggingface_hub 0.26+, which removed cached_download (CPython's import system; not looked up)"],
  ],

  "near misses: the same words in healthy LLM training runs": [
    [healthy(["Some weights of LlamaForSequenceClassification were not initialized from the model checkpoint at meta-llama/Llama-2-7b-hf and are newly initialized: ['score.weight']", "You should probably TRAIN this model on a down-stream task to be able to use it for predictions and inference."]), "none", "transformers/modeling_utils.py's load report (not looked up)"],
    [healthy(["There were missing keys in the checkpoint model loaded: ['lm_head.weight']."]), "none", "transformers/trainer.py _issue_warnings_after_load on a resume with tied weights (not looked up)"],
    [healthy(["huggingface/tokenizers: The current process just got forked, after parallelism has already been used. Disabling parallelism to avoid deadlocks...", "To disable this warning, you can either:", "\t- Avoid using `tokenizers` before the fork if possible", "\t- Explicitly set the environment variable TOKENIZERS_PARALLELISM=(true | false)"]), "none", "tokenizers' fork warning (bindings/python/src/lib.rs; not looked up)"],
    [healthy(["Token indices sequence length is longer than the specified maximum sequence length for this model (1153 > 1024). Running this sequence through the model will result in indexing errors"]), "none", "transformers/tokenization_utils_base.py's length warning (not looked up)"],
    [healthy(["Using the latest cached version of the dataset since allenai/c4 couldn't be found on the Hugging Face Hub (offline mode is enabled)."]), "none", "datasets/load.py in offline mode with the data cached (not looked up)"],
    [healthy([
      dsRecord("WARNING", "stage3.py:2069:step", "3 pytorch allocator cache flushes since last step. this happens when there is high memory pressure and is detrimental to performance. if this is happening frequently consider adjusting settings to reduce memory consumption. If you are unable to make the cache flushes go away consider adding get_accelerator().empty_cache() calls in your training loop to ensure that all ranks flush their caches at the same time"),
    ]), "none", "DeepSpeed ZeRO-3's allocator-flush warning (deepspeed/runtime/zero/stage3.py; not looked up)"],
    [healthy([
      " [WARNING]  async_io requires the dev libaio .so object and headers but these were not found.",
      " [WARNING]  async_io: please install the libaio-dev package with apt",
      " [WARNING]  If libaio is already installed (perhaps from source), try setting the CFLAGS and LDFLAGS environment variables to where it can be found.",
      " [WARNING]  Please specify the CUTLASS repo directory as environment variable $CUTLASS_PATH",
      " [WARNING]  sparse_attn requires a torch version >= 1.5 and < 2.0 but detected 2.3",
    ]), "none", "DeepSpeed's op-compatibility report at import (deepspeed/ops/op_builder/*.py; not looked up): ops the run does not use"],
    [healthy([
      "Using /root/.cache/torch_extensions/py310_cu121 as PyTorch extensions root...",
      "Detected CUDA files, patching ldflags",
      "Emitting ninja build file /root/.cache/torch_extensions/py310_cu121/fused_adam/build.ninja...",
      "Building extension module fused_adam...",
      "Allowing ninja to set a default number of workers... (overridable by setting the environment variable MAX_JOBS=N)",
      "ninja: no work to do.",
      "Loading extension module fused_adam...",
      "Time to load fused_adam op: 0.0512 seconds",
    ]), "none", "DeepSpeed's JIT op load that succeeds (torch/utils/cpp_extension.py)"],
    [healthy([
      dsRecord("INFO", "loss_scaler.py:190:update_scale", "[deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 65536, reducing to 32768"),
      dsRecord("INFO", "loss_scaler.py:190:update_scale", "[deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 32768, reducing to 16384"),
    ]), "none", "DeepSpeed's loss scaler finding its level at the start of fp16 training (corpus: 11 none hold `OVERFLOW!`)"],
    [[
      megatronIter(10, "lm loss: 1.092310E+01 | loss scale: 32768.0 | grad norm: 41.281 | number of skipped iterations:   3 | number of nan iterations:   0 |"),
      megatronIter(20, "lm loss: 9.412300E+00 | loss scale: 32768.0 | grad norm: 12.118 | number of skipped iterations:   0 | number of nan iterations:   0 |"),
      megatronIter(30, "lm loss: 8.771200E+00 | loss scale: 32768.0 | grad norm: 6.204 | number of skipped iterations:   0 | number of nan iterations:   0 |"),
      "",
    ].join("\n"), "none", "Megatron-LM's fp16 warm-up: skipped iterations while the loss scale settles, then finite losses (corpus: 6 none hold `skipped iterations`)"],
    [healthy(["Warning: NaN or Inf found in input tensor."]), "none", "tensorboardX's check (x2num.py) during AMP warm-up (third round: healthy)"],
    [healthy(["`use_cache=True` is incompatible with gradient checkpointing. Setting `use_cache=False`.", "You are attempting to use Flash Attention 2.0 with a model not initialized on GPU. Make sure to move the model to GPU after initializing it on CPU with `model.to('cuda')`."]), "none", "transformers' start-up warnings (not looked up)"],
    [healthy([
      "WARNING[XFORMERS]: xFormers can't load C++/CUDA extensions. xFormers was built for:",
      "    PyTorch 2.1.0+cu121 with CUDA 1201 (you have 2.2.0+cu121)",
      "    Python  3.10.13 (you have 3.10.13)",
      "  Please reinstall xformers (see https://github.com/facebookresearch/xformers#installing-xformers)",
      "  Memory-efficient attention, SwiGLU, sparse and more won't be available.",
      "  Set XFORMERS_MORE_DETAILS=1 for more details",
    ]), "none", "xformers/_cpp_lib.py's warning (not looked up): diffusers falls back to torch's attention"],
    [healthy([
      `${SITE}/bitsandbytes/cextension.py:34: UserWarning: The installed version of bitsandbytes was compiled without GPU support. 8-bit optimizers, 8-bit multiplication, and GPU quantization are unavailable.`,
      '  warn("The installed version of bitsandbytes was compiled without GPU support. "',
    ]), "none", "bitsandbytes' import warning in a run that does not quantize (find_string hits 69733643878, 7101697984)"],
    [healthy([
      "W0502 10:11:12.345000 48213 torch/_dynamo/convert_frame.py:844] [0/8] torch._dynamo hit config.cache_size_limit (8)",
      "W0502 10:11:12.345000 48213 torch/_dynamo/convert_frame.py:844] [0/8]    function: 'forward' (/workspace/model.py:88)",
      "W0502 10:11:12.345000 48213 torch/_dynamo/convert_frame.py:844] [0/8]    last reason: 0/0: tensor 'L['x']' size mismatch at index 1. expected 512, actual 1024",
      'W0502 10:11:12.345000 48213 torch/_dynamo/convert_frame.py:844] [0/8] To log all recompilation reasons, use TORCH_LOGS="recompiles".',
    ]), "none", "Dynamo's recompile limit warning (torch/_dynamo/convert_frame.py; not looked up): the frame falls back to eager"],
    [healthy([
      vllmRecord("EngineCore_0", "INFO", "gpu_worker.py:227", "Available KV cache memory: 31.25 GiB"),
      vllmRecord("EngineCore_0", "INFO", "kv_cache_utils.py:716", "GPU KV cache size: 511,984 tokens"),
      "WARNING 05-02 10:11:30 scheduler.py:1560 Sequence group 12 is preempted by PreemptionMode.RECOMPUTE mode because there is not enough KV cache space. This can affect the end-to-end performance. Increase gpu_memory_utilization or tensor_parallel_size to provide more KV cache memory. total_num_cumulative_preemption=1",
    ]), "none", "vLLM's KV cache report and its preemption warning (vllm/core/scheduler.py; not looked up): generation goes on"],
    [healthy([dsRecord("WARNING", "engine.py:1690:_configure_basic_optimizer", "FusedAdam CUDA build failed (Error building extension 'fused_adam': [1/3] c++ -MMD -MF fused_adam_frontend.o.d -DTORCH_EXTENSION_NAME=fused_adam -DTORCH_API_INCLUDE_EXTENSION_H), falling back to torch.optim.AdamW")]), "none", "a DeepSpeed build that logs the failed JIT build and falls back to torch's AdamW (the record in find_string hit 64157137289; its tail after the command is not shown there, this row's ending is a stand-in): the same words as the fatal RuntimeError, not at an exception's start"],
    [healthy(["Installed CUDA version 12.6 does not match the version torch was compiled with 12.4 but since the APIs are compatible, accepting this combination", "Using /root/.cache/torch_extensions/py310_cu124 as PyTorch extensions root...", "ninja: no work to do.", "Time to load cpu_adam op: 2.592151403427124 seconds"]), "none", "DeepSpeed's op builder accepting a minor CUDA mismatch (find_string hits 16079656415, 1147875555, 257990852)"],
    [healthy(["bitsandbytes library load error: Configured CUDA binary not found at /usr/local/lib/python3.12/dist-packages/bitsandbytes/libbitsandbytes_cuda130.so"]), "none", "bitsandbytes 0.45+ logging its missing CUDA binary and going on without it in a bf16 run that never quantizes (find_string hits 54880086242, 61125570005: `a harmless warning ... Training ... proceeds normally`)"],
    [healthy(["(autoscaler +1m2s) Warning: The following resource request cannot be scheduled right now: {'GPU': 1.0, 'CPU': 1.0}. This is likely due to all cluster resources being claimed by actors. Consider creating fewer actors or adding more nodes to this Ray cluster."]), "none", "Ray's autoscaler warning while a placement group waits (ray/autoscaler; not looked up)"],
    [healthy([
      "The following values were not passed to `accelerate launch` and had defaults used instead:",
      "\t`--num_processes` was set to a value of `2`",
      "\t`--num_machines` was set to a value of `1`",
      "\t`--mixed_precision` was set to a value of `'no'`",
      "\t`--dynamo_backend` was set to a value of `'no'`",
      "To avoid this warning pass in values for each of the problematic parameters or run `accelerate config`.",
    ]), "none", "accelerate/commands/launch.py's defaults notice (not looked up)"],
    [healthy(["[rank0]:[W502 10:11:12.345678000 ProcessGroupNCCL.cpp:4115] [PG ID 0 PG GUID 0 Rank 0]  using GPU 0 to perform barrier as devices used by this process are currently unknown. This can potentially cause a hang if this rank to GPU mapping is incorrect. Specify device_ids in barrier() to force use of a particular device, or call init_process_group() with a device_id."]), "none", "torch's barrier warning under accelerate's wait_for_everyone (torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp; not looked up)"],
    [healthy(["Could not estimate the number of tokens of the input, floating-point operations will not be computed", "`Trainer.fit` stopped: `max_epochs=3` reached."]), "none", "transformers' floating_point_ops notice and Lightning's normal end (not looked up)"],
    [healthy([`${SITE}/huggingface_hub/file_download.py:712: UserWarning: Not enough free disk space to download the file. The expected file size is: 4976.70 MB. The target location /root/.cache/huggingface/hub/models--meta-llama--Llama-2-7b-hf/blobs only has 4012.31 MB free disk space.`, "  warnings.warn("]), "none", "huggingface_hub's free-space check before a download that then fits (file_download.py _check_disk_space; not looked up; corpus: 1 disk_full holds it before a failure)"],
    [healthy([`${SITE}/torch/optim/lr_scheduler.py:139: UserWarning: Detected call of \`lr_scheduler.step()\` before \`optimizer.step()\`. In PyTorch 1.1.0 and later, you should call them in the opposite order: \`optimizer.step()\` before \`lr_scheduler.step()\`.  Failure to do this will result in PyTorch skipping the first value of the learning rate schedule. See more details at https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate`, "  warnings.warn(\"Detected call of `lr_scheduler.step()` before `optimizer.step()`. \""]), "none", "torch's scheduler warning after an AMP step skipped for overflow (torch/optim/lr_scheduler.py; not looked up)"],
    [healthy(["WARNING: could not find the metadata file /checkpoints/gpt3/latest_checkpointed_iteration.txt ", "    will not load any checkpoints and will start from random"]), "none", "Megatron-LM's checkpoint loader on a first run (megatron/training/checkpointing.py; not looked up)"],
    [healthy(["[2024-05-02 10:11:12 TP0] Load weight end. type=LlamaForCausalLM, dtype=torch.bfloat16, avail mem=62.35 GB, mem usage=14.99 GB.", "[2024-05-02 10:11:13 TP0] KV Cache is allocated. #tokens: 400000, K size: 24.41 GB, V size: 24.41 GB", "[2024-05-02 10:11:20 TP0] Capture cuda graph end. Time elapsed: 6.12 s. mem usage=1.02 GB. avail mem=11.29 GB."]), "none", "SGLang's start-up memory report (sglang/srt/model_executor; not looked up)"],
    [healthy(["Server is not up yet. Retrying in 2.0 seconds...", "Server is not up yet. Retrying in 2.0 seconds...", "Server is up!"]), "none", "TRL's vllm_client waiting for its server, which comes up (trl/extras/vllm_client.py; the retry log in find_string hits 66027295599, 35149683318)"],
    [healthy(["NaN detected in latents: /data/train/img/10_person/0042.npz", "NaN detected in latents: /data/train/img/10_person/0043.npz"]), "none", "kohya sd-scripts' later latent cache, which replaces the NaN with zeros and goes on (library/train_util.py load_latents_from_disk, find_string hits 15910092891, 15030866282)"],
    [healthy(["A tensor with all NaNs was produced in VAE, try converting to bf16."]), "none", "the SD web UI rolling its VAE back to bf16 and retrying (modules/processing.py with --rollback-vae, find_string hit 41690661147)"],
    [healthy(["Detected kernel version 4.15.0, which is below the recommended minimum of 5.5.0; this can cause the process to hang. It is recommended to upgrade the kernel to the minimum version or higher."]), "none", "accelerate's kernel-version warning (accelerate/utils/other.py check_os_kernel; not looked up)"],
    [healthy(["[rank0]:[W502 10:11:12.345678000 reducer.cpp:1400] Warning: find_unused_parameters=True was specified in DDP constructor, but did not find any unused parameters in the forward pass. This flag results in an extra traversal of the autograd graph every iteration,  which can adversely affect performance. If your model indeed never has any unused parameters in the forward pass, consider turning this flag off. Note that this warning may be a false positive if your model has flow control causing later iterations to have unused parameters. (function operator())"]), "none", "torch's DDP reducer warning (not looked up)"],
    [healthy(["trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622", "Setting `pad_token_id` to `eos_token_id`:2 for open-end generation."]), "none", "peft's parameter count and transformers' generation notice (not looked up)"],
  ],
};

testDictionary("crash rules dictionary, third round: error texts of the LLM training stack", FAMILIES, primaryOf);
