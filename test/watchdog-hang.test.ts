/**
 * Hang path of the supervisor against real daemon processes: a training hang is diagnosed, logged and
 * its whole tree killed; a slow eval is not a hang; SIGTERM ignored means SIGKILL; a half-written
 * status file is neither a hang nor a crash; the diagnosis tells a sleeping process from a deadlocked
 * one. Millisecond thresholds; every process killed in teardown.
 */
import { spawn } from "node:child_process";
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { resolveSettings, type Settings } from "../agent/config/settings.js";
import { listDescendants, readIdentity } from "../agent/lib/proc.js";
import { diagnoseHang } from "../agent/watchdog/diagnose.js";
import { Supervisor } from "../agent/watchdog/supervisor.js";
import type { WatchdogEvent } from "../agent/watchdog/events.js";
import { alive, currentStep, daemonCommand, jsonLines, ProcessJanitor, waitFor } from "./watchdog-helpers.js";

const janitor = new ProcessJanitor();
afterEach(() => janitor.cleanup());

function setup(behaviour: Record<string, unknown>, watchdog: Record<string, unknown> = {}) {
  const dir = janitor.baseDir("ts-hang-");
  const settings: Settings = resolveSettings(
    {
      watchdog: {
        livenessPoll: "50ms",
        checkInterval: "200ms",
        trainingTimeout: "800ms",
        evalTimeout: "5s",
        killGrace: "400ms",
        backoffInitial: "100ms",
        minDiskFreeForRestart: 0,
        cpuSample: "200ms",
        hangReportTimeout: "1s",
        daemonCommand: daemonCommand(behaviour),
        ...watchdog,
      },
    },
    { baseDir: dir },
  );
  const events: WatchdogEvent[] = [];
  // After the first hang the restarted daemon must train normally: the control file says so before
  // the restart happens (the hook runs as the kill event is emitted).
  const sup = new Supervisor({
    settings,
    log: () => {},
    onEvent: (e) => {
      events.push(e);
      if (e.type === "kill") fs.writeFileSync(path.join(dir, "daemon_control.json"), JSON.stringify({ hangAtStep: 1e9 }));
      if (e.type === "restart") janitor.track(e.pid);
    },
  });
  janitor.stopAtEnd(sup);
  const of = <T extends WatchdogEvent["type"]>(type: T) => events.filter((e): e is Extract<WatchdogEvent, { type: T }> => e.type === type);
  return { dir, settings, sup, events, of };
}

test("a hang in training is diagnosed, logged, and the whole tree killed; then restarted", async () => {
  const { dir, settings, sup, of } = setup({ stepMs: 40, hangAtStep: 6, hangMode: "busy", children: 2 });
  await sup.start();
  const started = await waitFor("start", () => of("restart")[0]);
  await waitFor("hanging", () => (currentStep(dir) ?? 0) >= 6);
  const tree = [started.pid, ...(await listDescendants(started.pid))];
  assert.equal(tree.length, 3);

  const kill = await waitFor("kill", () => of("kill")[0], 6000);
  const hang = of("hang")[0]!;
  assert.equal(hang.pid, started.pid);
  assert.equal(hang.phase, "training");
  assert.equal(hang.kind, "cpu_spin", hang.reasons.join("; "));
  assert.ok(hang.quietMs >= 800 && hang.quietMs < 1500, `detected ${hang.quietMs} ms after the last step`);
  assert.equal(hang.step, 6);
  assert.equal(kill.ok, true);
  assert.deepEqual([...kill.members].sort(), [...tree].sort());
  for (const p of tree) assert.equal(await alive(p), false, `PID ${p} survived`);

  // Logged to anti_stuck.log (hang report with thread states, then the kill) and the crash history.
  const logged = jsonLines(settings.layout.antiStuckLog);
  assert.deepEqual(logged.map((e) => e.type), ["hang", "kill"]);
  const report = logged[0]!.report as { evidence: { processes: Array<{ threads: Array<{ state: string; wchan: string }> }>; cpu: { deltaTicks: number } } };
  assert.equal(report.evidence.processes.length, 3);
  assert.ok(report.evidence.processes[0]!.threads.length > 1);
  assert.ok(report.evidence.cpu.deltaTicks > 0);
  const history = JSON.parse(fs.readFileSync(settings.layout.crashHistoryFile, "utf8"));
  const entries = (Array.isArray(history) ? history : history.entries) as Array<Record<string, unknown>>;
  assert.ok(entries.some((e) => e.source === "hang" && e.hangKind === "cpu_spin"), JSON.stringify(history).slice(0, 400));

  const restart = await waitFor("restart after the hang", () => of("restart").find((r) => r.cause === "hang"));
  assert.equal(await alive(restart.pid), true);
  // The new run starts over from step 0 (the test daemon does not resume) and advances.
  await waitFor("new daemon writes its own steps", () => {
    const s = currentStep(dir);
    return s !== null && s < 6;
  });
  await waitFor("new daemon advances", () => (currentStep(dir) ?? 0) >= 2);
});

test("a slow eval within the eval limit is not a hang, though it is far past the training limit", async () => {
  const { dir, sup, of } = setup({ stepMs: 40, evalAtStep: 3, evalMs: 2000 });
  await sup.start();
  const started = await waitFor("start", () => of("restart")[0]);
  await waitFor("past the eval", () => (currentStep(dir) ?? 0) >= 6, 6000);
  assert.equal(of("hang").length, 0);
  assert.equal(of("kill").length, 0);
  assert.equal(sup.daemonPid, started.pid);
  assert.equal(await alive(started.pid), true);
});

test("an eval past the eval limit is a hang in the eval phase", async () => {
  const { sup, of } = setup({ stepMs: 40, evalAtStep: 3, evalMs: 60_000 }, { evalTimeout: "1s" });
  await sup.start();
  const hang = await waitFor("hang", () => of("hang")[0], 5000);
  assert.equal(hang.phase, "eval");
  assert.equal(hang.limitMs, 1000);
  assert.ok(hang.quietMs >= 1000);
});

test("a daemon that ignores SIGTERM is killed by SIGKILL after the grace period", async () => {
  const { sup, of } = setup({ stepMs: 40, hangAtStep: 4, hangMode: "busy", ignoreSigterm: true, children: 1 }, { killGrace: "300ms" });
  await sup.start();
  const started = await waitFor("start", () => of("restart")[0]);
  const kill = await waitFor("kill", () => of("kill")[0], 6000);
  assert.equal(kill.ok, true);
  const toRoot = kill.signals.filter((s) => s.pid === started.pid).map((s) => s.signal);
  assert.deepEqual(toRoot, ["SIGTERM", "SIGKILL"]);
  const term = kill.signals.find((s) => s.signal === "SIGTERM")!;
  const sigkill = kill.signals.find((s) => s.signal === "SIGKILL")!;
  assert.ok(sigkill.atMs - term.atMs >= 300, "SIGKILL only after the grace period");
  for (const p of kill.members) assert.equal(await alive(p), false);
});

test("a half-written status file between real progress is neither a hang nor a crash", async () => {
  // The daemon itself stops writing at once; the test plays the trainer, and every other write is torn.
  const { dir, settings, sup, of } = setup({ stepMs: 40, hangAtStep: 0, hangMode: "sleep" });
  await sup.start();
  const started = await waitFor("start", () => of("restart")[0]);
  const file = settings.layout.statusFile;
  const until = Date.now() + 2000; // 2.5 training limits
  for (let step = 100; Date.now() < until; step++) {
    fs.writeFileSync(file, step % 2 ? `{"current_step": ${step}, "pha` : JSON.stringify({ current_step: step, phase: "training" }));
    await new Promise((r) => setTimeout(r, 150));
  }
  assert.equal(of("hang").length, 0);
  assert.equal(of("crash").length, 0);
  assert.equal(await alive(started.pid), true);
  // And once the writes stop, the hang is detected on the last good data.
  const hang = await waitFor("hang", () => of("hang")[0], 3000);
  assert.ok((hang.step ?? 0) >= 100);
  assert.equal(hang.kind === "cpu_spin", false, "an idle daemon is not spinning");
  void dir;
});

/** Starts `argv` detached (tracked for teardown) and waits until its main thread sleeps in `wchan`. */
/**
 * Starts argv and waits until its main thread waits in `wchan`. With `readyMark`, first until the child
 * printed it: a runtime may wait in the same place while it starts (node's main thread blocks on a futex
 * while its platform threads come up), which is not yet the wait under test.
 */
async function startWaiting(argv: string[], wchan: RegExp, readyMark?: string): Promise<number> {
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ["ignore", readyMark ? "pipe" : "ignore", "ignore"] });
  janitor.track(child.pid);
  child.unref();
  const pid = child.pid!;
  if (readyMark) {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    await waitFor(`PID ${pid} printed ${readyMark}`, () => out.includes(readyMark), 10_000);
    (child.stdout as unknown as { unref?: () => void }).unref?.();
  }
  await waitFor(`PID ${pid} waiting in ${wchan}`, () => {
    try {
      return wchan.test(fs.readFileSync(`/proc/${pid}/wchan`, "utf8"));
    } catch {
      return false;
    }
  }, 10_000);
  return pid;
}

const diagnoseOpts = { timeoutMs: 1000, cpuSampleMs: 300, pySpy: "/nonexistent/py-spy", nvidiaSmi: "/nonexistent/nvidia-smi" };
const python = ["/usr/bin/python3", "/usr/local/bin/python3"].find((p) => fs.existsSync(p));

test("diagnosis of real processes: time.sleep is sleeping, a thread blocked on a lock is a deadlock", { skip: python ? false : "no python3 interpreter" }, async () => {
  const sleeper = await startWaiting([python!, "-c", "import time; time.sleep(60)"], /nanosleep/);
  const s = await diagnoseHang((await readIdentity(sleeper))!, diagnoseOpts);
  assert.equal(s.kind, "sleeping", s.reasons.join("; "));
  assert.match(s.reasons[0]!, /timed sleep \((hrtimer|do)_nanosleep\)/);

  // The main thread waits for a lock a second thread holds forever (and that thread waits for the first).
  const deadlocked = await startWaiting(
    [python!, "-c", "import threading\na=threading.Lock();b=threading.Lock()\na.acquire()\ndef t():\n  b.acquire(); a.acquire()\nthreading.Thread(target=t).start()\nimport time; time.sleep(0.2)\nb.acquire()"],
    /futex/,
  );
  await waitFor("both threads blocked", async () => {
    const r = await diagnoseHang((await readIdentity(deadlocked))!, diagnoseOpts);
    return r.evidence.processes[0]!.threads.length === 2 && r.evidence.processes[0]!.threads.every((t) => /futex/.test(t.wchan));
  });
  const d = await diagnoseHang((await readIdentity(deadlocked))!, diagnoseOpts);
  assert.equal(d.kind, "deadlock", d.reasons.join("; "));
});

test("diagnosis of real processes: coreutils sleep is sleeping; node blocked in Atomics.wait (a futex) is not", async () => {
  const sleeper = await startWaiting(["sleep", "60"], /nanosleep/);
  assert.equal((await diagnoseHang((await readIdentity(sleeper))!, diagnoseOpts)).kind, "sleeping");
  const waiter = await startWaiting([process.execPath, "-e", "process.stdout.write('waiting\\n', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0))"], /futex/, "waiting");
  const d = await diagnoseHang((await readIdentity(waiter))!, diagnoseOpts);
  assert.notEqual(d.kind, "sleeping", d.reasons.join("; "));
  assert.equal(d.evidence.processes[0]!.threads.find((t) => t.tid === waiter)!.wchan.includes("futex"), true);
});
