/** `trainsafe resume verify`: where a restart would resume from, and whether that is right. */
import type { Command } from "commander";
import { verifyResume, type ResumeReport } from "../../agent/guard/resume.js";
import { formatTable, localOptions, printJson, settingsFor, type LocalOptions } from "../common.js";

/** Registers `resume verify`. */
export function register(program: Command): void {
  const resume = program.command("resume").description("checkpoint resume verification");
  localOptions(
    resume
      .command("verify")
      .description("verify every checkpoint in current_model and the checkpoint training would resume from"),
  ).action(async (opts: LocalOptions) => {
    const { layout } = await settingsFor(opts);
    const report = await verifyResume(layout);
    if (opts.json) printJson(report);
    else process.stdout.write(renderResumeReport(report));
    process.exitCode = report.ok ? 0 : 1;
  });
}

/** Human rendering of a resume report. */
export function renderResumeReport(r: ResumeReport): string {
  const lines = [`config:      ${r.config_file}`, `checkpoints: ${r.model_dir}`, `kind:        ${r.kind === "lora" ? "LoRA adapter" : "full model"} (from ${r.kind_source})`];
  if (r.checkpoints.length === 0) lines.push("  (no checkpoints)");
  else {
    const rows = r.checkpoints.map((c) => [c.name, c.step ?? "-", c.complete ? "complete" : "INCOMPLETE", c.problems.length]);
    lines.push(
      formatTable(["NAME", "STEP", "STATE", "PROBLEMS"], rows)
        .split("\n")
        .map((l) => `  ${l}`)
        .join("\n"),
    );
    for (const c of r.checkpoints) for (const p of c.problems) lines.push(`    ${p}`);
  }
  const from = r.resume_from ? `${r.resume_from}${r.resume_step !== null ? ` (step ${r.resume_step})` : ""}` : r.would_start_from_scratch ? "nothing: would start from scratch" : "none";
  lines.push(`resume from: ${from}`);
  if (r.newest_incomplete) lines.push(`incomplete:  ${r.newest_incomplete} (newest checkpoint, not usable)`);
  const lost = r.steps_lost === null ? "unknown" : `${r.steps_lost}${r.current_step !== null ? ` (status current_step ${r.current_step})` : ""}`;
  lines.push(`steps lost:  ${lost}`);
  for (const p of r.problems) lines.push(`PROBLEM ${p}`);
  for (const w of r.warnings) lines.push(`WARNING ${w}`);
  for (const s of r.suggestions) lines.push(`SUGGEST ${s}`);
  lines.push(r.ok ? "OK: training would resume correctly" : "NOT OK: resume would be wrong; see the problems above");
  return lines.join("\n") + "\n";
}
