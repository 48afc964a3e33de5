import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { exampleConfig, writeTrainingDir } from "./helpers/checkpoints.js";

const REPO = path.resolve(import.meta.dirname, "..");
const BIN = path.join(REPO, "bin", "trainsafe.js");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-guard-cli-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function trainsafe(...args: string[]) {
  const env = { ...process.env };
  delete env.TRAINSAFE_CONFIG;
  delete env.TRAINSAFE_BASE_DIR;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: "utf8", env, timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A private copy of the example BASE_DIR, so commands that write cannot touch the repository. */
function exampleCopy(name: string): string {
  const dest = path.join(root, name);
  fs.cpSync(path.join(REPO, "examples", "training"), dest, { recursive: true });
  return dest;
}

test("resume verify --json on the example: exit 1, resume from checkpoint-1000, checkpoint-1500 incomplete", () => {
  const base = exampleCopy("ex-resume");
  const r = trainsafe("resume", "verify", "--base-dir", base, "--json");
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.ok, false);
  assert.equal(out.kind, "full");
  assert.equal(out.resume_from, "checkpoint-1000");
  assert.equal(out.newest_incomplete, "checkpoint-1500");
  assert.equal(out.would_start_from_scratch, false);
  assert.equal(typeof out.steps_lost, "number");
  assert.deepEqual(
    out.checkpoints.map((c: { name: string; step: number; complete: boolean }) => [c.name, c.step, c.complete]),
    [["checkpoint-1500", 1500, false], ["checkpoint-1000", 1000, true], ["checkpoint-500", 500, true]],
  );
  assert.ok(out.checkpoints[0].problems.some((p: string) => p.startsWith("checkpoint-1500/model.safetensors: truncated")));

  const human = trainsafe("resume", "verify", "--base-dir", base);
  assert.equal(human.code, 1);
  assert.match(human.stdout, /resume from: checkpoint-1000 \(step 1000\)/);
  assert.match(human.stdout, /checkpoint-1500 +1500 +INCOMPLETE/);
  assert.match(human.stdout, /SUGGEST move it aside: mv current_model\/checkpoint-1500/);
});

test("resume verify: a healthy directory exits 0", () => {
  const base = path.join(root, "healthy");
  writeTrainingDir(base, { checkpoints: [{ step: 500 }], status: { current_step: 520 } });
  const r = trainsafe("resume", "verify", "-b", base, "--json");
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(JSON.parse(r.stdout).steps_lost, 20);
});

test("config validate on the example: valid, lock consistent, nothing written", () => {
  const base = exampleCopy("ex-config");
  const lockBefore = fs.readFileSync(path.join(base, ".config_lock.json"), "utf8");
  const r = trainsafe("config", "validate", "--base-dir", base, "--json");
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out).slice(0, 5), ["ok", "file", "errors", "warnings", "fixes"]);
  assert.equal(out.ok, true);
  assert.deepEqual(out.errors, []);
  assert.deepEqual(out.warnings, [], "the example config matches its lock");
  assert.deepEqual(out.fixes, []);
  assert.equal(fs.readFileSync(path.join(base, ".config_lock.json"), "utf8"), lockBefore);
});

test("config validate: missing and binary config.json exit 1 with a message naming the file, no stack", () => {
  const base = path.join(root, "broken");
  writeTrainingDir(base, { config: null });
  // Nothing of the seed layout here: layout auto takes it for a plain HF job, and says so.
  const hf = trainsafe("config", "validate", "-b", base);
  assert.equal(hf.code, 0, hf.stdout + hf.stderr);
  assert.match(hf.stdout, /^config: hf layout: layout auto: none of the seed layout's files \(config\.json, core\/, queue\/, inbox\/\) here, so a plain HF job; .*nothing to validate/m);
  // core/ makes it the seed layout, whose config.json is required.
  fs.mkdirSync(path.join(base, "core"));
  const missing = trainsafe("config", "validate", "-b", base);
  assert.equal(missing.code, 1);
  assert.ok(missing.stdout.includes(path.join(base, "config.json")), missing.stdout);
  assert.match(missing.stdout, /ERROR +\(file\): .*config\.json: does not exist/);
  assert.doesNotMatch(missing.stdout + missing.stderr, /\n\s+at /);

  fs.writeFileSync(path.join(base, "config.json"), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1]));
  const binary = trainsafe("config", "validate", "-b", base, "--json");
  assert.equal(binary.code, 1);
  const out = JSON.parse(binary.stdout);
  assert.equal(out.errors[0].field, "(file)");
  assert.match(out.errors[0].message, /config\.json: is binary/);
});

test("config validate creates a missing lock without checkpoints, but not with --validate-only; lock refuses then --force", () => {
  const base = path.join(root, "locking");
  writeTrainingDir(base, { config: exampleConfig({ learnig_rate: 0.1 }) });
  const lockFile = path.join(base, ".config_lock.json");
  const only = trainsafe("config", "validate", "-b", base, "--validate-only");
  assert.equal(only.code, 0, only.stdout + only.stderr);
  assert.match(only.stdout, /WARNING learnig_rate: unknown key; did you mean "learning_rate"\?/);
  assert.equal(fs.existsSync(lockFile), false);

  const fix = trainsafe("config", "validate", "-b", base, "--json");
  assert.equal(fix.code, 0);
  assert.equal(JSON.parse(fix.stdout).fixes.length, 1);
  assert.ok(fs.existsSync(lockFile));

  const refused = trainsafe("config", "lock", "-b", base);
  assert.equal(refused.code, 1);
  assert.match(refused.stdout, /already exists .*--force/);
  const forced = trainsafe("config", "lock", "-b", base, "--force", "--json");
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(JSON.parse(forced.stdout).created, true);
});

test("files without read permission are findings naming the file (run as an unprivileged user, since root reads anything)", (t) => {
  const base = path.join(root, "perm");
  writeTrainingDir(base, { checkpoints: [{ step: 500 }], status: { current_step: 510 } });
  const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  if ("uid" in asUser) {
    fs.chmodSync(root, 0o755);
    const probe = spawnSync(process.execPath, ["-e", `require("fs").readFileSync(${JSON.stringify(BIN)})`], asUser);
    if (probe.status !== 0) return t.skip("the repository is not readable by an unprivileged user here");
  }
  fs.chmodSync(path.join(base, "config.json"), 0o000);
  fs.chmodSync(path.join(base, "current_model", "checkpoint-500", "optimizer.pt"), 0o000);
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args, "-b", base, "--json"], { encoding: "utf8", timeout: 20_000, ...asUser });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const cfg = run("config", "validate", "--validate-only");
  assert.equal(cfg.code, 1, cfg.err);
  assert.match(JSON.parse(cfg.out).errors[0].message, /config\.json: no permission to read/);
  const resume = run("resume", "verify");
  assert.equal(resume.code, 1, resume.err);
  const out = JSON.parse(resume.out);
  assert.ok(out.checkpoints[0].problems.includes("checkpoint-500/optimizer.pt: no permission to read"), JSON.stringify(out.checkpoints[0]));
  assert.match(out.problems[0], /config\.json: no permission to read/);
});
