/**
 * Startup grace against real processes and the real supervisor: a trainer that takes 60 s to import
 * is not killed by a 20 s training limit before its first step (read from its own log, no status
 * file), and the training limit applies from that step on; a daemon that never makes progress is
 * killed after the startup grace as a `startup` hang naming the sources tried; a log that keeps
 * growing without recognised step lines keeps a daemon out of the startup hang.
 */
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { resolveSettings } from "../agent/config/settings.js";
import type { WatchdogEvent } from "../agent/watchdog/events.js";
import { Supervisor } from "../agent/watchdog/supervisor.js";
import { alive, ProcessJanitor, waitFor } from "./watchdog-helpers.js";

const DAEMON = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "progress", "slow_start_daemon.mjs");
const janitor = new ProcessJanitor();
afterEach(() => janitor.cleanup());

function setup(args: string[], watchdog: Record<string, unknown>) {
  const dir = janitor.baseDir("ts-startup-");
  const settings = resolveSettings(
    {
      watchdog: {
        livenessPoll: "50ms",
        checkInterval: "200ms",
        killGrace: "400ms",
        backoffInitial: "100ms",
        minDiskFreeForRestart: 0,
        cpuSample: "200ms",
        hangReportTimeout: "1s",
        daemonCommand: [process.execPath, DAEMON, ...args],
        ...watchdog,
      },
    },
    { baseDir: dir },
  );
  const events: Array<WatchdogEvent & { atMs: number }> = [];
  const sup = new Supervisor({
    settings,
    log: () => {},
    onEvent: (e) => {
      events.push({ ...e, atMs: Date.now() });
      if (e.type === "restart") janitor.track(e.pid);
    },
  });
  janitor.stopAtEnd(sup);
  const of = <T extends WatchdogEvent["type"]>(type: T) =>
    events.filter((e): e is Extract<WatchdogEvent, { type: T }> & { atMs: number } => e.type === type);
  return { dir, settings, sup, of };
}

const firstStepAt = (log: string): number | null => (fs.existsSync(log) && /\| 1\/1000 \[/.test(fs.readFileSync(log, "utf8")) ? Date.now() : null);

test("a trainer that takes 60 s to import with trainingTimeout 20s is not killed before its first step", { timeout: 150_000 }, async () => {
  const { dir, settings, sup, of } = setup(["--quiet-ms", "60000", "--steps", "10", "--step-ms", "200"], { trainingTimeout: "20s" });
  // The log of the previous run ends with a step line: it must not count as this run's first step.
  fs.writeFileSync(settings.layout.outputLog, "\r 50%|█████     | 500/1000 [10:00<10:00,  1.00it/s]\n");
  await sup.start();
  const started = await waitFor("start", () => of("restart")[0]);
  const firstStep = await waitFor("the first step line", () => firstStepAt(settings.layout.outputLog), 90_000);
  const importedMs = firstStep - started.atMs;
  assert.ok(importedMs >= 59_000, `first step after ${importedMs} ms`);
  assert.deepEqual(of("hang"), [], "no hang during the import");
  assert.equal(await alive(started.pid), true);
  assert.equal(sup.daemonPid, started.pid);

  // From the first step on, the training limit applies: the daemon stops after step 10 and is a
  // training hang 20 s later, at the step its log shows.
  const hang = await waitFor("hang in training", () => of("hang")[0], 40_000);
  assert.equal(hang.pid, started.pid);
  assert.equal(hang.phase, "training");
  assert.equal(hang.limitMs, 20_000);
  assert.equal(hang.step, 10);
  assert.ok(hang.quietMs >= 20_000, `quiet ${hang.quietMs} ms`);
  const progress = (hang.report as { progress: { source: string; file: string } }).progress;
  assert.equal(progress.source, "log_step");
  assert.equal(progress.file, settings.layout.outputLog);
  void dir;
});

test("a daemon that never makes progress is killed after the startup grace, as a startup hang", { timeout: 30_000 }, async () => {
  const { settings, sup, of } = setup(["--quiet-ms", "600000"], { trainingTimeout: "300ms", startupGrace: "2s" });
  await sup.start();
  const started = await waitFor("start", () => of("restart")[0]);
  const hang = await waitFor("startup hang", () => of("hang")[0], 8000);
  const kill = await waitFor("kill", () => of("kill")[0], 5000);
  assert.equal(hang.pid, started.pid);
  assert.equal(hang.phase, "startup");
  assert.equal(hang.kind, "startup");
  assert.equal(hang.limitMs, 2000);
  assert.equal(hang.step, null);
  assert.ok(hang.atMs - started.atMs >= 2000, `killed ${hang.atMs - started.atMs} ms after start: not by the 300 ms training limit`);
  assert.match(hang.reasons[0]!, /^no step was ever seen in \d/);
  assert.match(hang.reasons[0]!, /sources tried: status file status\/training_status\.json: missing; trainer_state\.json: no checkpoint-N folder; step lines in the logs \(training_output\.log\): none recognised; log growth/);
  assert.match(hang.reasons[1]!, /^the process: /);
  assert.equal(kill.ok, true);
  assert.equal(await alive(started.pid), false);
  const history = JSON.parse(fs.readFileSync(settings.layout.crashHistoryFile, "utf8"));
  const entries = (Array.isArray(history) ? history : history.entries) as Array<Record<string, unknown>>;
  assert.ok(entries.some((e) => e.source === "hang" && e.hangKind === "startup"), JSON.stringify(entries).slice(0, 300));
  // The restarted daemon gets a startup grace of its own.
  await waitFor("restart after the startup hang", () => of("restart").find((r) => r.cause === "hang"), 5000);
});

test("a log that keeps growing without recognised step lines keeps the daemon out of the startup hang", { timeout: 30_000 }, async () => {
  const { sup, of } = setup(["--chatter-ms", "250", "--chatter-for-ms", "4000"], { trainingTimeout: "300ms", startupGrace: "1500ms" });
  await sup.start();
  const started = await waitFor("start", () => of("restart")[0]);
  await new Promise((r) => setTimeout(r, 3500));
  assert.deepEqual(of("hang"), [], "writing, though no step line was recognised");
  // Silence after the chatter: a startup hang one grace after the last line.
  const hang = await waitFor("startup hang after the log stopped", () => of("hang")[0], 6000);
  assert.equal(hang.kind, "startup");
  assert.ok(hang.atMs - started.atMs >= 4000 + 1500 - 300, `hang ${hang.atMs - started.atMs} ms after start`);
});

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "bin", "trainsafe.js");

test("trainsafe watchdog --startup-grace sets the limit before the first step (help, a startup hang at it, a bad value names the field)", { timeout: 30_000 }, async () => {
  const help = spawnSync(process.execPath, [BIN, "watchdog", "--help"], { encoding: "utf8", timeout: 20_000 });
  assert.match(help.stdout, /--startup-grace <duration>/);

  const dir = janitor.baseDir("ts-startup-cli-");
  const bad = spawnSync(process.execPath, [BIN, "watchdog", "--base-dir", dir, "--once", "--startup-grace", "10x"], { encoding: "utf8", timeout: 20_000 });
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /watchdog\.startupGrace: invalid duration "10x"/);

  const args = [
    BIN, "watchdog", "--base-dir", dir, "--json",
    "--startup-grace", "1500ms", "--training-timeout", "300ms", "--max-restarts", "1",
    "--liveness-poll", "50ms", "--check-interval", "200ms", "--min-disk-free", "0", "--cpu-sample", "100ms", "--kill-grace", "400ms",
    "--daemon-command", JSON.stringify([process.execPath, DAEMON, "--quiet-ms", "600000"]),
  ];
  const cli = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  janitor.track(cli.pid);
  const events: Array<Record<string, unknown> & { atMs: number }> = [];
  let buf = "";
  cli.stdout.on("data", (chunk: Buffer) => {
    buf += chunk.toString("utf8");
    for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const e = JSON.parse(line) as Record<string, unknown>;
      events.push({ ...e, atMs: Date.now() });
      if (e.type === "restart") janitor.track(e.pid as number);
    }
  });
  let stderr = "";
  cli.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => cli.once("exit", (code) => resolve(code)));
  try {
    const started = await waitFor("start", () => events.find((e) => e.type === "restart"), 10_000);
    const hang = await waitFor("startup hang", () => events.find((e) => e.type === "hang"), 10_000).catch((err: unknown) => {
      throw new Error(`${String(err)}; stderr: ${stderr.slice(-800)}`);
    });
    assert.equal(hang.phase, "startup");
    assert.equal(hang.kind, "startup");
    assert.equal(hang.limitMs, 1500, "the option's value, not the 10m default");
    assert.ok(hang.atMs - started.atMs >= 1500, `hang ${hang.atMs - started.atMs} ms after start: not by the 300 ms training limit`);
    await waitFor("killed", () => events.find((e) => e.type === "kill"), 10_000);
    assert.equal(await alive(started.pid as number), false);
  } finally {
    cli.kill("SIGTERM");
    assert.equal(await exited, 0, stderr.slice(-800));
  }
});
