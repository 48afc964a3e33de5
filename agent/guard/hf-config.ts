/**
 * `config validate` for the hf layout: a plain HF Trainer / torchrun / accelerate job has no trainsafe
 * config.json, so what is validated is what exists: the JSON or YAML the `trainingConfig` setting
 * points at, else the `TrainingArguments` the Trainer saved as training_args.bin in the checkpoint a
 * restart resumes from (a pickle: its plain values are read, nothing is run).
 *
 * The values are checked the way TrainingArguments would take them (types, ranges, the combinations
 * it refuses at start), and the settings that decide whether a restart can resume (save_strategy,
 * save_steps, output_dir, resume_from_checkpoint). Unknown keys are not warned about: the same file
 * serves HfArgumentParser, TRL, axolotl and scripts of the user's own, each with keys of its own. A
 * DeepSpeed or `accelerate launch` config pointed at by mistake is recognised and said to be one.
 */
import path from "node:path";
import type { Layout } from "../config/layout.js";
import { describeError } from "../lib/errors.js";
import { files as fsp } from "../lib/fs-mode.js";
import { FILE_FIELD, resumeSetting, type ConfigReport, type Problem } from "./config.js";
import { field, isObject, readPickle, type PickleValue } from "./pickle.js";
import { verifyResume, type ResumeReport } from "./resume.js";
import { isYamlFile, readTrainingConfig, YAML12_NUMBER } from "./training-config.js";
import { checkZip } from "./zip.js";

/** What `config validate` read in the hf layout. */
export type HfConfigSource = "trainingConfig" | "training_args.bin" | "none";

export interface HfConfigReport extends ConfigReport {
  readonly layout: "hf";
  readonly source: HfConfigSource;
  /** What kind of file it is: the run's arguments, or a DeepSpeed / accelerate config given by mistake. */
  readonly kind: "training_arguments" | "deepspeed" | "accelerate" | null;
  /** Why nothing was validated (source "none"). */
  readonly note: string | null;
}

type Kind = "posInt" | "nonNegInt" | "stepsOrFraction" | "warmup" | "maxSteps" | "positive" | "nonNegative" | "unit" | "beta" | "lr" | "bool" | "string";

/** TrainingArguments fields trainsafe checks, with what TrainingArguments accepts. */
const FIELDS: ReadonlyArray<readonly [string, Kind]> = [
  ["learning_rate", "lr"],
  ["per_device_train_batch_size", "posInt"],
  ["per_device_eval_batch_size", "posInt"],
  ["gradient_accumulation_steps", "posInt"],
  ["max_steps", "maxSteps"],
  ["num_train_epochs", "positive"],
  ["save_steps", "stepsOrFraction"],
  ["eval_steps", "stepsOrFraction"],
  ["logging_steps", "stepsOrFraction"],
  ["save_total_limit", "posInt"],
  ["warmup_steps", "warmup"],
  ["warmup_ratio", "unit"],
  ["weight_decay", "nonNegative"],
  ["max_grad_norm", "nonNegative"],
  ["adam_beta1", "beta"],
  ["adam_beta2", "beta"],
  ["adam_epsilon", "positive"],
  ["seed", "nonNegInt"],
  ["dataloader_num_workers", "nonNegInt"],
  ["save_only_model", "bool"],
  ["fp16", "bool"],
  ["bf16", "bool"],
  ["load_best_model_at_end", "bool"],
  ["overwrite_output_dir", "bool"],
  ["gradient_checkpointing", "bool"],
  ["output_dir", "string"],
];

const EXPECT: Record<Kind, string> = {
  posInt: "a positive integer",
  nonNegInt: "an integer >= 0",
  stepsOrFraction: "a positive integer, or a fraction in (0, 1) of the total steps",
  warmup: "an integer >= 0, or a fraction in [0, 1) of the total steps",
  maxSteps: "-1 (no limit) or a positive integer",
  positive: "a number > 0",
  nonNegative: "a number >= 0",
  unit: "in [0, 1]",
  beta: "in [0, 1)",
  lr: "a number > 0",
  bool: "true or false",
  string: "a string",
};

const isInt = Number.isInteger;

function fits(kind: Kind, v: unknown): boolean {
  if (kind === "bool") return typeof v === "boolean";
  if (kind === "string") return typeof v === "string";
  if (typeof v !== "number" || Number.isNaN(v)) return false;
  switch (kind) {
    case "posInt": return isInt(v) && v > 0;
    case "nonNegInt": return isInt(v) && v >= 0;
    case "stepsOrFraction": return (isInt(v) && v > 0) || (v > 0 && v < 1);
    case "warmup": return (isInt(v) && v >= 0) || (v >= 0 && v < 1);
    case "maxSteps": return v === -1 || (isInt(v) && v > 0);
    case "positive": case "lr": return v > 0 && Number.isFinite(v);
    case "nonNegative": return v >= 0 && Number.isFinite(v);
    case "unit": return v >= 0 && v <= 1;
    case "beta": return v >= 0 && v < 1;
  }
}

const show = (v: unknown): string => {
  const s = typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

const STRATEGIES = ["no", "steps", "epoch", "best"] as const;

/** Plain values of an unpickled object: enums (SchedulerType("linear")) as their value, other objects as their state. */
export function plainPickle(v: PickleValue, depth = 0): unknown {
  if (depth > 32) return null;
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (Array.isArray(v)) return v.map((x) => plainPickle(x, depth + 1));
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v) if (typeof k === "string" || typeof k === "number") o[String(k)] = plainPickle(x, depth + 1);
    return o;
  }
  if (isObject(v)) {
    // An enum member pickles as a call of its class with its value: SaveStrategy("steps").
    if (v.$kind === "call" && v.state === null && v.args.length === 1 && (typeof v.args[0] === "string" || typeof v.args[0] === "number")) return v.args[0];
    if (v.state instanceof Map) return plainPickle(v.state, depth + 1);
    if (Array.isArray(v.state) && v.state[0] instanceof Map) return plainPickle(v.state[0], depth + 1);
    return `<${v.name}>`;
  }
  return v;
}

export type TrainingArgsRead = { ok: true; value: Record<string, unknown>; className: string } | { ok: false; message: string };

/** Reads training_args.bin (torch.save of TrainingArguments or a subclass) without running it; never throws. */
export async function readTrainingArgsFile(file: string): Promise<TrainingArgsRead> {
  const z = await checkZip(file, { readPickle: true });
  if (!z.ok) return { ok: false, message: `${file}: not a readable torch.save archive (${z.problems[0] ?? "unknown problem"})` };
  if (!z.pickle) return { ok: false, message: `${file}: holds no readable pickle record (data.pkl missing, compressed or over 8 MB)` };
  let top: PickleValue;
  try {
    top = readPickle(z.pickle);
  } catch (err) {
    return { ok: false, message: `${file}: ${describeError(err)}` };
  }
  const className = isObject(top) ? top.name : top instanceof Map ? "dict" : typeof top;
  if (field(top, "output_dir") === undefined && field(top, "learning_rate") === undefined) {
    return { ok: false, message: `${file}: holds ${className}, not TrainingArguments (no output_dir, no learning_rate)` };
  }
  return { ok: true, value: plainPickle(top) as Record<string, unknown>, className };
}

/** DeepSpeed and `accelerate launch` configs, told apart from a run's arguments by keys only they have. */
function configKind(c: Record<string, unknown>): HfConfigReport["kind"] {
  if ("zero_optimization" in c || "train_micro_batch_size_per_gpu" in c || "zero_allow_untested_optimizer" in c) return "deepspeed";
  if ("compute_environment" in c || ("distributed_type" in c && "num_processes" in c)) return "accelerate";
  return "training_arguments";
}

/**
 * Validates what the hf layout has: the trainingConfig file, else training_args.bin of the resume
 * checkpoint. `resume`: a verification of this folder already under way (the restart pre-flight's). Never throws.
 */
export async function validateHfConfig(layout: Layout, opts: { resume?: Promise<ResumeReport> } = {}): Promise<HfConfigReport> {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const suggestions: string[] = [];
  const rel = (p: string) => path.relative(layout.baseDir, p) || ".";
  const resume = await (opts.resume ?? verifyResume(layout));
  const hfCheckpoints = resume.framework === "hf-trainer" ? resume.checkpoints : [];
  const base = {
    layout: "hf" as const,
    fixes: [] as string[],
    baseModelChanged: false,
    lockPresent: false,
    checkpoints: hfCheckpoints.map((c) => c.name),
  };
  const report = (file: string, source: HfConfigSource, kind: HfConfigReport["kind"], config: Record<string, unknown> | null, note: string | null = null): HfConfigReport => ({
    ...base,
    ok: errors.length === 0,
    file,
    source,
    kind,
    note,
    config,
    errors,
    warnings,
    suggestions,
  });

  let config: Record<string, unknown>;
  let file: string;
  let source: HfConfigSource;
  let lines: Record<string, number> = {};
  let yaml = false;
  if (layout.trainingConfig) {
    file = layout.trainingConfig;
    source = "trainingConfig";
    const r = await readTrainingConfig(file);
    if (!r.ok) {
      errors.push({ field: FILE_FIELD, message: `${r.message} (the trainingConfig setting)` });
      return report(file, source, null, null);
    }
    config = r.value;
    lines = r.lines;
    yaml = isYamlFile(file);
  } else {
    // The checkpoint a restart resumes from, else the newest one that has the file.
    const ordered = [...hfCheckpoints].sort((a, b) => (a.name === resume.resume_from ? -1 : b.name === resume.resume_from ? 1 : 0));
    let found: string | null = null;
    for (const c of ordered) {
      const f = path.join(c.path, "training_args.bin");
      if (await fsp.stat(f).then((st) => st.isFile(), () => false)) {
        found = f;
        break;
      }
    }
    if (!found) {
      const note =
        hfCheckpoints.length > 0
          ? `no training_args.bin in ${hfCheckpoints.map((c) => c.name).join(", ")} and no trainingConfig set: nothing to validate`
          : resume.framework !== null
            ? `no trainingConfig set, and the checkpoints in ${resume.checkpoint_dir} are ${resume.framework}'s, which record no TrainingArguments: nothing to validate (point trainingConfig at the run's JSON or YAML to have it checked)`
            : `no trainingConfig set and no HF checkpoint yet (the Trainer saves its arguments as training_args.bin in each checkpoint-N): nothing to validate`;
      // Said for "auto": a seed job whose config.json went missing is told why it is not asked for.
      const why = layout.profile === "auto" ? "layout auto: none of the seed layout's files (config.json, core/, queue/, inbox/) here, so a plain HF job; " : "";
      return report(layout.trainingConfig ?? layout.baseDir, "none", null, null, why + note);
    }
    file = found;
    source = "training_args.bin";
    const r = await readTrainingArgsFile(found);
    if (!r.ok) {
      errors.push({ field: FILE_FIELD, message: r.message });
      return report(file, source, null, null);
    }
    config = r.value;
  }
  const at = (k: string) => (lines[k] !== undefined ? ` (line ${lines[k]})` : "");

  const kind = configKind(config);
  if (kind !== "training_arguments") {
    const what = kind === "deepspeed" ? "a DeepSpeed config (zero_optimization, train_micro_batch_size_per_gpu...)" : "an `accelerate launch` config (compute_environment, distributed_type...)";
    warnings.push({
      field: FILE_FIELD,
      message: `${file} is ${what}, not the run's arguments: it has no output_dir or save settings, so trainsafe cannot tell where checkpoints go from it`,
    });
    suggestions.push("point trainingConfig at the file of the run's arguments (the TrainingArguments JSON/YAML the script reads), or leave it out: they are then read from training_args.bin in the checkpoint");
    if (kind === "deepspeed") checkDeepSpeed(config, errors, at);
    else checkAccelerate(config, errors, at);
    return report(file, source, kind, config);
  }

  for (const [k, want] of FIELDS) {
    const v = config[k];
    if (v === undefined || v === null || fits(want, v)) continue;
    if (yaml && typeof v === "string" && YAML12_NUMBER.test(v) && want !== "string" && want !== "bool") {
      warnings.push({
        field: k,
        message: `${show(v)}${at(k)} is text, not a number, to PyYAML (YAML 1.1 wants a dot and a signed exponent: ${pyyamlFloat(v)}): HfArgumentParser passes it on as text and training fails at the optimizer; tools that convert types (axolotl) accept it`,
      });
      continue;
    }
    errors.push({ field: k, message: `must be ${EXPECT[want]}, got ${show(v)}${at(k)}` });
  }
  const strategy = (k: string, allowed: readonly string[]) => {
    const v = config[k];
    if (v === undefined || v === null) return null;
    if (typeof v !== "string" || !allowed.includes(v)) {
      errors.push({ field: k, message: `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${show(v)}${at(k)}` });
      return null;
    }
    return v;
  };
  const saveStrategy = strategy("save_strategy", STRATEGIES);
  const evalStrategy = strategy("eval_strategy", ["no", "steps", "epoch"]) ?? strategy("evaluation_strategy", ["no", "steps", "epoch"]);
  const resumeValue = config.resume_from_checkpoint;
  if (resumeValue !== undefined && resumeValue !== null && typeof resumeValue !== "boolean" && typeof resumeValue !== "string") {
    errors.push({ field: "resume_from_checkpoint", message: `must be true, false or a checkpoint folder, got ${show(resumeValue)}${at("resume_from_checkpoint")}` });
  }

  // What TrainingArguments refuses when it is built (the job would exit at start, every restart).
  if (config.fp16 === true && config.bf16 === true) errors.push({ field: "bf16", message: `fp16 and bf16 are both true${at("bf16")}: TrainingArguments accepts at most one` });
  if (config.load_best_model_at_end === true) {
    const saveS = saveStrategy ?? "steps";
    const evalS = evalStrategy ?? "no";
    if (saveS !== "best" && evalS !== saveS) {
      errors.push({ field: "load_best_model_at_end", message: `needs save_strategy ("${saveS}") and eval_strategy ("${evalS}") to match${at("load_best_model_at_end")}: TrainingArguments refuses to start` });
    } else if (saveS === "steps" && typeof config.save_steps === "number" && typeof config.eval_steps === "number" && isInt(config.save_steps) && isInt(config.eval_steps) && config.eval_steps > 0 && config.save_steps % config.eval_steps !== 0) {
      errors.push({ field: "save_steps", message: `must be a multiple of eval_steps (${config.eval_steps}) when load_best_model_at_end is true, got ${config.save_steps}${at("save_steps")}` });
    }
  }

  // What decides whether a restart can resume.
  if (saveStrategy === "no") {
    warnings.push({ field: "save_strategy", message: `is "no"${at("save_strategy")}: no checkpoint is ever saved, so every restart starts training from scratch` });
    suggestions.push(`set save_strategy to "steps" with a save_steps that a restart can afford to lose`);
  }
  const maxSteps = config.max_steps;
  if ((saveStrategy ?? "steps") === "steps" && typeof maxSteps === "number" && maxSteps > 0 && typeof config.save_steps === "number" && isInt(config.save_steps) && config.save_steps > maxSteps) {
    warnings.push({ field: "save_steps", message: `${config.save_steps} is more than max_steps (${maxSteps})${at("save_steps")}: no checkpoint is saved before training ends, so a restart starts from scratch` });
  }
  if (config.save_only_model === true) {
    warnings.push({ field: "save_only_model", message: `is true${at("save_only_model")}: checkpoints hold no optimizer, scheduler or RNG state; a restart resumes the weights and step with a fresh optimizer and a learning-rate schedule that starts over` });
  }

  const outDir = typeof config.output_dir === "string" && config.output_dir.trim() !== "" ? path.resolve(layout.baseDir, config.output_dir) : null;
  const ckptDir = resume.framework === "hf-trainer" && resume.checkpoint_dir !== null ? path.resolve(layout.baseDir, resume.checkpoint_dir) : null;
  if (source === "training_args.bin") {
    // The arguments of the run that wrote this checkpoint: the next run takes its own command line,
    // so a difference is what happens if it is started the same way, not a certainty.
    if (outDir && ckptDir && outDir !== ckptDir) {
      warnings.push({
        field: "output_dir",
        message: `the run that wrote ${rel(path.dirname(file))} saved to ${outDir}, but its checkpoints are in ${ckptDir} (moved or copied?): started with the same arguments, a restart saves to and resumes from ${outDir}`,
      });
    }
  } else {
    if (outDir && ckptDir && outDir !== ckptDir && hfCheckpoints.length > 0) {
      warnings.push({ field: "output_dir", message: `is ${outDir}${at("output_dir")}, but the HF checkpoints are in ${ckptDir}: the Trainer looks for checkpoints in output_dir` });
    }
    const r = resumeSetting(config, layout.baseDir);
    if (r.mode === "path") {
      const st = await fsp.stat(r.path).catch(() => null);
      if (!st?.isDirectory()) errors.push({ field: "resume_from_checkpoint", message: `${show(resumeValue)}${at("resume_from_checkpoint")} is not a folder (looked for ${r.path}): the Trainer would fail to start` });
    } else if (r.mode === "off" && hfCheckpoints.length > 0) {
      warnings.push({ field: "resume_from_checkpoint", message: `${r.reason}${at("resume_from_checkpoint")}, but ${hfCheckpoints.length} checkpoint(s) exist (newest ${hfCheckpoints[0]!.name}): a restart would start from scratch` });
    }
  }
  const ds = config.deepspeed;
  if (typeof ds === "string" && ds.trim() !== "" && !ds.trim().startsWith("{")) {
    const abs = path.resolve(layout.baseDir, ds);
    const exists = await fsp.stat(abs).then((st) => st.isFile(), () => false);
    if (!exists) {
      const p = { field: "deepspeed", message: `${show(ds)}${at("deepspeed")} does not exist (looked for ${abs})` };
      // A recorded path may have moved since; a path in the user's file is what the next run loads.
      if (source === "training_args.bin") warnings.push(p);
      else errors.push({ ...p, message: `${p.message}: the job would fail to start` });
    }
  }
  return report(file, source, kind, config);
}

/** "1e-4" as PyYAML reads a float: 1.0e-4. */
function pyyamlFloat(v: string): string {
  const m = /^([-+]?)(\d+)(?:\.(\d*))?[eE]([-+]?)(\d+)$/.exec(v);
  return m ? `${m[1]}${m[2]}.${m[3] || "0"}e${m[4] || "+"}${m[5]}` : v;
}

function checkDeepSpeed(c: Record<string, unknown>, errors: Problem[], at: (k: string) => string): void {
  const zero = c.zero_optimization;
  const stage = zero && typeof zero === "object" && !Array.isArray(zero) ? (zero as Record<string, unknown>).stage : undefined;
  if (stage !== undefined && stage !== "auto" && !(typeof stage === "number" && isInt(stage) && stage >= 0 && stage <= 3)) {
    errors.push({ field: "zero_optimization.stage", message: `must be 0, 1, 2 or 3, got ${show(stage)}${at("zero_optimization")}` });
  }
  for (const k of ["train_batch_size", "train_micro_batch_size_per_gpu", "gradient_accumulation_steps"]) {
    const v = c[k];
    // "auto": the HF integration fills it from TrainingArguments.
    if (v !== undefined && v !== "auto" && !(typeof v === "number" && isInt(v) && v > 0)) errors.push({ field: k, message: `must be a positive integer or "auto", got ${show(v)}${at(k)}` });
  }
}

function checkAccelerate(c: Record<string, unknown>, errors: Problem[], at: (k: string) => string): void {
  const mp = c.mixed_precision;
  if (mp !== undefined && !(typeof mp === "string" && ["no", "fp16", "bf16", "fp8"].includes(mp))) {
    errors.push({ field: "mixed_precision", message: `must be "no", "fp16", "bf16" or "fp8", got ${show(mp)}${at("mixed_precision")}` });
  }
  const n = c.num_processes;
  if (n !== undefined && !(typeof n === "number" && isInt(n) && n > 0)) errors.push({ field: "num_processes", message: `must be a positive integer, got ${show(n)}${at("num_processes")}` });
}
