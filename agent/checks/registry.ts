/** The one list of health checks, in the order of the catalog (catalog.ts), which it must match. */
import { CHECK_CATALOG } from "./catalog.js";
import { checkpointCheck } from "./checkpoint.js";
import { configCheck } from "./config.js";
import { configLockCheck } from "./configlock.js";
import { crashesCheck } from "./crashes.js";
import { daemonCheck } from "./daemon.js";
import { dirsCheck } from "./dirs.js";
import { diskCheck } from "./disk.js";
import { filesCheck } from "./files.js";
import { gpuCheck } from "./gpu.js";
import { logSizeCheck } from "./logsize.js";
import { memoryCheck } from "./memory.js";
import { permissionsCheck } from "./permissions.js";
import { progressCheck } from "./progress.js";
import type { Check } from "./types.js";
import { xidCheck } from "./xid.js";
import { zombiesCheck } from "./zombies.js";

export const CHECKS: readonly Check[] = Object.freeze([
  daemonCheck,
  progressCheck,
  diskCheck,
  memoryCheck,
  gpuCheck,
  xidCheck,
  dirsCheck,
  permissionsCheck,
  filesCheck,
  configCheck,
  configLockCheck,
  checkpointCheck,
  crashesCheck,
  zombiesCheck,
  logSizeCheck,
]);

// The CLI lists, picks and reports checks from the catalog alone: an id or title that differs here
// would be run under one name and shown under another.
const differs = CHECKS.length !== CHECK_CATALOG.length || CHECKS.some((c, i) => c.id !== CHECK_CATALOG[i]!.id || c.title !== CHECK_CATALOG[i]!.title);
if (differs) throw new Error("agent/checks/registry.ts and agent/checks/catalog.ts list different checks (ids, titles or order)");

/** Ids of all registered checks, in order. */
export function checkIds(): string[] {
  return CHECKS.map((c) => c.id);
}
