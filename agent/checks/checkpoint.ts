/**
 * Latest checkpoint: resume verification (agent/guard/resume.ts) passes and the checkpoint training
 * would resume from is younger than checks.maxCheckpointAge. No checkpoints at all is a fresh run: skip.
 *
 * A newer incomplete checkpoint fails here when verifyResume counts it as a problem (automatic resume
 * picks the highest checkpoint-N whatever its state, so the next restart would crash loading it) and
 * warns when the config names an explicit, complete resume point. Checkpoint-like files of no known
 * layout warn: nothing says what a restart resumes from.
 */
import { verifyResume } from "../guard/resume.js";
import { formatDurationMs } from "../lib/units.js";
import { result, type Check } from "./types.js";

export const checkpointCheck: Check = {
  id: "checkpoint",
  title: "latest checkpoint",
  async run({ settings, now }) {
    const v = await verifyResume(settings.layout);
    const cps = v.checkpoints;
    const from = cps.find((c) => c.name === v.resume_from) ?? null;
    const ageMs = from ? now() - from.mtimeMs : null;
    const details = {
      resumeFrom: v.resume_from,
      resumeStep: v.resume_step,
      ageMs: ageMs === null ? null : Math.round(ageMs),
      kind: v.kind,
      checkpoints: cps.map((c) => ({ name: c.name, step: c.step, complete: c.complete, problems: c.problems })),
      problems: v.problems,
      warnings: v.warnings,
      suggestions: v.suggestions,
      wouldStartFromScratch: v.would_start_from_scratch,
      stepsLost: v.steps_lost,
      newestIncomplete: v.newest_incomplete,
      layout: v.layout,
      framework: v.framework,
      checkpointDir: v.checkpoint_dir,
      unknownLayouts: v.unknown_layouts,
    };
    const fixHint = v.suggestions.length ? ` (${v.suggestions[0]})` : "";
    if (cps.length === 0) {
      if (!v.ok) return result("warn", [...v.problems, ...v.warnings].join("; "), details);
      return result("skip", "no checkpoints yet (fresh run)", details);
    }
    if (v.problems.length > 0) return result("fail", `${v.problems.join("; ")}${fixHint}`, details);
    const warnings = [...v.warnings];
    if (from && ageMs !== null && ageMs > settings.checks.maxCheckpointAge) {
      warnings.unshift(`${from.name} is ${formatDurationMs(ageMs)} old (limit ${formatDurationMs(settings.checks.maxCheckpointAge)}): is training still saving?`);
    }
    if (!from) warnings.unshift("no checkpoint to resume from");
    if (warnings.length > 0) return result("warn", warnings.join("; "), details);
    const complete = cps.filter((c) => c.complete).length;
    return result("pass", `resumes from ${from!.name}, saved ${formatDurationMs(Math.max(0, ageMs!))} ago (${complete} of ${cps.length} checkpoints complete)`, details);
  },
};
