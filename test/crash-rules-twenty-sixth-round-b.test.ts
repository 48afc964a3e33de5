/**
 * Twenty-sixth rules round (issue 10), part B, on the studied fresh19: from its misses, the readings that hold for
 * logs not seen (docs/crash-accuracy.md, "Twenty-sixth round, on the studied fresh19", items 760-).
 * - Real-ESRGAN's hint after an error its inference script caught (`If you encounter CUDA out of memory, try to set
 *   --tile with a smaller number.`): the out-of-memory line just above it is history (trait recovers_above).
 * Real lines name where they come from; near misses must not be the rule (null: no rule at all).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twenty-sixth-round-b-");

const TILE_HINT = "If you encounter CUDA out of memory, try to set --tile with a smaller number.";

describe("twenty-sixth round (part B): rule families", () => {
  const families: Family[] = [
    {
      rule: "cuda_oom_caught_tile_hint",
      real: [
        ["crash-corpus heldout real-esrgan-272, https://github.com/xinntao/Real-ESRGAN/issues/272", TILE_HINT],
        ["crash-corpus fresh19 zzzf-real-esrgan-861, https://github.com/xinntao/Real-ESRGAN/issues/861", TILE_HINT],
      ],
      nearMiss: [
        // The scripts' own source (inference_realesrgan.py and its forks, find_string): code, no hint that an error was
        // caught; the generic rule reads its words as before this round.
        ["            print('If you encounter CUDA out of memory, try to set --tile with a smaller number.')", "cuda_oom_generic"],
        ["                'If you encounter CUDA out of memory, try to set --tile with a smaller number.')", "cuda_oom_generic"],
        ["                \"If you encounter CUDA out of memory, try to set --tile with a smaller number.\"", "cuda_oom_generic"],
        // Other advice that names the error is no hint of a caught one: the error's own words still count.
        ["If you encounter CUDA out of memory, lower the batch size.", "cuda_oom_generic"],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("twenty-sixth round (part B): whole entries", () => {
  const entries: [string, string | null, string | null][] = [
    ["none/zzzf-real-esrgan-861-anime6b-oom-caught-next-image-healthy.log", null, null],
    // The same hint after a host allocation failure: the hint recovers only GPU out-of-memory lines.
    ["host_oom/real-esrgan-272-cpuallocator.log", "host_oom", "host_oom_cpu_allocator"],
  ];
  for (const [file, category, ruleId] of entries) {
    test(`${file.split("/")[1]} reads ${category ?? "no crash"}`, async () => {
      const got = await primaryOf(file.split("/")[1]!, corpus(file));
      assert.deepEqual(got, category ? { category, ruleId } : null);
    });
  }
});

describe("twenty-sixth round (part B): an out-of-memory error Real-ESRGAN caught", () => {
  // Real-ESRGAN#437's output (https://github.com/xinntao/Real-ESRGAN/issues/437): the error line without the hint.
  const oom = "Error CUDA out of memory. Tried to allocate 4.00 GiB (GPU 0; 16.00 GiB total capacity; 10.29 GiB already allocated; 0 bytes free; 13.32 GiB reserved in total by PyTorch)";

  test("the error and the hint, whether the next image follows or the log ends: no crash", async () => {
    assert.equal(await primaryOf("caught-next.log", `Testing 0 02\n${oom}\n${TILE_HINT}\nTesting 1 03\n`), null);
    assert.equal(await primaryOf("caught-end.log", `Testing 0 02\n${oom}\n${TILE_HINT}\n`), null);
  });

  test("the error without the hint is the out-of-memory error", async () => {
    assert.deepEqual(await primaryOf("uncaught.log", `Testing 0 02\n${oom}\n`), { category: "cuda_oom", ruleId: "cuda_oom_alloc" });
  });

  test("a fork that prints the hint and raises the error again: the traceback after it is the out-of-memory error", async () => {
    // Constructed after a fork's code (find_string: `print('If you encounter ...')` then `raise error`).
    const raised = [
      "Testing 0 02",
      oom,
      TILE_HINT,
      "Traceback (most recent call last):",
      '  File "inference_realesrgan.py", line 166, in <module>',
      "    main()",
      '  File "inference_realesrgan.py", line 145, in main',
      "    raise error",
      `RuntimeError: ${oom.slice("Error ".length)}`,
    ];
    assert.equal((await primaryOf("raised.log", `${raised.join("\n")}\n`))?.category, "cuda_oom");
  });

  test("an out-of-memory error further above than the hint reaches stays the failure", async () => {
    const far = ["Testing 0 02", oom, ...Array.from({ length: 12 }, (_, i) => `	Tile ${i + 1}/12`), TILE_HINT];
    assert.equal((await primaryOf("far.log", `${far.join("\n")}\n`))?.category, "cuda_oom");
  });
});

