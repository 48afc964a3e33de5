/**
 * What an installed trainsafe consists of: the program's top-level files and folders plus the
 * production dependencies named by package-lock.json (what `npm ci --omit=dev` would install), so an
 * install or a fleet bundle carries neither tests nor the 100 MB of build-time tools.
 *
 * Run as a script it prints the list, one path a line, relative to the source folder:
 *   node --import tsx deploy/lib/manifest.ts [SRC]
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

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const src = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "..", ".."));
  try {
    process.stdout.write((await programFiles(src)).join("\n") + "\n");
  } catch (err) {
    process.stderr.write(`manifest: ${(err as Error).message}\n`);
    process.exitCode = 2;
  }
}
