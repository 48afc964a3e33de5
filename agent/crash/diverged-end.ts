/**
 * A log whose gradient norm turned NaN/Inf and stayed so, although no line of it is a failure: the
 * per-line rule reads a NaN grad norm as a warning (`nan_grad_norm`), because one alone is what a
 * healthy fp16 run prints now and then for a step it skips. What the run did next tells them apart, so
 * this reads the kept lines as a whole: the last metric record (a line with a loss value and a grad
 * norm: the Hugging Face Trainer's dict, ms-swift's JSON, mmcv's text) has a NaN/Inf grad norm, and an
 * earlier record of the kept lines had a finite one (GLM-4#174, ms-swift#2436). A NaN grad norm
 * followed by a finite one is fp16's skipped step (TableMASTER-mmocr#32), and one at the first record
 * is the loss scale's warm-up; neither is a finding.
 *
 * Only when nothing else in the file's final incident is a crash finding (a rule's, the fallback's):
 * those say more.
 */
import { crashSignature } from "./signature.js";
import type { KeptLines } from "./failure.js";
import type { CrashFinding } from "./types.js";

/** A grad-norm value in a metric record. */
const GRAD_NORM = /\bgrad[_ ]norm\b["']?\s*[:=]\s*["']?(?<value>[-+]?(?:nan|inf(?:inity)?|\d+(?:\.\d*)?(?:e[-+]?\d+)?))/i;
/** A loss value in the same record (a number or a non-finite one); `loss scale` and `loss_scale` are no loss. */
const LOSS_VALUE = /\bloss\b["']?\s*[:=]\s*["']?[-+]?(?:nan|inf|\d)/i;
const NON_FINITE = /^[-+]?(?:nan|inf)/i;

function finding(file: string, kept: KeptLines, at: number, ruleId: string, suggestion: string): CrashFinding {
  const text = kept.lines[at]!.trim();
  return {
    category: "nan_loss",
    ruleId,
    role: "cause",
    file,
    line: kept.firstLine + at,
    text: text.length > 1000 ? `${text.slice(0, 1000)}…` : text,
    suggestion,
    signature: crashSignature("nan_loss", ruleId, ruleId),
    severity: "fatal",
    priority: 0,
    byteOffset: kept.offsets[at] ?? null,
    finalIncident: true,
  };
}

/** The last metric record's grad norm NaN/Inf after a finite one, or null. */
function gradNormTurnedNaN(file: string, kept: KeptLines): CrashFinding | null {
  let last = -1;
  let lastValue = "";
  let finiteBefore = false;
  for (let i = 0; i < kept.lines.length; i++) {
    const l = kept.lines[i]!;
    if (!/grad[_ ]norm/i.test(l)) continue;
    const g = GRAD_NORM.exec(l);
    if (!g || !LOSS_VALUE.test(l)) continue;
    if (last >= 0 && !NON_FINITE.test(lastValue)) finiteBefore = true;
    last = i;
    lastValue = g.groups!.value!;
  }
  if (last < 0 || !finiteBefore || !NON_FINITE.test(lastValue)) return null;
  return finding(file, kept, last, "nan_grad_norm_at_end", `The last training record shows grad_norm = ${lastValue} after finite values, and no later record recovers: the gradients (and with bf16/fp32 the weights after that step) became NaN/Inf, so the run has diverged. Lower the learning rate or add warmup, clip gradients, check the data around that step for NaN/Inf or extreme samples; resume from a checkpoint before the first NaN.`);
}

/** A nan_loss finding for a log that ends diverged, when no crash finding is in the final incident; or null. */
export function divergedEndFinding(file: string, kept: KeptLines, findings: readonly CrashFinding[]): CrashFinding | null {
  if (findings.some((f) => f.finalIncident && f.severity !== "warning")) return null;
  return gradNormTurnedNaN(file, kept);
}
