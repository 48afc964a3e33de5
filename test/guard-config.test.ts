import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { resolveLayout } from "../agent/config/layout.js";
import {
  checkConfigObject,
  closestKey,
  configHash,
  KNOWN_KEYS,
  lockConfig,
  lockStatus,
  validateConfig,
  type ConfigReport,
} from "../agent/guard/config.js";
import { exampleConfig, writeTrainingDir, type TrainingDirSpec } from "./helpers/checkpoints.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-config-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A fresh training directory with the given contents. */
function dir(spec: TrainingDirSpec = {}) {
  const base = path.join(root, `t${n++}`);
  fs.mkdirSync(base);
  writeTrainingDir(base, spec);
  return resolveLayout(base);
}

const fields = (ps: { field: string }[]) => ps.map((p) => p.field);
const find = (ps: { field: string; message: string }[], field: string) => ps.find((p) => p.field === field);

test("the realistic example config is valid and has no warnings", async () => {
  const layout = dir();
  const r = await validateConfig(layout);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, []);
  assert.equal(r.ok, true);
  assert.equal(r.file, layout.configFile);
  assert.equal(r.lockPresent, false);
  assert.ok(r.suggestions.some((s) => s.includes("trainsafe config lock")));
  assert.equal(fs.existsSync(layout.lockFile), false, "validate-only must not create the lock");
});

test("out-of-range and mistyped values are errors naming the field and the value", async () => {
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ learning_rate: 0 }, "learning_rate", /in \(0, 1\], got 0/],
    [{ learning_rate: 1.5 }, "learning_rate", /got 1\.5/],
    [{ learning_rate: "2e-5" }, "learning_rate", /got "2e-5"/],
    [{ per_device_train_batch_size: 0 }, "per_device_train_batch_size", /positive integer/],
    [{ batch_size: 2.5 }, "batch_size", /positive integer, got 2\.5/],
    [{ gradient_accumulation_steps: -1 }, "gradient_accumulation_steps", /positive integer/],
    [{ num_train_epochs: 0 }, "num_train_epochs", /> 0/],
    [{ num_epochs: -1 }, "num_epochs", /> 0/],
    [{ max_steps: 0 }, "max_steps", /-1 \(no limit\) or a positive integer/],
    [{ max_steps: -2 }, "max_steps", /got -2/],
    [{ warmup_ratio: 1.5 }, "warmup_ratio", /\[0, 1\]/],
    [{ warmup_steps: -1 }, "warmup_steps", /got -1/],
    [{ warmup_steps: 1.5 }, "warmup_steps", /got 1\.5/],
    [{ weight_decay: -0.1 }, "weight_decay", />= 0/],
    [{ max_grad_norm: -1 }, "max_grad_norm", />= 0/],
    [{ save_steps: 0 }, "save_steps", /positive integer/],
    [{ eval_steps: -5 }, "eval_steps", /got -5/],
    [{ logging_steps: "10" }, "logging_steps", /got "10"/],
    [{ max_seq_length: 0 }, "max_seq_length", /positive integer/],
    [{ seed: -1 }, "seed", />= 0/],
    [{ lora_r: 0, training_type: "lora" }, "lora_r", /positive integer/],
    [{ lora_alpha: 0, training_type: "lora" }, "lora_alpha", /> 0/],
    [{ lora_dropout: 1, training_type: "lora" }, "lora_dropout", /\[0, 1\)/],
    [{ training_type: "lora", lora: { r: 0 } }, "lora.r", /positive integer/],
    [{ training_type: "partial" }, "training_type", /"full", "lora", "qlora"/],
    [{ bf16: "yes" }, "bf16", /true or false/],
    [{ fp16: true, bf16: true }, "bf16", /both true/],
    [{ resume_from_checkpoint: 5 }, "resume_from_checkpoint", /true, false, "latest" or a checkpoint path/],
    [{ base_model: "" }, "base_model", /must not be empty/],
    [{ base_model: 42 }, "base_model", /must be a string/],
    [{ training_type: "full", use_lora: true }, "training_type", /LoRA is enabled/],
    [{ load_best_model_at_end: true, save_steps: 500, eval_steps: 300 }, "save_steps", /multiple of eval_steps/],
  ];
  for (const [overrides, field, message] of cases) {
    const r = await validateConfig(dir({ config: exampleConfig(overrides) }));
    assert.equal(r.ok, false, `${JSON.stringify(overrides)} passed`);
    const e = find(r.errors, field);
    assert.ok(e, `${JSON.stringify(overrides)}: no error on ${field}: ${JSON.stringify(r.errors)}`);
    assert.match(e.message, message);
  }
  const { base_model: _, ...noBase } = exampleConfig();
  const r = await validateConfig(dir({ config: noBase }));
  assert.match(find(r.errors, "base_model")!.message, /is required/);
});

test("boundary values that Transformers accepts are not errors", async () => {
  const ok = [
    { learning_rate: 1 },
    { warmup_ratio: 0 },
    { warmup_ratio: 1 },
    { warmup_steps: 0.1 },
    { warmup_steps: 100 },
    { save_steps: 0.25 },
    { max_steps: -1 },
    { seed: 0 },
    { training_type: "lora", lora_dropout: 0, lora_r: 16, lora_alpha: 32 },
    { training_type: "qlora", lora: { r: 8, lora_alpha: 16, target_modules: ["q_proj"] } },
    { resume_from_checkpoint: "latest" },
    { resume_from_checkpoint: false },
    { eval_file: null, max_seq_length: null },
  ];
  for (const overrides of ok) {
    const r = await validateConfig(dir({ config: exampleConfig(overrides) }));
    assert.deepEqual(r.errors, [], JSON.stringify(overrides));
  }
  const zeroClip = await validateConfig(dir({ config: exampleConfig({ max_grad_norm: 0 }) }));
  assert.equal(zeroClip.ok, true);
  assert.match(find(zeroClip.warnings, "max_grad_norm")!.message, /turns gradient clipping off/);
});

test("unknown keys are warnings, with did-you-mean for typos", async () => {
  const { learning_rate: _, ...cfg } = exampleConfig({ learnig_rate: 1e-4, NumTrainEpochs: 2, my_custom_flag: true, _comment: "ignored" });
  const r = await validateConfig(dir({ config: cfg }));
  assert.equal(r.ok, true);
  assert.match(find(r.warnings, "learnig_rate")!.message, /did you mean "learning_rate"\?/);
  assert.match(find(r.warnings, "NumTrainEpochs")!.message, /did you mean "num_train_epochs"\?/);
  assert.doesNotMatch(find(r.warnings, "my_custom_flag")!.message, /did you mean/);
  assert.equal(find(r.warnings, "_comment"), undefined);
  assert.ok(r.suggestions.includes('rename "learnig_rate" to "learning_rate" in config.json'));
  // The real key is set too: the misspelt one is a leftover that the trainer ignores.
  assert.match(find(r.warnings, "NumTrainEpochs")!.message, /num_train_epochs is also set/);
  assert.ok(r.suggestions.includes('remove "NumTrainEpochs" from config.json (duplicate of "num_train_epochs")'));
  assert.equal(closestKey("lerning_rate", KNOWN_KEYS), "learning_rate");
  assert.equal(closestKey("batchsize", KNOWN_KEYS), "batch_size");
  assert.equal(closestKey("totally_unrelated", KNOWN_KEYS), null);
});

test("path fields must exist relative to BASE_DIR, with the right type", async () => {
  const missing = await validateConfig(dir({ config: exampleConfig({ train_file: "data/missing.jsonl" }) }));
  assert.match(find(missing.errors, "train_file")!.message, /data\/missing\.jsonl does not exist \(looked for \/.*data\/missing\.jsonl\)/);
  const notDir = await validateConfig(dir({ config: exampleConfig({ data_dir: "data/train.jsonl" }) }));
  assert.match(find(notDir.errors, "data_dir")!.message, /is not a folder/);
  const notFile = await validateConfig(dir({ config: exampleConfig({ eval_file: "data" }) }));
  assert.match(find(notFile.errors, "eval_file")!.message, /is not a file/);
  const localModel = await validateConfig(dir({ config: exampleConfig({ base_model: "./models/llama" }) }));
  assert.match(find(localModel.errors, "base_model")!.message, /does not exist/);
  const resumePath = await validateConfig(dir({ config: exampleConfig({ resume_from_checkpoint: "current_model/checkpoint-9" }) }));
  assert.match(find(resumePath.errors, "resume_from_checkpoint")!.message, /does not exist/);
  const abs = dir();
  const absolute = await validateConfig(dir({ config: exampleConfig({ dataset_path: path.join(abs.baseDir, "data") }) }));
  assert.deepEqual(absolute.errors, []);
});

test("config.json that is missing, empty, half-written, binary, huge, a folder or not an object: one error naming the file", async () => {
  const check = async (layoutFn: () => ReturnType<typeof dir>, pattern: RegExp) => {
    const layout = layoutFn();
    const r = await validateConfig(layout);
    assert.equal(r.ok, false);
    assert.equal(r.errors[0]!.field, "(file)");
    assert.ok(r.errors[0]!.message.includes(layout.configFile), r.errors[0]!.message);
    assert.match(r.errors[0]!.message, pattern);
    return r;
  };
  await check(() => dir({ config: null }), /does not exist/);
  await check(() => dir({ config: "" }), /is empty/);
  await check(() => dir({ config: '{"base_model": "meta-llama/Llama-3.1-8B", "learn' }), /invalid JSON .*half-written/);
  await check(() => dir({ config: Buffer.from([0x7b, 0x00, 0x01, 0xff, 0x22]) }), /binary/);
  await check(() => dir({ config: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]) }), /not UTF-8/);
  await check(() => dir({ config: "[1, 2]" }), /must be a JSON object, got an array/);
  await check(() => dir({ config: "null" }), /must be a JSON object, got null/);
  const deep = "[".repeat(100_000) + "]".repeat(100_000);
  const r = await check(() => dir({ config: `{"base_model": "x", "a": ${deep}}` }), /nested more than 64 levels deep/);
  assert.equal(r.config, null);
  await check(() => {
    const l = dir({ config: null });
    fs.writeFileSync(l.configFile, "{}");
    fs.truncateSync(l.configFile, 64 * 1024 * 1024);
    return l;
  }, /too large/);
  await check(() => {
    const l = dir({ config: null });
    fs.mkdirSync(l.configFile);
    return l;
  }, /is a directory/);
});

test("lock: records config and hash, refuses to overwrite without force", async () => {
  const layout = dir();
  const first = await lockConfig(layout);
  assert.equal(first.created, true);
  assert.equal(first.file, layout.lockFile);
  const lock = JSON.parse(fs.readFileSync(layout.lockFile, "utf8"));
  assert.deepEqual(lock.config, exampleConfig());
  assert.equal(lock.configHash, configHash(exampleConfig()));
  assert.ok(!Number.isNaN(Date.parse(lock.lockedAt)));

  const before = fs.readFileSync(layout.lockFile, "utf8");
  const again = await lockConfig(layout);
  assert.equal(again.created, false);
  assert.match(again.message, /already exists .*--force/);
  assert.equal(fs.readFileSync(layout.lockFile, "utf8"), before);

  fs.writeFileSync(layout.configFile, JSON.stringify(exampleConfig({ learning_rate: 1e-4 })));
  const forced = await lockConfig(layout, { force: true });
  assert.equal(forced.created, true);
  assert.equal(JSON.parse(fs.readFileSync(layout.lockFile, "utf8")).config.learning_rate, 1e-4);
  assert.equal(configHash({ a: 1, b: [1, { c: 2, d: 3 }] }), configHash({ b: [1, { d: 3, c: 2 }], a: 1 }));
});

test("lock: a broken config.json cannot be locked (input error naming the file)", async () => {
  const layout = dir({ config: "{oops" });
  await assert.rejects(lockConfig(layout), (err: Error) => err.message.includes(layout.configFile) && /invalid JSON/.test(err.message));
});

test("changes since the lock are warnings (field: old -> new); lockStatus lists them", async () => {
  const layout = dir({ checkpoints: [{ step: 500 }] });
  await lockConfig(layout);
  const same = await lockStatus(layout);
  assert.equal(same.present, true);
  assert.equal(same.consistent, true);
  assert.deepEqual(same.changes, []);
  assert.match(same.message, /config\.json matches the lock of /);
  fs.writeFileSync(layout.configFile, JSON.stringify(exampleConfig({ learning_rate: 1e-4, save_steps: undefined, seed: 7 })));
  const r = await validateConfig(layout);
  assert.equal(r.ok, true);
  assert.equal(find(r.warnings, "learning_rate")!.message, "changed since the lock: 0.00002 -> 0.0001");
  assert.equal(find(r.warnings, "save_steps")!.message, "changed since the lock: 500 -> (absent)");
  assert.equal(find(r.warnings, "seed")!.message, "changed since the lock: 42 -> 7");
  const st = await lockStatus(layout);
  assert.equal(st.consistent, false);
  assert.deepEqual(fields(st.changes), ["learning_rate", "save_steps", "seed"]);
  assert.equal(st.blocking, false);
  assert.match(st.message, /3 change\(s\) since the lock/);
});

test("base_model changed while checkpoints exist is an error; without checkpoints a warning", async () => {
  const withCkpt = dir({ checkpoints: [{ step: 500 }, { step: 1000 }] });
  await lockConfig(withCkpt);
  fs.writeFileSync(withCkpt.configFile, JSON.stringify(exampleConfig({ base_model: "mistralai/Mistral-7B-v0.3" })));
  const r = await validateConfig(withCkpt);
  assert.equal(r.ok, false);
  assert.equal(r.baseModelChanged, true);
  const e = find(r.errors, "base_model")!;
  assert.match(e.message, /"meta-llama\/Llama-3.1-8B" -> "mistralai\/Mistral-7B-v0.3"/);
  assert.match(e.message, /checkpoint-1000/);
  assert.ok(r.suggestions.some((s) => s.includes('set "base_model" back to "meta-llama/Llama-3.1-8B"')));
  const st = await lockStatus(withCkpt);
  assert.equal(st.blocking, true);
  assert.equal(st.baseModelChanged, true);

  const fresh = dir();
  await lockConfig(fresh);
  fs.writeFileSync(fresh.configFile, JSON.stringify(exampleConfig({ base_model: "mistralai/Mistral-7B-v0.3" })));
  const r2 = await validateConfig(fresh);
  assert.equal(r2.ok, true);
  assert.equal(r2.baseModelChanged, true);
  assert.ok(find(r2.warnings, "base_model"));
  assert.equal((await lockStatus(fresh)).blocking, false);
});

test("fixes: a missing lock is created only without checkpoints and only when asked; config.json is never written", async () => {
  const fresh = dir({ config: exampleConfig({ learnig_rate: 3 }) });
  const before = fs.readFileSync(fresh.configFile);
  const mtimeBefore = fs.statSync(fresh.configFile).mtimeMs;
  const r = await validateConfig(fresh, { applyFixes: true });
  assert.equal(r.fixes.length, 1);
  assert.match(r.fixes[0]!, /created .*\.config_lock\.json/);
  assert.equal(r.lockPresent, true);
  assert.ok(fs.existsSync(fresh.lockFile));
  assert.deepEqual(fs.readFileSync(fresh.configFile), before);
  assert.equal(fs.statSync(fresh.configFile).mtimeMs, mtimeBefore);

  const trained = dir({ checkpoints: [{ step: 500 }] });
  const r2 = await validateConfig(trained, { applyFixes: true });
  assert.deepEqual(r2.fixes, []);
  assert.equal(fs.existsSync(trained.lockFile), false);
  assert.match(find(r2.warnings, "(lock)")!.message, /missing while current_model has checkpoints/);

  const invalid = dir({ config: exampleConfig({ learning_rate: 5 }) });
  const r3 = await validateConfig(invalid, { applyFixes: true });
  assert.deepEqual(r3.fixes, [], "an invalid config must not be locked");
  assert.equal(fs.existsSync(invalid.lockFile), false);
});

test("a corrupt lock is a warning naming the lock file; lockStatus is not consistent", async () => {
  const layout = dir();
  fs.writeFileSync(layout.lockFile, '{"lockedAt": "2026-');
  const r = await validateConfig(layout, { applyFixes: true });
  assert.equal(r.ok, true);
  assert.ok(find(r.warnings, "(lock)")!.message.includes(layout.lockFile));
  assert.deepEqual(r.fixes, [], "a corrupt lock is not silently replaced");
  const st = await lockStatus(layout);
  assert.equal(st.present, true);
  assert.equal(st.consistent, false);
  assert.ok(st.message.includes(layout.lockFile));
  const deep = "[".repeat(100_000) + "]".repeat(100_000);
  fs.writeFileSync(layout.lockFile, `{"lockedAt": "x", "config": {"a": ${deep}}}`);
  assert.match((await lockStatus(layout)).message, /nested more than 64 levels deep/);
  assert.equal((await lockConfig(layout)).created, false);
  const none = await lockStatus(dir());
  assert.equal(none.present, false);
});

test("resume turned off or output_dir elsewhere while checkpoints exist is called out", async () => {
  const off = await validateConfig(dir({ config: exampleConfig({ resume_from_checkpoint: false }), checkpoints: [{ step: 500 }] }));
  assert.match(find(off.warnings, "resume_from_checkpoint")!.message, /would start from scratch/);
  const elsewhere = await validateConfig(dir({ config: exampleConfig({ output_dir: "runs/out" }), checkpoints: [{ step: 500 }] }));
  assert.match(find(elsewhere.warnings, "output_dir")!.message, /not the guarded checkpoint folder/);
  assert.ok(elsewhere.suggestions.some((s) => s.includes('"output_dir" to "current_model"')));
});

// ---------- properties ----------

function wellFormed(r: { errors: unknown[]; warnings: unknown[] }): void {
  for (const p of [...r.errors, ...r.warnings] as Array<{ field: unknown; message: unknown }>) {
    assert.equal(typeof p.field, "string");
    assert.equal(typeof p.message, "string");
    assert.ok((p.message as string).length > 0);
  }
}

test("property: random JSON never throws and always gives field-named problems", () => {
  const ctx = { baseDir: "/base", modelDir: "/base/current_model" };
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const r = checkConfigObject(v, ctx);
      wellFormed(r);
      if (!v || typeof v !== "object" || Array.isArray(v)) assert.equal(r.errors[0]!.field, "(file)");
    }),
    { numRuns: 300 },
  );
  // Known keys with random values: every error names a key that is in the object (or a cross-field rule).
  const knownRecord = fc.dictionary(fc.constantFrom(...KNOWN_KEYS), fc.jsonValue({ maxDepth: 2 }));
  fc.assert(
    fc.property(knownRecord, (obj) => {
      const r = checkConfigObject(obj, ctx);
      wellFormed(r);
      for (const e of r.errors) assert.ok(KNOWN_KEYS.includes(e.field.split(/[.[]/)[0]!), e.field);
      if (!("base_model" in obj)) assert.ok(r.errors.some((e) => e.field === "base_model"));
    }),
    { numRuns: 300 },
  );
});

test("property: random bytes as config.json never throw", async () => {
  const layout = dir();
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.json().map((s) => Buffer.from(s))), async (bytes) => {
      fs.writeFileSync(layout.configFile, bytes);
      const r: ConfigReport = await validateConfig(layout);
      wellFormed(r);
      assert.equal(r.ok, r.errors.length === 0);
    }),
    { numRuns: 60 },
  );
});
