import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { resolveLayout } from "../agent/config/layout.js";
import { verifyResume, type ResumeReport } from "../agent/guard/resume.js";
import { exampleConfig, writeCheckpoint, writeTrainingDir, type TrainingDirSpec } from "./helpers/checkpoints.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-resume-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;

function dir(spec: TrainingDirSpec = {}) {
  const base = path.join(root, `t${n++}`);
  fs.mkdirSync(base);
  writeTrainingDir(base, spec);
  return resolveLayout(base);
}

const ckpt = (r: ResumeReport, name: string) => {
  const c = r.checkpoints.find((x) => x.name === name);
  assert.ok(c, `${name} not reported`);
  return c;
};

const LORA = exampleConfig({ training_type: "lora", lora_r: 4, lora_alpha: 8 });

test("the example: resume from checkpoint-1000, checkpoint-1500 reported incomplete, steps lost from status", async () => {
  const r = await verifyResume(resolveLayout(path.resolve(import.meta.dirname, "../examples/training")));
  assert.equal(r.resume_from, "checkpoint-1000");
  assert.equal(r.newest_incomplete, "checkpoint-1500");
  assert.deepEqual(r.checkpoints.map((c) => [c.name, c.complete]), [["checkpoint-1500", false], ["checkpoint-1000", true], ["checkpoint-500", true]]);
  assert.equal(r.kind, "full");
  assert.equal(r.would_start_from_scratch, false);
  const status = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, "../examples/training/status/training_status.json"), "utf8"));
  assert.equal(r.steps_lost, status.current_step - 1000);
});

test("all complete (full model): resume from the newest, ok, steps lost counted", async () => {
  const layout = dir({ checkpoints: [{ step: 500 }, { step: 1000 }, { step: 1500 }], status: { current_step: 1720 } });
  const r = await verifyResume(layout);
  assert.deepEqual(r.problems, []);
  assert.equal(r.ok, true);
  assert.equal(r.resume_from, "checkpoint-1500");
  assert.equal(r.resume_step, 1500);
  assert.equal(r.steps_lost, 220);
  assert.equal(r.current_step, 1720);
  assert.equal(r.newest_incomplete, null);
  assert.deepEqual(r.checkpoints.map((c) => c.step), [1500, 1000, 500]);
  assert.ok(r.checkpoints.every((c) => c.complete && c.problems.length === 0 && c.mtimeMs > 0 && path.isAbsolute(c.path)));
});

test("the seed's bug: a full-model checkpoint without adapter files is complete (kind from config, else from disk)", async () => {
  const fromConfig = await verifyResume(dir({ checkpoints: [{ step: 500, kind: "full" }] }));
  assert.equal(fromConfig.ok, true, fromConfig.problems.join("\n"));
  assert.equal(fromConfig.kind, "full");
  assert.equal(fromConfig.kind_source, "config");
  const { training_type: _, ...unsaid } = exampleConfig();
  const fromDisk = await verifyResume(dir({ config: unsaid, checkpoints: [{ step: 500, kind: "full" }] }));
  assert.equal(fromDisk.ok, true, fromDisk.problems.join("\n"));
  assert.equal(fromDisk.kind_source, "disk");
  assert.equal(ckpt(fromDisk, "checkpoint-500").complete, true);
});

test("LoRA: adapter checkpoints pass; full weights or a missing adapter_config.json do not", async () => {
  const ok = await verifyResume(dir({ config: LORA, checkpoints: [{ step: 200, kind: "lora" }] }));
  assert.equal(ok.ok, true, ok.problems.join("\n"));
  assert.equal(ok.kind, "lora");
  const wrongKind = await verifyResume(dir({ config: LORA, checkpoints: [{ step: 200, kind: "full" }] }));
  assert.equal(wrongKind.ok, false);
  assert.ok(ckpt(wrongKind, "checkpoint-200").problems.some((p) => /holds full model weights, but the config trains a LoRA adapter/.test(p)));
  const fullExpected = await verifyResume(dir({ checkpoints: [{ step: 200, kind: "lora" }] }));
  assert.ok(ckpt(fullExpected, "checkpoint-200").problems.some((p) => /holds a LoRA adapter, but the config trains the full model/.test(p)));
  const noAdapterConfig = await verifyResume(dir({ config: LORA, checkpoints: [{ step: 200, kind: "lora", omit: ["adapter_config.json"] }] }));
  assert.ok(ckpt(noAdapterConfig, "checkpoint-200").problems.some((p) => p.startsWith("checkpoint-200/adapter_config.json: does not exist")));
});

test("sharded full models: every shard in weight_map must exist and be valid", async () => {
  const ok = await verifyResume(dir({ checkpoints: [{ step: 300, shards: 3 }] }));
  assert.equal(ok.ok, true, ok.problems.join("\n"));
  const missing = await verifyResume(dir({ checkpoints: [{ step: 300, shards: 3, omit: ["model-00002-of-00003.safetensors"] }] }));
  assert.deepEqual(ckpt(missing, "checkpoint-300").problems, ["checkpoint-300/model-00002-of-00003.safetensors: missing"]);
  const cut = await verifyResume(dir({ checkpoints: [{ step: 300, shards: 3, truncate: { "model-00003-of-00003.safetensors": 100 } }] }));
  assert.match(ckpt(cut, "checkpoint-300").problems[0]!, /^checkpoint-300\/model-00003-of-00003\.safetensors: /);
  const escape = await verifyResume(
    dir({ checkpoints: [{ step: 300, shards: 2, files: { "model.safetensors.index.json": JSON.stringify({ weight_map: { a: "../../config.json" } }) } }] }),
  );
  assert.match(ckpt(escape, "checkpoint-300").problems[0]!, /weight_map names "..\/..\/config.json", which is not a file in the checkpoint/);
  const badIndex = await verifyResume(dir({ checkpoints: [{ step: 300, shards: 2, files: { "model.safetensors.index.json": "{\"weight_map\": " } }] }));
  assert.match(ckpt(badIndex, "checkpoint-300").problems[0]!, /^checkpoint-300\/model\.safetensors\.index\.json: invalid JSON/);
});

test("each missing or broken file makes the checkpoint incomplete and is named", async () => {
  const cases: Array<[Parameters<typeof writeCheckpoint>[1], RegExp]> = [
    [{ step: 100, globalStep: 90 }, /checkpoint-100\/trainer_state\.json: global_step is 90, but the folder says step 100/],
    [{ step: 100, omit: ["trainer_state.json"] }, /checkpoint-100\/trainer_state\.json: does not exist/],
    [{ step: 100, files: { "trainer_state.json": '{"global_st' } }, /checkpoint-100\/trainer_state\.json: invalid JSON/],
    [{ step: 100, truncate: { "scheduler.pt": 200 } }, /checkpoint-100\/scheduler\.pt: not a complete zip archive/],
    [{ step: 100, truncate: { "rng_state.pth": 50 } }, /checkpoint-100\/rng_state\.pth: not a complete zip/],
    [{ step: 100, omit: ["model.safetensors"] }, /checkpoint-100\/model\.safetensors: missing, .*no model weights/],
    [{ step: 100, truncate: { "model.safetensors": 0 } }, /checkpoint-100\/model\.safetensors: empty file/],
    [{ step: 100, files: { "optimizer.pt": Buffer.from("PK\u0005\u0006" + "\0".repeat(18)) } }, /checkpoint-100\/optimizer\.pt: zip archive has no data\.pkl record/],
  ];
  for (const [spec, pattern] of cases) {
    const r = await verifyResume(dir({ checkpoints: [spec] }));
    const c = ckpt(r, "checkpoint-100");
    assert.equal(c.complete, false, JSON.stringify(spec));
    assert.ok(c.problems.some((p) => pattern.test(p)), `${JSON.stringify(spec)}: ${c.problems.join("\n")}`);
    assert.equal(r.ok, false);
    assert.equal(r.resume_from, null);
    assert.equal(r.would_start_from_scratch, true, "with no complete checkpoint training would start over");
  }
  // Transformers loads optimizer and scheduler only when both are files; otherwise it resumes with fresh ones: a warning.
  for (const [omit, asDir] of [["optimizer.pt", false], ["scheduler.pt", false], ["optimizer.pt", true]] as const) {
    const layout = dir({ checkpoints: [{ step: 100, omit: [omit] }] });
    if (asDir) fs.mkdirSync(path.join(layout.modelDir, "checkpoint-100", omit));
    const r = await verifyResume(layout);
    assert.equal(ckpt(r, "checkpoint-100").complete, true, ckpt(r, "checkpoint-100").problems.join("\n"));
    assert.equal(r.ok, true, r.problems.join("\n"));
    assert.equal(r.resume_step, 100);
    assert.ok(r.warnings.some((w) => w === `checkpoint-100: ${omit} missing: transformers resumes at step 100 with a fresh optimizer and learning-rate schedule`), r.warnings.join("\n"));
  }
  // optimizer.bin (FSDP under accelerate) is loaded like optimizer.pt, and checked like it.
  const bin = dir({ checkpoints: [{ step: 100 }] });
  const cp = path.join(bin.modelDir, "checkpoint-100");
  fs.renameSync(path.join(cp, "optimizer.pt"), path.join(cp, "optimizer.bin"));
  assert.deepEqual((await verifyResume(bin)).warnings.filter((w) => /optimizer/.test(w)), []);
  fs.truncateSync(path.join(cp, "optimizer.bin"), 40);
  assert.ok(ckpt(await verifyResume(bin), "checkpoint-100").problems.some((p) => p.startsWith("checkpoint-100/optimizer.bin: not a complete zip archive")));
});

test("stray entries: checkpoint-abc, a file named checkpoint-5 and other folders do not crash or count", async () => {
  const layout = dir({ checkpoints: [{ step: 500 }], status: { current_step: 510 } });
  fs.mkdirSync(path.join(layout.modelDir, "checkpoint-abc"));
  fs.writeFileSync(path.join(layout.modelDir, "checkpoint-5"), "not a folder");
  fs.mkdirSync(path.join(layout.modelDir, "runs"));
  fs.writeFileSync(path.join(layout.modelDir, "README.md"), "hi");
  const r = await verifyResume(layout);
  assert.equal(r.ok, true, r.problems.join("\n"));
  assert.equal(r.resume_from, "checkpoint-500");
  assert.deepEqual(r.checkpoints.map((c) => c.name).sort(), ["checkpoint-5", "checkpoint-500", "checkpoint-abc"]);
  assert.match(ckpt(r, "checkpoint-abc").problems[0]!, /not a checkpoint-N name/);
  assert.equal(ckpt(r, "checkpoint-abc").step, null);
  assert.match(ckpt(r, "checkpoint-5").problems[0]!, /is not a folder/);
  assert.equal(r.warnings.length, 2);
});

test("resume turned off, output_dir elsewhere, overwrite_output_dir: would start from scratch", async () => {
  const status = { current_step: 1234 };
  const off = await verifyResume(dir({ config: exampleConfig({ resume_from_checkpoint: false }), checkpoints: [{ step: 1000 }], status }));
  assert.equal(off.ok, false);
  assert.equal(off.would_start_from_scratch, true);
  assert.equal(off.resume_from, null);
  assert.equal(off.steps_lost, 1234);
  assert.match(off.problems[0]!, /would start from scratch: resume_from_checkpoint is false/);
  const elsewhere = await verifyResume(dir({ config: exampleConfig({ output_dir: "/tmp/elsewhere-out" }), checkpoints: [{ step: 1000 }], status }));
  assert.equal(elsewhere.would_start_from_scratch, true);
  assert.match(elsewhere.problems[0]!, /output_dir is \/tmp\/elsewhere-out/);
  const { resume_from_checkpoint: _, ...unset } = exampleConfig({ overwrite_output_dir: true });
  const overwrite = await verifyResume(dir({ config: unset, checkpoints: [{ step: 1000 }] }));
  assert.equal(overwrite.would_start_from_scratch, true);
  // Without checkpoints there is nothing to lose.
  const fresh = await verifyResume(dir({ config: exampleConfig({ resume_from_checkpoint: false }) }));
  assert.equal(fresh.ok, true);
  assert.equal(fresh.would_start_from_scratch, false);
});

test("resume_from_checkpoint naming a folder: used when complete, reported when missing or incomplete", async () => {
  const cfg = (p: string) => exampleConfig({ resume_from_checkpoint: p });
  const older = await verifyResume(dir({ config: cfg("current_model/checkpoint-500"), checkpoints: [{ step: 500 }, { step: 1000 }], status: { current_step: 1100 } }));
  assert.equal(older.ok, true, older.problems.join("\n"));
  assert.equal(older.resume_from, "checkpoint-500");
  assert.equal(older.steps_lost, 600);
  assert.ok(older.warnings.some((w) => /checkpoint-1000 is newer and complete/.test(w)));
  const missing = await verifyResume(dir({ config: cfg("current_model/checkpoint-2000"), checkpoints: [{ step: 500 }] }));
  assert.equal(missing.ok, false);
  assert.match(missing.problems[0]!, /does not exist/);
  const broken = await verifyResume(dir({ config: cfg("current_model/checkpoint-500"), checkpoints: [{ step: 500, truncate: { "scheduler.pt": 200 } }] }));
  assert.match(broken.problems[0]!, /names checkpoint-500, which is incomplete: checkpoint-500\/scheduler\.pt: not a complete zip archive/);
  // A folder with another name (Transformers accepts any) takes its step from trainer_state.json.
  const layout = dir({ config: cfg("best") });
  writeCheckpoint(layout.baseDir, { step: 700, name: "best" });
  const named = await verifyResume(layout);
  assert.equal(named.ok, true, named.problems.join("\n"));
  assert.equal(named.resume_from, "best");
  assert.equal(named.resume_step, 700);
});

test("status missing or half-written: steps lost unknown, said so", async () => {
  const none = await verifyResume(dir({ checkpoints: [{ step: 500 }] }));
  assert.equal(none.steps_lost, null);
  assert.ok(none.warnings.some((w) => /steps lost unknown: .*training_status\.json: does not exist/.test(w)));
  const half = await verifyResume(dir({ checkpoints: [{ step: 500 }], status: '{"current_step": 12' }));
  assert.equal(half.steps_lost, null);
  assert.ok(half.warnings.some((w) => /invalid JSON/.test(w)));
  assert.equal(half.ok, true, "an unreadable status does not block a correct resume");
  const stale = await verifyResume(dir({ checkpoints: [{ step: 500 }], status: { current_step: 400 } }));
  assert.equal(stale.steps_lost, 0);
  assert.ok(stale.warnings.some((w) => /behind checkpoint-500/.test(w)));
});

test("no checkpoints, only incomplete ones, current_model a file, config.json unreadable", async () => {
  const fresh = await verifyResume(dir({ status: { current_step: 0 } }));
  assert.equal(fresh.ok, true);
  assert.equal(fresh.resume_from, null);
  assert.equal(fresh.steps_lost, 0);
  const onlyBroken = await verifyResume(dir({ checkpoints: [{ step: 500, truncate: { "model.safetensors": 30 } }] }));
  assert.equal(onlyBroken.ok, false);
  assert.equal(onlyBroken.would_start_from_scratch, true);
  assert.equal(onlyBroken.newest_incomplete, "checkpoint-500");
  const layout = dir();
  fs.rmSync(layout.modelDir, { recursive: true });
  fs.writeFileSync(layout.modelDir, "oops");
  const fileModel = await verifyResume(layout);
  assert.equal(fileModel.ok, false);
  assert.match(fileModel.problems[0]!, /current_model: is a file/);
  const noConfig = await verifyResume(dir({ config: Buffer.from([0, 1, 2, 3]), checkpoints: [{ step: 500 }] }));
  assert.equal(noConfig.ok, false);
  assert.match(noConfig.problems[0]!, /config\.json: is binary/);
  assert.equal(noConfig.resume_from, "checkpoint-500", "checkpoints are still verified");
});

test("property: random damage to a checkpoint never throws; a cut or removed required file always makes it incomplete", async () => {
  const layout = dir({ status: { current_step: 600 } });
  const files = ["model.safetensors", "optimizer.pt", "scheduler.pt", "trainer_state.json", "rng_state.pth"];
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...files),
      fc.oneof(
        fc.record({ kind: fc.constant("truncate" as const), frac: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }) }),
        fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
        fc.record({ kind: fc.constant("junk" as const), bytes: fc.uint8Array({ maxLength: 100 }) }),
        fc.record({ kind: fc.constant("dir" as const) }),
        fc.record({ kind: fc.constant("remove" as const) }),
      ),
      async (file, damage) => {
        fs.rmSync(layout.modelDir, { recursive: true, force: true });
        const d = writeCheckpoint(layout.modelDir, { step: 500 });
        const f = path.join(d, file);
        const size = fs.statSync(f).size;
        let harmless = false;
        if (damage.kind === "truncate") {
          const cut = Math.floor(damage.frac * size);
          // Cutting only the trailing newline of a JSON file leaves it valid.
          harmless = file.endsWith(".json") && fs.readFileSync(f).subarray(cut).toString().trim() === "";
          fs.truncateSync(f, cut);
        }
        else if (damage.kind === "flip") {
          const b = fs.readFileSync(f);
          b[damage.at % size]! ^= 1 << damage.bit;
          fs.writeFileSync(f, b);
        } else if (damage.kind === "junk") fs.writeFileSync(f, damage.bytes);
        else if (damage.kind === "dir") {
          fs.rmSync(f);
          fs.mkdirSync(f);
        } else fs.rmSync(f);
        const r = await verifyResume(layout);
        assert.equal(typeof r.ok, "boolean");
        assert.equal(r.ok, r.problems.length === 0);
        const c = ckpt(r, "checkpoint-500");
        // RNG state is optional (Transformers resumes without it), and so are optimizer and scheduler (it
        // starts them fresh when either is not a file); every other file is required whole.
        const optional =
          (file === "rng_state.pth" && damage.kind === "remove") || ((file === "optimizer.pt" || file === "scheduler.pt") && (damage.kind === "remove" || damage.kind === "dir"));
        if (optional || harmless) assert.equal(c.complete, true, c.problems.join("\n"));
        else if (damage.kind !== "flip" && damage.kind !== "junk") {
          assert.equal(c.complete, false, `${damage.kind} of ${file} went unnoticed`);
          assert.ok(c.problems.some((p) => p.includes(`checkpoint-500/${file}`)), c.problems.join("\n"));
        }
        if (!c.complete) assert.equal(r.resume_from, null);
      },
    ),
    { numRuns: 80 },
  );
});

test("FSDP sharded state (pytorch_model_fsdp_0/, optimizer_0/): complete with .metadata and shards; a missing .metadata is an unfinished save", async () => {
  const layout = dir({ checkpoints: [{ step: 100, omit: ["model.safetensors", "optimizer.pt"] }] });
  const cp = path.join(layout.modelDir, "checkpoint-100");
  for (const d of ["pytorch_model_fsdp_0", "optimizer_0"]) {
    fs.mkdirSync(path.join(cp, d));
    fs.writeFileSync(path.join(cp, d, ".metadata"), "meta");
    fs.writeFileSync(path.join(cp, d, "__0_0.distcp"), "tensor bytes");
  }
  const r = await verifyResume(layout);
  assert.equal(ckpt(r, "checkpoint-100").complete, true, ckpt(r, "checkpoint-100").problems.join("\n"));
  assert.deepEqual(r.warnings.filter((w) => /optimizer/.test(w)), [], "optimizer_0/ is the optimizer: no fresh-optimizer warning");
  fs.rmSync(path.join(cp, "optimizer_0", ".metadata"));
  fs.writeFileSync(path.join(cp, "pytorch_model_fsdp_0", "__0_0.distcp"), "");
  const torn = ckpt(await verifyResume(layout), "checkpoint-100");
  assert.equal(torn.complete, false);
  assert.ok(torn.problems.includes("checkpoint-100/optimizer_0/.metadata: missing (written last: the sharded save did not finish)"), torn.problems.join("\n"));
  assert.ok(torn.problems.includes("checkpoint-100/pytorch_model_fsdp_0/__0_0.distcp: empty"), torn.problems.join("\n"));
});

test("HF Trainer under DeepSpeed: checkpoint-N/latest names global_stepN, whose state files (every rank's ZeRO shard) are checked instead of optimizer.pt", async () => {
  const layout = dir({ checkpoints: [{ step: 4, omit: ["model.safetensors", "optimizer.pt", "scheduler.pt"] }] });
  const cp = path.join(layout.modelDir, "checkpoint-4");
  // The state files of a DeepSpeed tag, as in test/fixtures/checkpoints/deepspeed (built after DeepSpeed's source).
  fs.cpSync(path.join(import.meta.dirname, "fixtures", "checkpoints", "deepspeed", "checkpoints", "global_step4"), path.join(cp, "global_step4"), { recursive: true });
  fs.writeFileSync(path.join(cp, "latest"), "global_step4");
  const r = await verifyResume(layout);
  assert.equal(ckpt(r, "checkpoint-4").complete, true, ckpt(r, "checkpoint-4").problems.join("\n"));
  assert.equal(r.resume_step, 4);
  fs.truncateSync(path.join(cp, "global_step4", "zero_pp_rank_1_mp_rank_00_optim_states.pt"), 100);
  const torn = ckpt(await verifyResume(layout), "checkpoint-4");
  assert.ok(torn.problems.some((p) => p.startsWith("checkpoint-4/global_step4/zero_pp_rank_1_mp_rank_00_optim_states.pt: not a complete zip archive")), torn.problems.join("\n"));
  // A rank's ZeRO shard missing (dp_world_size 2 in the model states): that rank's load fails.
  fs.rmSync(path.join(cp, "global_step4", "zero_pp_rank_1_mp_rank_00_optim_states.pt"));
  const lost = ckpt(await verifyResume(layout), "checkpoint-4");
  assert.equal(lost.complete, false);
  assert.ok(
    lost.problems.includes("checkpoint-4/global_step4: zero_pp_rank_1_mp_rank_00_optim_states.pt missing (dp_world_size 2, mp_world_size 1 in mp_rank_00_model_states.pt): load_checkpoint() fails on the rank that reads it (FileNotFoundError), and the job with it"),
    lost.problems.join("\n"),
  );
  fs.writeFileSync(path.join(cp, "latest"), "global_step8");
  const wrong = ckpt(await verifyResume(layout), "checkpoint-4");
  assert.ok(wrong.problems.includes('checkpoint-4/latest names "global_step8", which is not a folder in the checkpoint: DeepSpeed would fail to load it'), wrong.problems.join("\n"));
});
