/**
 * docs/quickstart-hf.md, run as written: its settings block (parsed out of the doc) against a copy of
 * a checkpoint tree recorded with the real HF Trainer. `check` and `resume verify` (the CLI as a
 * process) pass, and the restart pre-flight does not block: an HF BASE_DIR needs no trainsafe
 * config.json, core/, queue/ or inbox/.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadSettings } from "../agent/config/settings.js";
import { guardPreflight } from "../agent/watchdog/integrations.js";
import { runPreflight } from "../agent/watchdog/preflight.js";

const REPO = path.resolve(import.meta.dirname, "..");
const BIN = path.join(REPO, "bin", "trainsafe.js");
const DOC = fs.readFileSync(path.join(REPO, "docs", "quickstart-hf.md"), "utf8");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-quickstart-hf-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** The settings of the doc's "The settings file" section: its one json code block. */
function documentedSettings(): Record<string, unknown> {
  const start = DOC.indexOf("## 2. The settings file");
  assert.ok(start >= 0, "the doc has its settings section");
  const m = /```json\n([\s\S]*?)\n```/.exec(DOC.slice(start));
  assert.ok(m, "the settings section has a json block");
  return JSON.parse(m[1]!) as Record<string, unknown>;
}

/** A BASE_DIR laid out as the doc's settings describe it, holding the recorded HF Trainer run. */
function jobDir(name: string, settings: Record<string, unknown>): { base: string; settingsFile: string } {
  const base = path.join(root, name);
  fs.cpSync(path.join(REPO, "test", "fixtures", "checkpoints", "hf-trainer"), base, { recursive: true });
  const paths = settings.paths as { modelDir: string; outputLog: string };
  assert.equal(paths.modelDir, "output", "the doc's modelDir is the recorded run's output_dir");
  fs.mkdirSync(path.dirname(path.join(base, paths.outputLog)), { recursive: true });
  fs.writeFileSync(path.join(base, paths.outputLog), " 50%|█████     | 2/4 [00:00<00:00,  5.69it/s]\n");
  fs.writeFileSync(path.join(base, "train.py"), "# the user's script, unchanged\n");
  const settingsFile = path.join(root, `${name}.json`);
  fs.writeFileSync(settingsFile, JSON.stringify({ ...settings, baseDir: base }, null, 2));
  return { base, settingsFile };
}

function trainsafe(...args: string[]) {
  const env = { ...process.env };
  delete env.TRAINSAFE_CONFIG;
  delete env.TRAINSAFE_BASE_DIR;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: "utf8", env, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// The folder and checkpoint checks; the daemon, progress and host checks need a running job and a GPU host.
const FOLDER_CHECKS = "dirs,files,config,config-lock,checkpoint";

test("the documented settings: check and resume verify pass on a recorded HF Trainer run", () => {
  const settings = documentedSettings();
  assert.equal(settings.layout, "hf");
  const { settingsFile } = jobDir("documented", settings);

  const check = trainsafe("check", "--config", settingsFile, "--only", FOLDER_CHECKS, "--json");
  assert.equal(check.code, 0, check.stdout + check.stderr);
  const byId = new Map((JSON.parse(check.stdout).checks as Array<{ id: string; status: string; message: string }>).map((c) => [c.id, c]));
  assert.equal(byId.get("checkpoint")?.status, "pass", byId.get("checkpoint")?.message);
  assert.match(byId.get("checkpoint")!.message, /^resumes from checkpoint-4/);
  for (const id of ["dirs", "files", "config-lock"]) assert.equal(byId.get(id)?.status, "skip", `${id}: ${byId.get(id)?.message}`);
  // No trainsafe config.json: the arguments the Trainer saved in checkpoint-4 are what is validated.
  assert.match(byId.get("config")!.message, /output\/checkpoint-4\/training_args\.bin \(TrainingArguments\)/);
  assert.notEqual(byId.get("config")?.status, "fail");

  const verify = trainsafe("resume", "verify", "--config", settingsFile, "--json");
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  const report = JSON.parse(verify.stdout);
  assert.equal(report.resume_from, "checkpoint-4");
  assert.equal(report.resume_step, 4);
  assert.equal(report.framework, "hf-trainer");

  const human = trainsafe("resume", "verify", "--config", settingsFile);
  assert.equal(human.code, 0);
  assert.match(human.stdout, /resume from: checkpoint-4 \(step 4\)/);
});

test("the restart pre-flight does not block an HF folder without config.json; forcing the seed layout does", async () => {
  const settings = documentedSettings();
  const { base, settingsFile } = jobDir("preflight", settings);
  // Free space is this machine's, not the subject here: a small floor keeps the test independent of the disk.
  const overrides = { watchdog: { minDiskFreeForRestart: "1MB" } };
  const hf = await loadSettings({ file: settingsFile, overrides });
  const r = await runPreflight(hf, guardPreflight);
  assert.deepEqual(r.blockers, []);
  assert.equal(r.ok, true);

  const seed = await loadSettings({ file: settingsFile, overrides: { ...overrides, layout: "seed" } });
  const blocked = await runPreflight(seed, guardPreflight);
  assert.equal(blocked.ok, false);
  assert.ok(blocked.blockers.some((b) => b.includes(path.join(base, "config.json"))), blocked.blockers.join("\n"));
  const files = trainsafe("check", "--config", settingsFile, "--only", "files", "--json");
  assert.equal(files.code, 0, "the documented hf layout needs no trainsafe files");
});

test("a torn newest checkpoint in the documented setup: resume verify and the checkpoint check fail", () => {
  const { base, settingsFile } = jobDir("torn", documentedSettings());
  const f = path.join(base, "output", "checkpoint-4", "model.safetensors");
  fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2));
  const verify = trainsafe("resume", "verify", "--config", settingsFile, "--json");
  assert.equal(verify.code, 1);
  const check = trainsafe("check", "--config", settingsFile, "--only", "checkpoint", "--json");
  assert.equal(check.code, 1);
  assert.match(JSON.parse(check.stdout).checks[0].message, /checkpoint-4 is incomplete/);
});
