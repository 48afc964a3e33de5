/**
 * Where a restarted run would resume from, and whether that is right: every checkpoint-N in
 * current_model is verified at the header level, the newest complete one is the resume point, a newer
 * incomplete one is reported (never silently used), and a config that would not resume at all (resume
 * turned off, output_dir elsewhere) is called out with the steps that would be lost.
 * Fixes the seed's bug: the expected weights follow the config (full model vs LoRA), not a hard-coded
 * adapter_model.safetensors.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { Layout } from "../config/layout.js";
import { readJsonFile } from "../lib/files.js";
import { checkCheckpoint, CHECKPOINT_RE, listCheckpointEntries, type CheckpointCheck, type CheckpointEntry, type TrainingKind } from "./checkpoint.js";
import { configTrainingKind, outputDir, readConfigFile, resumeSetting, type ResumeSetting } from "./config.js";

/** A checkpoint as `resume verify` reports it: the check's result without the weights kind. */
export type CheckpointInfo = Pick<CheckpointCheck, "name" | "step" | "complete" | "problems" | "mtimeMs" | "path">;

export interface ResumeReport {
  ok: boolean;
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
  config_file: string;
  model_dir: string;
}

const statusSchema = z.looseObject({ current_step: z.number().int().nonnegative() });

const info = (c: CheckpointCheck): CheckpointInfo => ({
  name: c.name,
  step: c.step,
  complete: c.complete,
  problems: c.problems,
  mtimeMs: c.mtimeMs,
  path: c.path,
});

/** Verifies that training would resume from the newest complete checkpoint. Never throws. */
export async function verifyResume(layout: Layout): Promise<ResumeReport> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const suggestions: string[] = [];
  const rel = (p: string) => path.relative(layout.baseDir, p) || ".";

  const cfgRead = await readConfigFile(layout.configFile);
  let config: Record<string, unknown> = {};
  if (!cfgRead.ok) {
    problems.push(`${cfgRead.message}: cannot tell how training resumes`);
  } else if (!cfgRead.value || typeof cfgRead.value !== "object" || Array.isArray(cfgRead.value)) {
    problems.push(`${layout.configFile}: must be a JSON object: cannot tell how training resumes`);
  } else {
    config = cfgRead.value as Record<string, unknown>;
  }

  const listed = await listCheckpointEntries(layout.modelDir);
  if (listed.problem) problems.push(listed.problem);
  const configKind = configTrainingKind(config);
  const checks: CheckpointCheck[] = [];
  for (const entry of listed.entries) checks.push(await checkCheckpoint(entry, configKind));

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
  const outDir = outputDir(config, layout.baseDir);

  if (resume.mode === "off") {
    if (real.length > 0) {
      fromScratch = true;
      problems.push(
        `training would start from scratch: ${resume.reason}, though current_model has ${real.length} checkpoint(s)` +
          (newestComplete ? ` (newest complete: ${newestComplete.name})` : ""),
      );
      suggestions.push(`set "resume_from_checkpoint": true in ${rel(layout.configFile)}`);
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
      if (path.dirname(named.path) !== layout.modelDir) warnings.push(`resume_from_checkpoint points outside ${layout.modelDir}: ${named.path}`);
      if (newestComplete && named.step !== null && newestComplete.step !== null && newestComplete.step > named.step) {
        warnings.push(`resume_from_checkpoint names ${named.name}, but ${newestComplete.name} is newer and complete`);
      }
    }
    if (newestIncomplete && newestIncomplete !== named) {
      warnings.push(`${newestIncomplete.name} is incomplete and newer (not used: resume_from_checkpoint names a checkpoint)`);
    }
  } else if (outDir && outDir !== layout.modelDir) {
    if (real.length > 0) {
      fromScratch = true;
      problems.push(
        `training would start from scratch: output_dir is ${outDir}, so the trainer looks for checkpoints there, not in ${layout.modelDir}` +
          (newestComplete ? ` (newest complete: ${newestComplete.name})` : ""),
      );
      suggestions.push(`set "output_dir" to "${rel(layout.modelDir)}" in ${rel(layout.configFile)}`);
    }
  } else if (real.length > 0) {
    resumeFrom = newestComplete;
    if (!newestComplete) {
      fromScratch = true;
      problems.push(`no complete checkpoint in ${layout.modelDir}: training would start from scratch (or fail loading ${newest!.name})`);
    }
    if (newestIncomplete) {
      // Transformers' get_last_checkpoint picks the highest checkpoint-N whatever its state.
      problems.push(
        `${newestIncomplete.name} is incomplete (${newestIncomplete.problems.length} problem(s): ${newestIncomplete.problems[0]})` +
          (newestComplete ? ` and newer than ${newestComplete.name}` : "") +
          `: resuming from the latest checkpoint would load it and fail`,
      );
      const aside = path.join(layout.modelDir, `incomplete-${newestIncomplete.name}`);
      suggestions.push(`move it aside: mv ${rel(newestIncomplete.path)} ${rel(aside)}`);
      if (newestComplete) suggestions.push(`or set "resume_from_checkpoint" to "${rel(newestComplete.path)}"`);
    }
  }
  if (resume.mode !== "off" && configKind === null && cfgRead.ok && diskKind) {
    warnings.push(`config.json does not say full or LoRA training; judged from the weights on disk: ${diskKind}`);
  }

  // Steps lost: from the status file's current_step down to where training would start again.
  const status = await readJsonFile(layout.statusFile, statusSchema);
  const currentStep = status.ok ? status.value.current_step : null;
  let stepsLost: number | null = null;
  const startStep = resumeFrom ? resumeFrom.step : fromScratch || real.length === 0 ? 0 : null;
  if (!status.ok) {
    if (real.length > 0 || fromScratch) warnings.push(`steps lost unknown: ${status.message}`);
  } else if (startStep !== null && currentStep !== null) {
    stepsLost = Math.max(0, currentStep - startStep);
    if (currentStep < startStep) warnings.push(`status current_step ${currentStep} is behind ${resumeFrom?.name ?? "the resume point"} (status file stale?)`);
  }

  return {
    ok: problems.length === 0,
    kind,
    kind_source: kindSource,
    resume_from: resumeFrom?.name ?? null,
    resume_step: resumeFrom?.step ?? null,
    checkpoints: checks.map(info),
    problems,
    warnings,
    suggestions,
    steps_lost: stepsLost,
    current_step: currentStep,
    would_start_from_scratch: fromScratch,
    newest_incomplete: newestIncomplete?.name ?? null,
    config_file: layout.configFile,
    model_dir: layout.modelDir,
  };
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
    const state = await readJsonFile(path.join(target, "trainer_state.json"), z.looseObject({ global_step: z.number().int().nonnegative() }));
    step = state.ok ? state.value.global_step : 0;
  }
  const entry: CheckpointEntry = { name, path: target, step, isDir: st.isDirectory(), mtimeMs: st.mtimeMs };
  return checkCheckpoint(entry, kind);
}
