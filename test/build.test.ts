/**
 * The shipped form (deploy/build.mjs: dist/trainsafe.mjs run by plain node) runs every local command
 * as the sources do: same exit code, same findings and checks, and loads no package from node_modules
 * except the native addon (packages are bundled for start-up speed, issue 13 item 2).
 */
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
let tmp = "";
let bundle = "";
let base = "";

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-build-test-"));
  // Built from a copy of the sources, so that the repository's own dist/ is left alone.
  const prog = path.join(tmp, "prog");
  fs.mkdirSync(prog);
  for (const d of ["agent", "cli", "controller", "proto", "deploy"]) fs.cpSync(path.join(ROOT, d), path.join(prog, d), { recursive: true });
  fs.copyFileSync(path.join(ROOT, "package.json"), path.join(prog, "package.json"));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(prog, "node_modules"));
  const b = spawnSync(process.execPath, [path.join(prog, "deploy", "build.mjs"), prog], { encoding: "utf8" });
  assert.equal(b.status, 0, b.stderr);
  bundle = path.join(prog, "dist", "trainsafe.mjs");
  base = path.join(tmp, "training");
  fs.cpSync(path.join(ROOT, "examples", "training"), base, { recursive: true });
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function run(entry: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [entry, ...args], { encoding: "utf8", cwd: tmp });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("the bundle imports no package but the native addon", () => {
  const dist = path.dirname(bundle);
  for (const f of fs.readdirSync(dist).filter((x) => x.endsWith(".mjs") && x !== "training_daemon.mjs")) {
    const text = fs.readFileSync(path.join(dist, f), "utf8");
    const pkgs = [...text.matchAll(/^(?:import|export)\b[^\n]*?\bfrom\s*"([^".][^"]*)";$|\bimport\("([^".][^"]*)"\)/gm)].map((m) => (m[1] ?? m[2])!).filter((s) => !s.startsWith("node:"));
    assert.deepEqual([...new Set(pkgs)].filter((p) => p !== "better-sqlite3"), [], `${f} imports packages`);
  }
});

test("every local command gives the same result from the bundle as from the sources", () => {
  const dev = path.join(ROOT, "bin", "trainsafe.js");
  const log = path.join(base, "logs", "train.log");
  const cases: Array<{ args: string[]; pick: (j: any) => unknown }> = [
    { args: ["crash", "scan", "--file", log, "--no-history", "--json"], pick: (j) => [j.primary?.category, j.primary?.ruleId, j.primary?.line] },
    { args: ["crash", "scan", "--base-dir", base, "--no-history", "--json"], pick: (j) => [j.primary?.category, j.primary?.file, j.primary?.line] },
    { args: ["check", "--base-dir", base, "--json"], pick: (j) => j.checks.map((c: any) => [c.id, c.status]) },
    { args: ["config", "validate", "--base-dir", base, "--json"], pick: (j) => j.ok ?? j.valid ?? Object.keys(j).sort() },
    { args: ["resume", "verify", "--base-dir", base, "--json"], pick: (j) => JSON.stringify(j).length > 2 && Object.keys(j).sort() },
    { args: ["crash", "history", "--base-dir", base, "--json"], pick: (j) => j },
  ];
  for (const c of cases) {
    const a = run(bundle, c.args);
    const b = run(dev, c.args);
    assert.equal(a.status, b.status, `${c.args.join(" ")}: exit ${a.status} (bundle) vs ${b.status} (sources): ${a.stderr}`);
    assert.ok(a.status === 0 || a.status === 1, `${c.args.join(" ")}: exit ${a.status}: ${a.stderr}`);
    assert.deepEqual(c.pick(JSON.parse(a.stdout)), c.pick(JSON.parse(b.stdout)), c.args.join(" "));
  }
  // The crash in examples/training is found by the bundle (not just equal failures).
  const scan = JSON.parse(run(bundle, cases[0]!.args).stdout);
  assert.equal(scan.primary.category, "cuda_oom");
  assert.equal(run(bundle, ["--version"]).stdout.trim(), "0.1.0");
});
