/**
 * Shared by the dictionary tests (test/crash-rules-dictionary*.test.ts): the line shapes error texts are placed in
 * (a training run's progress, a Python traceback, a healthy run that goes on) and the table runner that scans each row
 * as a whole text and counts the rows read right.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";

export type Want =
  | "cuda_oom" | "cuda_error" | "nccl_error" | "process_killed" | "timeout" | "import_error" | "disk_full"
  | "nan_loss" | "segfault" | "gpu_hardware" | "checkpoint_corrupt" | "host_oom" | "python_exception" | "none";

/** [the text as a log holds it, the category it must get, where the error text was read] */
export type Row = [text: string, want: Want, source: string];

export const PROGRESS = [
  "Epoch 3/20:  41%|████      | 412/1000 [05:12<07:26,  1.32it/s, loss=0.4121, lr=2.0e-05]",
  "{'loss': 0.4093, 'grad_norm': 1.873, 'learning_rate': 1.98e-05, 'epoch': 3.41}",
];

/** A Python traceback from a training script ending in `last` (one or more lines). */
export function pyTrace(last: string | string[], frames: string[] = []): string {
  return [
    ...PROGRESS,
    "Traceback (most recent call last):",
    '  File "/workspace/train.py", line 212, in <module>',
    "    main()",
    '  File "/workspace/train.py", line 187, in main',
    "    loss = train_step(model, batch, optimizer)",
    ...frames,
    ...(Array.isArray(last) ? last : [last]),
    "",
  ].join("\n");
}

/** A healthy run that prints `lines` and goes on to finish. */
export function healthy(lines: string[]): string {
  return [
    ...lines,
    ...PROGRESS,
    "Epoch 3/20: 100%|██████████| 1000/1000 [12:38<00:00,  1.32it/s, loss=0.3977, lr=2.0e-05]",
    "Saving model checkpoint to ./output/checkpoint-3000",
    "Training completed. Do not forget to share your model on huggingface.co/models =)",
    "",
  ].join("\n");
}

/**
 * One test per family of rows: each row's text is scanned by `primaryOf` and must get its category. The diagnostic
 * `dictionary <n>. <right>/<rows> rows right` is the figure the accuracy doc quotes.
 */
export function testDictionary(
  title: string,
  families: Record<string, Row[]>,
  primaryOf: (name: string, text: string) => Promise<{ category: string } | null>,
): void {
  describe(title, () => {
    for (const [family, rows] of Object.entries(families)) {
      test(family, async (t) => {
        const wrong: string[] = [];
        for (const [i, [text, want, source]] of rows.entries()) {
          const got = (await primaryOf(`row-${i}.log`, text))?.category ?? "none";
          if (got !== want) {
            const line = text.split("\n").filter((l) => l.trim()).slice(PROGRESS.length, PROGRESS.length + 99).find((l) => !/^\s+(File|\S+\(|sys\.exit|raise|return|torch\.|loss|main|Variable)/.test(l) && !l.startsWith("Traceback")) ?? text;
            wrong.push(`  row ${i} (${source}): want ${want}, got ${got}: ${line.slice(0, 160)}`);
          }
        }
        t.diagnostic(`dictionary ${family.split(" ")[0]} ${rows.length - wrong.length}/${rows.length} rows right`);
        assert.equal(wrong.length, 0, `${wrong.length} of ${rows.length} rows read wrong:\n${wrong.join("\n")}`);
      });
    }
  });
}

/**
 * torchrun's report that a worker failed (torch/distributed/elastic): the agent's `failed (exitcode: N)` record, the
 * ChildFailedError raised through the launcher's `frames` (torchrun's, accelerate's), and its Root Cause table, whose
 * `traceback` row names the signal or points at the docs.
 */
export function childFailedReport(o: { exitcode: number; pid: number; rank: number; frames: string[]; traceback: string }): string[] {
  return [
    `ERROR:torch.distributed.elastic.multiprocessing.api:failed (exitcode: ${o.exitcode}) local_rank: ${o.rank} (pid: ${o.pid}) of binary: /usr/bin/python3`,
    "Traceback (most recent call last):",
    ...o.frames,
    "    raise ChildFailedError(",
    "torch.distributed.elastic.multiprocessing.errors.ChildFailedError: ",
    "============================================================",
    "train.py FAILED",
    "------------------------------------------------------------",
    "Failures:",
    "  <NO_OTHER_FAILURES>",
    "------------------------------------------------------------",
    "Root Cause (first observed failure):",
    "[0]:",
    "  time      : 2024-05-02_10:11:12",
    "  host      : gpu-node-07",
    `  rank      : ${o.rank} (local_rank: ${o.rank})`,
    `  exitcode  : ${o.exitcode} (pid: ${o.pid})`,
    "  error_file: <N/A>",
    `  traceback : ${o.traceback}`,
    "============================================================",
  ];
}
