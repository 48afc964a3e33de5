/**
 * Pre-flight checks before the supervisor starts the daemon. A restart into a state that cannot work
 * only burns the budget and, worse, can train on the wrong base model or from scratch over good
 * checkpoints. Each failing check blocks the restart with a reason a person can act on:
 * - the daemon pattern must be a valid regex (the daemon command itself need not match it: a
 *   daemon trainsafe starts is proven by its launch id, whatever its launcher execs into; the pattern
 *   only guards the adoption of a daemon started by hand);
 * - config validation: errors, or a base_model changed while checkpoints exist (the seed layout's
 *   config.json); in the hf layout, which has none, the run's arguments (the trainingConfig JSON/YAML,
 *   else the TrainingArguments saved as training_args.bin in the checkpoint): values HF refuses at
 *   start block (the restart would only exit again, every time, until the budget is spent), with the
 *   file and field; warnings do not;
 * - resume verification: a restart that would start from scratch although checkpoints exist;
 * - free disk space in BASE_DIR (a checkpoint save would fail mid-way);
 * - the GPUs, when there are any (a GPU fallen off the bus, uncorrectable ECC errors, a failed row
 *   remapping: a restart onto broken hardware only crashes again, and the node needs draining).
 */
import { promises as fsp } from "node:fs";
import type { Settings } from "../config/settings.js";
import { effectiveProfile, type Layout } from "../config/layout.js";
import { FILE_FIELD } from "../guard/config.js";
import { readTrainingConfig } from "../guard/training-config.js";
import { describeError } from "../lib/errors.js";
import { formatBytes } from "../lib/units.js";

/** The parts of the guard's config validation the supervisor needs. */
export interface ConfigVerdict {
  readonly ok: boolean;
  readonly errors: ReadonlyArray<{ readonly field: string; readonly message: string }>;
  readonly baseModelChanged: boolean;
  /** The file validated, when it is not the layout's config.json (hf layout: trainingConfig or training_args.bin). */
  readonly file?: string;
  /** Problems that do not block (logged). */
  readonly warnings?: ReadonlyArray<{ readonly field: string; readonly message: string }>;
}

/** The parts of the guard's resume verification the supervisor needs. */
export interface ResumeVerdict {
  readonly ok: boolean;
  readonly would_start_from_scratch: boolean;
  readonly problems: ReadonlyArray<unknown>;
}

export interface PreflightDeps {
  readonly validateConfig: (layout: Layout) => Promise<ConfigVerdict>;
  /**
   * The hf layout's validation (the guard's validateHfConfig); absent: only whether the trainingConfig
   * file, when set, can be read.
   */
  readonly validateHfConfig?: (layout: Layout) => Promise<ConfigVerdict>;
  readonly verifyResume: (layout: Layout) => Promise<ResumeVerdict>;
  /** Free bytes available to an unprivileged user on the file system holding `dir`. */
  readonly freeBytes: (dir: string) => Promise<number>;
  /** GPU health: "fail" blocks, "warn" is logged; absent: not checked. */
  readonly gpuHealth?: (settings: Settings) => Promise<{ readonly status: "pass" | "warn" | "fail" | "skip"; readonly message: string }>;
}

export interface PreflightResult {
  readonly ok: boolean;
  /** Reasons that block the restart. */
  readonly blockers: string[];
  /** Problems worth logging that do not block. */
  readonly warnings: string[];
}

/** Free space from statfs (blocks available to non-root, as `df` shows). */
export async function statfsFreeBytes(dir: string): Promise<number> {
  const st = await fsp.statfs(dir);
  return Number(st.bavail) * Number(st.bsize);
}

function problemText(p: unknown): string {
  if (typeof p === "string") return p;
  if (p && typeof p === "object" && "message" in p && typeof (p as { message: unknown }).message === "string") {
    return (p as { message: string }).message;
  }
  return JSON.stringify(p);
}

/** The hf layout has no trainsafe config.json: only a trainingConfig file, when set, must be readable (JSON or YAML). */
async function trainingConfigVerdict(layout: Layout): Promise<ConfigVerdict> {
  if (!layout.trainingConfig) return { ok: true, errors: [], baseModelChanged: false };
  const r = await readTrainingConfig(layout.trainingConfig);
  return r.ok
    ? { ok: true, errors: [], baseModelChanged: false }
    : { ok: false, errors: [{ field: FILE_FIELD, message: r.message }], baseModelChanged: false, file: layout.trainingConfig };
}

/** Runs every pre-flight check; never throws (a check that fails to run blocks, with its error). */
export async function runPreflight(settings: Settings, deps: PreflightDeps): Promise<PreflightResult> {
  const { layout, watchdog: w } = settings;
  const blockers: string[] = [];
  const warnings: string[] = [];

  try {
    new RegExp(w.daemonPattern);
  } catch {
    blockers.push(`daemon pattern /${w.daemonPattern}/ is not a valid regular expression`);
  }

  const profile = await effectiveProfile(layout).catch(() => "seed" as const);
  const [config, resume, free, gpu] = await Promise.allSettled([
    profile === "hf" ? (deps.validateHfConfig ? deps.validateHfConfig(layout) : trainingConfigVerdict(layout)) : deps.validateConfig(layout),
    deps.verifyResume(layout),
    deps.freeBytes(layout.baseDir),
    deps.gpuHealth ? deps.gpuHealth(settings) : Promise.resolve({ status: "skip" as const, message: "" }),
  ]);

  if (config.status === "rejected") blockers.push(`config validation failed to run: ${describeError(config.reason)}`);
  else if (config.value.baseModelChanged) {
    blockers.push(`base_model in ${layout.configFile} differs from the locked config while checkpoints exist: restarting would train on the wrong base model`);
  } else if (!config.value.ok) {
    // A file-level problem's message names the file already.
    const errs = config.value.errors.map((e) => (e.field === FILE_FIELD ? e.message : `${e.field}: ${e.message}`));
    const file = config.value.file ?? layout.configFile;
    const hf = profile === "hf" ? " (HF would refuse it at start: the restart would only fail again; fix it and the restart goes on by itself)" : "";
    blockers.push(`${file} is invalid: ${errs.slice(0, 5).join("; ") || "validation failed"}${hf}`);
  }
  if (config.status === "fulfilled") warnings.push(...(config.value.warnings ?? []).map((e) => `${config.value.file ?? layout.configFile}: ${e.field === FILE_FIELD ? "" : `${e.field}: `}${e.message}`));

  if (resume.status === "rejected") blockers.push(`resume verification failed to run: ${describeError(resume.reason)}`);
  else {
    if (resume.value.would_start_from_scratch) {
      blockers.push(`a restart would start training from scratch although checkpoints exist (${resume.value.problems.map(problemText).slice(0, 3).join("; ") || "see trainsafe resume verify"})`);
    } else if (!resume.value.ok) {
      warnings.push(...resume.value.problems.map(problemText).slice(0, 5));
    }
  }

  if (free.status === "rejected") warnings.push(`cannot read free disk space of ${layout.baseDir}: ${describeError(free.reason)}`);
  else if (free.value < w.minDiskFreeForRestart) {
    blockers.push(`only ${formatBytes(free.value)} free in ${layout.baseDir} (need ${formatBytes(w.minDiskFreeForRestart)} before a restart)`);
  }
  if (gpu.status === "rejected") warnings.push(`GPU check failed to run: ${describeError(gpu.reason)}`);
  else if (gpu.value.status === "fail") blockers.push(`GPU check failed: ${gpu.value.message} (drain or repair the node; see trainsafe check --only gpu)`);
  else if (gpu.value.status === "warn") warnings.push(`GPU: ${gpu.value.message}`);
  return { ok: blockers.length === 0, blockers, warnings };
}
