/**
 * `trainsafe watchdog`: supervises the training daemon in the foreground (crash and hang detection,
 * diagnosis, kill, restart within a budget), or does one pass with --once (for cron).
 * Every threshold is an option and a settings field (watchdog.*); options win over the file.
 * Events go to stderr as readable lines; with --json they also go to stdout, one JSON object a line.
 */
import { InvalidArgumentError, type Command } from "commander";
import { usageError } from "../../agent/lib/errors.js";
import { Supervisor, type SupervisorState } from "../../agent/watchdog/supervisor.js";
import type { WatchdogEvent, WatchdogEventType } from "../../agent/watchdog/events.js";
import { localOptions, printJson, settingsFor, type LocalOptions } from "../common.js";

interface WatchdogOptions extends LocalOptions {
  once?: boolean;
  livenessPoll?: string;
  checkInterval?: string;
  trainingTimeout?: string;
  startupGrace?: string;
  evalTimeout?: string;
  checkpointTimeout?: string;
  phaseField?: string;
  adaptive?: boolean;
  adaptiveMinSteps?: number;
  adaptiveMultiplier?: number;
  adaptiveFloor?: string;
  killGrace?: string;
  maxKillAttempts?: number;
  maxRestarts?: number;
  restartWindow?: string;
  backoffInitial?: string;
  backoffMax?: string;
  healthyReset?: string;
  daemonCommand?: string;
  daemonPattern?: string;
  hangReportTimeout?: string;
  cpuSample?: string;
  minDiskFree?: string;
}

/** Events after which a --once pass exits 1 (something was wrong). */
const PROBLEM_EVENTS: ReadonlySet<WatchdogEventType> = new Set([
  "crash",
  "hang",
  "kill",
  "unkillable",
  "denied",
  "blocked",
  "start_failed",
  "not_daemon",
  "error",
]);

function nonNegativeInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be an integer >= 0, got "${v}"`);
    return n;
  };
}

function positiveNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number > 0, got "${v}"`);
    return n;
  };
}

/** "python3 core/training_daemon.py" or a JSON array for arguments with spaces. */
export function parseCommandLine(text: string): string[] {
  const t = text.trim();
  if (t.startsWith("[")) {
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch (err) {
      throw usageError(`--daemon-command: invalid JSON array (${(err as Error).message})`);
    }
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === "string")) {
      throw usageError("--daemon-command: a JSON array must hold strings (the argv)");
    }
    return v as string[];
  }
  const argv = t.split(/\s+/).filter(Boolean);
  if (argv.length === 0) throw usageError("--daemon-command: empty command");
  return argv;
}

/** The settings overrides the options ask for (raw, with units: the settings parser converts them). */
export function overridesFrom(o: WatchdogOptions): Record<string, unknown> {
  const adaptive: Record<string, unknown> = {
    enabled: o.adaptive,
    minSteps: o.adaptiveMinSteps,
    multiplier: o.adaptiveMultiplier,
    floor: o.adaptiveFloor,
  };
  return {
    watchdog: {
      livenessPoll: o.livenessPoll,
      checkInterval: o.checkInterval,
      trainingTimeout: o.trainingTimeout,
      startupGrace: o.startupGrace,
      evalTimeout: o.evalTimeout,
      checkpointTimeout: o.checkpointTimeout,
      phaseField: o.phaseField,
      adaptive: Object.values(adaptive).some((v) => v !== undefined) ? adaptive : undefined,
      killGrace: o.killGrace,
      maxKillAttempts: o.maxKillAttempts,
      maxRestarts: o.maxRestarts,
      restartWindow: o.restartWindow,
      backoffInitial: o.backoffInitial,
      backoffMax: o.backoffMax,
      healthyReset: o.healthyReset,
      daemonCommand: o.daemonCommand !== undefined ? parseCommandLine(o.daemonCommand) : undefined,
      daemonPattern: o.daemonPattern,
      hangReportTimeout: o.hangReportTimeout,
      cpuSample: o.cpuSample,
      minDiskFreeForRestart: o.minDiskFree,
    },
  };
}

/** The summary of a --once pass. */
export interface OncePass {
  readonly state: SupervisorState;
  readonly problems: number;
  readonly events: WatchdogEvent[];
}

export function register(program: Command): void {
  const cmd = program
    .command("watchdog")
    .description("supervise the training daemon: detect crashes and hangs, diagnose, kill and restart within a budget")
    .option("--once", "do one pass (adopt or restart, check progress) and exit; for cron")
    .option("--liveness-poll <duration>", "how often the daemon PID is polled for death (default 250ms)")
    .option("--check-interval <duration>", "how often the status file is re-read regardless of changes (default 30s)")
    .option("--training-timeout <duration>", "no step progress this long while training is a hang (default 15m)")
    .option("--startup-grace <duration>", "before the daemon's first step (imports, model and data loading) the limit is this instead; exceeding it is a startup hang (default 10m)")
    .option("--eval-timeout <duration>", "limit while the status says eval (default 30m)")
    .option("--checkpoint-timeout <duration>", "limit while the status says checkpoint saving (default 30m)")
    .option("--phase-field <name>", "status field that names the phase (default phase)")
    .option("--adaptive", "tighten the training limit from observed step times")
    .option("--no-adaptive", "use the fixed training limit")
    .option("--adaptive-min-steps <n>", "steps to observe before the adaptive limit applies (default 20)", nonNegativeInt("--adaptive-min-steps"))
    .option("--adaptive-multiplier <x>", "adaptive limit = x times the slowest step gap (default 10)", positiveNumber("--adaptive-multiplier"))
    .option("--adaptive-floor <duration>", "the adaptive limit is never below this (default 2m)")
    .option("--kill-grace <duration>", "wait after SIGTERM (and after each SIGKILL) for the tree to go (default 10s)")
    .option("--max-kill-attempts <n>", "kill attempts before a process is reported unkillable (default 3)", nonNegativeInt("--max-kill-attempts"))
    .option("--max-restarts <n>", "restarts allowed in the window; 0 disables restarts (default 3)", nonNegativeInt("--max-restarts"))
    .option("--restart-window <duration>", "sliding window of the restart budget (default 5m)")
    .option("--backoff-initial <duration>", "wait before the second consecutive restart, doubling after (default 10s)")
    .option("--backoff-max <duration>", "longest back-off (default 5m)")
    .option("--healthy-reset <duration>", "a run this long resets the back-off (default 10m)")
    .option("--daemon-command <cmd>", 'command that starts the daemon, run in BASE_DIR (words, or a JSON array; default "python3 core/training_daemon.py")')
    .option("--daemon-pattern <regex>", "a daemon started by hand must match this (and run in BASE_DIR) to be adopted (default training_daemon)")
    .option("--hang-report-timeout <duration>", "deadline for py-spy and nvidia-smi in a hang report (default 10s)")
    .option("--cpu-sample <duration>", "interval between the two CPU samples of a hang report (default 500ms)")
    .option("--min-disk-free <size>", "free space BASE_DIR needs before a restart (default 10GB)");
  localOptions(cmd).action(async (o: WatchdogOptions) => {
    const settings = await settingsFor(o, overridesFrom(o));
    const onEvent = o.json ? (e: WatchdogEvent) => void process.stdout.write(JSON.stringify(e) + "\n") : undefined;
    if (o.once) {
      const sup = new Supervisor({ settings });
      const r = await sup.runOnce();
      const pass: OncePass = { state: r.state, problems: r.events.filter((e) => PROBLEM_EVENTS.has(e.type)).length, events: r.events };
      if (o.json) printJson(pass);
      else process.stdout.write(`${pass.state}${sup.daemonPid !== null ? ` (daemon PID ${sup.daemonPid})` : ""}: ${pass.problems} problem event(s)\n`);
      process.exitCode = pass.problems > 0 ? 1 : 0;
      return;
    }
    // A person running the watchdog asks for supervision: an operator's hold (fleet kill) is lifted.
    const sup = new Supervisor({ settings, releaseHold: true, ...(onEvent ? { onEvent } : {}) });
    // Handlers before start(): a SIGTERM during start-up must still stop cleanly.
    const signalled = new Promise<NodeJS.Signals>((resolve) => {
      process.once("SIGTERM", () => resolve("SIGTERM"));
      process.once("SIGINT", () => resolve("SIGINT"));
    });
    await sup.start();
    const sig = await signalled;
    await sup.stop(`${sig} received`);
    process.exitCode = 0;
  });
}
