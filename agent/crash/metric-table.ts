/**
 * Loss values printed as a table: a header line naming the columns, then one row per epoch or step
 * (fastai's `epoch  train_loss  valid_loss  accuracy  time`, the Hugging Face Trainer's notebook table
 * `Step\tTraining Loss\tValidation Loss`, pandas frames of a Keras history). The rules read a line at a
 * time, so a row `0\tnan\tnan\t0.958595\t00:03` says nothing to them without its header; this reads
 * the kept lines as a whole and finds the last row whose loss is NaN or infinite.
 */
import { keptLineFinding, type KeptLines } from "./failure.js";
import { normaliseLine } from "./traceback.js";
import type { CrashFinding } from "./types.js";

/** Cells: tab-separated, aligned with two or more spaces, or between pipes / box-drawing bars. */
const CELL_SPLIT = /\t+|\s{2,}|\s*[|│┃]\s*/;
/** A loss column (`train_loss`, `Validation Loss`, `loss`, `train/loss`); not a best-so-far or a scale. */
const LOSS_COLUMN = /^(?:(?!best|min|lowest|prev)[a-z]+[ _/.]){0,2}loss$/i;
/** Columns of held-out data: nan there alone can be an empty validation set, not a diverged run. */
const HELD_OUT_COLUMN = /^(?:val|valid|validation|eval|test)(?![a-z])/i;
const NON_FINITE = /^[-+]?(?:nan|inf|infinity)$/i;
/** A header's cells are names: none is a number or a non-finite value. */
const NAME_CELL = /^[a-z][\w ./%()-]*$/i;
/** A row starts with its epoch or step number. */
const ROW_START = /^\d+$/;
/** How far after its header a row may be (progress bars and warnings print between rows). */
const MAX_ROWS_AFTER_HEADER = 400;

/** Whether a line has cell separators (a tab, aligned columns, bars); without them cells are words. */
const HAS_SEPARATOR = /\t|\S\s{2,}\S|[|│┃]/;
/** A header whose cells are single-spaced (fastai v1's `epoch train loss valid loss accuracy_thresh`): "train loss" is one name. */
const SPACED_HEADER_CELL = /(?:[a-z]+ )?loss\b|\S+/gi;

function cells(line: string, header = false): string[] {
  const s = normaliseLine(line).trim();
  if (HAS_SEPARATOR.test(s)) return s.split(CELL_SPLIT).filter((c) => c !== "");
  return header ? (s.match(SPACED_HEADER_CELL) ?? []) : s.split(/\s+/).filter((c) => c !== "");
}

interface Header {
  at: number;
  /** The header's cells (column names). */
  names: string[];
  /** Indexes of its loss columns. */
  loss: number[];
}

/**
 * A character that is in no header cell (NAME_CELL) and no separator: a line holding one, such as a trainer's
 * `{'loss': 1.2, ...}` record, is no header, whose cells would then not all be names.
 */
const NOT_IN_HEADER = /[^\w\s.\/%()|│┃-]/;

function headerOf(line: string, at: number): Header | null {
  if (!/loss/i.test(line) || NOT_IN_HEADER.test(normaliseLine(line))) return null;
  const c = cells(line, true);
  if (c.length < 3 || !c.every((x) => NAME_CELL.test(x) && !NON_FINITE.test(x))) return null;
  const loss = c.flatMap((x, i) => (LOSS_COLUMN.test(x) ? [i] : []));
  return loss.length ? { at, names: c, loss } : null;
}

/** The column of a row under this header that shows a diverged loss (a training loss non-finite, or every loss column), or -1. */
function divergedColumn(h: Header, row: string[]): number {
  if (row.length !== h.names.length || !ROW_START.test(row[0]!)) return -1;
  const bad = h.loss.filter((i) => NON_FINITE.test(row[i]!));
  if (bad.length === 0) return -1;
  if (bad.length === h.loss.length) return bad[0]!;
  return bad.find((i) => !HELD_OUT_COLUMN.test(h.names[i]!)) ?? -1;
}

/**
 * The last table row of the kept lines whose loss is NaN/Inf, as a nan_loss finding (role cause,
 * priority 0, like the per-line NaN rules), or null. `finalIncident` is left to the caller.
 */
export function metricTableFinding(file: string, kept: KeptLines): CrashFinding | null {
  let header: Header | null = null;
  let found: { at: number; column: string; value: string } | null = null;
  for (let i = 0; i < kept.lines.length; i++) {
    const line = kept.lines[i]!;
    const h = headerOf(line, i);
    if (h) {
      header = h;
      continue;
    }
    if (!header || i - header.at > MAX_ROWS_AFTER_HEADER || !/nan|inf/i.test(line)) continue;
    const row = cells(line);
    const c = divergedColumn(header, row);
    if (c >= 0) found = { at: i, column: header.names[c]!, value: row[c]! };
  }
  if (!found) return null;
  return keptLineFinding(file, kept, found.at, {
    category: "nan_loss",
    ruleId: "nan_loss_table",
    suggestion: `The training table shows ${found.column} = ${found.value}: the loss diverged (NaN/Inf). Lower the learning rate or add warm-up, clip gradients, check the data for NaN/Inf and bad labels, and with fp16 use a dynamic loss scale (or bf16); restart from the last checkpoint before the loss went bad.`,
    signatureKey: found.column,
    priority: 0,
  });
}
