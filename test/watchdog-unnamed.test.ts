/**
 * Trainers of the folder that no PID file names, against real processes: a trainer started by hand in
 * BASE_DIR blocks the supervisor's start (never a second job beside it, never a signal) until it exits;
 * a PID written to the PID file as the reason says has it adopted; the daemon trainsafe launched whose
 * PID file was lost is adopted, not doubled; a worker left over from a crashed launch blocks the
 * restart until it is gone; a trainer of another BASE_DIR does not block.
 */
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { resolveSettings, type Settings } from "../agent/config/settings.js";
import { listDescendants, listProcesses, readCmdline, readCwd } from "../agent/lib/proc.js";
import { Supervisor } from "../agent/watchdog/supervisor.js";
import type { WatchdogEvent } from "../agent/watchdog/events.js";
import { alive, daemonCommand, ProcessJanitor, startDaemon, waitFor } from "./watchdog-helpers.js";

const janitor = new ProcessJanitor();
afterEach(() => janitor.cleanup());

function settingsFor(dir: string, watchdog: Record<string, unknown> = {}): Settings {
  return resolveSettings(
    {
      watchdog: {
        livenessPoll: "50ms",
        // Long: the tests show that a trainer that exits unblocks at the next tick, not at this interval.
        checkInterval: "30s",
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

/** A supervisor with events collected in memory and every signal it sends recorded. */
function supervise(settings: Settings) {
  const events: WatchdogEvent[] = [];
  const signals: Array<[number, string]> = [];
  const kill = (pid: number, sig: NodeJS.Signals) => {
    signals.push([pid, sig]);
    process.kill(pid, sig);
  };
  const sup = new Supervisor({ settings, onEvent: (e) => void events.push(e), log: () => {}, kill });
  janitor.stopAtEnd(sup);
  const of = <T extends WatchdogEvent["type"]>(type: T) => events.filter((e): e is Extract<WatchdogEvent, { type: T }> => e.type === type);
  return { sup, events, signals, of };
}

/** Test daemons (training_daemon.mjs, not their children) running with `dir` as their working directory. */
async function daemonsIn(dir: string): Promise<number[]> {
  const out: number[] = [];
  for (const st of await listProcesses()) {
    if (st.state === "Z" || st.state === "X") continue;
    const cmd = await readCmdline(st.pid);
    if (cmd?.includes("training_daemon.mjs") && (await readCwd(st.pid)) === dir) out.push(st.pid);
  }
  return out.sort((a, b) => a - b);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("a trainer started by hand in BASE_DIR that no PID file names blocks the start, saying why; once it exits, exactly one daemon starts", async () => {
  const dir = janitor.baseDir("ts-unnamed-");
  const byHand = startDaemon(dir, { stepMs: 50 }, janitor);
  await waitFor("hand trainer", async () => (await daemonsIn(dir)).includes(byHand.pid!));
  const { sup, of, signals } = supervise(settingsFor(dir));
  await sup.start();

  const blocked = await waitFor("blocked", () => of("blocked")[0]);
  assert.equal(blocked.cause, "not_running");
  assert.deepEqual(blocked.trainers?.map((t) => [t.pid, t.launched]), [[byHand.pid, false]]);
  assert.match(blocked.trainers![0]!.cmdline, /training_daemon\.mjs/);
  const reason = blocked.reasons.join("; ");
  assert.match(reason, new RegExp(`a trainer started by hand runs in ${dir} and no PID file names it: PID ${byHand.pid} \\(".*training_daemon\\.mjs`));
  assert.match(reason, new RegExp(`write its PID to the PID file \\(echo ${byHand.pid} > ${dir}/\\.daemon\\.pid\\); or stop it`));
  await sleep(600);
  assert.equal(sup.state, "blocked");
  assert.equal(of("restart").length + of("grant").length + of("adopt").length, 0, "no start, no grant spent, no adoption");
  assert.deepEqual(await daemonsIn(dir), [byHand.pid], "no second daemon beside it");
  assert.equal(of("blocked").length, 1, "re-looked at quietly");

  // The person stops it: the start goes on at the next tick (checkInterval is 30 s here).
  const stoppedAt = Date.now();
  process.kill(byHand.pid!, "SIGTERM");
  const restart = await waitFor("the start once it is gone", () => of("restart")[0], 5000);
  assert.ok(Date.now() - stoppedAt < 3000, `unblocked ${Date.now() - stoppedAt} ms after the trainer was stopped`);
  assert.equal(of("unblocked").length, 1);
  janitor.track(restart.pid);
  await waitFor("the new daemon", async () => (await daemonsIn(dir)).includes(restart.pid));
  await sleep(800);
  assert.deepEqual(await daemonsIn(dir), [restart.pid], "exactly one daemon");
  assert.equal(of("restart").length, 1);
  assert.deepEqual(signals, [], "nothing was signalled by the supervisor");
});

test("a blocked start: writing the hand trainer's PID to the PID file, as the reason says, has it adopted without a signal", async () => {
  const dir = janitor.baseDir("ts-unnamed-");
  const byHand = startDaemon(dir, { stepMs: 50 }, janitor);
  await waitFor("hand trainer", async () => (await daemonsIn(dir)).includes(byHand.pid!));
  const { sup, of, signals } = supervise(settingsFor(dir));
  await sup.start();
  await waitFor("blocked", () => of("blocked")[0]);

  fs.writeFileSync(path.join(dir, ".daemon.pid"), `${byHand.pid}\n`);
  const adopt = await waitFor("adoption", () => of("adopt")[0], 3000);
  assert.equal(adopt.pid, byHand.pid);
  assert.equal(sup.state, "watching");
  await sleep(500);
  assert.deepEqual(await daemonsIn(dir), [byHand.pid]);
  assert.equal(of("restart").length, 0);
  assert.deepEqual(signals, []);
  assert.equal(await alive(byHand.pid!), true);
});

test("the daemon trainsafe launched whose PID file was lost is adopted by the next supervisor (PID file rewritten), not doubled", async () => {
  const dir = janitor.baseDir("ts-unnamed-");
  const settings = settingsFor(dir);
  const a = supervise(settings);
  await a.sup.start();
  const launched = await waitFor("first launch", () => a.of("restart")[0]);
  janitor.track(launched.pid);
  await a.sup.stop();
  fs.rmSync(path.join(dir, ".daemon.pid"));

  const b = supervise(settings);
  await b.sup.start();
  const adopt = await waitFor("adoption", () => b.of("adopt")[0], 3000);
  assert.equal(adopt.pid, launched.pid);
  assert.equal(fs.readFileSync(path.join(dir, ".daemon.pid"), "utf8").trim(), String(launched.pid), "PID file rewritten");
  await sleep(600);
  assert.equal(b.of("restart").length + b.of("blocked").length, 0);
  assert.deepEqual(await daemonsIn(dir), [launched.pid]);
  assert.deepEqual(b.signals, []);
});

test("a worker left over from a crashed launch (its launch id, not its daemon) blocks the restart until it exits", async () => {
  const dir = janitor.baseDir("ts-unnamed-");
  const settings = settingsFor(dir, { daemonCommand: daemonCommand({ stepMs: 50, children: 1 }) });
  fs.writeFileSync(path.join(dir, "daemon_control.json"), JSON.stringify({ crashAtStep: 4, once: true }));
  const { sup, of, signals } = supervise(settings);
  await sup.start();
  const first = await waitFor("first launch", () => of("restart")[0]);
  janitor.track(first.pid);
  const [worker] = await waitFor("its worker", async () => {
    const d = await listDescendants(first.pid);
    return d.length > 0 ? d : null;
  });
  janitor.track(worker);
  await waitFor("crash", () => of("crash")[0], 5000);
  const blocked = await waitFor("blocked by the leftover worker", () => of("blocked")[0], 3000);
  assert.equal(blocked.cause, "crash");
  assert.deepEqual(blocked.trainers?.map((t) => [t.pid, t.launched]), [[worker, true]]);
  assert.match(blocked.reasons[0]!, new RegExp(`PID ${worker} \\(".*training_daemon_child"\\) is left over from this folder's last launch \\(TRAINSAFE_LAUNCH_ID=[0-9a-f-]{36}\\) but is not its daemon`));
  await sleep(300);
  assert.equal(of("restart").length, 1, "no restart beside it");
  assert.equal(await alive(worker!), true, "never signalled");

  process.kill(worker!, "SIGKILL");
  const second = await waitFor("restart once it is gone", () => of("restart")[1], 5000);
  janitor.track(second.pid);
  assert.equal(second.cause, "crash");
  assert.deepEqual(signals, []);
});

test("a trainer of another BASE_DIR that matches the pattern does not block the start", async () => {
  const elsewhere = janitor.baseDir("ts-unnamed-other-");
  const theirs = startDaemon(elsewhere, { stepMs: 50 }, janitor);
  const dir = janitor.baseDir("ts-unnamed-");
  await waitFor("their trainer", async () => (await daemonsIn(elsewhere)).includes(theirs.pid!));
  const { sup, of, signals } = supervise(settingsFor(dir));
  await sup.start();
  const restart = await waitFor("start", () => of("restart")[0], 5000);
  janitor.track(restart.pid);
  assert.equal(of("blocked").length, 0);
  await waitFor("our daemon", async () => (await daemonsIn(dir)).includes(restart.pid));
  assert.deepEqual(await daemonsIn(dir), [restart.pid]);
  assert.deepEqual(await daemonsIn(elsewhere), [theirs.pid], "theirs untouched");
  assert.deepEqual(signals, []);
});
