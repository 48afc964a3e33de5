/** Where things live inside a training directory (BASE_DIR); every path can be overridden. */
import path from "node:path";

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
}

export type LayoutOverrides = Partial<Omit<Layout, "baseDir">>;

/** Resolves the layout of `baseDir`; relative overrides are taken from baseDir. */
export function resolveLayout(baseDir: string, overrides: LayoutOverrides = {}): Layout {
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
  });
}

/** Folders a healthy BASE_DIR has (created by `check --fix` when missing). */
export function requiredDirs(layout: Layout): string[] {
  return [layout.logsDir, layout.statusDir, layout.modelDir, layout.queueDir, layout.inboxDir, layout.coreDir];
}
