/**
 * One DeepSpeed checkpoint tag folder (what `engine.save_checkpoint` writes into save_dir/tag),
 * checked against what `engine.load_checkpoint` reads (deepspeedai/DeepSpeed, deepspeed/runtime/
 * engine.py): the model states of every model-parallel rank (mp_rank_MM_model_states.pt; under ZeRO-3
 * one per data-parallel rank, zero_pp_rank_D_mp_rank_MM_model_states.pt), whose `global_steps` is the
 * step training resumes from and whose `dp_world_size` / `mp_world_size` say which ZeRO optimizer
 * shards ([bf16_]zero_pp_rank_D_mp_rank_MM_optim_states.pt) must be there: each rank loads its own,
 * and one missing fails that rank's load, and the job with it. Used for plain DeepSpeed trees
 * (layouts.ts) and for the tag inside an HF Trainer checkpoint (checkpoint.ts). Nothing is executed:
 * the model states' pickle is read for its plain values.
 */
import path from "node:path";
import { field, intField, readPickle, type PickleValue } from "./pickle.js";
import { checkZip } from "./zip.js";

/** A model-states file: mp_rank_MM_model_states.pt, or ZeRO-3's zero_pp_rank_D_mp_rank_MM_model_states.pt. */
export const DS_MODEL_STATES = /^(?:zero_pp_rank_(\d+)_)?mp_rank_(\d+)_model_states\.pt$/;
/** A ZeRO optimizer shard (older versions wrote no "_" before optim_states). */
const DS_OPTIM = /^(bf16_|fp16_)?zero_pp_rank_(\d+)_mp_rank_(\d+)_?optim_states\.pt$/;
const mp2 = (n: number) => String(n).padStart(2, "0");

export interface DeepspeedTagCheck {
  readonly problems: string[];
  /** `global_steps` of the model states: the step DeepSpeed resumes from; null when unreadable. */
  readonly step: number | null;
  readonly dpWorldSize: number | null;
}

/**
 * Checks the tag folder `tagDir` holding `files`; `label` names a file (or, given nothing, the folder)
 * in the findings. Never throws.
 */
export async function checkDeepspeedTagDir(tagDir: string, files: ReadonlyArray<string>, label: (file?: string) => string): Promise<DeepspeedTagCheck> {
  const problems: string[] = [];
  const sorted = [...files].sort();
  const models = sorted.filter((f) => DS_MODEL_STATES.test(f));
  if (models.length === 0) problems.push(`${label()}: no *model_states.pt (the save did not finish): load_checkpoint() finds nothing to load`);
  // The states of model-parallel rank 0 (ZeRO-3: of data-parallel rank 0 too) carry the counters.
  const first = models.find((f) => f === "mp_rank_00_model_states.pt") ?? models.find((f) => f === "zero_pp_rank_0_mp_rank_00_model_states.pt") ?? models[0];
  let states: PickleValue | undefined;
  for (const f of sorted.filter((x) => x.endsWith(".pt"))) {
    const r = await checkZip(path.join(tagDir, f), { label: label(f), readPickle: f === first });
    problems.push(...r.problems);
    if (r.ok && !r.entryNames.some((n) => n === "data.pkl" || n.endsWith("/data.pkl"))) problems.push(`${label(f)}: zip archive has no data.pkl record, so it is not a torch.save file`);
    if (f === first && r.pickle) {
      try {
        states = readPickle(r.pickle);
      } catch {
        states = undefined;
      }
    }
  }
  const step = intField(states, "global_steps");
  const dp = intField(states, "dp_world_size");
  const mp = intField(states, "mp_world_size");
  if (first && states !== undefined && step === null) problems.push(`${label(first)}: no global_steps (not written by DeepSpeed's save_checkpoint?): load_checkpoint() would fail on it`);

  const have = new Set(sorted);
  const missing: string[] = [];
  const zero3 = models.some((f) => DS_MODEL_STATES.exec(f)![1] !== undefined);
  if (mp !== null && mp > 0) {
    for (let m = 0; m < mp; m++) {
      if (zero3) {
        if (dp !== null) for (let d = 0; d < dp; d++) if (!have.has(`zero_pp_rank_${d}_mp_rank_${mp2(m)}_model_states.pt`)) missing.push(`zero_pp_rank_${d}_mp_rank_${mp2(m)}_model_states.pt`);
      } else if (!have.has(`mp_rank_${mp2(m)}_model_states.pt`)) missing.push(`mp_rank_${mp2(m)}_model_states.pt`);
    }
  }
  const shards = sorted.map((f) => DS_OPTIM.exec(f)).filter((m): m is RegExpExecArray => m !== null);
  const stage = intField(field(field(states, "ds_config"), "zero_optimization"), "stage");
  if (dp !== null && dp > 0 && (shards.length > 0 || (stage !== null && stage > 0))) {
    // Shards are named by the precision the run used (bf16_ under bf16); each rank looks for its own.
    const prefix = shards[0]?.[1] ?? "";
    for (let m = 0; m < Math.max(1, mp ?? 1); m++) {
      for (let d = 0; d < dp; d++) {
        const name = `${prefix}zero_pp_rank_${d}_mp_rank_${mp2(m)}_optim_states.pt`;
        if (!have.has(name) && !have.has(name.replace("_optim_states.pt", "optim_states.pt"))) missing.push(name);
      }
    }
  }
  if (missing.length > 0) {
    const world = [dp !== null ? `dp_world_size ${dp}` : null, mp !== null ? `mp_world_size ${mp}` : null].filter(Boolean).join(", ");
    problems.push(
      `${label()}: ${missing.join(", ")} missing (${world} in ${first}): load_checkpoint() fails on the rank that reads ${missing.length === 1 ? "it" : "them"} (FileNotFoundError), and the job with it`,
    );
  }
  return { problems, step, dpWorldSize: dp };
}
