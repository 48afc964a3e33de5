/**
 * The restart pre-flight on an HF job (hf layout, a copy of the tree recorded with the real HF
 * Trainer): arguments HF refuses at start (in the trainingConfig YAML/JSON the user points at) block
 * the restart, naming the file and the field, so that a restart into them does not burn the budget;
 * warnings do not block; the arguments saved in training_args.bin are validated when no trainingConfig
 * is set. Against a real supervisor and daemon process: blocked without a grant, started once fixed.
 */
import { after, afterEach, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { resolveSettings, type Settings } from "../agent/config/settings.js";
import { guardPreflight } from "../agent/watchdog/integrations.js";
import { runPreflight } from "../agent/watchdog/preflight.js";
import { Supervisor } from "../agent/watchdog/supervisor.js";
import type { WatchdogEvent } from "../agent/watchdog/events.js";
import { daemonCommand, ProcessJanitor, waitFor } from "./watchdog-helpers.js";

const REPO = path.resolve(import.meta.dirname, "..");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "ts-preflight-hf-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const janitor = new ProcessJanitor();
afterEach(() => janitor.cleanup());

let n = 0;
/** A copy of the recorded HF Trainer run (output/checkpoint-2, output/checkpoint-4). */
function hfCopy(): string {
  const base = path.join(root, `job-${++n}`);
  fs.cpSync(path.join(REPO, "test", "fixtures", "checkpoints", "hf-trainer"), base, { recursive: true });
  return base;
}

function settingsFor(base: string, trainingConfig?: string): Settings {
  return resolveSettings(
    {
      layout: "hf",
      paths: { modelDir: "output", outputLog: "logs/train.log" },
      ...(trainingConfig ? { trainingConfig } : {}),
      watchdog: {
        livenessPoll: "50ms",
        checkInterval: "200ms",
        trainingTimeout: "20s",
        backoffInitial: "100ms",
        minDiskFreeForRestart: 0,
        daemonCommand: daemonCommand({ stepMs: 50 }),
      },
    },
    { baseDir: base },
  );
}

const GOOD_YAML = "output_dir: output\nlearning_rate: 5.0e-5\nper_device_train_batch_size: 2\nsave_steps: 2\nmax_steps: 8\n";

test("pre-flight: an HF argument file TrainingArguments refuses blocks, naming the file, the field and the line", async () => {
  const base = hfCopy();
  const file = path.join(base, "train.yaml");
  fs.writeFileSync(file, GOOD_YAML + "fp16: true\nbf16: true\n");
  const r = await runPreflight(settingsFor(base, "train.yaml"), guardPreflight);
  assert.equal(r.ok, false);
  assert.equal(r.blockers.length, 1, r.blockers.join("\n"));
  assert.match(r.blockers[0]!, new RegExp(`^${file} is invalid: bf16: fp16 and bf16 are both true \\(line 7\\): TrainingArguments accepts at most one \\(HF would refuse it at start`));

  // A JSON file with a value of the wrong type.
  const json = path.join(base, "args.json");
  fs.writeFileSync(json, JSON.stringify({ output_dir: "output", per_device_train_batch_size: 0, save_steps: 2 }));
  const j = await runPreflight(settingsFor(base, "args.json"), guardPreflight);
  assert.equal(j.ok, false);
  assert.match(j.blockers[0]!, new RegExp(`^${json} is invalid: per_device_train_batch_size: must be a positive integer, got 0`));

  // A YAML file that does not parse: the file and the line.
  fs.writeFileSync(file, "output_dir: output\nlearning_rate: [5.0e-5\n");
  const y = await runPreflight(settingsFor(base, "train.yaml"), guardPreflight);
  assert.equal(y.ok, false);
  assert.match(y.blockers[0]!, new RegExp(`^${file} is invalid: ${file}.*line \\d`));

  // resume_from_checkpoint naming a folder that is not there: the Trainer fails at start.
  fs.writeFileSync(file, GOOD_YAML + "resume_from_checkpoint: output/checkpoint-9\n");
  const m = await runPreflight(settingsFor(base, "train.yaml"), guardPreflight);
  assert.equal(m.ok, false);
  assert.match(m.blockers[0]!, /resume_from_checkpoint: "output\/checkpoint-9" \(line 6\) is not a folder/);
});

test("pre-flight: warnings of the HF arguments do not block; training_args.bin is validated when no trainingConfig is set", async () => {
  const base = hfCopy();
  fs.writeFileSync(path.join(base, "train.yaml"), GOOD_YAML + "save_only_model: true\n");
  const w = await runPreflight(settingsFor(base, "train.yaml"), guardPreflight);
  assert.deepEqual(w.blockers, []);
  assert.ok(w.warnings.some((x) => x.includes("train.yaml: save_only_model: is true")), w.warnings.join("\n"));

  // No trainingConfig: the recorded run's own arguments (output/checkpoint-4/training_args.bin) pass.
  const plain = await runPreflight(settingsFor(base), guardPreflight);
  assert.deepEqual(plain.blockers, []);
  assert.equal(plain.ok, true);

  // A training_args.bin trainsafe cannot read does not block: the Trainer never reads it back on resume.
  fs.writeFileSync(path.join(base, "output", "checkpoint-4", "training_args.bin"), "not a torch.save archive");
  const unreadable = await runPreflight(settingsFor(base), guardPreflight);
  assert.deepEqual(unreadable.blockers, []);
  assert.ok(unreadable.warnings.some((x) => /checkpoint-4\/training_args\.bin: .*not a readable torch\.save archive/.test(x)), unreadable.warnings.join("\n"));
});

test("supervisor: a broken trainingConfig blocks the start without a grant; once fixed, the daemon starts once", async () => {
  const base = hfCopy();
  const file = path.join(base, "train.yaml");
  fs.writeFileSync(file, GOOD_YAML + "learning_rate: -1.0\n");
  const events: WatchdogEvent[] = [];
  const sup = janitor.stopAtEnd(new Supervisor({ settings: settingsFor(base, "train.yaml"), onEvent: (e) => void events.push(e), log: () => {} }));
  const of = <T extends WatchdogEvent["type"]>(type: T) => events.filter((e): e is Extract<WatchdogEvent, { type: T }> => e.type === type);
  await sup.start();
  const blocked = await waitFor("blocked", () => of("blocked")[0], 5000);
  assert.match(blocked.reasons[0]!, new RegExp(`^${file} is invalid: learning_rate: must be a number > 0, got -1 \\(line 6\\)`));
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(sup.state, "blocked");
  assert.equal(of("grant").length + of("restart").length, 0, "no grant spent, nothing started");
  assert.equal(of("blocked").length, 1, "re-checked quietly");

  fs.writeFileSync(file, GOOD_YAML);
  const started = await waitFor("start once fixed", () => of("restart")[0], 5000);
  janitor.track(started.pid);
  assert.equal(of("unblocked").length, 1);
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(of("restart").length, 1);
});
