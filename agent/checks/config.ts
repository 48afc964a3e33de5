/**
 * config.json valid: schema, ranges, paths (agent/guard/config.ts validateConfig, read-only). In the
 * hf layout there is no trainsafe config.json: the trainingConfig file, when set, must be readable JSON or YAML.
 */
import { effectiveProfile } from "../config/layout.js";
import { FILE_FIELD, validateConfig } from "../guard/config.js";
import { readTrainingConfig } from "../guard/training-config.js";
import { result, type Check } from "./types.js";

function list(file: string, problems: ReadonlyArray<{ field: string; message: string }>, max = 3): string {
  // Messages about the whole file already name it; others get the field.
  const shown = problems.slice(0, max).map((p) => (p.field === FILE_FIELD ? p.message.replace(`${file}: `, "") : `${p.field}: ${p.message}`));
  return shown.join("; ") + (problems.length > max ? `; and ${problems.length - max} more` : "");
}

export const configCheck: Check = {
  id: "config",
  title: "config.json valid",
  async run({ settings }) {
    const { layout } = settings;
    if ((await effectiveProfile(layout)) === "hf") {
      if (!layout.trainingConfig) return result("skip", "hf layout: no trainsafe config.json; the run's arguments are read from training_args.bin in the checkpoint", { file: null });
      const r = await readTrainingConfig(layout.trainingConfig);
      if (!r.ok) return result("fail", `${r.message} (the trainingConfig setting)`, { file: layout.trainingConfig });
      return result("pass", `${layout.trainingConfig} is readable (${Object.keys(r.value).length} top-level settings)`, { file: layout.trainingConfig });
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
