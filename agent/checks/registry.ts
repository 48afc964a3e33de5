/** The one list of health checks, in the order they are reported and repaired. */
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

// Folders before permissions (a created folder is then checked), config before its lock.
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

/** Ids of all registered checks, in order. */
export function checkIds(): string[] {
  return CHECKS.map((c) => c.id);
}
