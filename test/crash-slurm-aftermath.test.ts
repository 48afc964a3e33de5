/**
 * Slurm's kill-on-bad-exit after a failure (`srun --kill-on-bad-exit`, the default of many sites): once
 * one task fails, slurmstepd cancels the step and srun reports the other tasks as `Terminated`. Those
 * lines are the failure's aftermath (rule trait `consequence`), so a log whose own failure is a
 * traceback cut before its exception line, or ranks stuck waiting in a store barrier, still names that
 * failure, as it does without Slurm's lines. Measured on the studied tune split with these five lines
 * appended to every crash: 1591 -> 1615 of 1636 right as collected (docs/crash-accuracy.md).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner } from "./helpers/crash-families.js";

const scan = primaryScanner(await loadRules(), "trainsafe-slurm-aftermath-");
const primary = async (text: string, name: string) => (await scan(name, text))?.category ?? "none";

// Slurm's lines for a step whose task 0 failed while task 1 still ran (srun --kill-on-bad-exit).
const KILL_ON_BAD_EXIT = [
  "srun: error: gpu-node-07: task 0: Exited with exit code 1",
  "srun: Terminating StepId=424242.0",
  "slurmstepd: error: *** STEP 424242.0 ON gpu-node-07 CANCELLED AT 2024-05-08T08:50:01 DUE TO TASK FAILURE ***",
  "srun: error: gpu-node-08: task 1: Terminated",
  "srun: Force Terminated StepId=424242.0",
].join("\n") + "\n";

for (const [file, label] of [
  // An IPython traceback cut before its exception line: its header names MemoryError.
  ["host_oom/fastai-1195-tokenizer-memoryerror.log", "host_oom"],
  // Ranks waiting in init_process_group's store-based barrier when the log ends.
  ["timeout/yolov5-4574-waiting-store-based-barrier-worker-count-8.log", "timeout"],
] as const) {
  test(`${file}: Slurm's kill-on-bad-exit lines after it leave its reading (${label})`, async () => {
    const text = corpus(file);
    const base = text.endsWith("\n") ? text : `${text}\n`;
    assert.equal(await primary(base, "as-collected.log"), label);
    assert.equal(await primary(base + KILL_ON_BAD_EXIT, "with-slurm.log"), label);
  });
}

test("Slurm's kill-on-bad-exit alone is still read as a kill", async () => {
  assert.equal(await primary("step 120 loss 2.31\nstep 121 loss 2.29\n" + KILL_ON_BAD_EXIT, "alone.log"), "process_killed");
});
