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
 * A log whose last records are two or more fp16 overflows at the loss scale's floor is a NaN run too
 * (the lead's decision, 2026-12-06): DeepSpeed's and apex FP16_Optimizer's `OVERFLOW! ... Attempted loss
 * scale: 1, reducing to 1` (the scale it tried equals the one it falls back to: `min_loss_scale`, 1 by
 * default) means every step is skipped and the scale cannot go lower, so the process may still be running
 * but training makes no progress (transformers#14531). A single such line, halvings above the floor
 * (`Attempted loss scale: 16, reducing to 8`: the scale is still searching, as in every fp16 run's start)
 * and a floor run followed by anything else (a finite step, a raised scale) are no finding.
 *
 * apex's dynamic scaler (amp O1/O2) has no floor by default: it halves on every overflow and says only
 * `Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to S`. A log whose last records
 * are ten or more such notices in a row, each scale half the one before (the same notice from other
 * ranks counted once), has lost a factor of 1024 or
 * more without one step that raised it again (stylegan2-pytorch#100, apex#834): the run is diverging
 * and every step is skipped. A healthy fp16 start searches for its scale with a few halvings (lasnet#3
 * ends after three), and a run that goes on prints something else after them: no finding. Paddle's scaler
 * says the same in its words (`Found inf or nan, current scale is: S, decrease to: S*0.5`), read the same way
 * (PaddleClas#2457: ten decreases down to 3e-08).
 *
 * ESPnet skips an update whose grad norm is not finite and says so (`The grad norm is nan. Skipping updating the
 * model.`): a log that ends in ten or more such notices, no finite loss or grad norm among or after them, is a run
 * whose every step is skipped (espnet#5065).
 *
 * Only when nothing else in the file's final incident is a crash finding (a rule's, the fallback's):
 * those say more.
 */
import { keptLineFinding, type KeptLines } from "./failure.js";
import type { CrashFinding } from "./types.js";

/** A grad-norm value in a metric record. */
const GRAD_NORM = /\bgrad[_ ]norm\b["']?\s*[:=]\s*["']?(?<value>[-+]?(?:nan|inf(?:inity)?|\d+(?:\.\d*)?(?:e[-+]?\d+)?))/i;
/** A loss value in the same record (a number or a non-finite one); `loss scale` and `loss_scale` are no loss. */
const LOSS_VALUE = /\bloss\b["']?\s*[:=]\s*["']?[-+]?(?:nan|inf|\d)/i;
const NON_FINITE = /^[-+]?(?:nan|inf)/i;

function finding(file: string, kept: KeptLines, at: number, ruleId: string, suggestion: string): CrashFinding {
  return keptLineFinding(file, kept, at, { category: "nan_loss", ruleId, suggestion, signatureKey: ruleId, priority: 0 });
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

/** DeepSpeed's / apex FP16_Optimizer's overflow notice: the scale tried and the one it falls back to. */
const SCALE_STEP = /\bAttempted loss scale: (?<from>\d+(?:\.\d+)?(?:e[-+]?\d+)?), reducing to (?<to>\d+(?:\.\d+)?(?:e[-+]?\d+)?)\b/;
/** What may stand between and after the floor notices: blank lines, a closing code fence, a bare tqdm bar. */
const NOISE = /^\s*(?:`{3,}\s*|[^|]{0,80}\d{1,3}%\|[^|]*\|\s*\d+\/\d+\s*\[[^\]]*\]\s*)?$/;

/**
 * The notices `re` matches among the log's last records, from the last one back (lines of NOISE
 * skipped), up to the first other line: where each stands and its match.
 */
function trailingNotices(kept: KeptLines, re: RegExp): { at: number; m: RegExpExecArray }[] {
  const out: { at: number; m: RegExpExecArray }[] = [];
  for (let i = kept.lines.length - 1; i >= 0; i--) {
    const l = kept.lines[i]!;
    if (NOISE.test(l)) continue;
    const m = re.exec(l);
    if (!m) break;
    out.push({ at: i, m });
  }
  return out;
}

/** The log's last records are two or more overflows at the loss scale's floor, or null. */
function lossScaleFloorAtEnd(file: string, kept: KeptLines): CrashFinding | null {
  const notices = trailingNotices(kept, SCALE_STEP);
  let count = 0;
  while (count < notices.length && Number(notices[count]!.m.groups!.from) === Number(notices[count]!.m.groups!.to)) count++;
  if (count < 2) return null;
  const scale = notices[0]!.m.groups!.to!;
  return finding(file, kept, notices[0]!.at, "nan_loss_scale_floor_at_end", `The log ends with ${count} fp16 overflows in a row at the loss scale's floor (${scale}): every step is skipped and the scale cannot go lower, so the run makes no progress even if the process is still running (gradients are Inf/NaN at any scale). Stop it; lower the learning rate or add warmup, clip gradients, check the data for NaN/Inf or extreme samples, or train in bf16; resume from a checkpoint before the overflows began.`);
}

/** apex's overflow notice (amp's dynamic scaler): the scale it falls back to (half the one it tried). */
const APEX_HALVING = /\bGradient overflow\.\s+Skipping step, (?:loss scaler \d+ )?reducing loss scale to (?<to>\d+(?:\.\d+)?(?:e[-+]?\d+)?)\b/;
/**
 * Paddle's dynamic scaler (paddle.amp.GradScaler / AmpScaler `_update`) when it lowers the scale after overflowed
 * steps: `Found inf or nan, current scale is: 3.0517578125e-05, decrease to: 3.0517578125e-05*0.5` (the scale it
 * had, then that scale times decr_ratio, 0.5 by default).
 */
const PADDLE_DECREASE = /\bFound inf or nan, current scale is: (?<from>\d+(?:\.\d+)?(?:e[-+]?\d+)?), decrease to: \d+(?:\.\d+)?(?:e[-+]?\d+)?\*(?<ratio>\d+(?:\.\d+)?(?:e[-+]?\d+)?)\b/;
const SCALE_DECREASE = new RegExp(`${APEX_HALVING.source}|${PADDLE_DECREASE.source}`);

/** The scale a decrease notice (SCALE_DECREASE) started from and the one it fell back to. */
function decreaseOf(m: RegExpExecArray): { before: number; after: number } {
  const g = m.groups!;
  if (g.to !== undefined) return { before: 2 * Number(g.to), after: Number(g.to) };
  return { before: Number(g.from), after: Number(g.from) * Number(g.ratio) };
}

/** Two scales printed as decimals are the same scale (a product of decimals is exact only up to rounding). */
function sameScale(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}
/**
 * Skipped steps in a row at the end of a log that make a collapse rather than a healthy start's search: apex's and
 * Paddle's halvings (scaleCollapseAtEnd) and ESPnet's skipped updates (skippedUpdatesAtEnd) both count to it; a scale halved ten
 * times has lost a factor of 1024.
 */
const SKIPPED_STEPS_AT_END = 10;

/**
 * The log's last records are ten or more decreases of the loss scale in a row (apex's or Paddle's notices), each
 * starting from the scale the one before fell back to, or null.
 */
function scaleCollapseAtEnd(file: string, kept: KeptLines): CrashFinding | null {
  const notices = trailingNotices(kept, SCALE_DECREASE);
  let count = 0;
  let later = { before: NaN, after: NaN };
  for (const { m } of notices) {
    const step = decreaseOf(m);
    // Each rank of a data-parallel run prints its own notice of the same decrease: counted once.
    if (count > 0 && sameScale(step.after, later.after)) continue;
    if (count > 0 && !sameScale(step.after, later.before)) break;
    later = step;
    count++;
  }
  if (count < SKIPPED_STEPS_AT_END) return null;
  const final = decreaseOf(notices[0]!.m).after;
  return finding(file, kept, notices[0]!.at, "nan_loss_scale_collapse_at_end", `The log ends with ${count} fp16 overflows in a row, the loss scale lowered each time down to ${final} with no step in between that raised it again: the gradients are Inf/NaN at every scale tried, every step is skipped and the run has diverged. Stop it; lower the learning rate or add warmup, clip gradients, check the data for NaN/Inf or extreme samples, or train in bf16 (or fp32); resume from a checkpoint before the overflows began.`);
}

/**
 * ESPnet's notice for an update it skips because the grad norm is not finite: ESPnet2's trainer `The grad norm is nan.
 * Skipping updating the model.` (older releases check only isnan; later ones print the value, nan or inf), ESPnet1's
 * updater `grad norm is nan. Do not update model.`
 */
const SKIPPED_UPDATE = /\bgrad norm is (?:nan|inf)\. (?:Skipping updating the model|Do not update model)\b/i;
/** A record that shows the run making progress: a finite grad norm or loss (the notices' stretch ends at it). */
const FINITE_RECORD = /\b(?:grad[_ ]norm|loss)\b["']?\s*[:=]\s*["']?[-+]?\d/i;
/** How close to the log's end (in other lines than notices and NOISE) the last notice must stand: the log ends in the stretch. */
const SKIPPED_UPDATE_TAIL = 20;

/**
 * The log ends in ten or more skipped updates (SKIPPED_UPDATE) with no record of a finite loss or grad norm among or
 * after them, or null. One such notice is a step the run drops (fp16's GradScaler overflowing at its start, one bad
 * batch); ten in a row (SKIPPED_STEPS_AT_END) are what scaleCollapseAtEnd counts too: the gradients are NaN at
 * every step and the model no longer changes (espnet#5065, every step skipped with the loss stuck at 0). Other records
 * may stand between the notices (ESPnet's INFO lines of each step, a CTC warning that the batch got NaN gradients); a
 * finite loss or grad norm among or after them ends the count.
 */
function skippedUpdatesAtEnd(file: string, kept: KeptLines): CrashFinding | null {
  let last = -1;
  let count = 0;
  let seen = 0;
  for (let i = kept.lines.length - 1; i >= 0; i--) {
    const l = kept.lines[i]!;
    if (NOISE.test(l)) continue;
    if (SKIPPED_UPDATE.test(l)) {
      if (last < 0) {
        if (seen >= SKIPPED_UPDATE_TAIL) return null;
        last = i;
      }
      count++;
      continue;
    }
    if (FINITE_RECORD.test(l)) break;
    seen++;
  }
  if (count < SKIPPED_STEPS_AT_END) return null;
  return finding(file, kept, last, "nan_grad_norm_skipped_updates_at_end", `The log ends with ${count} updates skipped because the grad norm was NaN/Inf, and no finite loss or grad norm among or after them: every step's gradients are non-finite, so the model no longer changes (the loss may stay frozen) even if the process is still running. Stop it; lower the learning rate or add warmup, clip gradients, check the data for NaN/Inf, empty or extreme samples (a loss that can be log(0) or divide by zero), or train in fp32/bf16; resume from a checkpoint before the first skipped update.`);
}

/** Two or more non-finite values at a line's end, lower case as Python, numpy and torch print them. */
const NAN_RUN = /(?<![\w.+-])(?:nan|[-+]?inf)(?:[\s,;|]+(?:nan|[-+]?inf))+[\s,;|]*$/;
/** A finite decimal at the end of a text (`0.5`, `.5`, `1e-3`): a value, where an integer may be a counter. */
const FINITE_DECIMAL_AT_END = /(?:\d\.\d*|\.\d+|\de[-+]?\d+)$/i;

/**
 * A record whose values are all NaN/Inf, printed without names: a research script's own print or logger (`epoch, 0200,
 * nan, nan, nan, nan` from PointNetLK_Revisited's logger, `199 nan nan` from `print(epoch, loss, acc)`). The line ends
 * in two or more non-finite values (pandas prints `NaN`: a table of metrics not computed yet, no record of this kind),
 * and what stands before them is not a finite decimal (`0.5 nan nan` is a record with a finite value).
 */
function allNaNRow(line: string): boolean {
  const m = NAN_RUN.exec(line);
  return m !== null && !FINITE_DECIMAL_AT_END.test(line.slice(0, m.index).replace(/[\s,;|:]+$/, ""));
}
/** A finite decimal anywhere in a line. */
const FINITE_DECIMAL = /\d\.\d|(?<![\w.])\.\d|\de[-+]?\d/i;
/** Lines after the last such record that may still end the log (a completion message, a save, a final summary). */
const ALL_NAN_TAIL = 3;
/** Records in a row that make a diverged end (two could be a metric not computed yet for two evaluations). */
const ALL_NAN_ROWS = 3;

/**
 * The log's last records are three or more rows of unnamed values, every value non-finite (allNaNRow), with at most
 * ALL_NAN_TAIL other lines after them and none of those holding a finite decimal (a record the run recovered to), or
 * null: the loss and every metric are NaN, so the run has diverged whether or not it went on to its end
 * (PointNetLK_Revisited#8: 200 epochs, the last ones all nan, then `Training completed!`).
 */
function unnamedNaNRowsAtEnd(file: string, kept: KeptLines): CrashFinding | null {
  let last = -1;
  let count = 0;
  let tail = 0;
  for (let i = kept.lines.length - 1; i >= 0; i--) {
    const l = kept.lines[i]!;
    if (NOISE.test(l)) continue;
    if (allNaNRow(l)) {
      if (last < 0) last = i;
      count++;
      continue;
    }
    // A later line with a finite decimal may be a record the run recovered to: no finding.
    if (last < 0 && FINITE_DECIMAL.test(l)) return null;
    if (last >= 0 || ++tail > ALL_NAN_TAIL) break;
  }
  if (count < ALL_NAN_ROWS) return null;
  return finding(file, kept, last, "nan_loss_unnamed_values_at_end", `The log's last ${count} records print every value as NaN/Inf (values without names, e.g. epoch, loss and metrics): the loss has diverged and the model's weights are likely NaN, whether or not the run went on to its end. Find the first record with a non-finite value; lower the learning rate or add warmup, clip gradients, check the data for NaN/Inf or extreme samples (a loss that can be log(0) or divide by zero); resume from a checkpoint before it.`);
}

/** A nan_loss finding for a log that ends diverged, when no crash finding is in the final incident; or null. */
export function divergedEndFinding(file: string, kept: KeptLines, findings: readonly CrashFinding[]): CrashFinding | null {
  if (findings.some((f) => f.finalIncident && f.severity !== "warning")) return null;
  return gradNormTurnedNaN(file, kept) ?? lossScaleFloorAtEnd(file, kept) ?? scaleCollapseAtEnd(file, kept) ?? skippedUpdatesAtEnd(file, kept) ?? unnamedNaNRowsAtEnd(file, kept);
}

/**
 * A loss-like key and its value in a metric record: `loss: nan`, `'train_loss': 0.52`, `loss_ctc inf`,
 * `loss=tensor(nan`, a key/value table's row `| loss_q0 | nan |` (the OpenAI logger of baselines and guided-diffusion,
 * stable-baselines3), a key with the step in brackets `train_batch_loss[ 10 ]:  nan` (crnn-pytorch's print, the
 * index no part of the key); the key must contain "loss" and stand alone (`mlm_loss`, not `loss` inside it).
 * Up to two words before it belong to the key (`Mean value_function loss: inf`, `Surrogate loss: 0.0`:
 * rsl_rl prints several such losses per record, and each is a series of its own); a value is never one.
 */
const LOSS_ENTRY = /(?<![\w/.])(?<key>(?:(?!(?:nan|inf(?:inity)?)\b)[A-Za-z_][\w/.]* ){0,2}(?:[A-Za-z_][\w/.]*loss[\w/.]*|loss))(?:\[\s*\d+\s*\])?["'\]]?\s*[:=|]?\s*["']?(?:tensor\(\[?|\[)?(?<value>[-+]?(?:nan|inf(?:inity)?|\d+(?:\.\d*)?(?:e[-+]?\d+)?))(?![\w.])/gi;
/** Finite losses after the last non-finite one that count as ordinary (not a run exploding on). */
const RECOVERED_RECORDS = 2;
const RECOVERED_MAX = 1e4;
const RECOVERED_FACTOR = 100;

/**
 * A NaN/Inf loss the run recovered from (the lead's decision, 2026-12-06): when, for every loss key a NaN
 * finding's record shows non-finite, the last non-finite record of that key is followed by at least two
 * records of the same key that are all finite and not exploding (each below 1e4 and below 100x the largest
 * finite value before the first non-finite one, when there is one), the step was skipped or the bad value
 * came from one batch (WeNet skips a step whose grad norm is not finite; a CTC loss is inf for an
 * utterance shorter than its transcript) and training went on: those findings become warnings outside the
 * final incident. One finite record after it (mmdetection-5911), or finite values that explode (1e10:
 * faster-rcnn-pytorch-849), keep the finding. Changes `findings` in place.
 */
export function demoteRecoveredNaN(findings: readonly CrashFinding[], kept: KeptLines): void {
  const nan = findings.filter((f) => f.category === "nan_loss" && f.severity !== "warning");
  if (!nan.length) return;
  // Each loss key's values in line order (NaN for a non-finite one), one per record.
  const series = new Map<string, number[]>();
  for (const l of kept.lines) {
    if (!/loss/i.test(l)) continue;
    const seen = new Set<string>();
    for (const m of l.matchAll(LOSS_ENTRY)) {
      const key = m.groups!.key!.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      const v = m.groups!.value!;
      let values = series.get(key);
      if (!values) series.set(key, (values = []));
      values.push(NON_FINITE.test(v) ? Number.NaN : Number(v));
    }
  }
  const recovered = (key: string): boolean => {
    const values = series.get(key) ?? [];
    let lastBad = values.length - 1;
    while (lastBad >= 0 && Number.isFinite(values[lastBad]!)) lastBad--;
    const after = values.slice(lastBad + 1);
    if (lastBad < 0 || after.length < RECOVERED_RECORDS) return false;
    const before = values.slice(0, values.findIndex((v) => !Number.isFinite(v))).map(Math.abs);
    const cap = before.length ? Math.min(RECOVERED_MAX, RECOVERED_FACTOR * Math.max(...before)) : RECOVERED_MAX;
    return after.every((v) => Math.abs(v) < cap);
  };
  for (const f of nan) {
    const line = kept.lines[f.line - kept.firstLine];
    if (line === undefined) continue;
    const keys = [...line.matchAll(LOSS_ENTRY)].filter((m) => NON_FINITE.test(m.groups!.value!)).map((m) => m.groups!.key!.toLowerCase());
    if (keys.length === 0 || !keys.every(recovered)) continue;
    f.severity = "warning";
    f.finalIncident = false;
  }
}
