/**
 * Where a restarted run would resume from, and whether that is right: every checkpoint-N in
 * current_model is verified at the header level, the newest complete one is the resume point, a newer
 * incomplete one is reported (never silently used), and a config that would not resume at all (resume
 * turned off, output_dir elsewhere) is called out with the steps that would be lost.
 * Fixes the seed's bug: the expected weights follow the config (full model vs LoRA), not a hard-coded
 * adapter_model.safetensors.
 *
 * The seed's layout is one profile. In the hf profile (a plain Trainer / torchrun / accelerate job)
 * there is no trainsafe config.json: the HF checkpoint folder is the model folder, or the output_dir
 * of the training config the user points at, or the one found in BASE_DIR; the run's arguments are
 * read from that JSON or, safely, from training_args.bin. Checkpoints of other frameworks
 * (agent/guard/layouts.ts) are verified too, and checkpoint-like files of no known layout make the
 * report not OK: a restart nobody can vouch for is never a silent OK.
 */
import path from "node:path";
import { z } from "zod";
import { effectiveProfile, type Layout } from "../config/layout.js";
import { readJsonFile } from "../lib/files.js";
import { files as fsp } from "../lib/fs-mode.js";
import { fast, lazyLooseObject } from "../lib/schema.js";
import { mapConcurrent } from "../lib/concurrent.js";
import { checkCheckpoint, CHECKPOINT_RE, FILE_CALLS_IN_FLIGHT, listCheckpointEntries, trainerStateSchema, type CheckpointCheck, type CheckpointEntry, type TrainingKind } from "./checkpoint.js";
import { configTrainingKind, outputDir, readConfigFile, resumeSetting, type ResumeSetting } from "./config.js";
import { scanCheckpointTrees, type CheckpointTree, type Framework } from "./layouts.js";
import { field, readPickle } from "./pickle.js";
import { readTrainingConfig } from "./training-config.js";
import { checkZip } from "./zip.js";

/** A checkpoint as `resume verify` reports it: the check's result without the weights kind. */
export type CheckpointInfo = Pick<CheckpointCheck, "name" | "step" | "complete" | "problems" | "mtimeMs" | "path"> & { warnings: string[] };

/** What training_args.bin (or the user's training config) says about saving and resuming. */
export interface TrainingArgsInfo {
  file: string;
  output_dir: string | null;
  save_only_model: boolean | null;
  resume_from_checkpoint: string | boolean | null;
  save_steps: number | null;
}

export interface ResumeReport {
  /** Problems and unknown layouts both make it false (exit 1 in `resume verify`). */
  ok: boolean;
  /** The layout profile in force ("auto" settled on disk). */
  layout: "seed" | "hf";
  /** The framework whose checkpoints a restart resumes from (null: no checkpoints). */
  framework: Framework | null;
  /** Folder of the checkpoints a restart resumes from, relative to BASE_DIR. */
  checkpoint_dir: string | null;
  /** Checkpoint trees of other frameworks, and of HF folders other than the resume folder. */
  trees: CheckpointTree[];
  /** Saved HF models (config.json beside the weights): not resume points. */
  saved_models: string[];
  /** Checkpoint-like files of no layout trainsafe knows, relative to BASE_DIR. */
  unknown_layouts: string[];
  training_args: TrainingArgsInfo | null;
  /** How the framework picks its checkpoint, and what the restart must pass it. */
  notes: string[];
  kind: "full" | "lora";
  /** Where the kind came from: config.json, the weights on disk, or the default (full). */
  kind_source: "config" | "disk" | "default";
  resume_from: string | null;
  resume_step: number | null;
  /** Newest first. */
  checkpoints: CheckpointInfo[];
  /** Findings that make the resume wrong or impossible (ok is false when there are any). */
  problems: string[];
  /** Findings that do not block a resume. */
  warnings: string[];
  /** Commands or edits that would fix the problems. */
  suggestions: string[];
  steps_lost: number | null;
  /** status/training_status.json current_step, when readable. */
  current_step: number | null;
  would_start_from_scratch: boolean;
  newest_incomplete: string | null;
  /** The run's config: the seed's config.json, or the trainingConfig file (hf); null when there is none. */
  config_file: string | null;
  model_dir: string;
}

/** Checkpoint folders verified at once (each keeps several file calls in flight itself). */
const CHECKPOINTS_IN_FLIGHT = Math.max(1, FILE_CALLS_IN_FLIGHT / 2);

const statusSchema = lazyLooseObject({ current_step: fast.nonNegativeInt }, ["current_step"], () => z.looseObject({ current_step: z.number().int().nonnegative() }));

const info = (c: CheckpointCheck): CheckpointInfo => ({
  name: c.name,
  step: c.step,
  complete: c.complete,
  problems: c.problems,
  warnings: c.warnings,
  mtimeMs: c.mtimeMs,
  path: c.path,
});


/** Verifies that training would resume from the newest complete checkpoint. Never throws. */
export async function verifyResume(layout: Layout): Promise<ResumeReport> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const suggestions: string[] = [];
  const rel = (p: string) => path.relative(layout.baseDir, p) || ".";

  const notes: string[] = [];
  const profile = await effectiveProfile(layout);
  const seed = profile === "seed";

  // The walk and the status file do not depend on the config: they are read while it is (mapConcurrent's
  // file comment says why), and awaited where their results are used (a no-op catch keeps a rejection
  // before then from counting as unhandled; the await still throws it).
  const scanning = scanCheckpointTrees(layout.baseDir, { extraDirs: [layout.modelDir], hfDirsKnown: seed ? [layout.modelDir] : [] });
  const statusReading = readJsonFile(layout.statusFile, statusSchema);
  scanning.catch(() => {});
  statusReading.catch(() => {});

  // The run's config: the seed's config.json; in the hf profile the JSON the user points at, if any.
  const configFile = seed ? layout.configFile : layout.trainingConfig;
  let cfgRead: { ok: boolean } = { ok: true };
  let config: Record<string, unknown> = {};
  if (seed) {
    const read = await readConfigFile(layout.configFile);
    cfgRead = read;
    if (!read.ok) {
      problems.push(`${read.message}: cannot tell how training resumes`);
    } else if (!read.value || typeof read.value !== "object" || Array.isArray(read.value)) {
      problems.push(`${layout.configFile}: must be a JSON object: cannot tell how training resumes`);
    } else {
      config = read.value as Record<string, unknown>;
    }
  } else if (layout.trainingConfig) {
    const read = await readTrainingConfig(layout.trainingConfig);
    cfgRead = read;
    if (!read.ok) problems.push(`${read.message} (the trainingConfig setting): cannot tell how training resumes`);
    else config = read.value;
  }

  const scan = await scanning;
  // The HF checkpoint folder: the model folder; in the hf profile else output_dir, else the one found.
  const configOut = outputDir(config, layout.baseDir);
  let modelDir: string | null = layout.modelDir;
  if (!seed && !scan.hfDirs.includes(layout.modelDir)) {
    modelDir = configOut && scan.hfDirs.includes(configOut) ? configOut : (await newestHfDir(scan.hfDirs)) ?? (configOut ? layout.modelDir : null);
  }
  for (const d of scan.hfDirs) {
    if (d !== modelDir) warnings.push(`${rel(d)} also holds HF Trainer checkpoints; a restart resumes from ${modelDir ? rel(modelDir) : "neither"}, not from there`);
  }

  // checkpoint-N folders of torch.save files are a torch tree (layouts.ts), not HF checkpoints missing their files.
  if (modelDir && !scan.hfDirs.includes(modelDir) && scan.trees.some((t) => path.resolve(layout.baseDir, t.dir) === modelDir && t.checkpoints.some((c) => CHECKPOINT_RE.test(path.basename(c.path))))) {
    modelDir = null;
  }
  const listed = modelDir ? await listCheckpointEntries(modelDir) : { entries: [], problem: null };
  if (listed.problem) problems.push(listed.problem);
  // training_type / use_lora / lora are the seed config.json's keys; an hf job's own file (TRL,
  // axolotl, a script's YAML) uses them for other things, and the Trainer loads what is on disk.
  const configKind = seed ? configTrainingKind(config) : null;
  const checks: CheckpointCheck[] = await mapConcurrent(listed.entries, CHECKPOINTS_IN_FLIGHT, (entry) => checkCheckpoint(entry, configKind));

  const real = checks.filter((c) => c.step !== null && !c.problems.some((p) => p.endsWith(": is not a folder")));
  for (const c of checks) {
    if (!real.includes(c)) warnings.push(`${c.problems[0] ?? c.name} (ignored: the trainer does not use it)`);
  }
  const diskKind = real.find((c) => c.kindOnDisk !== null)?.kindOnDisk ?? null;
  const kind: TrainingKind = configKind ?? diskKind ?? "full";
  const kindSource = configKind ? "config" : diskKind ? "disk" : "default";

  const complete = real.filter((c) => c.complete);
  const newest = real[0] ?? null;
  const newestComplete = complete[0] ?? null;
  const newestIncomplete = newest && !newest.complete ? newest : null;
  const resume: ResumeSetting = cfgRead.ok ? resumeSetting(config, layout.baseDir) : { mode: "auto", reason: "config.json unreadable" };

  let resumeFrom: CheckpointCheck | null = null;
  let fromScratch = false;
  const outDir = configOut;
  const md = modelDir ?? layout.modelDir;

  if (resume.mode === "off") {
    if (real.length > 0) {
      fromScratch = true;
      problems.push(
        `training would start from scratch: ${resume.reason}, though current_model has ${real.length} checkpoint(s)` +
          (newestComplete ? ` (newest complete: ${newestComplete.name})` : ""),
      );
      suggestions.push(`set "resume_from_checkpoint": true in ${rel(configFile ?? layout.configFile)}`);
    }
  } else if (resume.mode === "path") {
    const named = await explicitCheckpoint(resume.path, checks, configKind);
    if (!named) {
      problems.push(`resume_from_checkpoint names ${resume.path}, which does not exist: the trainer would fail to start`);
    } else if (!named.complete) {
      problems.push(`resume_from_checkpoint names ${named.name}, which is incomplete: ${named.problems.join("; ")}`);
      if (newestComplete) suggestions.push(`set "resume_from_checkpoint" to "${rel(newestComplete.path)}"`);
    } else {
      resumeFrom = named;
      if (path.dirname(named.path) !== md) warnings.push(`resume_from_checkpoint points outside ${md}: ${named.path}`);
      if (newestComplete && named.step !== null && newestComplete.step !== null && newestComplete.step > named.step) {
        warnings.push(`resume_from_checkpoint names ${named.name}, but ${newestComplete.name} is newer and complete`);
      }
    }
    if (newestIncomplete && newestIncomplete !== named) {
      warnings.push(`${newestIncomplete.name} is incomplete and newer (not used: resume_from_checkpoint names a checkpoint)`);
    }
  } else if (outDir && outDir !== md) {
    if (real.length > 0) {
      fromScratch = true;
      problems.push(
        `training would start from scratch: output_dir is ${outDir}, so the trainer looks for checkpoints there, not in ${md}` +
          (newestComplete ? ` (newest complete: ${newestComplete.name})` : ""),
      );
      suggestions.push(`set "output_dir" to "${rel(md)}" in ${rel(configFile ?? layout.configFile)}`);
    }
  } else if (real.length > 0) {
    resumeFrom = newestComplete;
    if (!newestComplete) {
      fromScratch = true;
      problems.push(`no complete checkpoint in ${md}: training would start from scratch (or fail loading ${newest!.name})`);
    }
    if (newestIncomplete) {
      // Transformers' get_last_checkpoint picks the highest checkpoint-N whatever its state.
      problems.push(
        `${newestIncomplete.name} is incomplete (${newestIncomplete.problems.length} problem(s): ${newestIncomplete.problems[0]})` +
          (newestComplete ? ` and newer than ${newestComplete.name}` : "") +
          `: resuming from the latest checkpoint would load it and fail`,
      );
      const aside = path.join(md, `incomplete-${newestIncomplete.name}`);
      suggestions.push(`move it aside: mv ${rel(newestIncomplete.path)} ${rel(aside)}`);
      if (newestComplete) suggestions.push(`or set "resume_from_checkpoint" to "${rel(newestComplete.path)}"`);
    }
  }
  if (seed && resume.mode !== "off" && configKind === null && cfgRead.ok && diskKind) {
    warnings.push(`config.json does not say full or LoRA training; judged from the weights on disk: ${diskKind}`);
  }

  // Checkpoints of other frameworks: with no HF checkpoints, the tree in the model folder or the newest is the resume point.
  let framework: Framework | null = real.length > 0 ? "hf-trainer" : null;
  let checkpointDir: string | null = real.length > 0 ? rel(md) : null;
  let primary: CheckpointTree | null = null;
  if (real.length === 0 && scan.trees.length > 0) {
    primary = scan.trees.find((t) => path.resolve(layout.baseDir, t.dir) === layout.modelDir) ?? newestTree(scan.trees);
    framework = primary.framework;
    checkpointDir = primary.dir;
    problems.push(...primary.problems);
    warnings.push(...primary.warnings);
    notes.push(`${primary.framework}: ${primary.how}`);
    if (primary.resume_from) notes.push(`resume from ${primary.resume_from}${primary.resume_step !== null ? ` (step ${primary.resume_step})` : ""}`);
  }
  for (const t of scan.trees) {
    if (t === primary) continue;
    for (const p of t.problems) warnings.push(`${t.dir} (${t.framework}, not the resume folder): ${p}`);
  }
  if (framework === "hf-trainer" && !seed) {
    notes.push(
      resume.mode === "path"
        ? `the Trainer resumes from ${String(config.resume_from_checkpoint)} (resume_from_checkpoint in ${rel(configFile!)})`
        : `the Trainer resumes from ${rel(md)}/${resumeFrom?.name ?? "checkpoint-N"} only when the script calls trainer.train(resume_from_checkpoint=True) (or names the folder)`,
    );
  }
  if (scan.unknown.length > 0) {
    warnings.push(
      `unknown checkpoint layout: ${scan.unknown.slice(0, 5).join(", ")}${scan.unknown.length > 5 ? ` and ${scan.unknown.length - 5} more` : ""}: ` +
        `no HF Trainer, accelerate, DeepSpeed, Lightning or torch.save layout accounts for them, so trainsafe cannot tell what a restart resumes from`,
    );
  }
  const trainingArgs = await readTrainingArgs(configFile && cfgRead.ok && !seed ? { file: configFile, config } : null, resumeFrom ?? real[0] ?? null);
  if (trainingArgs?.save_only_model) {
    notes.push(`${rel(trainingArgs.file)}: save_only_model=True: the Trainer saves no optimizer, scheduler or RNG state, so every resume starts them fresh`);
  }

  // Steps lost: from the status file's current_step down to where training would start again.
  const status = await statusReading;
  const currentStep = status.ok ? status.value.current_step : null;
  let stepsLost: number | null = null;
  const startStep = resumeFrom ? resumeFrom.step : primary ? primary.resume_step : fromScratch || real.length === 0 ? 0 : null;
  if (!status.ok) {
    // A plain HF job writes no status file; only the seed's trainer promises one.
    if (seed && (real.length > 0 || fromScratch)) warnings.push(`steps lost unknown: ${status.message}`);
  } else if (startStep !== null && currentStep !== null) {
    stepsLost = Math.max(0, currentStep - startStep);
    if (currentStep < startStep) warnings.push(`status current_step ${currentStep} is behind ${resumeFrom?.name ?? "the resume point"} (status file stale?)`);
  }

  for (const c of checks) if (c === resumeFrom) warnings.push(...c.warnings);
  const treeInfo = (primary?.checkpoints ?? []).map((c) => ({ ...c, warnings: [] as string[] }));
  return {
    ok: problems.length === 0 && scan.unknown.length === 0,
    layout: profile,
    framework,
    checkpoint_dir: checkpointDir,
    trees: scan.trees,
    saved_models: scan.savedModels,
    unknown_layouts: scan.unknown,
    training_args: trainingArgs,
    notes,
    kind,
    kind_source: kindSource,
    resume_from: resumeFrom?.name ?? primary?.resume_from ?? null,
    resume_step: resumeFrom?.step ?? primary?.resume_step ?? null,
    checkpoints: [...checks.map(info), ...treeInfo],
    problems,
    warnings,
    suggestions,
    steps_lost: stepsLost,
    current_step: currentStep,
    would_start_from_scratch: fromScratch,
    newest_incomplete: newestIncomplete?.name ?? null,
    config_file: configFile,
    model_dir: md,
  };
}

/** Of several folders with HF checkpoints, the one whose newest checkpoint was written last. */
async function newestHfDir(dirs: string[]): Promise<string | null> {
  let best: { dir: string; mtimeMs: number } | null = null;
  for (const d of dirs) {
    const { entries } = await listCheckpointEntries(d);
    const mtimeMs = Math.max(0, ...entries.map((e) => e.mtimeMs));
    if (!best || mtimeMs > best.mtimeMs) best = { dir: d, mtimeMs };
  }
  return best?.dir ?? null;
}

/** Of several checkpoint trees, the one holding the most recently written checkpoint. */
function newestTree(trees: CheckpointTree[]): CheckpointTree {
  const newest = (t: CheckpointTree) => Math.max(0, ...t.checkpoints.map((c) => c.mtimeMs));
  return trees.reduce((a, b) => (newest(b) > newest(a) ? b : a));
}

/**
 * The saving and resuming arguments of the run: from the training config the user points at, else
 * from training_args.bin in the checkpoint (a pickle: its plain values are read, nothing is run).
 */
async function readTrainingArgs(given: { file: string; config: Record<string, unknown> } | null, ckpt: CheckpointCheck | null): Promise<TrainingArgsInfo | null> {
  const pick = (get: (k: string) => unknown, file: string): TrainingArgsInfo => {
    const str = (k: string) => (typeof get(k) === "string" ? (get(k) as string) : null);
    const resume = get("resume_from_checkpoint");
    const steps = get("save_steps");
    return {
      file,
      output_dir: str("output_dir"),
      save_only_model: typeof get("save_only_model") === "boolean" ? (get("save_only_model") as boolean) : null,
      resume_from_checkpoint: typeof resume === "string" || typeof resume === "boolean" ? resume : null,
      save_steps: typeof steps === "number" ? steps : null,
    };
  };
  if (given) return pick((k) => given.config[k], given.file);
  if (!ckpt) return null;
  const file = path.join(ckpt.path, "training_args.bin");
  const z = await checkZip(file, { readPickle: true });
  if (!z.ok || !z.pickle) return null;
  try {
    const args = readPickle(z.pickle);
    return pick((k) => field(args, k), file);
  } catch {
    return null;
  }
}

/**
 * The checkpoint an explicit resume_from_checkpoint path names, checked even outside current_model.
 * A folder not named checkpoint-N takes its step from trainer_state.json (Transformers accepts any folder).
 */
async function explicitCheckpoint(target: string, checks: CheckpointCheck[], kind: TrainingKind | null): Promise<CheckpointCheck | null> {
  const known = checks.find((c) => path.resolve(c.path) === target);
  if (known) return known;
  const st = await fsp.stat(target).catch(() => null);
  if (!st) return null;
  const name = path.basename(target);
  let step = Number(CHECKPOINT_RE.exec(name)?.[1] ?? NaN);
  if (!Number.isSafeInteger(step)) {
    const state = await readJsonFile(path.join(target, "trainer_state.json"), trainerStateSchema);
    step = state.ok ? state.value.global_step : 0;
  }
  const entry: CheckpointEntry = { name, path: target, step, isDir: st.isDirectory(), mtimeMs: st.mtimeMs };
  return checkCheckpoint(entry, kind);
}
