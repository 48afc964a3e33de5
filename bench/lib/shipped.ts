/**
 * The shipped form of the CLI for benches that time it as a user runs it: deploy/build.mjs's bundle and the node
 * options deploy/install.sh's launcher adds per command.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ROOT } from "./controller-process.js";

/** Builds the shipped form (deploy/build.mjs) and returns the folder of its bundles (dist/). */
export function buildShipped(): string {
  const r = spawnSync(process.execPath, [path.join(ROOT, "deploy", "build.mjs")], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`deploy/build.mjs failed: ${r.stderr}`);
  return path.join(ROOT, "dist");
}

/**
 * The node options deploy/install.sh's launcher runs a command line with (its `case "$1 $2"`, where the
 * installed node accepts them all, as this one does): `check` with V8's regexp tier-up and baseline
 * compiler off and its feedback vectors allocated late, `crash scan` with regexp tier-up and on-stack
 * replacement off, every other command with none.
 */
export function launcherOptions(args: readonly string[]): readonly string[] {
  if (args[0] === "check") return ["--no-regexp-tier-up", "--no-sparkplug", "--interrupt-budget-factor-for-feedback-allocation=1000"];
  return args[0] === "crash" && args[1] === "scan" ? ["--no-regexp-tier-up", "--no-use-osr"] : [];
}
