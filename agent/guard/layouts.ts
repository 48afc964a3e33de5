/**
 * Checkpoint layouts other than HF Trainer's `checkpoint-N/` folders, found anywhere in BASE_DIR and
 * verified without loading a tensor: accelerate `save_state` folders, DeepSpeed `global_stepN/` with
 * its `latest` file, Lightning `.ckpt` files, plain `torch.save` files (`checkpoint-N.pt`) and folders
 * (`checkpoint-N/{model.pt,optimizer.pt}`). Saved HF models (config.json beside the weights) are
 * recognised and left alone. Every other checkpoint-like file is reported as an unknown layout: a
 * restart cannot be vouched for, so it is never a silent OK.
 *
 * Each tree says what its framework really does on a resume: accelerate's load_state() with
 * automatic naming takes the highest checkpoint_N whatever its state; DeepSpeed's load_checkpoint()
 * takes the tag named in `latest`; Lightning and plain torch resume only from the file the script
 * names, so the newest complete one is reported as the one to name.
 */
import path from "node:path";
import { mapConcurrent } from "../lib/concurrent.js";
import { CHECKPOINT_RE, FILE_CALLS_IN_FLIGHT } from "./checkpoint.js";
import { checkDeepspeedTagDir, DS_MODEL_STATES } from "./deepspeed.js";
import { intField, readPickle, type PickleValue } from "./pickle.js";
import { checkSafetensors } from "./safetensors.js";
import { checkZip } from "./zip.js";
import { files as fsp } from "../lib/fs-mode.js";

export type Framework = "hf-trainer" | "accelerate" | "deepspeed" | "lightning" | "torch";

/** One checkpoint (a folder or a file) of a non-HF-Trainer tree. */
export interface TreeCheckpoint {
  /** Path relative to BASE_DIR. */
  name: string;
  path: string;
  /** The training step it holds (from the file itself where the framework stores it, else its name). */
  step: number | null;
  complete: boolean;
  problems: string[];
  mtimeMs: number;
}

/** A folder of checkpoints written by one framework. */
export interface CheckpointTree {
  framework: Framework;
  /** Folder holding the checkpoints, relative to BASE_DIR ("." for BASE_DIR itself). */
  dir: string;
  /** Newest (highest step, then newest file) first. */
  checkpoints: TreeCheckpoint[];
  /** What the framework would load on a resume (name as in checkpoints), or null. */
  resume_from: string | null;
  resume_step: number | null;
  /** One line: how this framework picks the checkpoint it resumes from. */
  how: string;
  /** Findings that make a resume fail or start over. */
  problems: string[];
  warnings: string[];
}

export interface TreeScan {
  /** HF Trainer `checkpoint-N` folders (absolute paths of their parents), verified by checkpoint.ts. */
  hfDirs: string[];
  trees: CheckpointTree[];
  /** Saved HF models (config.json with weights), relative to BASE_DIR: not resume points. */
  savedModels: string[];
  /** Checkpoint-like files or folders no known layout accounts for, relative to BASE_DIR. */
  unknown: string[];
}

/** Extensions of files that hold weights or training state. */
const STATE_EXT = /\.(pt|pth|bin|ckpt|safetensors|pkl|pickle|h5|msgpack|distcp|tar)$/i;
const TORCH_EXT = /\.(pt|pth|bin|tar)$/i;
const ACCEL_DIR = /^checkpoint_(\d+)$/;
const DS_TAG = /^global_step(\d+)$/;
const HF_WEIGHTS = ["model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json", "adapter_model.safetensors", "adapter_model.bin", "pytorch_model_fsdp.bin"];
/** Folders never searched: caches, environments, version control, trainsafe's own state. */
const SKIP_DIRS = new Set(["node_modules", "__pycache__", "site-packages", "wandb", "mlruns", "runs", "logs", "data", "datasets", "dataset", "cache"]);
const MAX_DEPTH = 4;
const MAX_DIRS = 2000;

interface Listing {
  dir: string;
  files: Map<string, { sizeBytes: number; mtimeMs: number }>;
  dirs: string[];
}

async function list(dir: string): Promise<Listing | null> {
  const ents = await fsp.readdir(dir, { withFileTypes: true }).catch(() => null);
  if (!ents) return null;
  const files = new Map<string, { sizeBytes: number; mtimeMs: number }>();
  const dirs: string[] = [];
  // Only state files are stat'ed (a folder of a million data files costs one readdir, not a million stats).
  // Symbolic links are followed for files (weights are often links into a cache), never for folders (loops).
  const stated = (e: (typeof ents)[number]) => !e.isDirectory() && (e.isFile() || e.isSymbolicLink()) && (STATE_EXT.test(e.name) || e.isSymbolicLink());
  // The stats run together (lib/concurrent.ts); the map keeps the listing's order.
  const stats = await mapConcurrent(ents.filter(stated), FILE_CALLS_IN_FLIGHT, (e) => fsp.stat(path.join(dir, e.name)).catch(() => null));
  let next = 0;
  for (const e of ents) {
    if (e.isDirectory()) {
      dirs.push(e.name);
      continue;
    }
    if (!e.isFile() && !e.isSymbolicLink()) continue;
    if (!stated(e)) {
      files.set(e.name, { sizeBytes: 0, mtimeMs: 0 });
      continue;
    }
    const st = stats[next++];
    if (st?.isFile()) files.set(e.name, { sizeBytes: st.size, mtimeMs: st.mtimeMs });
  }
  dirs.sort();
  return { dir, files, dirs };
}

const isHfCheckpoint = (l: Listing | null): boolean =>
  !!l && (l.files.has("trainer_state.json") || l.files.has("training_args.bin") || HF_WEIGHTS.some((n) => l.files.has(n)) || l.files.has("latest"));
const isHfModel = (l: Listing): boolean =>
  (l.files.has("config.json") || l.files.has("adapter_config.json")) &&
  (HF_WEIGHTS.some((n) => l.files.has(n)) || [...l.files.keys()].some((n) => /^model-\d+-of-\d+\.safetensors$/.test(n)));
const isAccelerateState = (l: Listing | null): boolean => !!l && [...l.files.keys()].some((n) => /^random_states_\d+\.pkl$/.test(n));

/**
 * Walks BASE_DIR (and `extraDirs` outside it) for checkpoint trees of every known framework and for
 * checkpoint-like files none accounts for. `hfDirsKnown` are folders whose checkpoint-N entries the
 * caller verifies itself (the model folder of the seed layout).
 */
export async function scanCheckpointTrees(baseDir: string, opts: { extraDirs?: string[]; hfDirsKnown?: string[] } = {}): Promise<TreeScan> {
  const scan: TreeScan = { hfDirs: [], trees: [], savedModels: [], unknown: [] };
  const rel = (p: string) => path.relative(baseDir, p) || ".";
  const known = new Set((opts.hfDirsKnown ?? []).map((d) => path.resolve(d)));
  const roots = [baseDir, ...(opts.extraDirs ?? []).filter((d) => path.relative(baseDir, d).startsWith("..") || path.isAbsolute(path.relative(baseDir, d)))];
  let visited = 0;

  const visit = async (dir: string, depth: number): Promise<void> => {
    if (visited++ > MAX_DIRS) return;
    const l = await list(dir);
    if (!l) return;
    const claimed = new Set<string>();
    const subListings = new Map<string, Promise<Listing | null>>();
    const sub = (name: string) => {
      if (!subListings.has(name)) subListings.set(name, list(path.join(dir, name)));
      return subListings.get(name)!;
    };
    // Every sub-folder but accelerate's checkpoint_N ones (accelerateTree lists those) is listed below
    // (checkpoint-N for HF, the rest for accelerate's random_states); list them together up front.
    await mapConcurrent(
      l.dirs.filter((n) => !ACCEL_DIR.test(n)),
      FILE_CALLS_IN_FLIGHT,
      (n) => sub(n),
    );

    // A saved HF model (final save_model, a downloaded base model): weights beside config.json.
    if (isHfModel(l)) {
      scan.savedModels.push(rel(dir));
      for (const n of l.files.keys()) if (STATE_EXT.test(n) || n.endsWith(".index.json")) claimed.add(n);
    }

    // HF Trainer: checkpoint-N folders holding trainer_state.json or HF weights (or the model folder we were given).
    const hfNamed = l.dirs.filter((n) => CHECKPOINT_RE.test(n));
    let hfLike = false;
    for (const n of hfNamed) if (isHfCheckpoint(await sub(n))) hfLike = true;
    // checkpoint-N folders of torch.save files only (no trainer_state.json, no HF weights): a script of the user's own.
    const torchDirs = !hfLike && hfNamed.length > 0 ? await torchDirsTree(dir, hfNamed, rel) : null;
    if (torchDirs) {
      scan.trees.push(torchDirs);
      for (const n of hfNamed) claimed.add(n);
    } else if (hfLike || (known.has(path.resolve(dir)) && hfNamed.length > 0)) {
      scan.hfDirs.push(dir);
      for (const n of hfNamed) claimed.add(n);
      for (const n of l.files.keys()) if (n.startsWith("checkpoint-") && !TORCH_EXT.test(n)) claimed.add(n);
    }

    // accelerate save_state: checkpoint_N folders (automatic naming) or folders with random_states_N.pkl.
    const accelNamed = l.dirs.filter((n) => ACCEL_DIR.test(n));
    const accelOther: string[] = [];
    for (const n of l.dirs) if (!accelNamed.includes(n) && !claimed.has(n) && isAccelerateState(await sub(n))) accelOther.push(n);
    if (accelNamed.length > 0 || accelOther.length > 0) {
      scan.trees.push(await accelerateTree(dir, accelNamed, accelOther, rel));
      for (const n of [...accelNamed, ...accelOther]) claimed.add(n);
    }

    // DeepSpeed: global_stepN folders and the latest file naming one.
    const dsTags = l.dirs.filter((n) => DS_TAG.test(n));
    // save_checkpoint(dir, tag="...") names the folder as the script says; latest names it.
    if (l.files.has("latest")) {
      const named = (await fsp.readFile(path.join(dir, "latest"), "utf8").catch(() => ""))?.trim() ?? "";
      if (named && !dsTags.includes(named) && l.dirs.includes(named) && !claimed.has(named)) {
        const inside = await sub(named);
        if (inside && [...inside.files.keys()].some((f) => DS_MODEL_STATES.test(f))) dsTags.push(named);
      }
    }
    if (dsTags.length > 0) {
      scan.trees.push(await deepspeedTree(dir, dsTags, rel));
      for (const n of dsTags) claimed.add(n);
      for (const n of ["latest", "zero_to_fp32.py"]) claimed.add(n);
    }

    // Lightning: .ckpt files.
    const ckpts = [...l.files.keys()].filter((n) => n.endsWith(".ckpt") && !claimed.has(n));
    if (ckpts.length > 0) {
      scan.trees.push(await lightningTree(dir, ckpts, rel));
      for (const n of ckpts) claimed.add(n);
    }

    // Plain torch.save files: checkpoint-N.pt, step_100.pth, model.pt, ...
    const torchFiles = [...l.files.keys()].filter((n) => TORCH_EXT.test(n) && !claimed.has(n));
    if (torchFiles.length > 0) {
      const tree = await torchFilesTree(dir, torchFiles, rel);
      scan.trees.push(tree);
      for (const n of torchFiles) claimed.add(n);
    }

    for (const n of l.files.keys()) if (!claimed.has(n) && STATE_EXT.test(n)) scan.unknown.push(rel(path.join(dir, n)));
    for (const n of l.dirs) {
      if (claimed.has(n)) continue;
      if (n.startsWith(".") || SKIP_DIRS.has(n) || depth >= MAX_DEPTH) continue;
      if ((await sub(n))?.files.has("pyvenv.cfg")) continue;
      await visit(path.join(dir, n), depth + 1);
    }
  };
  for (const r of roots) await visit(path.resolve(r), 0);
  scan.unknown.sort();
  return scan;
}

/** A torch.save file checked at the zip level; with `readPickle`, its plain data too (never executed). */
async function torchFile(file: string, label: string, problems: string[], readPickleToo = false): Promise<PickleValue | undefined> {
  const r = await checkZip(file, { label, readPickle: readPickleToo });
  problems.push(...r.problems);
  if (r.ok && !r.entryNames.some((n) => n === "data.pkl" || n.endsWith("/data.pkl"))) {
    problems.push(`${label}: zip archive has no data.pkl record, so it is not a torch.save file`);
  }
  if (!readPickleToo || !r.pickle) return undefined;
  try {
    return readPickle(r.pickle);
  } catch {
    return undefined;
  }
}

/** The step a plain torch checkpoint dict records under one of the names scripts use. */
function stepOf(v: PickleValue | undefined): number | null {
  for (const k of ["global_step", "step", "iteration", "iter", "steps", "global_steps"]) {
    const n = intField(v, k);
    if (n !== null) return n;
  }
  return null;
}

const numberIn = (name: string): number | null => {
  const m = /(\d+)(?!.*\d)/.exec(name);
  return m ? Number(m[1]) : null;
};

const byNewest = (a: TreeCheckpoint, b: TreeCheckpoint) => (b.step ?? -1) - (a.step ?? -1) || b.mtimeMs - a.mtimeMs;

function finish(tree: Omit<CheckpointTree, "resume_from" | "resume_step">, pick: TreeCheckpoint | null): CheckpointTree {
  tree.checkpoints.sort(byNewest);
  return { ...tree, resume_from: pick?.name ?? null, resume_step: pick?.step ?? null };
}

/** Folders of checkpoint-N/{model.pt,optimizer.pt}: every torch file must be whole. */
async function torchDirsTree(dir: string, names: string[], rel: (p: string) => string): Promise<CheckpointTree | null> {
  const checkpoints: TreeCheckpoint[] = [];
  for (const n of names) {
    const p = path.join(dir, n);
    const l = await list(p);
    const files = [...(l?.files.keys() ?? [])].filter((f) => TORCH_EXT.test(f)).sort();
    const problems: string[] = [];
    if (files.length === 0) problems.push(`${rel(p)}: holds no torch.save file (empty or unfinished save)`);
    for (const f of files) await torchFile(path.join(p, f), rel(path.join(p, f)), problems);
    const mtimeMs = Math.max(0, ...[...(l?.files.values() ?? [])].map((s) => s.mtimeMs));
    checkpoints.push({ name: rel(p), path: p, step: Number(CHECKPOINT_RE.exec(n)![1]), complete: problems.length === 0, problems, mtimeMs });
  }
  // Empty checkpoint-N folders alone are nobody's checkpoints; leave them to the walk.
  if (!checkpoints.some((c) => !c.problems[0]?.endsWith("(empty or unfinished save)"))) return null;
  return newestCompleteTree("torch", dir, checkpoints, rel, "your script loads the checkpoint it names; trainsafe points it at the newest complete checkpoint-N folder");
}

/** A tree where the script names the checkpoint: the newest complete one is the one to name. */
function newestCompleteTree(framework: Framework, dir: string, checkpoints: TreeCheckpoint[], rel: (p: string) => string, how: string): CheckpointTree {
  checkpoints.sort(byNewest);
  const problems: string[] = [];
  const warnings: string[] = [];
  const pick = checkpoints.find((c) => c.complete) ?? null;
  const newest = checkpoints[0] ?? null;
  if (!pick && newest) problems.push(`no complete checkpoint in ${rel(dir)}: a resume would fail loading ${newest.name} (${newest.problems[0]})`);
  else if (newest && newest !== pick) {
    // A script that loads the newest checkpoint (the usual "resume from the latest") would fail on it.
    problems.push(`${newest.name} is incomplete (${newest.problems[0]}): loading the newest checkpoint would fail; move it aside or name ${pick!.name}`);
  }
  return finish({ framework, dir: rel(dir), checkpoints, how, problems, warnings }, pick);
}

async function torchFilesTree(dir: string, names: string[], rel: (p: string) => string): Promise<CheckpointTree> {
  const checkpoints: TreeCheckpoint[] = [];
  for (const n of names.sort()) {
    const p = path.join(dir, n);
    const problems: string[] = [];
    const data = await torchFile(p, rel(p), problems, true);
    const st = await fsp.stat(p).catch(() => null);
    checkpoints.push({ name: rel(p), path: p, step: stepOf(data) ?? numberIn(n), complete: problems.length === 0, problems, mtimeMs: st?.mtimeMs ?? 0 });
  }
  return newestCompleteTree("torch", dir, checkpoints, rel, "your script loads the file it names (torch.load); trainsafe points it at the newest complete one");
}

async function lightningTree(dir: string, names: string[], rel: (p: string) => string): Promise<CheckpointTree> {
  const checkpoints: TreeCheckpoint[] = [];
  for (const n of names.sort()) {
    const p = path.join(dir, n);
    const problems: string[] = [];
    const data = await torchFile(p, rel(p), problems, true);
    const named = /step=(\d+)/.exec(n);
    const step = intField(data, "global_step") ?? (named ? Number(named[1]) : null);
    if (problems.length === 0 && step === null) problems.push(`${rel(p)}: no global_step in the checkpoint (not a Lightning checkpoint?)`);
    const st = await fsp.stat(p).catch(() => null);
    checkpoints.push({ name: rel(p), path: p, step, complete: problems.length === 0, problems, mtimeMs: st?.mtimeMs ?? 0 });
  }
  checkpoints.sort(byNewest);
  const last = checkpoints.find((c) => path.basename(c.path) === "last.ckpt") ?? null;
  const tree = newestCompleteTree(
    "lightning",
    dir,
    checkpoints,
    rel,
    `Trainer.fit(ckpt_path=...) loads the file named${last ? ` (ckpt_path="last" loads ${last.name})` : ""}; without ckpt_path Lightning starts from scratch`,
  );
  // ckpt_path="last" is the usual resume; when last.ckpt is whole it is what a restart loads.
  if (last?.complete) {
    // A torn epoch=...ckpt does not matter to ckpt_path="last"; it stays worth knowing.
    return { ...tree, resume_from: last.name, resume_step: last.step, problems: [], warnings: [...tree.problems, ...tree.warnings] };
  }
  if (last && !last.complete) tree.problems.push(`${last.name} is incomplete (${last.problems[0]}): ckpt_path="last" would fail`);
  return tree;
}

async function accelerateTree(dir: string, auto: string[], other: string[], rel: (p: string) => string): Promise<CheckpointTree> {
  const checkpoints: TreeCheckpoint[] = [];
  const iteration = new Map<TreeCheckpoint, number>();
  for (const n of [...auto, ...other]) {
    const p = path.join(dir, n);
    const l = await list(p);
    const files = l?.files ?? new Map();
    const problems: string[] = [];
    const label = (f: string) => rel(path.join(p, f));
    // Weights: model.safetensors (or model_1.safetensors for a second model), pytorch_model.bin, or shards with an index.
    const weights = [...files.keys()].filter((f) => /^(model|pytorch_model)(_\d+)?(-\d+-of-\d+)?\.(safetensors|bin)$/.test(f)).sort();
    if (weights.length === 0) problems.push(`${label("model.safetensors")}: missing (no model weights in this save_state folder)`);
    for (const f of weights) {
      if (f.endsWith(".safetensors")) problems.push(...(await checkSafetensors(path.join(p, f), { label: label(f) })).problems);
      else await torchFile(path.join(p, f), label(f), problems);
    }
    let step: number | null = null;
    for (const f of [...files.keys()].filter((x) => /^(optimizer|scheduler|sampler|dl_state_dict|scaler)(_\d+)?\.(bin|pt)$/.test(x) || /^random_states_\d+\.pkl$/.test(x)).sort()) {
      const data = await torchFile(path.join(p, f), label(f), problems, f.startsWith("scheduler"));
      // The scheduler counts the optimizer steps taken: the step this state resumes at.
      if (f.startsWith("scheduler") && step === null) step = intField(data, "last_epoch");
    }
    if (!files.has("optimizer.bin") && weights.length > 0) problems.push(`${label("optimizer.bin")}: missing: load_state() would fail on the prepared optimizer`);
    const mtimeMs = Math.max(0, ...[...files.values()].map((s) => s.mtimeMs));
    const c: TreeCheckpoint = { name: rel(p), path: p, step, complete: problems.length === 0, problems, mtimeMs };
    const m = ACCEL_DIR.exec(n);
    if (m) iteration.set(c, Number(m[1]));
    checkpoints.push(c);
  }
  if (auto.length === 0) {
    return newestCompleteTree("accelerate", dir, checkpoints, rel, "load_state(folder) loads the folder your script names; trainsafe points it at the newest complete one");
  }
  // load_state() without a folder sorts checkpoint_N by N and takes the last, whatever its state.
  const autos = checkpoints.filter((c) => iteration.has(c)).sort((a, b) => iteration.get(b)! - iteration.get(a)!);
  const highest = autos[0]!;
  const problems: string[] = [];
  const warnings: string[] = [];
  if (!highest.complete) {
    const good = autos.find((c) => c.complete);
    problems.push(
      `${highest.name} is incomplete (${highest.problems[0]}): load_state() takes the highest checkpoint_N and would fail` +
        (good ? `; move it aside to resume from ${good.name}` : ""),
    );
  }
  if (autos.every((c) => c.step === null)) warnings.push("no scheduler.bin: the step is your script's own counter (accelerate does not store it)");
  return finish(
    { framework: "accelerate", dir: rel(dir), checkpoints, how: "load_state() with automatic_checkpoint_naming loads the highest checkpoint_N", problems, warnings },
    highest.complete ? highest : null,
  );
}

async function deepspeedTree(dir: string, tags: string[], rel: (p: string) => string): Promise<CheckpointTree> {
  const checkpoints: TreeCheckpoint[] = [];
  let dpWorld: number | null = null;
  for (const t of tags) {
    const p = path.join(dir, t);
    const l = await list(p);
    const { problems, step, dpWorldSize: dp } = await checkDeepspeedTagDir(p, [...(l?.files.keys() ?? [])], (f) => rel(f ? path.join(p, f) : p));
    if (dp !== null) dpWorld ??= dp;
    const mtimeMs = Math.max(0, ...[...(l?.files.values() ?? [])].map((st) => st.mtimeMs));
    const named = DS_TAG.exec(t);
    checkpoints.push({ name: rel(p), path: p, step: step ?? (named ? Number(named[1]) : null), complete: problems.length === 0, problems, mtimeMs });
  }
  checkpoints.sort(byNewest);
  const problems: string[] = [];
  const warnings: string[] = [];
  const latestFile = path.join(dir, "latest");
  const tag = (await fsp.readFile(latestFile, "utf8").catch(() => null))?.trim() ?? null;
  let pick: TreeCheckpoint | null = null;
  if (tag === null) {
    problems.push(`${rel(latestFile)}: missing: load_checkpoint() without a tag finds nothing to load and training starts over`);
  } else {
    pick = checkpoints.find((c) => path.basename(c.path) === tag) ?? null;
    if (!pick) problems.push(`${rel(latestFile)} names "${tag}", which is not a folder here: load_checkpoint() would fail`);
    else if (!pick.complete) problems.push(`${pick.name} (named by ${rel(latestFile)}) is incomplete: ${pick.problems[0]}`);
    const newer = checkpoints[0];
    if (pick && newer && newer !== pick && (newer.step ?? 0) > (pick.step ?? 0)) {
      warnings.push(`${newer.name} is newer than ${pick.name} but latest does not name it (a save that did not finish?)`);
    }
  }
  const how =
    "load_checkpoint(dir) loads the tag named in the latest file" +
    (dpWorld !== null ? `; its ZeRO optimizer shards load only with the same data-parallel world size (${dpWorld})` : "");
  return finish({ framework: "deepspeed", dir: rel(dir), checkpoints, how, problems, warnings }, pick?.complete ? pick : null);
}

