/**
 * config.json of the training run (a Hugging Face-style fine-tuning config): schema and range checks,
 * typo detection for unknown keys, paths that must exist, and the lock (.config_lock.json) that records
 * the config when training starts so that a changed base_model cannot silently meet old checkpoints.
 * config.json itself is never written.
 */
import path from "node:path";
import { z } from "zod";
import type { Layout } from "../config/layout.js";
import { describeError, inputError } from "../lib/errors.js";
import { issuePath, MAX_JSON_BYTES, readJsonFile, writeFileAtomic } from "../lib/files.js";
import { files as fsp } from "../lib/fs-mode.js";
import { fast, lazyLooseObject } from "../lib/schema.js";
import { sha256Hex } from "../lib/sha256.js";
import { checkpointNames, type TrainingKind } from "./checkpoint.js";

export interface Problem {
  field: string;
  message: string;
}

export interface ConfigReport {
  ok: boolean;
  file: string;
  errors: Problem[];
  warnings: Problem[];
  /** Changes made (only without --validate-only; never to config.json). */
  fixes: string[];
  /** Edits the user should consider making to config.json. */
  suggestions: string[];
  config: Record<string, unknown> | null;
  baseModelChanged: boolean;
  lockPresent: boolean;
  /** checkpoint-N folders found in current_model (newest first). */
  checkpoints: string[];
}

/** Field name used for problems with the file as a whole. */
export const FILE_FIELD = "(file)";
const LOCK_FIELD = "(lock)";

// ---------- schema ----------

const show = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/**
 * A field of config.json: its zod schema (built on first use: the wording of every error), and a check
 * by hand that passes only what the schema passes, so that a valid config is checked without zod.
 */
interface Field {
  readonly zod: () => z.ZodType;
  readonly ok: (v: unknown) => boolean;
}
const field = (zod: () => z.ZodType, ok: (v: unknown) => boolean): Field => ({ zod, ok });
const isNullish = (v: unknown) => v === undefined || v === null;

/** A number field: type errors and range errors both name the expectation and the value found. */
function num(expect: string, ok: (n: number) => boolean): Field {
  const msg = (iss: { input?: unknown }) => `must be ${expect}, got ${show(iss.input)}`;
  return field(
    () => z.number({ error: msg }).refine(ok, { error: msg }).nullish(),
    (v) => isNullish(v) || (typeof v === "number" && Number.isFinite(v) && ok(v)),
  );
}
const isInt = Number.isInteger;
const positiveInt = () => num("a positive integer", (n) => isInt(n) && n > 0);
const nonNegativeInt = () => num("an integer >= 0", (n) => isInt(n) && n >= 0);
/** Transformers reads values below 1 as a fraction of the total steps. */
const stepsOrFraction = () => num("a positive integer, or a fraction in (0, 1)", (n) => (isInt(n) && n > 0) || (n > 0 && n < 1));
const bool = () => field(() => z.boolean({ error: (iss) => `must be true or false, got ${show(iss.input)}` }).nullish(), (v) => isNullish(v) || typeof v === "boolean");
const str = () => field(() => z.string({ error: (iss) => `must be a string, got ${show(iss.input)}` }).nullish(), (v) => isNullish(v) || typeof v === "string");
const isStrings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === "string");
const strOrList = () =>
  field(
    () => z.union([z.string(), z.array(z.string())], { error: (iss) => `must be a string or a list of strings, got ${show(iss.input)}` }).nullish(),
    (v) => isNullish(v) || typeof v === "string" || isStrings(v),
  );
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  field(
    () => z.enum(values, { error: (iss) => `must be one of ${values.map((v) => `"${v}"`).join(", ")}, got ${show(iss.input)}` }).nullish(),
    (v) => isNullish(v) || (typeof v === "string" && values.includes(v)),
  );
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
/** z.looseObject of these fields: unknown keys pass (they are warned about separately). */
const looseZod = (fields: Readonly<Record<string, Field>>) => z.looseObject(Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.zod()])));
const allOk = (o: Record<string, unknown>, fields: Readonly<Record<string, Field>>) => Object.entries(fields).every(([k, f]) => f.ok(o[k]));

const loraFields: Readonly<Record<string, Field>> = {
  enabled: bool(),
  r: positiveInt(),
  lora_r: positiveInt(),
  alpha: num("a number > 0", (n) => n > 0),
  lora_alpha: num("a number > 0", (n) => n > 0),
  dropout: num("in [0, 1)", (n) => n >= 0 && n < 1),
  lora_dropout: num("in [0, 1)", (n) => n >= 0 && n < 1),
  target_modules: strOrList(),
  bias: str(),
  task_type: str(),
};

const configFields: Readonly<Record<string, Field>> = {
  base_model: field(
    () =>
      z
        .string({ error: (iss) => (iss.input === undefined ? `is required (the model to fine-tune, e.g. "meta-llama/Llama-3.1-8B")` : `must be a string, got ${show(iss.input)}`) })
        .refine((s) => s.trim() !== "", { error: "must not be empty" }),
    (v) => typeof v === "string" && v.trim() !== "",
  ),
  model_name_or_path: str(),
  tokenizer_name: str(),
  training_type: oneOf(["full", "lora", "qlora"] as const),
  use_lora: bool(),
  lora: field(
    () => z.union([z.boolean(), looseZod(loraFields)], { error: (iss) => `must be true/false or an object, got ${show(iss.input)}` }).nullish(),
    (v) => isNullish(v) || typeof v === "boolean" || (isObject(v) && allOk(v, loraFields)),
  ),
  lora_r: positiveInt(),
  lora_alpha: num("a number > 0", (n) => n > 0),
  lora_dropout: num("in [0, 1)", (n) => n >= 0 && n < 1),
  lora_target_modules: strOrList(),
  learning_rate: num("in (0, 1]", (n) => n > 0 && n <= 1),
  batch_size: positiveInt(),
  per_device_train_batch_size: positiveInt(),
  per_device_eval_batch_size: positiveInt(),
  gradient_accumulation_steps: positiveInt(),
  num_epochs: num("a number > 0", (n) => n > 0),
  num_train_epochs: num("a number > 0", (n) => n > 0),
  max_steps: num("-1 (no limit) or a positive integer", (n) => n === -1 || (isInt(n) && n > 0)),
  warmup_steps: num("an integer >= 0, or a fraction in [0, 1)", (n) => (isInt(n) && n >= 0) || (n >= 0 && n < 1)),
  warmup_ratio: num("in [0, 1]", (n) => n >= 0 && n <= 1),
  weight_decay: num("a number >= 0", (n) => n >= 0),
  max_grad_norm: num("a number >= 0", (n) => n >= 0),
  adam_beta1: num("in [0, 1)", (n) => n >= 0 && n < 1),
  adam_beta2: num("in [0, 1)", (n) => n >= 0 && n < 1),
  adam_epsilon: num("a number > 0", (n) => n > 0),
  lr_scheduler_type: str(),
  optim: str(),
  save_steps: stepsOrFraction(),
  eval_steps: stepsOrFraction(),
  logging_steps: stepsOrFraction(),
  save_total_limit: positiveInt(),
  save_strategy: oneOf(["no", "steps", "epoch", "best"] as const),
  eval_strategy: oneOf(["no", "steps", "epoch"] as const),
  evaluation_strategy: oneOf(["no", "steps", "epoch"] as const),
  logging_strategy: oneOf(["no", "steps", "epoch"] as const),
  load_best_model_at_end: bool(),
  metric_for_best_model: str(),
  max_seq_length: positiveInt(),
  max_length: positiveInt(),
  seed: nonNegativeInt(),
  data_seed: nonNegativeInt(),
  fp16: bool(),
  bf16: bool(),
  tf32: bool(),
  torch_dtype: str(),
  gradient_checkpointing: bool(),
  packing: bool(),
  trust_remote_code: bool(),
  load_in_4bit: bool(),
  load_in_8bit: bool(),
  dataloader_num_workers: nonNegativeInt(),
  do_train: bool(),
  do_eval: bool(),
  overwrite_output_dir: bool(),
  group_by_length: bool(),
  remove_unused_columns: bool(),
  push_to_hub: bool(),
  report_to: strOrList(),
  run_name: str(),
  logging_dir: str(),
  dataset_name: str(),
  dataset_text_field: str(),
  dataset_path: str(),
  train_file: str(),
  eval_file: str(),
  validation_file: str(),
  test_file: str(),
  data_dir: str(),
  data_path: str(),
  deepspeed: field(
    () => z.union([z.string(), z.record(z.string(), z.unknown())], { error: (iss) => `must be a file path or an object, got ${show(iss.input)}` }).nullish(),
    (v) => isNullish(v) || typeof v === "string" || (isObject(v) && Object.getPrototypeOf(v) === Object.prototype),
  ),
  output_dir: str(),
  resume_from_checkpoint: field(
    () => z.union([z.boolean(), z.string()], { error: (iss) => `must be true, false, "latest" or a checkpoint path, got ${show(iss.input)}` }).nullish(),
    (v) => isNullish(v) || typeof v === "boolean" || typeof v === "string",
  ),
};

/** Whether every known field of `config` is one configSchema passes (then zod is not needed to check it). */
export function configFieldsOk(config: Record<string, unknown>): boolean {
  return allOk(config, configFields);
}

let configSchemaBuilt: z.ZodType | undefined;
/** The zod schema of config.json (unknown keys pass through and are warned about separately), built on first use. */
export function configSchema(): z.ZodType {
  return (configSchemaBuilt ??= looseZod(configFields));
}

export const KNOWN_KEYS: readonly string[] = Object.freeze(Object.keys(configFields));
const KNOWN_LORA_KEYS: readonly string[] = Object.freeze(Object.keys(loraFields));

/** Path fields: [key, what must be there]. Relative paths are taken from BASE_DIR. */
const PATH_FIELDS: ReadonlyArray<readonly [string, "file" | "dir" | "any"]> = [
  ["dataset_path", "any"],
  ["data_path", "any"],
  ["train_file", "file"],
  ["eval_file", "file"],
  ["validation_file", "file"],
  ["test_file", "file"],
  ["data_dir", "dir"],
];

// ---------- pure checks ----------

export interface ConfigContext {
  baseDir: string;
  modelDir: string;
}

export interface ObjectCheck {
  errors: Problem[];
  warnings: Problem[];
  suggestions: string[];
}

/** Edit distance (Levenshtein), for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The known key closest to `key`, when it is close enough to be a typo. */
export function closestKey(key: string, known: readonly string[]): string | null {
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, "");
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = norm(k) === norm(key) ? 0 : editDistance(key.toLowerCase(), k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  const limit = key.length <= 4 ? 1 : key.length <= 8 ? 2 : 3;
  return best !== null && bestD <= limit ? best : null;
}

/** What the config says about resuming, with the Transformers example scripts' semantics. */
export type ResumeSetting =
  | { mode: "auto"; reason: string }
  | { mode: "off"; reason: string }
  | { mode: "path"; path: string; reason: string };

/**
 * How the config resumes: unset/null/true/"latest" resumes from the newest checkpoint in output_dir
 * (what run_clm.py and friends do via get_last_checkpoint), false turns it off, a string names a folder.
 */
export function resumeSetting(config: Record<string, unknown>, baseDir: string): ResumeSetting {
  const v = config.resume_from_checkpoint;
  if (v === false || (typeof v === "string" && ["false", "no", "none", "off"].includes(v.trim().toLowerCase()))) {
    return { mode: "off", reason: `resume_from_checkpoint is ${show(v)}` };
  }
  if (typeof v === "string" && !["true", "latest", "auto", "yes", ""].includes(v.trim().toLowerCase())) {
    return { mode: "path", path: path.resolve(baseDir, v), reason: `resume_from_checkpoint is ${show(v)}` };
  }
  if ((v === undefined || v === null) && config.overwrite_output_dir === true) {
    return { mode: "off", reason: "overwrite_output_dir is true and resume_from_checkpoint is not set" };
  }
  return { mode: "auto", reason: v === undefined || v === null ? "resume_from_checkpoint is not set (newest checkpoint is used)" : `resume_from_checkpoint is ${show(v)}` };
}

/** Training kind the config asks for, or null when it does not say. */
export function configTrainingKind(config: Record<string, unknown>): TrainingKind | null {
  const t = config.training_type;
  if (t === "full") return "full";
  if (t === "lora" || t === "qlora") return "lora";
  if (config.use_lora === true) return "lora";
  if (config.use_lora === false) return "full";
  const lora = config.lora;
  if (lora === true) return "lora";
  if (lora && typeof lora === "object" && !Array.isArray(lora)) return (lora as { enabled?: unknown }).enabled === false ? "full" : "lora";
  return null;
}

/** Directory the trainer writes checkpoints to (output_dir), or null when the config does not set one. */
export function outputDir(config: Record<string, unknown>, baseDir: string): string | null {
  return typeof config.output_dir === "string" && config.output_dir.trim() !== "" ? path.resolve(baseDir, config.output_dir) : null;
}

/** Schema, ranges, unknown keys and cross-field rules; no I/O. Never throws. */
export function checkConfigObject(raw: unknown, ctx: ConfigContext): ObjectCheck {
  const out: ObjectCheck = { errors: [], warnings: [], suggestions: [] };
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    out.errors.push({ field: FILE_FIELD, message: `must be a JSON object, got ${raw === null ? "null" : Array.isArray(raw) ? "an array" : typeof raw}` });
    return out;
  }
  const config = raw as Record<string, unknown>;
  // zod only for a config with a field it would fault: it words every problem.
  const parsed = configFieldsOk(config) ? undefined : configSchema().safeParse(config);
  if (parsed && !parsed.success) {
    for (const issue of parsed.error.issues) out.errors.push({ field: issuePath(issue.path), message: issue.message });
  }
  warnUnknown(config, KNOWN_KEYS, "", out);
  if (config.lora && typeof config.lora === "object" && !Array.isArray(config.lora)) {
    warnUnknown(config.lora as Record<string, unknown>, KNOWN_LORA_KEYS, "lora.", out);
  }
  crossFieldChecks(config, ctx, out);
  return out;
}

function warnUnknown(obj: Record<string, unknown>, known: readonly string[], prefix: string, out: ObjectCheck): void {
  for (const key of Object.keys(obj)) {
    // "_comment"-style keys are a common way to annotate JSON configs.
    if (known.includes(key) || key.startsWith("_")) continue;
    const near = closestKey(key, known);
    if (near && near in obj) {
      out.warnings.push({ field: prefix + key, message: `unknown key; did you mean "${near}"? (${near} is also set; this one is ignored)` });
      out.suggestions.push(`remove "${prefix}${key}" from config.json (duplicate of "${prefix}${near}")`);
    } else if (near) {
      out.warnings.push({ field: prefix + key, message: `unknown key; did you mean "${near}"?` });
      out.suggestions.push(`rename "${prefix}${key}" to "${prefix}${near}" in config.json`);
    } else {
      out.warnings.push({ field: prefix + key, message: "unknown key (not a setting trainsafe knows; check the spelling)" });
    }
  }
}

function crossFieldChecks(c: Record<string, unknown>, ctx: ConfigContext, out: ObjectCheck): void {
  if (c.fp16 === true && c.bf16 === true) {
    out.errors.push({ field: "bf16", message: "fp16 and bf16 are both true; enable at most one" });
  }
  const t = c.training_type;
  const loraOn = c.use_lora === true || c.lora === true || (!!c.lora && typeof c.lora === "object" && (c.lora as { enabled?: unknown }).enabled !== false);
  if (t === "full" && loraOn) {
    out.errors.push({ field: "training_type", message: `is "full" but LoRA is enabled (${c.use_lora === true ? "use_lora" : "lora"}); pick one` });
  }
  if ((t === "lora" || t === "qlora") && c.use_lora === false) {
    out.errors.push({ field: "use_lora", message: `is false but training_type is "${String(t)}"` });
  }
  if (configTrainingKind(c) === "full") {
    for (const k of ["lora_r", "lora_alpha", "lora_dropout", "lora_target_modules"]) {
      if (c[k] !== undefined && c[k] !== null) out.warnings.push({ field: k, message: "is ignored: this config trains the full model" });
    }
  }
  const differ = (a: string, b: string) => {
    if (typeof c[a] === "number" && typeof c[b] === "number" && c[a] !== c[b]) {
      out.warnings.push({ field: b, message: `${b} (${show(c[b])}) and ${a} (${show(c[a])}) disagree; which one the trainer uses depends on the script` });
    }
  };
  differ("num_epochs", "num_train_epochs");
  differ("batch_size", "per_device_train_batch_size");
  if (typeof c.warmup_steps === "number" && c.warmup_steps > 0 && typeof c.warmup_ratio === "number" && c.warmup_ratio > 0) {
    out.warnings.push({ field: "warmup_ratio", message: "is ignored by Transformers when warmup_steps is also set" });
  }
  if (c.max_grad_norm === 0) out.warnings.push({ field: "max_grad_norm", message: "is 0, which turns gradient clipping off" });
  if (
    c.load_best_model_at_end === true && typeof c.save_steps === "number" && typeof c.eval_steps === "number" &&
    isInt(c.save_steps) && isInt(c.eval_steps) && c.eval_steps > 0 && c.save_steps % c.eval_steps !== 0
  ) {
    out.errors.push({ field: "save_steps", message: `must be a multiple of eval_steps (${c.eval_steps}) when load_best_model_at_end is true` });
  }
  const outDir = outputDir(c, ctx.baseDir);
  if (outDir && path.resolve(outDir) !== path.resolve(ctx.modelDir)) {
    out.warnings.push({
      field: "output_dir",
      message: `is ${outDir}, not the guarded checkpoint folder ${ctx.modelDir}: checkpoints saved there are not resumed from current_model`,
    });
  }
}

// ---------- files ----------

export type ConfigRead = { ok: true; value: unknown } | { ok: false; message: string };

/** Reads config.json as untrusted input (missing, folder, huge, binary, half-written); never throws. */
export async function readConfigFile(file: string): Promise<ConfigRead> {
  let buf: Buffer;
  try {
    const st = await fsp.stat(file);
    if (st.isDirectory()) return { ok: false, message: `${file}: is a directory, not a config file` };
    if (!st.isFile()) return { ok: false, message: `${file}: is not a regular file` };
    if (st.size > MAX_JSON_BYTES) return { ok: false, message: `${file}: ${st.size} bytes is far too large for a config file (limit ${MAX_JSON_BYTES})` };
    buf = await fsp.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { ok: false, message: `${file}: does not exist` };
    if (code === "EACCES" || code === "EPERM") return { ok: false, message: `${file}: no permission to read` };
    return { ok: false, message: `${file}: cannot read (${describeError(err)})` };
  }
  if (buf.length === 0 || buf.toString("utf8").trim() === "") return { ok: false, message: `${file}: is empty (half-written?)` };
  if (buf.includes(0)) return { ok: false, message: `${file}: is binary, not JSON text` };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(buf);
  } catch {
    return { ok: false, message: `${file}: is not UTF-8 text (binary or wrong encoding)` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (err) {
    return { ok: false, message: `${file}: invalid JSON (${(err as Error).message}); half-written or hand-edited?` };
  }
  // Hashing, diffing and printing recurse; a pathologically deep value must not blow the stack.
  if (nestingDepth(value, MAX_NESTING) > MAX_NESTING) {
    return { ok: false, message: `${file}: nested more than ${MAX_NESTING} levels deep; not a training config` };
  }
  return { ok: true, value };
}

const MAX_NESTING = 64;

/** Depth of nested arrays/objects, computed without recursion and stopping past `limit`. */
function nestingDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (!v || typeof v !== "object") continue;
    if (depth + 1 > max) max = depth + 1;
    if (max > limit) return max;
    for (const child of Object.values(v as object)) stack.push([child, depth + 1]);
  }
  return max;
}

/** The last config text hashed and its hash (see configHash). */
let lastHashed: { readonly text: string; readonly hash: string } | undefined;

/**
 * Hash of a config independent of key order and formatting (SHA-256 in JS: `config validate` then loads no
 * node:crypto). The last text's hash is kept: `check`'s config and config-lock checks both hash the same
 * lock, and the second hash of ~0.7 KB was what made V8 compile sha256Hex with TurboFan (~9 ms of a
 * background thread's CPU in every `check`: docs/benchmarks.md, start-up, 2026-12-06 05:45). The key is
 * the whole text, so a changed config is always hashed anew.
 */
export function configHash(config: unknown): string {
  const text = canonicalJson(config);
  if (lastHashed?.text !== text) lastHashed = { text, hash: sha256Hex(Buffer.from(text, "utf8")) };
  return lastHashed.hash;
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

const lockSchemaOf = () =>
  z.looseObject({
    lockedAt: z.string(),
    config: z.record(z.string(), z.unknown()),
    configHash: z.string().optional(),
  });
export type ConfigLock = z.output<ReturnType<typeof lockSchemaOf>>;
/** .config_lock.json as we write it; zod (built on first use) only for one that is not. */
export const lockSchema = lazyLooseObject({ lockedAt: fast.string, config: fast.record, configHash: fast.string }, ["lockedAt", "config"], lockSchemaOf);

/** Field-by-field differences (dotted paths into nested objects) between the locked and current config. */
export function diffConfigs(locked: Record<string, unknown>, current: Record<string, unknown>, prefix = ""): Problem[] {
  const out: Problem[] = [];
  const keys = [...new Set([...Object.keys(locked), ...Object.keys(current)])].sort();
  for (const k of keys) {
    const a = locked[k];
    const b = current[k];
    if (canonicalJson(a) === canonicalJson(b)) continue;
    const isObj = (x: unknown) => !!x && typeof x === "object" && !Array.isArray(x);
    if (isObj(a) && isObj(b)) {
      out.push(...diffConfigs(a as Record<string, unknown>, b as Record<string, unknown>, `${prefix}${k}.`));
      continue;
    }
    const fmt = (x: unknown) => (x === undefined ? "(absent)" : show(x));
    out.push({ field: prefix + k, message: `${fmt(a)} -> ${fmt(b)}` });
  }
  return out;
}

type LockRead = { state: "absent" } | { state: "bad"; message: string } | { state: "ok"; lock: ConfigLock; hashMismatch: boolean };

async function readLock(layout: Layout): Promise<LockRead> {
  const r = await readJsonFile(layout.lockFile, lockSchema);
  if (!r.ok) return r.reason === "missing" ? { state: "absent" } : { state: "bad", message: r.message };
  if (nestingDepth(r.value.config, MAX_NESTING) > MAX_NESTING) {
    return { state: "bad", message: `${layout.lockFile}: config is nested more than ${MAX_NESTING} levels deep` };
  }
  const hashMismatch = r.value.configHash !== undefined && r.value.configHash !== configHash(r.value.config);
  return { state: "ok", lock: r.value, hashMismatch };
}

// ---------- public operations ----------

/**
 * Validates config.json of `layout`, compares it with the lock, and (with applyFixes) creates a
 * missing lock when no checkpoints exist yet. Never writes config.json; never throws.
 */
export async function validateConfig(layout: Layout, opts: { applyFixes?: boolean } = {}): Promise<ConfigReport> {
  const report: ConfigReport = {
    ok: false,
    file: layout.configFile,
    errors: [],
    warnings: [],
    fixes: [],
    suggestions: [],
    config: null,
    baseModelChanged: false,
    lockPresent: false,
    checkpoints: await checkpointNames(layout.modelDir),
  };
  const lock = await readLock(layout);
  report.lockPresent = lock.state !== "absent";
  const read = await readConfigFile(layout.configFile);
  if (!read.ok) {
    report.errors.push({ field: FILE_FIELD, message: read.message });
    return report;
  }
  const checked = checkConfigObject(read.value, { baseDir: layout.baseDir, modelDir: layout.modelDir });
  report.errors.push(...checked.errors.map((e) => (e.field === FILE_FIELD ? { ...e, message: `${layout.configFile}: ${e.message}` } : e)));
  report.warnings.push(...checked.warnings);
  report.suggestions.push(...checked.suggestions);
  if (!read.value || typeof read.value !== "object" || Array.isArray(read.value)) return report;
  const config = read.value as Record<string, unknown>;
  report.config = config;

  await checkPaths(config, layout, report);
  checkResumeAgainstCheckpoints(config, layout, report);
  await compareWithLock(config, lock, layout, report, opts.applyFixes ?? false);
  report.ok = report.errors.length === 0;
  return report;
}

async function checkPaths(config: Record<string, unknown>, layout: Layout, report: ConfigReport): Promise<void> {
  const expectAt = async (field: string, value: string, want: "file" | "dir" | "any") => {
    const abs = path.resolve(layout.baseDir, value);
    const st = await fsp.stat(abs).catch((err: NodeJS.ErrnoException) => err);
    if (st instanceof Error) {
      const why = st.code === "ENOENT" ? "does not exist" : `cannot be read (${describeError(st)})`;
      report.errors.push({ field, message: `${value} ${why} (looked for ${abs})` });
    } else if (want === "file" && !st.isFile()) {
      report.errors.push({ field, message: `${value} is not a file (${abs})` });
    } else if (want === "dir" && !st.isDirectory()) {
      report.errors.push({ field, message: `${value} is not a folder (${abs})` });
    } else if (st.isFile() && st.size === 0) {
      report.warnings.push({ field, message: `${value} is empty (${abs})` });
    }
  };
  for (const [field, want] of PATH_FIELDS) {
    const v = config[field];
    if (typeof v === "string" && v.trim() !== "") await expectAt(field, v, want);
  }
  // A base_model written as a path is a local model folder; a hub id ("org/name") is not checked.
  const base = config.base_model;
  if (typeof base === "string" && /^(\/|\.\.?\/|~)/.test(base)) await expectAt("base_model", base, "dir");
  if (typeof config.deepspeed === "string" && config.deepspeed.trim() !== "") await expectAt("deepspeed", config.deepspeed, "file");
  const resume = resumeSetting(config, layout.baseDir);
  if (resume.mode === "path") await expectAt("resume_from_checkpoint", String(config.resume_from_checkpoint), "dir");
}

function checkResumeAgainstCheckpoints(config: Record<string, unknown>, layout: Layout, report: ConfigReport): void {
  if (report.checkpoints.length === 0) return;
  const resume = resumeSetting(config, layout.baseDir);
  const latest = report.checkpoints[0]!;
  if (resume.mode === "off") {
    report.warnings.push({
      field: "resume_from_checkpoint",
      message: `${resume.reason}, but current_model has ${report.checkpoints.length} checkpoint(s) (newest ${latest}): training would start from scratch`,
    });
    report.suggestions.push(`set "resume_from_checkpoint": true in config.json to continue from ${latest}`);
  }
  const out = outputDir(config, layout.baseDir);
  if (resume.mode === "auto" && out && out !== layout.modelDir) {
    report.suggestions.push(`set "output_dir" to "${path.relative(layout.baseDir, layout.modelDir) || "."}" so training resumes from ${latest}`);
  }
}

async function compareWithLock(config: Record<string, unknown>, lock: LockRead, layout: Layout, report: ConfigReport, applyFixes: boolean): Promise<void> {
  const hasCheckpoints = report.checkpoints.length > 0;
  if (lock.state === "bad") {
    report.warnings.push({ field: LOCK_FIELD, message: `${lock.message}; changes since training started cannot be checked` });
    report.suggestions.push("recreate the lock with `trainsafe config lock --force` once config.json is known to be right");
    return;
  }
  if (lock.state === "absent") {
    if (hasCheckpoints) {
      report.warnings.push({
        field: LOCK_FIELD,
        message: `${layout.lockFile} is missing while current_model has checkpoints: a base_model change cannot be detected`,
      });
      report.suggestions.push("if config.json is what these checkpoints were trained with, record it: `trainsafe config lock`");
    } else if (applyFixes && report.errors.length === 0) {
      const r = await lockConfig(layout).catch((err: unknown) => ({ created: false, message: describeError(err) }));
      if (r.created) {
        report.fixes.push(`created ${layout.lockFile} (no checkpoints yet, so this config is the start of training)`);
        report.lockPresent = true;
      } else report.warnings.push({ field: LOCK_FIELD, message: `could not create the lock: ${r.message}` });
    } else {
      report.suggestions.push("record the config when training starts: `trainsafe config lock`");
    }
    return;
  }
  if (lock.hashMismatch) {
    report.warnings.push({ field: LOCK_FIELD, message: `${layout.lockFile}: configHash does not match the locked config (edited by hand?)` });
  }
  for (const change of diffConfigs(lock.lock.config, config)) {
    if (change.field === "base_model") {
      report.baseModelChanged = true;
      const old = show(lock.lock.config.base_model);
      if (hasCheckpoints) {
        report.errors.push({
          field: "base_model",
          message: `changed since the lock of ${lock.lock.lockedAt} (${change.message}) while current_model has checkpoints trained from ${old} (newest ${report.checkpoints[0]}); resuming would load them into the wrong model`,
        });
        report.suggestions.push(`set "base_model" back to ${old}, or move current_model/checkpoint-* aside and run \`trainsafe config lock --force\` to start a new run`);
      } else {
        report.warnings.push({ field: "base_model", message: `changed since the lock (${change.message}); no checkpoints yet, so nothing is lost` });
        report.suggestions.push("record the new base model: `trainsafe config lock --force`");
      }
    } else {
      report.warnings.push({ field: change.field, message: `changed since the lock: ${change.message}` });
    }
  }
}

/** Writes .config_lock.json from the current config.json; refuses to replace an existing lock without `force`. */
export async function lockConfig(layout: Layout, opts: { force?: boolean } = {}): Promise<{ created: boolean; file: string; message: string }> {
  const file = layout.lockFile;
  const existing = await fsp.lstat(file).catch(() => null);
  if (existing && !opts.force) {
    const lock = await readLock(layout);
    const when = lock.state === "ok" ? ` (locked at ${lock.lock.lockedAt})` : "";
    return { created: false, file, message: `${file} already exists${when}; use --force to replace it` };
  }
  if (existing?.isDirectory()) throw inputError(file, "is a directory; remove it before locking");
  const read = await readConfigFile(layout.configFile);
  if (!read.ok) throw inputError(layout.configFile, read.message.slice(layout.configFile.length + 2));
  if (!read.value || typeof read.value !== "object" || Array.isArray(read.value)) {
    throw inputError(layout.configFile, "must be a JSON object");
  }
  const config = read.value as Record<string, unknown>;
  const lock = { lockedAt: new Date().toISOString(), config, configHash: configHash(config) };
  await writeFileAtomic(file, JSON.stringify(lock, null, 2) + "\n");
  return { created: true, file, message: `${existing ? "replaced" : "created"} ${file} (base_model ${show(config.base_model)})` };
}

/** Whether config.json still matches the lock; used by the health check and the restart pre-flight. Never throws. */
export async function lockStatus(layout: Layout): Promise<{
  present: boolean;
  consistent: boolean;
  changes: Problem[];
  message: string;
  baseModelChanged: boolean;
  /** base_model changed while checkpoints exist: a restart would train the wrong model. */
  blocking: boolean;
}> {
  const lock = await readLock(layout);
  const base = { changes: [] as Problem[], baseModelChanged: false, blocking: false };
  if (lock.state === "absent") {
    return { ...base, present: false, consistent: true, message: `${layout.lockFile}: no lock; nothing to compare (record one with \`trainsafe config lock\`)` };
  }
  if (lock.state === "bad") return { ...base, present: true, consistent: false, message: lock.message };
  const read = await readConfigFile(layout.configFile);
  if (!read.ok) return { ...base, present: true, consistent: false, message: read.message };
  if (!read.value || typeof read.value !== "object" || Array.isArray(read.value)) {
    return { ...base, present: true, consistent: false, message: `${layout.configFile}: must be a JSON object` };
  }
  const changes = diffConfigs(lock.lock.config, read.value as Record<string, unknown>);
  const baseModelChanged = changes.some((c) => c.field === "base_model");
  const blocking = baseModelChanged && (await checkpointNames(layout.modelDir)).length > 0;
  let message: string;
  if (changes.length === 0) message = `config.json matches the lock of ${lock.lock.lockedAt}`;
  else {
    const list = changes.slice(0, 5).map((c) => `${c.field}: ${c.message}`).join("; ");
    const more = changes.length > 5 ? `; and ${changes.length - 5} more` : "";
    message = `${changes.length} change(s) since the lock of ${lock.lock.lockedAt}: ${list}${more}`;
    if (blocking) message = `base_model changed while checkpoints exist; ${message}`;
  }
  return { present: true, consistent: changes.length === 0, changes, message, baseModelChanged, blocking };
}
