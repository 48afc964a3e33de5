/**
 * Where things live inside a training directory (BASE_DIR); every path can be overridden.
 * The seed's layout (config.json, core/, queue/, inbox/) is one profile: "hf" is a plain Hugging Face
 * Trainer / torchrun / accelerate job that has none of them, and "auto" tells the two apart on disk.
 */
import path from "node:path";
import { files as fsp } from "../lib/fs-mode.js";

/** Which training-directory layout trainsafe expects (the `layout` setting). */
export type LayoutProfile = "seed" | "hf" | "auto";

export interface Layout {
  readonly baseDir: string;
  readonly configFile: string;
  readonly pidFile: string;
  /** Identity (start time, command line) of the daemon as first seen by trainsafe: guards PID reuse. */
  readonly identityFile: string;
  readonly lockFile: string;
  readonly crashHistoryFile: string;
  readonly statusFile: string;
  readonly logsDir: string;
  readonly outputLog: string;
  readonly modelDir: string;
  readonly coreDir: string;
  readonly trainScript: string;
  readonly daemonScript: string;
  readonly statusDir: string;
  readonly queueDir: string;
  readonly inboxDir: string;
  readonly watchdogLog: string;
  readonly antiStuckLog: string;
  /** The `layout` setting; "auto" is settled per BASE_DIR by effectiveProfile(). */
  readonly profile: LayoutProfile;
  /** A JSON file of the training run's arguments the user points at (hf profile), or null. */
  readonly trainingConfig: string | null;
}

export type LayoutOverrides = Partial<Omit<Layout, "baseDir" | "profile" | "trainingConfig">> & { trainingConfig?: string };

/** Resolves the layout of `baseDir`; relative overrides are taken from baseDir. */
export function resolveLayout(baseDir: string, overrides: LayoutOverrides = {}, profile: LayoutProfile = "auto"): Layout {
  const base = path.resolve(baseDir);
  const at = (key: keyof LayoutOverrides, def: string) => path.resolve(base, overrides[key] ?? def);
  const logsDir = at("logsDir", "logs");
  const coreDir = at("coreDir", "core");
  return Object.freeze({
    baseDir: base,
    configFile: at("configFile", "config.json"),
    pidFile: at("pidFile", ".daemon.pid"),
    identityFile: at("identityFile", ".daemon.identity.json"),
    lockFile: at("lockFile", ".config_lock.json"),
    crashHistoryFile: at("crashHistoryFile", ".crash_history.json"),
    statusDir: at("statusDir", "status"),
    statusFile: at("statusFile", "status/training_status.json"),
    logsDir,
    outputLog: at("outputLog", "training_output.log"),
    modelDir: at("modelDir", "current_model"),
    coreDir,
    trainScript: at("trainScript", path.join(coreDir, "train.py")),
    daemonScript: at("daemonScript", path.join(coreDir, "training_daemon.py")),
    queueDir: at("queueDir", "queue"),
    inboxDir: at("inboxDir", "inbox"),
    watchdogLog: at("watchdogLog", path.join(logsDir, "watchdog.log")),
    antiStuckLog: at("antiStuckLog", path.join(logsDir, "anti_stuck.log")),
    profile,
    trainingConfig: overrides.trainingConfig === undefined ? null : path.resolve(base, overrides.trainingConfig),
  });
}

/**
 * The profile in force for `layout`: "seed" or "hf" as set, and for "auto" "seed" when BASE_DIR has
 * any of the seed's own files (a trainsafe config.json, core/, queue/, inbox/, the config lock), else
 * "hf". A config.json that is a model's config (model_type, architectures) is not the seed's.
 */
export async function effectiveProfile(layout: Layout): Promise<"seed" | "hf"> {
  if (layout.profile !== "auto") return layout.profile;
  const exists = (p: string) => fsp.lstat(p).then(() => true, () => false);
  for (const p of [layout.coreDir, layout.queueDir, layout.inboxDir, layout.lockFile]) if (await exists(p)) return "seed";
  const text = await fsp.readFile(layout.configFile, "utf8").catch((err: NodeJS.ErrnoException) => (err.code === "ENOENT" ? null : ""));
  if (text === null) return "hf";
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === "object" && !Array.isArray(v) && !("base_model" in v) && ("model_type" in v || "architectures" in v)) return "hf";
  } catch {
    // A config.json that does not parse is the seed's, broken: its check says so.
  }
  return "seed";
}

/** Folders a healthy BASE_DIR has (created by `check --fix` when missing); the hf profile needs none of the seed's. */
export function requiredDirs(layout: Layout, profile: "seed" | "hf" = "seed"): string[] {
  if (profile === "hf") return [];
  return [layout.logsDir, layout.statusDir, layout.modelDir, layout.queueDir, layout.inboxDir, layout.coreDir];
}
