/**
 * `trainsafe resume verify --json`, the real CLI as a process, on checkpoint trees recorded with the
 * real libraries (test/fixtures/checkpoints, see its README and record.py): each gives the step its
 * framework resumes from; a torn copy and a tree of no known layout exit 1.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeTrainingDir } from "./helpers/checkpoints.js";

const REPO = path.resolve(import.meta.dirname, "..");
const BIN = path.join(REPO, "bin", "trainsafe.js");
const FIXTURES = path.join(REPO, "test", "fixtures", "checkpoints");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-guard-layouts-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

interface Report {
  ok: boolean;
  layout: string;
  framework: string | null;
  checkpoint_dir: string | null;
  resume_from: string | null;
  resume_step: number | null;
  would_start_from_scratch: boolean;
  kind: string;
  problems: string[];
  warnings: string[];
  notes: string[];
  unknown_layouts: string[];
  saved_models: string[];
  training_args: { save_only_model: boolean | null } | null;
  checkpoints: Array<{ name: string; step: number | null; complete: boolean; problems: string[] }>;
}

function verify(base: string, ...extra: string[]): { code: number | null; report: Report; stderr: string } {
  const env = { ...process.env };
  delete env.TRAINSAFE_CONFIG;
  delete env.TRAINSAFE_BASE_DIR;
  const r = spawnSync(process.execPath, [BIN, "resume", "verify", "--base-dir", base, "--json", ...extra], { cwd: root, encoding: "utf8", env, timeout: 30_000 });
  assert.ok(r.stdout.trim().startsWith("{"), `no JSON report: ${r.stdout}${r.stderr}`);
  return { code: r.status, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

let copies = 0;
/** A private copy of a recorded tree, so damage never touches the fixtures. */
function copy(name: string): string {
  const dest = path.join(root, `${name}-${copies++}`);
  fs.cpSync(path.join(FIXTURES, name), dest, { recursive: true });
  return dest;
}

function truncate(file: string, keep = 0.5): void {
  fs.truncateSync(file, Math.floor(fs.statSync(file).size * keep));
}

const CASES: Array<{ name: string; framework: string; dir: string; from: string; step: number; torn: string }> = [
  { name: "hf-trainer", framework: "hf-trainer", dir: "output", from: "checkpoint-4", step: 4, torn: "output/checkpoint-4/model.safetensors" },
  { name: "hf-save-only-model", framework: "hf-trainer", dir: "output", from: "checkpoint-4", step: 4, torn: "output/checkpoint-4/model.safetensors" },
  { name: "hf-sharded", framework: "hf-trainer", dir: "output", from: "checkpoint-2", step: 2, torn: "output/checkpoint-2/model-00002-of-00002.safetensors" },
  { name: "hf-optimizer-bin", framework: "hf-trainer", dir: "output", from: "checkpoint-2", step: 2, torn: "output/checkpoint-2/optimizer.bin" },
  { name: "hf-lora", framework: "hf-trainer", dir: "output", from: "checkpoint-4", step: 4, torn: "output/checkpoint-4/adapter_model.safetensors" },
  { name: "hf-ddp", framework: "hf-trainer", dir: "output", from: "checkpoint-2", step: 2, torn: "output/checkpoint-2/rng_state_1.pth" },
  { name: "accelerate", framework: "accelerate", dir: "checkpoints", from: "checkpoints/checkpoint_2", step: 6, torn: "checkpoints/checkpoint_2/optimizer.bin" },
  { name: "torch-files", framework: "torch", dir: "current_model", from: "current_model/checkpoint-4.pt", step: 4, torn: "current_model/checkpoint-4.pt" },
  { name: "torch-dirs", framework: "torch", dir: "current_model", from: "current_model/checkpoint-4", step: 4, torn: "current_model/checkpoint-4/optimizer.pt" },
  { name: "lightning", framework: "lightning", dir: "checkpoints", from: "checkpoints/last.ckpt", step: 4, torn: "checkpoints/last.ckpt" },
  { name: "deepspeed", framework: "deepspeed", dir: "checkpoints", from: "checkpoints/global_step4", step: 4, torn: "checkpoints/global_step4/mp_rank_00_model_states.pt" },
];

for (const c of CASES) {
  test(`${c.name}: resumes from ${c.from} at step ${c.step}; a torn ${path.basename(c.torn)} exits 1`, () => {
    const base = copy(c.name);
    const { code, report } = verify(base);
    assert.equal(code, 0, JSON.stringify(report, null, 2));
    assert.equal(report.ok, true);
    assert.equal(report.layout, "hf", "no trainsafe config.json: the hf layout");
    assert.equal(report.framework, c.framework);
    assert.equal(report.checkpoint_dir, c.dir);
    assert.equal(report.resume_from, c.from);
    assert.equal(report.resume_step, c.step);
    assert.deepEqual(report.unknown_layouts, []);
    assert.deepEqual(report.problems, []);

    truncate(path.join(base, c.torn));
    const torn = verify(base);
    assert.equal(torn.code, 1, JSON.stringify(torn.report, null, 2));
    assert.equal(torn.report.ok, false);
    assert.ok(torn.report.problems.some((p) => p.includes(path.basename(c.torn))), torn.report.problems.join("\n"));
    assert.notEqual(torn.report.resume_from, c.from, "a torn checkpoint is never the resume point");
  });
}

test("save_only_model: resumes at its step with a fresh optimizer (a warning, exit 0); training_args.bin read without running it", () => {
  const { code, report } = verify(copy("hf-save-only-model"));
  assert.equal(code, 0);
  assert.equal(report.training_args?.save_only_model, true);
  assert.ok(
    report.warnings.some((w) => w.startsWith("checkpoint-4: model weights only (save_only_model=True): transformers resumes from it at step 4 with a fresh optimizer")),
    report.warnings.join("\n"),
  );
  const plain = verify(copy("hf-trainer")).report;
  assert.equal(plain.training_args?.save_only_model, false);
  assert.deepEqual(plain.warnings, []);
});

test("LoRA is judged a LoRA adapter from disk; DDP's rng_state_N.pth are each verified", () => {
  assert.equal(verify(copy("hf-lora")).report.kind, "lora");
  const ddp = copy("hf-ddp");
  fs.rmSync(path.join(ddp, "output", "checkpoint-2", "rng_state_0.pth"));
  truncate(path.join(ddp, "output", "checkpoint-2", "rng_state_1.pth"), 0.9);
  const r = verify(ddp);
  assert.equal(r.code, 1);
  assert.ok(r.report.problems.some((p) => /checkpoint-2\/rng_state_1\.pth: not a complete zip archive/.test(p)), r.report.problems.join("\n"));
});

test("accelerate: load_state() takes the highest checkpoint_N, so a torn one is a problem even with an older whole one", () => {
  const base = copy("accelerate");
  truncate(path.join(base, "checkpoints", "checkpoint_2", "model.safetensors"), 0.3);
  const r = verify(base);
  assert.equal(r.code, 1);
  assert.match(r.report.problems[0]!, /checkpoints\/checkpoint_2 is incomplete .*load_state\(\) takes the highest checkpoint_N and would fail; move it aside to resume from checkpoints\/checkpoint_1/);
});

test("DeepSpeed: latest names the tag; missing latest or a tag that is not there exits 1", () => {
  const noLatest = copy("deepspeed");
  fs.rmSync(path.join(noLatest, "checkpoints", "latest"));
  const a = verify(noLatest);
  assert.equal(a.code, 1);
  assert.match(a.report.problems.join("\n"), /checkpoints\/latest: missing: load_checkpoint\(\) without a tag finds nothing to load/);
  const wrongTag = copy("deepspeed");
  fs.writeFileSync(path.join(wrongTag, "checkpoints", "latest"), "global_step9");
  const b = verify(wrongTag);
  assert.equal(b.code, 1);
  assert.match(b.report.problems.join("\n"), /names "global_step9", which is not a folder here/);
  const older = copy("deepspeed");
  fs.writeFileSync(path.join(older, "checkpoints", "latest"), "global_step2");
  const c = verify(older);
  assert.equal(c.code, 0);
  assert.equal(c.report.resume_step, 2, "DeepSpeed loads what latest names, not the highest folder");
  assert.ok(c.report.warnings.some((w) => /global_step4 is newer than checkpoints\/global_step2/.test(w)));
});

test("DeepSpeed: the step is global_steps of the model states, also under a tag of the script's own that latest names", () => {
  // save_checkpoint(dir, tag="best"): the folder is named by the script, latest names it, and
  // load_checkpoint() resumes global_steps from mp_rank_00_model_states.pt, whatever the folder's name.
  const custom = copy("deepspeed");
  fs.renameSync(path.join(custom, "checkpoints", "global_step4"), path.join(custom, "checkpoints", "best"));
  fs.writeFileSync(path.join(custom, "checkpoints", "latest"), "best");
  const a = verify(custom);
  assert.equal(a.code, 0, a.report.problems.join("\n"));
  assert.equal(a.report.resume_from, "checkpoints/best");
  assert.equal(a.report.resume_step, 4, "global_steps of the model states");
  const renamed = copy("deepspeed");
  fs.renameSync(path.join(renamed, "checkpoints", "global_step4"), path.join(renamed, "checkpoints", "global_step40"));
  fs.writeFileSync(path.join(renamed, "checkpoints", "latest"), "global_step40");
  const b = verify(renamed);
  assert.equal(b.code, 0);
  assert.equal(b.report.resume_step, 4, "not the 40 of the folder's name");
  assert.ok(b.report.notes.some((n) => /same data-parallel world size \(2\)/.test(n)), b.report.notes.join("\n"));
});

test("DeepSpeed: a missing ZeRO shard of a rank in the tag latest names exits 1, naming the file and the world size; in an older tag it does not block", () => {
  const base = copy("deepspeed");
  fs.rmSync(path.join(base, "checkpoints", "global_step4", "zero_pp_rank_1_mp_rank_00_optim_states.pt"));
  const r = verify(base);
  assert.equal(r.code, 1);
  assert.equal(r.report.resume_from, null);
  assert.match(
    r.report.problems.join("\n"),
    /checkpoints\/global_step4 \(named by checkpoints\/latest\) is incomplete: checkpoints\/global_step4: zero_pp_rank_1_mp_rank_00_optim_states\.pt missing \(dp_world_size 2, mp_world_size 1 in mp_rank_00_model_states\.pt\): load_checkpoint\(\) fails on the rank that reads it/,
  );

  const older = copy("deepspeed");
  fs.rmSync(path.join(older, "checkpoints", "global_step2", "zero_pp_rank_0_mp_rank_00_optim_states.pt"));
  const o = verify(older);
  assert.equal(o.code, 0, o.report.problems.join("\n"));
  assert.equal(o.report.resume_step, 4);
  assert.equal(o.report.checkpoints.find((c) => c.name === "checkpoints/global_step2")?.complete, false);

  // Every shard gone while ds_config says ZeRO stage 2: load_checkpoint() looks for them all.
  const none = copy("deepspeed");
  for (const r of [0, 1]) fs.rmSync(path.join(none, "checkpoints", "global_step4", `zero_pp_rank_${r}_mp_rank_00_optim_states.pt`));
  const n = verify(none);
  assert.equal(n.code, 1);
  assert.match(n.report.problems.join("\n"), /zero_pp_rank_0_mp_rank_00_optim_states\.pt, zero_pp_rank_1_mp_rank_00_optim_states\.pt missing/);

  // No model states in the tag: nothing to load.
  const noModel = copy("deepspeed");
  fs.rmSync(path.join(noModel, "checkpoints", "global_step4", "mp_rank_00_model_states.pt"));
  const m = verify(noModel);
  assert.equal(m.code, 1);
  assert.match(m.report.problems.join("\n"), /global_step4: no \*model_states\.pt/);
});

test("DeepSpeed fixture: the recorded files hold the keys DeepSpeed's save_checkpoint writes", async () => {
  const { checkZip } = await import("../agent/guard/zip.js");
  const { readPickle } = await import("../agent/guard/pickle.js");
  const keysOf = async (file: string) => {
    const z = await checkZip(file, { readPickle: true });
    assert.ok(z.ok && z.pickle, file);
    const v = readPickle(z.pickle!);
    assert.ok(v instanceof Map, `${file}: a dict`);
    return [...(v as Map<unknown, unknown>).keys()].map(String).sort();
  };
  const dir = path.join(FIXTURES, "deepspeed", "checkpoints", "global_step4");
  // deepspeed/runtime/engine.py _save_checkpoint and _save_zero_checkpoint (commit cited in record.py).
  assert.deepEqual(await keysOf(path.join(dir, "mp_rank_00_model_states.pt")), [
    "buffer_names", "data_sampler", "dp_world_size", "ds_config", "ds_version", "frozen_param_fragments", "frozen_param_shapes",
    "global_samples", "global_steps", "lr_scheduler", "module", "mp_world_size", "optimizer", "param_shapes", "random_ltd",
    "shared_params", "skipped_steps", "sparse_tensor_module_names",
  ]);
  for (const r of [0, 1]) assert.deepEqual(await keysOf(path.join(dir, `zero_pp_rank_${r}_mp_rank_00_optim_states.pt`)), ["ds_config", "ds_version", "optimizer_state_dict"]);
  assert.equal(fs.readFileSync(path.join(FIXTURES, "deepspeed", "checkpoints", "latest"), "utf8"), "global_step4", "the tag, no newline");
});

test("Lightning: a torn epoch=...ckpt does not block ckpt_path=\"last\"; without last.ckpt the newest complete file is named", () => {
  const base = copy("lightning");
  truncate(path.join(base, "checkpoints", "epoch=0-step=4.ckpt"));
  const r = verify(base);
  assert.equal(r.code, 0, r.report.problems.join("\n"));
  assert.equal(r.report.resume_from, "checkpoints/last.ckpt");
  assert.ok(r.report.warnings.some((w) => w.includes("epoch=0-step=4.ckpt")));
  fs.rmSync(path.join(base, "checkpoints", "last.ckpt"));
  fs.rmSync(path.join(base, "checkpoints", "epoch=0-step=4.ckpt"));
  const older = verify(base);
  assert.equal(older.code, 0);
  assert.equal(older.report.resume_from, "checkpoints/epoch=0-step=2.ckpt");
  assert.equal(older.report.resume_step, 2);
});

test("unknown layouts exit 1: checkpoint-like files nobody recognises, alone or beside a known tree", () => {
  const alone = path.join(root, "unknown-alone");
  fs.mkdirSync(path.join(alone, "snapshots"), { recursive: true });
  fs.writeFileSync(path.join(alone, "snapshots", "state_100.msgpack"), "weights");
  fs.writeFileSync(path.join(alone, "weights.safetensors"), "not even a header");
  fs.writeFileSync(path.join(alone, "train.py"), "print('hi')\n");
  const a = verify(alone);
  assert.equal(a.code, 1, JSON.stringify(a.report));
  assert.equal(a.report.ok, false);
  assert.deepEqual(a.report.unknown_layouts, ["snapshots/state_100.msgpack", "weights.safetensors"]);
  const check = spawnSync(process.execPath, [BIN, "check", "--base-dir", alone, "--only", "checkpoint", "--json"], { cwd: root, encoding: "utf8", timeout: 30_000 });
  const c0 = JSON.parse(check.stdout).checks[0];
  assert.equal(c0.status, "warn", "the health check warns: never a silent OK");
  assert.match(c0.message, /unknown checkpoint layout: snapshots\/state_100\.msgpack/);
  assert.ok(a.report.warnings.some((w) => w.startsWith("unknown checkpoint layout: snapshots/state_100.msgpack, weights.safetensors")));

  const beside = copy("hf-trainer");
  fs.writeFileSync(path.join(beside, "ema_weights.pkl"), "x");
  const b = verify(beside);
  assert.equal(b.code, 1);
  assert.equal(b.report.resume_from, "checkpoint-4", "the known tree is still verified");
  assert.deepEqual(b.report.unknown_layouts, ["ema_weights.pkl"]);

  // A legacy (pre-zip) torch.save file is a torch checkpoint that cannot be verified: a problem, not OK.
  const legacy = path.join(root, "legacy");
  fs.mkdirSync(path.join(legacy, "ckpt"), { recursive: true });
  fs.writeFileSync(path.join(legacy, "ckpt", "step_10.pt"), Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]));
  const c = verify(legacy);
  assert.equal(c.code, 1);
  assert.match(c.report.problems.join("\n"), /ckpt\/step_10\.pt: not a complete zip archive.*legacy torch\.save format/);
});

test("a saved HF model beside the checkpoints (trainer.save_model) is recognised, not unknown", () => {
  const base = copy("hf-trainer");
  for (const f of ["config.json", "model.safetensors", "training_args.bin"]) {
    fs.copyFileSync(path.join(base, "output", "checkpoint-4", f), path.join(base, "output", f));
  }
  const r = verify(base);
  assert.equal(r.code, 0, JSON.stringify(r.report, null, 2));
  assert.deepEqual(r.report.saved_models, ["output"]);
  assert.equal(r.report.resume_from, "checkpoint-4");
});

test("trainingConfig (JSON or YAML): output_dir names the HF folder; a broken file names itself", () => {
  const base = copy("hf-trainer");
  fs.cpSync(path.join(base, "output"), path.join(base, "other"), { recursive: true });
  fs.rmSync(path.join(base, "other", "checkpoint-4"), { recursive: true });
  const settings = path.join(base, "trainsafe.json");
  fs.writeFileSync(path.join(base, "args.json"), JSON.stringify({ output_dir: "other", resume_from_checkpoint: true }));
  fs.writeFileSync(settings, JSON.stringify({ layout: "hf", trainingConfig: "args.json" }));
  const r = verify(base, "--config", settings);
  assert.equal(r.code, 0, JSON.stringify(r.report, null, 2));
  assert.equal(r.report.checkpoint_dir, "other");
  assert.equal(r.report.resume_from, "checkpoint-2");
  assert.ok(r.report.warnings.some((w) => /^output also holds HF Trainer checkpoints; a restart resumes from other/.test(w)), r.report.warnings.join("\n"));
  // The YAML a TRL / axolotl script takes (nested blocks and lists are read too).
  const yaml = ["# sft run", "model_name_or_path: meta-llama/Llama-3.1-8B", "output_dir: other   # checkpoints", "lora:", "  r: 16", "  target_modules:", "    - q_proj", "save_only_model: false", "save_steps: 500", ""].join("\n");
  fs.writeFileSync(path.join(base, "args.yaml"), yaml);
  fs.writeFileSync(settings, JSON.stringify({ layout: "hf", trainingConfig: "args.yaml" }));
  const y = verify(base, "--config", settings);
  assert.equal(y.code, 0, JSON.stringify(y.report, null, 2));
  assert.equal(y.report.checkpoint_dir, "other");
  assert.equal(y.report.training_args?.save_only_model, false);
  fs.writeFileSync(path.join(base, "args.yaml"), "output_dir other\n");
  const badYaml = verify(base, "--config", settings);
  assert.equal(badYaml.code, 1);
  assert.match(badYaml.report.problems[0]!, /args\.yaml: line 1: must be a mapping of settings \(key: value\), not a single value/);
  fs.writeFileSync(settings, JSON.stringify({ layout: "hf", trainingConfig: "args.json" }));
  fs.writeFileSync(path.join(base, "args.json"), "{ half");
  const bad = verify(base, "--config", settings);
  assert.equal(bad.code, 1);
  assert.match(bad.report.problems[0]!, /args\.json: invalid JSON .*\(the trainingConfig setting\)/);
});

test("seed layout: checkpoint-N.pt files in current_model and accelerate checkpoints/ are verified, not a silent OK", () => {
  const base = path.join(root, "seed-torch");
  writeTrainingDir(base);
  fs.cpSync(path.join(FIXTURES, "torch-files", "current_model"), path.join(base, "current_model"), { recursive: true });
  const r = verify(base);
  assert.equal(r.code, 0, JSON.stringify(r.report, null, 2));
  assert.equal(r.report.layout, "seed");
  assert.equal(r.report.framework, "torch");
  assert.equal(r.report.resume_from, "current_model/checkpoint-4.pt");
  assert.equal(r.report.resume_step, 4);
  assert.ok(!r.report.warnings.some((w) => /ignored/.test(w)), r.report.warnings.join("\n"));
  truncate(path.join(base, "current_model", "checkpoint-4.pt"));
  const torn = verify(base);
  assert.equal(torn.code, 1);
  assert.match(torn.report.problems.join("\n"), /current_model\/checkpoint-4\.pt is incomplete .*name current_model\/checkpoint-2\.pt/);

  const accel = path.join(root, "seed-accelerate");
  writeTrainingDir(accel);
  fs.cpSync(path.join(FIXTURES, "accelerate", "checkpoints"), path.join(accel, "checkpoints"), { recursive: true });
  const a = verify(accel);
  assert.equal(a.code, 0, JSON.stringify(a.report, null, 2));
  assert.equal(a.report.framework, "accelerate");
  assert.equal(a.report.resume_step, 6);
});

test("seed layout: checkpoint-N/{model.pt,optimizer.pt} folders are a torch tree, not HF checkpoints missing their files", () => {
  const base = path.join(root, "seed-torch-dirs");
  writeTrainingDir(base);
  fs.cpSync(path.join(FIXTURES, "torch-dirs", "current_model"), path.join(base, "current_model"), { recursive: true });
  const r = verify(base);
  assert.equal(r.code, 0, JSON.stringify(r.report, null, 2));
  assert.equal(r.report.layout, "seed");
  assert.equal(r.report.framework, "torch");
  assert.equal(r.report.resume_from, "current_model/checkpoint-4");
  assert.equal(r.report.would_start_from_scratch, false);
});
