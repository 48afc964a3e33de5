/**
 * `trainsafe watchdog` as a user runs it: --once passes (cron) that adopt, restart and catch a hang
 * across passes; the foreground supervisor stopped by SIGTERM leaving training running; usage errors.
 */
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { alive, currentStep, daemonCommand, jsonLines, ProcessJanitor, startDaemon, waitFor } from "./watchdog-helpers.js";

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "bin", "trainsafe.js");
const janitor = new ProcessJanitor();
afterEach(() => janitor.cleanup());

function baseDir(): string {
  return janitor.baseDir("ts-wdcli-");
}

const FAST = ["--liveness-poll", "50ms", "--check-interval", "200ms", "--min-disk-free", "0", "--cpu-sample", "100ms", "--kill-grace", "500ms"];

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, "watchdog", ...args], { encoding: "utf8", timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("--once: a dead daemon is recorded as a crash and restarted (exit 1); the next pass adopts it (exit 0)", async () => {
  const dir = baseDir();
  const dead = startDaemon(dir, { stepMs: 20, crashAtStep: 1 }, janitor);
  fs.writeFileSync(path.join(dir, ".daemon.pid"), `${dead.pid}\n`);
  await waitFor("daemon exit", () => dead.exitCode !== null);
  const cmd = JSON.stringify(daemonCommand({ stepMs: 50 }));
  const r = cli(["--base-dir", dir, "--once", "--json", "--daemon-command", cmd, ...FAST]);
  assert.equal(r.code, 1, r.stderr);
  const pass = JSON.parse(r.stdout) as { state: string; problems: number; events: Array<{ type: string; pid?: number; category?: string; exitCode?: unknown }> };
  const types = pass.events.map((e) => e.type);
  assert.deepEqual(types.filter((t) => t !== "supervisor_start" && t !== "supervisor_stop"), ["crash", "grant", "restart"]);
  assert.equal(pass.events.find((e) => e.type === "crash")!.category, "cuda_oom");
  assert.equal(pass.events.find((e) => e.type === "crash")!.exitCode, null);
  const newPid = pass.events.find((e) => e.type === "restart")!.pid!;
  janitor.track(newPid);
  assert.equal(pass.state, "watching");
  assert.match(r.stderr, /daemon PID \d+ died \(exit status unknown/);
  // The once-process has exited; the daemon it started keeps training.
  await waitFor("new daemon steps", () => currentStep(dir) !== null);
  assert.equal(await alive(newPid), true);

  const again = cli(["--base-dir", dir, "--once", ...FAST]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`watching \\(daemon PID ${newPid}\\): 0 problem`));
  assert.match(again.stderr, /adopted running daemon/);
});

test("--once beside a trainer started by hand that no PID file names: blocked, saying why (exit 1), nothing signalled; started once it is gone", async () => {
  const dir = baseDir();
  const byHand = startDaemon(dir, { stepMs: 50 }, janitor);
  await waitFor("hand trainer steps", () => currentStep(dir) !== null);
  const cmd = JSON.stringify(daemonCommand({ stepMs: 50 }));
  const r = cli(["--base-dir", dir, "--once", "--json", "--daemon-command", cmd, ...FAST]);
  assert.equal(r.code, 1, r.stderr);
  const pass = JSON.parse(r.stdout) as { state: string; events: Array<{ type: string; reasons?: string[]; trainers?: Array<{ pid: number }> }> };
  assert.equal(pass.state, "blocked");
  const blocked = pass.events.find((e) => e.type === "blocked")!;
  assert.deepEqual(blocked.trainers?.map((t) => t.pid), [byHand.pid]);
  assert.deepEqual(pass.events.filter((e) => e.type === "grant" || e.type === "restart"), []);
  assert.match(r.stderr, new RegExp(`restart blocked \\(not_running\\): a trainer started by hand runs in ${dir} and no PID file names it: PID ${byHand.pid} .*echo ${byHand.pid} > `));
  assert.equal(await alive(byHand.pid!), true, "never signalled");
  assert.equal(fs.existsSync(path.join(dir, ".daemon.pid")), false, "no daemon started");

  byHand.kill("SIGTERM");
  await waitFor("hand trainer gone", () => byHand.exitCode !== null || byHand.signalCode !== null);
  const again = cli(["--base-dir", dir, "--once", "--json", "--daemon-command", cmd, ...FAST]);
  const second = JSON.parse(again.stdout) as { state: string; events: Array<{ type: string; pid?: number }> };
  const started = second.events.filter((e) => e.type === "restart");
  assert.equal(started.length, 1, again.stderr);
  janitor.track(started[0]!.pid);
  assert.equal(second.state, "watching");
});

test("--once from cron catches a hang across passes (progress persisted between them)", async () => {
  const dir = baseDir();
  const d = startDaemon(dir, { stepMs: 20, hangAtStep: 3, hangMode: "sleep" }, janitor);
  fs.writeFileSync(path.join(dir, ".daemon.pid"), `${d.pid}\n`);
  await waitFor("hung", () => currentStep(dir) === 3);
  const args = ["--base-dir", dir, "--once", "--json", "--training-timeout", "1s", "--daemon-command", JSON.stringify(daemonCommand({ stepMs: 50 })), ...FAST];
  const first = cli(args);
  assert.equal(first.code, 0, first.stderr);
  await new Promise((r) => setTimeout(r, 1200));
  const second = cli(args);
  assert.equal(second.code, 1, second.stderr);
  const ev = (JSON.parse(second.stdout) as { events: Array<{ type: string; pid?: number; phase?: string }> }).events;
  const types = ev.map((e) => e.type);
  for (const t of ["hang", "kill", "grant", "restart"]) assert.ok(types.includes(t), `${t} in ${types}`);
  janitor.track(ev.find((e) => e.type === "restart")!.pid);
  assert.equal(await alive(d.pid!), false);
  assert.deepEqual(jsonLines(path.join(dir, "logs", "anti_stuck.log")).map((e) => e.type), ["hang", "kill"]);
});

test("foreground: SIGTERM stops the supervisor cleanly and never the daemon", async () => {
  const dir = baseDir();
  const sup = spawn(process.execPath, [BIN, "watchdog", "--base-dir", dir, "--daemon-command", JSON.stringify(daemonCommand({ stepMs: 50 })), ...FAST], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  janitor.track(sup.pid);
  let stderr = "";
  sup.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((r) => sup.once("exit", (code) => r(code)));
  const pidFile = path.join(dir, ".daemon.pid");
  const daemonPid = await waitFor("daemon started", () => (fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, "utf8")) : 0), 15_000);
  janitor.track(daemonPid);
  await waitFor("steps", () => (currentStep(dir) ?? 0) > 1);
  sup.kill("SIGTERM");
  assert.equal(await exited, 0, stderr);
  assert.match(stderr, /supervisor stopped \(SIGTERM received\); the daemon keeps running/);
  const step = currentStep(dir)!;
  await waitFor("training continues", () => (currentStep(dir) ?? 0) > step);
  assert.equal(await alive(daemonPid), true);
  assert.ok(!fs.existsSync(path.join(dir, ".trainsafe", "supervisor.lock")), "lock released");
});

test("bad thresholds are usage errors naming the field (exit 2)", () => {
  const dir = baseDir();
  const r = cli(["--base-dir", dir, "--once", "--training-timeout", "15x"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /watchdog\.trainingTimeout: invalid duration "15x"/);
  const r2 = cli(["--base-dir", dir, "--once", "--max-restarts", "-1"]);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /--max-restarts must be an integer >= 0/);
});
