/**
 * The whole path on an unchanged HF Trainer run (test/fixtures/progress/hf_hangs_at_step.py, real
 * transformers on CPU, no callback, no status file) under the real supervisor, started through a
 * launcher that waits and execs: its quiet start takes longer than the training limit and is not a hang; its steps are read from its tqdm output and
 * trainer_state.json; when its data pipeline sleeps, the hang is found at the step it reached and
 * named `sleeping`, not `deadlock`. Needs a Python with torch and transformers: TRAINSAFE_ML_PYTHON or
 * /tmp/mlvenv/bin/python (skipped, saying so, where there is none).
 */
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { resolveSettings } from "../agent/config/settings.js";
import type { WatchdogEvent } from "../agent/watchdog/events.js";
import { Supervisor } from "../agent/watchdog/supervisor.js";
import { alive, ProcessJanitor, waitFor } from "./watchdog-helpers.js";

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "progress", "hf_hangs_at_step.py");
const PYTHON = [process.env.TRAINSAFE_ML_PYTHON, "/tmp/mlvenv/bin/python"].find(
  (p) => p && fs.existsSync(p) && spawnSync(p, ["-c", "import torch, transformers"], { timeout: 120_000 }).status === 0,
);
const janitor = new ProcessJanitor();
afterEach(() => janitor.cleanup());

test("a real HF Trainer: slow import is no hang, steps come from its output, a sleeping data pipeline is a sleeping hang", { skip: PYTHON ? false : "no Python with torch and transformers (set TRAINSAFE_ML_PYTHON)", timeout: 240_000 }, async () => {
  const dir = janitor.baseDir("ts-hf-");
  const settings = resolveSettings(
    {
      watchdog: {
        livenessPoll: "100ms",
        checkInterval: "500ms",
        // Shorter than the quiet start (the launcher's 5 s, then the imports).
        trainingTimeout: "4s",
        startupGrace: "150s",
        killGrace: "2s",
        backoffInitial: "100ms",
        minDiskFreeForRestart: 0,
        cpuSample: "500ms",
        hangReportTimeout: "2s",
        maxRestarts: 1,
        // A launcher that waits 5 s and execs the unchanged script (as wrapper scripts do): the quiet
        // start is longer than trainingTimeout however fast torch and transformers import here.
        daemonCommand: ["/bin/sh", "-c", 'sleep 5 && exec "$0" "$@"', PYTHON!, SCRIPT, "output", "--hang-after", "40"],
      },
    },
    { baseDir: dir },
  );
  const events: Array<WatchdogEvent & { atMs: number }> = [];
  const sup = new Supervisor({ settings, log: () => {}, onEvent: (e) => {
    events.push({ ...e, atMs: Date.now() });
    if (e.type === "restart") janitor.track(e.pid);
  } });
  janitor.stopAtEnd(sup);
  const of = <T extends WatchdogEvent["type"]>(type: T) => events.filter((e): e is Extract<WatchdogEvent, { type: T }> & { atMs: number } => e.type === type);
  await sup.start();
  const started = await waitFor("start", () => of("restart")[0], 30_000).catch((err: unknown) => {
    throw new Error(`${String(err)}; events: ${JSON.stringify(events).slice(0, 1500)}`);
  });

  // tqdm redraws the bar at most every 0.1 s: at 80+ steps a second the first bar drawn after 0 may
  // say 5/1000, never 1/1000. Any step drawn is the first progress this test can see.
  const firstStepAtMs = await waitFor("first step", () => (fs.existsSync(settings.layout.outputLog) && /\| [1-9]\d*\/1000 \[/.test(fs.readFileSync(settings.layout.outputLog, "utf8")) ? Date.now() : 0), 150_000).catch((err: unknown) => {
    const out = fs.existsSync(settings.layout.outputLog) ? fs.readFileSync(settings.layout.outputLog, "utf8").slice(-800) : "(no output log)";
    throw new Error(`${String(err)}; events: ${events.map((e) => e.type).join(", ")}; output: ${out}`);
  });
  // The launcher's wait, the imports and building the trainer took longer than the training limit.
  assert.ok(firstStepAtMs - started.atMs > 4000, `first step ${firstStepAtMs - started.atMs} ms after start: not slower than trainingTimeout here`);
  assert.deepEqual(of("hang"), [], "no hang before the first step");
  const hang = await waitFor("hang", () => of("hang")[0], 120_000);
  const log = fs.readFileSync(settings.layout.outputLog, "utf8");
  // 40 samples at batch size 2 (HF fetches the next batch before it counts a step): the last step
  // the trainer's bar shows is where it hangs.
  const shown = [...log.matchAll(/\| (\d+)\/1000 \[/g)].map((m) => Number(m[1]));
  assert.ok(shown.at(-1)! >= 15 && shown.at(-1)! <= 20, `last step shown ${shown.at(-1)}`);
  assert.equal(hang.phase, "training", hang.reasons.join("; "));
  assert.equal(hang.step, shown.at(-1));
  assert.equal(hang.limitMs, 4000);
  assert.equal(hang.kind, "sleeping", hang.reasons.join("; "));
  const progress = (hang.report as { progress: { source: string } }).progress;
  assert.ok(["log_step", "trainer_state"].includes(progress.source), progress.source);
  assert.equal(of("hang").length, 1);
  await waitFor("killed", () => of("kill")[0], 20_000);
  assert.equal(await alive(started.pid), false);
});
