/**
 * What the supervisor keeps across its own restarts, under BASE_DIR/.trainsafe/:
 * - restarts.json: the restart history the budget decides on (a restarted supervisor must not get a
 *   fresh budget, or a crash-looping supervisor would restart the daemon without limit);
 * - progress.json: the last step seen and when it changed, so a `--once` pass from cron (or a new
 *   supervisor adopting a daemon) continues the hang clock instead of restarting it.
 * Both are written atomically; unreadable files are reported, never thrown.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { Layout } from "../config/layout.js";
import { readJsonFile, writeFileAtomic } from "../lib/files.js";
import { lazySchema, UNUSUAL } from "../lib/schema.js";
import type { RestartRecord } from "./budget.js";

/** Most restart records kept: far more than any window needs, small enough to rewrite each time. */
export const MAX_RESTART_RECORDS = 200;

/** Folder of the supervisor's own state inside BASE_DIR. */
export function stateDir(layout: Layout): string {
  return path.join(layout.baseDir, ".trainsafe");
}

export function restartsFile(layout: Layout): string {
  return path.join(stateDir(layout), "restarts.json");
}

export function progressFile(layout: Layout): string {
  return path.join(stateDir(layout), "progress.json");
}

// The schemas of this file are built when a file is first read: a process that reads none of them
// (`trainsafe check` on a folder no supervisor ran in) does not load zod for them (lib/schema.ts).
const restartsSchema = lazySchema(
  () => UNUSUAL,
  () =>
    z.object({
      version: z.literal(1),
      records: z.array(
        z.object({
          atMs: z.number().finite(),
          delayMs: z.number().finite().nonnegative(),
          cause: z.string().optional(),
        }),
      ),
    }),
);

export interface LoadedHistory {
  readonly records: RestartRecord[];
  /** Set when the file existed but could not be used: the caller logs it (and starts empty). */
  readonly problem?: string;
}

/** Reads the persisted restart history; a missing file is an empty history. */
export async function loadRestartHistory(layout: Layout): Promise<LoadedHistory> {
  const r = await readJsonFile(restartsFile(layout), restartsSchema);
  if (r.ok) return { records: r.value.records.map((x) => ({ ...x })) };
  if (r.reason === "missing") return { records: [] };
  return { records: [], problem: r.message };
}

/** Writes the restart history (newest MAX_RESTART_RECORDS records) atomically. */
export async function saveRestartHistory(layout: Layout, records: ReadonlyArray<RestartRecord>): Promise<void> {
  await fsp.mkdir(stateDir(layout), { recursive: true });
  const kept = [...records].sort((a, b) => a.atMs - b.atMs).slice(-MAX_RESTART_RECORDS);
  await writeFileAtomic(restartsFile(layout), JSON.stringify({ version: 1, records: kept }, null, 2) + "\n");
}

/** Progress as last observed, tied to one daemon process so a different daemon never inherits it. */
export interface ProgressState {
  readonly pid: number;
  readonly startTicks: number;
  readonly step: number | null;
  readonly phase: string;
  /** When the step (or phase) last changed, ms since the epoch. */
  readonly changedAtMs: number;
}

const progressSchema = lazySchema(
  () => UNUSUAL,
  () =>
    z.object({
      pid: z.number().int().positive(),
      startTicks: z.number().int().nonnegative(),
      step: z.number().finite().nullable(),
      phase: z.string(),
      changedAtMs: z.number().finite(),
    }),
);

/** The persisted progress state, or null when missing or unusable (the hang clock then starts now). */
export async function loadProgress(layout: Layout): Promise<ProgressState | null> {
  const r = await readJsonFile(progressFile(layout), progressSchema);
  return r.ok ? r.value : null;
}

/** Persists the progress state atomically. */
export async function saveProgress(layout: Layout, p: ProgressState): Promise<void> {
  await fsp.mkdir(stateDir(layout), { recursive: true });
  await writeFileAtomic(progressFile(layout), JSON.stringify(p) + "\n");
}

export function holdFile(layout: Layout): string {
  return path.join(stateDir(layout), "hold.json");
}

/** An operator's hold: nothing restarts, adopts or signals the daemon until a restart is asked for. */
export interface HoldState {
  readonly reason: string;
  readonly atMs: number;
}

const holdSchema = lazySchema(
  () => UNUSUAL,
  () => z.object({ reason: z.string(), atMs: z.number().finite() }),
);

/**
 * The persisted hold, or null when none. A hold file that cannot be read still holds (with a reason
 * saying so): a torn write must never turn an operator's stop into a restart.
 */
export async function loadHold(layout: Layout): Promise<HoldState | null> {
  const r = await readJsonFile(holdFile(layout), holdSchema);
  if (r.ok) return r.value;
  if (r.reason === "missing") return null;
  return { reason: `hold file unreadable (${r.message}); still held`, atMs: 0 };
}

/** Persists the hold (atomically) so that it survives a restart of the agent or the supervisor. */
export async function saveHold(layout: Layout, hold: HoldState): Promise<void> {
  await fsp.mkdir(stateDir(layout), { recursive: true });
  await writeFileAtomic(holdFile(layout), JSON.stringify(hold) + "\n");
}

/** Lifts the hold. */
export async function clearHold(layout: Layout): Promise<void> {
  await fsp.rm(holdFile(layout), { force: true });
}
