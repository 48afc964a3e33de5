/**
 * Where training progress comes from when the trainer writes no trainsafe status file: what HF
 * Trainer, Lightning, torchrun scripts, Megatron and DeepSpeed write anyway. Sources, in order:
 *
 *   1. the status file (status/training_status.json) when it exists: it is the only source then;
 *   2. HF `trainer_state.json` of the newest `checkpoint-N/` (its global_step) together with
 *   3. the last step line of the training logs (tqdm bars, HF log dicts, Megatron, Lightning,
 *      DeepSpeed, plain `step N`): the higher step of the two, and every new progress line;
 *   4. the logs' growth (size), the last resort: it only keeps a daemon out of the startup hang
 *      (see agent/watchdog/progress.ts), it never counts as a step.
 *
 * Logs are read from their tail only (agent/crash/tail.ts). tqdm writes its updates separated by
 * "\r" on one line that only ends when the bar closes, so text is split on "\r" as well as "\n", and
 * a bar line longer than the tail's byte bound is read from its last bytes.
 *
 * Only progress written after the daemon started counts as its first progress: a log line or a
 * checkpoint of the previous run must not end the startup grace of a restarted trainer. So the
 * first read remembers each log's size, and later lines beyond it are fresh.
 */
import { constants as fsConstants, promises as fsp } from "node:fs";
import path from "node:path";
import type { Layout } from "../config/layout.js";
import { defaultLogFiles } from "../crash/scanner.js";
import { readTailBytes } from "../crash/tail.js";
import { describeError } from "../lib/errors.js";
import { readStatus, type StatusRead } from "./progress.js";

/** Which source a reading came from. */
export type ProgressSource = "status_file" | "trainer_state" | "log_step" | "log_growth" | "none";

/** Formats of step lines, in the order they are tried on each piece of text. */
export type StepFormat = "lightning" | "lightning_rich" | "megatron" | "deepspeed" | "tqdm" | "hf_log" | "step";

/** One recognised progress line (or one "\r"-separated tqdm update). */
export interface StepLine {
  readonly format: StepFormat;
  /** Training step it names, or null when it names none (an HF log dict, a nested eval bar). */
  readonly step: number | null;
  readonly total: number | null;
  /** tqdm bars: the description before the bar ("" for HF Trainer's) and whether it is nested. */
  readonly bar?: { readonly desc: string; readonly nested: boolean };
  /**
   * A bar at 0 (drawn when a loop or an epoch begins): no work done yet, so not progress. The first
   * step after it may take long (compilation, data workers starting) and is still startup.
   */
  readonly idle?: true;
}

/**
 * Step-line rules: data, tried in order on each piece of text with terminal escapes removed; the
 * first match wins. `step` turns the match into a step (null: the line is progress without a step).
 */
interface StepRule {
  readonly format: StepFormat;
  readonly re: RegExp;
  readonly step: (m: RegExpExecArray) => { step: number | null; total: number | null; idle?: boolean };
}

const barStep = (n: number, total: number | null) => ({ step: n === 0 ? null : n, total, idle: n === 0 });

const num = (s: string | undefined): number | null => (s === undefined || s === "?" ? null : Number(s));
/** Lightning's bar counts batches of the current epoch: the global step is epoch x batches + batch. */
const epochStep = (epoch: string, n: string, total: string | undefined) => {
  const t = num(total);
  return { step: t === null || Number(n) === 0 ? null : Number(epoch) * t + Number(n), total: t, idle: Number(n) === 0 };
};

const STEP_RULES: ReadonlyArray<StepRule> = [
  // Lightning TQDMProgressBar: "Epoch 1:  20%|██        | 2/10 [00:00<00:00, ...]" ("2/? [" for iterable data).
  { format: "lightning", re: /\bEpoch (\d+):\s*(?:\d+%)?\|[^|]*\|\s*(\d+)\/(\d+|\?)\s*\[/, step: (m) => epochStep(m[1]!, m[2]!, m[3]) },
  // Lightning RichProgressBar: "Epoch 1/1  ━━━━━━━━ 10/10 0:00:00 • ..."
  { format: "lightning_rich", re: /\bEpoch (\d+)\/\d+\s+\S*\s+(\d+)\/(\d+)\s/, step: (m) => epochStep(m[1]!, m[2]!, m[3]) },
  // Megatron-LM: " iteration      100/    1000 | consumed samples: ..."
  { format: "megatron", re: /\biteration\s+(\d+)\s*\/\s*(\d+)\s*\|/, step: (m) => ({ step: Number(m[1]), total: Number(m[2]) }) },
  // DeepSpeed: "epoch=0/micro_step=100/global_step=100, RunningAvgSamplesPerSec=..." and the engine's
  // "[Rank 0] step=100, skipped=0, lr=[...]".
  { format: "deepspeed", re: /\bglobal_step[=:]\s*(\d+)/, step: (m) => ({ step: Number(m[1]), total: null }) },
  { format: "deepspeed", re: /\bstep=(\d+),\s*skipped=\d+/, step: (m) => ({ step: Number(m[1]), total: null }) },
  // Older DeepSpeed ThroughputTimer: "[INFO ...] 0/2700, SamplesPerSec=13.19" (epoch/step).
  { format: "deepspeed", re: /\b\d+\/(\d+),\s*SamplesPerSec=/, step: (m) => ({ step: Number(m[1]), total: null }) },
  // tqdm (HF Trainer's bar, plain loops): " 12/500 [00:10<...", "train:  40%|████  | 12/30 [", "45it [00:10, ...".
  { format: "tqdm", re: /^(?:\s*([^|]{0,80}?):)?\s*(?:\d+%)?\|[^|]*\|\s*(\d+)\/(\d+|\?)\s*\[/, step: (m) => barStep(Number(m[2]), num(m[3])) },
  { format: "tqdm", re: /^(?:\s*([^|]{0,80}?):)?\s*(\d+)it \[\d/, step: (m) => barStep(Number(m[2]), null) },
  // HF Trainer log dicts: "{'loss': 1.2, 'grad_norm': ..., 'learning_rate': ..., 'epoch': 0.1}" (v5 quotes
  // the values). They name no step but are written every logging_steps: progress.
  { format: "hf_log", re: /^\s*\{\s*'(?:loss|eval_\w+|train_\w+|grad_norm|learning_rate)'\s*:.*'epoch'\s*:/, step: () => ({ step: null, total: null }) },
  // Plain: "step 100", "Step 100/1000", "step: 100", "iter 100: loss ..." (nanoGPT).
  { format: "step", re: /\b[Ss]tep[\s:=#]+(\d+)(?:\s*\/\s*(\d+))?\b/, step: (m) => ({ step: Number(m[1]), total: num(m[2]) }) },
  { format: "step", re: /\biter(?:ation)?\s+(\d+)\b\s*[:/|,]/, step: (m) => ({ step: Number(m[1]), total: null }) },
];

// Colour and cursor escapes; "ESC[A" (cursor up) marks a nested tqdm bar (position > 0): an eval or
// save bar under the training bar, whose counts are no training steps.
const ANSI_RE = /\x1b\[[0-9;?]*[A-Za-z]/g;
const NESTED_RE = /\x1b\[\d*A/;
/** Descriptions of bars that count evaluation batches, never training steps. */
const EVAL_BAR_RE = /sanity|validat|eval|test|predict/i;

/** Recognises one piece of log text (a line, or one "\r"-separated tqdm update); pure. */
export function parseStepLine(text: string): StepLine | null {
  const nested = NESTED_RE.test(text);
  const plain = text.replace(ANSI_RE, "");
  if (plain.trim() === "") return null;
  for (const rule of STEP_RULES) {
    const m = rule.re.exec(plain);
    if (!m) continue;
    const { step, total, idle } = rule.step(m);
    if (step !== null && !Number.isSafeInteger(step)) continue;
    const extra = idle ? { idle: true as const } : {};
    if (rule.format === "tqdm") return { format: rule.format, step: nested ? null : step, total, bar: { desc: (m[1] ?? "").trim(), nested }, ...extra };
    return { format: rule.format, step, total, ...extra };
  }
  return null;
}

/** The last progress line and the last step of a piece of log text. */
export interface StepScan {
  /** The last progress line (with or without a step) and where it starts in the text. */
  readonly last: (StepLine & { readonly index: number; readonly text: string }) | null;
  /** The last line that named a step. */
  readonly lastStep: (StepLine & { readonly step: number; readonly index: number; readonly text: string }) | null;
  readonly lines: number;
}

/**
 * Scans text (split on "\n" and "\r") for progress lines; `index` is the piece's start in `text`. Pure.
 *
 * Several tqdm bars share a log: HF's eval and "Writing model shards" bars, Lightning's validation
 * and sanity-check bars, a plain loop's eval bar. Their counts are no training steps, so only one bar
 * names steps: none when Lightning's epoch bar is there; otherwise the bar (description and total)
 * with the largest total among those never drawn nested nor named for evaluation ("Validation",
 * "Sanity Checking", "eval"). Every bar update is still progress.
 */
export function scanStepText(text: string): StepScan {
  const found: Array<StepLine & { index: number; raw: string }> = [];
  const re = /[^\r\n]+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const line = parseStepLine(m[0]);
    if (line) found.push({ ...line, index: m.index, raw: m[0] });
  }
  const key = (l: StepLine) => `${l.bar!.desc}|${l.total ?? "?"}`;
  const nested = new Set(found.filter((l) => l.bar?.nested).map(key));
  const lightning = found.some((l) => l.format === "lightning" || l.format === "lightning_rich");
  let main: string | null = null;
  let mainTotal = -1;
  for (const l of found) {
    if (!l.bar || nested.has(key(l)) || EVAL_BAR_RE.test(l.bar.desc)) continue;
    if ((l.total ?? 0) > mainTotal) {
      mainTotal = l.total ?? 0;
      main = key(l);
    }
  }
  let last: StepScan["last"] = null;
  let lastStep: StepScan["lastStep"] = null;
  for (const l of found) {
    if (l.idle) continue;
    const { raw, ...line } = l;
    const isBar = line.bar !== undefined;
    const step = isBar && (lightning || key(line) !== main) ? null : line.step;
    const at = { ...line, step, text: raw.replace(ANSI_RE, "").trim() };
    last = at;
    if (step !== null) lastStep = { ...at, step };
  }
  return { last, lastStep, lines: found.filter((l) => !l.idle).length };
}

/** Lines read from the end of each log (bounded by LOG_TAIL_BYTES as well). */
const LOG_TAIL_LINES = 200;
const LOG_TAIL_BYTES = 64 * 1024;
/** A signature's stats this recent stand for the files in the read() that follows it. */
const SIGNATURE_STATS_FRESH_MS = 100;
/** How often the list of training logs is read again (a new log file is seen within this). */
const LOG_LIST_REFRESH_MS = 5000;
/** A tqdm line longer than the tail bound is read from its last bytes (the newest updates). */
const LONG_LINE_BYTES = 64 * 1024;
const CHECKPOINT_RE = /^checkpoint-(\d+)$/;

/** Progress as read from the sources at one moment. */
export interface ProgressReading {
  readonly source: ProgressSource;
  readonly step: number | null;
  readonly phaseText: string | null;
  /** Changes whenever a new progress line is written, even one without a step (HF log dicts). */
  readonly mark: string | null;
  /** Changes whenever a log grows; only the startup grace uses it. */
  readonly growth: string | null;
  /** True when the step or line was written after the daemon started (see the module comment). */
  readonly fresh: boolean;
  /** File the step came from (status file, trainer_state.json, or log), and the line. */
  readonly file: string | null;
  readonly format: StepFormat | null;
  readonly text: string | null;
  /** One phrase per source tried, for messages ("status file ...: missing", ...). */
  readonly tried: ReadonlyArray<string>;
}

export type SourcesRead = { readonly ok: true; readonly reading: ProgressReading } | Extract<StatusRead, { ok: false }>;

interface LogScan {
  readonly file: string;
  readonly ino: number;
  readonly sizeBytes: number;
  readonly mtimeMs: number;
  /** Absolute byte offset of the last progress line / last step line, or null. */
  readonly lastAt: number | null;
  readonly last: StepScan["last"];
  readonly lastStepAt: number | null;
  readonly lastStep: StepScan["lastStep"];
}

/** Reads progress from the sources above for one daemon; construct one per daemon start. */
export class ProgressSources {
  /** Size of each log at the first read: lines written beyond it are the daemon's own. */
  private baseline: Map<string, { ino: number; sizeBytes: number }> | null = null;
  private readonly cache = new Map<string, { scan: LogScan; scannedAtMs: number }>();
  /** The training logs as last listed (listing logs/ is the costly part of a signature). */
  private logList: { files: string[]; listedAtMs: number } | null = null;
  /** The stats the last signature took: read() right after it uses them instead of stat-ing again. */
  private sigStats: { atMs: number; byFile: Map<string, { ino: number; size: number; mtimeMs: number } | null> } | null = null;

  constructor(
    private readonly layout: Layout,
    private readonly phaseField: string,
    /** When the daemon started: a status file or checkpoint older than this is not its progress. */
    private readonly sinceMs: number,
    /**
     * A log that keeps growing (a tqdm bar updates several times a second) has its tail scanned again
     * at most this often; its growth is seen at every read.
     */
    private readonly rescanMs = 1000,
    /**
     * An adopted daemon has been running for a while: at the first read a line counts as its own when
     * the log was written after the process started (`sinceMs` is then the process's start time). A
     * launched one has only just started, so its first read is a baseline.
     */
    private readonly adopted = false,
  ) {}

  /**
   * The training logs (agent/crash/scanner.ts defaultLogFiles), listed again at most every
   * LOG_LIST_REFRESH_MS: a log that appears is seen within that, a log that goes fails its stat.
   */
  private async logFiles(): Promise<string[]> {
    const now = Date.now();
    if (!this.logList || now - this.logList.listedAtMs >= LOG_LIST_REFRESH_MS || now < this.logList.listedAtMs) {
      this.logList = { files: await defaultLogFiles(this.layout), listedAtMs: now };
    }
    return this.logList.files;
  }

  /** Cheap: changes when any source file changes (stat only), so the caller knows to read again. */
  async signature(): Promise<string> {
    const files = [this.layout.statusFile, ...(await this.logFiles())];
    const stats = await Promise.all(files.map((f) => fsp.stat(f).then((s) => ({ ino: s.ino, size: s.size, mtimeMs: s.mtimeMs }), () => null)));
    this.sigStats = { atMs: Date.now(), byFile: new Map(files.map((f, i) => [f, stats[i]!])) };
    return stats.map((s) => (s ? `${s.ino}:${s.size}:${s.mtimeMs}` : "-")).join("|");
  }

  /**
   * When the sources last changed, as their own mtimes tell: the newest mtime the last signature saw
   * that lies in (afterMs, nowMs], else nowMs. Progress is compared every few seconds, and a step
   * noticed late must not push the hang deadline back by that much; an mtime outside the window
   * (another host's clock, a file touched earlier) is not trusted and the check's own time is used.
   */
  changedAtMs(afterMs: number, nowMs: number): number {
    let at: number | null = null;
    for (const st of this.sigStats?.byFile.values() ?? []) {
      if (st && st.mtimeMs > afterMs && st.mtimeMs <= nowMs && (at === null || st.mtimeMs > at)) at = st.mtimeMs;
    }
    return at ?? nowMs;
  }

  /** A file's stat as the signature took it moments ago (undefined: not taken, or too old: stat again). */
  private statOfSignature(file: string): { ino: number; size: number; mtimeMs: number } | null | undefined {
    const s = this.sigStats;
    if (!s) return undefined;
    const age = Date.now() - s.atMs;
    return age >= 0 && age < SIGNATURE_STATS_FRESH_MS ? s.byFile.get(file) : undefined;
  }

  /** Reads the sources in order (module comment). A torn status file is a failed read, as before. */
  async read(): Promise<SourcesRead> {
    const layout = this.layout;
    const tried: string[] = [];
    const statusName = path.relative(layout.baseDir, layout.statusFile);
    const status = await readStatus(layout.statusFile, this.phaseField);
    if (status.ok || status.reason !== "missing") {
      if (!status.ok) return status;
      const seen = this.statOfSignature(layout.statusFile);
      const mtimeMs = seen ? seen.mtimeMs : await fsp.stat(layout.statusFile).then((s) => s.mtimeMs, () => 0);
      return {
        ok: true,
        reading: {
          source: "status_file",
          step: status.sample.step,
          phaseText: status.sample.phaseText,
          mark: null,
          // The logs' tails are not read while the status file is the source: their sizes suffice.
          growth: await this.logSizes(),
          fresh: mtimeMs >= this.sinceMs,
          file: layout.statusFile,
          format: null,
          text: null,
          tried: [`status file ${statusName}`],
        },
      };
    }
    tried.push(`status file ${statusName}: missing`);
    const firstRead = this.baseline === null;
    const logs = await this.scanLogs();

    const ckpt = await this.newestTrainerState(tried);
    // The log with the newest progress line; old logs of earlier runs in logs/ keep their last lines.
    const withLines = logs.filter((l) => l.last !== null).sort((a, b) => b.mtimeMs - a.mtimeMs);
    const log = withLines[0] ?? null;
    const logNames = logs.map((l) => path.relative(layout.baseDir, l.file)).join(", ") || "none found";
    if (log) {
      tried.push(`step lines in ${path.relative(layout.baseDir, log.file)}: ${log.lastStep ? `step ${log.lastStep.step} (${log.lastStep.format})` : `${log.last!.format} lines without a step`}`);
    } else {
      tried.push(`step lines in the logs (${logNames}): none recognised`);
    }
    const base = firstRead ? null : (key: string) => this.baseline!.get(key);
    const lineFresh = (l: LogScan, at: number | null) => {
      if (at === null) return false;
      if (!base) return this.adopted && l.mtimeMs >= this.sinceMs;
      const b = base(l.file);
      return !b || b.ino !== l.ino || at >= b.sizeBytes;
    };
    const growth = growthOf(logs);
    tried.push(`log growth (${logNames})`);
    const logStep = log?.lastStep ?? null;
    if (ckpt && (logStep === null || ckpt.step >= logStep.step)) {
      return {
        ok: true,
        reading: {
          source: "trainer_state",
          step: ckpt.step,
          phaseText: null,
          mark: log && log.lastAt !== null ? `${log.file}:${log.ino}:${log.lastAt}` : null,
          growth,
          fresh: ckpt.mtimeMs >= this.sinceMs || (log !== null && lineFresh(log, log.lastAt)),
          file: ckpt.file,
          format: null,
          text: null,
          tried,
        },
      };
    }
    if (log) {
      return {
        ok: true,
        reading: {
          source: "log_step",
          step: logStep?.step ?? null,
          phaseText: null,
          mark: log.lastAt !== null ? `${log.file}:${log.ino}:${log.lastAt}` : null,
          growth,
          fresh: lineFresh(log, log.lastAt),
          file: log.file,
          format: log.last!.format,
          text: (logStep ?? log.last)!.text.slice(0, 200),
          tried,
        },
      };
    }
    return {
      ok: true,
      reading: {
        source: logs.length ? "log_growth" : "none",
        step: null,
        phaseText: null,
        mark: null,
        growth,
        fresh: false,
        file: null,
        format: null,
        text: null,
        tried,
      },
    };
  }

  /** Growth token of the training logs from their sizes alone. */
  private async logSizes(): Promise<string | null> {
    const files = await this.logFiles();
    const parts = await Promise.all(
      files.map((f) => {
        const seen = this.statOfSignature(f);
        if (seen !== undefined) return seen ? `${seen.ino}:${seen.size}` : null;
        return fsp.stat(f).then((st) => `${st.ino}:${st.size}`, () => null);
      }),
    );
    const present = parts.filter((p): p is string => p !== null);
    return present.length ? present.join("|") : null;
  }

  /** Tail of every training log, re-read only when it changed; the first call sets the baseline. */
  private async scanLogs(): Promise<LogScan[]> {
    const files = await this.logFiles();
    const out: LogScan[] = [];
    for (const file of files) {
      let st;
      try {
        st = await fsp.stat(file);
      } catch {
        continue;
      }
      const prev = this.cache.get(file);
      const unchanged = prev && prev.scan.sizeBytes === st.size && prev.scan.mtimeMs === st.mtimeMs;
      if (prev && prev.scan.ino === st.ino && (unchanged || Date.now() - prev.scannedAtMs < this.rescanMs)) {
        out.push({ ...prev.scan, sizeBytes: st.size, mtimeMs: st.mtimeMs });
        continue;
      }
      const scan = await scanLogTail(file).catch(() => null);
      if (!scan) continue;
      this.cache.set(file, { scan, scannedAtMs: Date.now() });
      out.push(scan);
    }
    if (this.baseline === null) this.baseline = new Map(out.map((l) => [l.file, { ino: l.ino, sizeBytes: l.sizeBytes }]));
    return out;
  }

  /** trainer_state.json of the highest checkpoint-N under the model folder, BASE_DIR or a folder in it. */
  private async newestTrainerState(tried: string[]): Promise<{ step: number; file: string; mtimeMs: number } | null> {
    const dirs = await checkpointDirs(this.layout);
    if (dirs.length === 0) {
      tried.push("trainer_state.json: no checkpoint-N folder");
      return null;
    }
    // The highest checkpoint-N of each folder; of those, the one written last (an old run's folder
    // beside the current output_dir may hold higher step numbers).
    const tops = new Map<string, { dir: string; step: number }>();
    for (const d of dirs) if (!tops.has(path.dirname(d.dir))) tops.set(path.dirname(d.dir), d);
    const stamped = await Promise.all([...tops.values()].map(async (d) => ({ ...d, mtimeMs: await fsp.stat(d.dir).then((st) => st.mtimeMs, () => 0) })));
    const newest = stamped.sort((a, b) => b.mtimeMs - a.mtimeMs || b.step - a.step)[0]!;
    const file = path.join(newest.dir, "trainer_state.json");
    const name = path.relative(this.layout.baseDir, file);
    try {
      const [text, st] = await Promise.all([fsp.readFile(file, "utf8"), fsp.stat(file)]);
      const v = JSON.parse(text) as { global_step?: unknown; log_history?: Array<{ step?: unknown }> };
      const lastLogged = Array.isArray(v.log_history) ? v.log_history.at(-1)?.step : undefined;
      const step = typeof v.global_step === "number" ? v.global_step : typeof lastLogged === "number" ? lastLogged : null;
      if (step === null || !Number.isSafeInteger(step) || step < 0) {
        tried.push(`${name}: global_step: expected a non-negative integer`);
        return null;
      }
      tried.push(`${name}: step ${step}`);
      return { step, file, mtimeMs: st.mtimeMs };
    } catch (err) {
      // Being written (HF saves it last) or not an HF checkpoint: not an error, another source decides.
      tried.push(`${name}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : describeError(err)}`);
      return null;
    }
  }
}

/** When a process started (epoch ms), from its start time in clock ticks since boot; null when unknown. */
export async function processStartedAtMs(startTicks: number): Promise<number | null> {
  try {
    const btime = /^btime (\d+)$/m.exec(await fsp.readFile("/proc/stat", "utf8"));
    // USER_HZ is 100 on every Linux that Node runs on (agent/watchdog/diagnose.ts relies on it too).
    return btime ? Number(btime[1]) * 1000 + startTicks * 10 : null;
  } catch {
    return null;
  }
}

function growthOf(logs: ReadonlyArray<LogScan>): string | null {
  return logs.length ? logs.map((l) => `${l.ino}:${l.sizeBytes}`).join("|") : null;
}

/** checkpoint-N folders, highest N first, in the places HF's output_dir usually is. */
export async function checkpointDirs(layout: Layout): Promise<Array<{ dir: string; step: number }>> {
  const roots = new Set([layout.modelDir, layout.baseDir]);
  try {
    for (const e of await fsp.readdir(layout.baseDir, { withFileTypes: true })) {
      if (e.isDirectory() && !e.name.startsWith(".") && !CHECKPOINT_RE.test(e.name)) roots.add(path.join(layout.baseDir, e.name));
    }
  } catch {
    // no BASE_DIR listing: the model folder alone
  }
  const found: Array<{ dir: string; step: number }> = [];
  await Promise.all(
    [...roots].map(async (root) => {
      try {
        for (const e of await fsp.readdir(root, { withFileTypes: true })) {
          const m = CHECKPOINT_RE.exec(e.name);
          if (m && e.isDirectory()) found.push({ dir: path.join(root, e.name), step: Number(m[1]) });
        }
      } catch {
        // not a folder we can list
      }
    }),
  );
  return found.sort((a, b) => b.step - a.step || a.dir.localeCompare(b.dir));
}

/** Scans the tail of one log for progress lines (absolute offsets of the last ones). */
export async function scanLogTail(file: string): Promise<LogScan> {
  const tail = await readTailBytes(file, LOG_TAIL_LINES, { maxBytes: LOG_TAIL_BYTES, countLinesMaxBytes: 0 });
  const st = await fsp.stat(file);
  let buf = tail.buf;
  let startOffset = tail.startOffset;
  if (tail.cutAtMaxBytes && buf.length === 0 && tail.sizeBytes > 0) {
    // One line longer than the bound: a tqdm bar that never printed "\n". Its last bytes hold the
    // newest updates; the first (cut) update is dropped below.
    startOffset = Math.max(0, tail.sizeBytes - LONG_LINE_BYTES);
    buf = await readRange(file, startOffset, tail.sizeBytes - startOffset);
    const cr = buf.indexOf(0x0d);
    if (cr > 0) {
      buf = buf.subarray(cr);
      startOffset += cr;
    }
  }
  // latin1 keeps one character per byte, so an index in the text is a byte offset in the file; the
  // rules are ASCII, and the reported line is decoded as UTF-8 below.
  const scan = scanStepText(buf.toString("latin1"));
  const utf8 = (s: { index: number; text: string } | null) =>
    s === null ? null : Buffer.from(s.text, "latin1").toString("utf8");
  return {
    file,
    ino: st.ino,
    sizeBytes: tail.sizeBytes,
    mtimeMs: st.mtimeMs,
    lastAt: scan.last ? startOffset + scan.last.index : null,
    last: scan.last ? { ...scan.last, text: utf8(scan.last)! } : null,
    lastStepAt: scan.lastStep ? startOffset + scan.lastStep.index : null,
    lastStep: scan.lastStep ? { ...scan.lastStep, text: utf8(scan.lastStep)! } : null,
  };
}

async function readRange(file: string, position: number, length: number): Promise<Buffer> {
  const fh = await fsp.open(file, fsConstants.O_RDONLY);
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
