/**
 * The health checks by id and title, in the order they are reported and repaired, without their code:
 * what `check --list`, the choice of checks (--only/--skip) and a timed-out check's line need. The CLI
 * reads it in the main thread and leaves the checks' code (and what it loads: the crash rules, the
 * guard's schemas, yaml) to the worker that runs them (runner.ts); registry.ts pairs each entry with
 * its check and refuses a list that differs.
 */
import { usageError } from "../lib/errors.js";

/** A check's identity: what is listed and reported for it. */
export interface CheckInfo {
  readonly id: string;
  readonly title: string;
}

// Folders before permissions (a created folder is then checked), config before its lock.
export const CHECK_CATALOG: readonly CheckInfo[] = Object.freeze([
  { id: "daemon", title: "training daemon alive" },
  { id: "progress", title: "training progress" },
  { id: "disk", title: "disk space" },
  { id: "memory", title: "memory available" },
  { id: "gpu", title: "GPUs (nvidia-smi)" },
  { id: "xid", title: "GPU Xid errors (kernel log)" },
  { id: "dirs", title: "required folders" },
  { id: "permissions", title: "write permissions" },
  { id: "files", title: "required files" },
  { id: "config", title: "training config valid" },
  { id: "config-lock", title: "config lock consistent" },
  { id: "checkpoint", title: "latest checkpoint" },
  { id: "crashes", title: "recent crashes" },
  { id: "zombies", title: "defunct daemon children" },
  { id: "log-size", title: "logs folder size" },
]);

/** Picks checks by id; unknown ids are a usage error that lists the known ones. */
export function selectChecks<T extends CheckInfo>(all: readonly T[], only?: readonly string[], skip?: readonly string[]): T[] {
  const known = new Set(all.map((c) => c.id));
  for (const id of [...(only ?? []), ...(skip ?? [])]) {
    if (!known.has(id)) throw usageError(`unknown check "${id}" (known: ${[...known].join(", ")})`);
  }
  const wanted = only && only.length > 0 ? new Set(only) : null;
  const dropped = new Set(skip ?? []);
  return all.filter((c) => (!wanted || wanted.has(c.id)) && !dropped.has(c.id));
}
