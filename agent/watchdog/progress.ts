/**
 * Hang detection from the status file: progress is `current_step` going up; each phase (training,
 * eval, checkpoint saving) has its own limit on the time without progress.
 *
 * The clock of a phase starts at the later of the last step advance and the last phase change, so a
 * 20-minute eval that begins 14 minutes after the last training step is judged by the eval limit
 * from its own start, not killed at minute 15.
 *
 * Adaptive limit (training phase only, when enabled): after `minSteps` steps were seen advancing in
 * the training phase, the limit becomes `multiplier` x the slowest observed gap between two step
 * advances, clamped to [floor, trainingTimeout]:
 *     limit = min(trainingTimeout, max(floor, multiplier * slowestGap))
 * Gaps are measured between two observations that both saw the step advance, so the first gap after a
 * (re)start (model loading) and gaps spanning eval or checkpoint phases never count. It only ever
 * tightens the configured limit, never loosens it.
 *
 * Everything here is pure: observations come in with their time.
 */
import { z } from "zod";
import { readJsonFile } from "../lib/files.js";

export type Phase = "training" | "eval" | "checkpoint";

export interface ProgressPolicy {
  readonly trainingTimeoutMs: number;
  readonly evalTimeoutMs: number;
  readonly checkpointTimeoutMs: number;
  readonly evalPhaseWords: ReadonlyArray<string>;
  readonly checkpointPhaseWords: ReadonlyArray<string>;
  readonly adaptive: {
    readonly enabled: boolean;
    readonly minSteps: number;
    readonly multiplier: number;
    readonly floorMs: number;
  };
}

/** One successful read of the status file. */
export interface StatusSample {
  readonly step: number | null;
  /** Raw value of the phase field, or null when absent. */
  readonly phaseText: string | null;
}

/** Which phase a raw phase text means: a word of the eval or checkpoint list anywhere in it. */
export function phaseOf(phaseText: string | null, policy: Pick<ProgressPolicy, "evalPhaseWords" | "checkpointPhaseWords">): Phase {
  if (!phaseText) return "training";
  const words = phaseText.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  const has = (list: ReadonlyArray<string>) => list.some((w) => words.includes(w.toLowerCase()));
  if (has(policy.checkpointPhaseWords)) return "checkpoint";
  if (has(policy.evalPhaseWords)) return "eval";
  return "training";
}

export interface Limit {
  readonly phase: Phase;
  readonly limitMs: number;
  /** True when the adaptive rule set the limit. */
  readonly adaptive: boolean;
}

/** State carried between observations; plain data so it can be persisted and restored. */
export interface ProgressSnapshot {
  readonly step: number | null;
  readonly phase: Phase;
  readonly phaseText: string | null;
  /** Start of the current quiet period: the last step advance or phase change. */
  readonly changedAtMs: number;
  /** Steps seen advancing in the training phase since tracking began (adaptive rule). */
  readonly stepsSeen: number;
  /** Slowest gap between two observed advances in the training phase, or null. */
  readonly slowestGapMs: number | null;
  /** Time of the last observed advance in the training phase (to measure the next gap). */
  readonly lastAdvanceAtMs: number | null;
}

export type ObserveResult = "advanced" | "phase_changed" | "reset" | "unchanged";

/** Tracks progress of one daemon process. */
export class ProgressTracker {
  private s: ProgressSnapshot;

  constructor(
    private readonly policy: ProgressPolicy,
    startedAtMs: number,
    restored?: { step: number | null; phaseText: string | null; changedAtMs: number },
  ) {
    this.s = {
      step: restored?.step ?? null,
      phaseText: restored?.phaseText ?? null,
      phase: phaseOf(restored?.phaseText ?? null, policy),
      changedAtMs: restored ? Math.min(restored.changedAtMs, startedAtMs) : startedAtMs,
      stepsSeen: 0,
      slowestGapMs: null,
      lastAdvanceAtMs: null,
    };
  }

  get snapshot(): ProgressSnapshot {
    return this.s;
  }

  /** Feeds one status read taken at `nowMs`. */
  observe(sample: StatusSample, nowMs: number): ObserveResult {
    const prev = this.s;
    const phase = phaseOf(sample.phaseText, this.policy);
    const phaseChanged = phase !== prev.phase;
    if (sample.step !== null && prev.step !== null && sample.step < prev.step) {
      // A lower step is a new run (resumed from a checkpoint): start over, including the adaptive data.
      this.s = { step: sample.step, phase, phaseText: sample.phaseText, changedAtMs: nowMs, stepsSeen: 0, slowestGapMs: null, lastAdvanceAtMs: null };
      return "reset";
    }
    if (sample.step !== null && (prev.step === null || sample.step > prev.step)) {
      let { stepsSeen, slowestGapMs, lastAdvanceAtMs } = prev;
      const realAdvance = prev.step !== null;
      if (realAdvance && phase === "training" && !phaseChanged) {
        stepsSeen += sample.step - prev.step!;
        if (lastAdvanceAtMs !== null) slowestGapMs = Math.max(slowestGapMs ?? 0, nowMs - lastAdvanceAtMs);
        lastAdvanceAtMs = nowMs;
      } else {
        // The first sighting is not an advance, and a gap across a phase boundary says nothing about
        // step time: only the next gap, between two real advances in training, counts.
        lastAdvanceAtMs = realAdvance && phase === "training" ? nowMs : null;
      }
      this.s = { step: sample.step, phase, phaseText: sample.phaseText, changedAtMs: nowMs, stepsSeen, slowestGapMs, lastAdvanceAtMs };
      return "advanced";
    }
    if (phaseChanged) {
      this.s = { ...prev, phase, phaseText: sample.phaseText, changedAtMs: nowMs, lastAdvanceAtMs: null };
      return "phase_changed";
    }
    if (sample.phaseText !== prev.phaseText) this.s = { ...prev, phaseText: sample.phaseText };
    return "unchanged";
  }

  /** The limit that applies now. */
  limit(): Limit {
    return limitFor(this.s, this.policy);
  }

  /** When the current quiet period becomes a hang. */
  deadlineMs(): number {
    return this.s.changedAtMs + this.limit().limitMs;
  }

  /** Milliseconds without progress at `nowMs`. */
  quietMs(nowMs: number): number {
    return Math.max(0, nowMs - this.s.changedAtMs);
  }
}

/** The limit for a snapshot under a policy (see the module comment for the adaptive rule). */
export function limitFor(s: ProgressSnapshot, policy: ProgressPolicy): Limit {
  if (s.phase === "eval") return { phase: s.phase, limitMs: policy.evalTimeoutMs, adaptive: false };
  if (s.phase === "checkpoint") return { phase: s.phase, limitMs: policy.checkpointTimeoutMs, adaptive: false };
  const a = policy.adaptive;
  if (a.enabled && s.stepsSeen >= a.minSteps && s.slowestGapMs !== null) {
    const limitMs = Math.min(policy.trainingTimeoutMs, Math.max(a.floorMs, a.multiplier * s.slowestGapMs));
    return { phase: s.phase, limitMs, adaptive: limitMs < policy.trainingTimeoutMs };
  }
  return { phase: s.phase, limitMs: policy.trainingTimeoutMs, adaptive: false };
}

const statusSchema = z.record(z.string(), z.unknown());

export type StatusRead =
  | { readonly ok: true; readonly sample: StatusSample }
  | { readonly ok: false; readonly reason: string; readonly message: string };

/**
 * Reads the status file. A missing, half-written or malformed file is a failed read (the caller
 * skips it: it is neither progress nor a hang), never an exception.
 */
export async function readStatus(file: string, phaseField: string): Promise<StatusRead> {
  const r = await readJsonFile(file, statusSchema);
  if (!r.ok) return { ok: false, reason: r.reason, message: r.message };
  const stepRaw = r.value["current_step"];
  let step: number | null = null;
  if (stepRaw !== undefined && stepRaw !== null) {
    if (typeof stepRaw !== "number" || !Number.isFinite(stepRaw) || stepRaw < 0) {
      return { ok: false, reason: "invalid", message: `${file}: current_step: expected a non-negative number, got ${JSON.stringify(stepRaw).slice(0, 40)}` };
    }
    step = stepRaw;
  }
  const phaseRaw = r.value[phaseField];
  const phaseText = typeof phaseRaw === "string" ? phaseRaw : null;
  return { ok: true, sample: { step, phaseText } };
}
