/**
 * Free disk space on the filesystem holding BASE_DIR (checkpoints fill it). Fail under
 * checks.minDiskFree; warn under twice that, which at the default 50 GB leaves room for a few more
 * full-model checkpoints before the job dies mid-save.
 */
import { files as fsp } from "../lib/fs-mode.js";
import { describeError } from "../lib/errors.js";
import { formatBytes } from "../lib/units.js";
import { result, type Check } from "./types.js";

/** Warn when free space is under this multiple of the minimum. */
export const DISK_WARN_FACTOR = 2;

export const diskCheck: Check = {
  id: "disk",
  title: "disk space",
  async run({ settings }) {
    const dir = settings.layout.baseDir;
    let st: Awaited<ReturnType<typeof fsp.statfs>>;
    try {
      st = await fsp.statfs(dir);
    } catch (err) {
      return result("fail", `cannot read free space of ${dir}: ${describeError(err)}`);
    }
    const freeBytes = st.bavail * st.bsize;
    const totalBytes = st.blocks * st.bsize;
    const minBytes = settings.checks.minDiskFree;
    const details = { dir, freeBytes, totalBytes, minBytes };
    const text = `${formatBytes(freeBytes)} free of ${formatBytes(totalBytes)} at ${dir}`;
    if (freeBytes < minBytes) return result("fail", `${text} (need ${formatBytes(minBytes)})`, details);
    if (freeBytes < minBytes * DISK_WARN_FACTOR) return result("warn", `${text} (under ${DISK_WARN_FACTOR}x the ${formatBytes(minBytes)} minimum)`, details);
    return result("pass", text, details);
  },
};
