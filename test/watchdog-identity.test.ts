/**
 * Process identity against real launcher chains: the daemon command is a shell script that execs a
 * second script that execs python3 (itself a pyenv shim on some hosts), with delays, and the trainer
 * keeps a worker child. A hang must kill the real trainer tree and start exactly one new daemon; an
 * operator kill must leave nothing running, even mid-exec; a trainer of another BASE_DIR named by the
 * PID file is never signalled; after an operator kill, nothing the PID file says leads to a restart.
 */
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { resolveSettings, type Settings } from "../agent/config/settings.js";
import { readRecordedIdentity } from "../agent/lib/daemon.js";
import { listProcesses, readCwd, readEnvVar, readProcStat } from "../agent/lib/proc.js";
import { Supervisor } from "../agent/watchdog/supervisor.js";
import type { WatchdogEvent } from "../agent/watchdog/events.js";
import { alive, ProcessJanitor, waitFor } from "./watchdog-helpers.js";

const janitor = new ProcessJanitor();
const CHAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "daemon", "exec-chain");
const LAUNCH = path.join(CHAIN, "launch.sh");
const TRAINER = path.join(CHAIN, "trainer.py");

/** Every process a trainsafe launch started in `dir` (launch id in its environment, cwd in `dir`). */
async function launchedIn(dir: string): Promise<Array<{ pid: number; launchId: string }>> {
  const out: Array<{ pid: number; launchId: string }> = [];
  for (const st of await listProcesses()) {
    if (st.state === "Z" || st.state === "X") continue;
    const launchId = await readEnvVar(st.pid, "TRAINSAFE_LAUNCH_ID");
    if (launchId !== null && (await readCwd(st.pid)) === dir) out.push({ pid: st.pid, launchId });
  }
  return out;
}

afterEach(async () => {
  // What the supervisors launched in this test's folders, found the same way the tests look for it.
  const dirs = fs.readdirSync("/tmp").filter((n) => n.startsWith("ts-ident-")).map((n) => path.join("/tmp", n));
  for (const d of dirs) for (const p of await launchedIn(d)) janitor.track(p.pid);
  await janitor.cleanup();
});

function settingsFor(dir: string, watchdog: Record<string, unknown> = {}): Settings {
  return resolveSettings(
    {
      watchdog: {
        livenessPoll: "50ms",
        checkInterval: "200ms",
        trainingTimeout: "1500ms",
        killGrace: "2s",
        backoffInitial: "100ms",
        backoffMax: "400ms",
        minDiskFreeForRestart: 0,
        cpuSample: "50ms",
        hangReportTimeout: "1s",
        daemonPattern: "trainer\\.py",
        daemonCommand: ["sh", LAUNCH, "--hang-after", "3"],
        ...watchdog,
      },
    },
    { baseDir: dir },
  );
}

function supervise(settings: Settings, extra: Partial<ConstructorParameters<typeof Supervisor>[0]> = {}) {
  const events: WatchdogEvent[] = [];
  const sup = new Supervisor({ settings, onEvent: (e) => void events.push(e), log: () => {}, ...extra });
  janitor.stopAtEnd(sup);
  const of = <T extends WatchdogEvent["type"]>(type: T) => events.filter((e): e is Extract<WatchdogEvent, { type: T }> => e.type === type);
  return { sup, events, of };
}

/** The trainer (python, after the chain settled) and its worker among `procs`. */
async function trainerTree(procs: ReadonlyArray<{ pid: number }>): Promise<{ trainer: number; worker: number } | null> {
  const cmd = async (pid: number) => (await fs.promises.readFile(`/proc/${pid}/cmdline`, "latin1").catch(() => "")).split("\0").join(" ");
  let trainer: number | null = null;
  let worker: number | null = null;
  for (const p of procs) {
    const c = await cmd(p.pid);
    if (c.includes("trainer.py")) trainer = p.pid;
    else if (c.includes("while True")) worker = p.pid;
  }
  return trainer !== null && worker !== null ? { trainer, worker } : null;
}

test("exec chain: a hang kills the real trainer and its worker, and exactly one new daemon starts", async () => {
  const dir = janitor.baseDir("ts-ident-");
  const { sup, of } = supervise(settingsFor(dir));
  await sup.start();
  const first = await waitFor("first launch", () => of("restart")[0], 5000);
  const tree = await waitFor("trainer and worker after the exec chain", async () => trainerTree(await launchedIn(dir)), 8000);
  assert.equal(tree.trainer, first.pid, "exec keeps the PID: the trainer is the launched process");

  // The recorded identity follows the exec: the trainer's command line, not the shell's.
  const settled = await waitFor("identity re-recorded after exec", async () => {
    const id = await readRecordedIdentity(settingsFor(dir).layout);
    return id && id.cmdline.includes("trainer.py") ? id : null;
  }, 5000);
  assert.equal(settled.pid, first.pid);

  const hang = await waitFor("hang", () => of("hang")[0], 10_000);
  assert.equal(hang.pid, first.pid);
  const kill = await waitFor("kill", () => of("kill")[0], 5000);
  assert.equal(kill.ok, true);
  assert.equal(kill.skipped.length, 0, `nothing skipped: ${JSON.stringify(kill.skipped)}`);
  assert.ok(kill.members.includes(tree.trainer) && kill.members.includes(tree.worker), `members ${kill.members}`);
  assert.equal(await alive(tree.trainer), false, "the hung trainer is gone");
  assert.equal(await alive(tree.worker), false, "its worker is gone");

  const second = await waitFor("one restart after the hang", () => of("restart")[1], 8000);
  assert.equal(second.cause, "hang");
  await waitFor("the new trainer", async () => trainerTree(await launchedIn(dir)), 8000);
  // Give a wrongly started second daemon time to show up, then count.
  await new Promise((r) => setTimeout(r, 1500));
  const running = await launchedIn(dir);
  const launchIds = new Set(running.map((p) => p.launchId));
  assert.equal(launchIds.size, 1, `processes of ${launchIds.size} launches run: ${JSON.stringify(running)}`);
  const cmdlines = await Promise.all(running.map(async (p) => (await fs.promises.readFile(`/proc/${p.pid}/cmdline`, "latin1")).includes("trainer.py")));
  assert.equal(cmdlines.filter(Boolean).length, 1, "exactly one trainer runs");
  assert.equal(of("restart").length, 2);
  assert.equal(of("hang").length, 1, "the restarted trainer is healthy");
});

test("exec chain: an operator kill in the middle of the exec chain leaves no process of the launch running", async () => {
  const dir = janitor.baseDir("ts-ident-");
  const settings = settingsFor(dir, { daemonCommand: ["env", "CHAIN_DELAY_S=0.8", "sh", LAUNCH, "--hang-after", "0"] });
  const { sup, of } = supervise(settings);
  await sup.start();
  await waitFor("launch", () => of("restart")[0], 5000);
  // Still in the first shell: the command line is not the trainer's yet.
  const r = await sup.killDaemon("operator kill");
  assert.equal(r.ok, true, r.message);
  // Longer than the whole chain would take: had anything survived, python would be running by now.
  await new Promise((res) => setTimeout(res, 2500));
  assert.deepEqual(await launchedIn(dir), [], "nothing of the launch survived");
  assert.equal(sup.state, "held");
  assert.equal(of("restart").length, 1, "held: no restart");
});

test("exec chain: an operator kill after the chain settled kills trainer and worker", async () => {
  const dir = janitor.baseDir("ts-ident-");
  const { sup } = supervise(settingsFor(dir, { daemonCommand: ["sh", LAUNCH, "--hang-after", "0"] }));
  await sup.start();
  const tree = await waitFor("trainer and worker", async () => trainerTree(await launchedIn(dir)), 8000);
  const r = await sup.killDaemon("operator kill");
  assert.equal(r.ok, true, r.message);
  assert.equal(await alive(tree.trainer), false);
  assert.equal(await alive(tree.worker), false);
  assert.deepEqual(await launchedIn(dir), []);
});

test("after an operator kill, no PID file leads to an adoption or a restart, across supervisor restarts", async () => {
  const dir = janitor.baseDir("ts-ident-");
  const settings = settingsFor(dir, { daemonCommand: ["sh", LAUNCH, "--hang-after", "0"] });
  const a = supervise(settings);
  await a.sup.start();
  await waitFor("trainer", async () => trainerTree(await launchedIn(dir)), 8000);
  assert.equal((await a.sup.killDaemon("maintenance")).ok, true);

  // A trainer started by hand in this folder (it matches the pattern and runs here: normally adoptable).
  const out = fs.openSync(path.join(dir, "by-hand.log"), "a");
  const byHand = spawn("python3", [TRAINER], { cwd: dir, detached: true, stdio: ["ignore", out, out] });
  fs.closeSync(out);
  janitor.track(byHand.pid);
  byHand.unref();
  await waitFor("hand-started trainer", async () => (await fs.promises.readFile(`/proc/${byHand.pid}/cmdline`, "latin1").catch(() => "")).includes("trainer.py"), 5000);
  fs.writeFileSync(path.join(dir, ".daemon.pid"), `${byHand.pid}\n`);
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(a.sup.state, "held");
  assert.equal(a.of("adopt").length, 0);
  assert.equal(a.of("restart").length, 1, "only the first launch");

  // A PID file naming a dead process (what the old code took as a crash to restart from).
  fs.writeFileSync(path.join(dir, ".daemon.pid"), "4194000\n");
  await new Promise((r) => setTimeout(r, 800));
  assert.equal(a.of("restart").length, 1);
  assert.equal(a.of("crash").length, 0);

  // The hold outlives the supervisor (an agent restart).
  await a.sup.stop();
  fs.writeFileSync(path.join(dir, ".daemon.pid"), `${byHand.pid}\n`);
  const b = supervise(settings);
  await b.sup.start();
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(b.sup.state, "held");
  assert.equal(b.of("adopt").length + b.of("restart").length + b.of("kill").length, 0);
  assert.equal(await alive(byHand.pid!), true, "the hand-started trainer was never signalled");

  // An operator restart lifts the hold: the trainer running in this folder is adopted, not doubled.
  const r = await b.sup.restartDaemon("operator restart");
  assert.equal(r.ok, true, r.message);
  assert.equal(b.sup.state, "watching");
  assert.equal(b.of("unheld").length, 1);
  assert.equal(fs.existsSync(path.join(dir, ".trainsafe", "hold.json")), false);
});

test("a trainer of another BASE_DIR in .daemon.pid is never signalled, launched by trainsafe or copied with its run folder", async () => {
  const theirs = janitor.baseDir("ts-ident-");
  const other = supervise(settingsFor(theirs, { daemonCommand: ["sh", LAUNCH, "--hang-after", "0"] }));
  await other.sup.start();
  const tree = await waitFor("their trainer", async () => trainerTree(await launchedIn(theirs)), 8000);

  // 1. Their PID in our PID file.
  const mine = janitor.baseDir("ts-ident-");
  fs.writeFileSync(path.join(mine, ".daemon.pid"), `${tree.trainer}\n`);
  const signals: Array<[number, string]> = [];
  const spy = (pid: number, sig: NodeJS.Signals) => {
    signals.push([pid, sig]);
    process.kill(pid, sig);
  };
  const me = supervise(settingsFor(mine, { trainingTimeout: "300ms" }), { kill: spy });
  await me.sup.start();
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(me.sup.state, "foreign");
  assert.match(me.of("not_daemon")[0]?.message ?? "", /another trainsafe launch/);
  assert.equal(me.of("adopt").length + me.of("hang").length + me.of("kill").length + me.of("restart").length, 0);
  await me.sup.stop();

  // 2. The whole run folder copied, trainsafe's own records included (cp -a of a running experiment).
  const copy = janitor.baseDir("ts-ident-");
  fs.cpSync(theirs, copy, { recursive: true, force: true });
  const c = supervise(settingsFor(copy, { trainingTimeout: "300ms" }), { kill: spy });
  await c.sup.start();
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(c.sup.state, "foreign");
  assert.equal(c.of("adopt").length + c.of("hang").length + c.of("kill").length + c.of("restart").length, 0);

  assert.deepEqual(signals, [], "nothing was signalled");
  assert.equal(await alive(tree.trainer), true);
  assert.equal(await alive(tree.worker), true);
  assert.equal((await readProcStat(tree.trainer))?.state !== "T", true);
  assert.equal(other.sup.state, "watching", "their supervisor still watches its trainer");
});
