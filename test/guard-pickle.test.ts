/**
 * The pickle reader (agent/guard/pickle.ts): plain values come out as they are, code is never run
 * (globals and calls stay inert markers), and damaged input is an Error, never a hang or a crash.
 * Real pickles: the recorded training_args.bin, scheduler.bin and Lightning checkpoint.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import fc from "fast-check";
import { field, intField, isObject, readPickle } from "../agent/guard/pickle.js";
import { checkZip, checkZipBytes } from "../agent/guard/zip.js";
import { pickleBytes, torchSaveBytes } from "./helpers/checkpoints.js";

const FIXTURES = path.resolve(import.meta.dirname, "fixtures", "checkpoints");

test("plain values: dicts, lists, numbers, strings, booleans, None", () => {
  const v = readPickle(pickleBytes({ step: 12, lr: 0.5, name: "run", done: false, none: null, tags: ["a", "b"], nested: { x: -3 } }));
  assert.ok(v instanceof Map);
  assert.equal(intField(v, "step"), 12);
  assert.equal(field(v, "lr"), 0.5);
  assert.equal(field(v, "name"), "run");
  assert.equal(field(v, "done"), false);
  assert.equal(field(v, "none"), null);
  assert.deepEqual(field(v, "tags"), ["a", "b"]);
  assert.equal(intField(field(v, "nested"), "x"), null, "a negative number is no step");
});

test("a pickle that would run os.system is read as an inert marker; nothing runs", () => {
  // GLOBAL os.system, MARK, the command, TUPLE, REDUCE, STOP: what a malicious .bin holds.
  const cmd = Buffer.from("touch /tmp/trainsafe-pickle-pwned");
  const bytes = Buffer.concat([
    Buffer.from("cos\nsystem\n("),
    Buffer.from([0x58]),
    Buffer.from(Uint32Array.of(cmd.length).buffer),
    cmd,
    Buffer.from("tR."),
  ]);
  const v = readPickle(bytes);
  assert.ok(isObject(v));
  assert.equal(v.$kind, "call");
  assert.equal(v.name, "os.system");
  assert.deepEqual(v.args, ["touch /tmp/trainsafe-pickle-pwned"]);
});

test("recorded pickles: TrainingArguments' fields, the scheduler's last_epoch, Lightning's global_step", async () => {
  const read = async (rel: string) => {
    const z = await checkZip(path.join(FIXTURES, rel), { readPickle: true });
    assert.ok(z.ok && z.pickle, `${rel}: ${z.problems.join("; ")}`);
    return readPickle(z.pickle);
  };
  const args = await read("hf-save-only-model/output/checkpoint-4/training_args.bin");
  assert.ok(isObject(args));
  assert.match(args.name, /TrainingArguments$/);
  assert.equal(field(args, "save_only_model"), true);
  assert.equal(intField(args, "save_steps"), 2);
  assert.equal(intField(await read("accelerate/checkpoints/checkpoint_2/scheduler.bin"), "last_epoch"), 6);
  assert.equal(intField(await read("lightning/checkpoints/last.ckpt"), "global_step"), 4);
  assert.equal(intField(await read("deepspeed/checkpoints/global_step4/mp_rank_00_model_states.pt"), "global_steps"), 4);
});

test("torch.save bytes of the test helper: data.pkl comes back through the zip reader", async () => {
  const z = await checkZipBytes(torchSaveBytes({ global_step: 300 }));
  assert.ok(z.ok);
  const again = await checkZip("/nonexistent", { readPickle: true });
  assert.equal(again.ok, false);
});

test("property: cut or random bytes never throw anything but an Error, and never loop", () => {
  const good = pickleBytes({ step: 5, names: ["a", "b", "c"], d: { x: 1.5 } });
  fc.assert(
    fc.property(fc.oneof(fc.integer({ min: 0, max: good.length - 1 }).map((n) => good.subarray(0, n)), fc.uint8Array({ maxLength: 200 })), (bytes) => {
      try {
        readPickle(bytes);
      } catch (err) {
        assert.ok(err instanceof Error, String(err));
      }
    }),
    { numRuns: 500 },
  );
});
