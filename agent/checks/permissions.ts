/**
 * Permissions: what trainsafe and the trainer write (BASE_DIR, logs/, status/, current_model/ and the
 * files in them that already exist) must be writable by the current user. `--fix` restores the owner's
 * write bit on those folders only; files and ownership are never changed.
 */
import { constants, promises as fsp } from "node:fs";
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
  readonly isDir: boolean;
  readonly severity: "fail" | "warn";
  readonly text: string;
  readonly mode: number;
  readonly uid: number;
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
    const found = (
      await Promise.all([...writableDirs(layout).map((d) => inspect(d, true, myUid)), ...writableFiles(layout).map((f) => inspect(f, false, myUid))])
    ).filter((p): p is Problem => p !== null);
    const checked = [...writableDirs(layout), ...writableFiles(layout)].map((p) => rel(layout, p));
    if (found.length === 0) return result("pass", `BASE_DIR, logs, status and current_model are writable`, { checked });
    const status = found.some((p) => p.severity === "fail") ? "fail" : "warn";
    const details = { checked, problems: found.map((p) => ({ path: p.path, problem: p.text })) };
    const message = found.map((p) => `${rel(layout, p.path)}: ${p.text}`).join("; ");
    // chmod works only on what we own (or as root); files are never changed.
    const fixable = found.filter((p) => p.isDir && p.uid >= 0 && (myUid === 0 || p.uid === myUid));
    if (fixable.length === 0) {
      const why = found.some((p) => p.isDir) ? " (owned by another user: fix by hand)" : " (files are not changed by --fix)";
      return result(status, message + why, details);
    }
    return result(status, message, details, {
      description: `chmod u+w ${fixable.map((p) => rel(layout, p.path)).join(", ")}`,
      async apply() {
        const done: string[] = [];
        for (const p of fixable) {
          const st = await fsp.stat(p.path);
          // A folder one cannot enter cannot be written into either: restore u+x with u+w.
          await fsp.chmod(p.path, (st.mode & 0o7777) | 0o300);
          done.push(`${p.path} mode ${(st.mode & 0o7777).toString(8).padStart(4, "0")} -> ${((st.mode & 0o7777) | 0o300).toString(8).padStart(4, "0")}`);
        }
        return `chmod u+w: ${done.join(", ")}`;
      },
    });
  },
};
