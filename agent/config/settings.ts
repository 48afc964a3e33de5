/**
 * trainsafe settings: the user-facing file (JSON, durations and sizes with units) is parsed once with
 * zod, defaults are filled, units converted, and the resolved object is frozen and passed down.
 * Each section belongs to one part of the agent; command-line options override the file.
 */
import path from "node:path";
import { z } from "zod";
import { configError } from "../lib/errors.js";
import { readJsonFile } from "../lib/files.js";
import { deepFreeze, durationMs, fast, jsonObject, settingsError, sizeBytes, UNUSUAL, type FieldCheck, type Unusual } from "../lib/schema.js";
import { resolveLayout, type Layout, type LayoutOverrides } from "./layout.js";



/** Default of agent.tls.reloadInterval (the TLS block is optional, so the defaults of `{}` lack it). */
const TLS_RELOAD_DEFAULT_MS = 60_000;

/**
 * The settings schema, built on first use (see settingsSchema): a local command whose settings are all
 * of the expected types never builds it (fastSettings).
 */
function buildSettingsSchema() {
  const duration = durationMs();
  const size = sizeBytes();
  const pathsSchema = z
    .strictObject({
      configFile: z.string(),
      pidFile: z.string(),
      identityFile: z.string(),
      lockFile: z.string(),
      crashHistoryFile: z.string(),
      statusFile: z.string(),
      statusDir: z.string(),
      logsDir: z.string(),
      outputLog: z.string(),
      modelDir: z.string(),
      coreDir: z.string(),
      trainScript: z.string(),
      daemonScript: z.string(),
      queueDir: z.string(),
      inboxDir: z.string(),
      watchdogLog: z.string(),
      antiStuckLog: z.string(),
    })
    .partial();

  const checksSchema = z.strictObject({
    minDiskFree: size.default(50e9),
    minMemoryAvailable: size.default(4e9),
    maxCheckpointAge: duration.default(24 * 3_600_000),
    /** Status older than this is "stale" (training progress check warns). */
    statusStaleAfter: duration.default(15 * 60_000),
    /** Per-check timeout: a hung nvidia-smi must not hang `check`. */
    checkTimeout: duration.default(10_000),
    /** When true, a missing nvidia-smi is a failure instead of "skip". */
    expectGpus: z.boolean().default(false),
    expectedGpuCount: z.number().int().nonnegative().optional(),
    maxGpuTemperatureC: z.number().positive().default(85),
    /** Crash findings newer than this are reported by the recent-crashes check. */
    recentCrashWindow: duration.default(24 * 3_600_000),
    /** nvidia-smi to run: a name looked up on PATH or a path (systemd units often have a short PATH). */
    nvidiaSmi: z.string().min(1).default("nvidia-smi"),
    /** The logs folder growing past this is a warning (a log loop fills the disk). */
    maxLogDirSize: size.default(20e9),
    /** Kernel log read for NVIDIA Xid errors (a file of /dev/kmsg records works too). */
    kernelLog: z.string().min(1).default("/dev/kmsg"),
    /** lspci to run: NVIDIA GPUs on the PCI bus that nvidia-smi does not see have fallen off the bus. */
    lspci: z.string().min(1).default("lspci"),
  });

  const crashSchema = z.strictObject({
    lastNLines: z.number().int().positive().default(1000),
    /** Extra rules file merged after the built-in rules (same format). */
    rulesFile: z.string().optional(),
    /** Most entries kept in .crash_history.json (oldest dropped first). */
    maxHistoryEntries: z.number().int().positive().default(500),
  });

  const watchdogSchema = z.strictObject({
    /** How often the daemon's PID is polled for death (cheap). */
    livenessPoll: duration.default(250),
    /** How often progress, phase and the status file are examined (the brief: 30 s). */
    checkInterval: duration.default(30_000),
    /** No step progress for this long in the training phase is a hang (anti_stuck: 15 min). */
    trainingTimeout: duration.default(15 * 60_000),
    /**
     * Before the daemon's first progress (imports, data loading, model load) the hang limit is this,
     * not trainingTimeout; exceeding it is a hang of the `startup` phase (agent/watchdog/progress.ts).
     */
    startupGrace: duration.default(10 * 60_000),
    evalTimeout: duration.default(30 * 60_000),
    checkpointTimeout: duration.default(30 * 60_000),
    /** Field of the status file that names the phase, and the words that mean each phase. */
    phaseField: z.string().default("phase"),
    evalPhaseWords: z.array(z.string()).default(["eval", "evaluating", "evaluation", "validation"]),
    checkpointPhaseWords: z.array(z.string()).default(["checkpoint", "saving", "save", "checkpointing"]),
    /**
     * Adaptive training limit: after `minSteps` steps were seen, the limit becomes `multiplier` x the
     * slowest observed gap between step advances, never below `floor` nor above trainingTimeout
     * (agent/watchdog/progress.ts).
     */
    adaptive: z
      .strictObject({
        enabled: z.boolean().default(false),
        minSteps: z.number().int().positive().default(20),
        multiplier: z.number().positive().default(10),
        floor: duration.default(2 * 60_000),
      })
      .prefault({}),
    /** Wait after SIGTERM (and after each SIGKILL) for the process tree to be gone. */
    killGrace: duration.default(10_000),
    maxKillAttempts: z.number().int().positive().default(3),
    maxRestarts: z.number().int().nonnegative().default(3),
    restartWindow: duration.default(5 * 60_000),
    backoffInitial: duration.default(10_000),
    backoffMax: duration.default(5 * 60_000),
    /** Running this long without a crash or hang resets the back-off. */
    healthyReset: duration.default(10 * 60_000),
    /** Command that starts the daemon (argv), run in BASE_DIR. */
    daemonCommand: z.array(z.string()).min(1).default(["python3", "core/training_daemon.py"]),
    /** Regex the daemon's command line must match before trainsafe will ever signal it. */
    daemonPattern: z.string().default("training_daemon"),
    /** Deadline for each program the hang report runs (py-spy, nvidia-smi). */
    hangReportTimeout: duration.default(10_000),
    /** Interval between the two CPU-time samples of the hang report (is the CPU time moving?). */
    cpuSample: duration.default(500),
    minDiskFreeForRestart: size.default(10e9),
  });

  const agentSchema = z.strictObject({
    /** Controller address host:port; absent = the agent runs alone with the local budget. */
    controller: z.string().optional(),
    /** Agent state (event spool): default BASE_DIR/.trainsafe/agent. */
    stateDir: z.string().optional(),
    telemetryInterval: duration.default(10_000),
    healthCheckInterval: duration.default(5 * 60_000),
    /** How long a restart waits for the controller's grant before the local budget decides. */
    grantDeadline: duration.default(2_000),
    reconnectInitial: duration.default(500),
    reconnectMax: duration.default(30_000),
    /**
     * TLS to the controller: `ca` verifies the controller's certificate; `cert`/`key` are this host's
     * certificate for mutual TLS (URI SAN trainsafe://host/<hostId>); `serverName` is the name to verify
     * when the address's host differs. Relative paths are relative to the settings file's folder.
     */
    tls: z
      .strictObject({
        ca: z.string().min(1),
        cert: z.string().min(1).optional(),
        key: z.string().min(1).optional(),
        serverName: z.string().min(1).optional(),
        /** How often ca, cert and key are read again (a renewed host certificate without a restart); 0: never. */
        reloadInterval: duration.default(TLS_RELOAD_DEFAULT_MS),
      })
      .refine((t) => (t.cert === undefined) === (t.key === undefined), { message: "cert and key go together", path: ["key"] })
      .optional(),
    /** Allow plain text to a controller that is not on loopback (logged as a warning). */
    insecure: z.boolean().default(false),
  });

  return z.strictObject({
    baseDir: z.string().optional(),
    hostId: z.string().optional(),
    jobId: z.string().optional(),
    /** Training-directory layout: "seed" (config.json, core/, queue/, inbox/), "hf" (a plain HF/torchrun job), "auto". */
    layout: z.enum(["seed", "hf", "auto"]).default("auto"),
    /** The training run's arguments as JSON, relative to BASE_DIR (hf layout): output_dir, resume_from_checkpoint, save_only_model. */
    trainingConfig: z.string().min(1).optional(),
    paths: pathsSchema.prefault({}),
    checks: checksSchema.prefault({}),
    crash: crashSchema.prefault({}),
    watchdog: watchdogSchema.prefault({}),
    agent: agentSchema.prefault({}),
  });
}

let settingsSchemaBuilt: ReturnType<typeof buildSettingsSchema> | undefined;

/** The zod schema of a settings file (the reference: fastSettings only ever agrees with it). */
export function settingsSchema(): ReturnType<typeof buildSettingsSchema> {
  return (settingsSchemaBuilt ??= buildSettingsSchema());
}

type Parsed = z.output<ReturnType<typeof buildSettingsSchema>>;
type Resolve<T> = { readonly [K in keyof T]: T[K] extends object ? Resolve<T[K]> : T[K] };

/** Resolved settings with the layout attached. Duration fields are milliseconds, size fields bytes. */
export interface Settings {
  readonly layout: Layout;
  readonly hostId: string | undefined;
  readonly jobId: string | undefined;
  readonly checks: Resolve<Parsed["checks"]>;
  readonly crash: Resolve<Parsed["crash"]>;
  readonly watchdog: Resolve<Parsed["watchdog"]>;
  readonly agent: Resolve<Parsed["agent"]>;
  /** File the settings came from, if any. */
  readonly source: string | undefined;
}


// ---------- the common case by hand ----------

/** A section's fields in the schema's order: a check of the value, or a nested section. */
interface Fields {
  readonly [key: string]: FieldCheck | Fields;
}

const str = fast.string;
/**
 * Every field of settingsSchema, in its order, with a check that accepts only what the schema accepts
 * (and gives what it gives); anything else is left to zod.
 */
const SETTINGS_FIELDS: Fields = {
  baseDir: str,
  hostId: str,
  jobId: str,
  layout: fast.oneOf(["seed", "hf", "auto"]),
  trainingConfig: fast.nonEmptyString,
  paths: {
    configFile: str,
    pidFile: str,
    identityFile: str,
    lockFile: str,
    crashHistoryFile: str,
    statusFile: str,
    statusDir: str,
    logsDir: str,
    outputLog: str,
    modelDir: str,
    coreDir: str,
    trainScript: str,
    daemonScript: str,
    queueDir: str,
    inboxDir: str,
    watchdogLog: str,
    antiStuckLog: str,
  },
  checks: {
    minDiskFree: fast.size,
    minMemoryAvailable: fast.size,
    maxCheckpointAge: fast.duration,
    statusStaleAfter: fast.duration,
    checkTimeout: fast.duration,
    expectGpus: fast.boolean,
    expectedGpuCount: fast.nonNegativeInt,
    maxGpuTemperatureC: fast.positive,
    recentCrashWindow: fast.duration,
    nvidiaSmi: fast.nonEmptyString,
    maxLogDirSize: fast.size,
    kernelLog: fast.nonEmptyString,
    lspci: fast.nonEmptyString,
  },
  crash: { lastNLines: fast.positiveInt, rulesFile: str, maxHistoryEntries: fast.positiveInt },
  watchdog: {
    livenessPoll: fast.duration,
    checkInterval: fast.duration,
    trainingTimeout: fast.duration,
    startupGrace: fast.duration,
    evalTimeout: fast.duration,
    checkpointTimeout: fast.duration,
    phaseField: str,
    evalPhaseWords: fast.strings,
    checkpointPhaseWords: fast.strings,
    adaptive: { enabled: fast.boolean, minSteps: fast.positiveInt, multiplier: fast.positive, floor: fast.duration },
    killGrace: fast.duration,
    maxKillAttempts: fast.positiveInt,
    maxRestarts: fast.nonNegativeInt,
    restartWindow: fast.duration,
    backoffInitial: fast.duration,
    backoffMax: fast.duration,
    healthyReset: fast.duration,
    daemonCommand: fast.nonEmptyStrings,
    daemonPattern: str,
    hangReportTimeout: fast.duration,
    cpuSample: fast.duration,
    minDiskFreeForRestart: fast.size,
  },
  agent: {
    controller: str,
    stateDir: str,
    telemetryInterval: fast.duration,
    healthCheckInterval: fast.duration,
    grantDeadline: fast.duration,
    reconnectInitial: fast.duration,
    reconnectMax: fast.duration,
    tls: (v) => fastTls(v),
    insecure: fast.boolean,
  },
};

const TLS_FIELDS: Fields = { ca: fast.nonEmptyString, cert: fast.nonEmptyString, key: fast.nonEmptyString, serverName: fast.nonEmptyString, reloadInterval: fast.duration };

/** agent.tls in the common case: `ca`, and `cert` with `key` or neither (the schema's refinement). */
function fastTls(v: unknown): unknown {
  const tls = fastSection(v, TLS_FIELDS, { reloadInterval: TLS_RELOAD_DEFAULT_MS });
  if (tls === UNUSUAL || !Object.hasOwn(tls, "ca") || Object.hasOwn(tls, "cert") !== Object.hasOwn(tls, "key")) return UNUSUAL;
  return tls;
}

/** What settingsSchema gives for `{}` (set by deploy/build.mjs in the shipped form, else parsed once). */
declare const TRAINSAFE_SETTINGS_DEFAULTS: string | undefined;
let defaultsParsed: Record<string, unknown> | undefined;

/** The schema's output for no settings at all: every default filled (the base fastSettings fills in). */
export function settingsDefaults(): Record<string, unknown> {
  return (defaultsParsed ??=
    typeof TRAINSAFE_SETTINGS_DEFAULTS === "string" ? (JSON.parse(TRAINSAFE_SETTINGS_DEFAULTS) as Record<string, unknown>) : (settingsSchema().parse({}) as Record<string, unknown>));
}

/** A section in the common case: known keys only, each value passing its check; defaults for the rest. */
function fastSection(raw: unknown, fields: Fields, defaults: Record<string, unknown>): Record<string, unknown> | Unusual {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw) || Object.getPrototypeOf(raw) !== Object.prototype) return UNUSUAL;
  const given = raw as Record<string, unknown>;
  for (const key of Object.keys(given)) if (!Object.hasOwn(fields, key) || given[key] === undefined) return UNUSUAL;
  const out: Record<string, unknown> = {};
  for (const key in fields) {
    const field = fields[key]!;
    const d = defaults[key];
    if (Object.hasOwn(given, key)) {
      const v = typeof field === "function" ? field(given[key]) : fastSection(given[key], field, (d ?? {}) as Record<string, unknown>);
      if (v === UNUSUAL) return UNUSUAL;
      out[key] = v;
    } else if (d !== undefined) {
      out[key] = structuredClone(d);
    }
  }
  return out;
}

/**
 * settingsSchema's output for settings in the common case (no file, or one whose fields are all of the
 * expected types), without zod; UNUSUAL for anything else, which settingsSchema then parses (and words).
 */
export function fastSettings(raw: unknown): Parsed | Unusual {
  return fastSection(raw, SETTINGS_FIELDS, settingsDefaults()) as Parsed | Unusual;
}

/** Parses raw settings (from a file or a test). `baseDir` argument wins over the file's. */
export function resolveSettings(raw: unknown, opts: { baseDir?: string; source?: string } = {}): Settings {
  const src = opts.source ?? "settings";
  let s = fastSettings(raw ?? {});
  if (s === UNUSUAL) {
    const parsed = settingsSchema().safeParse(raw ?? {});
    if (!parsed.success) {
      throw settingsError(src, parsed.error);
    }
    s = parsed.data;
  }
  const baseDir = opts.baseDir ?? s.baseDir;
  if (!baseDir) throw configError(src, "no training directory: give --base-dir or set baseDir", "baseDir");
  const agent = s.agent.tls ? { ...s.agent, tls: resolveTlsPaths(s.agent.tls, opts.source) } : s.agent;
  return deepFreeze({
    layout: resolveLayout(baseDir, { ...(s.paths as LayoutOverrides), ...(s.trainingConfig ? { trainingConfig: s.trainingConfig } : {}) }, s.layout),
    hostId: s.hostId,
    jobId: s.jobId,
    checks: s.checks,
    crash: s.crash,
    watchdog: s.watchdog,
    agent,
    source: opts.source,
  });
}

/** TLS file paths made absolute: relative to the settings file's folder (or the working directory). */
function resolveTlsPaths<T extends { ca: string; cert?: string | undefined; key?: string | undefined }>(tls: T, source: string | undefined): T {
  const base = source ? path.dirname(path.resolve(source)) : process.cwd();
  const abs = (p: string | undefined) => (p === undefined ? undefined : path.resolve(base, p));
  return { ...tls, ca: abs(tls.ca)!, cert: abs(tls.cert), key: abs(tls.key) };
}

/** Loads settings from `file` (if given) and resolves them; errors name the file and field. */
export async function loadSettings(opts: { file?: string; baseDir?: string; overrides?: Record<string, unknown> }): Promise<Settings> {
  let raw: Record<string, unknown> = {};
  if (opts.file) {
    const r = await readJsonFile(opts.file, jsonObject);
    if (!r.ok) throw configError(opts.file, r.message.slice(opts.file.length + 2), r.field);
    raw = r.value;
  }
  const merged = mergeDeep(raw, opts.overrides ?? {});
  const args: { baseDir?: string; source?: string } = {};
  if (opts.baseDir !== undefined) args.baseDir = opts.baseDir;
  if (opts.file !== undefined) args.source = opts.file;
  return resolveSettings(merged, args);
}

function mergeDeep(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    const cur = out[k];
    out[k] =
      v && typeof v === "object" && !Array.isArray(v) && cur && typeof cur === "object" && !Array.isArray(cur)
        ? mergeDeep(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
