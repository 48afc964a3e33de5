/**
 * Twenty-fifth rules round (issue 10), the lead's part, on the studied fresh16 (docs/crash-accuracy.md, "Twenty-fifth
 * round, on the studied fresh16", items 650-): a loader's "failed to load the checkpoint" raised while handling a
 * checkpoint that is not there is a wrong path (python_exception), not a broken file (failure.ts chainCategory,
 * isMissingFile). A failed load raised while handling a file that is cut or not in its format stays checkpoint_corrupt.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twenty-fifth-round-lead-");

/** A two-exception chain as Python prints it: `first` raised in a loader, `last` raised while handling it. */
function chain(first: string, last: string): string {
  return [
    "Traceback (most recent call last):",
    '  File "/work/vocoder/synthesize.py", line 73, in load_model',
    "    state = restore(checkpoint)",
    first,
    "",
    "During handling of the above exception, another exception occurred:",
    "",
    "Traceback (most recent call last):",
    '  File "synthesize.py", line 101, in <module>',
    "    main()",
    '  File "/work/vocoder/synthesize.py", line 76, in load_model',
    "    raise RuntimeError('Failed to load checkpoint at {}'.format(checkpoint))",
    last,
    "",
  ].join("\n");
}

describe("twenty-fifth round (lead): a failed checkpoint load over a checkpoint that is not there", () => {
  test("zzw tacotron-2-325 (TensorFlow found no checkpoint state) reads python_exception", async () => {
    const file = "python_exception/zzw-tacotron-2-325-wavenet-synthesize-failed-to-load-checkpoint.log";
    assert.deepEqual(await primaryOf("tacotron.log", corpus(file)), { category: "python_exception", ruleId: "python_traceback" });
  });

  const missing: [string, string][] = [
    ["TensorFlow's None checkpoint state", "AttributeError: 'NoneType' object has no attribute 'model_checkpoint_path'"],
    ["a FileNotFoundError", "FileNotFoundError: [Errno 2] No such file or directory: 'logs/wave_pretrained/model.ckpt'"],
    ["a loader's not-found message", "ValueError: checkpoint logs/wave_pretrained/ does not exist"],
    ["TensorFlow's NotFoundError", "tensorflow.python.framework.errors_impl.NotFoundError: Unsuccessful TensorSliceReader constructor: Failed to find any matching files for logs/model.ckpt-1000"],
  ];
  for (const [what, first] of missing) {
    test(`raised while handling ${what}: python_exception`, async () => {
      const text = chain(first, "RuntimeError: Failed to load checkpoint at logs/wave_pretrained/");
      assert.equal((await primaryOf("missing.log", text))?.category, "python_exception");
    });
  }

  // Near misses: the file is there and broken, or nothing says it is missing.
  const broken: [string, string][] = [
    ["a cut zip archive", "RuntimeError: PytorchStreamReader failed reading zip archive: failed finding central directory"],
    ["an unpickling error", "_pickle.UnpicklingError: invalid load key, '\\x00'."],
    ["a value error about the file's contents", "ValueError: the checkpoint's header is corrupted"],
  ];
  for (const [what, first] of broken) {
    test(`raised while handling ${what}: checkpoint_corrupt`, async () => {
      const text = chain(first, "RuntimeError: Failed to load checkpoint at logs/wave_pretrained/");
      assert.equal((await primaryOf("broken.log", text))?.category, "checkpoint_corrupt");
    });
  }

  test("a failed load with no chain stays checkpoint_corrupt", async () => {
    const text = [
      "Traceback (most recent call last):",
      '  File "synthesize.py", line 101, in <module>',
      "    main()",
      '  File "/work/vocoder/synthesize.py", line 76, in load_model',
      "    raise RuntimeError('Failed to load checkpoint at {}'.format(checkpoint))",
      "RuntimeError: Failed to load checkpoint at logs-Tacotron-2/wave_pretrained/",
      "",
    ].join("\n");
    assert.equal((await primaryOf("alone.log", text))?.category, "checkpoint_corrupt");
  });

  test("an unrelated AttributeError before a failed load of a broken file does not hide it", async () => {
    const text = chain("AttributeError: 'NoneType' object has no attribute 'shape'", "RuntimeError: Failed to load checkpoint at logs/ckpt.pt");
    assert.equal((await primaryOf("other.log", text))?.category, "checkpoint_corrupt");
  });
});
