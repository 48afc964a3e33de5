/** Builds the shipped form (deploy/build.mjs) from a copy of the sources, leaving the repository's own dist/ alone. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Copies the sources into `<tmp>/prog`, builds them there and returns that folder (its dist/ holds the build). */
export function buildCopy(tmp: string): string {
  const prog = path.join(tmp, "prog");
  fs.mkdirSync(prog);
  for (const d of ["agent", "cli", "controller", "proto", "deploy"]) fs.cpSync(path.join(ROOT, d), path.join(prog, d), { recursive: true });
  fs.copyFileSync(path.join(ROOT, "package.json"), path.join(prog, "package.json"));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(prog, "node_modules"));
  const b = spawnSync(process.execPath, [path.join(prog, "deploy", "build.mjs"), prog], { encoding: "utf8" });
  assert.equal(b.status, 0, b.stderr);
  return prog;
}
