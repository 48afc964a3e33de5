/**
 * Builders for real checkpoint files: safetensors files, zip archives laid out like torch.save output,
 * whole checkpoint-N folders and training directories. Used by tests and by examples/make-checkpoints.ts.
 * Everything is deterministic (fixed seeds and timestamps) so generated examples do not churn in git.
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

// ---------- safetensors ----------

export type Dtype = "F32" | "F16" | "BF16" | "I64" | "I32" | "U8" | "BOOL" | "F64";
const DTYPE_BYTES: Record<Dtype, number> = { F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, U8: 1, BOOL: 1, F64: 8 };

export interface TensorSpec {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Raw bytes; default: deterministic pseudo-random bytes of the right length. */
  data?: Uint8Array;
}

/** Deterministic pseudo-random bytes (mulberry32), so generated files are stable across runs. */
export function seededBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let a = seed >>> 0;
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

/** A valid safetensors file: length prefix, space-padded JSON header (as the reference writer pads), data. */
export function safetensorsBytes(tensors: TensorSpec[], metadata?: Record<string, string>, seed = 1): Uint8Array {
  // No prototype: a tensor named "__proto__" must become a key, not the object's prototype.
  const header: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (metadata) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  tensors.forEach((t, i) => {
    const n = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
    const data = t.data ?? seededBytes(n, seed * 1000 + i);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + data.length] };
    chunks.push(data);
    offset += data.length;
  });
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const headerBytes = Buffer.from(json, "utf8");
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes.length));
  return Buffer.concat([prefix, headerBytes, ...chunks]);
}

/** A safetensors file whose header is the given object verbatim (for malformed-header tests). */
export function rawSafetensorsBytes(header: unknown, dataBytes: number): Uint8Array {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([prefix, json, Buffer.alloc(dataBytes)]);
}

// ---------- zip ----------

export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

export interface ZipOptions {
  /** Write ZIP64 records and extra fields even though the sizes would fit 32 bits. */
  zip64?: boolean;
  /** Archive comment (after the end record). */
  comment?: string;
  /** Align each entry's data to this many bytes with padding in the local extra field, as torch.save does (64). */
  alignBytes?: number;
}

// 2024-01-01 12:00:00 in DOS format: fixed so archives are byte-for-byte reproducible.
const DOS_TIME = (12 << 11) | (0 << 5) | 0;
const DOS_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1;

/** A stored (uncompressed) zip archive, readable by `unzip -t`, Python's zipfile and torch.load. */
export function zipBytes(entries: ZipEntry[], opts: ZipOptions = {}): Uint8Array {
  const z64 = opts.zip64 ?? false;
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, "utf8");
    const crc = zlib.crc32(e.data);
    const size = e.data.length;
    const localExtra: Uint8Array[] = [];
    if (z64) {
      const x = Buffer.alloc(20);
      x.writeUInt16LE(0x0001, 0);
      x.writeUInt16LE(16, 2);
      x.writeBigUInt64LE(BigInt(size), 4);
      x.writeBigUInt64LE(BigInt(size), 12);
      localExtra.push(x);
    }
    let extraLen = localExtra.reduce((a, b) => a + b.length, 0);
    if (opts.alignBytes) {
      const dataStart = offset + 30 + name.length + extraLen;
      const pad = (opts.alignBytes - ((dataStart + 4) % opts.alignBytes)) % opts.alignBytes;
      const x = Buffer.alloc(4 + pad, "Z");
      x.writeUInt16LE(0x4246, 0); // "FB": torch's padding field
      x.writeUInt16LE(pad, 2);
      localExtra.push(x);
      extraLen += x.length;
    }
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(z64 ? 45 : 20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(0, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(z64 ? 0xffffffff : size, 18);
    local.writeUInt32LE(z64 ? 0xffffffff : size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extraLen, 28);
    parts.push(local, name, ...localExtra, e.data);

    const cextra = Buffer.alloc(z64 ? 28 : 0);
    if (z64) {
      cextra.writeUInt16LE(0x0001, 0);
      cextra.writeUInt16LE(24, 2);
      cextra.writeBigUInt64LE(BigInt(size), 4);
      cextra.writeBigUInt64LE(BigInt(size), 12);
      cextra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(z64 ? 45 : 20, 4);
    c.writeUInt16LE(z64 ? 45 : 20, 6);
    c.writeUInt16LE(0, 8);
    c.writeUInt16LE(0, 10);
    c.writeUInt16LE(DOS_TIME, 12);
    c.writeUInt16LE(DOS_DATE, 14);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(z64 ? 0xffffffff : size, 20);
    c.writeUInt32LE(z64 ? 0xffffffff : size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt16LE(cextra.length, 30);
    c.writeUInt16LE(0, 32);
    c.writeUInt16LE(0, 34);
    c.writeUInt16LE(0, 36);
    c.writeUInt32LE(0, 38);
    c.writeUInt32LE(z64 ? 0xffffffff : offset, 42);
    central.push(c, name, cextra);
    offset += 30 + name.length + extraLen + size;
  }
  const cdOffset = offset;
  const cdBytes = central.reduce((a, b) => a + b.length, 0);
  const tail: Uint8Array[] = [];
  if (z64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeUInt32LE(0, 16);
    rec.writeUInt32LE(0, 20);
    rec.writeBigUInt64LE(BigInt(entries.length), 24);
    rec.writeBigUInt64LE(BigInt(entries.length), 32);
    rec.writeBigUInt64LE(BigInt(cdBytes), 40);
    rec.writeBigUInt64LE(BigInt(cdOffset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeUInt32LE(0, 4);
    loc.writeBigUInt64LE(BigInt(cdOffset + cdBytes), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(rec, loc);
  }
  const comment = Buffer.from(opts.comment ?? "", "utf8");
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(z64 ? 0xffff : entries.length, 8);
  end.writeUInt16LE(z64 ? 0xffff : entries.length, 10);
  end.writeUInt32LE(z64 ? 0xffffffff : cdBytes, 12);
  end.writeUInt32LE(z64 ? 0xffffffff : cdOffset, 16);
  end.writeUInt16LE(comment.length, 20);
  return Buffer.concat([...parts, ...central, ...tail, end, comment]);
}

// ---------- pickle + torch.save layout ----------

export type PickleValue = null | boolean | number | string | PickleValue[] | { [k: string]: PickleValue };

/** Pickle protocol 2 bytes for plain JSON-like values (what torch.save puts in data.pkl, minus tensors). */
export function pickleBytes(value: PickleValue): Uint8Array {
  const out: number[] = [0x80, 0x02];
  const push = (b: Uint8Array | number[]) => {
    for (const x of b) out.push(x);
  };
  const emit = (v: PickleValue): void => {
    if (v === null) out.push(0x4e); // N
    else if (v === true) out.push(0x88);
    else if (v === false) out.push(0x89);
    else if (typeof v === "number") {
      if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) {
        const b = Buffer.alloc(5);
        b[0] = 0x4a; // J: BININT
        b.writeInt32LE(v, 1);
        push(b);
      } else {
        const b = Buffer.alloc(9);
        b[0] = 0x47; // G: BINFLOAT (big-endian)
        b.writeDoubleBE(v, 1);
        push(b);
      }
    } else if (typeof v === "string") {
      const s = Buffer.from(v, "utf8");
      const b = Buffer.alloc(5);
      b[0] = 0x58; // X: BINUNICODE
      b.writeUInt32LE(s.length, 1);
      push(b);
      push(s);
    } else if (Array.isArray(v)) {
      out.push(0x5d); // ]
      if (v.length) {
        out.push(0x28); // (
        v.forEach(emit);
        out.push(0x65); // e: APPENDS
      }
    } else {
      out.push(0x7d); // }
      const keys = Object.keys(v);
      if (keys.length) {
        out.push(0x28);
        for (const k of keys) {
          emit(k);
          emit(v[k]!);
        }
        out.push(0x75); // u: SETITEMS
      }
    }
  };
  emit(value);
  out.push(0x2e); // .
  return Uint8Array.from(out);
}

/** A zip archive laid out like torch.save output: archive/data.pkl, archive/data/N storages, archive/version. */
export function torchSaveBytes(value: PickleValue, storages: Uint8Array[] = [], opts: ZipOptions = {}): Uint8Array {
  const entries: ZipEntry[] = [
    { name: "archive/data.pkl", data: pickleBytes(value) },
    { name: "archive/.format_version", data: Buffer.from("1") },
    { name: "archive/.storage_alignment", data: Buffer.from("64") },
    { name: "archive/byteorder", data: Buffer.from("little") },
    ...storages.map((data, i) => ({ name: `archive/data/${i}`, data })),
    { name: "archive/version", data: Buffer.from("3\n") },
    { name: "archive/.data/serialization_id", data: Buffer.from("1234567890123456789012345678901234567890".slice(0, 40)) },
  ];
  return zipBytes(entries, { alignBytes: 64, ...opts });
}

// ---------- checkpoints ----------

export type CheckpointKind = "full" | "lora";

export interface CheckpointSpec {
  step: number;
  kind?: CheckpointKind;
  /** Folder name; default checkpoint-<step>. */
  name?: string;
  /** global_step written to trainer_state.json; default `step`. */
  globalStep?: number;
  /** Split the full model into this many shards with model.safetensors.index.json. */
  shards?: number;
  /** Files to leave out (e.g. "optimizer.pt"). */
  omit?: string[];
  /** Files to cut to this many bytes after writing (a save interrupted mid-write). */
  truncate?: Record<string, number>;
  /** Extra or replacement files, written last. */
  files?: Record<string, string | Uint8Array>;
  baseModel?: string;
  /** Learning rate recorded in scheduler/optimizer state (cosmetic). */
  learningRate?: number;
}

const HIDDEN = 8;
const VOCAB = 32;

function fullModelTensors(): TensorSpec[] {
  return [
    { name: "model.embed_tokens.weight", dtype: "BF16", shape: [VOCAB, HIDDEN] },
    { name: "model.layers.0.input_layernorm.weight", dtype: "BF16", shape: [HIDDEN] },
    { name: "model.layers.0.self_attn.q_proj.weight", dtype: "BF16", shape: [HIDDEN, HIDDEN] },
    { name: "model.layers.0.self_attn.k_proj.weight", dtype: "BF16", shape: [HIDDEN / 2, HIDDEN] },
    { name: "model.layers.0.self_attn.v_proj.weight", dtype: "BF16", shape: [HIDDEN / 2, HIDDEN] },
    { name: "model.layers.0.self_attn.o_proj.weight", dtype: "BF16", shape: [HIDDEN, HIDDEN] },
    { name: "model.layers.0.mlp.gate_proj.weight", dtype: "BF16", shape: [2 * HIDDEN, HIDDEN] },
    { name: "model.layers.0.mlp.down_proj.weight", dtype: "BF16", shape: [HIDDEN, 2 * HIDDEN] },
    { name: "model.norm.weight", dtype: "BF16", shape: [HIDDEN] },
    { name: "lm_head.weight", dtype: "BF16", shape: [VOCAB, HIDDEN] },
  ];
}

function loraTensors(): TensorSpec[] {
  const out: TensorSpec[] = [];
  for (const m of ["q_proj", "v_proj"]) {
    out.push({ name: `base_model.model.model.layers.0.self_attn.${m}.lora_A.weight`, dtype: "F32", shape: [4, HIDDEN] });
    out.push({ name: `base_model.model.model.layers.0.self_attn.${m}.lora_B.weight`, dtype: "F32", shape: [HIDDEN, 4] });
  }
  return out;
}

function trainerState(step: number, globalStep: number): Record<string, unknown> {
  const logHistory = [];
  for (let s = 100; s <= Math.min(step, 300); s += 100) {
    logHistory.push({ epoch: +(s / 2000).toFixed(4), grad_norm: 1.25, learning_rate: 2e-5, loss: +(2.5 - s / 1000).toFixed(4), step: s });
  }
  return {
    best_metric: null,
    best_model_checkpoint: null,
    epoch: +(step / 2000).toFixed(4),
    eval_steps: 500,
    global_step: globalStep,
    is_hyper_param_search: false,
    is_local_process_zero: true,
    is_world_process_zero: true,
    log_history: logHistory,
    logging_steps: 10,
    max_steps: 6000,
    num_input_tokens_seen: 0,
    num_train_epochs: 3,
    save_steps: 500,
    total_flos: step * 1.2e13,
    train_batch_size: 4,
    trial_name: null,
    trial_params: null,
  };
}

/** Contents of every file of a checkpoint (before omissions and truncations). */
export function checkpointFiles(spec: CheckpointSpec): Record<string, string | Uint8Array> {
  const kind = spec.kind ?? "full";
  const step = spec.step;
  const lr = spec.learningRate ?? 2e-5;
  const baseModel = spec.baseModel ?? "meta-llama/Llama-3.1-8B";
  const files: Record<string, string | Uint8Array> = {};
  const json = (v: unknown) => JSON.stringify(v, null, 2) + "\n";
  files["trainer_state.json"] = json(trainerState(step, spec.globalStep ?? step));
  files["training_args.bin"] = torchSaveBytes({ output_dir: "current_model", learning_rate: lr, save_steps: 500 });
  const tensors = kind === "full" ? fullModelTensors() : loraTensors();
  if (kind === "full") {
    files["config.json"] = json({
      architectures: ["LlamaForCausalLM"],
      hidden_size: HIDDEN,
      intermediate_size: 2 * HIDDEN,
      model_type: "llama",
      num_attention_heads: 2,
      num_hidden_layers: 1,
      num_key_value_heads: 1,
      torch_dtype: "bfloat16",
      vocab_size: VOCAB,
      _name_or_path: baseModel,
    });
    const shards = spec.shards ?? 1;
    if (shards <= 1) {
      files["model.safetensors"] = safetensorsBytes(tensors, { format: "pt" }, step);
    } else {
      const weightMap: Record<string, string> = {};
      const per = Math.ceil(tensors.length / shards);
      let total = 0;
      for (let i = 0; i < shards; i++) {
        const shardName = `model-${String(i + 1).padStart(5, "0")}-of-${String(shards).padStart(5, "0")}.safetensors`;
        const part = tensors.slice(i * per, (i + 1) * per);
        const bytes = safetensorsBytes(part, { format: "pt" }, step * 10 + i);
        files[shardName] = bytes;
        for (const t of part) weightMap[t.name] = shardName;
        total += bytes.length;
      }
      files["model.safetensors.index.json"] = json({ metadata: { total_size: total }, weight_map: weightMap });
    }
  } else {
    files["adapter_config.json"] = json({
      base_model_name_or_path: baseModel,
      bias: "none",
      lora_alpha: 8,
      lora_dropout: 0.05,
      peft_type: "LORA",
      r: 4,
      target_modules: ["q_proj", "v_proj"],
      task_type: "CAUSAL_LM",
    });
    files["adapter_model.safetensors"] = safetensorsBytes(tensors, { format: "pt" }, step);
  }
  const storages = [seededBytes(64, step + 7), seededBytes(64, step + 8)];
  files["optimizer.pt"] = torchSaveBytes(
    {
      state: { "0": { step: step, exp_avg: "<tensor 0>", exp_avg_sq: "<tensor 1>" } },
      param_groups: [{ lr, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.01, amsgrad: false, params: [0] }],
    },
    storages,
  );
  files["scheduler.pt"] = torchSaveBytes({ base_lrs: [lr], last_epoch: step, _step_count: step + 1, _last_lr: [lr] });
  files["rng_state.pth"] = torchSaveBytes({ python: "<state>", numpy: "<state>", cpu: "<tensor 0>" }, [seededBytes(32, step)]);
  return files;
}

/** Writes checkpoint `spec` under `modelDir` and returns its folder. */
export function writeCheckpoint(modelDir: string, spec: CheckpointSpec): string {
  const dir = path.join(modelDir, spec.name ?? `checkpoint-${spec.step}`);
  fs.mkdirSync(dir, { recursive: true });
  const files = checkpointFiles(spec);
  for (const f of spec.omit ?? []) delete files[f];
  for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), data);
  for (const [name, bytes] of Object.entries(spec.truncate ?? {})) fs.truncateSync(path.join(dir, name), bytes);
  for (const [name, data] of Object.entries(spec.files ?? {})) fs.writeFileSync(path.join(dir, name), data);
  return dir;
}

// ---------- training directories ----------

/** A realistic full-model fine-tuning config (paths relative to BASE_DIR). */
export function exampleConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    base_model: "meta-llama/Llama-3.1-8B",
    training_type: "full",
    train_file: "data/train.jsonl",
    eval_file: "data/eval.jsonl",
    output_dir: "current_model",
    resume_from_checkpoint: true,
    learning_rate: 2e-5,
    per_device_train_batch_size: 4,
    gradient_accumulation_steps: 8,
    num_train_epochs: 3,
    max_steps: -1,
    warmup_ratio: 0.03,
    weight_decay: 0.01,
    max_grad_norm: 1.0,
    lr_scheduler_type: "cosine",
    save_steps: 500,
    eval_steps: 500,
    logging_steps: 10,
    save_total_limit: 3,
    max_seq_length: 4096,
    seed: 42,
    bf16: true,
    fp16: false,
    gradient_checkpointing: true,
    ...overrides,
  };
}

export interface TrainingDirSpec {
  /** config.json content: an object is written as JSON, a string or bytes verbatim; null writes none. */
  config?: Record<string, unknown> | string | Uint8Array | null;
  checkpoints?: CheckpointSpec[];
  /** status/training_status.json content (object as JSON, string verbatim); undefined writes none. */
  status?: Record<string, unknown> | string;
  /** Data files to create (relative path -> content); default data/train.jsonl and data/eval.jsonl. */
  dataFiles?: Record<string, string>;
}

/** Fills `baseDir` with config.json, data files, current_model checkpoints and a status file. */
export function writeTrainingDir(baseDir: string, spec: TrainingDirSpec = {}): void {
  fs.mkdirSync(path.join(baseDir, "current_model"), { recursive: true });
  const data = spec.dataFiles ?? {
    "data/train.jsonl": '{"text": "hello"}\n',
    "data/eval.jsonl": '{"text": "bye"}\n',
  };
  for (const [rel, content] of Object.entries(data)) {
    fs.mkdirSync(path.dirname(path.join(baseDir, rel)), { recursive: true });
    fs.writeFileSync(path.join(baseDir, rel), content);
  }
  const config = spec.config === undefined ? exampleConfig() : spec.config;
  if (config !== null) {
    const text = typeof config === "string" || config instanceof Uint8Array ? config : JSON.stringify(config, null, 2) + "\n";
    fs.writeFileSync(path.join(baseDir, "config.json"), text);
  }
  for (const c of spec.checkpoints ?? []) writeCheckpoint(path.join(baseDir, "current_model"), c);
  if (spec.status !== undefined) {
    fs.mkdirSync(path.join(baseDir, "status"), { recursive: true });
    const text = typeof spec.status === "string" ? spec.status : JSON.stringify(spec.status);
    fs.writeFileSync(path.join(baseDir, "status", "training_status.json"), text);
  }
}
