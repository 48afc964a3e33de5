/**
 * The supervisor's default collaborators from the rest of the agent: the crash scanner and history
 * (agent/crash) and the pre-flight guards (agent/guard). Kept apart from the supervisor so that its
 * decisions can be exercised with other implementations and so that this is the one place that
 * adapts their result shapes.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import type { Settings } from "../config/settings.js";
import { gpuCheck } from "../checks/gpu.js";
import { runCheck } from "../checks/runner.js";
import { appendCrashHistory } from "../crash/history.js";
import { loadRules, type CompiledRules } from "../crash/rules.js";
import { defaultLogFiles, scanFiles } from "../crash/scanner.js";
import { FILE_FIELD, validateConfig } from "../guard/config.js";
import { validateHfConfig } from "../guard/hf-config.js";
import { verifyResume, type ResumeReport } from "../guard/resume.js";
import type { Layout } from "../config/layout.js";
import { statfsFreeBytes, type PreflightDeps } from "./preflight.js";
import type { CrashApi } from "./supervisor.js";

/**
 * A host with no GPU tools at all (the GPU check skipped: nvidia-smi not installed, no NVIDIA GPU on
 * the PCI bus) keeps that answer this long: each check tries to start nvidia-smi and lspci, two
 * failed process starts on the path from a crash to the restart. Any other answer is never reused.
 */
const GPU_ABSENT_REUSE_MS = 60_000;
let gpuAbsent: { readonly key: string; readonly atMs: number; readonly result: { status: "skip"; message: string } } | null = null;

/**
 * One resume verification per pre-flight: the hf layout's config validation needs it too (to find the
 * checkpoint whose training_args.bin it reads), and both start in the same tick, so the second call
 * shares the first one's while it runs.
 */
const resumeInFlight = new Map<Layout, Promise<ResumeReport>>();
function sharedVerifyResume(layout: Layout): Promise<ResumeReport> {
  let p = resumeInFlight.get(layout);
  if (!p) {
    p = verifyResume(layout).finally(() => resumeInFlight.delete(layout));
    resumeInFlight.set(layout, p);
  }
  return p;
}

/** Pre-flight checks backed by the guard: validation never applies fixes from the supervisor. */
export const guardPreflight: PreflightDeps = {
  validateConfig: (layout) => validateConfig(layout, { applyFixes: false }),
  // Errors block (values TrainingArguments refuses at start, a trainingConfig that cannot be read, a
  // resume_from_checkpoint or deepspeed file that is not there); warnings do not. A training_args.bin
  // that cannot be read does not block: the Trainer never reads it back when it resumes (the run's
  // arguments come from its command line), so only trainsafe's view of the run is missing.
  validateHfConfig: async (layout) => {
    const r = await validateHfConfig(layout, { resume: sharedVerifyResume(layout) });
    const unreadableArgs = r.source === "training_args.bin" ? r.errors.filter((e) => e.field === FILE_FIELD) : [];
    const errors = r.errors.filter((e) => !unreadableArgs.includes(e));
    return { ok: errors.length === 0, errors, baseModelChanged: false, file: r.file, warnings: [...r.warnings, ...unreadableArgs] };
  },
  verifyResume: (layout) => sharedVerifyResume(layout),
  freeBytes: statfsFreeBytes,
  // The health check's GPU rules (nvidia-smi, PCI cross-check), under the per-check timeout.
  gpuHealth: async (settings) => {
    const c = settings.checks;
    const key = JSON.stringify([c.nvidiaSmi, c.lspci, c.expectGpus, c.expectedGpuCount ?? null, process.env.PATH ?? ""]);
    const now = Date.now();
    if (gpuAbsent && gpuAbsent.key === key && now - gpuAbsent.atMs >= 0 && now - gpuAbsent.atMs < GPU_ABSENT_REUSE_MS) return gpuAbsent.result;
    const r = (await runCheck(gpuCheck, settings, { timeoutMs: c.checkTimeout })).result;
    gpuAbsent = r.status === "skip" ? { key, atMs: now, result: { status: "skip", message: r.message } } : null;
    return r;
  },
};

/**
 * The compiled crash rules, kept between deaths: compiling them (and the scanner's literal prefilter,
 * cached per compiled set) took 50-140 ms of every crash -> restart, while the scan of a log's tail
 * itself takes a few. An extra rules file is compiled again when its size or mtime changes. They are
 * compiled at the first death, not at start: an agent whose daemon never crashes keeps its memory.
 */
let compiled: { readonly key: string; readonly rules: Promise<CompiledRules> } | null = null;

async function rulesOf(settings: Settings): Promise<CompiledRules> {
  const extra = settings.crash.rulesFile ? path.resolve(settings.layout.baseDir, settings.crash.rulesFile) : undefined;
  const st = extra ? await fsp.stat(extra).catch(() => null) : null;
  const key = extra ? `${extra}:${st ? `${st.ino}:${st.size}:${st.mtimeMs}` : "-"}` : "";
  if (compiled?.key !== key) {
    const rules = loadRules(extra);
    compiled = { key, rules };
    // A file that fails to load is tried again at the next death (and its error reported then).
    rules.catch(() => {
      if (compiled?.rules === rules) compiled = null;
    });
  }
  return compiled.rules;
}

/** Crash scanning and recording backed by agent/crash. */
export const crashModule: CrashApi = {
  async scan(settings, exit) {
    // As scanBaseDir (agent/crash/scanner.ts), with the rules compiled once.
    const [rules, files] = await Promise.all([rulesOf(settings), defaultLogFiles(settings.layout)]);
    const p = (await scanFiles(files, { rules, lastNLines: settings.crash.lastNLines, ...(exit ? { exit } : {}) })).primary;
    return p && { category: p.category, signature: p.signature, suggestion: p.suggestion, file: p.file, line: p.line, text: p.text };
  },
  async record(settings, entry) {
    const r = await appendCrashHistory(settings.layout, entry, { maxEntries: settings.crash.maxHistoryEntries });
    return r.problem ?? null;
  },
};
