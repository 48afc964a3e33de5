/**
 * What an installed trainsafe consists of: the program's top-level files and folders plus the
 * production dependencies named by package-lock.json (what `npm ci --omit=dev` would install), so an
 * install or a fleet bundle carries neither tests nor the 100 MB of build-time tools.
 *
 * Run as a script it prints the list, one path a line, relative to the source folder:
 *   node --import tsx deploy/lib/manifest.ts [SRC] [--compare DEST]
 * With --compare it also says whether DEST already holds exactly those files, as a copy that keeps
 * modification times would leave them: exit 0 same, 1 different, 2 error.
 */
import { existsSync, promises as fsp } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { loadJsonFile } from "../../agent/lib/files.js";

/** Top-level entries of the program; the ones missing from a source folder are skipped. */
export const PROGRAM_ENTRIES: readonly string[] = Object.freeze([
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "README.md",
  "bin",
  "agent",
  "cli",
  "controller",
  "proto",
  "deploy",
  "docs",
]);

/** Top-level entries an install builds in place rather than copies. */
export const BUILT_ENTRIES: readonly string[] = Object.freeze(["dist"]);

const lockSchema = z.object({
  lockfileVersion: z.number().int().min(2),
  packages: z.record(z.string(), z.object({ dev: z.boolean().optional() }).loose()),
});

/**
 * Folders of the production dependencies present under `srcDir`/node_modules, outermost only (a
 * package's own node_modules travels with it). Optional packages for other platforms are absent and
 * skipped. Throws a config error naming package-lock.json when it is missing or not lockfile v2+.
 */
export async function productionPackages(srcDir: string): Promise<string[]> {
  const lock = await loadJsonFile(path.join(srcDir, "package-lock.json"), lockSchema);
  const wanted = Object.entries(lock.packages)
    .filter(([key, meta]) => key.startsWith("node_modules/") && meta.dev !== true)
    .map(([key]) => key)
    .filter((key) => existsSync(path.join(srcDir, key)))
    .sort();
  return wanted.filter((key) => !wanted.some((outer) => key.startsWith(`${outer}/`)));
}

/** Every path (relative to `srcDir`) an installed copy needs: program entries, then production packages. */
export async function programFiles(srcDir: string): Promise<string[]> {
  const entries: string[] = [];
  for (const entry of PROGRAM_ENTRIES) {
    const st = await fsp.lstat(path.join(srcDir, entry)).catch(() => null);
    if (st && (st.isFile() || st.isDirectory())) entries.push(entry);
  }
  if (!entries.includes("package.json") || !entries.includes("bin")) {
    throw new Error(`${srcDir}: not a trainsafe source folder (no package.json or bin/)`);
  }
  const hasModules = existsSync(path.join(srcDir, "node_modules"));
  return hasModules ? [...entries, ...(await productionPackages(srcDir))] : entries;
}

/** Type, size and modification time of every file and folder under `dir`'s `entries`, by relative path. */
export async function treeStat(dir: string, entries: ReadonlyArray<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const visit = async (rel: string): Promise<void> => {
    const st = await fsp.lstat(path.join(dir, rel)).catch(() => null);
    if (!st) return;
    if (st.isDirectory()) {
      out.set(rel, "dir");
      for (const name of await fsp.readdir(path.join(dir, rel))) await visit(path.join(rel, name));
    } else {
      out.set(rel, `${st.isSymbolicLink() ? "link" : "file"} ${st.size} ${Math.trunc(st.mtimeMs / 1000)}`);
    }
  };
  for (const entry of entries) await visit(entry);
  return out;
}

/**
 * True when `destDir` holds exactly `files` of `srcDir` (same paths, sizes and modification times, no
 * extra top-level entries): a re-install can then skip the copy. Anything edited by hand differs.
 */
export async function sameInstalledTree(srcDir: string, files: ReadonlyArray<string>, destDir: string): Promise<boolean> {
  const [src, dest] = await Promise.all([treeStat(srcDir, files), treeStat(destDir, files)]);
  const top = await fsp.readdir(destDir).catch(() => null);
  if (!top) return false;
  // dist/ is built by install.sh inside the installed copy (deploy/build.mjs), not copied.
  const expectedTop = new Set([...files.map((f) => f.split("/")[0]!), ...BUILT_ENTRIES]);
  if (top.some((name) => !expectedTop.has(name))) return false;
  if (src.size !== dest.size) return false;
  for (const [rel, sig] of src) if (dest.get(rel) !== sig) return false;
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--compare");
  const dest = at >= 0 ? args.splice(at, 2)[1] : undefined;
  const src = path.resolve(args[0] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "..", ".."));
  try {
    if (at >= 0 && !dest) throw new Error("--compare needs a folder");
    const files = await programFiles(src);
    process.stdout.write(files.join("\n") + "\n");
    if (dest !== undefined) process.exitCode = (await sameInstalledTree(src, files, path.resolve(dest))) ? 0 : 1;
  } catch (err) {
    process.stderr.write(`manifest: ${(err as Error).message}\n`);
    process.exitCode = 2;
  }
}
