/**
 * The supervisor against real daemon processes: crash and restart within the budget, the budget
 * running out, adoption by a new supervisor, a PID file naming someone else's process, and a restart
 * blocked by a changed base_model. Millisecond thresholds; every process is killed in teardown.
 */
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { resolveSettings, type Settings } from "../agent/config/settings.js";
import { recordIdentity } from "../agent/lib/daemon.js";
import { readIdentity } from "../agent/lib/proc.js";
import { lockConfig } from "../agent/guard/config.js";
import { exampleConfig, writeTrainingDir } from "./helpers/checkpoints.js";
import { Supervisor } from "../agent/watchdog/supervisor.js";
import { loadRestartHistory } from "../agent/watchdog/state.js";
import type { WatchdogEvent } from "../agent/watchdog/events.js";
import { alive, currentStep, daemonCommand, jsonLines, ProcessJanitor, startDaemon, waitFor } from "./watchdog-helpers.js";

const janitor = new ProcessJanitor();
afterEach(() => janitor.cleanup());

function settingsFor(dir: string, watchdog: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Settings {
  return resolveSettings(
    {
      ...extra,
      watchdog: {
        livenessPoll: "50ms",
        checkInterval: "200ms",
        trainingTimeout: "20s",
        killGrace: "500ms",
        backoffInitial: "100ms",
        backoffMax: "400ms",
        minDiskFreeForRestart: 0,
        cpuSample: "50ms",
        hangReportTimeout: "1s",
        daemonCommand: daemonCommand({ stepMs: 50 }),
        ...watchdog,
      },
    },
    { baseDir: dir },
  );
}

function baseDir(): string {
  return janitor.baseDir();
}

/** A supervisor with events collected in memory (and quiet stderr). */
function supervise(settings: Settings, extra: Partial<ConstructorParameters<typeof Supervisor>[0]> = {}) {
  const events: WatchdogEvent[] = [];
  const lines: string[] = [];
  const sup = new Supervisor({ settings, onEvent: (e) => void events.push(e), log: (l) => void lines.push(l), ...extra });
  janitor.stopAtEnd(sup);
  const of = <T extends WatchdogEvent["type"]>(type: T) => events.filter((e): e is Extract<WatchdogEvent, { type: T }> => e.type === type);
  return { sup, events, lines, of };
}

test("a crash is recorded with its category and restarted within the budget", async () => {
  const dir = baseDir();
  const first = startDaemon(dir, { stepMs: 50, crashAtStep: 4 }, janitor);
  fs.writeFileSync(path.join(dir, ".daemon.pid"), `${first.pid}\n`);
  const settings = settingsFor(dir);
  const { sup, of, lines } = supervise(settings);
  await sup.start();
  assert.equal(of("adopt")[0]?.pid, first.pid);

  const restart = await waitFor("restart", () => of("restart")[0], 8000);
  janitor.track(restart.pid);
  const crash = of("crash")[0]!;
  assert.equal(crash.pid, first.pid);
  assert.equal(crash.category, "cuda_oom");
  assert.equal(crash.exitCode, null, "adopted daemon: exit status unknown");
  assert.ok(crash.suggestion && crash.suggestion.length > 10);
  assert.match(crash.text ?? "", /CUDA out of memory/);
  assert.equal(of("grant")[0]?.decision.delayMs, 0, "first restart: no back-off");
  assert.equal(restart.cause, "crash");
  assert.ok(restart.latencyMs !== null && restart.latencyMs < 1500, `restart latency ${restart.latencyMs}`);

  // The new daemon runs and advances.
  const step0 = await waitFor("new daemon steps", () => currentStep(dir));
  await waitFor("progress", () => (currentStep(dir) ?? 0) > step0);
  assert.equal(await alive(restart.pid), true);
  assert.equal(fs.readFileSync(path.join(dir, ".daemon.pid"), "utf8").trim(), String(restart.pid));

  // Persisted: crash history, restart history, JSON lines in the log, readable stderr lines.
  const history = JSON.parse(fs.readFileSync(settings.layout.crashHistoryFile, "utf8"));
  const entries = (Array.isArray(history) ? history : history.entries) as Array<Record<string, unknown>>;
  assert.ok(entries.some((e) => e.category === "cuda_oom" && e.source === "watchdog"), JSON.stringify(history).slice(0, 400));
  assert.equal((await loadRestartHistory(settings.layout)).records.length, 1);
  const logged = jsonLines(settings.layout.watchdogLog).map((e) => e.type);
  for (const t of ["adopt", "crash", "grant", "restart"]) assert.ok(logged.includes(t), `${t} in watchdog.log: ${logged}`);
  assert.ok(lines.some((l) => /died \(exit status unknown/.test(l)));
});

test("the fourth crash inside the window is denied; spawned daemons report their exit code", async () => {
  const dir = baseDir();
  const crashing = { stepMs: 30, crashAtStep: 2 };
  const first = startDaemon(dir, crashing, janitor);
  fs.writeFileSync(path.join(dir, ".daemon.pid"), `${first.pid}\n`);
  const settings = settingsFor(dir, { daemonCommand: daemonCommand(crashing), maxRestarts: 3, restartWindow: "5m" });
  const { sup, of } = supervise(settings);
  await sup.start();
  const denied = await waitFor("denial", () => of("denied")[0], 15_000);
  for (const r of of("restart")) janitor.track(r.pid);
  assert.equal(of("crash").length, 4);
  assert.equal(of("restart").length, 3);
  assert.deepEqual(of("grant").map((g) => g.decision.delayMs), [0, 100, 200], "back-off from the second consecutive restart");
  assert.deepEqual(of("crash").slice(1).map((c) => c.exitCode), [1, 1, 1]);
  assert.equal(denied.decision.allow, false);
  assert.match(denied.decision.reason, /budget exhausted: 3 restarts/);
  assert.ok(denied.decision.retryAtMs! > Date.now());
  assert.equal(sup.state, "waiting");
  assert.equal(sup.daemonPid, null);
  // Denied means denied: nothing is started while it waits.
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(of("restart").length, 3);
  assert.equal((await loadRestartHistory(settings.layout)).records.length, 3);
});

test("the restart history survives the supervisor: a new one gets no fresh budget", async () => {
  const dir = baseDir();
  const crashing = { stepMs: 30, crashAtStep: 2 };
  const settings = settingsFor(dir, { daemonCommand: daemonCommand(crashing), maxRestarts: 2, backoffInitial: "50ms" });
  const a = supervise(settings);
  await a.sup.start(); // no daemon yet: the first start takes grant 1
  await waitFor("second crash", () => a.of("crash").length >= 1 && a.of("restart").length >= 2, 8000);
  for (const r of a.of("restart")) janitor.track(r.pid);
  await waitFor("denial", () => a.of("denied")[0], 8000);
  await a.sup.stop();
  const b = supervise(settings);
  await b.sup.start();
  await waitFor("denial by the new supervisor", () => b.of("denied")[0], 5000);
  assert.equal(b.of("restart").length, 0);
});

test("a new supervisor adopts the running daemon instead of restarting it; stopping never stops training", async () => {
  const dir = baseDir();
  const settings = settingsFor(dir);
  const a = supervise(settings);
  await a.sup.start();
  const started = await waitFor("first start", () => a.of("restart")[0]);
  janitor.track(started.pid);
  await waitFor("steps", () => (currentStep(dir) ?? 0) > 2);
  await a.sup.stop("test");
  assert.equal(await alive(started.pid), true, "daemon survives the supervisor");
  const before = currentStep(dir)!;
  await waitFor("daemon still advancing", () => (currentStep(dir) ?? 0) > before);

  const b = supervise(settings);
  await b.sup.start();
  assert.equal(b.of("adopt")[0]?.pid, started.pid);
  assert.equal(b.of("adopt")[0]?.identityRecorded, false, "identity was recorded at start by the first supervisor");
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(b.of("restart").length, 0);
  assert.equal(b.sup.daemonPid, started.pid);
  assert.equal((await loadRestartHistory(settings.layout)).records.length, 1, "only the first start");
  // Two supervisors on one BASE_DIR would both restart a dead daemon: the second is refused.
  const c = new Supervisor({ settings, log: () => {} });
  await assert.rejects(c.start(), /another supervisor \(PID \d+\) is already supervising/);
});

test("a PID file naming an unrelated live process: never signalled, nothing restarted", async () => {
  const dir = baseDir();
  const other = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { detached: true, stdio: "ignore" });
  janitor.track(other.pid);
  await waitFor("other process", () => readIdentity(other.pid!));
  fs.writeFileSync(path.join(dir, ".daemon.pid"), `${other.pid}\n`);
  const signals: Array<[number, string]> = [];
  const settings = settingsFor(dir, { trainingTimeout: "100ms" });
  const { sup, of } = supervise(settings, { kill: (p, s) => void signals.push([p, s]) });
  await sup.start();
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(of("not_daemon").length, 1, "reported once, not every tick");
  assert.match(of("not_daemon")[0]!.message, /does not match the daemon pattern/);
  assert.deepEqual(signals, []);
  assert.equal(of("restart").length, 0);
  assert.equal(of("hang").length, 0);
  assert.equal(await alive(other.pid!), true);
});

test("a recycled daemon PID (recorded identity differs) means the daemon is gone: restart, the stranger untouched", async () => {
  const dir = baseDir();
  const other = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", "training_daemon_lookalike"], { detached: true, stdio: "ignore" });
  janitor.track(other.pid);
  const id = (await waitFor("other process", () => readIdentity(other.pid!)))!;
  fs.writeFileSync(path.join(dir, ".daemon.pid"), `${other.pid}\n`);
  const settings = settingsFor(dir);
  // The daemon trainsafe saw had this PID but started at another time.
  await recordIdentity(settings.layout, { ...id, startTicks: id.startTicks - 5 });
  const signals: number[] = [];
  const { sup, of } = supervise(settings, { kill: (p) => void signals.push(p) });
  await sup.start();
  const restart = await waitFor("restart", () => of("restart")[0]);
  janitor.track(restart.pid);
  assert.match(of("not_daemon")[0]!.message, /was recycled/);
  assert.equal(of("crash")[0]?.pid, other.pid);
  assert.deepEqual(signals, []);
  assert.equal(await alive(other.pid!), true);
  assert.notEqual(restart.pid, other.pid);
});

test("a restart is blocked when base_model changed while checkpoints exist, recorded once, not retried in a loop", async () => {
  const dir = baseDir();
  const settings = settingsFor(dir);
  writeTrainingDir(dir, { checkpoints: [{ step: 10 }] });
  const locked = await lockConfig(settings.layout, { force: true });
  assert.equal(locked.created, true, locked.message);
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(exampleConfig({ base_model: "org/other-13b" })));

  const first = startDaemon(dir, { stepMs: 30, crashAtStep: 2 }, janitor);
  fs.writeFileSync(path.join(dir, ".daemon.pid"), `${first.pid}\n`);
  const { sup, of } = supervise(settings);
  await sup.start();
  const blocked = await waitFor("blocked", () => of("blocked")[0], 5000);
  assert.equal(blocked.cause, "crash");
  assert.ok(blocked.reasons.some((r) => /base_model/.test(r)), blocked.reasons.join(" | "));
  await new Promise((r) => setTimeout(r, 800)); // four check intervals
  assert.equal(of("blocked").length, 1);
  assert.equal(of("grant").length, 0, "a blocked restart takes no grant");
  assert.equal(of("restart").length, 0);
  assert.equal(sup.state, "blocked");
  assert.ok(jsonLines(settings.layout.watchdogLog).some((e) => e.type === "blocked"));

  // The operator puts the base model back: the quiet re-check lets the restart through.
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(exampleConfig()));
  const restart = await waitFor("restart after the fix", () => of("restart")[0], 3000);
  janitor.track(restart.pid);
  assert.equal(of("unblocked").length, 1);
});

test("a restart onto a GPU the driver lost is blocked (pre-flight GPU check)", async () => {
  const dir = baseDir();
  // The fake nvidia-smi answers like a driver that lost its GPU: "couldn't communicate with the NVIDIA driver".
  const fake = path.join(dir, "fake-nvidia-smi.json");
  fs.writeFileSync(fake, JSON.stringify({ mode: "fail" }));
  process.env.FAKE_NVIDIA_SMI = fake;
  try {
    const settings = settingsFor(dir, {}, { checks: { nvidiaSmi: path.join(import.meta.dirname, "fakes", "nvidia-smi") } });
    const first = startDaemon(dir, { stepMs: 30, crashAtStep: 2 }, janitor);
    fs.writeFileSync(path.join(dir, ".daemon.pid"), `${first.pid}\n`);
    const { sup, of } = supervise(settings);
    await sup.start();
    const blocked = await waitFor("blocked", () => of("blocked")[0], 8000);
    assert.ok(blocked.reasons.some((r) => /GPU check failed/.test(r) && /NVIDIA driver/.test(r)), blocked.reasons.join(" | "));
    assert.equal(of("restart").length, 0, "no restart onto the broken GPU");
  } finally {
    delete process.env.FAKE_NVIDIA_SMI;
  }
});

