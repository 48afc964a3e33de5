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
 * Startup grace (when `startupGraceMs` is set): until the daemon's first progress, the limit is the
 * startup grace, not the phase's limit, and exceeding it is a hang of the `startup` phase. First
 * progress is a step or progress line written after the daemon started: a fresh sample, or one that
 * differs from the first (baseline) sample, which may be the previous run's last step. During the
 * grace a growing log restarts the clock (the logs' growth is the last-resort progress source, see
 * agent/watchdog/sources.ts): a trainer whose step lines are not recognised is not killed as long as
 * it writes, and one that writes nothing is killed after the grace.
 *
 * Everything here is pure: observations come in with their time.
 */
import { readJsonFile } from "../lib/files.js";
import { jsonObject } from "../lib/schema.js";

/** "startup": before the first progress (never a phase of the status file). */
export type Phase = "training" | "eval" | "checkpoint" | "startup";

export interface ProgressPolicy {
  readonly trainingTimeoutMs: number;
  readonly evalTimeoutMs: number;
  readonly checkpointTimeoutMs: number;
  /** Limit before the first progress; absent: no startup grace (the phase limits from the start). */
  readonly startupGraceMs?: number;
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
  /** Changes with every new progress line, even one without a step (agent/watchdog/sources.ts). */
  readonly mark?: string | null;
  /** Changes when a log grows: keeps the startup grace's clock going, never a step. */
  readonly growth?: string | null;
  /** Written after the daemon started (absent: true). A stale first sample is only a baseline. */
  readonly fresh?: boolean;
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
  /** Last step seen; null until the first progress. */
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
  /** First progress seen (always true without a startup grace). */
  readonly started: boolean;
  /** When tracking of this daemon began (the start of the startup grace). */
  readonly sinceMs: number;
  /** Last progress-line mark and log growth seen. */
  readonly mark: string | null;
  readonly growth: string | null;
  /** Before the first progress: the first sample, whose step and mark are not progress. */
  readonly baseline: { readonly step: number | null; readonly mark: string | null } | null;
}

/** "grew": before the first progress, a log grew (the startup clock restarts). */
export type ObserveResult = "advanced" | "phase_changed" | "reset" | "grew" | "unchanged";

/** Tracks progress of one daemon process. */
export class ProgressTracker {
  private s: ProgressSnapshot;

  constructor(
    private readonly policy: ProgressPolicy,
    startedAtMs: number,
    restored?: { step: number | null; phaseText: string | null; changedAtMs: number },
  ) {
    const changedAtMs = restored ? Math.min(restored.changedAtMs, startedAtMs) : startedAtMs;
    this.s = {
      step: restored?.step ?? null,
      phaseText: restored?.phaseText ?? null,
      phase: phaseOf(restored?.phaseText ?? null, policy),
      changedAtMs,
      stepsSeen: 0,
      slowestGapMs: null,
      lastAdvanceAtMs: null,
      // A restored step was progress of this same process (saved state names its PID and start time).
      started: policy.startupGraceMs === undefined || (restored?.step ?? null) !== null,
      sinceMs: changedAtMs,
      mark: null,
      growth: null,
      baseline: null,
    };
  }

  get snapshot(): ProgressSnapshot {
    return this.s;
  }

  /** Feeds one status read taken at `nowMs`. */
  observe(sample: StatusSample, nowMs: number): ObserveResult {
    if (!this.s.started) {
      const r = this.observeStartup(sample, nowMs);
      if (r !== "advanced") return r;
    }
    const prev = this.s;
    const mark = sample.mark ?? null;
    const growth = sample.growth ?? prev.growth;
    const phase = phaseOf(sample.phaseText, this.policy);
    const phaseChanged = phase !== prev.phase;
    if (sample.step !== null && prev.step !== null && sample.step < prev.step) {
      // A lower step is a new run (resumed from a checkpoint): start over, including the adaptive data.
      this.s = { ...prev, step: sample.step, phase, phaseText: sample.phaseText, changedAtMs: nowMs, stepsSeen: 0, slowestGapMs: null, lastAdvanceAtMs: null, mark, growth };
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
      this.s = { ...prev, step: sample.step, phase, phaseText: sample.phaseText, changedAtMs: nowMs, stepsSeen, slowestGapMs, lastAdvanceAtMs, mark, growth };
      return "advanced";
    }
    if (phaseChanged) {
      this.s = { ...prev, phase, phaseText: sample.phaseText, changedAtMs: nowMs, lastAdvanceAtMs: null, mark: mark ?? prev.mark, growth };
      return "phase_changed";
    }
    if (mark !== null && mark !== prev.mark) {
      // A new progress line without a higher step (an HF log dict, an eval bar): progress for the
      // clock, but no step time for the adaptive rule.
      this.s = { ...prev, phaseText: sample.phaseText, changedAtMs: nowMs, mark, growth };
      return "advanced";
    }
    this.s = { ...prev, phaseText: sample.phaseText, growth };
    return "unchanged";
  }

  /** Before the first progress: "advanced" means the sample is the first progress (observe goes on). */
  private observeStartup(sample: StatusSample, nowMs: number): ObserveResult {
    const prev = this.s;
    const mark = sample.mark ?? null;
    const growth = sample.growth ?? null;
    const base = prev.baseline;
    const changed = base !== null && ((sample.step !== null && sample.step !== base.step) || (mark !== null && mark !== base.mark));
    const evidence = sample.step !== null || mark !== null;
    if ((sample.fresh !== false && evidence) || changed) {
      // Judged from here as the first sighting of a step: step null before it, so it is "advanced".
      this.s = { ...prev, started: true, step: null, mark: null, baseline: null };
      return "advanced";
    }
    const grew = prev.growth !== null && growth !== null && growth !== prev.growth;
    this.s = {
      ...prev,
      baseline: base ?? { step: sample.step, mark },
      growth: growth ?? prev.growth,
      phaseText: sample.phaseText,
      ...(grew ? { changedAtMs: nowMs } : {}),
    };
    return grew ? "grew" : "unchanged";
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
  if (!s.started && policy.startupGraceMs !== undefined) return { phase: "startup", limitMs: policy.startupGraceMs, adaptive: false };
  if (s.phase === "eval") return { phase: s.phase, limitMs: policy.evalTimeoutMs, adaptive: false };
  if (s.phase === "checkpoint") return { phase: s.phase, limitMs: policy.checkpointTimeoutMs, adaptive: false };
  const a = policy.adaptive;
  if (a.enabled && s.stepsSeen >= a.minSteps && s.slowestGapMs !== null) {
    const limitMs = Math.min(policy.trainingTimeoutMs, Math.max(a.floorMs, a.multiplier * s.slowestGapMs));
    return { phase: s.phase, limitMs, adaptive: limitMs < policy.trainingTimeoutMs };
  }
  return { phase: s.phase, limitMs: policy.trainingTimeoutMs, adaptive: false };
}

// z.record(z.string(), z.unknown()), with zod built only for an unusual file (lib/schema.ts).
const statusSchema = jsonObject;

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
