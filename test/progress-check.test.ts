/**
 * The `check` command's progress check without a status file reports the source and step the
 * watchdog reads (recorded HF Trainer log and trainer_state.json), judges advancing between checks by
 * new progress lines, and names what it tried when there is nothing.
 */
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { resolveSettings, type Settings } from "../agent/config/settings.js";
import { runChecks } from "../agent/checks/runner.js";
import { readCmdline } from "../agent/lib/proc.js";
import { ProgressSources } from "../agent/watchdog/sources.js";

const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "progress");
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function hfRun(): { dir: string; settings: Settings; log: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ts-pcheck-"));
  dirs.push(dir);
  const log = path.join(dir, "training_output.log");
  fs.copyFileSync(path.join(FIX, "hf_trainer.log"), log);
  fs.cpSync(path.join(FIX, "hf_run", "output"), path.join(dir, "output"), { recursive: true });
  return { dir, settings: resolveSettings({ checks: { statusStaleAfter: "15m" } }, { baseDir: dir }), log };
}

async function progress(settings: Settings, nowMs: number) {
  const report = await runChecks(settings, { only: ["progress"], now: () => nowMs });
  return report.checks[0]!;
}

test("without a status file the check reports the watchdog's source and step, then advancing and stuck", async () => {
  const { settings, log } = hfRun();
  const t0 = Date.now();
  const watchdogView = await new ProgressSources(settings.layout, "phase", 0).read();
  assert.ok(watchdogView.ok);
  let r = await progress(settings, t0);
  assert.equal(r.status, "pass", r.message);
  assert.equal(r.details!.source, watchdogView.reading.source);
  assert.equal(r.details!.currentStep, watchdogView.reading.step);
  assert.equal(r.details!.source, "trainer_state", "checkpoint-12's global_step equals the log's last step");
  assert.equal(r.details!.currentStep, 12);
  assert.match(r.message, /step 12 from output\/checkpoint-12\/trainer_state\.json.*first observation/);

  // A new HF log dict: progress without a higher step.
  fs.appendFileSync(log, "\r{'loss': '3.8', 'grad_norm': '1.1', 'learning_rate': '1e-06', 'epoch': '0.4'}\n");
  r = await progress(settings, t0 + 60_000);
  assert.equal(r.status, "pass", r.message);
  assert.match(r.message, /advancing since 1m ago/);

  // Nothing new for longer than the limit, and no job running: a warning saying so, not a hang.
  r = await progress(settings, t0 + 17 * 60_000);
  assert.equal(r.status, "warn", r.message);
  assert.match(r.message, /step 12 from output\/checkpoint-12\/trainer_state\.json has not advanced for 16m \(limit 15m\), but the job is not running/);
  // The job runs (its daemon in the PID file): fail, naming the source.
  const daemon = spawn(process.execPath, ["-e", "setInterval(() => {}, 1e6)", "training_daemon"], { cwd: path.dirname(log), stdio: "ignore" });
  try {
    // Until exec has happened /proc shows the test runner's command line, not the daemon's.
    for (let i = 0; i < 500 && !((await readCmdline(daemon.pid!)) ?? "").includes("training_daemon"); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    fs.writeFileSync(settings.layout.pidFile, `${daemon.pid}\n`);
    r = await progress(settings, t0 + 17 * 60_000);
    assert.equal(r.status, "fail", r.message);
    assert.match(r.message, /step 12 from output\/checkpoint-12\/trainer_state\.json has not advanced for 16m \(limit 15m\)/);
  } finally {
    daemon.kill("SIGKILL");
  }
});

test("a log-only run (no checkpoint yet) reports the log line; nothing at all names what was tried", async () => {
  const { dir, settings } = hfRun();
  fs.rmSync(path.join(dir, "output"), { recursive: true });
  const r = await progress(settings, Date.now());
  assert.equal(r.status, "pass", r.message);
  assert.equal(r.details!.source, "log_step");
  assert.match(r.message, /step 12 from training_output\.log \(tqdm: "100%\|.*12\/12 \[/);

  fs.rmSync(path.join(dir, "training_output.log"));
  const none = await progress(settings, Date.now());
  assert.equal(none.status, "warn");
  assert.match(none.message, /no status file at status\/training_status\.json and no step in checkpoints or logs .*tried: status file status\/training_status\.json: missing; trainer_state\.json: no checkpoint-N folder/);
});
