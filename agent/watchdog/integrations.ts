/**
 * The supervisor's default collaborators from the rest of the agent: the crash scanner and history
 * (agent/crash) and the pre-flight guards (agent/guard). Kept apart from the supervisor so that its
 * decisions can be exercised with other implementations and so that this is the one place that
 * adapts their result shapes.
 */
import { gpuCheck } from "../checks/gpu.js";
import { runCheck } from "../checks/runner.js";
import { appendCrashHistory } from "../crash/history.js";
import { scanBaseDir } from "../crash/scanner.js";
import { validateConfig } from "../guard/config.js";
import { verifyResume } from "../guard/resume.js";
import { statfsFreeBytes, type PreflightDeps } from "./preflight.js";
import type { CrashApi } from "./supervisor.js";

/** Pre-flight checks backed by the guard: validation never applies fixes from the supervisor. */
export const guardPreflight: PreflightDeps = {
  validateConfig: (layout) => validateConfig(layout, { applyFixes: false }),
  verifyResume: (layout) => verifyResume(layout),
  freeBytes: statfsFreeBytes,
  // The health check's GPU rules (nvidia-smi, PCI cross-check), under the per-check timeout.
  gpuHealth: async (settings) => (await runCheck(gpuCheck, settings, { timeoutMs: settings.checks.checkTimeout })).result,
};

/** Crash scanning and recording backed by agent/crash. */
export const crashModule: CrashApi = {
  async scan(settings, exit) {
    const p = (await scanBaseDir(settings, exit ? { exit } : {})).primary;
    return p && { category: p.category, signature: p.signature, suggestion: p.suggestion, file: p.file, line: p.line, text: p.text };
  },
  async record(settings, entry) {
    const r = await appendCrashHistory(settings.layout, entry, { maxEntries: settings.crash.maxHistoryEntries });
    return r.problem ?? null;
  },
};
