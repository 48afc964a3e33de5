/** Size of the logs folder (recursive): a log written in a loop fills the disk that checkpoints need. */
import { files as fsp } from "../lib/fs-mode.js";
import path from "node:path";
import { describeError } from "../lib/errors.js";
import { formatBytes } from "../lib/units.js";
import { result, type Check } from "./types.js";
import { rel } from "./util.js";

/** Deepest folder level walked; logs are flat in practice and links are not followed. */
const MAX_DEPTH = 4;

async function folderSize(dir: string, depth: number, signal: AbortSignal, out: { bytes: number; files: number; largest: { file: string; bytes: number } | null }): Promise<void> {
  if (signal.aborted) return;
  const entries = await fsp.readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && depth < MAX_DEPTH) await folderSize(p, depth + 1, signal, out).catch(() => {});
    else if (e.isFile()) {
      const st = await fsp.lstat(p).catch(() => null);
      if (!st) continue;
      out.bytes += st.size;
      out.files++;
      if (!out.largest || st.size > out.largest.bytes) out.largest = { file: p, bytes: st.size };
    }
  }
}

export const logSizeCheck: Check = {
  id: "log-size",
  title: "logs folder size",
  async run({ settings, signal }) {
    const { layout } = settings;
    const out = { bytes: 0, files: 0, largest: null as { file: string; bytes: number } | null };
    try {
      await folderSize(layout.logsDir, 0, signal, out);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return result("skip", `no logs folder at ${rel(layout, layout.logsDir)}`);
      return result("warn", `cannot list ${layout.logsDir}: ${describeError(err)}`);
    }
    const limit = settings.checks.maxLogDirSize;
    const details = { dir: layout.logsDir, bytes: out.bytes, files: out.files, largest: out.largest, limitBytes: limit };
    const text = `${rel(layout, layout.logsDir)} holds ${formatBytes(out.bytes)} in ${out.files} files`;
    if (out.bytes > limit) {
      const big = out.largest ? `; largest ${rel(layout, out.largest.file)} ${formatBytes(out.largest.bytes)}` : "";
      return result("warn", `${text}, over ${formatBytes(limit)}${big}`, details);
    }
    return result("pass", text, details);
  },
};
