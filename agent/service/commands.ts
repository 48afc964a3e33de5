/**
 * The commands an agent runs for the controller: a closed list, each mapped to the same function the
 * local CLI calls. Process actions go through the supervisor, so the identity guard and the restart
 * budget apply exactly as they do locally. Nothing else can be run.
 */
import type { Settings } from "../config/settings.js";
import { runChecks } from "../checks/runner.js";
import { scanBaseDir } from "../crash/scanner.js";
import { validateConfig } from "../guard/config.js";
import { verifyResume } from "../guard/resume.js";
import { describeError } from "../lib/errors.js";
import type { AgentCommand, AgentCommandResult } from "./types.js";

/** What the command layer needs from the supervisor for process actions. */
export interface DaemonControl {
  killDaemon(reason: string): Promise<{ ok: boolean; message: string; details?: unknown }>;
  restartDaemon(reason: string): Promise<{ ok: boolean; message: string; details?: unknown }>;
}

/** Runs one enumerated command; never throws (a failure is a result with ok=false). */
export async function executeCommand(cmd: AgentCommand, settings: Settings, daemon: DaemonControl): Promise<AgentCommandResult> {
  try {
    switch (cmd.kind) {
      case "run_checks": {
        const report = await runChecks(settings, { fix: cmd.fix, ...(cmd.names.length ? { only: cmd.names } : {}) });
        const s = report.summary;
        const fixed = report.fixes.filter((f) => f.applied).length;
        return {
          ok: true,
          output: report,
          error: "",
          summary: `${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.skip} skip${cmd.fix ? `, ${fixed} fixed` : ""}`,
          problems: s.fail + s.warn,
        };
      }
      case "scan_crashes": {
        const r = await scanBaseDir(settings, cmd.lastNLines > 0 ? { lastNLines: cmd.lastNLines } : {});
        return {
          ok: true,
          output: r,
          error: "",
          summary: r.primary ? `${r.primary.category}: ${r.primary.text.slice(0, 200)}` : "no crash found",
          problems: r.findings.length,
        };
      }
      case "verify_resume": {
        const r = await verifyResume(settings.layout);
        return {
          ok: true,
          output: r,
          error: "",
          summary: r.ok ? `resume from ${r.resume_from ?? "scratch (no checkpoints)"}` : `not ok: ${r.problems[0] ?? "see output"}`,
          problems: r.problems.length,
        };
      }
      case "validate_config": {
        const r = await validateConfig(settings.layout, { applyFixes: false });
        return {
          ok: true,
          output: r,
          error: "",
          summary: r.ok ? `valid (${r.warnings.length} warnings)` : `${r.errors.length} errors: ${r.errors[0]?.field}: ${r.errors[0]?.message}`,
          problems: r.errors.length,
        };
      }
      case "kill_daemon": {
        const r = await daemon.killDaemon(cmd.reason || "operator request");
        return { ok: r.ok, output: r.details ?? null, error: r.ok ? "" : r.message, summary: r.message, problems: r.ok ? 0 : 1 };
      }
      case "restart_daemon": {
        const r = await daemon.restartDaemon(cmd.reason || "operator request");
        return { ok: r.ok, output: r.details ?? null, error: r.ok ? "" : r.message, summary: r.message, problems: r.ok ? 0 : 1 };
      }
    }
  } catch (err) {
    return { ok: false, output: null, error: describeError(err), summary: "failed", problems: 0 };
  }
}
