/**
 * `trainsafe config validate|lock`: checks the training config and records it in .config_lock.json.
 * Layout-aware: the seed layout's config.json, or in the hf layout what the job has (the trainingConfig
 * JSON/YAML, else TrainingArguments from training_args.bin in the checkpoint).
 */
import path from "node:path";
import type { Command } from "commander";
import { effectiveProfile } from "../../agent/config/layout.js";
import { lockConfig, validateConfig, type ConfigReport, type Problem } from "../../agent/guard/config.js";
import { validateHfConfig, type HfConfigReport } from "../../agent/guard/hf-config.js";
import { usageError } from "../../agent/lib/errors.js";
import { localOptions, printJson, settingsFor, writeOut, type LocalOptions } from "../common.js";

/** Registers `config validate` and `config lock`. */
export function register(program: Command): void {
  const config = program.command("config").description("validate the training config (config.json, or an HF job's arguments) and manage its lock (.config_lock.json)");

  localOptions(
    config
      .command("validate")
      .description(
        "check the training config: config.json (seed layout: types, ranges, paths, typos, changes since the lock), or in the hf layout " +
          "the trainingConfig JSON/YAML, else TrainingArguments from training_args.bin in the checkpoint (never rewrites anything of the job's)",
      )
      .option("--validate-only", "report only; do not create a missing lock"),
  ).action(async (opts: LocalOptions & { validateOnly?: boolean }) => {
    const { layout } = await settingsFor(opts);
    const hf = (await effectiveProfile(layout)) === "hf";
    const report: ConfigReport | HfConfigReport = hf ? await validateHfConfig(layout) : await validateConfig(layout, { applyFixes: !opts.validateOnly });
    if (opts.json) {
      printJson({
        ok: report.ok,
        file: report.file,
        errors: report.errors,
        warnings: report.warnings,
        fixes: report.fixes,
        suggestions: report.suggestions,
        baseModelChanged: report.baseModelChanged,
        lockPresent: report.lockPresent,
        checkpoints: report.checkpoints,
        layout: hf ? "hf" : "seed",
        ...(hf ? { source: (report as HfConfigReport).source, kind: (report as HfConfigReport).kind, note: (report as HfConfigReport).note } : {}),
      });
    } else writeOut(renderConfigReport(report));
    process.exitCode = report.ok ? 0 : 1;
  });

  localOptions(
    config
      .command("lock")
      .description("record config.json as the config training started with (.config_lock.json)")
      .option("--force", "replace an existing lock"),
  ).action(async (opts: LocalOptions & { force?: boolean }) => {
    const { layout } = await settingsFor(opts);
    if ((await effectiveProfile(layout)) === "hf") {
      // The lock guards the seed's config.json against a changed base_model; an HF job has no such file,
      // and the Trainer records its own arguments in every checkpoint (training_args.bin).
      throw usageError(
        `config lock: ${layout.baseDir} has the hf layout (no trainsafe config.json to lock); the Trainer records the run's arguments in each checkpoint's training_args.bin: check them with \`trainsafe config validate\``,
      );
    }
    const r = await lockConfig(layout, { force: opts.force ?? false });
    if (opts.json) printJson(r);
    else writeOut(`${r.message}\n`);
    process.exitCode = r.created ? 0 : 1;
  });
}

/** Human rendering of a config report. */
export function renderConfigReport(r: ConfigReport | HfConfigReport): string {
  if ("source" in r && r.source === "none") return `config: hf layout: ${r.note}\nOK: nothing to validate\n`;
  const what = "source" in r ? (r.source === "training_args.bin" ? "TrainingArguments in training_args.bin" : path.basename(r.file)) : "config.json";
  const lines = ["source" in r ? `config (hf layout, ${r.source === "training_args.bin" ? "the Trainer's saved arguments" : "trainingConfig"}): ${r.file}` : `config: ${r.file}`];
  const line = (tag: string, p: Problem) => `${tag} ${p.field}: ${p.message}`;
  for (const e of r.errors) lines.push(line("ERROR  ", e));
  for (const w of r.warnings) lines.push(line("WARNING", w));
  for (const f of r.fixes) lines.push(`FIXED   ${f}`);
  for (const s of r.suggestions) lines.push(`SUGGEST ${s}`);
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  lines.push(
    r.ok
      ? `OK: ${what} is valid${r.warnings.length ? ` (${plural(r.warnings.length, "warning")})` : ""}`
      : `INVALID: ${plural(r.errors.length, "error")}, ${plural(r.warnings.length, "warning")}`,
  );
  return lines.join("\n") + "\n";
}
