/**
 * `trainsafe config validate` in the hf layout, as a process, on copies of the checkpoint trees
 * recorded with the real HF Trainer (test/fixtures/checkpoints/): TrainingArguments are read from
 * training_args.bin without running the pickle; a trainingConfig JSON or YAML the user points at is
 * validated instead, with errors naming the file, field and line; DeepSpeed and accelerate configs
 * given by mistake are named; `config lock` says why it does not apply. And the YAML reader itself:
 * whole documents, typed as PyYAML (which the Python tools read them with) types them.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { parseTrainingYaml, pyyamlScalar } from "../agent/guard/training-config.js";

const REPO = path.resolve(import.meta.dirname, "..");
const BIN = path.join(REPO, "bin", "trainsafe.js");
const FIXTURES = path.join(REPO, "test", "fixtures", "checkpoints");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-config-hf-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

let n = 0;
function copy(tree: string): string {
  const base = path.join(root, `${tree}-${n++}`);
  fs.cpSync(path.join(FIXTURES, tree), base, { recursive: true });
  return base;
}

interface Report {
  ok: boolean;
  layout: string;
  source?: string;
  kind?: string | null;
  note?: string | null;
  file: string;
  errors: Array<{ field: string; message: string }>;
  warnings: Array<{ field: string; message: string }>;
}

function trainsafe(...args: string[]) {
  const env = { ...process.env };
  delete env.TRAINSAFE_CONFIG;
  delete env.TRAINSAFE_BASE_DIR;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: "utf8", env, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function validate(base: string, ...extra: string[]): { code: number | null; report: Report; stderr: string } {
  const r = trainsafe("config", "validate", "--base-dir", base, "--json", ...extra);
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}${r.stderr}`);
  }
  return { code: r.code, report, stderr: r.stderr };
}

function withTrainingConfig(base: string, name: string, text: string): string {
  fs.writeFileSync(path.join(base, name), text);
  const settings = path.join(base, "trainsafe.json");
  fs.writeFileSync(settings, JSON.stringify({ layout: "hf", trainingConfig: name }));
  return settings;
}

const byField = (list: Report["errors"], field: string) => list.find((p) => p.field === field)?.message ?? "";

test("recorded HF trees (auto layout): TrainingArguments of the resume checkpoint are read from training_args.bin and valid", () => {
  const resumes: Record<string, string> = {
    "hf-trainer": "checkpoint-4",
    "hf-lora": "checkpoint-4",
    "hf-ddp": "checkpoint-2",
    "hf-sharded": "checkpoint-2",
    "hf-optimizer-bin": "checkpoint-2",
    "hf-save-only-model": "checkpoint-4",
  };
  for (const [tree, ckpt] of Object.entries(resumes)) {
    const base = copy(tree);
    const { code, report } = validate(base);
    assert.equal(code, 0, `${tree}: ${JSON.stringify(report)}`);
    assert.equal(report.layout, "hf", tree);
    assert.equal(report.source, "training_args.bin", tree);
    assert.equal(report.file, path.join(base, "output", ckpt, "training_args.bin"), tree);
    assert.deepEqual(report.errors, [], tree);
    // The recording wrote to test/fixtures/...; this copy is elsewhere, and the report says so.
    assert.match(byField(report.warnings, "output_dir"), /saved to .*test\/fixtures\/checkpoints\/.*\/output, but its checkpoints are in .*\(moved or copied\?\)/, tree);
    const saveOnly = byField(report.warnings, "save_only_model");
    if (tree === "hf-save-only-model") assert.match(saveOnly, /fresh optimizer and a learning-rate schedule that starts over/);
    else assert.equal(saveOnly, "", tree);
  }
  const human = trainsafe("config", "validate", "--base-dir", copy("hf-trainer"));
  assert.equal(human.code, 0);
  assert.match(human.stdout, /^config \(hf layout, the Trainer's saved arguments\): .*checkpoint-4\/training_args\.bin$/m);
  assert.match(human.stdout, /OK: TrainingArguments in training_args\.bin is valid \(1 warning\)/);
});

test("checkpoints of other frameworks and no trainingConfig: nothing to validate, said so (exit 0)", () => {
  for (const [tree, framework] of [["accelerate", "accelerate"], ["lightning", "lightning"], ["torch-files", "torch"], ["deepspeed", "deepspeed"]] as const) {
    const { code, report } = validate(copy(tree));
    assert.equal(code, 0, tree);
    assert.equal(report.source, "none", tree);
    assert.match(report.note ?? "", new RegExp(`are ${framework}'s, which record no TrainingArguments: nothing to validate`), tree);
  }
});

test("a torn training_args.bin fails naming the file; `config lock` on an hf job is a usage error saying why", () => {
  const base = copy("hf-trainer");
  const f = path.join(base, "output", "checkpoint-4", "training_args.bin");
  fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2));
  const { code, report } = validate(base);
  assert.equal(code, 1);
  assert.equal(report.errors[0]!.field, "(file)");
  assert.match(report.errors[0]!.message, new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: not a readable torch\\.save archive`));

  const lock = trainsafe("config", "lock", "--base-dir", base);
  assert.equal(lock.code, 2);
  assert.match(lock.stderr, /has the hf layout \(no trainsafe config\.json to lock\); the Trainer records the run's arguments in each checkpoint's training_args\.bin/);
  assert.equal(fs.existsSync(path.join(base, ".config_lock.json")), false);
});

test("a trainingConfig YAML: what TrainingArguments refuses is an error naming file, field and line; PyYAML's 1e-4 is a warning", () => {
  const base = copy("hf-trainer");
  const settings = withTrainingConfig(
    base,
    "sft.yaml",
    [
      "# run arguments, read by HfArgumentParser.parse_yaml_file",
      "output_dir: output",
      "learning_rate: 1e-4",
      "per_device_train_batch_size: 0",
      "fp16: true",
      "bf16: yes",
      "save_strategy: sometimes",
      "resume_from_checkpoint: output/checkpoint-9",
      "",
    ].join("\n"),
  );
  const { code, report } = validate(base, "--config", settings);
  assert.equal(code, 1, JSON.stringify(report));
  assert.equal(report.source, "trainingConfig");
  assert.equal(report.file, path.join(base, "sft.yaml"));
  assert.equal(byField(report.errors, "per_device_train_batch_size"), "must be a positive integer, got 0 (line 4)");
  assert.match(byField(report.errors, "bf16"), /fp16 and bf16 are both true \(line 6\): TrainingArguments accepts at most one/);
  assert.match(byField(report.errors, "save_strategy"), /must be one of "no", "steps", "epoch", "best", got "sometimes" \(line 7\)/);
  assert.match(byField(report.errors, "resume_from_checkpoint"), /"output\/checkpoint-9" \(line 8\) is not a folder .*: the Trainer would fail to start/);
  assert.match(byField(report.warnings, "learning_rate"), /"1e-4" \(line 3\) is text, not a number, to PyYAML \(.*1\.0e-4\)/);
  assert.equal(report.errors.length, 4, JSON.stringify(report.errors));

  const human = trainsafe("config", "validate", "--base-dir", base, "--config", settings);
  assert.equal(human.code, 1);
  assert.match(human.stdout, /^config \(hf layout, trainingConfig\): .*sft\.yaml$/m);
  assert.match(human.stdout, /^ERROR   per_device_train_batch_size: must be a positive integer, got 0 \(line 4\)$/m);
  assert.match(human.stdout, /^INVALID: 4 errors, 1 warning$/m);

  // The same check in `trainsafe check` fails naming the file.
  const check = trainsafe("check", "--base-dir", base, "--config", settings, "--only", "config", "--json");
  assert.equal(check.code, 1);
  const c = JSON.parse(check.stdout).checks[0] as { status: string; message: string };
  assert.equal(c.status, "fail");
  assert.match(c.message, /sft\.yaml: per_device_train_batch_size: must be a positive integer/);
});

test("a valid trainingConfig YAML of the kind TRL and axolotl take (lists, nested blocks, anchors) passes; save settings that lose a restart warn", () => {
  const base = copy("hf-trainer");
  const yaml = [
    "base_model: NousResearch/Llama-2-7b-hf",
    "output_dir: output",
    "learning_rate: 2.0e-5",
    "save_steps: 2",
    "report_to: [wandb, tensorboard]",
    "datasets:",
    "  - path: mhenrichsen/alpaca_2k_test",
    "    type: alpaca",
    "defaults: &d",
    "  lora_r: 16",
    "peft:",
    "  <<: *d",
    "  lora_alpha: 32",
    "special_tokens: {pad_token: \"<|end|>\"}",
    "",
  ].join("\n");
  const settings = withTrainingConfig(base, "axolotl.yml", yaml);
  const ok = validate(base, "--config", settings);
  assert.equal(ok.code, 0, JSON.stringify(ok.report));
  assert.deepEqual(ok.report.errors, []);
  assert.deepEqual(ok.report.warnings, []);

  withTrainingConfig(base, "axolotl.yml", "output_dir: output\nsave_strategy: \"no\"\nmax_steps: 100\n");
  const none = validate(base, "--config", settings);
  assert.equal(none.code, 0);
  assert.match(byField(none.report.warnings, "save_strategy"), /is "no" \(line 2\): no checkpoint is ever saved, so every restart starts training from scratch/);
  withTrainingConfig(base, "axolotl.yml", "output_dir: output\nsave_steps: 500\nmax_steps: 100\n");
  assert.match(byField(validate(base, "--config", settings).report.warnings, "save_steps"), /500 is more than max_steps \(100\).*a restart starts from scratch/);
  withTrainingConfig(base, "axolotl.yml", "output_dir: output\nload_best_model_at_end: true\neval_strategy: \"no\"\n");
  const best = validate(base, "--config", settings);
  assert.equal(best.code, 1);
  assert.match(byField(best.report.errors, "load_best_model_at_end"), /needs save_strategy \("steps"\) and eval_strategy \("no"\) to match/);

  // YAML that does not parse names the line and column.
  withTrainingConfig(base, "axolotl.yml", "output_dir: output\nreport_to: [wandb\nsave_steps: 2\n");
  const broken = validate(base, "--config", settings);
  assert.equal(broken.code, 1);
  assert.match(byField(broken.report.errors, "(file)"), /axolotl\.yml: line \d+, column \d+: .*\(the trainingConfig setting\)/);
});

test("a DeepSpeed or accelerate config given as trainingConfig is named for what it is; its own values are checked", () => {
  const base = copy("hf-trainer");
  const ds = withTrainingConfig(base, "ds_config.json", JSON.stringify({ train_micro_batch_size_per_gpu: "auto", gradient_accumulation_steps: "auto", fp16: { enabled: "auto" }, zero_optimization: { stage: 5 } }));
  const r = validate(base, "--config", ds);
  assert.equal(r.code, 1);
  assert.equal(r.report.kind, "deepspeed");
  assert.match(byField(r.report.warnings, "(file)"), /ds_config\.json is a DeepSpeed config .*not the run's arguments/);
  assert.equal(byField(r.report.errors, "zero_optimization.stage"), "must be 0, 1, 2 or 3, got 5");
  assert.equal(r.report.errors.length, 1, "\"auto\" and fp16 as a block are DeepSpeed's own forms");

  const acc = withTrainingConfig(base, "accelerate.yaml", "compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_GPU\nnum_processes: 8\nmixed_precision: bf16\n");
  const a = validate(base, "--config", acc);
  assert.equal(a.code, 0);
  assert.equal(a.report.kind, "accelerate");
  assert.match(byField(a.report.warnings, "(file)"), /an `accelerate launch` config/);
});

test("YAML as PyYAML reads it: 1.1 booleans and numbers, merges, one document, a mapping; errors name the line", () => {
  assert.equal(pyyamlScalar("yes"), true);
  assert.equal(pyyamlScalar("Off"), false);
  assert.equal(pyyamlScalar("y"), "y", "PyYAML does not take y/n as booleans");
  assert.equal(pyyamlScalar("1e-4"), "1e-4", "PyYAML needs a dot and a signed exponent");
  assert.equal(pyyamlScalar("1.0e-4"), 1e-4);
  assert.equal(pyyamlScalar("0755"), 493);
  assert.equal(pyyamlScalar("0x1F"), 31);
  assert.equal(pyyamlScalar("1:30"), 90);
  assert.equal(pyyamlScalar("~"), null);
  assert.equal(pyyamlScalar("1_000"), 1000);

  const r = parseTrainingYaml("/x/a.yaml", "a: &a {b: 1}\nc:\n  <<: *a\n  d: 'yes'\ne: [1, two]\nf: |\n  text\ng: 1\ng: 2\n");
  assert.ok(r.ok);
  assert.deepEqual(r.value, { a: { b: 1 }, c: { b: 1, d: "yes" }, e: [1, "two"], f: "text\n", g: 2 });
  assert.deepEqual(r.lines, { a: 1, c: 2, e: 5, f: 6, g: 9 });

  const fail = (text: string) => {
    const x = parseTrainingYaml("/x/a.yaml", text);
    assert.equal(x.ok, false, text);
    return (x as { message: string }).message;
  };
  assert.match(fail("a: 1\n---\nb: 2\n"), /^\/x\/a\.yaml: line 2: a second YAML document/);
  assert.match(fail("- a\n- b\n"), /^\/x\/a\.yaml: line 1: must be a mapping of settings \(key: value\), not a list/);
  assert.match(fail("a:\n\t- b\n"), /^\/x\/a\.yaml: line 2, column 1: Tabs are not allowed as indentation/);
  assert.match(fail("a\0b: 1\n"), /is binary, not YAML/);
  // Aliases expanding without bound are refused, not expanded.
  const bomb = ["a: &a [x,x,x,x,x,x,x,x,x]", "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]", "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]", "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]", "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]", ""].join("\n");
  assert.match(fail(bomb), /^\/x\/a\.yaml: .*alias/i);
});

test("the YAML reader never throws on garbage: a value or an error naming the file", () => {
  const pieces = ["a:", " b", "\n", "  - ", "&x ", "*x", "<<: ", "[", "]", "{", "}", "'", '"', "#", "---\n", "|\n", "\t", ":", "1e-4", "yes", "~", "\u0000", "%YAML 1.1\n", "!!python/object:os.system", "? "];
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((xs) => xs.join(""))), (text) => {
      const r = parseTrainingYaml("/x/run.yaml", text);
      if (r.ok) assert.equal(typeof r.value, "object");
      else assert.ok(r.message.startsWith("/x/run.yaml: "), r.message);
    }),
    { numRuns: 1500 },
  );
});
