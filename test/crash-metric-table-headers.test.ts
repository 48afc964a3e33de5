/**
 * The metric-table reader's header test (agent/crash/metric-table.ts, headerOf): a line holding a character
 * that no column name and no separator has (a trainer's `{'loss': 1.2, ...}` record) is ruled out before its
 * cells are split. Every header form the reader knows must still be read, with each kind of character a
 * column name or a separator may hold, and the lines it rules out must be those it rejected before.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { metricTableFinding } from "../agent/crash/metric-table.js";

const kept = (lines: string[]) => ({ lines, firstLine: 1, offsets: lines.map(() => null) });
const columnOf = (lines: string[]) => metricTableFinding("table.log", kept(lines))?.text;

/** Header forms, each with a row whose loss is nan (the reader's finding names that row). */
const TABLES: ReadonlyArray<{ name: string; header: string; row: string }> = [
  { name: "tabs (Hugging Face notebook)", header: "Step\tTraining Loss\tValidation Loss\tWer", row: "800\t    nan\t    nan\t    1.000000" },
  { name: "aligned with spaces (fastai)", header: "epoch     train_loss  valid_loss  accuracy  time", row: "3         nan         nan         0.958595  00:03" },
  { name: "single spaces (fastai v1)", header: "epoch train loss valid loss accuracy_thresh", row: "3 nan nan 0.958595" },
  { name: "pipes, with a slash, parentheses, a percent sign, a dot and a hyphen", header: "| epoch | train/loss | valid_loss (avg) | acc% | lr.scale | wall-time |", row: "| 3 | nan | nan | 0.5 | 1.0 | 12 |" },
  { name: "box-drawing bars (rich)", header: "┃ epoch ┃ train_loss ┃ valid_loss ┃ time ┃", row: "┃ 3 ┃ nan ┃ nan ┃ 00:03 ┃" },
  { name: "light bars", header: "│ epoch │ train_loss │ valid_loss │ time │", row: "│ 3 │ nan │ nan │ 00:03 │" },
  { name: "behind a markdown quote (normalised away)", header: "> epoch  train_loss  valid_loss  time", row: "3  nan  nan  00:03" },
];

test("every header form is still read, whatever characters its names and separators hold", () => {
  for (const t of TABLES) {
    assert.equal(columnOf([t.header, t.row]), t.row, t.name);
  }
});

test("a line holding a character no header has is not a header, as before", () => {
  const row = "3  nan  nan  00:03";
  for (const header of [
    "{'loss': 1.2, 'grad_norm': 0.5, 'epoch': 0.1}", // a trainer's record
    "epoch  train_loss  valid_loss  time:", // a colon
    "epoch  train_loss  valid_loss  time, s", // a comma
    "epoch  train_loss  valid_loss  'time'", // quotes
    "epoch  train_loss  valid_loss  time=s", // an equals sign
    "epoch  train_loss  valid_loss  [time]", // brackets
  ]) {
    assert.equal(columnOf([header, row]), undefined, header);
  }
  // The same header without the odd character is read.
  assert.equal(columnOf(["epoch  train_loss  valid_loss  time", row]), row);
});
