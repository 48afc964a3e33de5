/**
 * Training progress: the status file is fresh and current_step advances between observations.
 * Without a status file, progress comes from the same sources the watchdog reads (HF
 * trainer_state.json, the logs' step lines, agent/watchdog/sources.ts), and the check names them.
 * The last step seen (and since when) is kept in BASE_DIR/.trainsafe/check_state.json, so a single
 * `trainsafe check` run can tell "stuck since the last check" from "first look".
 */
import { files as fsp } from "../lib/fs-mode.js";
import path from "node:path";
import { z } from "zod";
import type { Settings } from "../config/settings.js";
import { describeError } from "../lib/errors.js";
import { readJsonFile, writeFileAtomic } from "../lib/files.js";
import { fast, lazyLooseObject, lazySchema, looseObject, UNUSUAL, type FieldCheck } from "../lib/schema.js";
import { formatDurationMs } from "../lib/units.js";
import { ProgressSources } from "../watchdog/sources.js";
import { jobRunning } from "./daemon.js";
import { result, type Check, type CheckResult } from "./types.js";
import { checkStateFile, rel } from "./util.js";

interface TrainingStatus {
  current_step: number;
  total_steps?: number | null;
  updated_at?: string | number | null;
  status?: string | null;
  [key: string]: unknown;
}

type ProgressState = { file: string; step: number; sinceMs: number; seenAtMs: number; mark?: string | null };

// The schemas are built on first use, for a file their hand-written checks do not vouch for: the check
// usually reads two well-formed files, and then zod is not loaded at all (lib/schema.ts, lazySchema).
/** The status file trainers write (status/training_status.json). */
export const statusSchema = lazyLooseObject<TrainingStatus>(
  {
    current_step: fast.nonNegativeInt,
    total_steps: fast.nullable(fast.nonNegativeInt),
    updated_at: fast.nullable((v) => (typeof v === "string" || (typeof v === "number" && Number.isFinite(v)) ? v : UNUSUAL)),
    status: fast.nullable(fast.string),
  },
  ["current_step"],
  () =>
    z.looseObject({
      current_step: z.number().int().nonnegative(),
      total_steps: z.number().int().nonnegative().nullish(),
      updated_at: z.union([z.string(), z.number()]).nullish(),
      status: z.string().nullish(),
    }),
);

const PROGRESS_STATE_FIELDS: Readonly<Record<string, FieldCheck>> = { file: fast.string, step: fast.number, sinceMs: fast.number, seenAtMs: fast.number, mark: fast.nullable(fast.string) };

/** The state file's `progress`: `z.object(...).optional()`, which keeps only its own fields, in order. */
const progressStateSchema = lazySchema<ProgressState | undefined>(
  (raw) => {
    if (raw === undefined) return undefined;
    const o = looseObject(raw, PROGRESS_STATE_FIELDS, ["file", "step", "sinceMs", "seenAtMs"]);
    if (o === UNUSUAL) return UNUSUAL;
    const kept: Record<string, unknown> = {};
    for (const key of Object.keys(PROGRESS_STATE_FIELDS)) if (Object.hasOwn(o, key)) kept[key] = o[key];
    return kept as ProgressState;
  },
  () => z.object({ file: z.string(), step: z.number(), sinceMs: z.number(), seenAtMs: z.number(), mark: z.string().nullish() }).optional(),
);

/** The last observation kept in the state file, when it is well-formed. */
function previousProgress(raw: unknown): ProgressState | undefined {
  const r = progressStateSchema.safeParse(raw);
  return r.success ? r.data : undefined;
}

/** The check's own state file (.trainsafe/check_state.json). */
export const stateSchema = lazyLooseObject<{ progress?: ProgressState; [key: string]: unknown }>({ progress: (v) => progressStateSchema.fast(v) }, [], () =>
  z.looseObject({ progress: progressStateSchema.schema() }),
);

/** Timestamps trainers write: ISO text, or epoch seconds / milliseconds. */
export function parseUpdatedAt(v: string | number | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return Number.isFinite(v) && v > 0 ? (v > 1e12 ? v : v * 1000) : null;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return parseUpdatedAt(Number(v));
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

const FINISHED = /^(complete|completed|finished|done|success|succeeded)$/i;
/** Clocks of the trainer and of trainsafe may differ a little; more than this is worth a word. */
const FUTURE_SKEW_MS = 5 * 60_000;

function phaseLimit(settings: Settings, phase: string | null): { limitMs: number; phase: string } {
  const w = settings.watchdog;
  const p = (phase ?? "").toLowerCase();
  if (w.evalPhaseWords.some((x) => p.includes(x.toLowerCase()))) return { limitMs: w.evalTimeout, phase: "eval" };
  if (w.checkpointPhaseWords.some((x) => p.includes(x.toLowerCase()))) return { limitMs: w.checkpointTimeout, phase: "checkpoint" };
  return { limitMs: settings.checks.statusStaleAfter, phase: "training" };
}

async function readState(file: string): Promise<Record<string, unknown>> {
  const r = await readJsonFile(file, stateSchema);
  return r.ok ? r.value : {};
}

/** Saves the observation; a read-only BASE_DIR must not turn into a failed check. */
async function saveState(file: string, state: Record<string, unknown>): Promise<string | null> {
  try {
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, JSON.stringify(state, null, 2) + "\n", undefined, { syncWhereReadsAre: true });
    return null;
  } catch (err) {
    return `could not save ${file}: ${describeError(err)}`;
  }
}

/**
 * Progress from checkpoints and logs (no status file): the source, its step and line, and whether a
 * new progress line appeared since the last check (kept in check_state.json like the status file's).
 */
async function fromOtherSources(settings: Settings, nowMs: number, statusName: string, shared: Map<string, unknown> | undefined): Promise<CheckResult> {
  const { layout } = settings;
  const read = await new ProgressSources(layout, settings.watchdog.phaseField, 0).read();
  if (!read.ok) return result("warn", `progress unreadable: ${read.message}`);
  const rd = read.reading;
  const tried = rd.tried.join("; ");
  if (rd.source === "none" || rd.source === "log_growth") {
    return result("warn", `no status file at ${statusName} and no step in checkpoints or logs (training not started yet?); tried: ${tried}`, {
      source: rd.source,
      tried: rd.tried,
    });
  }
  const file = rd.file!;
  const name = rel(layout, file);
  const mtimeMs = await fsp.stat(file).then((st) => st.mtimeMs, () => nowMs);
  const ageMs = nowMs - mtimeMs;
  const stateFile = checkStateFile(layout);
  const state = await readState(stateFile);
  const prev = previousProgress(state.progress);
  const step = rd.step ?? -1;
  const prevSame = prev && prev.file === file ? prev : undefined;
  const advanced = prevSame !== undefined && (step > prevSame.step || (rd.mark !== null && rd.mark !== (prevSame.mark ?? null)));
  const next: ProgressState =
    !prevSame || advanced || step < prevSame.step ? { file, step, sinceMs: nowMs, seenAtMs: nowMs, mark: rd.mark } : { ...prevSame, seenAtMs: nowMs };
  const notes: string[] = [];
  const saveProblem = await saveState(stateFile, { ...state, progress: next });
  if (saveProblem) notes.push(saveProblem);
  const limitMs = settings.checks.statusStaleAfter;
  const stepText = rd.step !== null ? `step ${rd.step}` : "progress lines without a step";
  const from = `from ${name}${rd.format ? ` (${rd.format}${rd.text ? `: "${rd.text.slice(0, 80)}"` : ""})` : ""}`;
  const details = {
    source: rd.source,
    file,
    currentStep: rd.step,
    format: rd.format,
    line: rd.text,
    tried: rd.tried,
    updatedAgoMs: Math.round(ageMs),
    previousStep: prevSame && prevSame.step >= 0 ? prevSame.step : null,
    stepUnchangedForMs: nowMs - next.sinceMs,
    limitMs,
    ...(notes.length ? { notes } : {}),
  };
  const tail = notes.length ? `; ${notes.join("; ")}` : "";
  if (prevSame && !advanced && nowMs - next.sinceMs > limitMs) {
    const text = `${stepText} ${from} has not advanced for ${formatDurationMs(nowMs - next.sinceMs)} (limit ${formatDurationMs(limitMs)})`;
    return (await notRunning(settings, text, details, tail, shared)) ?? result("fail", `${text}${tail}`, details);
  }
  if (ageMs > limitMs) return result("warn", `${name} not updated for ${formatDurationMs(ageMs)} (stale after ${formatDurationMs(limitMs)}); ${stepText}${tail}`, details);
  const updated = `updated ${formatDurationMs(Math.max(0, ageMs))} ago`;
  if (!prevSame) return result("pass", `${stepText} ${from}, ${updated} (first observation: advancing is judged from the next check)${tail}`, details);
  if (advanced) return result("pass", `${stepText} ${from} (advancing since ${formatDurationMs(nowMs - prevSame.seenAtMs)} ago), ${updated}${tail}`, details);
  return result("pass", `${stepText} ${from}, unchanged for ${formatDurationMs(nowMs - next.sinceMs)} (limit ${formatDurationMs(limitMs)}), ${updated}${tail}`, details);
}

/**
 * A step that does not advance is a hang only while the job runs: with the daemon gone (never started,
 * stopped, crashed) it is what the daemon check reports, so here it is a warning saying so, not a
 * second failure that reads like a hang. Null while the job runs.
 */
async function notRunning(settings: Settings, text: string, details: Record<string, unknown>, tail: string, shared: Map<string, unknown> | undefined): Promise<CheckResult | null> {
  if (await jobRunning(settings, shared)) return null;
  return result("warn", `${text}, but the job is not running (see the daemon check): no progress is expected${tail}`, { ...details, jobRunning: false });
}

export const progressCheck: Check = {
  id: "progress",
  title: "training progress",
  async run({ settings, now, shared }): Promise<CheckResult> {
    const { layout } = settings;
    const file = layout.statusFile;
    const name = rel(layout, file);
    const r = await readJsonFile(file, statusSchema);
    if (!r.ok) {
      if (r.reason === "missing") return fromOtherSources(settings, now(), name, shared);
      return result("warn", `status file unusable: ${r.message}`, { file, reason: r.reason, ...(r.field ? { field: r.field } : {}) });
    }
    const st = r.value;
    const nowMs = now();
    const step = st.current_step;
    const total = st.total_steps ?? null;
    const rawPhase = (st as Record<string, unknown>)[settings.watchdog.phaseField];
    const phaseText = typeof rawPhase === "string" ? rawPhase : typeof st.status === "string" ? st.status : null;
    let updatedMs = parseUpdatedAt(st.updated_at);
    let updatedFrom = "updated_at";
    const notes: string[] = [];
    if (updatedMs === null) {
      if (st.updated_at !== undefined && st.updated_at !== null) notes.push(`updated_at "${String(st.updated_at)}" is not a time; using the file's mtime`);
      try {
        updatedMs = (await fsp.stat(file)).mtimeMs;
        updatedFrom = "mtime";
      } catch (err) {
        return result("warn", `${file}: cannot stat (${describeError(err)})`);
      }
    }
    const ageMs = nowMs - updatedMs;
    if (ageMs < -FUTURE_SKEW_MS) notes.push(`${updatedFrom} is ${formatDurationMs(-ageMs)} in the future (clock skew?)`);

    const stateFile = checkStateFile(layout);
    const state = await readState(stateFile);
    const prev = previousProgress(state.progress);
    const prevSame = prev && prev.file === file ? prev : undefined;
    let next: ProgressState;
    let trend: "first" | "advanced" | "back" | "same";
    if (!prevSame) {
      trend = "first";
      next = { file, step, sinceMs: nowMs, seenAtMs: nowMs };
    } else if (step > prevSame.step) {
      trend = "advanced";
      next = { file, step, sinceMs: nowMs, seenAtMs: nowMs };
    } else if (step < prevSame.step) {
      trend = "back";
      next = { file, step, sinceMs: nowMs, seenAtMs: nowMs };
    } else {
      trend = "same";
      next = { ...prevSame, seenAtMs: nowMs };
    }
    const saveProblem = await saveState(stateFile, { ...state, progress: next });
    if (saveProblem) notes.push(saveProblem);

    const { limitMs, phase } = phaseLimit(settings, phaseText);
    const details: Record<string, unknown> = {
      source: "status_file",
      file,
      currentStep: step,
      totalSteps: total,
      phase: phaseText,
      updatedAgoMs: Math.round(ageMs),
      updatedFrom,
      previousStep: prevSame?.step ?? null,
      previousSeenAt: prevSame ? new Date(prevSame.seenAtMs).toISOString() : null,
      stepUnchangedForMs: trend === "same" ? nowMs - next.sinceMs : 0,
      limitMs,
      ...(notes.length ? { notes } : {}),
    };
    const tail = notes.length ? `; ${notes.join("; ")}` : "";
    const of = total !== null ? `/${total}` : "";
    const finished = (st.status && FINISHED.test(st.status)) || (total !== null && total > 0 && step === total);
    if (finished) return result("pass", `training finished at step ${step}${of}${tail}`, details);
    if (total !== null && step > total) return result("warn", `current_step ${step} is beyond total_steps ${total} in ${name}${tail}`, details);
    if (trend === "same" && nowMs - next.sinceMs > limitMs) {
      const text = `step ${step}${of} has not advanced for ${formatDurationMs(nowMs - next.sinceMs)} (limit ${formatDurationMs(limitMs)} in ${phase} phase)`;
      return (await notRunning(settings, text, details, tail, shared)) ?? result("fail", `${text}${tail}`, details);
    }
    if (ageMs > settings.checks.statusStaleAfter) {
      return result("warn", `${name} not updated for ${formatDurationMs(ageMs)} (stale after ${formatDurationMs(settings.checks.statusStaleAfter)}); step ${step}${of}${tail}`, details);
    }
    if (trend === "back") return result("warn", `step went back from ${prevSame!.step} to ${step} (restarted from an older checkpoint?)${tail}`, details);
    if (notes.some((n) => n.includes("future"))) return result("warn", `step ${step}${of}${tail}`, details);
    const updated = `updated ${formatDurationMs(Math.max(0, ageMs))} ago`;
    switch (trend) {
      case "first":
        return result("pass", `step ${step}${of}, ${updated} (first observation: advancing is judged from the next check)${tail}`, details);
      case "advanced":
        return result("pass", `step ${step}${of} (+${step - prevSame!.step} since ${formatDurationMs(nowMs - prevSame!.seenAtMs)} ago), ${updated}${tail}`, details);
      default:
        return result("pass", `step ${step}${of}, unchanged for ${formatDurationMs(nowMs - next.sinceMs)} (limit ${formatDurationMs(limitMs)}), ${updated}${tail}`, details);
    }
  },
};
