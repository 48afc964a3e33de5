/**
 * Crash rules by enumeration from the sources, seventh round (issue 10; docs/crash-accuracy.md, items 820-): saving,
 * loading and resuming state across the stacks (torch.save / torch.load in the zip and legacy formats, `weights_only`,
 * `map_location`, `load_state_dict`; safetensors and the Hugging Face hub; the HF Trainer's, accelerate's and
 * Lightning's resume; torch.distributed.checkpoint, FSDP state dicts, DeepSpeed and its `zero_to_fp32`, Megatron's
 * tracker file; TensorFlow / Keras checkpoints), each in the line shape it is printed in, inside a short traceback or
 * log tail, with the category the corpus's conventions give it:
 * - checkpoint_corrupt: the saved file (or the saved set of files) is damaged, cut, empty or not what was written (a
 *   git-lfs pointer or an HTML page in place of the weights, a save that a rank or a kill left incomplete);
 * - python_exception: the file is sound but does not fit (a model of another shape, keys missing on purpose, a wrong
 *   path, the wrong loader or format, a torch too old for the file, `weights_only` refusing a pickled class, a CUDA
 *   device tag on a CPU-only host);
 * - disk_full: the write failed for space; host_oom / cuda_oom: loading or gathering ran out of memory;
 *   process_killed: killed while saving; import_error: the pickle names a module that is not importable;
 * - none: healthy saves and resumes and their warnings (`Some weights ... were not used`, `missing keys` with
 *   strict=False, a resume that logs `Loading model from ...` and goes on).
 *
 * Sources: `recorded here` is output of a real process on the development machine, recorded by
 * test/fixtures/crash/recorded/checkpoints.py (Debian bookworm's system Python 3.11 with torch 1.13 and numpy 1.24)
 * and kept in test/fixtures/crash/recorded/checkpoints/ (paths renamed to /workspace and /ckpt); an issue URL is a
 * public thread quoting the text in a real log; `find_string hit N` is a public repository file the search tool does
 * not name, cited by its hit id; `corpus: ...` is a studied corpus entry holding the text with its label; a row marked
 * `not looked up` quotes a text as known from the project's sources without a look-up this round.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner } from "./helpers/crash-families.js";
import { PROGRESS, childFailedReport, healthy, pyTrace, testDictionary, type Row } from "./helpers/crash-dictionary.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-dictionary-ckpt-");

// ---------------------------------------------------------------------------------------------------------------
// Line shapes.

const RECORDED = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "crash", "recorded", "checkpoints");

/** A recorded process's output (without the recorder's `[exit status N]` line) after a training run's progress. */
function recorded(name: string, before: string[] = []): string {
  const out = fs.readFileSync(path.join(RECORDED, `${name}.txt`), "utf8").replace(/\[exit status -?\d+\]\n$/, "");
  return [...PROGRESS, ...before, out.trimEnd(), ""].join("\n");
}

const SITE = "/usr/local/lib/python3.10/dist-packages";

/** torch.load's frames down to the zip reader (torch 2.x). */
const TORCH_LOAD = [
  '  File "/workspace/train.py", line 98, in load_checkpoint',
  "    ckpt = torch.load(path, map_location=\"cpu\")",
  `  File "${SITE}/torch/serialization.py", line 1360, in load`,
  "    return _load(",
];

/** The HF Trainer resuming (transformers/trainer.py). */
const TRAINER_RESUME = [
  '  File "/workspace/train.py", line 260, in main',
  "    trainer.train(resume_from_checkpoint=args.resume_from_checkpoint)",
  `  File "${SITE}/transformers/trainer.py", line 1938, in train`,
  "    return inner_training_loop(",
  `  File "${SITE}/transformers/trainer.py", line 2121, in _inner_training_loop`,
];

/** accelerate's `load_state` (accelerate/accelerator.py, checkpointing.py). */
const ACCELERATE_LOAD = [
  '  File "/workspace/train.py", line 301, in main',
  "    accelerator.load_state(args.resume_from_checkpoint)",
  `  File "${SITE}/accelerate/accelerator.py", line 3086, in load_state`,
  "    override_attributes = load_accelerator_state(",
  `  File "${SITE}/accelerate/checkpointing.py", line 251, in load_accelerator_state`,
];

/** Lightning's `Trainer.fit(ckpt_path=...)` restoring a checkpoint (lightning/pytorch/trainer/connectors). */
const LIGHTNING_RESTORE = [
  '  File "/workspace/train.py", line 77, in main',
  "    trainer.fit(model, datamodule=dm, ckpt_path=args.resume)",
  `  File "${SITE}/lightning/pytorch/trainer/trainer.py", line 981, in _run`,
  "    self._checkpoint_connector._restore_modules_and_callbacks(ckpt_path)",
  `  File "${SITE}/lightning/pytorch/trainer/connectors/checkpoint_connector.py", line 398, in _restore_modules_and_callbacks`,
  "    self.resume_start(checkpoint_path)",
  `  File "${SITE}/lightning/pytorch/trainer/connectors/checkpoint_connector.py", line 82, in resume_start`,
  "    loaded_checkpoint = self.trainer.strategy.load_checkpoint(checkpoint_path)",
  `  File "${SITE}/lightning/fabric/utilities/cloud_io.py", line 57, in _load`,
  "    return torch.load(",
];

/** Lightning's ModelCheckpoint writing (lightning/fabric/plugins/io/torch_io.py). */
const LIGHTNING_SAVE = [
  `  File "${SITE}/lightning/pytorch/callbacks/model_checkpoint.py", line 383, in _save_checkpoint`,
  "    trainer.save_checkpoint(filepath, self.save_weights_only)",
  `  File "${SITE}/lightning/fabric/plugins/io/torch_io.py", line 58, in save_checkpoint`,
  "    _atomic_save(checkpoint, path)",
  `  File "${SITE}/lightning/fabric/utilities/cloud_io.py", line 89, in _atomic_save`,
  "    torch.save(checkpoint, bytesbuffer)",
];

/** torch.distributed.checkpoint's load (torch 2.4+), through torchtitan's checkpointer. */
const DCP_LOAD = [
  `  File "/workspace/torchtitan/components/checkpoint.py", line 512, in load`,
  "    dcp.load(states, checkpoint_id=checkpoint_id)",
  `  File "${SITE}/torch/distributed/checkpoint/state_dict_loader.py", line 175, in load`,
  "    _load_state_dict(",
  `  File "${SITE}/torch/distributed/checkpoint/state_dict_loader.py", line 233, in _load_state_dict`,
  "    central_plan: LoadPlan = distW.reduce_scatter(\"plan\", local_step, global_step)",
  `  File "${SITE}/torch/distributed/checkpoint/utils.py", line 191, in reduce_scatter`,
  "    raise result",
];

/** DeepSpeed's log record (deepspeed/utils/logging.py). */
function dsRecord(level: "INFO" | "WARNING", where: string, text: string): string {
  return `[2024-05-02 10:11:12,345] [${level}] [${where}] ${text}`;
}

/** torchrun's report of a rank killed by SIGKILL (the elastic agent's table). */
function torchrunKilled(before: string[]): string {
  return [...PROGRESS, ...before,
    "WARNING:torch.distributed.elastic.multiprocessing.api:Sending process 48215 closing signal SIGTERM",
    ...childFailedReport({
      exitcode: -9, pid: 48214, rank: 0,
      frames: ['  File "/usr/local/bin/torchrun", line 8, in <module>', "    sys.exit(main())",
        `  File "${SITE}/torch/distributed/launcher/api.py", line 263, in launch_agent`],
      traceback: "Signal 9 (SIGKILL) received by PID 48214",
    }), ""].join("\n");
}

const WEIGHTS_ONLY_26 = [
  "_pickle.UnpicklingError: Weights only load failed. This file can still be loaded, to do so you have two options, do those steps only if you trust the source of the checkpoint. ",
  "\t(1) In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will likely succeed, but it can result in arbitrary code execution. Do it only if you got the file from a trusted source.",
  "\t(2) Alternatively, to load with `weights_only=True` please check the recommended steps in the following error message.",
];

// ---------------------------------------------------------------------------------------------------------------
// The dictionary.

const families: Record<string, Row[]> = {
  "1. torch.save and torch.load: writing, reading, fitting the model": [
    [recorded("save_enospc"), "disk_full", "recorded here: torch.save (zip format) to a full 64 KiB tmpfs: `file write failed`, then `unexpected pos` and terminate's abort from the writer's destructor"],
    [recorded("save_legacy_enospc"), "disk_full", "recorded here: torch.save(_use_new_zipfile_serialization=False) to a full tmpfs: `write(): fd 3 failed with No space left on device`"],
    [recorded("save_missing_dir"), "python_exception", "recorded here: torch.save into a folder that is not there (`Parent directory ... does not exist.`): a wrong path"],
    [recorded("load_truncated_zip"), "checkpoint_corrupt", "recorded here: a zip-format checkpoint cut in half"],
    [recorded("load_truncated_legacy"), "checkpoint_corrupt", "recorded here: a legacy-format checkpoint cut in half (`unexpected EOF, expected N more bytes`)"],
    [recorded("load_empty"), "checkpoint_corrupt", "recorded here: an empty checkpoint file (`EOFError: Ran out of input` in _legacy_load)"],
    [recorded("load_lfs_pointer"), "checkpoint_corrupt", "recorded here: a git-lfs pointer in place of pytorch_model.bin (`invalid load key, 'v'.`)"],
    [recorded("load_lfs_pointer_weights_only"), "checkpoint_corrupt", "recorded here: the same pointer under weights_only=True (`Unsupported operand 118`: the bytes are not a pickle)"],
    [recorded("load_html"), "checkpoint_corrupt", "recorded here: an HTML error page saved as resnet50.pth (`invalid load key, '<'.`)"],
    [recorded("load_after_killed_save"), "checkpoint_corrupt", "recorded here: the next run loading what a killed save left (the first 4 KiB of the archive)"],
    [recorded("load_weights_only_namespace"), "python_exception", "recorded here: torch 1.13's weights_only=True refusing a pickled argparse.Namespace (`Unsupported class`): the file is sound"],
    [pyTrace([...WEIGHTS_ONLY_26,
      "\tWeightsUnpickler error: Unsupported global: GLOBAL numpy._core.multiarray.scalar was not an allowed global by default. Please use `torch.serialization.add_safe_globals([numpy._core.multiarray.scalar])` or the `torch.serialization.safe_globals([numpy._core.multiarray.scalar])` context manager to allowlist this global if you trust this class/function.",
      "",
      "Check the documentation of torch.load to learn more about types accepted by default with weights_only https://pytorch.org/docs/stable/generated/torch.load.html.",
    ], [...TORCH_LOAD.slice(0, 3), "    raise pickle.UnpicklingError(_get_wo_message(str(e))) from None"]), "python_exception", "torch 2.6's _get_wo_message (find_string hits 65924857877, 71651628305; corpus: 2 python_exception hold `Weights only load failed`)"],
    [[...PROGRESS,
      "[rank1]: Traceback (most recent call last):",
      '[rank1]:   File "/workspace/sample_ddp.py", line 88, in main',
      "[rank1]:     state_dict = find_model(ckpt_path)",
      `[rank1]:   File "${SITE}/torch/serialization.py", line 1529, in load`,
      "[rank1]:     raise pickle.UnpicklingError(_get_wo_message(str(e))) from None",
      ...WEIGHTS_ONLY_26.map((l) => `[rank1]: ${l}`),
      "[rank1]: \tWeightsUnpickler error: Unsupported global: GLOBAL argparse.Namespace was not an allowed global by default. Please use `torch.serialization.add_safe_globals([argparse.Namespace])` or the `torch.serialization.safe_globals([argparse.Namespace])` context manager to allowlist this global if you trust this class/function.",
      ""].join("\n"), "python_exception", "the same under torchrun's rank prefix (find_string hit 8376515449: a DiT checkpoint holding its argparse arguments)"],
    [recorded("load_cuda_tagged"), "python_exception", "recorded here: a checkpoint whose storages are tagged cuda:0 loaded without map_location on a CPU-only host"],
    [pyTrace("RuntimeError: Attempting to deserialize object on CUDA device 3 but torch.cuda.device_count() is 1. Please use torch.load with map_location to map your storages to an existing device.", TORCH_LOAD), "python_exception", "torch/serialization.py validate_cuda_device (read_file, pytorch/pytorch): saved on GPU 3 of a larger host"],
    [recorded("jit_load_of_torch_save"), "python_exception", "recorded here: torch.jit.load of a torch.save'd state dict (`failed locating file constants.pkl`): the wrong loader, the file is sound"],
    [pyTrace("RuntimeError: PytorchStreamReader failed locating file constants.pkl: file not found", [
      '  File "/workspace/export.py", line 31, in main',
      "    model = torch.jit.load(args.weights, map_location=\"cpu\")",
      `  File "${SITE}/torch/jit/_serialization.py", line 163, in load`,
      "    cpp_module = torch._C.import_ir_module(cu, os.fspath(f), map_location, _extra_files, _restore_shapes)  # type: ignore[call-arg]",
    ]), "python_exception", "the same in torch 2.x's frames (torch/jit/_serialization.py; not looked up)"],
    [pyTrace("RuntimeError: mmap can only be used with files saved with `torch.save(_use_new_zipfile_serialization=True), please torch.save your checkpoint with this option in order to use mmap.", TORCH_LOAD), "python_exception", "torch/serialization.py load(mmap=True) of a legacy-format file (not looked up): the format, not the file"],
    [pyTrace("RuntimeError: version_ <= kMaxSupportedFileFormatVersion INTERNAL ASSERT FAILED at \"../caffe2/serialize/inline_container.cc\":145, please report a bug to PyTorch. Attempted to read a PyTorch file with version 10, but the maximum supported version for reading is 6. Your PyTorch installation may be too old.", TORCH_LOAD), "python_exception", "caffe2/serialize/inline_container.cc PyTorchStreamReader::init (not looked up): a file written by a newer torch"],
    [pyTrace("RuntimeError: /ckpt/model_best.pth is a zip archive (did you mean to use torch.jit.load()?)", TORCH_LOAD), "python_exception", "torch < 1.6's serialization.py on a file torch >= 1.6 wrote (not looked up): a torch too old for the file"],
    [recorded("load_state_dict_strict"), "python_exception", "recorded here: load_state_dict of another model's state dict (missing, unexpected keys and size mismatches; corpus: 14 python_exception hold `Error(s) in loading state_dict`)"],
    [recorded("load_host_oom"), "host_oom", "recorded here: torch.load of a 256 MiB tensor under a 300 MiB address-space limit (DefaultCPUAllocator)"],
    [recorded("save_killed", ["epoch 3 step 3000: saving checkpoint to /ckpt/checkpoint-3000.pt"]), "process_killed", "recorded here: a save killed by SIGKILL part-way, as bash reports it (`line 1: PID Killed`)"],
    [torchrunKilled(["Saving model checkpoint to /output/checkpoint-3000", "Configuration saved in /output/checkpoint-3000/config.json"]), "process_killed", "torchrun's table for a rank killed by SIGKILL while the Trainer saved (the host's OOM killer during a checkpoint write; torch/distributed/elastic, as the main dictionary's rows)"],
    [pyTrace("AttributeError: Can't get attribute 'Net' on <module '__main__' from '/workspace/eval.py'>", [...TORCH_LOAD, `  File "${SITE}/torch/serialization.py", line 1848, in find_class`, "    return super().find_class(mod_name, name)"]), "python_exception", "CPython's pickle find_class on a whole pickled model loaded where its class is not defined (not looked up)"],
    [pyTrace("ModuleNotFoundError: No module named 'models'", [...TORCH_LOAD, `  File "${SITE}/torch/serialization.py", line 1848, in find_class`, "    return super().find_class(mod_name, name)"]), "import_error", "a pickled YOLOv5 model needing its repository's `models` package (corpus: 1 import_error holds `No module named 'models'`)"],
    [pyTrace("AttributeError: Can't pickle local object 'build_model.<locals>.<lambda>'", [
      '  File "/workspace/train.py", line 230, in save_checkpoint',
      "    torch.save(model, path)",
      `  File "${SITE}/torch/serialization.py", line 965, in save`,
      "    _save(",
    ]), "python_exception", "CPython's pickle saving a whole model holding a lambda (not looked up)"],
    [pyTrace("RuntimeError: [enforce fail at inline_container.cc:603] . unexpected pos 4617088 vs 4616978", [
      '  File "/workspace/train.py", line 230, in save_checkpoint',
      "    torch.save(state, path)",
      `  File "${SITE}/torch/serialization.py", line 964, in save`,
      "    with _open_zipfile_writer(f) as opened_zipfile:",
      `  File "${SITE}/torch/serialization.py", line 798, in __exit__`,
      "    self.file_like.write_end_of_file()",
    ]), "disk_full", "torch 2.x's zip writer finding fewer bytes written than it wrote (corpus: 5 disk_full hold `unexpected pos`)"],
    [pyTrace("RuntimeError: [enforce fail at inline_container.cc:222] . file not found: archive/constants.pkl", [
      '  File "/workspace/demo.py", line 19, in <module>',
      "    model = torch.jit.load(\"weights/best.pt\")",
      `  File "${SITE}/torch/jit/_serialization.py", line 161, in load`,
      "    cpp_module = torch._C.import_ir_module(cu, f, map_location, _extra_files)",
    ]), "python_exception", "torch 1.4-1.5's wording of the same wrong loader (inline_container.cc's enforce; not looked up)"],
    [pyTrace('RuntimeError: invalid hash value (expected "0676ba61", got "5c1d3b9e4f7a20d8e6b1c9f3a2d4e8b7c6a5f0e1d2c3b4a59687f8e9d0c1b2a3")', [
      '  File "/workspace/train.py", line 61, in build_model',
      "    backbone = torchvision.models.resnet50(weights=ResNet50_Weights.IMAGENET1K_V2)",
      `  File "${SITE}/torch/hub.py", line 766, in load_state_dict_from_url`,
      "    download_url_to_file(url, cached_file, hash_prefix, progress=progress)",
      `  File "${SITE}/torch/hub.py", line 663, in download_url_to_file`,
      "    raise RuntimeError(f'invalid hash value (expected \"{hash_prefix}\", got \"{digest}\")')",
    ]), "checkpoint_corrupt", "torch/hub.py download_url_to_file (find_string hits 12610129278, 40783583160): pretrained weights whose download does not match its hash, cut or damaged"],
    [pyTrace("PermissionError: [Errno 13] Permission denied: '/ckpt/shared/last.pt'", [
      '  File "/workspace/train.py", line 230, in save_checkpoint',
      "    torch.save(state, path)",
      `  File "${SITE}/torch/serialization.py", line 651, in save`,
      "    with _open_file_like(f, 'wb') as opened_file:",
    ]), "python_exception", "CPython's open() under torch.save's legacy writer (not looked up): a folder the run may not write"],
    [pyTrace("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 23.64 GiB of which 1.12 GiB is free. Including non-PyTorch memory, this process has 22.50 GiB memory in use. Of the allocated memory 21.87 GiB is allocated by PyTorch, and 184.21 MiB is reserved by PyTorch but unallocated.", [...TORCH_LOAD,
      `  File "${SITE}/torch/serialization.py", line 601, in _cuda_deserialize`,
      "    return obj.cuda(device)",
    ]), "cuda_oom", "torch.load without map_location restoring every storage onto the GPU the run already filled (serialization.py _cuda_deserialize, as read_file shows it)"],
    [pyTrace("ValueError: Object arrays cannot be loaded when allow_pickle=False", [
      '  File "/workspace/train.py", line 52, in load_pretrained',
      "    weights = np.load(args.weights)",
      `  File "${SITE}/numpy/lib/npyio.py", line 432, in load`,
      "    return format.read_array(fid, allow_pickle=allow_pickle,",
    ]), "python_exception", "numpy/lib/format.py read_array (not looked up): pickled weights refused by numpy >= 1.16.3's default, the file is sound"],
    [recorded("load_weights_only_protocol4"), "python_exception", "recorded here: torch 1.13's weights_only=True on a sound state dict saved with pickle_protocol=4 (`Unsupported operand 149`: the FRAME opcode, which that unpickler lacks)"],
    [pyTrace([
      "_pickle.UnpicklingError: Weights only load failed. Re-running `torch.load` with `weights_only` set to `False` will likely succeed, but it can result in arbitrary code execution.Do it only if you get the file from a trusted source. WeightsUnpickler error: Unsupported operand 149",
    ], [
      `  File "${SITE}/transformers/modeling_utils.py", line 530, in load_state_dict`,
      "    return torch.load(checkpoint_file, map_location=\"cpu\", weights_only=True)",
      `  File "${SITE}/torch/serialization.py", line 1025, in load`,
      "    raise pickle.UnpicklingError(UNSAFE_MESSAGE + str(e)) from None",
    ]), "python_exception", "the same under transformers' load_state_dict (find_string hit 7035995074, a real log quoted in a repository)"],
    [pyTrace([
      "_pickle.UnpicklingError: Weights only load failed. This file can still be loaded, to do so you have two options, do those steps only if you trust the source of the checkpoint. ",
      "\t(1) Re-running `torch.load` with `weights_only` set to `False` will likely succeed, but it can result in arbitrary code execution. Do it only if you got the file from a trusted source.",
      "\t(2) Alternatively, to load with `weights_only=True` please check the recommended steps in the following error message.",
      "\tWeightsUnpickler error: Unsupported operand 73",
    ], TORCH_LOAD), "checkpoint_corrupt", "a 29-byte `Invalid username or password.` page saved in place of a .ckpt (find_string hit 71516861924: operand 73 is its `I`)"],
    [recorded("optimizer_load_mismatch"), "python_exception", "recorded here: an optimizer's state for another number of parameter groups (torch/optim/optimizer.py)"],
    [recorded("optimizer_load_group_size"), "python_exception", "recorded here: an optimizer's state whose group holds other parameters"],
    [pyTrace("ValueError: unsupported pickle protocol: 5", [...TORCH_LOAD.slice(0, 2), `  File "/usr/lib/python3.7/site-packages/torch/serialization.py", line 774, in _legacy_load`, "    magic_number = pickle_module.load(f, **pickle_load_args)"]), "python_exception", "CPython's Modules/_pickle.c (not looked up): a file pickled by Python >= 3.8 with protocol 5, read by Python 3.7"],
    [pyTrace("UnicodeDecodeError: 'ascii' codec can't decode byte 0xbe in position 2: ordinal not in range(128)", [
      '  File "/workspace/train.py", line 52, in load_pretrained',
      "    state = pickle.load(f)",
    ]), "python_exception", "CPython's unpickler on a Python 2 pickle without `encoding='latin1'` (not looked up): sound, read with the wrong options"],
    [pyTrace([
      "RuntimeError: Error(s) in loading state_dict for ResNet:",
      '\tMissing key(s) in state_dict: "conv1.weight", "bn1.weight", "bn1.bias". ',
      '\tUnexpected key(s) in state_dict: "module.conv1.weight", "module.bn1.weight", "module.bn1.bias". ',
    ], ['  File "/workspace/eval.py", line 40, in main', "    model.load_state_dict(torch.load(args.ckpt, map_location=\"cpu\"))"]), "python_exception", "torch/nn/modules/module.py on a DistributedDataParallel state dict (`module.` prefixes; the recorded strict row's wording)"],
  ],

  "2. safetensors, the hub and from_pretrained": [
    [pyTrace('safetensors_rust.SafetensorError: Error while serializing: IoError(Os { code: 28, kind: StorageFull, message: "No space left on device" })', [
      `  File "${SITE}/transformers/modeling_utils.py", line 2804, in save_pretrained`,
      "    safe_save_file(shard, os.path.join(save_directory, shard_file), metadata={\"format\": \"pt\"})",
      `  File "${SITE}/safetensors/torch.py", line 286, in save_file`,
      "    serialize_file(_flatten(tensors), filename, metadata=metadata)",
    ]), "disk_full", "safetensors' Rust writer with std::io::Error's Debug form (not looked up)"],
    [pyTrace('safetensors_rust.SafetensorError: Error while serializing: IoError(Os { code: 122, kind: FilesystemQuotaExceeded, message: "Disk quota exceeded" })', [
      `  File "${SITE}/safetensors/torch.py", line 286, in save_file`,
      "    serialize_file(_flatten(tensors), filename, metadata=metadata)",
    ]), "disk_full", "the same writer over a quota (std::io::ErrorKind::FilesystemQuotaExceeded; not looked up)"],
    [pyTrace("safetensors_rust.SafetensorError: Error while deserializing header: invalid JSON in header: EOF while parsing a value at line 1 column 0", [
      `  File "${SITE}/safetensors/torch.py", line 313, in load_file`,
      "    with safe_open(filename, framework=\"pt\", device=device) as f:",
    ]), "checkpoint_corrupt", "safetensors >= 0.4.4's header error wording (the main dictionary's item 203 left it unconfirmed): a file whose header is cut"],
    [pyTrace([
      "RuntimeError: ",
      "            Some tensors share memory, this will lead to duplicate memory on disk and potential differences when loading them again: [{'lm_head.weight', 'model.embed_tokens.weight'}].",
      "            A potential way to correctly save your model is to use `save_model`.",
      "            More information at https://huggingface.co/docs/safetensors/torch_shared_tensors",
      "            ",
    ], [
      `  File "${SITE}/safetensors/torch.py", line 284, in save_file`,
      "    serialize_file(_flatten(tensors), filename, metadata=metadata)",
      `  File "${SITE}/safetensors/torch.py", line 488, in _flatten`,
      "    raise RuntimeError(",
    ]), "python_exception", "safetensors/torch.py _flatten (not looked up): tied weights saved with save_file; nothing is written"],
    [pyTrace("safetensors_rust.SafetensorError: File does not contain tensor model.layers.0.mlp.gate_proj.weight", [
      '  File "/workspace/convert.py", line 44, in main',
      "    w = f.get_tensor(name)",
    ]), "python_exception", "safetensors' safe_open.get_tensor (not looked up): a key asked for that the file never held"],
    [pyTrace("OSError: Error no file named pytorch_model.bin, model.safetensors, tf_model.h5, model.ckpt.index or flax_model.msgpack found in directory /output/checkpoint-3000.", [
      `  File "${SITE}/transformers/modeling_utils.py", line 3605, in from_pretrained`,
      "    raise EnvironmentError(",
    ]), "python_exception", "transformers/modeling_utils.py from_pretrained on a folder without weights (not looked up): a wrong path"],
    [pyTrace("OSError: /models/llama-3-8b does not appear to have a file named config.json. Checkout 'https://huggingface.co//models/llama-3-8b/tree/None' for available files.", [
      `  File "${SITE}/transformers/utils/hub.py", line 456, in cached_file`,
      "    raise EnvironmentError(",
    ]), "python_exception", "transformers/utils/hub.py cached_file (not looked up): a wrong path"],
    [pyTrace("OSError: The safetensors archive passed at /models/lora/adapter_model.safetensors does not contain the valid metadata. Make sure you save your model with the `save_pretrained` method.", [
      `  File "${SITE}/transformers/modeling_utils.py", line 503, in load_state_dict`,
      "    raise OSError(",
    ]), "python_exception", "transformers/modeling_utils.py load_state_dict (not looked up): a safetensors file saved without transformers' metadata, sound but another format"],
    [pyTrace([
      "RuntimeError: Error(s) in loading state_dict for BertForSequenceClassification:",
      "\tsize mismatch for classifier.weight: copying a param with shape torch.Size([2, 768]) from checkpoint, the shape in current model is torch.Size([5, 768]).",
      "\tsize mismatch for classifier.bias: copying a param with shape torch.Size([2]) from checkpoint, the shape in current model is torch.Size([5]).",
      "\tYou may consider adding `ignore_mismatched_sizes=True` in the model `from_pretrained` method.",
    ], [
      `  File "${SITE}/transformers/modeling_utils.py", line 4364, in _load_pretrained_model`,
      "    raise RuntimeError(f\"Error(s) in loading state_dict for {model.__class__.__name__}:\\n\\t{error_msg}\")",
    ]), "python_exception", "transformers' _load_pretrained_model (corpus: 2 python_exception hold `ignore_mismatched_sizes`)"],
    [pyTrace("ValueError: The state dictionary of the model you are trying to load is corrupted. Are you sure it was properly saved?", [
      '  File "/workspace/convert.py", line 12, in <module>',
      "    model = RobertaForTokenClassification.from_pretrained(model_name_or_path, return_dict=False)",
      `  File "${SITE}/transformers/modeling_utils.py", line 2881, in from_pretrained`,
      "    ) = cls._load_pretrained_model(",
      `  File "${SITE}/transformers/modeling_utils.py", line 3113, in _load_pretrained_model`,
      "    raise ValueError(",
    ]), "python_exception", "transformers' _load_pretrained_model (find_string hits 30165733943, a real log, and 14062611116, the source): raised when the checkpoint's keys hold a head the base model class has not, whatever the message says; the bytes were read fine"],
    [pyTrace("OSError: Can't load tokenizer for '/output/checkpoint-3000'. If you were trying to load it from 'https://huggingface.co/models', make sure you don't have a local directory with the same name. Otherwise, make sure '/output/checkpoint-3000' is the correct path to a directory containing all relevant files for a LlamaTokenizerFast tokenizer.", [
      `  File "${SITE}/transformers/tokenization_utils_base.py", line 2016, in from_pretrained`,
      "    raise EnvironmentError(",
    ]), "python_exception", "transformers/tokenization_utils_base.py from_pretrained on a checkpoint folder saved without its tokenizer (not looked up): a wrong path"],
    [[...PROGRESS.slice(0, 1),
      "Loading checkpoint shards:  50%|█████     | 2/4 [01:12<01:12, 36.10s/it]",
      "Killed",
      ""].join("\n"), "process_killed", "from_pretrained of a model larger than the host's RAM, killed by the kernel's OOM killer as the shell reports it (corpus: 121 process_killed hold `Killed`)"],
    [pyTrace("OSError: Error no file named pytorch_model.bin found in directory /models/bert-finetuned but there is a file for TensorFlow weights. Use `from_tf=True` to load this model from those weights.", [
      `  File "${SITE}/transformers/modeling_utils.py", line 3605, in from_pretrained`,
      "    raise EnvironmentError(",
    ]), "python_exception", "transformers' from_pretrained on a folder of TensorFlow weights (not looked up): another format"],
    [pyTrace("ValueError: Cannot load <class 'diffusers.models.unets.unet_2d_condition.UNet2DConditionModel'> from /models/sd/unet because the following keys are missing: \n up_blocks.3.attentions.2.proj_out.bias. \n Please make sure to pass `low_cpu_mem_usage=False` and `device_map=None` if you want to randomly initialize those weights or else make sure your checkpoint file is correct.", [
      `  File "${SITE}/diffusers/models/modeling_utils.py", line 817, in from_pretrained`,
      "    raise ValueError(",
    ]), "python_exception", "diffusers' from_pretrained with low_cpu_mem_usage (not looked up): weights of another architecture"],
    [pyTrace('ValueError: Trying to set a tensor of shape torch.Size([32000, 4096]) in "weight" (which has shape torch.Size([32001, 4096])), this looks incorrect.', [
      `  File "${SITE}/accelerate/utils/modeling.py", line 285, in set_module_tensor_to_device`,
      "    raise ValueError(",
    ]), "python_exception", "accelerate's set_module_tensor_to_device under from_pretrained (not looked up): a vocabulary resized after the save"],
  ],

  "3. resuming: the HF Trainer, accelerate, Lightning": [
    [pyTrace([...WEIGHTS_ONLY_26,
      "\tWeightsUnpickler error: Unsupported global: GLOBAL numpy.core.multiarray._reconstruct was not an allowed global by default. Please use `torch.serialization.add_safe_globals([_reconstruct])` or the `torch.serialization.safe_globals([_reconstruct])` context manager to allowlist this global if you trust this class/function.",
    ], [...TRAINER_RESUME, "    self._load_rng_state(resume_from_checkpoint)",
      `  File "${SITE}/transformers/trainer.py", line 3059, in _load_rng_state`,
      "    checkpoint_rng_state = torch.load(rng_file)",
      `  File "${SITE}/torch/serialization.py", line 1470, in load`,
      "    raise pickle.UnpicklingError(_get_wo_message(str(e))) from None",
    ]), "python_exception", "transformers < 4.49 resuming under torch 2.6: rng_state.pth holds numpy arrays (find_string hit 71651628305 for the text; the Trainer's frames not looked up)"],
    [pyTrace("json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)", [...TRAINER_RESUME,
      "    self.state = TrainerState.load_from_json(os.path.join(resume_from_checkpoint, TRAINER_STATE_NAME))",
      `  File "${SITE}/transformers/trainer_callback.py", line 148, in load_from_json`,
      "    return cls(**json.loads(text))",
      "  File \"/usr/lib/python3.10/json/__init__.py\", line 346, in loads",
      "    return _default_decoder.decode(s)",
    ]), "checkpoint_corrupt", "an empty trainer_state.json, a save cut before its state was written (failure.ts's load_from_json reading; issue 10's example)"],
    [pyTrace("RuntimeError: PytorchStreamReader failed reading zip archive: failed finding central directory", [...TRAINER_RESUME,
      "    self._load_optimizer_and_scheduler(resume_from_checkpoint)",
      `  File "${SITE}/transformers/trainer.py", line 3180, in _load_optimizer_and_scheduler`,
      "    torch.load(os.path.join(checkpoint, OPTIMIZER_NAME), map_location=map_location)",
      `  File "${SITE}/torch/serialization.py", line 1326, in load`,
      "    with _open_zipfile_reader(opened_file) as opened_zipfile:",
      `  File "${SITE}/torch/serialization.py", line 671, in __init__`,
      "    super().__init__(torch._C.PyTorchFileReader(name_or_buffer))",
    ]), "checkpoint_corrupt", "a cut optimizer.pt under the Trainer's resume (inline_container.cc, as recorded here)"],
    [pyTrace([...WEIGHTS_ONLY_26,
      "\tWeightsUnpickler error: Unsupported global: GLOBAL deepspeed.runtime.zero.config.ZeroStageEnum was not an allowed global by default. Please use `torch.serialization.add_safe_globals([ZeroStageEnum])` or the `torch.serialization.safe_globals([ZeroStageEnum])` context manager to allowlist this global if you trust this class/function.",
    ], [...ACCELERATE_LOAD, "    states = torch.load(input_dir.joinpath(f\"{RNG_STATE_NAME}_{process_index}.pkl\"))"]), "python_exception", "accelerate's load_state under torch 2.6 (find_string hit 31325675882: open-instruct's note on ZeroStageEnum)"],
    [pyTrace("KeyError: 'Trying to restore optimizer state but checkpoint contains only the model. This is probably due to `ModelCheckpoint.save_weights_only` being set to `True`.'", [...LIGHTNING_RESTORE.slice(0, 4),
      `  File "${SITE}/lightning/pytorch/trainer/connectors/checkpoint_connector.py", line 362, in restore_optimizers_and_schedulers`,
      "    raise KeyError(",
    ]), "python_exception", "lightning/pytorch/trainer/connectors/checkpoint_connector.py (find_string hit 306390846): a weights-only checkpoint given to resume, sound"],
    [pyTrace("RuntimeError: PytorchStreamReader failed reading zip archive: failed finding central directory", [...LIGHTNING_RESTORE,
      `  File "${SITE}/torch/serialization.py", line 1326, in load`,
      "    with _open_zipfile_reader(opened_file) as opened_zipfile:",
    ]), "checkpoint_corrupt", "a cut last.ckpt under Lightning's restore (inline_container.cc)"],
    [pyTrace("RuntimeError: [enforce fail at inline_container.cc:778] . PytorchStreamWriter failed writing file data/37: file write failed", LIGHTNING_SAVE), "disk_full", "Lightning's ModelCheckpoint writing on a full disk (the zip writer as recorded here; corpus: 11 disk_full hold `PytorchStreamWriter`)"],
    [pyTrace("lightning.fabric.utilities.exceptions.MisconfigurationException: `ModelCheckpoint(monitor='val_loss')` could not find the monitored key in the returned metrics: ['train_loss', 'epoch', 'step']. HINT: Did you call `log('val_loss', value)` in the `LightningModule`?", [
      `  File "${SITE}/lightning/pytorch/callbacks/model_checkpoint.py", line 298, in on_validation_end`,
      "    self._save_topk_checkpoint(trainer, monitor_candidates)",
    ]), "python_exception", "lightning/pytorch/callbacks/model_checkpoint.py (not looked up): a config error, nothing saved"],
    [pyTrace("ValueError: Inconsistent distributed training configuration: the loaded state_dict contains checkpoint data for 2 ranks, but the current world size is 4. Ensure that you are resuming from a checkpoint with the same distributed setup (number of nodes and devices).", [
      '  File "/workspace/train.py", line 301, in main',
      "    sampler.load_state_dict(ckpt[\"sampler\"])",
    ]), "python_exception", "a resumable distributed sampler's load_state_dict (find_string hits 8898976754, 16538391254): resumed on another world size"],
  ],

  "4. distributed checkpoints: DCP, FSDP, DeepSpeed, Megatron": [
    [pyTrace("RuntimeError: Missing key in checkpoint state_dict: dataloader.dp_rank_0.", DCP_LOAD), "python_exception", "torch/distributed/checkpoint/default_planner.py (find_string hits 56680504827, 65848522807: torchtitan resuming a model-only checkpoint): a key missing on purpose"],
    [pyTrace("RuntimeError: Missing key in checkpoint state_dict: optimizer.state.vision_encoder.pos_embed.step.", DCP_LOAD), "python_exception", "the same for optimizer state never created for frozen parameters (find_string hit 60987284631)"],
    [pyTrace([
      "torch.distributed.checkpoint.api.CheckpointException: CheckpointException ranks:dict_keys([0, 1, 2, 3])",
      "Traceback: (RANK 0)",
      "Traceback (most recent call last):",
      `  File "${SITE}/torch/distributed/checkpoint/utils.py", line 248, in all_reduce`,
      "    local_data = map_fun()",
      `  File "${SITE}/torch/distributed/checkpoint/filesystem.py", line 648, in write_data`,
      "    _write_files_from_queue(",
      "OSError: [Errno 28] No space left on device",
    ], [
      `  File "/workspace/torchtitan/components/checkpoint.py", line 455, in save`,
      "    dcp.save(states, checkpoint_id=checkpoint_id)",
    ]), "disk_full", "torch.distributed.checkpoint's CheckpointException quoting each rank's traceback (torch/distributed/checkpoint/api.py, not looked up): the write failed for space"],
    [pyTrace("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 15.66 GiB. GPU 0 has a total capacity of 79.15 GiB of which 9.03 GiB is free. Process 48213 has 70.11 GiB memory in use. Of the allocated memory 66.94 GiB is allocated by PyTorch, and 1.21 GiB is reserved by PyTorch but unallocated.", [
      '  File "/workspace/train.py", line 233, in save_model',
      "    cpu_state = model.state_dict()",
      `  File "${SITE}/torch/distributed/fsdp/_state_dict_utils.py", line 345, in _full_post_state_dict_hook`,
      "    return _common_unshard_post_state_dict_hook(",
      `  File "${SITE}/torch/distributed/fsdp/_unshard_param_utils.py", line 187, in _unshard_fsdp_state_params`,
      "    _unshard(state, handles, computation_stream, pre_unshard_stream)",
      `  File "${SITE}/torch/distributed/fsdp/_flat_param.py", line 1359, in alloc_unsharded_flat_param`,
      "    _alloc_storage(unsharded_flat_param, flat_param._padded_unflattened_size)",
    ]), "cuda_oom", "FSDP's FULL_STATE_DICT gather allocating the whole flat parameter on one GPU (torch/distributed/fsdp, not looked up)"],
    [torchrunKilled([
      "/usr/local/lib/python3.10/dist-packages/torch/distributed/fsdp/_state_dict_utils.py:773: UserWarning: When using ``NO_SHARD`` for ``ShardingStrategy``, full_state_dict will be returned.",
    ]), "process_killed", "FSDP gathering a full state dict to CPU on every rank (offload_to_cpu without rank0_only) until the OOM killer takes a rank: torchrun's SIGKILL table"],
    [pyTrace("ValueError: Expected 8 of '*_optim_states.pt' under '/output/global_step3000' but found 4 files. Possibly due to an overwrite of an old checkpoint, or a checkpoint didn't get saved by one or more processes.", [
      '  File "/output/zero_to_fp32.py", line 601, in <module>',
      "    convert_zero_checkpoint_to_fp32_state_dict(args.checkpoint_dir,",
      '  File "/output/zero_to_fp32.py", line 211, in parse_optim_states',
      "    raise ValueError(",
    ]), "checkpoint_corrupt", "deepspeed/utils/zero_to_fp32.py parse_optim_states (find_string hits 1100023271, 499175297): a ZeRO checkpoint some ranks did not save, an incomplete checkpoint (as ckpt_incomplete_resume's trainer_state.json)"],
    [pyTrace("FileNotFoundError: can't find *_optim_states.pt files in directory '/output/global_step3000'", [
      '  File "/output/zero_to_fp32.py", line 150, in get_optim_files',
      "    return get_checkpoint_files(checkpoint_dir, \"*_optim_states.pt\")",
    ]), "python_exception", "deepspeed/utils/zero_to_fp32.py get_checkpoint_files (not looked up): pointed at the wrong folder"],
    [pyTrace("AssertionError: The checkpoint being loaded used a DP world size of 8 but the current world size is 4. Automatic adjustment of ZeRO's optimizer state partitioning with a new world size is not currently supported.", [
      `  File "${SITE}/deepspeed/runtime/engine.py", line 2870, in load_checkpoint`,
      "    success = self._load_zero_checkpoint(load_dir, tag, load_optimizer_states=load_optimizer_states)",
      `  File "${SITE}/deepspeed/runtime/zero/stage_1_and_2.py", line 2260, in load_state_dict`,
      "    self._load_legacy_checkpoint(state_dict_list, load_optimizer_states, load_from_fp32_weights)",
    ]), "python_exception", "deepspeed/runtime/zero/stage_1_and_2.py (not looked up): resumed on another world size; the universal checkpoint is the way"],
    [[...PROGRESS,
      "ERROR: Invalid metadata file /ckpt/gpt-1.3b/latest_checkpointed_iteration.txt. Exiting",
      ""].join("\n"), "checkpoint_corrupt", "Megatron's read_metadata on a tracker file that is neither a number nor `release` (find_string hit 6066704326): a save cut while it wrote the tracker, and the run exits"],
    [pyTrace("AssertionError: The checkpoint being loaded used a DP world size of 4 but the current world size is 1. Automatic adjustment of ZeRO's optimizer state partitioning with a new world size is not currently supported.", [
      `  File "${SITE}/accelerate/accelerator.py", line 3086, in load_state`,
      "    model.load_checkpoint(input_dir, ckpt_id, **load_model_func_kwargs)",
      `  File "${SITE}/deepspeed/runtime/engine.py", line 2870, in load_checkpoint`,
      "    success = self._load_zero_checkpoint(load_dir, tag, load_optimizer_states=load_optimizer_states)",
    ]), "python_exception", "the same through accelerate's load_state (find_string hit 56114664639 quotes it from a real run)"],
    [pyTrace("AssertionError: error parsing metadata file /ckpt/gpt-1.3b/latest_checkpointed_iteration.txt", [
      `  File "/workspace/Megatron-LM/megatron/training/checkpointing.py", line 1127, in load_checkpoint`,
      "    iteration, release = read_metadata(tracker_filename)",
      `  File "/workspace/Megatron-LM/megatron/training/checkpointing.py", line 262, in read_metadata`,
      "    assert iteration > 0 or release, 'error parsing metadata file {}'.format(",
    ]), "checkpoint_corrupt", "Megatron's read_metadata on a tracker file holding 0 (find_string hit 6066704326): the tracker was written without its iteration"],
    [pyTrace("ValueError: Expected 8 of 'optimizer_*.pt' under '/output/global_step3000/zero' but found 6 files. Possibly due to an overwrite of an old checkpoint, or a checkpoint didn't get saved by one or more processes.", [
      '  File "/workspace/tools/ds_to_universal.py", line 112, in _merge_zero_shards',
      "    sharded_data_parallel_size, flat_groups = _get_flat_groups(checkpoint_dir)",
    ]), "checkpoint_corrupt", "DeepSpeed's universal-checkpoint tools on the same incomplete save (find_string hit 2487730322)"],
    [pyTrace([
      "torch.distributed.checkpoint.api.CheckpointException: CheckpointException ranks:dict_keys([8, 9, 10, 11, 12, 13, 14, 15])",
      "Traceback (most recent call last): (RANK 8)",
      `  File "${SITE}/torch/distributed/checkpoint/utils.py", line 191, in reduce_scatter`,
      "    local_data = map_fun()",
      `  File "${SITE}/torch/distributed/checkpoint/filesystem.py", line 589, in read_metadata`,
      "    with self.fs.create_stream(path, \"rb\") as metadata_file:",
      "FileNotFoundError: [Errno 2] No such file or directory: '/scratch/run7/checkpoints/checkpoint_4/pytorch_model_fsdp_0/.metadata'",
    ], [
      `  File "${SITE}/accelerate/utils/fsdp_utils.py", line 173, in load_fsdp_model`,
      "    dist_cp.load(",
    ]), "python_exception", "a sharded FSDP state dict saved to a node-local disk, read on the second node (huggingface/accelerate#3010, RobinWu218/SimDINO#24): the files are on the other host, none is damaged"],
    [pyTrace("ValueError: Invalid for universal checkpoint: /output/latest does not exist", [
      `  File "${SITE}/deepspeed/runtime/engine.py", line 2846, in load_checkpoint`,
      "    raise ValueError(f'Invalid for universal checkpoint: {latest_path} does not exist')",
    ]), "python_exception", "deepspeed/runtime/engine.py load_checkpoint with load_universal (find_string hit 23220337326): a wrong folder"],
  ],

  "5. TensorFlow, Keras": [
    [pyTrace([
      "tensorflow.python.framework.errors_impl.NotFoundError: Restoring from checkpoint failed. This is most likely due to a Variable name or other graph key that is missing from the checkpoint. Please ensure that you have not altered the graph expected based on the checkpoint. Original error:",
      "",
      "Key dense_1/kernel not found in checkpoint",
    ], [
      '  File "/workspace/train.py", line 140, in main',
      "    saver.restore(sess, ckpt.model_checkpoint_path)",
    ]), "python_exception", "tensorflow/python/training/saver.py restore (not looked up): a graph that does not fit the checkpoint"],
    [pyTrace("ValueError: Layer count mismatch when loading weights from file. Model expected 12 layers, found 14 saved layers.", [
      '  File "/workspace/train.py", line 88, in main',
      "    model.load_weights(args.weights)",
    ]), "python_exception", "keras/src/legacy/saving/legacy_h5_format.py (not looked up): weights of another model"],
    [pyTrace("tensorflow.python.framework.errors_impl.ResourceExhaustedError: /ckpt/model.ckpt-12000_temp/part-00000-of-00001.data-00000-of-00001.tempstate8214620138216484853; No space left on device", [
      '  File "/workspace/train.py", line 190, in main',
      "    saver.save(sess, os.path.join(args.ckpt_dir, \"model.ckpt\"), global_step=step)",
    ]), "disk_full", "TensorFlow's bundle writer on a full disk (rule disk_full's tempstate pattern)"],
    [[...PROGRESS,
      "2019-03-08 09:34:05.463342: W tensorflow/core/framework/op_kernel.cc:1273] OP_REQUIRES failed at save_restore_v2_ops.cc:184 : Out of range: Read less bytes than requested",
      "Traceback (most recent call last):",
      '  File "run_classifier.py", line 981, in <module>',
      "    tf.app.run()",
      "tensorflow.python.framework.errors_impl.OutOfRangeError: Read less bytes than requested",
      "\t [[node save/RestoreV2 (defined at /usr/local/lib/python3.6/dist-packages/tensorflow/python/framework/ops.py:1748) ]]",
      ""].join("\n"), "checkpoint_corrupt", "TensorFlow's RestoreV2 on a .data shard shorter than its index says (google-research/bert#487, tensorflow/tensorflow#21544: a checkpoint written while the disk ran out): a cut checkpoint"],
    [pyTrace([
      "OutOfRangeError: 2 root error(s) found.",
      "  (0) Out of range: Read less bytes than requested",
      "\t [[{{node save/RestoreV2}}]]",
      "\t [[save/RestoreV2/_451]]",
      "  (1) Out of range: Read less bytes than requested",
      "\t [[{{node save/RestoreV2}}]]",
      "0 successful operations.",
      "0 derived errors ignored.",
    ]), "checkpoint_corrupt", "the same as TF 1.15 prints it in a notebook (deeppavlov/DeepPavlov#1256)"],
    [pyTrace("tensorflow.python.framework.errors_impl.OutOfRangeError: Read less bytes than requested [Op:LoadDataset]", [
      '  File "/workspace/train.py", line 77, in main',
      "    ds = tf.data.experimental.load(args.cache_dir)",
    ]), "python_exception", "tf.data's saved dataset read back (find_string hit 33204726019): a data file, not a checkpoint, by the data round's convention"],
    [pyTrace("tensorflow.python.framework.errors_impl.NotFoundError: Unsuccessful TensorSliceReader constructor: Failed to find any matching files for /ckpt/model.ckpt-12000", [
      '  File "/workspace/train.py", line 140, in main',
      "    saver.restore(sess, args.checkpoint)",
    ]), "python_exception", "TensorFlow's checkpoint reader on a prefix that names no file (not looked up): a wrong path"],
    [pyTrace("ValueError: Checkpoint path should be absolute. Got nodes/InitalModel/Apax/apax_model/best/3193/default", [
      `  File "${SITE}/orbax/checkpoint/checkpoint_manager.py", line 1330, in restore`,
      "    restored = self._checkpointer.restore(restore_directory, args=args)",
    ]), "python_exception", "orbax's path check (apax-hub/apax#465)"],
    [pyTrace("ValueError: File format not supported: filepath=/ckpt/saved_model. Keras 3 only supports V3 `.keras` files and legacy H5 format files (`.h5` extension). Note that the legacy SavedModel format is not supported by `load_model()` in Keras 3. In order to reload a TensorFlow SavedModel as an inference-only layer in Keras 3, use `keras.layers.TFSMLayer(/ckpt/saved_model, call_endpoint='serving_default')` (note that your `call_endpoint` might have a different name).", [
      '  File "/workspace/train.py", line 88, in main',
      "    model = keras.models.load_model(args.model)",
    ]), "python_exception", "keras/src/saving/saving_api.py load_model (not looked up): a format Keras 3 does not read"],
    [pyTrace("KeyError: \"Unable to open object (object 'dense_1' doesn't exist)\"", [
      '  File "/workspace/train.py", line 88, in main',
      "    model.load_weights(args.weights, by_name=False)",
      `  File "${SITE}/h5py/_hl/group.py", line 357, in __getitem__`,
      "    oid = h5o.open(self.id, self._e(name), lapl=self._lapl)",
    ]), "python_exception", "h5py's group lookup under Keras' load_weights (not looked up): weights of another model"],
    [recorded("h5_locked"), "python_exception", "recorded here: h5py opening weights another process holds open for writing (HDF5's file lock, errno 11)"],
    [recorded("h5_create_enospc"), "disk_full", "recorded here: h5py creating a weights file on a full file system (HDF5's `file write failed ... errno = 28`)"],
    [pyTrace("ValueError: Unable to load weights saved in HDF5 format into a subclassed Model which has not created its variables yet. Call the Model first, then load the weights.", [
      '  File "/workspace/train.py", line 88, in main',
      "    new_model.load_weights(\"net.h5\")",
      "  File \"C:\\Users\\Admin\\AppData\\Local\\Programs\\Python\\Python37\\lib\\site-packages\\keras\\engine\\training.py\", line 3023, in load_weights",
      "    \"Unable to load weights saved in HDF5 format into a \"",
    ]), "python_exception", "keras/engine/training.py load_weights (find_string hits 1021326922, the source, and 1594889979, a real log): a subclassed model not built yet, the weights file is sound"],
    [pyTrace("AssertionError: Some objects had attributes which were not restored: <tf.Variable 'dense/kernel:0' shape=(784, 10) dtype=float32>", [
      '  File "/workspace/train.py", line 88, in main',
      "    status.assert_consumed()",
    ]), "python_exception", "tensorflow/python/checkpoint/checkpoint.py assert_consumed (not looked up): a checkpoint of another model"],
    [pyTrace("ValueError: Unknown layer: 'CustomLayer'. Please ensure you are using a `keras.utils.custom_object_scope` and that this object is included in the scope. See https://www.tensorflow.org/guide/keras/save_and_serialize#registering_the_custom_object for details.", [
      '  File "/workspace/train.py", line 88, in main',
      "    model = keras.models.load_model(args.model)",
    ]), "python_exception", "Keras' deserialization of a model with a custom layer (not looked up)"],
  ],

  "6. near misses: healthy saves, loads, resumes and their warnings": [
    [recorded("load_state_dict_nonstrict"), "none", "recorded here: load_state_dict(strict=False) printing its _IncompatibleKeys, and the run goes on"],
    [recorded("load_jit_archive"), "none", "recorded here: torch.load of a TorchScript archive, which it hands to torch.jit.load with a UserWarning"],
    [healthy([
      "Some weights of the model checkpoint at bert-base-uncased were not used when initializing BertForSequenceClassification: ['cls.predictions.bias', 'cls.predictions.transform.dense.weight', 'cls.seq_relationship.weight']",
      "- This IS expected if you are initializing BertForSequenceClassification from the checkpoint of a model trained on another task or with another architecture (e.g. initializing a BertForSequenceClassification model from a BertForPreTraining model).",
      "- This IS NOT expected if you are initializing BertForSequenceClassification from the checkpoint of a model that you expect to be exactly identical (initializing a BertForSequenceClassification model from a BertForSequenceClassification model).",
      "Some weights of BertForSequenceClassification were not initialized from the model checkpoint at bert-base-uncased and are newly initialized: ['classifier.bias', 'classifier.weight']",
      "You should probably TRAIN this model on a down-stream task to be able to use it for predictions and inference.",
    ]), "none", "transformers/modeling_utils.py _load_pretrained_model's warnings (corpus: 7 none hold `were not used when initializing`)"],
    [healthy([
      "Loading checkpoint shards: 100%|██████████| 4/4 [00:05<00:00,  1.31s/it]",
      "Removed shared tensor {'lm_head.weight'} while saving. This should be OK, but check by verifying that you don't receive any warning while reloading",
    ]), "none", "transformers' shard loading bar and save_pretrained's shared-tensor notice (not looked up)"],
    [healthy([
      "Loading model from /output/checkpoint-3000.",
      "There were missing keys in the checkpoint model loaded: ['lm_head.weight'].",
      "***** Running training *****",
      "  Num examples = 120,000",
      "  Continuing training from checkpoint, will skip to saved global_step",
      "  Continuing training from epoch 3",
      "  Continuing training from global step 3000",
      "Didn't find an RNG file, if you are resuming a training that wasn't launched in a distributed fashion, reproducibility is not guaranteed.",
    ]), "none", "transformers/trainer.py's resume logs (not looked up; corpus: 1 none holds `There were missing keys`)"],
    [healthy([
      "INFO:accelerate.accelerator:Loading states from /output/checkpoints/checkpoint_4",
      "INFO:accelerate.checkpointing:All model weights loaded successfully",
      "INFO:accelerate.checkpointing:All optimizer states loaded successfully",
      "INFO:accelerate.checkpointing:All scheduler states loaded successfully",
      "INFO:accelerate.checkpointing:All dataloader sampler states loaded successfully",
      "INFO:accelerate.checkpointing:All random states loaded successfully",
      "INFO:accelerate.accelerator:Loading in 0 custom states",
      "INFO:accelerate.accelerator:Saving current state to /output/checkpoints/checkpoint_5",
      "INFO:accelerate.checkpointing:Model weights saved in /output/checkpoints/checkpoint_5/model.safetensors",
      "INFO:accelerate.checkpointing:Optimizer state saved in /output/checkpoints/checkpoint_5/optimizer.bin",
      "INFO:accelerate.checkpointing:Random states saved in /output/checkpoints/checkpoint_5/random_states_0.pkl",
    ]), "none", "accelerate/checkpointing.py's load and save logs (not looked up)"],
    [healthy([
      "Restoring states from the checkpoint path at /ckpts/last.ckpt",
      "LOCAL_RANK: 0 - CUDA_VISIBLE_DEVICES: [0]",
      "Restored all states from the checkpoint at /ckpts/last.ckpt",
      "/usr/local/lib/python3.10/dist-packages/lightning/pytorch/callbacks/model_checkpoint.py:654: Checkpoint directory /ckpts exists and is not empty.",
      "Epoch 3, global step 4000: 'val_loss' reached 0.41230 (best 0.41230), saving model to '/ckpts/epoch=3-step=4000.ckpt' as top 1",
    ]), "none", "lightning/pytorch/trainer/connectors/checkpoint_connector.py and callbacks/model_checkpoint.py (not looked up)"],
    [healthy([
      dsRecord("WARNING", "engine.py:2785:load_checkpoint", "Unable to find latest file at /output/latest, if trying to load latest checkpoint please ensure this file exists or pass an explicit checkpoint tag when loading a checkpoint."),
    ]), "none", "deepspeed/runtime/engine.py load_checkpoint on a first start (find_string hits 619976390, 23220337326: Megatron-DeepSpeed's tests expect it in a healthy run)"],
    [healthy([
      dsRecord("INFO", "torch_checkpoint_engine.py:27:load", "[Torch] Loading checkpoint from /output/global_step3000/mp_rank_00_model_states.pt..."),
      dsRecord("INFO", "torch_checkpoint_engine.py:29:load", "[Torch] Loaded checkpoint from /output/global_step3000/mp_rank_00_model_states.pt."),
      dsRecord("INFO", "engine.py:3068:_load_zero_checkpoint", "loading 8 zero partition checkpoints for rank 0"),
      dsRecord("WARNING", "engine.py:3001:_get_all_zero_checkpoints", "The following zero checkpoints paths are missing: ['/output/global_step3000/zero_pp_rank_0_mp_rank_00_optim_states.pt']"),
    ]), "none", "DeepSpeed's checkpoint engine and ZeRO loading logs (not looked up; find_string hit 9409742571: the missing-paths warning when only the model is loaded)"],
    [[
      "WARNING: could not find the metadata file /ckpt/gpt-1.3b/latest_checkpointed_iteration.txt ",
      "    will not load any checkpoints and will start from random",
      " iteration      100/  500000 | consumed samples:       102400 | elapsed time per iteration (ms): 1234.5 | learning rate: 2.999E-04 | global batch size:  1024 | lm loss: 7.112E+00 | loss scale: 1.0 | grad norm: 1.873 |",
      " saving checkpoint at iteration     1000 to /ckpt/gpt-1.3b",
      "  successfully saved checkpoint at iteration     1000 to /ckpt/gpt-1.3b",
      " iteration     1100/  500000 | consumed samples:      1126400 | elapsed time per iteration (ms): 1233.9 | learning rate: 2.999E-04 | global batch size:  1024 | lm loss: 3.412E+00 | loss scale: 1.0 | grad norm: 0.873 |",
      ""].join("\n"), "none", "Megatron-LM's checkpointing.py on a first start and a save (find_string hits 15850586001, 68835628461)"],
    [healthy([
      " loading checkpoint from /ckpt/gpt-1.3b at iteration 5000",
      "  successfully loaded checkpoint from /ckpt/gpt-1.3b [ t 0, p 0 ] at iteration 5000",
    ]), "none", "Megatron-LM's load_checkpoint (not looked up)"],
    [healthy([
      `${SITE}/torch/distributed/fsdp/fully_sharded_data_parallel.py:690: FutureWarning: FSDP.state_dict_type() and FSDP.set_state_dict_type() are being deprecated. Please use APIs, get_state_dict() and set_state_dict(), which can support different parallelisms, FSDP1, FSDP2, DDP. API doc: https://pytorch.org/docs/stable/distributed.checkpoint.html#torch.distributed.checkpoint.state_dict.get_state_dict .Tutorial: https://pytorch.org/tutorials/recipes/distributed_checkpoint_recipe.html .`,
      "  warnings.warn(",
    ]), "none", "torch/distributed/fsdp's deprecation warning at every save (not looked up)"],
    [healthy([
      "WARNING:tensorflow:Detecting that an object or model or tf.train.Checkpoint is being deleted with unrestored values. See the following logs for the specific values in question. To silence these warnings, use `status.expect_partial()`. See https://www.tensorflow.org/api_docs/python/tf/train/Checkpoint#restorefor details about the status object returned by the restore function.",
      "WARNING:tensorflow:Value in checkpoint could not be found in the restored object: (root).optimizer.iter",
    ]), "none", "TensorFlow's checkpoint restore of a partial object (not looked up)"],
    [healthy([
      `${SITE}/torch/serialization.py:1113: SourceChangeWarning: source code of class 'torch.nn.modules.conv.Conv2d' has changed. you can retrieve the original source code by accessing the object's source attribute or set \`torch.nn.Module.dump_patches = True\` and use the patch tool to revert the changes.`,
      "  warnings.warn(msg, SourceChangeWarning)",
    ]), "none", "torch/serialization.py's legacy loader of a whole pickled model (not looked up)"],
    [healthy([
      `${SITE}/lightning/pytorch/trainer/connectors/checkpoint_connector.py:186: .fit(ckpt_path="last") is set, but there is no last checkpoint available. No checkpoint will be loaded. HINT: Set \`ModelCheckpoint(..., save_last=True)\`.`,
      "INFO:pytorch_lightning.utilities.migration.utils:Lightning automatically upgraded your loaded checkpoint from v1.5.4 to v2.5.0.post0. To apply the upgrade to your files permanently, run `python -m pytorch_lightning.utilities.upgrade_checkpoint ../usr/local/lib/python3.10/dist-packages/whisperx/assets/pytorch_model.bin`",
    ]), "none", "Lightning's first start with ckpt_path=\"last\" (find_string hits 1444932399, 15028276946) and its checkpoint upgrade notice (hits 663155792, 6647476467)"],
    [healthy([
      `${SITE}/sklearn/base.py:376: InconsistentVersionWarning: Trying to unpickle estimator StandardScaler from version 1.2.2 when using version 1.3.0. This might lead to breaking code or invalid results. Use at your own risk. For more info please refer to:`,
      "https://scikit-learn.org/stable/model_persistence.html#security-maintainability-limitations",
    ]), "none", "scikit-learn's unpickling version warning for a saved preprocessing step (not looked up)"],
    [healthy([
      "Loads checkpoint by local backend from path: checkpoints/faster_rcnn_r50_fpn_1x_coco_20200130-047c8118.pth",
      "The model and loaded state dict do not match exactly",
      "",
      "unexpected key in source state_dict: fc.weight, fc.bias",
      "",
      "missing keys in source state_dict: neck.lateral_convs.0.conv.weight, neck.lateral_convs.0.conv.bias",
      "",
    ]), "none", "mmcv/mmengine load_checkpoint(strict=False) (find_string hits 7839108396, the source, and 12553379227, a real log)"],
    [healthy([
      "[09/02 02:36:58 d2.checkpoint.c2_model_loading]: Following weights matched with model:",
      "Skip loading parameter 'roi_heads.box_predictor.cls_score.weight' to the model due to incompatible shapes: (81, 1024) in the checkpoint but (2, 1024) in the model! You might want to double check if this is expected.",
      "Skip loading parameter 'roi_heads.box_predictor.cls_score.bias' to the model due to incompatible shapes: (81,) in the checkpoint but (2,) in the model! You might want to double check if this is expected.",
      "WARNING [09/02 02:36:58 fvcore.common.checkpoint]: Some model parameters or buffers are not found in the checkpoint:",
      "roi_heads.box_predictor.cls_score.{bias, weight}",
    ]), "none", "fvcore's checkpointer fine-tuning detectron2 on new classes (find_string hits 45685881766, 46721747147)"],
    [healthy([
      "Unexpected keys (bn2.bias, bn2.num_batches_tracked, bn2.running_mean, bn2.running_var, bn2.weight, conv_head.weight) found while loading pretrained weights. This may be expected if model is being adapted.",
      "Transferred 349/355 items from yolov5s.pt",
      "Loading adapter weights from /output/checkpoint-5350/ led to unexpected keys not found in the model:  ['classifier.dense.bias', 'classifier.dense.weight']. ",
      "WARNING:absl:Skipping variable loading for optimizer 'Adam', because it has 1 variables whereas the saved optimizer has 9 variables. ",
      "WARNING:tensorflow:A checkpoint was restored (e.g. tf.train.Checkpoint.restore or tf.keras.Model.load_weights) but not all checkpointed values were used. See above for specific issues. Use expect_partial() on the load status object, e.g. tf.train.Checkpoint.restore(...).expect_partial(), to silence these warnings, or use assert_consumed() to make the check explicit. See https://www.tensorflow.org/guide/checkpoint#loading_mechanics for details.",
    ]), "none", "timm's pretrained loader (find_string hits 15205935, 42536726548), PEFT's adapter loading (hit 13347511769), YOLOv5's transfer count, Keras' optimizer and TensorFlow's partial restore (not looked up)"],
  ],
};

testDictionary("crash rules by enumeration: saving, loading and resuming state", families, primaryOf);
