/**
 * Manual check of the supervisor on a real GPU host (not part of `npm test`; needs PyTorch, CuPy and
 * nvidia-smi). The GPU daemon (gpu_training_daemon.py) first dies of a real CUDA OOM, then hangs in a
 * CUDA kernel that never ends, then trains normally; the supervisor must record the OOM, diagnose the
 * hang from real nvidia-smi output (the daemon's PID in the compute-apps list, its GPU busy), kill it
 * and restart, with both recorded in the crash history. Prints every event as a JSON line and a summary; exit 0 when every expectation held.
 *
 *   node --import tsx test/daemon/gpu_check.ts [OUT_DIR]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { resolveSettings } from "../../agent/config/settings.js";
import { Supervisor } from "../../agent/watchdog/supervisor.js";
import type { WatchdogEvent } from "../../agent/watchdog/events.js";

const daemonPy = path.resolve(process.env.GPU_DAEMON ?? path.join(path.dirname(new URL(import.meta.url).pathname), "gpu_training_daemon.py"));
const outDir = process.argv[2] ?? fs.mkdtempSync(path.join(os.tmpdir(), "ts-gpu-out-"));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ts-gpu-"));
for (const d of ["logs", "status", "current_model"]) fs.mkdirSync(path.join(dir, d));
fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ base_model: "org/base-7b" }));
const control = (v: Record<string, unknown>) => fs.writeFileSync(path.join(dir, "daemon_control.json"), JSON.stringify(v));
control({ oomAtStep: 20 });

const settings = resolveSettings(
  {
    watchdog: {
      checkInterval: "1s",
      trainingTimeout: "30s",
      killGrace: "5s",
      backoffInitial: "1s",
      minDiskFreeForRestart: 0,
      daemonCommand: ["python3", daemonPy],
    },
  },
  { baseDir: dir },
);

const events: WatchdogEvent[] = [];
const sup = new Supervisor({
  settings,
  onEvent: (e) => {
    events.push(e);
    process.stdout.write(JSON.stringify(e) + "\n");
    if (e.type === "crash") control({ hangAtStep: 20 });
    if (e.type === "kill") control({});
  },
});

const t0 = Date.now();
await sup.start();
const until = Date.now() + 240_000;
while (Date.now() < until && events.filter((e) => e.type === "restart").length < 3) await new Promise((r) => setTimeout(r, 250));
// The third daemon must train.
await new Promise((r) => setTimeout(r, 20_000));
const status = JSON.parse(fs.readFileSync(settings.layout.statusFile, "utf8")) as { current_step: number };
await sup.stop("check done");
const lastPid = sup.daemonPid ?? [...events].reverse().find((e): e is Extract<WatchdogEvent, { type: "restart" }> => e.type === "restart")?.pid;
if (lastPid) {
  try {
    process.kill(lastPid, "SIGKILL");
  } catch {
    /* gone */
  }
}

const history = (JSON.parse(fs.readFileSync(settings.layout.crashHistoryFile, "utf8")) as { entries: Array<Record<string, unknown>> }).entries;
const crash = events.find((e): e is Extract<WatchdogEvent, { type: "crash" }> => e.type === "crash");
const hang = events.find((e): e is Extract<WatchdogEvent, { type: "hang" }> => e.type === "hang");
const kill = events.find((e): e is Extract<WatchdogEvent, { type: "kill" }> => e.type === "kill");
const gpu = (hang?.report as { evidence?: { gpu?: unknown } } | undefined)?.evidence?.gpu as
  | { gpus: Array<{ utilizationPct: number | null }>; processes: Array<{ pid: number; usedMemoryMiB: number | null }> }
  | undefined;
const checks: Array<[string, boolean]> = [
  ["OOM crash classified cuda_oom with exit code 1", crash?.category === "cuda_oom" && crash.exitCode === 1],
  ["hang diagnosed as gpu_or_collective", hang?.kind === "gpu_or_collective"],
  ["the hung daemon's PID is in nvidia-smi's compute-apps list", !!gpu && gpu.processes.some((p) => p.pid === hang?.pid)],
  ["its GPU reported busy (>= 90%)", !!gpu && gpu.gpus.some((g) => (g.utilizationPct ?? 0) >= 90)],
  ["tree killed", kill?.ok === true],
  ["three daemons started (first, after OOM, after hang)", events.filter((e) => e.type === "restart").length === 3],
  ["the third daemon trains", status.current_step >= 20],
  ["crash history holds the OOM and the hang", history.some((e) => e.source === "watchdog" && e.category === "cuda_oom") && history.some((e) => e.source === "hang" && e.hangKind === "gpu_or_collective")],
];
const summary = {
  seconds: (Date.now() - t0) / 1000,
  checks: Object.fromEntries(checks),
  crash: crash && { category: crash.category, text: crash.text, exitCode: crash.exitCode },
  hang: hang && { kind: hang.kind, reasons: hang.reasons, quietMs: hang.quietMs, reportMs: (hang.report as { durationMs?: number }).durationMs },
  gpu,
  kill: kill && { ok: kill.ok, durationMs: kill.durationMs, signals: kill.signals },
};
fs.writeFileSync(path.join(outDir, "summary.json"), JSON.stringify(summary, null, 2));
fs.writeFileSync(path.join(outDir, "events.jsonl"), events.map((e) => JSON.stringify(e)).join("\n") + "\n");
for (const f of [settings.layout.outputLog, settings.layout.watchdogLog, settings.layout.antiStuckLog]) {
  if (fs.existsSync(f)) fs.copyFileSync(f, path.join(outDir, path.basename(f)));
}
process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
