/** `trainsafe config validate|lock`: checks config.json and records it in .config_lock.json. */
import type { Command } from "commander";
import { lockConfig, validateConfig, type ConfigReport, type Problem } from "../../agent/guard/config.js";
import { localOptions, printJson, settingsFor, type LocalOptions } from "../common.js";

/** Registers `config validate` and `config lock`. */
export function register(program: Command): void {
  const config = program.command("config").description("validate config.json and manage its lock (.config_lock.json)");

  localOptions(
    config
      .command("validate")
      .description("check config.json: types, ranges, paths, typos, and changes since the lock (never rewrites config.json)")
      .option("--validate-only", "report only; do not create a missing lock"),
  ).action(async (opts: LocalOptions & { validateOnly?: boolean }) => {
    const { layout } = await settingsFor(opts);
    const report = await validateConfig(layout, { applyFixes: !opts.validateOnly });
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
      });
    } else process.stdout.write(renderConfigReport(report));
    process.exitCode = report.ok ? 0 : 1;
  });

  localOptions(
    config
      .command("lock")
      .description("record config.json as the config training started with (.config_lock.json)")
      .option("--force", "replace an existing lock"),
  ).action(async (opts: LocalOptions & { force?: boolean }) => {
    const { layout } = await settingsFor(opts);
    const r = await lockConfig(layout, { force: opts.force ?? false });
    if (opts.json) printJson(r);
    else process.stdout.write(`${r.message}\n`);
    process.exitCode = r.created ? 0 : 1;
  });
}

/** Human rendering of a config report. */
export function renderConfigReport(r: ConfigReport): string {
  const lines = [`config: ${r.file}`];
  const line = (tag: string, p: Problem) => `${tag} ${p.field}: ${p.message}`;
  for (const e of r.errors) lines.push(line("ERROR  ", e));
  for (const w of r.warnings) lines.push(line("WARNING", w));
  for (const f of r.fixes) lines.push(`FIXED   ${f}`);
  for (const s of r.suggestions) lines.push(`SUGGEST ${s}`);
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  lines.push(
    r.ok
      ? `OK: config.json is valid${r.warnings.length ? ` (${plural(r.warnings.length, "warning")})` : ""}`
      : `INVALID: ${plural(r.errors.length, "error")}, ${plural(r.warnings.length, "warning")}`,
  );
  return lines.join("\n") + "\n";
}
