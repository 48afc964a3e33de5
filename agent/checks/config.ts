/** config.json valid: schema, ranges, paths (agent/guard/config.ts validateConfig, read-only). */
import { FILE_FIELD, validateConfig } from "../guard/config.js";
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
    const report = await validateConfig(settings.layout, { applyFixes: false });
    const details = { file: report.file, errors: report.errors, warnings: report.warnings, suggestions: report.suggestions };
    if (report.errors.length > 0 || !report.ok) {
      const what = report.errors.length ? list(report.file, report.errors) : "not valid";
      return result("fail", `${report.file}: ${what}`, details);
    }
    if (report.warnings.length > 0) return result("warn", `${report.file}: ${list(report.file, report.warnings)}`, details);
    return result("pass", `${report.file} is valid`, details);
  },
};
