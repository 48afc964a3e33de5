/**
 * Twenty-sixth rules round (issue 10), the lead's part, on the studied fresh18 (docs/crash-accuracy.md, "Twenty-sixth
 * round, the lead", items 692-): torch.multiprocessing.spawn's report of a child that died of SIGABRT (`process 0
 * terminated with signal SIGABRT`, in any torch since 1.0: a plain `Exception` before 1.8, `ProcessExitedException`
 * after) is the abort it names, segfault by the conventions, with the cause it printed first winning as for every
 * abort; W&B's sweep agent's report of runs that raised (`Run <id> errored: IndexError('...')`, `Detected 3 failed runs
 * in the first 60 seconds, killing sweep.`) is the run's exception, python_exception unless its message names a
 * category.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twenty-sixth-round-lead-");

/** torch.multiprocessing.spawn's join() raising for a child that died of `signal` (torch/multiprocessing/spawn.py). */
function spawnDeath(signal: string, excType: string, before: string[] = []): string {
  return [
    ...before,
    "Traceback (most recent call last):",
    '  File "tools/run_net.py", line 178, in <module>',
    "    main()",
    '  File "/venv/lib/python3.8/site-packages/torch/multiprocessing/spawn.py", line 107, in join',
    "    (error_index, name)",
    `${excType}: process 0 terminated with signal ${signal}`,
    "",
  ].join("\n");
}

describe("twenty-sixth round (lead): torch.multiprocessing.spawn's signal deaths", () => {
  test("zzzc slowfast-34 (Qt's assertion, then spawn's SIGABRT) reads segfault", async () => {
    const file = "segfault/zzzc-slowfast-34-demo-qasciikey-assert-sigabrt.log";
    assert.equal((await primaryOf("slowfast.log", corpus(file)))?.category, "segfault");
  });

  const deaths: [string, string, string][] = [
    ["SIGABRT", "Exception", "segfault"],
    ["SIGABRT", "torch.multiprocessing.spawn.ProcessExitedException", "segfault"],
    ["SIGSEGV", "torch.multiprocessing.spawn.ProcessExitedException", "segfault"],
    ["SIGBUS", "Exception", "segfault"],
    ["SIGKILL", "torch.multiprocessing.spawn.ProcessExitedException", "process_killed"],
    ["SIGTERM", "Exception", "process_killed"],
  ];
  for (const [signal, type, want] of deaths) {
    test(`${type}: process 0 terminated with signal ${signal} reads ${want}`, async () => {
      assert.equal((await primaryOf("spawn.log", spawnDeath(signal, type)))?.category, want);
    });
  }

  test("a cause the child printed before its abort wins (a device-side assert, then spawn's SIGABRT)", async () => {
    const before = [
      "RuntimeError: CUDA error: device-side assert triggered",
      "terminate called after throwing an instance of 'c10::Error'",
      "  what():  CUDA error: device-side assert triggered",
    ];
    assert.equal((await primaryOf("spawn.log", spawnDeath("SIGABRT", "Exception", before)))?.category, "cuda_error");
  });
});

describe("twenty-sixth round (lead): W&B's sweep agent reporting runs that raised", () => {
  test("zzzb wandb-4628 (three runs errored with IndexError, the agent kills the sweep) reads python_exception", async () => {
    const file = "python_exception/zzzb-wandb-4628-sweep-agent-indexerror-killing-sweep.log";
    assert.deepEqual(await primaryOf("sweep.log", corpus(file)), { category: "python_exception", ruleId: "python_sweep_runs_failed" });
  });

  test("the CLI agent's wording (`..., shutting down.`) alone reads python_exception", async () => {
    const text = "2023-04-02 10:11:12,345 - wandb.wandb_agent - ERROR - Detected 5 failed runs in the first 60 seconds, shutting down.\n";
    assert.equal((await primaryOf("agent.log", text))?.category, "python_exception");
  });

  test("pyagent's count of failures at start (`... in a row at start, killing sweep.`) reads python_exception", async () => {
    const text = "wandb: ERROR Detected 5 failed runs in a row at start, killing sweep.\n";
    assert.equal((await primaryOf("agent.log", text))?.category, "python_exception");
  });

  test("a run that errored with a CUDA OOM reads cuda_oom (the message names the category)", async () => {
    const text = [
      "wandb: Agent Starting Run: 0jbbwa4t with config:",
      "wandb: ERROR Run 0jbbwa4t errored: OutOfMemoryError('CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 23.69 GiB total capacity; 20.10 GiB already allocated)')",
      "wandb: ERROR Detected 3 failed runs in the first 60 seconds, killing sweep.",
      "wandb: To disable this check set WANDB_AGENT_DISABLE_FLAPPING=true",
      "",
    ].join("\n");
    assert.equal((await primaryOf("agent.log", text))?.category, "cuda_oom");
  });

  // Near misses: the words without a failure.
  const healthy: [string, string][] = [
    ["a run that finished", "wandb: Agent Starting Run: mu8l3q87 with config:\nwandb: Run mu8l3q87 finished: val_loss 0.298\nwandb: Synced mu8l3q87: https://wandb.ai/u/p/runs/mu8l3q87\n"],
    ["the check's setting in a config dump", "env: WANDB_AGENT_DISABLE_FLAPPING=true, WANDB_AGENT_MAX_INITIAL_FAILURES=3\n"],
    ["a Qt assertion warning in prose", "Note: Qt may print ASSERT messages when no display is attached; training continues.\nEpoch 1: loss=0.41\n"],
  ];
  for (const [what, text] of healthy) {
    test(`${what}: no crash`, async () => {
      assert.equal(await primaryOf("healthy.log", text), null);
    });
  }
});
