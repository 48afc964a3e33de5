/**
 * Permissions: what trainsafe and the trainer write (BASE_DIR, logs/, status/, current_model/ and the
 * files in them that already exist) must be writable by the current user. `--fix` restores the owner's
 * write bit on those folders only; files and ownership are never changed, and nothing outside
 * BASE_DIR is: a folder that is (or sits behind) a symlink leaving BASE_DIR is reported, never chmod-ed
 * (seen: logs/ linked to another user's folder, which --fix made 0755).
 */
import { constants } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { files as fsp } from "../lib/fs-mode.js";
import path from "node:path";
import type { Layout } from "../config/layout.js";
import { describeError } from "../lib/errors.js";
import { result, type Check } from "./types.js";
import { rel } from "./util.js";

/** Folders that must be writable; `--fix` may chmod u+w these. */
export function writableDirs(layout: Layout): string[] {
  return [layout.baseDir, layout.logsDir, layout.statusDir, layout.modelDir];
}

/** Files that must stay writable when they exist (reported, never chmod-ed). */
export function writableFiles(layout: Layout): string[] {
  return [layout.statusFile, layout.pidFile, layout.outputLog, layout.watchdogLog, layout.antiStuckLog, layout.crashHistoryFile, layout.identityFile];
}

interface Problem {
  readonly path: string;
  /** Where the path really is when that is outside BASE_DIR (through a symlink); never changed. */
  readonly outside?: string;
  readonly isDir: boolean;
  readonly severity: "fail" | "warn";
  readonly text: string;
  readonly mode: number;
  readonly uid: number;
}

/** The real path of `p` when it lies outside the real BASE_DIR; null inside (or missing). */
async function outsideBase(p: string, realBase: string): Promise<string | null> {
  let real: string;
  try {
    real = await fsp.realpath(p);
  } catch {
    return null;
  }
  const r = path.relative(realBase, real);
  return r === "" || (!r.startsWith(`..${path.sep}`) && r !== ".." && !path.isAbsolute(r)) ? null : real;
}

/**
 * chmod u+wx on the folder at `p`, only if it is inside BASE_DIR when changed: the folder is opened
 * and the open descriptor's real path checked and chmod-ed, so a swap for a symlink in between does
 * not redirect the change. A folder we cannot open (mode 0) is checked by path just before.
 */
async function chmodInBase(p: string, realBase: string): Promise<{ mode: number; real: string }> {
  let fh: FileHandle | null = null;
  try {
    fh = await fsp.open(p, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EACCES") throw err;
  }
  try {
    const real = fh ? await fsp.readlink(`/proc/self/fd/${fh.fd}`).catch(() => fsp.realpath(p)) : await fsp.realpath(p);
    if (await outsideBase(real, realBase)) throw new Error(`${p} now leads to ${real}, outside BASE_DIR: not changed`);
    const st = fh ? await fh.stat() : await fsp.stat(real);
    const mode = st.mode & 0o7777;
    // A folder one cannot enter cannot be written into either: restore u+x with u+w.
    if (fh) await fh.chmod(mode | 0o300);
    else await fsp.chmod(real, mode | 0o300);
    return { mode, real };
  } finally {
    await fh?.close();
  }
}

async function inspectInBase(p: string, wantDir: boolean, myUid: number | null, realBase: string): Promise<Problem | null> {
  const found = await inspect(p, wantDir, myUid);
  if (!found) return null;
  const outside = await outsideBase(p, realBase);
  if (!outside) return found;
  return { ...found, outside, text: `${found.text}; a symlink leads it to ${outside}, outside BASE_DIR: not changed by --fix, fix by hand` };
}

async function inspect(p: string, wantDir: boolean, myUid: number | null): Promise<Problem | null> {
  let st;
  try {
    st = await fsp.stat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null; // the dirs / files checks report missing paths
    return { path: p, isDir: wantDir, severity: "fail", text: `cannot stat (${describeError(err)})`, mode: 0, uid: -1 };
  }
  if (wantDir !== st.isDirectory()) return null; // wrong kind is the dirs check's business
  const mode = st.mode & 0o7777;
  const octal = mode.toString(8).padStart(4, "0");
  try {
    await fsp.access(p, wantDir ? constants.W_OK | constants.X_OK : constants.W_OK);
  } catch {
    return { path: p, isDir: wantDir, severity: "fail", text: `not writable by uid ${myUid ?? "?"} (mode ${octal}, owner uid ${st.uid})`, mode, uid: st.uid };
  }
  // root passes access() whatever the mode says; the trainer running as the owner would not.
  if (myUid === 0 && (mode & 0o200) === 0) {
    return { path: p, isDir: wantDir, severity: "warn", text: `owner (uid ${st.uid}) has no write permission (mode ${octal}); only root can write`, mode, uid: st.uid };
  }
  return null;
}

export const permissionsCheck: Check = {
  id: "permissions",
  title: "write permissions",
  async run({ settings }) {
    const { layout } = settings;
    const myUid = typeof process.getuid === "function" ? process.getuid() : null;
    const realBase = await fsp.realpath(layout.baseDir).catch(() => path.resolve(layout.baseDir));
    const found = (
      await Promise.all([
        ...writableDirs(layout).map((d) => inspectInBase(d, true, myUid, realBase)),
        ...writableFiles(layout).map((f) => inspectInBase(f, false, myUid, realBase)),
      ])
    ).filter((p): p is Problem => p !== null);
    const checked = [...writableDirs(layout), ...writableFiles(layout)].map((p) => rel(layout, p));
    if (found.length === 0) {
      // Name the folders that exist: an hf job has no status/ and keeps checkpoints in its output_dir.
      const present = (await Promise.all(writableDirs(layout).map(async (d) => ((await fsp.stat(d).then((st) => st.isDirectory(), () => false)) ? rel(layout, d) : null)))).filter((d): d is string => d !== null);
      const names = [...new Set(present)];
      const listed = names.length <= 1 ? (names[0] ?? "nothing") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
      return result("pass", `${listed} ${names.length === 1 ? "is" : "are"} writable`, { checked });
    }
    const status = found.some((p) => p.severity === "fail") ? "fail" : "warn";
    const details = { checked, problems: found.map((p) => ({ path: p.path, problem: p.text, ...(p.outside ? { outsideBaseDir: p.outside } : {}) })) };
    const message = found.map((p) => `${rel(layout, p.path)}: ${p.text}`).join("; ");
    // chmod works only on what we own (or as root); files are never changed.
    const fixable = found.filter((p) => p.isDir && !p.outside && p.uid >= 0 && (myUid === 0 || p.uid === myUid));
    if (fixable.length === 0) {
      const why = found.some((p) => p.outside) ? "" : found.some((p) => p.isDir) ? " (owned by another user: fix by hand)" : " (files are not changed by --fix)";
      return result(status, message + why, details);
    }
    return result(status, message, details, {
      description: `chmod u+w ${fixable.map((p) => rel(layout, p.path)).join(", ")}`,
      async apply() {
        const done: string[] = [];
        for (const p of fixable) {
          const { mode, real } = await chmodInBase(p.path, realBase);
          done.push(`${real} mode ${mode.toString(8).padStart(4, "0")} -> ${(mode | 0o300).toString(8).padStart(4, "0")}`);
        }
        return `chmod u+w: ${done.join(", ")}`;
      },
    });
  },
};
