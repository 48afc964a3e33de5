/**
 * Twenty-fourth rules round (issue 10), tune collection zzt (CUDA errors beyond OOM, OOM in disguise, wrapper-reported
 * signal deaths, healthy logs): from its first-contact misses, the readings that hold for logs not seen. A training
 * loop that catches torch's out-of-memory error, skips the batch and goes on says so in its own words (fairseq's and
 * ParlAI's `ran out of memory, skipping batch`, OpenNMT-py's `cuda OOM - batch removed`, a loop of the user's own
 * `CUDA OOM Error during batch execution, skipping batch.`): the OOM it printed just above is history, not the end of
 * the run (docs/crash-accuracy.md, "Twenty-fourth round: tune collection zzt"). Real lines name where they come from;
 * near misses must not be the rule (null: no rule at all); whole texts check the primary choice on the corpus entries.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twenty-fourth-round-zzt-");

describe("twenty-fourth round (zzt): rule families", () => {
  const families: Family[] = [
    {
      // A loop that caught a GPU OOM, skipped the batch and went on: a warning that makes the OOM line up to 3 lines
      // above it history (trait recovers_above), and explains a failure that follows (explains_failure).
      rule: "cuda_oom_batch_skipped",
      real: [
        ["crash-corpus zzt minkowskiengine-359, https://github.com/NVIDIA/MinkowskiEngine/issues/359 (the user's loop)", "2021-06-02 15:51:03 dev-ssh-geza root[14429] WARNING CUDA OOM Error during batch execution, skipping batch."],
        ["https://github.com/SivilTaram/Persona-Dialogue-Generation/issues/5 (ParlAI's trainer)", "| WARNING: ran out of memory, skipping batch. if this happens frequently, decrease batchsize or truncate the inputs to the model"],
        ["ParlAI's torch_agent (find_string 'out of memory, skipping batch': logging.error of this text)", "Ran out of memory, skipping batch. if this happens frequently, decrease batchsize or truncate the inputs to the model."],
        ["fairseq's trainer (the form the rule held before this round)", "| WARNING: ran out of memory, skipping batch"],
        ["find_string 'out of memory, skipping batch' (a training loop's print)", "  >> WARN: Run out of memory, skipping batch!"],
        ["find_string 'out of memory, skipping batch' (a training loop's print)", "**WARNING**: ran out of memory, skipping batch"],
        ["find_string 'out of memory, skipping batch': print(f\"CUDA out of memory, skipping batch {batch_idx}\") with a batch index", "CUDA out of memory, skipping batch 17"],
        ["OpenNMT-py's trainer (find_string 'OOM - batch removed': logger.info(\"Step %d, cuda OOM - batch removed\", step))", "Step 1200, cuda OOM - batch removed"],
        ["OpenNMT-py's newer trainer (find_string: logger.warning(\"Step %d, CUDA OOM - batch removed (src shape: %s, tgt shape: %s)\"))", "Step 1200, CUDA OOM - batch removed (src shape: torch.Size([52, 64, 1]), tgt shape: torch.Size([60, 64, 1]))"],
      ],
      nearMiss: [
        // The caught error itself stays the fatal OOM reading (the warning below it is what demotes it).
        ["2021-06-02 15:51:03 dev-ssh-geza root[14429] DEBUG CUDA out of memory. Tried to allocate 422.00 MiB (GPU 0; 15.78 GiB total capacity; 13.10 GiB already allocated; 372.75 MiB free; 13.78 GiB reserved in total by PyTorch)", "cuda_oom_alloc"],
        // The same words in the source a traceback may quote.
        ["                    print('| WARNING: ran out of memory, skipping batch')", null],
        ["                            print(f\"CUDA out of memory, skipping batch {batch_idx}\")", null],
        ["                    logger.info(\"Step %d, cuda OOM - batch removed\",", null],
        ["    if 'out of memory' in str(e):", null],
        // Skipped batches for other reasons, and prose.
        ["NaN loss, skipping batch", null],
        ["Skipping batch 12: empty targets", null],
        ["Out of memory errors are handled by skipping batches", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("twenty-fourth round (zzt): whole entries", () => {
  const minkowski = corpus("none/zzt-minkowskiengine-359-oom-skipped-batch-goes-on.log");

  test("zzt minkowskiengine-359: OOMs caught and skipped, the run goes on, no crash", async () => {
    assert.equal(await primaryOf("minkowskiengine-359.log", minkowski), null);
  });

  test("the same loop's OOM that is not caught still ends the run as cuda_oom (texts joined from the entry's lines)", async () => {
    // The entry's own uncaught-OOM line last, with no skipping notice after it.
    const uncaught = "2021-06-02 15:51:20 dev-ssh-geza root[14429] DEBUG CUDA out of memory. Tried to allocate 422.00 MiB (GPU 0; 15.78 GiB total capacity; 13.10 GiB already allocated; 372.75 MiB free; 13.78 GiB reserved in total by PyTorch)\n";
    assert.equal((await primaryOf("minkowskiengine-359-uncaught.log", minkowski + uncaught))?.category, "cuda_oom");
  });

  test("a skipped batch before a later crash explains it: the caught OOM is the cause", async () => {
    // fairseq's form after THC's OOM line, then the run dies with an exception of its own (python_exception shape).
    const text = "RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 7.93 GiB total capacity; 7.20 GiB already allocated; 17.56 MiB free; 46.25 MiB cached)\n"
      + "| WARNING: ran out of memory, skipping batch. if this happens frequently, decrease batchsize or truncate the inputs to the model\n"
      + "Traceback (most recent call last):\n  File \"train.py\", line 12, in <module>\n    main()\nUnboundLocalError: local variable 'logging_output' referenced before assignment\n";
    assert.equal((await primaryOf("skipped-then-crash.log", text))?.category, "cuda_oom");
  });
});
