/**
 * One checkpoint folder (`checkpoint-N/`) checked for completeness without loading tensors:
 * trainer_state.json (global_step must equal N), model weights of the expected kind (full model:
 * model.safetensors or the shards of model.safetensors.index.json; LoRA: adapter_model.safetensors +
 * adapter_config.json), optimizer.pt and scheduler.pt, each verified at the header level.
 */
import path from "node:path";
import { z } from "zod";
import { describeError } from "../lib/errors.js";
import { readJsonFile } from "../lib/files.js";
import { files as fsp } from "../lib/fs-mode.js";
import { mapConcurrent } from "../lib/concurrent.js";
import { fast, lazyLooseObject } from "../lib/schema.js";
import { checkDeepspeedTagDir } from "./deepspeed.js";
import { checkSafetensors } from "./safetensors.js";
import { checkZip } from "./zip.js";

export type TrainingKind = "full" | "lora";

/** The folder names Transformers' get_last_checkpoint considers (anything else there is ignored by it, and by us). */
export const CHECKPOINT_RE = /^checkpoint-(\d+)$/;
/** File system calls a reader keeps in flight at once (lib/concurrent.ts). */
export const FILE_CALLS_IN_FLIGHT = 8;
const TORCH_FILE_RE = /\.(pt|pth|bin|ckpt|tar|safetensors)$/i;

export interface CheckpointEntry {
  name: string;
  path: string;
  /** N of checkpoint-N, or null when the name has no valid step. */
  step: number | null;
  isDir: boolean;
  mtimeMs: number;
}

export interface CheckpointCheck {
  name: string;
  step: number | null;
  complete: boolean;
  problems: string[];
  mtimeMs: number;
  path: string;
  /** Kind of weights found on disk (null when none were found). */
  kindOnDisk: TrainingKind | null;
  /** What a resume from it will really do that is not a failure (a fresh optimizer). */
  warnings: string[];
}

/**
 * Lists `checkpoint-*` entries of `modelDir` (folders and stray files alike, so a file named
 * checkpoint-5 becomes a finding). A missing folder means no checkpoints; never throws.
 */
export async function listCheckpointEntries(modelDir: string): Promise<{ entries: CheckpointEntry[]; problem: string | null }> {
  let names: string[];
  try {
    names = await fsp.readdir(modelDir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { entries: [], problem: null };
    if (code === "ENOTDIR") return { entries: [], problem: `${modelDir}: is a file, not the checkpoint folder` };
    return { entries: [], problem: `${modelDir}: cannot list (${describeError(err)})` };
  }
  // checkpoint-N.pt and friends are torch.save files of a script's own (agent/guard/layouts.ts).
  const wanted = names.sort().filter((name) => name.startsWith("checkpoint-") && !TORCH_FILE_RE.test(name));
  const entries = await mapConcurrent(wanted, FILE_CALLS_IN_FLIGHT, async (name): Promise<CheckpointEntry> => {
    const p = path.join(modelDir, name);
    const st = await fsp.stat(p).catch(() => null);
    const m = CHECKPOINT_RE.exec(name);
    const step = m && Number.isSafeInteger(Number(m[1])) ? Number(m[1]) : null;
    return { name, path: p, step, isDir: st?.isDirectory() ?? false, mtimeMs: st?.mtimeMs ?? 0 };
  });
  // Newest (highest step) first; unnamed steps last.
  entries.sort((a, b) => (b.step ?? -1) - (a.step ?? -1) || a.name.localeCompare(b.name));
  return { entries, problem: null };
}

/** Names of the well-formed checkpoint-N folders in `modelDir` (newest first). */
export async function checkpointNames(modelDir: string): Promise<string[]> {
  const { entries } = await listCheckpointEntries(modelDir);
  return entries.filter((e) => e.isDir && e.step !== null).map((e) => e.name);
}

// Checked by hand in the common case, with zod built on first use for the rest (agent/lib/schema.ts).
/** trainer_state.json: the step it was saved at. */
export const trainerStateSchema = lazyLooseObject({ global_step: fast.nonNegativeInt }, ["global_step"], () => z.looseObject({ global_step: z.number().int().nonnegative() }));
const indexSchema = lazyLooseObject({ weight_map: fast.stringRecord }, ["weight_map"], () => z.looseObject({ weight_map: z.record(z.string(), z.string()) }));
const adapterConfigSchema = lazyLooseObject({}, [], () => z.looseObject({}));

/** Kind of weights present in a checkpoint folder, judged from file names only. */
export async function weightsKindOnDisk(dir: string): Promise<TrainingKind | null> {
  return weightsKindOf(await fsp.readdir(dir).catch(() => [] as string[]));
}

/** weightsKindOnDisk of a folder's listing. */
function weightsKindOf(listing: readonly string[]): TrainingKind | null {
  const names = new Set(listing);
  if (
    ["model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json"].some((n) => names.has(n)) ||
    [...names].some((n) => n.startsWith("pytorch_model_fsdp"))
  ) {
    return "full";
  }
  if (["adapter_model.safetensors", "adapter_model.bin", "adapter_config.json"].some((n) => names.has(n))) return "lora";
  return null;
}

/**
 * Checks one checkpoint entry against the expected kind (null: whatever is on disk).
 * Never throws; every problem names the file inside the checkpoint.
 */
export async function checkCheckpoint(entry: CheckpointEntry, expected: TrainingKind | null): Promise<CheckpointCheck> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const done = (kindOnDisk: TrainingKind | null): CheckpointCheck => ({
    name: entry.name,
    step: entry.step,
    complete: problems.length === 0,
    problems,
    mtimeMs: entry.mtimeMs,
    path: entry.path,
    kindOnDisk,
    warnings,
  });
  if (entry.step === null) {
    problems.push(`${entry.name}: not a checkpoint-N name (N must be a number)`);
    return done(null);
  }
  if (!entry.isDir) {
    problems.push(`${entry.name}: is not a folder`);
    return done(null);
  }
  const label = (f: string) => `${entry.name}/${f}`;
  const file = (f: string) => path.join(entry.path, f);

  // One listing answers both the weights' kind and the files below (it was read twice).
  const names = await fsp.readdir(entry.path).catch(() => [] as string[]);
  const onDisk = weightsKindOf(names);
  const kind = expected ?? onDisk ?? "full";
  if (expected && onDisk && onDisk !== expected) {
    problems.push(
      expected === "full"
        ? `${entry.name}: holds a LoRA adapter, but the config trains the full model (model.safetensors expected)`
        : `${entry.name}: holds full model weights, but the config trains a LoRA adapter (adapter_model.safetensors expected)`,
    );
  }
  // Under DeepSpeed (ZeRO-3 above all) the weights may exist only in its global_stepN folder.
  const deepspeedOnly = names.includes("latest") && onDisk === null;

  // The weights, the optimizer and scheduler, the RNG states and trainer_state.json are independent
  // reads: they run together (mapConcurrent's file comment says why), each into a list of its own, and
  // their problems are reported in this order, as when they ran one after another.
  const weights = async (out: string[]) => {
    if (deepspeedOnly) return; // checked with the DeepSpeed tag below
    if (kind === "full") await checkFullWeights(entry, out);
    else await checkAdapter(entry, out);
  };
  const isFile = async (f: string) => (await fsp.stat(file(f)).catch(() => null))?.isFile() ?? false;
  const training = async (out: string[]) => {
    if (names.includes("latest")) {
      // DeepSpeed under the Trainer: optimizer and scheduler live in the global_stepN folder `latest` names.
      await checkDeepspeedTag(entry, out);
      return;
    }
    // Transformers loads optimizer and scheduler only when both files are there (optimizer.pt, or
    // optimizer.bin as FSDP writes it); otherwise it resumes with a fresh optimizer and schedule.
    // FSDP with a sharded state dict saves the optimizer as an optimizer_N/ folder (torch.distributed.checkpoint).
    const optimizerDir = names.find((n) => /^optimizer_\d+$/.test(n)) ?? null;
    const [optimizerPt, schedulerPt] = await Promise.all([isFile("optimizer.pt"), isFile("scheduler.pt")]);
    const optimizer = optimizerPt ? "optimizer.pt" : (await isFile("optimizer.bin")) ? "optimizer.bin" : optimizerDir;
    const scheduler = schedulerPt ? "scheduler.pt" : null;
    const found = await Promise.all(
      [optimizer, scheduler].map(async (f) => {
        const own: string[] = [];
        if (f && f === optimizerDir) await checkDistcpFolder(entry, f, own);
        else if (f) await checkTorchFile(file(f), label(f), own);
        return own;
      }),
    );
    for (const own of found) out.push(...own);
    const rng = names.filter((n) => /^rng_state(_\d+)?\.pth$/.test(n));
    if (!optimizer && !scheduler && rng.length === 0) {
      warnings.push(
        `${entry.name}: model weights only (save_only_model=True): transformers resumes from it at step ${entry.step} with a fresh optimizer, ` +
          `a learning-rate schedule that starts over and no RNG state (its documentation calls such checkpoints unfit for resuming)`,
      );
    } else if (!optimizer || !scheduler) {
      warnings.push(`${entry.name}: ${!optimizer ? "optimizer.pt" : "scheduler.pt"} missing: transformers resumes at step ${entry.step} with a fresh optimizer and learning-rate schedule`);
    }
  };
  // Transformers restores RNG state on resume too; a torn one fails the load just the same.
  const rngStates = async (out: string[]) => {
    const found = await mapConcurrent(names.filter((n) => /^rng_state(_\d+)?\.pth$/.test(n)).sort(), FILE_CALLS_IN_FLIGHT, async (f) => {
      const own: string[] = [];
      await checkTorchFile(file(f), label(f), own);
      return own;
    });
    for (const own of found) out.push(...own);
  };
  // Transformers writes trainer_state.json last, so its absence alone marks an unfinished save.
  const trainerState = async (out: string[]) => {
    const state = await readJsonFile(file("trainer_state.json"), trainerStateSchema);
    if (!state.ok) out.push(relabel(state.message, entry.path, entry.name));
    else if (state.value.global_step !== entry.step) {
      out.push(`${label("trainer_state.json")}: global_step is ${state.value.global_step}, but the folder says step ${entry.step}`);
    }
  };
  const parts = await Promise.all([weights, training, rngStates, trainerState].map(async (part) => {
    const out: string[] = [];
    await part(out);
    return out;
  }));
  for (const out of parts) problems.push(...out);
  return done(onDisk);
}

async function checkFullWeights(entry: CheckpointEntry, problems: string[]): Promise<void> {
  const file = (f: string) => path.join(entry.path, f);
  const label = (f: string) => `${entry.name}/${f}`;
  const has = async (f: string) => (await fsp.lstat(file(f)).catch(() => null)) !== null;
  if (await has("model.safetensors")) {
    const r = await checkSafetensors(file("model.safetensors"), { label: label("model.safetensors") });
    problems.push(...r.problems);
    if (r.ok && r.tensorCount === 0) problems.push(`${label("model.safetensors")}: holds no tensors`);
    return;
  }
  for (const index of ["model.safetensors.index.json", "pytorch_model.bin.index.json"]) {
    if (!(await has(index))) continue;
    const r = await readJsonFile(file(index), indexSchema);
    if (!r.ok) {
      problems.push(relabel(r.message, entry.path, entry.name));
      return;
    }
    const shards = [...new Set(Object.values(r.value.weight_map))].sort();
    if (shards.length === 0) problems.push(`${label(index)}: weight_map lists no shards`);
    for (const shard of shards) {
      // A weight_map value is a file name next to the index; anything with a path in it is not ours to open.
      if (shard.includes("/") || shard.includes("\\") || shard === ".." || shard === ".") {
        problems.push(`${label(index)}: weight_map names "${shard}", which is not a file in the checkpoint`);
        continue;
      }
      if (shard.endsWith(".safetensors")) {
        const s = await checkSafetensors(file(shard), { label: label(shard) });
        problems.push(...s.problems);
      } else await checkTorchFile(file(shard), label(shard), problems);
    }
    return;
  }
  if (await has("pytorch_model.bin")) {
    await checkTorchFile(file("pytorch_model.bin"), label("pytorch_model.bin"), problems);
    return;
  }
  // FSDP: a full state dict as pytorch_model_fsdp.bin, or a sharded one in pytorch_model_fsdp_N/.
  const names = await fsp.readdir(entry.path).catch(() => [] as string[]);
  const fsdpFiles = names.filter((n) => /^pytorch_model_fsdp(_\d+)?(_rank\d+)?\.bin$/.test(n)).sort();
  const fsdpDirs = names.filter((n) => /^pytorch_model_fsdp_\d+$/.test(n)).sort();
  if (fsdpFiles.length + fsdpDirs.length > 0) {
    for (const f of fsdpFiles) await checkTorchFile(file(f), label(f), problems);
    for (const d of fsdpDirs) await checkDistcpFolder(entry, d, problems);
    return;
  }
  problems.push(`${label("model.safetensors")}: missing, and no model.safetensors.index.json shards either: no model weights`);
}

async function checkAdapter(entry: CheckpointEntry, problems: string[]): Promise<void> {
  const file = (f: string) => path.join(entry.path, f);
  const label = (f: string) => `${entry.name}/${f}`;
  const cfg = await readJsonFile(file("adapter_config.json"), adapterConfigSchema);
  if (!cfg.ok) problems.push(relabel(cfg.message, entry.path, entry.name));
  const st = await fsp.lstat(file("adapter_model.safetensors")).catch(() => null);
  const bin = await fsp.lstat(file("adapter_model.bin")).catch(() => null);
  if (!st && bin) {
    await checkTorchFile(file("adapter_model.bin"), label("adapter_model.bin"), problems);
    return;
  }
  const r = await checkSafetensors(file("adapter_model.safetensors"), { label: label("adapter_model.safetensors") });
  problems.push(...r.problems);
  if (r.ok && r.tensorCount === 0) problems.push(`${label("adapter_model.safetensors")}: holds no tensors`);
}

/** DeepSpeed's tag folder inside an HF checkpoint: `latest` must name it; its files are checked as agent/guard/deepspeed.ts says. */
async function checkDeepspeedTag(entry: CheckpointEntry, problems: string[]): Promise<void> {
  const latest = path.join(entry.path, "latest");
  const tag = (await fsp.readFile(latest, "utf8").catch(() => ""))?.trim();
  const tagDir = path.join(entry.path, tag);
  const files = tag && !tag.includes("/") ? await fsp.readdir(tagDir).catch(() => null) : null;
  if (!files) {
    problems.push(`${entry.name}/latest names "${tag}", which is not a folder in the checkpoint: DeepSpeed would fail to load it`);
    return;
  }
  // The same checks as a plain DeepSpeed tree's tag: whole files, every rank's model states and ZeRO shards.
  const r = await checkDeepspeedTagDir(tagDir, files, (f) => `${entry.name}/${tag}${f ? `/${f}` : ""}`);
  problems.push(...r.problems);
}

/**
 * A torch.distributed.checkpoint folder (FSDP sharded state): its .metadata is written last, and no
 * .distcp shard may be empty. Shards hold raw tensor bytes with no header of their own to check.
 */
async function checkDistcpFolder(entry: CheckpointEntry, dir: string, problems: string[]): Promise<void> {
  const files = await fsp.readdir(path.join(entry.path, dir)).catch(() => null);
  if (!files) {
    problems.push(`${entry.name}/${dir}: cannot be listed`);
    return;
  }
  if (!files.includes(".metadata")) problems.push(`${entry.name}/${dir}/.metadata: missing (written last: the sharded save did not finish)`);
  const shards = files.filter((f) => f.endsWith(".distcp"));
  if (shards.length === 0) problems.push(`${entry.name}/${dir}: no .distcp shards`);
  for (const f of shards.sort()) {
    const st = await fsp.stat(path.join(entry.path, dir, f)).catch(() => null);
    if (!st?.isFile() || st.size === 0) problems.push(`${entry.name}/${dir}/${f}: ${st ? "empty" : "missing"}`);
  }
}

/** A torch.save file: a complete zip archive with a data.pkl record. */
async function checkTorchFile(file: string, label: string, problems: string[]): Promise<void> {
  const r = await checkZip(file, { label });
  problems.push(...r.problems);
  if (r.ok && !r.entryNames.some((n) => n === "data.pkl" || n.endsWith("/data.pkl"))) {
    problems.push(`${label}: zip archive has no data.pkl record, so it is not a torch.save file`);
  }
}

/** readJsonFile messages start with the absolute path; checkpoint findings use "checkpoint-N/file". */
function relabel(message: string, dir: string, name: string): string {
  return message.startsWith(dir) ? name + message.slice(dir.length) : message;
}
