/**
 * The training config is valid: the seed's config.json (schema, ranges, paths: agent/guard/config.ts
 * validateConfig, read-only), or in the hf layout what the job has (agent/guard/hf-config.ts: the
 * trainingConfig JSON/YAML, else TrainingArguments from training_args.bin in the checkpoint).
 */
import { effectiveProfile } from "../config/layout.js";
import { FILE_FIELD, validateConfig } from "../guard/config.js";
import { validateHfConfig } from "../guard/hf-config.js";
import { result, type Check } from "./types.js";

function list(file: string, problems: ReadonlyArray<{ field: string; message: string }>, max = 3): string {
  // Messages about the whole file already name it; others get the field.
  const shown = problems.slice(0, max).map((p) => (p.field === FILE_FIELD ? p.message.replace(`${file}: `, "") : `${p.field}: ${p.message}`));
  return shown.join("; ") + (problems.length > max ? `; and ${problems.length - max} more` : "");
}

export const configCheck: Check = {
  id: "config",
  title: "training config valid",
  async run({ settings }) {
    const { layout } = settings;
    if ((await effectiveProfile(layout)) === "hf") {
      const r = await validateHfConfig(layout);
      const details = { layout: "hf", source: r.source, kind: r.kind, file: r.source === "none" ? null : r.file, errors: r.errors, warnings: r.warnings, suggestions: r.suggestions };
      if (r.source === "none") return result("skip", `hf layout: ${r.note}`, details);
      const name = r.source === "training_args.bin" ? `${r.file} (TrainingArguments)` : r.file;
      if (!r.ok) return result("fail", `${name}: ${list(r.file, r.errors)}`, details);
      if (r.warnings.length > 0) return result("warn", `${name}: ${list(r.file, r.warnings)}`, details);
      return result("pass", `${name} is valid`, details);
    }
    const report = await validateConfig(layout, { applyFixes: false });
    const details = { file: report.file, errors: report.errors, warnings: report.warnings, suggestions: report.suggestions };
    if (report.errors.length > 0 || !report.ok) {
      const what = report.errors.length ? list(report.file, report.errors) : "not valid";
      return result("fail", `${report.file}: ${what}`, details);
    }
    if (report.warnings.length > 0) return result("warn", `${report.file}: ${list(report.file, report.warnings)}`, details);
    return result("pass", `${report.file} is valid`, details);
  },
};
